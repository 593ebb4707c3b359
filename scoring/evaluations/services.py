"""Submitting a two-way evaluation: validated first, written all-or-nothing, final."""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import Assignment, Role, User
from scoring import rules
from scoring.evaluations.models import (
    COMMENT_MAX_LENGTH,
    MAX_SCORE,
    MIN_SCORE,
    Direction,
    Evaluation,
    EvaluationDimension,
    EvaluationScore,
)


def direction_of(user: User, assignment: Assignment) -> str | None:
    """The direction in which ``user`` may rate ``assignment``: its station's staff rate the
    cadre, the cadre rates the station; anybody else, None."""
    if user.role == Role.STATION and user.station_id == assignment.station_id:
        return Direction.OF_CADRE
    if user.role == Role.CADRE and assignment.cadre.user_id == user.pk:
        return Direction.OF_STATION
    return None


def covers_quarter(assignment: Assignment, *, today: dt.date) -> bool:
    """The assignment was active on some day of the current quarter up to today."""
    quarter = rules.quarter_start(today)
    return assignment.start_date <= today and (
        assignment.end_date is None or assignment.end_date >= quarter
    )


def already_submitted(*, assignment: Assignment, direction: str, rater: User, today: dt.date):
    return Evaluation.objects.filter(
        assignment=assignment,
        quarter=rules.quarter_start(today),
        direction=direction,
        rater=rater,
    ).exists()


def _already() -> ValidationError:
    return ValidationError(
        _("You have already evaluated this quarter. A submitted evaluation cannot be changed."),
        code="already_submitted",
    )


def _check_scores(dimensions: list[EvaluationDimension], scores: Mapping[int, int]) -> None:
    wanted = {d.pk for d in dimensions}
    if set(scores) - wanted:
        raise ValidationError(
            _("The form has changed since you opened it: reload the page and rate again."),
            code="unknown_dimension",
        )
    missing = [d.name for d in dimensions if d.pk not in scores]
    if missing:
        raise ValidationError(
            _("Give every item a score from 1 to 5; missing: %(items)s.")
            % {"items": "、".join(missing)},
            code="missing_score",
        )
    for score in scores.values():
        if not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ValidationError(
                _("A score is a whole number from 1 to 5."), code="score_out_of_range"
            )


@transaction.atomic
def submit_evaluation(
    *,
    assignment: Assignment,
    rater: User,
    scores: Mapping[int, int],
    comment: str = "",
    now: dt.datetime,
) -> Evaluation:
    """Record ``rater``'s evaluation of the current quarter: a score (1–5) for each active
    dimension of the direction ``rater`` rates in, and an optional comment. Raises
    ValidationError, writing nothing, for anything wrong, including a second submission."""
    today = timezone.localdate(now)
    direction = direction_of(rater, assignment)
    if direction is None:
        raise ValidationError(
            _("Only the station's own staff and its cadre may evaluate."), code="not_a_rater"
        )
    if not covers_quarter(assignment, today=today):
        raise ValidationError(
            _("This assignment does not cover the current quarter."), code="not_this_quarter"
        )
    dimensions = list(EvaluationDimension.objects.filter(direction=direction, active=True))
    if not dimensions:
        raise ValidationError(
            _("No evaluation items are set up yet: ask the administrator."), code="no_dimensions"
        )
    _check_scores(dimensions, scores)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("The comment may have at most %(count)d characters.") % {"count": COMMENT_MAX_LENGTH},
            code="comment_too_long",
        )
    if already_submitted(assignment=assignment, direction=direction, rater=rater, today=today):
        raise _already()
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                assignment=assignment,
                quarter=rules.quarter_start(today),
                direction=direction,
                rater=rater,
                comment=comment,
                submitted_at=now,
                submitted_on=today,
            )
    except IntegrityError:
        # A second submission that raced the first past the check above.
        raise _already() from None
    EvaluationScore.objects.bulk_create(
        EvaluationScore(evaluation=evaluation, dimension=d, score=scores[d.pk]) for d in dimensions
    )
    return evaluation
