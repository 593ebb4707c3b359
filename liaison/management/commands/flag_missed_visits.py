"""``manage.py flag_missed_visits [--today YYYY-MM-DD] [--rebuild]``: the daily sweep by hand."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.management.arguments import iso_day
from liaison.services import sweep


class Command(BaseCommand):
    help = (
        "Record ended visit periods as met or missed, cure back-dated ones and move deadlines "
        "on: the same service as the daily job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=iso_day, help="the day to sweep for (default: today)")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="derive every period record again from assignments and visits (repair path)",
        )

    def handle(self, *args, today, rebuild, **options):
        today = today or timezone.localdate()
        service = sweep.rebuild_period_records if rebuild else sweep.flag_missed_periods
        result = service(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Visit periods up to %(today)s: %(slices)d periods checked, %(recorded)d "
                    "records written, %(cured)d cured by late visits, %(advanced)d deadlines "
                    "moved on."
                )
                % {
                    "today": today.isoformat(),
                    "slices": result.slices,
                    "recorded": result.recorded,
                    "cured": result.cured,
                    "advanced": result.advanced,
                }
            )
        )
