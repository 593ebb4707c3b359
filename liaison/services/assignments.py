"""Write services for cadres and assignments."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from liaison.models import Assignment, Cadre, User
from liaison.periods import period_containing
from liaison.rules import allowed_cadre_tiers, in_jurisdiction
from stations.models import Bureau, Station


@transaction.atomic
def create_cadre(
    *, user: User, bureau: Bureau, tier: str, position: str = "", phone: str = ""
) -> Cadre:
    allowed = allowed_cadre_tiers(
        bureau_tier=bureau.tier, directly_administered=bureau.directly_administered
    )
    if tier not in allowed:
        raise ValidationError(
            _("A cadre of %(bureau)s cannot be of this tier.") % {"bureau": bureau.name},
            code="tier",
        )
    return Cadre.objects.create(user=user, bureau=bureau, tier=tier, position=position, phone=phone)


def check_can_cover(*, cadre: Cadre, station: Station) -> None:
    """Raise ValidationError unless the cadre may cover the station (jurisdiction, active)."""
    if not cadre.active:
        raise ValidationError(_("This cadre is no longer active."), code="inactive")
    if not station.active:
        raise ValidationError(_("This station is inactive."), code="inactive_station")
    if not in_jurisdiction(
        cadre_bureau_path=cadre.bureau.path, station_bureau_path=station.bureau.path
    ):
        raise ValidationError(
            _("%(cadre)s of %(bureau)s may not cover %(station)s: outside their jurisdiction.")
            % {"cadre": cadre, "bureau": cadre.bureau.name, "station": station.name},
            code="jurisdiction",
        )


# How far back a new assignment may start (recording a handover a few weeks late).
ASSIGNMENT_BACKDATE_DAYS = 31


def check_start_date(*, start_date: dt.date, today: dt.date) -> None:
    """No future starts (an assignment is active from its first day), and no back-dating
    beyond ``ASSIGNMENT_BACKDATE_DAYS``."""
    if start_date > today:
        raise ValidationError(_("The start date cannot be in the future."), code="start_future")
    if start_date < today - dt.timedelta(days=ASSIGNMENT_BACKDATE_DAYS):
        raise ValidationError(
            _("The start date may be at most %(days)d days in the past.")
            % {"days": ASSIGNMENT_BACKDATE_DAYS},
            code="start_too_early",
        )


@transaction.atomic
def assign_cadre(
    *, station: Station, cadre: Cadre, start_date: dt.date, by: User | None, today: dt.date
) -> Assignment:
    """Make ``cadre`` the station's cadre from ``start_date``; the previous one ends the day
    before. The history of who covered the station when is kept, and never overlaps."""
    check_can_cover(cadre=cadre, station=station)
    check_start_date(start_date=start_date, today=today)
    # Lock, in one query and in primary-key order (so two crossing reassignments cannot
    # deadlock), every row of the station or the cadre that is active or ends on or after
    # the new start.
    rows = list(
        Assignment.objects.select_for_update()
        .filter(Q(station=station) | Q(cadre=cadre))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
        .select_related("station")
        .order_by("pk")
    )
    busy = next((r for r in rows if r.cadre_id == cadre.pk and r.end_date is None), None)
    if busy is not None:
        if busy.station_id == station.pk:
            raise ValidationError(
                _("%(cadre)s already covers this station.") % {"cadre": cadre}, code="same"
            )
        raise ValidationError(
            _("%(cadre)s already covers %(station)s; end that assignment first.")
            % {"cadre": cadre, "station": busy.station.name},
            code="cadre_busy",
        )
    ended = [r for r in rows if r.end_date is not None]
    if ended:
        last = max(r.end_date for r in ended)
        raise ValidationError(
            _(
                "The start date must be after %(date)s: an earlier assignment of this station or "
                "this cadre runs until then."
            )
            % {"date": last.isoformat()},
            code="overlap",
        )
    for current in rows:  # the station's active assignment, if any
        if start_date <= current.start_date:
            raise ValidationError(
                _("The start date must be after %(date)s, when the current cadre started.")
                % {"date": current.start_date.isoformat()},
                code="start_before_current",
            )
        current.end_date = start_date - dt.timedelta(days=1)
        current._change_reason = "reassigned"
        current.save(update_fields=["end_date"])
    period_start, period_end = period_containing(cadre.tier, today)
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                cadre=cadre,
                station=station,
                start_date=start_date,
                created_by=by,
                period_start=period_start,
                period_end=period_end,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone else changed this station's cadre at the same time; please reload."),
            code="conflict",
        ) from exc


@transaction.atomic
def end_assignment(*, assignment: Assignment, end_date: dt.date, today: dt.date) -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.end_date is not None:
        raise ValidationError(_("This assignment has already ended."), code="ended")
    if end_date < locked.start_date:
        raise ValidationError(
            _("The end date cannot be before the start date %(date)s.")
            % {"date": locked.start_date.isoformat()},
            code="end_before_start",
        )
    if end_date > today:
        raise ValidationError(_("The end date cannot be in the future."), code="end_future")
    locked.end_date = end_date
    locked.save(update_fields=["end_date"])
    return locked
