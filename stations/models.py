from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.querysets import BureauQuerySet, StaffingReturnQuerySet, StationQuerySet
from stations.staffing.rules import Figures


class Tier(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class Bureau(models.Model):
    """A public-security bureau (公安机关) at province, city or county level.

    ``path`` is the materialised chain of division codes from the province down to this
    bureau ("420000/420100/420102"). Scope is a prefix match on it, so a subtree is one
    indexed ``LIKE 'prefix%'`` instead of a recursive walk.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("division code"), max_length=6, unique=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent bureau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # 省直管: a city-level unit with no counties below it (仙桃、潜江、天门、神农架林区); it holds
    # stations itself and hosts both city-tier and county-tier cadres.
    directly_administered = models.BooleanField(_("directly administered"), default=False)
    path = models.CharField(_("path"), max_length=20, editable=False)

    history = HistoricalRecords()
    objects = BureauQuerySet.as_manager()

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[1-9][0-9]{5}$"), name="bureau_code_six_digits"
            ),
            models.CheckConstraint(
                condition=(Q(tier="province") & Q(parent__isnull=True))
                | (~Q(tier="province") & Q(parent__isnull=False)),
                name="bureau_only_province_is_root",
            ),
            models.CheckConstraint(
                condition=Q(directly_administered=False) | Q(tier="city"),
                name="bureau_directly_administered_is_city",
            ),
        ]
        indexes = [
            # Scope filters: Bureau/Station ... WHERE path LIKE '420100/%'.
            models.Index(
                fields=["path"], name="bureau_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_stations(self) -> bool:
        """Stations hang on county bureaus and on directly administered city bureaus."""
        return self.tier == Tier.COUNTY or self.directly_administered


class Station(models.Model):
    """A police station (派出所), under a county-level bureau."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("station code"), max_length=20, unique=True)
    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("county bureau"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("police station")
        verbose_name_plural = _("police stations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9A-Za-z-]{4,20}$"), name="station_code_format"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="station_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffingReturn(models.Model):
    """A county-level bureau's police figures as of a date (警力配置数据), for the "two 40 %"
    staffing ratios (两个40%): station police ≥ 40 % of the police total, community police ≥
    40 % of station police.

    Dated rows are the figures' history: one row per bureau and date, and the latest date on
    or before a day counts on that day. A correction of a date's figures updates its row;
    django-simple-history keeps who changed what. Figures are recorded for the bureaus that
    hold stations (county bureaus and directly administered cities): cities and the
    province are the sums of their counties.
    """

    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="staffing_returns",
    )
    as_of = models.DateField(_("as of"))
    police_total = models.IntegerField(_("police total"))
    station_police = models.IntegerField(_("station police"))
    community_police = models.IntegerField(_("community police"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    history = HistoricalRecords()
    objects = StaffingReturnQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing figures")
        verbose_name_plural = _("staffing figures")
        ordering = ["bureau__code", "-as_of"]
        constraints = [
            # Also the index of "the bureau's latest figures on or before a day".
            models.UniqueConstraint(
                fields=["bureau", "as_of"],
                name="staffing_one_return_per_bureau_and_day",
                violation_error_message=_("This bureau already has figures for this date."),
            ),
            models.CheckConstraint(
                condition=Q(police_total__gte=0, station_police__gte=0, community_police__gte=0),
                name="staffing_counts_not_negative",
                violation_error_message=_("Police numbers cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(station_police__lte=F("police_total")),
                name="staffing_station_police_within_total",
                violation_error_message=_("Station police cannot be more than the police total."),
            ),
            models.CheckConstraint(
                condition=Q(community_police__lte=F("station_police")),
                name="staffing_community_police_within_station_police",
                violation_error_message=_(
                    "Community police cannot be more than the station police."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bureau} {self.as_of:%Y-%m-%d}"

    @property
    def figures(self) -> Figures:
        return Figures(self.police_total, self.station_police, self.community_police)
