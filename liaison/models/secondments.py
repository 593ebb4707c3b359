"""Secondments (挂职, Wuhan): a headquarters officer serves a year as deputy head of a police
station. Facts: the secondment, its absences, the bureau's spot checks and the final
assessment. Derived, written by the services that record absences: ``Secondment.absent_days``
(the sum of its absences' working days) and ``Absence.working_days`` (the Chinese working
days of the absence, computed when it is recorded), so lists count and filter in SQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.secondments import rules
from stations.querysets import StationScopedQuerySet


def standing_q(value: rules.Standing) -> Q:
    """The secondments at a standing, by their absent working days (for filters and counts)."""
    low, high = rules.standing_range(value)
    q = Q(absent_days__gte=low)
    return q if high is None else q & Q(absent_days__lte=high)


class SecondmentQuerySet(StationScopedQuerySet):
    """Secondments at stations in the scope (a station user: their station's)."""

    def of_year(self, year: int):
        return self.filter(year=year)

    def with_standing(self, value: rules.Standing):
        return self.filter(standing_q(value))

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(officer_name__icontains=text)
            | Q(police_number__icontains=text)
            | Q(station__name__icontains=text)
        )


class Secondment(models.Model):
    """One officer's year as deputy head of one station (挂职副所长)."""

    officer_name = models.CharField(_("officer's name"), max_length=50)
    police_number = models.CharField(_("police number"), max_length=20)
    home_bureau = models.ForeignKey(
        "stations.Bureau",
        verbose_name=_("home bureau"),
        on_delete=models.PROTECT,
        related_name="secondees",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("host station"),
        on_delete=models.PROTECT,
        related_name="secondments",
    )
    # The batch (批次) the secondment belongs to: the year it starts.
    year = models.PositiveSmallIntegerField(_("batch year"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    # The previous year's secondment this one extends (连任一年); at most one extension each.
    extends = models.OneToOneField(
        "self",
        verbose_name=_("extends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extension",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Derived by the absence service: the sum of the absences' working days.
    absent_days = models.PositiveSmallIntegerField(_("absent working days"), default=0)

    history = HistoricalRecords(excluded_fields=["absent_days"])
    objects = SecondmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("secondment")
        verbose_name_plural = _("secondments")
        ordering = ["-year", "station__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="secondment_ends_after_it_starts",
                violation_error_message=_("The end date must be after the start date."),
            ),
            # One secondee per station per batch: 224 secondees to 224 stations.
            models.UniqueConstraint(
                fields=["station", "year"],
                name="one_secondee_per_station_per_year",
                violation_error_message=_("This station already has a secondee in that year."),
            ),
            models.UniqueConstraint(
                fields=["police_number", "year"],
                name="one_secondment_per_officer_per_year",
                violation_error_message=_("This officer already has a secondment in that year."),
            ),
            models.CheckConstraint(
                condition=Q(extends__isnull=True) | ~Q(extends=F("id")),
                name="secondment_does_not_extend_itself",
            ),
        ]
        indexes = [
            # The batch page: a year's secondments by station, filtered by standing.
            models.Index(fields=["year", "absent_days"], name="secondment_year_absent"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_name}（{self.police_number}）{self.year}"

    @property
    def standing(self) -> rules.Standing:
        return rules.standing(self.absent_days)

    @property
    def recognised(self) -> bool:
        return self.standing != rules.Standing.NOT_RECOGNISED

    @property
    def days_left(self) -> int:
        return rules.days_left(self.absent_days)


class AbsenceKind(models.TextChoices):
    PERSONAL = "personal", _("Personal leave")
    SICK = "sick", _("Sick leave")
    AWOL = "awol", _("Absent without leave")
    OTHER = "other", _("Other absence")


class Absence(models.Model):
    """Days a secondee was away from the station, recorded by the station's staff."""

    secondment = models.ForeignKey(
        Secondment,
        verbose_name=_("secondment"),
        on_delete=models.PROTECT,
        related_name="absences",
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    kind = models.CharField(_("kind of absence"), max_length=10, choices=AbsenceKind.choices)
    note = models.TextField(_("note"), blank=True)
    # Derived when recorded: the Chinese working days from start to end (liaison.workdays).
    working_days = models.PositiveSmallIntegerField(_("working days"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="absence_ends_on_or_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            # Overlapping absences are refused by the service under a lock of the secondment
            # (the embedded SQLite default has no exclusion constraints).
        ]
        indexes = [
            models.Index(fields=["secondment", "start_date"], name="absence_secondment_day"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"


class SpotCheck(models.Model):
    """An unannounced check (抽查) by the bureau: was the secondee at the station?"""

    secondment = models.ForeignKey(
        Secondment,
        verbose_name=_("secondment"),
        on_delete=models.PROTECT,
        related_name="spot_checks",
    )
    checked_on = models.DateField(_("check date"))
    present = models.BooleanField(_("at the post"))
    findings = models.TextField(_("findings"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["secondment", "checked_on"],
                name="one_spot_check_per_secondment_per_day",
                violation_error_message=_("A spot check on that day is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.secondment} {self.checked_on:%Y-%m-%d}"


class SecondmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASIC = "basic", _("Basically competent")
    INCOMPETENT = "incompetent", _("Incompetent")


class SecondmentAssessment(models.Model):
    """The assessment at the end of a secondment (挂职考核鉴定); one per secondment."""

    secondment = models.OneToOneField(
        Secondment,
        verbose_name=_("secondment"),
        on_delete=models.PROTECT,
        related_name="assessment",
    )
    grade = models.CharField(_("grade"), max_length=12, choices=SecondmentGrade.choices)
    comments = models.TextField(_("comments"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("secondment assessment")
        verbose_name_plural = _("secondment assessments")

    def __str__(self) -> str:
        return f"{self.secondment} {self.get_grade_display()}"
