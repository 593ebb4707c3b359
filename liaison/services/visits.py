"""Recording and editing visits; keeping the assignment's current period up to date."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import rules
from liaison.models import Assignment, PeriodEvent, PeriodRecord, PeriodStatus, User, Visit
from liaison.models.visits import ATTESTATIONS
from liaison.periods import period_containing


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    accuracy_m: int | None = None


def _check_time(visited_at: dt.datetime, now: dt.datetime) -> None:
    error = rules.visit_time_error(
        visited_at=visited_at, now=now, backdate_days=settings.LIAISON_BACKDATE_DAYS
    )
    if error == "future":
        raise ValidationError(_("A visit cannot be in the future."), code="future")
    if error == "too_old":
        raise ValidationError(
            _("A visit can be logged at most %(days)d days after it took place.")
            % {"days": settings.LIAISON_BACKDATE_DAYS},
            code="too_old",
        )


def _location_fields(station, location: Location | None) -> dict:
    if location is None:
        return {
            "latitude": None,
            "longitude": None,
            "accuracy_m": None,
            "distance_m": None,
            "far_from_station": False,
        }
    fields = {
        "latitude": round(location.latitude, 6),
        "longitude": round(location.longitude, 6),
        "accuracy_m": location.accuracy_m,
        "distance_m": None,
        "far_from_station": False,
    }
    if station.latitude is not None:
        distance = rules.distance_m(
            location.latitude, location.longitude, float(station.latitude), float(station.longitude)
        )
        fields["distance_m"] = distance
        fields["far_from_station"] = rules.is_far_from_station(
            distance=distance, accuracy=location.accuracy_m
        )
    return fields


@transaction.atomic
def record_visit(
    *,
    assignment: Assignment,
    by: User,
    visited_at: dt.datetime,
    attestation: dict[str, bool],
    inspected: list[dict] = (),
    activities: list[dict] = (),
    findings: str = "",
    location: Location | None = None,
    now: dt.datetime,
) -> Visit:
    """Log a visit by the assignment's own cadre to the assignment's station."""
    if assignment.cadre.user_id != by.pk:
        raise ValidationError(_("Only the station's own cadre can log a visit."), code="not_cadre")
    visited_on = timezone.localdate(visited_at)
    if visited_on < assignment.start_date or (
        assignment.end_date is not None and visited_on > assignment.end_date
    ):
        raise ValidationError(
            _("The visit date lies outside your assignment to this station."), code="outside"
        )
    _check_time(visited_at, now)
    flags = {name: bool(attestation.get(name)) for name in ATTESTATIONS}
    visit = Visit.objects.create(
        assignment=assignment,
        cadre_id=assignment.cadre_id,
        station_id=assignment.station_id,
        visited_at=visited_at,
        visited_on=visited_on,
        logged_at=now,
        logged_by=by,
        unannounced=all(flags.values()),
        inspected=list(inspected),
        activities=list(activities),
        findings=findings.strip(),
        **flags,
        **_location_fields(assignment.station, location),
    )
    refresh_assignment_periods(assignment=assignment, days=[visited_on], now=now)
    return visit


@transaction.atomic
def edit_visit(
    *,
    visit: Visit,
    by: User,
    visited_at: dt.datetime,
    attestation: dict[str, bool],
    inspected: list[dict] = (),
    activities: list[dict] = (),
    findings: str = "",
    now: dt.datetime,
) -> Visit:
    """Change a visit within 24 hours of logging it; every change is kept in its history."""
    locked = Visit.objects.select_for_update().select_related("assignment").get(pk=visit.pk)
    if locked.logged_by_id != by.pk:
        raise ValidationError(_("Only the cadre who logged a visit can change it."), code="owner")
    if not rules.can_edit_visit(logged_at=locked.logged_at, now=now):
        raise ValidationError(
            _("A visit can only be changed within 24 hours of logging it."), code="locked"
        )
    # The back-dating window counts from when the visit was first logged.
    _check_time(visited_at, locked.logged_at)
    old_day = locked.visited_on
    flags = {name: bool(attestation.get(name)) for name in ATTESTATIONS}
    for name, value in flags.items():
        setattr(locked, name, value)
    locked.unannounced = all(flags.values())
    locked.visited_at = visited_at
    locked.visited_on = timezone.localdate(visited_at)
    assignment = locked.assignment
    if locked.visited_on < assignment.start_date or (
        assignment.end_date is not None and locked.visited_on > assignment.end_date
    ):
        raise ValidationError(
            _("The visit date lies outside your assignment to this station."), code="outside"
        )
    locked.inspected = list(inspected)
    locked.activities = list(activities)
    locked.findings = findings.strip()
    locked.save()
    refresh_assignment_periods(assignment=assignment, days=[old_day, locked.visited_on], now=now)
    return locked


def _unannounced_in(start: dt.date, end: dt.date, *, logged_before=None):
    visits = Visit.objects.filter(
        assignment=OuterRef("assignment_id"),
        unannounced=True,
        visited_on__gte=start,
        visited_on__lte=end,
    )
    if logged_before is not None:
        visits = visits.filter(logged_at__lt=logged_before)
    return Exists(visits)


def refresh_assignment_periods(*, assignment: Assignment, days: list[dt.date], now) -> None:
    """After a visit changed: recompute the current period's flag and the records of the
    periods containing ``days`` (a late visit cures a missed period; an edit can undo it)."""
    tier = assignment.cadre.tier
    if assignment.period_start is not None:
        met = Visit.objects.filter(
            assignment=assignment,
            unannounced=True,
            visited_on__gte=assignment.period_start,
            visited_on__lte=assignment.period_end,
        ).exists()
        Assignment.objects.filter(pk=assignment.pk).update(period_met=met)
    for day in set(days):
        start, end = period_containing(tier, day)
        records = PeriodRecord.objects.filter(assignment=assignment, period_start=start)
        cured = records.filter(status=PeriodStatus.MISSED).filter(_unannounced_in(start, end))
        cured_ids = list(cured.values_list("pk", flat=True))
        if cured_ids:
            PeriodRecord.objects.filter(pk__in=cured_ids).update(
                status=PeriodStatus.MET, cured_at=now
            )
            PeriodEvent.objects.bulk_create(
                [
                    PeriodEvent(record_id=pk, kind=PeriodEvent.Kind.CURED, at=now)
                    for pk in cured_ids
                ],
                ignore_conflicts=True,
            )
        # An edit that removed the only unannounced visit turns the period back to missed.
        records.filter(status=PeriodStatus.MET).exclude(_unannounced_in(start, end)).update(
            status=PeriodStatus.MISSED, met_on_time=False, cured_at=None
        )
