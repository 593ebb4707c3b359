"""Freezing a month's ranking (一月一考核、一月一排名).

On the 1st the past month is frozen: one ``RankingMonth`` row and, in one INSERT … SELECT
with window functions, one ``MonthlyRank`` row per cadre with points, rank within tier and
rank overall (ties share a rank: 1, 1, 3). Frozen rows are never changed; the ledger books
late corrections in the current month, so a frozen month's points stay as they were.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.models import RankingMonth
from scoring.selectors import LIVE_STANDINGS, month_end
from scoring.services.ledger import LOCK_KEY as LEDGER_LOCK_KEY

_INSERT_RANKS = """
INSERT INTO scoring_monthlyrank
    (ranking_id, cadre_id, tier, station_id, points, rank_in_tier, rank_overall)
SELECT %(ranking)s, s.cadre_id, s.tier, s.station_id, s.points, s.rank_in_tier, s.rank_overall
FROM ({standings}) s
""".format(standings=LIVE_STANDINGS.format(p=""))


@transaction.atomic
def freeze_month(*, month: dt.date, now: dt.datetime) -> RankingMonth:
    """Freeze ``month`` (any day of it). Freezing a frozen month returns it unchanged."""
    month = month.replace(day=1)
    if month >= timezone.localdate(now).replace(day=1):
        raise ValidationError(
            _("Only a month that has ended can be frozen; %(month)s has not ended yet.")
            % {"month": f"{month:%Y-%m}"},
            code="month_not_ended",
        )
    existing = RankingMonth.objects.filter(month=month).first()
    if existing is not None:
        return existing
    _wait_for_the_ledger()
    try:
        # The unique month is the lock: a concurrent freeze waits here, then finds the row.
        with transaction.atomic():
            ranking = RankingMonth.objects.create(month=month, frozen_at=now)
    except IntegrityError:
        return RankingMonth.objects.get(month=month)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_RANKS, {"ranking": ranking.pk, "month": month, "day": month_end(month)}
        )
    return ranking


def _wait_for_the_ledger() -> None:
    """Take the recompute's lock: a recompute running now commits first (its entries count),
    one starting now waits and then sees the month frozen (it books in the current month)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK_KEY])


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
