"""Checklist templates (十个一, 五有, inspection areas) and problems (问题清单)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.querysets import ChecklistItemQuerySet, ProblemCategoryQuerySet, ProblemQuerySet


class TemplateCode(models.TextChoices):
    TEN_ONES = "ten_ones", _("Ten ones (visit activities)")
    INSPECTION_AREAS = "inspection_areas", _("Inspection areas")
    FIVE_HAVES = "five_haves", _("Five haves (station standard)")


class ChecklistTemplate(models.Model):
    """A list of items administrators edit without code; code says what it is for."""

    code = models.CharField(_("code"), max_length=20, unique=True, choices=TemplateCode.choices)
    name = models.CharField(_("name"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One item of a template. Visits keep a snapshot of the label they ticked, so editing
    or retiring an item never rewrites past visits; retire with ``active`` instead of
    deleting."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"],
                name="checklist_item_code_unique_in_template",
                violation_error_message=_("This template already has an item with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ProblemCategory(models.Model):
    """Category of a problem (消防和安全隐患、执法规范…), editable by administrators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = ProblemCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class ProblemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    IN_RECTIFICATION = "in_rectification", _("In rectification")
    CLOSED = "closed", _("Closed out")


class Problem(models.Model):
    """A problem found at a station (问题). Raised as a draft (e.g. on the spot during a
    visit); bureau staff publish it with a responsible person and a deadline."""

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

    history = HistoricalRecords()
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
        ]
        indexes = [
            # Station pages and scoped lists: a station's problems by status, newest first.
            models.Index(fields=["station", "status", "-created_at"], name="problem_station"),
            # Counters by category and status (收集问题数 / 解决问题数).
            models.Index(fields=["category", "status"], name="problem_category_status"),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.category}: {self.description[:30]}"
