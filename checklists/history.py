"""A visit's change history for display: who changed what, when (django-simple-history)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.models import Visit

# Fields a person can change; the rest is derived (visited_on) or fixed at logging time.
SHOWN_FIELDS = (
    "visited_at",
    "no_notice",
    "no_greeting",
    "no_report",
    "no_escort",
    "straight_to_grassroots",
    "straight_to_scene",
    "unannounced",
    "inspected",
    "activities",
    "findings",
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    user: object
    created: bool
    changes: list[FieldChange]


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(item.get("label", item.get("code", ""))) for item in value)
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return str(value)


def visit_history(records) -> list[HistoryEntry]:
    """``records``: the visit's historical rows, oldest first, with ``history_user``
    selected. Diffs are computed in memory (no queries)."""
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, included_fields=SHOWN_FIELDS)
            changes = [
                FieldChange(
                    label=str(Visit._meta.get_field(change.field).verbose_name),
                    old=_shown(change.old),
                    new=_shown(change.new),
                )
                for change in sorted(delta.changes, key=lambda c: SHOWN_FIELDS.index(c.field))
            ]
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=record.history_user,
                created=record.history_type == "+",
                changes=changes,
            )
        )
        previous = record
    return entries
