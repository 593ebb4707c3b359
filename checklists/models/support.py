"""Station support (Putian, 驻所帮扶/替岗). The opinion list (意见清单) is in
``models.opinions``, a leader's residency at a station (驻所) in ``models.residency``.

Facts: skills (reference data), headquarters officers with their skills, a station's request
for cover (dates, skills, how many officers), the covers (one officer on one request, with
the hours and incidents recorded afterwards).

An officer cannot cover two live requests on overlapping dates. That is enforced by
``services.support.assign_officer`` under a row lock on the officer, not by a PostgreSQL
exclusion constraint: ``make run`` migrates SQLite, which has no btree_gist/daterange.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.querysets_support import (
    SkillQuerySet,
    SupportOfficerQuerySet,
    SupportRequestQuerySet,
)


class Skill(models.Model):
    """A skill a station may need cover for (户籍、出入境、接处警…); admin-editable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = SkillQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class SupportOfficer(models.Model):
    """A headquarters officer (a user of a bureau) available to cover stations, with skills."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        # The profile belongs to its user (seed_demo --reset deletes users through the ORM).
        on_delete=models.CASCADE,
        related_name="support_officer",
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), related_name="officers")
    active = models.BooleanField(_("available for support"), default=True)

    history = HistoricalRecords(m2m_fields=[skills])
    objects = SupportOfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("support officer")
        verbose_name_plural = _("support officers")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.user)


class SupportKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday leave")
    WINDOW_PEAK = "window_peak", _("Peak at the service window")
    CAMPAIGN = "campaign", _("Special campaign")
    OTHER = "other", _("Other")


class SupportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSIGNED = "assigned", _("Officers assigned")
    CONFIRMED = "confirmed", _("Confirmed by the station")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")


# The requests whose covers hold their officers' dates (all but cancelled and declined).
HOLDING_STATUSES = (
    SupportStatus.SUBMITTED,
    SupportStatus.ASSIGNED,
    SupportStatus.CONFIRMED,
    SupportStatus.COMPLETED,
)
# Officers may still be assigned or removed, and the station may still cancel.
OPEN_STATUSES = (SupportStatus.SUBMITTED, SupportStatus.ASSIGNED)


class SupportRequest(models.Model):
    """A station's request for temporary cover by headquarters officers.

    submitted → assigned (as many officers as needed) → confirmed (by the station) →
    completed (hours recorded for every officer); cancelled by the station before
    confirmation, declined by the bureau with a reason."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("reason"), max_length=20, choices=SupportKind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    officers_needed = models.PositiveSmallIntegerField(_("officers needed"))
    skills = models.ManyToManyField(Skill, verbose_name=_("skills needed"), related_name="+")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SupportStatus.choices, default=SupportStatus.SUBMITTED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled or declined by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    # The skills are set once, when the request is submitted; they are not tracked.
    history = HistoricalRecords()
    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="support_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(officers_needed__gte=1) & Q(officers_needed__lte=20),
                name="support_officers_needed_1_to_20",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="support_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "completed"]) | Q(confirmed_at__isnull=False),
                name="support_confirmed_has_time",
            ),
        ]
        indexes = [
            # The bureau's request list, newest first, filtered by status.
            models.Index(fields=["status", "-start_date"], name="support_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class SupportCover(models.Model):
    """One officer covering one request. The request's dates are copied so that the "not
    free" check is one indexed range query."""

    request = models.ForeignKey(
        SupportRequest,
        verbose_name=_("support request"),
        on_delete=models.CASCADE,
        related_name="covers",
    )
    officer = models.ForeignKey(
        SupportOfficer,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="covers",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    hours = models.DecimalField(
        _("hours worked"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    incidents = models.PositiveIntegerField(_("incidents handled"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support cover")
        verbose_name_plural = _("support covers")
        ordering = ["request", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "officer"], name="one_cover_per_officer"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="cover_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(recorded_at__isnull=True, hours__isnull=True, incidents__isnull=True)
                    | Q(recorded_at__isnull=False, hours__gt=0, incidents__isnull=False)
                ),
                name="cover_recorded_with_hours_and_incidents",
            ),
        ]
        indexes = [
            # Whether an officer is free: their covers overlapping a date range.
            models.Index(fields=["officer", "start_date", "end_date"], name="cover_officer_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} → {self.request}"
