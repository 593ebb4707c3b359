"""The three lists (问题清单、任务清单、效果清单) and their dynamic close-out (动态销号).

Facts: problems, tasks, results, evidence. Derived: the overdue flags (``overdue_since``),
set by the daily sweep; events are its history and the outbox for reminders.

Every transition is a conditional update in ``checklists.services.lists`` (``filter(pk=..,
status=.., version=..).update(...)``): two people acting on the same row at once never
overwrite each other. ``version`` grows by one on every change of a row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.models.templates import ProblemCategory
from checklists.querysets import ProblemQuerySet, ResultQuerySet, TaskQuerySet


class ProblemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    IN_RECTIFICATION = "in_rectification", _("In rectification")
    CLOSED = "closed", _("Closed out")


# Statuses of a published problem (公开发布): everyone in scope sees these.
PUBLIC_STATUSES = (
    ProblemStatus.PUBLISHED,
    ProblemStatus.IN_RECTIFICATION,
    ProblemStatus.CLOSED,
)
OPEN_STATUSES = (ProblemStatus.PUBLISHED, ProblemStatus.IN_RECTIFICATION)
# Closed out or not: the first key of a bureau's board (checklists.filters) and of its index.
CLOSED = Case(
    When(status=ProblemStatus.CLOSED, then=Value(True)),
    default=Value(False),
    output_field=models.BooleanField(),
)


class Problem(models.Model):
    """A problem found at a station (问题). Raised as a draft (e.g. on the spot during a
    visit); bureau staff publish it with a responsible person and a deadline; tasks and a
    verified result close it out; a closed problem can be reopened with a reason."""

    # The number on the circulated list (问题编号), e.g. "HB-2026-0001"; natural key of the
    # Excel import. Problems raised in the app get one when published.
    reference = models.CharField(
        _("reference number"), max_length=40, unique=True, null=True, blank=True
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    description = models.TextField(_("description"))
    source_visit = models.ForeignKey(
        "liaison.Visit",
        verbose_name=_("raised during visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems_responsible",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed out at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed out by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The Asia/Shanghai day of closed_at, compared with the deadline for the on-time rate.
    closed_on = models.DateField(_("closed out on"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Derived by the daily overdue sweep: the first day the open problem was past its
    # deadline (null = not overdue); escalated_on = reported to the bureau above.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProblemStatus.values), name="problem_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="problem_description_not_empty"
            ),
            # A published problem has a responsible person and a deadline (责任到人、倒排工期).
            models.CheckConstraint(
                condition=Q(status=ProblemStatus.DRAFT)
                | Q(
                    responsible__isnull=False,
                    deadline__isnull=False,
                    published_at__isnull=False,
                    published_by__isnull=False,
                ),
                name="problem_published_has_owner_and_deadline",
            ),
            # Closed out ⇔ who and when are recorded.
            models.CheckConstraint(
                condition=Q(
                    status=ProblemStatus.CLOSED,
                    closed_at__isnull=False,
                    closed_by__isnull=False,
                    closed_on__isnull=False,
                )
                | (~Q(status=ProblemStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="problem_closed_iff_recorded",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN_STATUSES) | Q(overdue_since__isnull=True),
                name="problem_only_open_is_overdue",
            ),
        ]
        indexes = [
            # Station pages and scoped lists: a station's problems by status, newest first.
            models.Index(fields=["station", "status", "-created_at"], name="problem_station"),
            # Counters by category and status (收集问题数 / 解决问题数).
            models.Index(fields=["category", "status"], name="problem_category_status"),
            # The overdue sweep: open problems by deadline.
            models.Index(
                fields=["deadline"],
                name="problem_open_deadline",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # "My work": a responsible person's open problems.
            models.Index(
                fields=["responsible", "deadline"],
                name="problem_responsible_open",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The board of bureau staff (checklists.filters.filter_problems): open problems by
            # deadline, closed-out ones last; a page is read in index order, not by sorting
            # every problem in scope (docs/BENCHMARKS.md, issue 4).
            models.Index(
                CLOSED,
                F("deadline").asc(),
                F("created_at").desc(),
                F("id").desc(),
                name="problem_board_order",
                condition=~Q(status=ProblemStatus.DRAFT),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.category}: {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Task(models.Model):
    """A task under a problem (任务): an assignee and a due date never after the problem's
    deadline (reverse scheduling, checked by the service under a lock on the problem)."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_date = models.DateField(_("due date"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.TextField(_("progress note"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Derived by the daily overdue sweep (null = not overdue).
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty"),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="task_progress_percent"
            ),
            # Done ⇔ who and when are recorded, and a done task is at 100 %.
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, done_by__isnull=True)
                | Q(done_on__isnull=False, done_by__isnull=False, progress=100),
                name="task_done_recorded",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(overdue_since__isnull=True),
                name="task_only_open_is_overdue",
            ),
        ]
        indexes = [
            # "My work": an assignee's open tasks by due date; and the overdue sweep.
            models.Index(
                fields=["assignee", "due_date"],
                name="task_open_by_assignee",
                condition=Q(done_on__isnull=True),
            ),
            models.Index(
                fields=["due_date"], name="task_open_due", condition=Q(done_on__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    POOR = "poor", _("Poor")


class Result(models.Model):
    """A result (效果) submitted for a problem: what changed, with evidence. Bureau staff in
    scope who did not submit it verify it with a rating (four eyes, also a database check).
    A result rated poor is verified but does not allow close-out: the station submits again.
    """

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="results"
    )
    what_changed = models.TextField(_("what changed"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rating = models.CharField(
        _("rating"), max_length=10, choices=Rating.choices, blank=True, default=""
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(what_changed=""), name="result_what_changed_not_empty"
            ),
            # Four eyes: nobody verifies their own result.
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("submitted_by")),
                name="result_four_eyes",
            ),
            # Verified ⇔ who, when and a rating are recorded.
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True, rating="")
                | Q(
                    verified_by__isnull=False,
                    verified_at__isnull=False,
                    rating__in=Rating.values,
                ),
                name="result_verified_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.what_changed[:40]

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def allows_close_out(self) -> bool:
        return self.is_verified and self.rating in (Rating.EXCELLENT, Rating.GOOD)


def evidence_path(instance, filename: str) -> str:
    return f"evidence/{timezone.now():%Y/%m}/{filename}"


class ResultEvidence(models.Model):
    """A file attached to a result as evidence (photo or PDF), checked by content."""

    result = models.ForeignKey(
        Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ListEvent(models.Model):
    """One flip of the overdue sweep (a task or problem became overdue, a problem was
    escalated to the bureau above): the history of derived state and the outbox for
    reminders. Unique per (kind, task/problem, day): running the sweep twice adds nothing."""

    class Kind(models.TextChoices):
        TASK_OVERDUE = "task_overdue", _("Task overdue")
        PROBLEM_OVERDUE = "problem_overdue", _("Problem overdue")
        ESCALATED = "escalated", _("Escalated to the bureau above")
        OVERDUE_CLEARED = "cleared", _("No longer overdue")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="events"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("list event")
        verbose_name_plural = _("list events")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "problem", "task", "day"],
                name="one_list_event_per_item_day",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["day", "kind"], name="list_event_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.problem_id} {self.day}"


class ListReminderLog(models.Model):
    """A reminder or escalation mail about the lists sent to one user on one day: what
    makes the daily mails idempotent."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Overdue reminder")
        ESCALATION = "escalation", _("Escalation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    items = models.PositiveIntegerField(_("items"), default=0)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("list reminder")
        verbose_name_plural = _("list reminders")
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "kind"], name="one_list_reminder_per_user_day_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.kind}"
