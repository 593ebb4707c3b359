"""Services around the assignment planner: load a scope into the pure planner, apply a plan.

``propose_plan`` answers with three queries whatever the number of stations (a fourth for
the provinces' names when the scope spans several), and plans each province with its own
targets (the 20/30/50 rule is per province); ``apply_plan``
recomputes the plan, checks it is the one the reviewer confirmed (by its digest) and writes
every assignment in one bulk insert.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from liaison.models import Assignment, Cadre, User
from liaison.planner import (
    TIERS,
    Plan,
    PlanCadre,
    PlanStation,
    Province,
    plan_by_province,
    province_of,
)
from liaison.querysets import uncovered_stations
from liaison.services.assignments import check_start_date
from stations.drilldown import path_code
from stations.models import Bureau, Station
from stations.scope import Scope

BATCH_SIZE = 1000


def _stale() -> ValidationError:
    return ValidationError(
        _("The situation changed since you reviewed the plan; please review it again."),
        code="stale",
    )


def propose_plan(*, scope: Scope) -> Plan:
    """The plan for the scope's uncovered active stations and free active cadres, each
    province against its own targets."""
    active = Q(assignments__end_date__isnull=True)
    per_province = list(
        Station.objects.in_scope(scope)
        .active()
        .annotate(province_code=path_code("bureau__path", "province"))
        .values("province_code")
        .annotate(
            total=Count("id", distinct=True),
            **{t: Count("id", filter=active & Q(assignments__cadre__tier=t)) for t in TIERS},
        )
        .order_by("province_code")
    )
    stations = [
        PlanStation(id=pk, code=code, name=name, bureau_path=path, bureau_name=bureau)
        for pk, code, name, path, bureau in uncovered_stations(
            Station.objects.in_scope(scope).active()
        ).values_list("id", "code", "name", "bureau__path", "bureau__name")
    ]
    cadres = [
        PlanCadre(
            id=pk,
            name=f"{last}{first}".strip() or username,
            tier=tier,
            bureau_path=path,
            bureau_name=bureau,
        )
        for pk, tier, path, bureau, last, first, username in Cadre.objects.in_scope(scope)
        .free()
        .values_list(
            "id",
            "tier",
            "bureau__path",
            "bureau__name",
            "user__last_name",
            "user__first_name",
            "user__username",
        )
    ]
    counts = {row["province_code"]: row for row in per_province}
    codes = sorted(set(counts) | {province_of(c.bureau_path) for c in cadres})
    names = {}
    if len(codes) > 1:  # the reasons name the province only when there are several
        names = dict(Bureau.objects.filter(code__in=codes).values_list("code", "name"))
    provinces = [
        Province(
            code=code,
            name=names.get(code, code),
            total=counts[code]["total"] if code in counts else 0,
            actual={t: counts[code][t] for t in TIERS} if code in counts else {},
        )
        for code in codes
    ]
    return plan_by_province(stations=stations, cadres=cadres, provinces=provinces)


@transaction.atomic
def apply_plan(
    *, scope: Scope, digest: str, start_date: dt.date, by: User | None, today: dt.date
) -> int:
    """Create the assignments of the plan the reviewer saw; return how many were created.

    The plan is recomputed here: if it is no longer the one with ``digest`` (a station or a
    cadre changed meanwhile), nothing is written. The partial unique constraints on active
    assignments catch a change committed between the recomputation and the insert.
    """
    check_start_date(start_date=start_date, today=today)
    plan = propose_plan(scope=scope)
    if plan.digest() != digest:
        raise _stale()
    if not plan.pairs:
        return 0
    # History never overlaps: no planned station or cadre may have an assignment that ran
    # on or after the start date (one query for the whole plan).
    overlap = (
        Assignment.objects.filter(end_date__gte=start_date)
        .filter(
            Q(station_id__in=[p.station.id for p in plan.pairs])
            | Q(cadre_id__in=[p.cadre.id for p in plan.pairs])
        )
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            _(
                "The start date must be after %(date)s: an earlier assignment of this station or "
                "this cadre runs until then."
            )
            % {"date": overlap.isoformat()},
            code="overlap",
        )
    assignments = [
        Assignment(
            station_id=pair.station.id,
            cadre_id=pair.cadre.id,
            start_date=start_date,
            created_by=by,
        )
        for pair in plan.pairs
    ]
    try:
        with transaction.atomic():
            bulk_create_with_history(
                assignments,
                Assignment,
                batch_size=BATCH_SIZE,
                default_user=by,
                default_change_reason="planner",
            )
    except IntegrityError as exc:
        raise _stale() from exc
    return len(assignments)
