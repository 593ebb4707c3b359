"""Helpers for the ranking tests: cadres on stations with ledger entries in given months."""

import datetime as dt
from decimal import Decimal

from liaison.models import Assignment
from tests import factories as f

OCT = dt.date(2026, 10, 1)
SEP = dt.date(2026, 9, 1)
NOV = dt.date(2026, 11, 1)


def cadre_on(station, bureau, tier, *, name, start=dt.date(2026, 1, 1), end=None):
    """A cadre of ``bureau`` covering ``station`` from ``start`` (named 张<name>)."""
    user = f.UserFactory(role="cadre", bureau=bureau, last_name="张", first_name=name)
    cadre = f.CadreFactory(bureau=bureau, tier=tier, user=user)
    f.AssignmentFactory(cadre=cadre, station=station, start_date=start, end_date=end)
    return cadre


def earn(cadre, points, month, *, code="visit_in_period", booked=None):
    """An entry of ``points`` for a fact on the 15th of ``month``, booked in ``booked``
    (default: the fact's month)."""
    return f.PointEntryFactory(
        cadre=cadre,
        code=code,
        points=Decimal(points),
        fact_day=month.replace(day=15),
        booked_month=booked or month,
    )


def ranked_cadre_at(station):
    """The cadre covering ``station`` (one is assigned if none is), covering it since long
    before last month so that they are in last month's ranking, frozen or provisional."""
    active = Assignment.objects.filter(station=station, end_date__isnull=True)
    active.update(start_date=dt.date(2000, 1, 1))
    assignment = active.select_related("cadre").first()
    if assignment is None:
        assignment = f.AssignmentFactory(
            cadre=f.CadreFactory(bureau=station.bureau, tier="county"),
            station=station,
            start_date=dt.date(2000, 1, 1),
        )
    return assignment.cadre
