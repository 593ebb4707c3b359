"""Two-way evaluation (双向评议): the dimensions rated, one evaluation per rater and quarter,
and its scores. Imported by ``scoring.models`` so that Django registers them in the scoring
app. Decisions are in the package docstring."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.models import Assignment

MIN_SCORE = 1
MAX_SCORE = 5
COMMENT_MAX_LENGTH = 500
QUARTER_MONTHS = (1, 4, 7, 10)


class Direction(models.TextChoices):
    """Who rates whom."""

    OF_CADRE = "of_cadre", _("Station rates its cadre")
    OF_STATION = "of_station", _("Cadre rates the station")


class EvaluationDimension(models.Model):
    """What is rated (评议项目), per direction. Reference data that administrators edit: a
    dimension no longer wanted is made inactive (its past scores stay), never deleted."""

    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation dimension")
        verbose_name_plural = _("evaluation dimensions")
        ordering = ["direction", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "name"],
                name="evaluation_dimension_unique_name",
                violation_error_message=_("This direction already has a dimension of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """One rater's evaluation of one quarter (``quarter`` is its first day) in one direction:
    station staff rating the assignment's cadre, or the cadre rating the station. Final once
    submitted (no edits, no history)."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    quarter = models.DateField(_("quarter"))
    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rater"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    # The local (Asia/Shanghai) day of ``submitted_at``: what the quarter check compares.
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-quarter", "assignment_id", "direction", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "quarter", "direction", "rater"],
                name="evaluation_once_per_rater_quarter",
                violation_error_message=_("You have already evaluated this quarter."),
            ),
            models.UniqueConstraint(
                fields=["assignment", "quarter"],
                condition=Q(direction=Direction.OF_STATION),
                name="evaluation_of_station_once_per_quarter",
                violation_error_message=_("The station has already been evaluated this quarter."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__day=1, quarter__month__in=QUARTER_MONTHS),
                name="evaluation_quarter_first_day",
            ),
            models.CheckConstraint(
                condition=Q(quarter__lte=F("submitted_on")),
                name="evaluation_quarter_has_started",
                violation_error_message=_("That quarter has not started yet."),
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="evaluation_direction_valid"
            ),
        ]
        indexes = [
            # (The aggregates of one assignment's quarter use the first unique constraint.)
            # The recompute: evaluations of the cadres by quarter.
            models.Index(fields=["direction", "quarter"], name="evaluation_direction_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.quarter:%Y-%m} {self.direction}"


class EvaluationScore(models.Model):
    """One dimension's score (1–5) in an evaluation."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.ForeignKey(
        EvaluationDimension,
        verbose_name=_("dimension"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    score = models.PositiveSmallIntegerField(_("score (1–5)"))

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        ordering = ["evaluation_id", "dimension__position", "dimension_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "dimension"], name="evaluation_score_once_per_dimension"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE),
                name="evaluation_score_between_1_and_5",
                violation_error_message=_("A score is a whole number from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}: {self.score}"
