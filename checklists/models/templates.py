"""Checklist templates (十个一, 五有, inspection areas) and problem categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.querysets import ChecklistItemQuerySet, ProblemCategoryQuerySet


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
