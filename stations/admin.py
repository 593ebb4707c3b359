from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from stations.importer.planning import (
    covered_station_deactivated,
    station_outside_cadre_jurisdiction,
    stations_outside_cadre_jurisdiction,
    under,
)
from stations.models import Bureau, StaffingReturn, Station
from stations.scope import scope_of
from stations.services import rebuild_bureau_paths
from stations.staffing.rules import figure_errors
from stations.staffing.services import date_errors, not_a_recording_bureau


class ScopedAdminMixin:
    """Admin lists go through the same scoping function as every view."""

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope(scope_of(request.user))


def _covered(stations) -> list[tuple[str, str, str]]:
    """(code, bureau path, cadre's home bureau path) of the stations with an active
    assignment, through the reverse relation by name: stations never imports liaison."""
    return list(
        stations.filter(assignments__end_date__isnull=True, assignments__isnull=False).values_list(
            "code", "bureau__path", "assignments__cadre__bureau__path"
        )
    )


class BureauAdminForm(forms.ModelForm):
    """A new parent or code moves the bureau's subtree: no covered station below it may leave
    its cadre's jurisdiction (the rule of the import)."""

    class Meta:
        model = Bureau
        fields = ["name", "code", "tier", "parent", "directly_administered"]

    def clean(self):
        data = super().clean()
        code, parent = data.get("code"), data.get("parent")
        if self.instance.pk is None or not code or not {"code", "parent"} & set(self.changed_data):
            return data
        old = self.instance.path
        new = code if parent is None else f"{parent.path}/{code}"

        def moved(path: str) -> str:
            return new + path[len(old) :] if under(path, old) else path

        below = Station.objects.filter(Q(bureau__path=old) | Q(bureau__path__startswith=f"{old}/"))
        broken = [
            station
            for station, path, cadre_path in _covered(below)
            if not under(moved(path), moved(cadre_path))
        ]
        if broken:
            self.add_error("parent", stations_outside_cadre_jurisdiction(broken))
        return data


class StationAdminForm(forms.ModelForm):
    """A covered station stays active and inside its cadre's jurisdiction (as in the import)."""

    class Meta:
        model = Station
        fields = ["name", "code", "bureau", "address", "latitude", "longitude", "active"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None or not {"bureau", "active"} & set(self.changed_data):
            return data
        cadre_paths = [
            cadre for _code, _path, cadre in _covered(Station.objects.filter(pk=self.instance.pk))
        ]
        if not cadre_paths:
            return data
        if "active" in self.changed_data and data.get("active") is False:
            self.add_error("active", covered_station_deactivated())
        bureau = data.get("bureau")
        if (
            "bureau" in self.changed_data
            and bureau is not None
            and not all(under(bureau.path, path) for path in cadre_paths)
        ):
            self.add_error("bureau", station_outside_cadre_jurisdiction())
        return data


@admin.register(Bureau)
class BureauAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = BureauAdminForm
    list_display = ["code", "name", "tier", "parent", "directly_administered"]
    list_filter = ["tier", "directly_administered"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        obj.path = obj.code if obj.parent is None else f"{obj.parent.path}/{obj.code}"
        super().save_model(request, obj, form, change)
        if change and {"code", "parent"} & set(form.changed_data):
            rebuild_bureau_paths()  # descendants' paths follow


@admin.register(Station)
class StationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = StationAdminForm
    list_display = ["code", "name", "bureau", "active"]
    list_filter = ["active", "bureau__tier"]
    search_fields = ["code", "name", "bureau__name"]
    autocomplete_fields = ["bureau"]
    list_select_related = ["bureau"]


class StaffingReturnAdminForm(forms.ModelForm):
    """The rules of the figures form (the database constraints check them again)."""

    class Meta:
        model = StaffingReturn
        fields = ["bureau", "as_of", "police_total", "station_police", "community_police"]

    def clean(self):
        data = super().clean()
        bureau, as_of = data.get("bureau"), data.get("as_of")
        if bureau is not None and not bureau.holds_stations:
            self.add_error("bureau", not_a_recording_bureau(bureau.name))
        if as_of is not None:
            for message in date_errors(as_of, today=timezone.localdate()):
                self.add_error("as_of", message)
        counts = [data.get(k) for k in ("police_total", "station_police", "community_police")]
        if None not in counts:
            for field, message in figure_errors(*counts).items():
                self.add_error(field, message)
        return data


@admin.register(StaffingReturn)
class StaffingReturnAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = StaffingReturnAdminForm
    list_display = [
        "bureau",
        "as_of",
        "police_total",
        "station_police",
        "community_police",
        "recorded_by",
        "recorded_at",
    ]
    date_hierarchy = "as_of"
    search_fields = ["bureau__code", "bureau__name"]
    autocomplete_fields = ["bureau"]
    list_select_related = ["bureau", "recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by, obj.recorded_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
