"""The scoring part of the demo seed (``seed_demo``): the point ledger recomputed from the
seeded facts and every past month of the seeded year frozen, as if the nightly recompute and
the freeze on the 1st had run all year. Set-based: one full recompute, then one
``INSERT … SELECT`` per month (``freeze_month``), however many cadres."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from scoring.models import PointEntry, RankingMonth
from scoring.selectors import add_months
from scoring.services import ledger, ranking

# The hours of the beat schedule (liaison/settings.py): the nightly recompute, the freeze.
RECOMPUTE_AT = dt.time(0, 50)
FREEZE_AT = dt.time(1, 0)


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def score_seeded_data(*, today: dt.date) -> dict:
    """Recompute the whole ledger as the nightly job of ``today`` would, then freeze every
    month from the first one with points to the one before ``today``'s, each at 01:00 on
    the 1st of the month after it. Returns what was written, counted."""
    # A reset deletes the frozen ranks with the cadres they refer to, not the months: a month
    # left without ranks would stay "frozen" and empty, so the seed starts them afresh.
    RankingMonth.objects.filter(ranks__isnull=True).delete()
    report = ledger.recompute_points(today=today, now=_local(today, RECOMPUTE_AT))
    first = PointEntry.objects.aggregate(first=Min("booked_month"))["first"]
    last = ranking.last_month(today)
    months = []
    month = first
    while month is not None and month <= last:
        following = add_months(month, 1)
        months.append(ranking.freeze_month(month=month, now=_local(following, FREEZE_AT)))
        month = following
    return {
        "entries": report.added,
        "months": len(months),
        "first": months[0].month if months else None,
        "last": months[-1].month if months else None,
    }
