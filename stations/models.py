from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.querysets import BureauQuerySet, StationQuerySet


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
