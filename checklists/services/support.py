"""Station support requests (驻所帮扶/替岗, Putian): a station asks headquarters for cover,
bureau staff assign officers with matching skills who are free on those dates, the station
confirms, and the hours and incidents handled are recorded per officer.

Who: the station's own staff submit, cancel, confirm; bureau staff (and administrators)
with the station in scope assign, remove and decline; either records hours. Officers come
from the headquarters standing over the station (its county, city and province bureaus)
that the assigning user can see.

"Free": no cover of a request that still holds its officers (any status but cancelled or
declined) overlapping the dates. Enforced here under a row lock on the officer (see the
model's docstring for why not an exclusion constraint). Transitions are conditional
updates; ``update()`` writes no history, so each service appends the historical rows.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklists.models import (
    Skill,
    SupportCover,
    SupportKind,
    SupportOfficer,
    SupportRequest,
    SupportStatus,
)
from checklists.models.support import HOLDING_STATUSES, OPEN_STATUSES
from checklists.permissions import may_manage_station
from liaison.models import User
from stations.models import Station
from stations.scope import Scope, ancestor_paths, path_within, scope_of

MAX_DAYS = 90
# A request is for a coming peak: at most a year ahead.
MAX_LEAD_DAYS = 366
MAX_OFFICERS = 20
MAX_HOURS_PER_DAY = 24


def is_station_staff(user, station: Station) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role == "station"
        and user.station_id == station.pk
    )


def may_record(user, station: Station) -> bool:
    return is_station_staff(user, station) or may_manage_station(user, station)


def _stale() -> ValidationError:
    return ValidationError(
        _("Someone else has just changed this request. Here is its current state."),
        code="stale",
    )


def _history(model, pks, by: User, now: dt.datetime) -> None:
    model.history.bulk_history_create(
        list(model.objects.filter(pk__in=pks)), update=True, default_user=by, default_date=now
    )


@transaction.atomic
def submit_request(
    *,
    station: Station,
    by: User,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    officers_needed: int,
    skills: Sequence[Skill],
    note: str = "",
    today: dt.date,
    now: dt.datetime,
) -> SupportRequest:
    """A station's request for cover, by its own staff. All or nothing."""
    if not is_station_staff(by, station):
        raise ValidationError(
            _("Only the staff of this police station can request support for it."),
            code="forbidden",
        )
    if not station.active:
        raise ValidationError(_("This police station is no longer active."), code="station")
    if kind not in SupportKind.values:
        raise ValidationError(_("Choose the reason for the request."), code="kind")
    if start_date < today:
        raise ValidationError(_("The support cannot start in the past."), code="past")
    if (start_date - today).days > MAX_LEAD_DAYS:
        raise ValidationError(_("Support can be requested at most a year ahead."), code="too_far")
    if end_date < start_date:
        raise ValidationError(_("The last day cannot be before the first day."), code="dates")
    if (end_date - start_date).days + 1 > MAX_DAYS:
        raise ValidationError(
            _("One request can cover at most %(days)d days.") % {"days": MAX_DAYS}, code="long"
        )
    if not 1 <= officers_needed <= MAX_OFFICERS:
        raise ValidationError(
            _("Ask for between 1 and %(count)d officers.") % {"count": MAX_OFFICERS},
            code="officers",
        )
    skills = list(skills)
    if not skills:
        raise ValidationError(_("Choose at least one skill needed."), code="skills")
    if any(not s.active for s in skills):
        raise ValidationError(_("This skill is no longer in use."), code="skills")
    _refuse_duplicate(
        station=station,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        officers_needed=officers_needed,
        skills=skills,
        note=note.strip(),
    )
    [request] = bulk_create_with_history(
        [
            SupportRequest(
                station=station,
                requested_by=by,
                kind=kind,
                start_date=start_date,
                end_date=end_date,
                officers_needed=officers_needed,
                note=note.strip(),
                created_at=now,
            )
        ],
        SupportRequest,
        default_user=by,
        default_date=now,
    )
    request.skills.set(skills)
    return request


def _refuse_duplicate(*, station: Station, skills: Sequence[Skill], **fields) -> None:
    """A double submit: the same request of the same station still waiting for officers.
    Serialised by a lock of the station's row, so two submits at once cannot both pass."""
    Station.objects.select_for_update().filter(pk=station.pk).first()
    same = SupportRequest.objects.filter(
        station=station, status=SupportStatus.SUBMITTED, **fields
    ).prefetch_related("skills")
    wanted = {s.pk for s in skills}
    if any({s.pk for s in r.skills.all()} == wanted for r in same):
        raise ValidationError(
            _("This request has already been sent and is waiting for officers."),
            code="duplicate",
        )


