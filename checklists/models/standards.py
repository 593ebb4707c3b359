"""Station standards (Chaohu): the "five haves" (五有) audit of a station (五有达标检查).

Facts: an audit (station, day, auditor) with one result per item of the five-haves checklist
template (met / not met, a note, photos). Derived, written by the service that records the
audit: ``unmet_count`` and ``is_latest`` (the station's latest audit by day, then by id),
which the province-wide view reads: a station meets the standard when its latest audit has
no unmet item.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.models.problems import Problem
from checklists.models.templates import ChecklistItem
from checklists.querysets import StationAuditQuerySet


class StationAudit(models.Model):
    """A five-haves audit of one station on one day by bureau staff or the station's cadre."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="five_haves_audits",
    )
    audited_on = models.DateField(_("audit date"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Derived by record_audit: the number of items not met, and whether this is the
    # station's latest audit (by day, then id).
    unmet_count = models.PositiveSmallIntegerField(_("items not met"), default=0)
    is_latest = models.BooleanField(_("latest audit"), default=False)

    history = HistoricalRecords(excluded_fields=["is_latest"])
    objects = StationAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("five-haves audit")
        verbose_name_plural = _("five-haves audits")
        ordering = ["-audited_on", "-pk"]
        constraints = [
            # The province-wide view joins each station to exactly one latest audit.
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(is_latest=True),
                name="one_latest_audit_per_station",
            ),
        ]
        indexes = [
            # A station's audit history, newest first.
            models.Index(fields=["station", "-audited_on", "-id"], name="audit_station_day"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.audited_on:%Y-%m-%d}"

    @property
    def meets_standard(self) -> bool:
        return self.unmet_count == 0


class AuditResult(models.Model):
    """One item of an audit: met or not, a note; an unmet item can become a problem (one)."""

    audit = models.ForeignKey(
        StationAudit,
        verbose_name=_("five-haves audit"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The item's label when audited: renaming an item never rewrites past audits.
    label = models.CharField(_("label"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"), blank=True)
    problem = models.OneToOneField(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_result",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("five-haves audit item")
        verbose_name_plural = _("five-haves audit items")
        ordering = ["audit", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="one_result_per_audit_item"),
            models.CheckConstraint(
                condition=Q(problem__isnull=True) | Q(met=False),
                name="audit_problem_only_for_unmet_item",
            ),
        ]
        indexes = [
            # The per-item failure counts of the province-wide view.
            models.Index(fields=["item"], name="audit_result_unmet", condition=Q(met=False)),
        ]

    def __str__(self) -> str:
        return self.label


class AuditPhoto(models.Model):
    """Photo evidence of one audit item. Like a visit photo: checked by content, the
    original stays on the server, pages get a re-encoded copy without EXIF."""

    result = models.ForeignKey(
        AuditResult,
        verbose_name=_("five-haves audit item"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(_("photo"), upload_to="audits/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit photo")
        verbose_name_plural = _("audit photos")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]),
                name="audit_photo_jpeg_or_png",
            ),
            models.CheckConstraint(
                condition=Q(size__lte=10 * 1024 * 1024), name="audit_photo_at_most_10mb"
            ),
        ]

    def __str__(self) -> str:
        return self.image.name
