"""A leader's residency at a station (领导驻所) and its daily log: snapshots of the ten-ones
items ticked, like visits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.querysets_support import ResidencyQuerySet


class Residency(models.Model):
    """A leader's residency at a station (领导驻所) over some days."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="residencies",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="residencies",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()
    objects = ResidencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("residency at a station")
        verbose_name_plural = _("residencies at stations")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="residency_end_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} @ {self.station}"


class ResidencyLog(models.Model):
    """One day of a residency: the ten-ones items done (label snapshots, like visits)."""

    residency = models.ForeignKey(
        Residency, verbose_name=_("residency"), on_delete=models.CASCADE, related_name="logs"
    )
    day = models.DateField(_("date"))
    activities = models.JSONField(_("activities done"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("residency log")
        verbose_name_plural = _("residency logs")
        ordering = ["residency", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["residency", "day"], name="one_log_per_residency_day"),
        ]

    def __str__(self) -> str:
        return f"{self.residency} {self.day:%Y-%m-%d}"
