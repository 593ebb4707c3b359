from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.querysets import AssignmentQuerySet, CadreQuerySet
from stations.models import Bureau, Station, Tier


class Role(models.TextChoices):
    CADRE = "cadre", _("Liaison cadre")
    STATION = "station", _("Station staff")
    BUREAU = "bureau", _("Bureau liaison office")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person with one role, belonging to one organisation unit (a bureau or a station)."""

    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(bureau__isnull=True) | Q(station__isnull=True),
                name="user_one_unit_only",
            ),
            models.CheckConstraint(
                condition=Q(role="admin")
                | Q(role="station", station__isnull=False)
                | (~Q(role="station") & ~Q(role="admin") & Q(bureau__isnull=False)),
                name="user_unit_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def unit(self):
        return self.station or self.bureau


class Cadre(models.Model):
    """A headquarters officer (包联干部); tier comes from the home bureau."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="cadre"
    )
    bureau = models.ForeignKey(
        Bureau, verbose_name=_("home bureau"), on_delete=models.PROTECT, related_name="cadres"
    )
    # Equal to the home bureau's tier, except that a directly administered city bureau also
    # hosts county-tier cadres (it acts as its own county level). Stored to group by it.
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison cadre")
        verbose_name_plural = _("liaison cadres")
        ordering = ["bureau__code", "user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return str(self.user)


class Assignment(models.Model):
    """Who covers which station when (包联关系). ``end_date`` is inclusive; open = active."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="assignments"
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The current visit period and its deadline, kept by the visit services and the daily
    # sweep (the healthchecks ``alert_after`` pattern): the sweep picks active rows whose
    # deadline has passed through the partial index below.
    period_start = models.DateField(_("current period start"), null=True, blank=True)
    period_end = models.DateField(_("current period deadline"), null=True, blank=True)
    period_met = models.BooleanField(_("current period met"), default=False)

    history = HistoricalRecords(excluded_fields=["period_start", "period_end", "period_met"])
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(end_date__isnull=True),
                name="one_active_assignment_per_station",
                violation_error_message=_("This station already has an active cadre."),
            ),
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(end_date__isnull=True),
                name="one_active_assignment_per_cadre",
                violation_error_message=_("This cadre already covers another station."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # The missed-period sweep: active assignments whose deadline has passed.
            models.Index(
                fields=["period_end"],
                condition=Q(end_date__isnull=True),
                name="assignment_due_sweep",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.station}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None
