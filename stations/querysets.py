from django.db import models
from django.db.models import Q

from stations.scope import Scope


def subtree_q(scope: Scope, path_field: str) -> Q:
    """Q for rows whose bureau path lies in the scope's bureau subtree."""
    path = scope.bureau_path
    return Q(**{path_field: path}) | Q(**{f"{path_field}__startswith": path + "/"})


class BureauQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        if scope.everything:
            return self
        if scope.bureau_path is not None:
            return self.filter(subtree_q(scope, "path"))
        return self.none()

    def holding_stations(self):
        return self.filter(Q(tier="county") | Q(directly_administered=True))


class StationQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        if scope.everything:
            return self
        if scope.bureau_path is not None:
            return self.filter(subtree_q(scope, "bureau__path"))
        if scope.station_id is not None:
            return self.filter(pk=scope.station_id)
        return self.none()

    def active(self):
        return self.filter(active=True)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__icontains=text))


class StaffingReturnQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        if scope.everything:
            return self
        if scope.bureau_path is not None:
            return self.filter(subtree_q(scope, "bureau__path"))
        return self.none()
