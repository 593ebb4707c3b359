from django.db import models
from django.db.models import Q

from stations.scope import Scope


def subtree_q(scope: Scope, path_field: str) -> Q:
    """Q for rows whose bureau path lies in the scope's bureau subtree."""
    path = scope.bureau_path
    return Q(**{path_field: path}) | Q(**{f"{path_field}__startswith": path + "/"})


def scoped(queryset, scope: Scope, *, path_field: str, station_field: str | None = None):
    """``queryset`` narrowed to ``scope``: everything for the whole country, rows whose
    bureau path (``path_field``) lies in a bureau user's subtree, a station user's rows
    through ``station_field`` (none when the rows have no station)."""
    if scope.everything:
        return queryset
    if scope.bureau_path is not None:
        return queryset.filter(subtree_q(scope, path_field))
    if scope.station_id is not None and station_field is not None:
        return queryset.filter(**{station_field: scope.station_id})
    return queryset.none()


class StationScopedQuerySet(models.QuerySet):
    """Rows that belong to one police station, reached by the lookup ``station``."""

    station = "station"

    def in_scope(self, scope: Scope):
        return scoped(
            self,
            scope,
            path_field=f"{self.station}__bureau__path",
            station_field=f"{self.station}_id",
        )


class BureauQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return scoped(self, scope, path_field="path")

    def holding_stations(self):
        return self.filter(Q(tier="county") | Q(directly_administered=True))


class StationQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return scoped(self, scope, path_field="bureau__path", station_field="pk")

    def active(self):
        return self.filter(active=True)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__icontains=text))


class StaffingReturnQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return scoped(self, scope, path_field="bureau__path")
