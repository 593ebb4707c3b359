"""Write services of the checklists app."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklists import photos as photo_rules
from checklists.models import Problem, ProblemCategory
from liaison.models import Assignment, User, Visit, VisitPhoto
from liaison.services.visits import Location, record_visit

MAX_PROBLEMS_PER_VISIT = 5


@dataclass(frozen=True)
class ProblemDraft:
    category: ProblemCategory
    description: str


def _check_problems(problems: list[ProblemDraft]) -> list[ProblemDraft]:
    problems = [p for p in problems if p.description.strip()]
    if len(problems) > MAX_PROBLEMS_PER_VISIT:
        raise ValidationError(
            _("At most %(count)d problems can be raised with one visit.")
            % {"count": MAX_PROBLEMS_PER_VISIT},
            code="too_many_problems",
        )
    if any(not p.category.active for p in problems):
        raise ValidationError(_("This problem category is no longer in use."), code="category")
    return problems


def _check_photos(photos: list) -> list[photo_rules.PhotoInfo]:
    if len(photos) > photo_rules.MAX_PHOTOS:
        raise ValidationError(
            _("At most %(count)d photos can be attached to one visit.")
            % {"count": photo_rules.MAX_PHOTOS},
            code="too_many_photos",
        )
    return [photo_rules.inspect_photo(upload) for upload in photos]


@transaction.atomic
def log_visit_with_problems(
    *,
    assignment: Assignment,
    by: User,
    visited_at: dt.datetime,
    attestation: dict[str, bool],
    inspected: list[dict] = (),
    activities: list[dict] = (),
    findings: str = "",
    location: Location | None = None,
    problems: list[ProblemDraft] = (),
    photos: list = (),
    now: dt.datetime,
) -> Visit:
    """Log a visit with the problems raised on the spot (as drafts) and its photos.

    All or nothing: any ValidationError leaves no visit, problem, photo row or file behind.
    """
    problems = _check_problems(list(problems))
    infos = _check_photos(list(photos))
    visit = record_visit(
        assignment=assignment,
        by=by,
        visited_at=visited_at,
        attestation=attestation,
        inspected=inspected,
        activities=activities,
        findings=findings,
        location=location,
        now=now,
    )
    if problems:
        bulk_create_with_history(
            [
                Problem(
                    station_id=assignment.station_id,
                    category=p.category,
                    description=p.description.strip(),
                    source_visit=visit,
                    raised_by=by,
                    created_at=now,
                )
                for p in problems
            ],
            Problem,
            default_user=by,
            default_date=now,
        )
    if infos:
        _store_photos(visit, photos, infos, now)
    return visit


def _store_photos(visit: Visit, uploads: list, infos: list, now: dt.datetime) -> None:
    """Write the original files and their rows; if anything fails, the files already
    written are removed and the error rolls the whole visit back."""
    photo_rules.store_uploads(
        VisitPhoto,
        (
            (
                VisitPhoto(
                    visit=visit,
                    content_type=info.content_type,
                    size=info.size,
                    width=info.width,
                    height=info.height,
                    gps_latitude=info.gps_latitude,
                    gps_longitude=info.gps_longitude,
                    uploaded_at=now,
                ),
                upload,
                info.extension,
            )
            for upload, info in zip(uploads, infos, strict=True)
        ),
        field="image",
    )
