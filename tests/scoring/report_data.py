"""Facts for the report tests: a cadre's March 2026 at 大智派出所 (江岸区), frozen ranks."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from liaison.models import PeriodRecord, Visit
from scoring.models import MonthlyRank, RankingMonth
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
MARCH = dt.date(2026, 3, 1)
# Friday 10 April 2026 in Wuhan: the default report period is March 2026.
NOW = dt.datetime(2026, 4, 10, 9, 30, tzinfo=SH)


def name(user, last, first):
    user.last_name, user.first_name = last, first
    user.save(update_fields=["last_name", "first_name"])
    return user


def period_record(assignment, start, status, *, days=6, on_time=None):
    return PeriodRecord.objects.create(
        assignment=assignment,
        tier=assignment.cadre.tier,
        period_start=start,
        period_end=start + dt.timedelta(days=days),
        status=status,
        met_on_time=status == "met" if on_time is None else on_time,
        flagged_at=timezone.now(),
    )


def visit(assignment, day):
    at = dt.datetime.combine(day, dt.time(10), tzinfo=SH)
    return Visit.objects.create(
        assignment=assignment,
        cadre=assignment.cadre,
        station=assignment.station,
        visited_at=at,
        visited_on=day,
        logged_at=at,
        logged_by=assignment.cadre.user,
        unannounced=True,
        **dict.fromkeys(
            [
                "no_notice",
                "no_greeting",
                "no_report",
                "no_escort",
                "straight_to_grassroots",
                "straight_to_scene",
            ],
            True,
        ),
    )


def published_problem(station, *, day, deadline, closed_on=None, description=None, by=None):
    at = dt.datetime.combine(day, dt.time(9), tzinfo=SH)
    publisher = by or f.UserFactory(role="bureau", bureau=station.bureau)
    extra = {}
    if closed_on is not None:
        extra = {
            "status": "closed",
            "closed_at": dt.datetime.combine(closed_on, dt.time(16), tzinfo=SH),
            "closed_by": publisher,
            "closed_on": closed_on,
        }
    return f.ProblemFactory(
        station=station,
        status=extra.pop("status", "published"),
        responsible=publisher,
        deadline=deadline,
        published_at=at,
        published_by=publisher,
        raised_by=publisher,
        **({"description": description} if description else {}),
        **extra,
    )


def freeze(month, ranks):
    """A frozen month with the given (cadre, points, rank_in_tier, rank_overall, station)."""
    ranking = RankingMonth.objects.create(month=month, frozen_at=timezone.now())
    MonthlyRank.objects.bulk_create(
        MonthlyRank(
            ranking=ranking,
            cadre=cadre,
            tier=cadre.tier,
            station=station,
            points=Decimal(points),
            rank_in_tier=in_tier,
            rank_overall=overall,
        )
        for cadre, points, in_tier, overall, station in ranks
    )
    return ranking
