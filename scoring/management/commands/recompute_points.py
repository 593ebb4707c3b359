"""``manage.py recompute_points [--today YYYY-MM-DD] [--since YYYY-MM-DD]``: bring the point
ledger in line with the facts by hand, the same service as the nightly job (all facts, or
only those of ``--since`` and later)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.management.arguments import iso_day
from scoring.services import ledger


class Command(BaseCommand):
    help = (
        "Recompute the point ledger from the facts: reverse entries the facts no longer "
        "support, add the missing ones. The same service as the nightly job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=iso_day, help="the day to run for (default: today)")
        parser.add_argument(
            "--since", type=iso_day, help="only facts of this day and later (default: all)"
        )

    def handle(self, *args, today, since, **options):
        today = today or timezone.localdate()
        try:
            report = ledger.recompute_points(today=today, since=since, now=timezone.now())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Points up to %(today)s: %(desired)d entries called for by the facts, "
                    "%(added)d added, %(reversed)d reversed."
                )
                % {
                    "today": today.isoformat(),
                    "desired": report.desired,
                    "added": report.added,
                    "reversed": report.reversed,
                }
            )
        )
