"""Visits (走访) and the periods they must fill."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.models.people import Assignment, Cadre, User
from stations.models import Station, Tier

# The four "no"s and two "straight"s of 四不两直, in display order.
ATTESTATIONS = (
    "no_notice",
    "no_greeting",
    "no_report",
    "no_escort",
    "straight_to_grassroots",
    "straight_to_scene",
)
ALL_ATTESTED = Q(**{name: True for name in ATTESTATIONS})


class Visit(models.Model):
    """A cadre's visit to their station. Only a visit with all six attestations is
    *unannounced* and counts toward the minimum frequency."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="visits"
    )
    # Copies of the assignment's cadre and station, for station-side and cadre-side lists.
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="visits"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("police station"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"))
    # The Asia/Shanghai calendar day of visited_at: what places the visit in a period.
    visited_on = models.DateField(_("visit date"))
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)
    logged_by = models.ForeignKey(
        User, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )

    no_notice = models.BooleanField(_("no advance notice"), default=False)
    no_greeting = models.BooleanField(_("no greeting arranged"), default=False)
    no_report = models.BooleanField(_("no briefing listened to"), default=False)
    no_escort = models.BooleanField(_("no escort or reception"), default=False)
    straight_to_grassroots = models.BooleanField(_("straight to the grassroots"), default=False)
    straight_to_scene = models.BooleanField(_("straight to the scene"), default=False)
    unannounced = models.BooleanField(_("unannounced"), default=False)

    # Snapshots of the checklist items ticked, [{"code": ..., "label": ...}], so a visit keeps
    # what was attested even when administrators later edit the checklist templates.
    inspected = models.JSONField(_("areas inspected"), default=list, blank=True)
    activities = models.JSONField(_("activities done"), default=list, blank=True)
    findings = models.TextField(_("findings"), blank=True)

    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("distance from station (m)"), null=True, blank=True)
    far_from_station = models.BooleanField(_("far from the station"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unannounced=True) & ALL_ATTESTED)
                | (Q(unannounced=False) & ~ALL_ATTESTED),
                name="visit_unannounced_iff_all_six",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="visit_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=Q(visited_at__lte=models.F("logged_at")),
                name="visit_not_after_it_was_logged",
            ),
        ]
        indexes = [
            # Period questions: "an unannounced visit of this assignment between two days".
            models.Index(
                fields=["assignment", "visited_on"],
                condition=Q(unannounced=True),
                name="visit_unannounced_by_day",
            ),
            models.Index(fields=["station", "-visited_at"], name="visit_station_recent"),
            models.Index(fields=["cadre", "-visited_at"], name="visit_cadre_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} @ {self.station} {self.visited_on:%Y-%m-%d}"


class VisitPhoto(models.Model):
    """Evidence photo. The original file (with its metadata) stays on the server; pages
    serve a re-encoded copy without EXIF, and the GPS position is kept in these columns."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="visits/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    gps_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gps_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]),
                name="visit_photo_jpeg_or_png",
            ),
            models.CheckConstraint(
                condition=Q(size__lte=10 * 1024 * 1024), name="visit_photo_at_most_10mb"
            ),
        ]

    def __str__(self) -> str:
        return self.image.name


class PeriodStatus(models.TextChoices):
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")


class PeriodRecord(models.Model):
    """One required period of one assignment after it ended: met or missed.

    Derived from assignments and visits by the daily sweep, one row per assignment and
    period; a late visit logged within the back-dating window cures a missed one.
    """

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="period_records",
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices)
    met_on_time = models.BooleanField(_("met on time"), default=False)
    flagged_at = models.DateTimeField(_("recorded at"))
    cured_at = models.DateTimeField(_("cured at"), null=True, blank=True)

    class Meta:
        verbose_name = _("period record")
        verbose_name_plural = _("period records")
        ordering = ["-period_end", "assignment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period_start"], name="one_record_per_assignment_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="period_record_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(met_on_time=False) | Q(status="met"),
                name="period_record_on_time_only_if_met",
            ),
        ]
        indexes = [
            # Compliance roll-ups over a date range.
            models.Index(fields=["period_end", "tier"], name="period_record_range"),
            # The cure pass looks only at missed rows.
            models.Index(
                fields=["period_start"],
                condition=Q(status="missed"),
                name="period_record_missed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.period_start}..{self.period_end} {self.status}"


class PeriodEvent(models.Model):
    """A flip of a period record (missed, or cured): the history and the reminder outbox."""

    class Kind(models.TextChoices):
        MISSED = "missed", _("Missed")
        CURED = "cured", _("Cured by a late visit")

    record = models.ForeignKey(
        PeriodRecord, verbose_name=_("period"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("period event")
        verbose_name_plural = _("period events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind"], name="one_event_per_kind"),
        ]
        indexes = [models.Index(fields=["kind", "at"], name="period_event_recent")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.kind}"


class ReminderLog(models.Model):
    """A reminder mail sent to one user on one day: what makes the daily reminders
    idempotent (running the job twice on the same day sends nothing new)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due-soon reminder")
        MISSED_DIGEST = "missed", _("Missed-period digest")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    items = models.PositiveIntegerField(_("items"), default=0)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_reminder_per_user_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.kind}"
