"""The opinion list (意见清单): station staff raise issues, possibly anonymously; bureau staff
in scope accept one as a draft problem on the three lists (through ``lists.raise_problem``,
raised by the reviewer) or dismiss it with a reason.

Anonymity: an anonymous opinion stores no submitter, and its historical rows name no user
(``Opinion.history`` uses a user getter that returns None for anonymous rows; the services
pass no default user either). The problem it becomes is raised by the reviewer.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklists.models import Opinion, OpinionStatus, Problem, ProblemCategory
from checklists.permissions import may_manage_station
from checklists.services.lists import raise_problem
from checklists.services.support import is_station_staff
from liaison.models import User
from stations.models import Station

MAX_LENGTH = 2000
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _history_user(opinion: Opinion, by: User) -> User | None:
    return None if opinion.anonymous else by


@transaction.atomic
def submit_opinion(
    *,
    station: Station,
    by: User,
    category: ProblemCategory,
    text: str,
    anonymous: bool,
    now: dt.datetime,
) -> Opinion:
    """An opinion from the staff of ``station``; when ``anonymous`` nobody is recorded."""
    if not is_station_staff(by, station):
        raise ValidationError(
            _("Only the staff of this police station can add to its opinion list."),
            code="forbidden",
        )
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the opinion."), code="text")
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            _("An opinion can be at most %(count)d characters long.") % {"count": MAX_LENGTH},
            code="long",
        )
    if not category.active:
        raise ValidationError(_("This problem category is no longer in use."), code="category")
    # A double submit: the same text at the same station, still awaiting review. Serialised
    # by a lock of the station's row (nothing about the submitter is looked at).
    Station.objects.select_for_update().filter(pk=station.pk).first()
    if Opinion.objects.filter(station=station, text=text, status=OpinionStatus.SUBMITTED).exists():
        raise ValidationError(
            _("This opinion is already on the list and awaiting review."), code="duplicate"
        )
    opinion = Opinion(
        station=station,
        category=category,
        text=text,
        anonymous=anonymous,
        submitted_by=None if anonymous else by,
        submitted_at=now,
    )
    # Set explicitly so that no request user is picked up for an anonymous opinion.
    opinion._history_user = _history_user(opinion, by)
    [opinion] = bulk_create_with_history(
        [opinion], Opinion, default_user=_history_user(opinion, by), default_date=now
    )
    return opinion


def problem_description(opinion: Opinion) -> str:
    """The problem's description says where it came from (the problem page shows it)."""
    day = opinion.submitted_at.astimezone(SHANGHAI).date().isoformat()
    return _("From the opinion list of %(day)s: %(text)s") % {"day": day, "text": opinion.text}


def _review(opinion: Opinion, by: User, now: dt.datetime, **changes) -> None:
    changed = Opinion.objects.filter(pk=opinion.pk, status=OpinionStatus.SUBMITTED).update(
        reviewed_by=by, reviewed_at=now, **changes
    )
    if not changed:
        raise ValidationError(
            _("This opinion has already been reviewed. Here is its current state."),
            code="stale",
        )
    rows = list(Opinion.objects.filter(pk=opinion.pk))
    for row in rows:
        row._history_user = _history_user(row, by)
    Opinion.history.bulk_history_create(rows, update=True, default_date=now)


def _require_manager(by: User, opinion: Opinion) -> None:
    if not may_manage_station(by, opinion.station):
        raise ValidationError(
            _("Only the liaison office in charge of this station can do this."), code="forbidden"
        )


@transaction.atomic
def accept_opinion(
    *,
    opinion: Opinion,
    by: User,
    category: ProblemCategory | None = None,
    now: dt.datetime,
) -> Problem:
    """The opinion becomes a draft problem on the three lists, linked back to it."""
    locked = (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("station__bureau", "category")
        .get(pk=opinion.pk)
    )
    _require_manager(by, locked)
    if locked.status != OpinionStatus.SUBMITTED:
        raise ValidationError(
            _("This opinion has already been reviewed. Here is its current state."),
            code="stale",
        )
    problem = raise_problem(
        station=locked.station,
        category=category or locked.category,
        description=problem_description(locked),
        by=by,
        now=now,
    )
    _review(locked, by, now, status=OpinionStatus.ACCEPTED, problem=problem)
    return problem


@transaction.atomic
def dismiss_opinion(*, opinion: Opinion, by: User, reason: str, now: dt.datetime) -> None:
    _require_manager(by, opinion)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for dismissing the opinion."), code="reason")
    _review(opinion, by, now, status=OpinionStatus.DISMISSED, dismiss_reason=reason)
