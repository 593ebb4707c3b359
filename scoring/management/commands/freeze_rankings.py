"""``manage.py freeze_rankings [--month YYYY-MM]``: freeze a month's ranking by hand (default:
last month), the same service as the job on the 1st."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.periods import parse_month
from scoring.services import ranking


def _month(value: str) -> dt.date:
    try:
        return parse_month(value)
    except ValueError:
        raise CommandError(
            _("Enter the month as YYYY-MM, e.g. 2026-10 (got %(value)s).") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = "Freeze a month's points and ranks (default: last month); a frozen month stays as is."

    def add_arguments(self, parser):
        parser.add_argument("--month", type=_month, help="the month to freeze (default: last)")

    def handle(self, *args, month, **options):
        now = timezone.now()
        month = month or ranking.last_month(timezone.localdate(now))
        try:
            frozen = ranking.freeze_month(month=month, now=now)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Ranking of %(month)s frozen at %(at)s: %(count)d cadres.")
                % {
                    "month": f"{frozen.month:%Y-%m}",
                    "at": timezone.localtime(frozen.frozen_at).strftime("%Y-%m-%d %H:%M"),
                    "count": frozen.ranks.count(),
                }
            )
        )