def candidates(request: SupportRequest, *, scope: Scope) -> QuerySet:
    """Active officers of the headquarters over the request's station (in ``scope``) with
    at least one needed skill and no cover overlapping its dates, best matches first. One
    query (plus one for their skills when prefetched by the caller)."""
    needed = request.skills.values("pk")
    busy = SupportCover.objects.filter(
        officer=OuterRef("pk"),
        request__status__in=HOLDING_STATUSES,
        start_date__lte=request.end_date,
        end_date__gte=request.start_date,
    )
    return (
        SupportOfficer.objects.active()
        .in_scope(scope)
        .of_bureaus(ancestor_paths(request.station.bureau.path))
        .annotate(matched=Count("skills", filter=Q(skills__in=needed), distinct=True))
        .filter(matched__gte=1)
        .exclude(Exists(busy))
        .select_related("user__bureau")
        .order_by("-matched", "user__bureau__path", "user__last_name", "user__first_name", "pk")
    )


def _require_manager(by: User, station: Station) -> None:
    if not may_manage_station(by, station):
        raise ValidationError(
            _("Only the liaison office in charge of this station can do this."), code="forbidden"
        )


def _locked(request: SupportRequest) -> SupportRequest:
    return (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("station__bureau")
        .get(pk=request.pk)
    )


@transaction.atomic
def assign_officer(
    *, request: SupportRequest, officer: SupportOfficer, by: User, today: dt.date, now: dt.datetime
) -> SupportCover:
    """Assign one officer to the request. Refused, writing nothing, when the officer is not
    available, has none of the skills needed or covers another request on those dates."""
    locked = _locked(request)
    _require_manager(by, locked.station)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Officers can no longer be assigned to this request."), code="status"
        )
    if locked.end_date < today:
        raise ValidationError(_("This request's dates have passed."), code="past")
    covers = locked.covers.count()
    if covers >= locked.officers_needed:
        raise ValidationError(
            _("The request already has the %(count)d officers it asked for.")
            % {"count": locked.officers_needed},
            code="full",
        )
    # Serialise every assignment of this officer: the "free" check below cannot race.
    officer = (
        SupportOfficer.objects.select_for_update(of=("self",))
        .select_related("user__bureau")
        .get(pk=officer.pk)
    )
    name = str(officer.user)
    if SupportCover.objects.filter(request=locked, officer=officer).exists():
        raise ValidationError(
            _("%(name)s is already assigned to this request.") % {"name": name}, code="twice"
        )
    if not officer.active or not officer.user.is_active:
        raise ValidationError(
            _("%(name)s is not available for support.") % {"name": name}, code="inactive"
        )
    chain = ancestor_paths(locked.station.bureau.path)
    if officer.user.bureau is None or officer.user.bureau.path not in chain:
        raise ValidationError(
            _("%(name)s does not belong to a headquarters over this station.") % {"name": name},
            code="bureau",
        )
    if not SupportOfficer.objects.in_scope(scope_of(by)).filter(pk=officer.pk).exists():
        raise ValidationError(
            _("%(name)s is not in your bureau's scope.") % {"name": name}, code="scope"
        )
    if not officer.skills.filter(pk__in=locked.skills.values("pk")).exists():
        raise ValidationError(
            _("%(name)s has none of the skills this request needs.") % {"name": name},
            code="skills",
        )
    clash = (
        SupportCover.objects.filter(
            officer=officer,
            request__status__in=HOLDING_STATUSES,
            start_date__lte=locked.end_date,
            end_date__gte=locked.start_date,
        )
        .select_related("request__station")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _(
                "%(name)s already covers %(station)s from %(start)s to %(end)s, which "
                "overlaps these dates."
            )
            % {
                "name": name,
                "station": clash.request.station.name,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat(),
            },
            code="busy",
        )
    [cover] = bulk_create_with_history(
        [
            SupportCover(
                request=locked,
                officer=officer,
                start_date=locked.start_date,
                end_date=locked.end_date,
                assigned_by=by,
                assigned_at=now,
            )
        ],
        SupportCover,
        default_user=by,
        default_date=now,
    )
    if covers + 1 == locked.officers_needed:
        SupportRequest.objects.filter(pk=locked.pk, status=SupportStatus.SUBMITTED).update(
            status=SupportStatus.ASSIGNED
        )
        _history(SupportRequest, [locked.pk], by, now)
    return cover


@transaction.atomic
def remove_officer(*, cover: SupportCover, by: User, now: dt.datetime) -> None:
    """Take an officer off a request that the station has not confirmed yet."""
    locked = _locked(cover.request)
    _require_manager(by, locked.station)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The station has confirmed the officers; they can no longer be changed."),
            code="status",
        )
    cover = SupportCover.objects.filter(pk=cover.pk, request=locked).first()
    if cover is None:
        raise _stale()
    cover._history_user = by
    cover.delete()
    if SupportRequest.objects.filter(pk=locked.pk, status=SupportStatus.ASSIGNED).update(
        status=SupportStatus.SUBMITTED
    ):
        _history(SupportRequest, [locked.pk], by, now)


