"""The opinion list (意见清单): issues raised by a station's staff, possibly anonymously (then
no user is stored at all, not even in the history); accepted, one becomes a draft problem.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.models.problems import Problem
from checklists.models.templates import ProblemCategory
from checklists.querysets_support import OpinionQuerySet


class OpinionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted as a problem")
    DISMISSED = "dismissed", _("Dismissed")


def _opinion_history_user(instance, request=None, **kwargs):
    """The history of an anonymous opinion never names anyone (the reviewer is on the row)."""
    if instance is None or getattr(instance, "anonymous", True):
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class Opinion(models.Model):
    """An issue raised by the staff of a station (意见清单). When ``anonymous`` the submitter
    is not stored anywhere; accepted, it becomes a draft problem on the three lists."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("opinion"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=OpinionStatus.choices, default=OpinionStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    problem = models.OneToOneField(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion",
    )

    history = HistoricalRecords(get_user=_opinion_history_user)
    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=True, submitted_by__isnull=True)
                | Q(anonymous=False, submitted_by__isnull=False),
                name="opinion_anonymous_iff_no_submitter",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", problem__isnull=False)
                | (~Q(status="accepted") & Q(problem__isnull=True)),
                name="opinion_accepted_iff_problem",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""),
                name="opinion_dismissed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "-submitted_at"], name="opinion_station_time"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
