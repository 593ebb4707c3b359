"""Dynamic points (积分), the ledger that explains them, and the monthly ranking.

Facts live in the lower apps (visits, period records, problems, tasks, results,
evaluations). Everything here is derived from them by one idempotent, set-based recompute
(``scoring.services.ledger``), except that the ledger is append-only: a correction is a
reversing entry, never an edit, so every point can be traced to the fact that earned it.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.models import Cadre


class RuleCode(models.TextChoices):
    """What a rule pays for. The recompute knows how to find the facts of each code."""

    VISIT_IN_PERIOD = "visit_in_period", _("Unannounced visit in a required period")
    MISSED_PERIOD = "missed_period", _("Missed required period")
    PROBLEM_PUBLISHED = "problem_published", _("Problem raised and published")
    TASK_ON_TIME = "task_on_time", _("Task done on time")
    TASK_LATE = "task_late", _("Task done late")
    TASK_OVERDUE_WEEK = "task_overdue_week", _("Task overdue (per week)")
    PROBLEM_CLOSED = "problem_closed", _("Problem closed out")
    RESULT_EXCELLENT = "result_excellent", _("Result rated excellent")
    RESULT_POOR = "result_poor", _("Result rated poor")
    EVALUATION = "evaluation", _("Two-way evaluation by the station")


class PointRule(models.Model):
    """A rule (积分规则) with the points it awards from a date on. Administrators change the
    points by adding a rule with a later ``effective_from``; a fact is scored by the rule in
    effect on the fact's day."""

    code = models.CharField(_("code"), max_length=30, choices=RuleCode.choices)
    description = models.CharField(_("description"), max_length=200)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1)
    # For per-week rules: at most this many weeks count (null = no cap).
    cap = models.PositiveSmallIntegerField(_("cap (times)"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"],
                name="point_rule_one_start_per_code",
                violation_error_message=_("This rule already has a version from that date."),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="point_rule_dates_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.points:+}"


class PointEntry(models.Model):
    """One line of the ledger (积分流水): points for one cadre from one rule for one source
    fact (``source_kind`` + ``source_id``; ``seq`` tells apart repeated awards for the same
    fact, e.g. the weeks a task stays overdue).

    At most one *live* entry per (code, source, seq): the partial unique index below. A
    correction marks the live entry ``reversed`` and appends its negation (``reverses``), then
    the corrected entry. ``booked_month`` is the month the points count in: the fact's month,
    or the current month when the fact's month is already frozen."""

    class SourceKind(models.TextChoices):
        VISIT = "visit", _("Visit")
        PERIOD = "period", _("Period record")
        PROBLEM = "problem", _("Problem")
        TASK = "task", _("Task")
        RESULT = "result", _("Result")
        EVALUATION = "evaluation", _("Evaluation")

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="point_entries"
    )
    rule = models.ForeignKey(
        PointRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="entries"
    )
    code = models.CharField(_("rule code"), max_length=30, choices=RuleCode.choices)
    source_kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    source_id = models.BigIntegerField(_("source id"))
    seq = models.PositiveSmallIntegerField(_("sequence"), default=0)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=1)
    fact_day = models.DateField(_("fact date"))
    booked_month = models.DateField(_("month booked"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
    )
    reversed = models.BooleanField(_("reversed"), default=False)

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["-fact_day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "source_kind", "source_id", "seq"],
                condition=Q(reverses__isnull=True, reversed=False),
                name="point_entry_one_live_per_source",
            ),
            models.CheckConstraint(
                condition=Q(booked_month__day=1), name="point_entry_booked_first_of_month"
            ),
            # A reversal is never itself reversed.
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(reversed=False),
                name="point_entry_reversal_is_final",
            ),
        ]
        indexes = [
            # Monthly totals and rankings: sum of points per cadre in a month.
            models.Index(fields=["booked_month", "cadre"], name="point_entry_month_cadre"),
            # A cadre's own page: their entries, newest first.
            models.Index(fields=["cadre", "-fact_day"], name="point_entry_cadre_day"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.code} {self.points:+}"


class RankingMonth(models.Model):
    """A month whose ranking is frozen (一月一考核、一月一排名): its ranks never change;
    late corrections land in the current month."""

    month = models.DateField(_("month"), unique=True)
    frozen_at = models.DateTimeField(_("frozen at"))

    class Meta:
        verbose_name = _("frozen month")
        verbose_name_plural = _("frozen months")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="ranking_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlyRank(models.Model):
    """One cadre's frozen points and ranks for one month. Ties share a rank (1, 1, 3)."""

    ranking = models.ForeignKey(
        RankingMonth, verbose_name=_("month"), on_delete=models.PROTECT, related_name="ranks"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="monthly_ranks"
    )
    tier = models.CharField(_("tier"), max_length=10)
    # Where the cadre's station was at freeze time, for rankings by city and county.
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=1)
    rank_in_tier = models.PositiveIntegerField(_("rank in tier"))
    rank_overall = models.PositiveIntegerField(_("rank overall"))

    class Meta:
        verbose_name = _("monthly rank")
        verbose_name_plural = _("monthly ranks")
        ordering = ["ranking", "rank_overall", "cadre_id"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "cadre"], name="one_rank_per_cadre_month"),
        ]
        indexes = [
            # Ranking pages: a month's ranks within a tier, in order.
            models.Index(fields=["ranking", "tier", "rank_in_tier"], name="rank_month_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.ranking} {self.cadre_id} #{self.rank_overall}"


# Assessment reports (issued PDFs and background jobs) and the two-way evaluation live in
# their own packages.
from scoring.evaluations.models import (  # noqa: E402, F401
    Evaluation,
    EvaluationDimension,
    EvaluationScore,
)
from scoring.reports.models import IssuedReport, ReportJob  # noqa: E402, F401
