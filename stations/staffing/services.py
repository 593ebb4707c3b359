"""Recording a bureau's staffing figures."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from stations.models import Bureau, StaffingReturn
from stations.staffing.rules import figure_errors
from stations.staffing.selectors import records_figures


def date_errors(as_of: dt.date, *, today: dt.date) -> list[str]:
    if as_of > today:
        return [_("The date cannot be in the future.")]
    return []


@transaction.atomic
def record_figures(
    *,
    bureau: Bureau,
    as_of: dt.date,
    police_total: int,
    station_police: int,
    community_police: int,
    by,
    now: dt.datetime,
    today: dt.date,
) -> tuple[StaffingReturn, bool]:
    """Store the bureau's figures as of ``as_of``: a new dated row, or a correction of that
    date's row (kept in its history). Returns the row and whether it was created. Raises
    ValidationError (field → messages) and writes nothing when a figure cannot be right."""
    errors: dict[str, list[str]] = {}
    if not records_figures(bureau):
        errors["__all__"] = [not_a_recording_bureau(bureau.name)]
    if as_of_errors := date_errors(as_of, today=today):
        errors["as_of"] = as_of_errors
    for field, message in figure_errors(police_total, station_police, community_police).items():
        errors[field] = [message]
    if errors:
        raise ValidationError(errors)
    figures = {
        "police_total": police_total,
        "station_police": station_police,
        "community_police": community_police,
    }
    row = StaffingReturn.objects.select_for_update().filter(bureau=bureau, as_of=as_of).first()
    created = row is None
    if created:
        row = StaffingReturn(bureau=bureau, as_of=as_of)
    elif all(getattr(row, k) == v for k, v in figures.items()):
        return row, False  # unchanged: no history row, the recorder stays
    for field, value in {**figures, "recorded_by": by, "recorded_at": now}.items():
        setattr(row, field, value)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:  # the same date recorded at the same moment by someone else
        raise ValidationError(
            {"as_of": [_("Figures for this date were just recorded by someone else: reload.")]}
        ) from exc
    return row, created


def not_a_recording_bureau(name: str) -> str:
    return _(
        "%(bureau)s records no staffing figures of its own: its figures are the sum of its "
        "county-level bureaus."
    ) % {"bureau": name}