def _transition(
    request: SupportRequest, by: User, now: dt.datetime, *, from_statuses, **changes
) -> None:
    changed = SupportRequest.objects.filter(pk=request.pk, status__in=from_statuses).update(
        **changes
    )
    if not changed:
        raise _stale()
    _history(SupportRequest, [request.pk], by, now)


@transaction.atomic
def confirm_request(*, request: SupportRequest, by: User, now: dt.datetime) -> None:
    """The station confirms the officers assigned (all it asked for)."""
    request = _locked(request)
    if not is_station_staff(by, request.station):
        raise ValidationError(
            _("Only the staff of this police station can do this."), code="forbidden"
        )
    if request.status != SupportStatus.ASSIGNED:
        raise ValidationError(
            _("Only a request with all its officers assigned can be confirmed."), code="status"
        )
    _transition(
        request,
        by,
        now,
        from_statuses=[SupportStatus.ASSIGNED],
        status=SupportStatus.CONFIRMED,
        confirmed_by=by,
        confirmed_at=now,
    )


@transaction.atomic
def cancel_request(*, request: SupportRequest, by: User, now: dt.datetime) -> None:
    """The station withdraws its request before confirming it; the officers are free again."""
    request = _locked(request)
    if not is_station_staff(by, request.station):
        raise ValidationError(
            _("Only the staff of this police station can do this."), code="forbidden"
        )
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A confirmed or closed request can no longer be cancelled."), code="status"
        )
    _transition(
        request,
        by,
        now,
        from_statuses=OPEN_STATUSES,
        status=SupportStatus.CANCELLED,
        closed_by=by,
    )


@transaction.atomic
def decline_request(*, request: SupportRequest, by: User, reason: str, now: dt.datetime) -> None:
    """The bureau cannot provide the cover, and says why."""
    request = _locked(request)
    _require_manager(by, request.station)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for declining."), code="reason")
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A confirmed or closed request can no longer be declined."), code="status"
        )
    _transition(
        request,
        by,
        now,
        from_statuses=OPEN_STATUSES,
        status=SupportStatus.DECLINED,
        closed_by=by,
        decline_reason=reason,
    )


@transaction.atomic
def record_cover(
    *,
    cover: SupportCover,
    by: User,
    hours: Decimal,
    incidents: int,
    note: str = "",
    today: dt.date,
    now: dt.datetime,
) -> bool:
    """Record one officer's hours and incidents handled; the request completes when every
    officer's are recorded. Returns whether it completed."""
    locked = _locked(cover.request)
    if not may_record(by, locked.station):
        raise ValidationError(
            _("Only the station or the liaison office in charge of it can record this."),
            code="forbidden",
        )
    if locked.status != SupportStatus.CONFIRMED:
        raise ValidationError(
            _("Hours are recorded once the station has confirmed the officers."), code="status"
        )
    if today < locked.start_date:
        raise ValidationError(
            _("Hours can be recorded from the first day of support, %(day)s.")
            % {"day": locked.start_date.isoformat()},
            code="early",
        )
    limit = MAX_HOURS_PER_DAY * locked.days
    if hours is None or not Decimal(0) < hours <= limit:
        raise ValidationError(
            _("Hours worked must be more than 0 and at most %(limit)d for %(days)d days.")
            % {"limit": limit, "days": locked.days},
            code="hours",
        )
    if incidents is None or incidents < 0:
        raise ValidationError(_("Enter the number of incidents handled."), code="incidents")
    changed = SupportCover.objects.filter(pk=cover.pk, request=locked).update(
        hours=hours,
        incidents=incidents,
        note=note.strip(),
        recorded_by=by,
        recorded_at=now,
    )
    if not changed:
        raise _stale()
    _history(SupportCover, [cover.pk], by, now)
    if locked.covers.filter(recorded_at__isnull=True).exists():
        return False
    SupportRequest.objects.filter(pk=locked.pk, status=SupportStatus.CONFIRMED).update(
        status=SupportStatus.COMPLETED
    )
    _history(SupportRequest, [locked.pk], by, now)
    return True


@transaction.atomic
def save_officer(
    *, user: User, skills: Sequence[Skill], active: bool, by: User, now: dt.datetime
) -> SupportOfficer:
    """Register or update a headquarters officer's skills (bureau staff in scope)."""
    scope = scope_of(by)
    if user.bureau is None or user.role == "station":
        raise ValidationError(
            _("Only officers of a headquarters bureau can give support."), code="bureau"
        )
    if not (
        scope.everything or (scope.bureau_path and path_within(user.bureau.path, scope.bureau_path))
    ):
        raise ValidationError(
            _("%(name)s is not in your bureau's scope.") % {"name": str(user)}, code="scope"
        )
    skills = list(skills)
    if not skills:
        raise ValidationError(_("Choose at least one skill."), code="skills")
    officer, _created = SupportOfficer.objects.update_or_create(
        user=user, defaults={"active": active}
    )
    officer.skills.set(skills)
    return officer
