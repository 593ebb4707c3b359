"""Station standards (五有): recording a five-haves audit, and turning an unmet item into a
draft problem on the three lists (through ``lists.raise_problem``, like any raised problem).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklists import photos as photo_rules
from checklists.models import (
    AuditPhoto,
    AuditResult,
    ChecklistItem,
    Problem,
    ProblemCategory,
    StationAudit,
    TemplateCode,
)
from checklists.permissions import may_audit_station, may_manage_station
from checklists.services.lists import raise_problem
from liaison.models import User
from stations.models import Station

# The category a problem from an unmet five-haves item gets unless bureau staff choose one.
DEFAULT_CATEGORY = "equipment"  # 装备保障


@dataclass(frozen=True)
class ItemCheck:
    """One item as the auditor found it."""

    item: ChecklistItem
    met: bool
    note: str = ""
    photos: Sequence = field(default=())


def five_haves_items():
    """The active items of the five-haves template, in order."""
    return ChecklistItem.objects.active().of_template(TemplateCode.FIVE_HAVES)


def _check_items(checks: list[ItemCheck]) -> list[list[photo_rules.PhotoInfo]]:
    wanted = set(five_haves_items().values_list("pk", flat=True))
    given = [c.item.pk for c in checks]
    if len(given) != len(set(given)) or set(given) != wanted:
        raise ValidationError(
            _("Mark every item of the five haves as met or not met."), code="items"
        )
    infos = []
    for check in checks:
        if len(check.photos) > photo_rules.MAX_PHOTOS:
            raise ValidationError(
                _("At most %(count)d photos can be attached to one item.")
                % {"count": photo_rules.MAX_PHOTOS},
                code="too_many_photos",
            )
        infos.append([photo_rules.inspect_photo(upload) for upload in check.photos])
    return infos


def _store_photos(pairs: list[tuple[AuditResult, object, photo_rules.PhotoInfo]], now) -> None:
    """Write the original files under random names, then their rows in one statement; on
    failure remove what was written (the transaction rolls the audit back)."""
    photo_rules.store_uploads(
        AuditPhoto,
        (
            (
                AuditPhoto(
                    result=result,
                    content_type=info.content_type,
                    size=info.size,
                    width=info.width,
                    height=info.height,
                    uploaded_at=now,
                ),
                upload,
                info.extension,
            )
            for result, upload, info in pairs
        ),
        field="image",
    )


def refresh_latest(station_ids: Sequence[int]) -> None:
    """Mark each station's latest audit (by day, then id): two set-based updates."""
    StationAudit.objects.filter(station_id__in=station_ids, is_latest=True).update(is_latest=False)
    latest = (
        StationAudit.objects.filter(station_id__in=station_ids)
        .order_by("station_id", "-audited_on", "-pk")
        .distinct("station_id")
        .values("pk")
    )
    StationAudit.objects.filter(pk__in=latest).update(is_latest=True)


@transaction.atomic
def record_audit(
    *,
    station: Station,
    by: User,
    audited_on: dt.date,
    checks: Sequence[ItemCheck],
    note: str = "",
    today: dt.date,
    now: dt.datetime,
) -> StationAudit:
    """A five-haves audit with one result per active item and its photos. All or nothing."""
    if not may_audit_station(by, station):
        raise ValidationError(_("You may not audit this police station."), code="forbidden")
    if not station.active:
        raise ValidationError(_("This police station is no longer active."), code="station")
    if audited_on > today:
        raise ValidationError(_("The audit date cannot be in the future."), code="future")
    checks = list(checks)
    infos = _check_items(checks)
    # Serialise audits of one station: its latest audit is decided under this lock.
    Station.objects.select_for_update().filter(pk=station.pk).get()
    [audit] = bulk_create_with_history(
        [
            StationAudit(
                station=station,
                audited_on=audited_on,
                auditor=by,
                note=note.strip(),
                created_at=now,
                unmet_count=sum(1 for c in checks if not c.met),
            )
        ],
        StationAudit,
        default_user=by,
        default_date=now,
    )
    results = bulk_create_with_history(
        [
            AuditResult(
                audit=audit,
                item=c.item,
                label=c.item.label,
                order=c.item.order,
                met=c.met,
                note=c.note.strip(),
            )
            for c in checks
        ],
        AuditResult,
        default_user=by,
        default_date=now,
    )
    by_item = {r.item_id: r for r in results}
    pairs = [
        (by_item[c.item.pk], upload, info)
        for c, item_infos in zip(checks, infos, strict=True)
        for upload, info in zip(c.photos, item_infos, strict=True)
    ]
    if pairs:
        _store_photos(pairs, now)
    refresh_latest([station.pk])
    audit.refresh_from_db(fields=["is_latest"])
    return audit


def problem_description(result: AuditResult, audited_on: dt.date) -> str:
    values = {"day": audited_on.isoformat(), "item": result.label, "note": result.note}
    if result.note:
        return _("Five-haves audit of %(day)s: “%(item)s” is not met. %(note)s") % values
    return _("Five-haves audit of %(day)s: “%(item)s” is not met.") % values


def default_category() -> ProblemCategory | None:
    return (
        ProblemCategory.objects.active().filter(code=DEFAULT_CATEGORY).first()
        or ProblemCategory.objects.active().first()
    )


@transaction.atomic
def raise_problem_from_audit(
    *,
    result: AuditResult,
    by: User,
    category: ProblemCategory | None = None,
    now: dt.datetime,
) -> tuple[Problem, bool]:
    """Turn an unmet item into a draft problem linked back to it. Idempotent: an item that
    already has its problem returns it (created False)."""
    locked = (
        AuditResult.objects.select_for_update(of=("self",))
        .select_related("audit__station__bureau", "problem")
        .get(pk=result.pk)
    )
    station = locked.audit.station
    if not may_manage_station(by, station):
        raise ValidationError(
            _("Only the liaison office in charge of this station can do this."), code="forbidden"
        )
    if locked.met:
        raise ValidationError(_("Only an item that is not met can become a problem."), code="met")
    if locked.problem_id:
        return locked.problem, False
    category = category or default_category()
    if category is None:
        raise ValidationError(_("This problem category is no longer in use."), code="category")
    problem = raise_problem(
        station=station,
        category=category,
        description=problem_description(locked, locked.audit.audited_on),
        by=by,
        now=now,
    )
    AuditResult.objects.filter(pk=locked.pk, problem__isnull=True).update(problem=problem)
    AuditResult.history.bulk_history_create(
        list(AuditResult.objects.filter(pk=locked.pk)),
        update=True,
        default_user=by,
        default_date=now,
    )
    return problem, True
