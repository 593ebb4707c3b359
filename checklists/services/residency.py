"""A leader's residency at a station (领导驻所) and its daily log of the "ten ones" (十个一),
ticked from the same checklist template as visits and stored as label snapshots.

Bureau staff in scope register a residency for a leader of a headquarters over the station;
the leader (or bureau staff in scope) logs each day, once per day (a second log of the same
day replaces the first).
"""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklists.models import ChecklistItem, Residency, ResidencyLog, TemplateCode
from checklists.permissions import may_manage_station
from liaison.models import User
from stations.models import Station
from stations.scope import ancestor_paths

MAX_DAYS = 90


def ten_ones_items() -> list[tuple[str, str]]:
    """(code, label) of the active ten-ones items, in order (as the visit form offers)."""
    return list(
        ChecklistItem.objects.active()
        .of_template(TemplateCode.TEN_ONES)
        .values_list("code", "label")
    )


def may_log(user, residency: Residency) -> bool:
    return (
        user.is_authenticated and user.is_active and user.pk == residency.leader_id
    ) or may_manage_station(user, residency.station)


@transaction.atomic
def start_residency(
    *,
    station: Station,
    leader: User,
    start_date: dt.date,
    end_date: dt.date,
    by: User,
    now: dt.datetime,
) -> Residency:
    if not may_manage_station(by, station):
        raise ValidationError(
            _("Only the liaison office in charge of this station can do this."), code="forbidden"
        )
    if leader.role not in ("leader", "bureau", "cadre") or leader.bureau is None:
        raise ValidationError(
            _("Only a leader of a headquarters bureau can reside at a station."), code="leader"
        )
    if leader.bureau.path not in ancestor_paths(station.bureau.path):
        raise ValidationError(
            _("%(name)s does not belong to a headquarters over this station.")
            % {"name": str(leader)},
            code="bureau",
        )
    if end_date < start_date:
        raise ValidationError(_("The last day cannot be before the first day."), code="dates")
    if (end_date - start_date).days + 1 > MAX_DAYS:
        raise ValidationError(
            _("One residency can last at most %(days)d days.") % {"days": MAX_DAYS}, code="long"
        )
    # A leader resides at one station at a time. Serialised by a lock of the leader's row, so
    # a double submit or two offices at once cannot both pass the check.
    User.objects.select_for_update().filter(pk=leader.pk).first()
    clash = (
        Residency.objects.filter(leader=leader, start_date__lte=end_date, end_date__gte=start_date)
        .select_related("station")
        .order_by("start_date", "pk")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _(
                "%(name)s already resides at %(station)s from %(start)s to %(end)s, which "
                "overlaps these dates."
            )
            % {
                "name": str(leader),
                "station": clash.station.name,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat(),
            },
            code="overlap",
        )
    [residency] = bulk_create_with_history(
        [
            Residency(
                station=station,
                leader=leader,
                start_date=start_date,
                end_date=end_date,
                created_by=by,
                created_at=now,
            )
        ],
        Residency,
        default_user=by,
        default_date=now,
    )
    return residency


@transaction.atomic
def log_residency_day(
    *,
    residency: Residency,
    by: User,
    day: dt.date,
    activities: Sequence[str],
    note: str = "",
    today: dt.date,
    now: dt.datetime,
) -> ResidencyLog:
    """The day's ten ones (codes of active items), stored as label snapshots."""
    if not may_log(by, residency):
        raise ValidationError(
            _("Only the resident leader or the liaison office can log this residency."),
            code="forbidden",
        )
    if day > today:
        raise ValidationError(_("A day in the future cannot be logged."), code="future")
    if not residency.start_date <= day <= residency.end_date:
        raise ValidationError(
            _("The day must fall within the residency, %(start)s to %(end)s.")
            % {"start": residency.start_date.isoformat(), "end": residency.end_date.isoformat()},
            code="outside",
        )
    items = ten_ones_items()
    known = {code for code, _label in items}
    chosen = set(activities)
    if not chosen:
        raise ValidationError(_("Tick at least one of the ten ones."), code="empty")
    if chosen - known:
        raise ValidationError(
            _("This checklist item is no longer in use: reload the page."), code="item"
        )
    snapshot = [{"code": code, "label": label} for code, label in items if code in chosen]
    ResidencyLog.objects.bulk_create(
        [
            ResidencyLog(
                residency=residency,
                day=day,
                activities=snapshot,
                note=note.strip(),
                logged_by=by,
                logged_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["residency", "day"],
        update_fields=["activities", "note", "logged_by", "logged_at"],
    )
    log = ResidencyLog.objects.get(residency=residency, day=day)
    ResidencyLog.history.bulk_history_create([log], default_user=by, default_date=now)
    return log
