from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from stations.querysets import StationScopedQuerySet, subtree_q
from stations.scope import Scope


def has_active_assignment(field: str) -> Exists:
    """EXISTS (an active assignment whose ``field`` is the outer row). ``exclude()`` across the
    relation would also drop rows that never had an assignment, hence a subquery."""
    assignment = apps.get_model("liaison", "Assignment")
    return Exists(assignment.objects.filter(end_date__isnull=True, **{field: OuterRef("pk")}))


def covered_stations(stations):
    return stations.filter(has_active_assignment("station"))


def uncovered_stations(stations):
    return stations.filter(~has_active_assignment("station"))


class CadreQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        if scope.everything:
            return self
        if scope.bureau_path is not None:
            return self.filter(subtree_q(scope, "bureau__path"))
        if scope.station_id is not None:
            # Station staff see the cadre(s) who cover or covered their station.
            return self.filter(assignments__station_id=scope.station_id).distinct()
        return self.none()

    def free(self):
        """Active cadres without an active assignment."""
        return self.filter(active=True).filter(~has_active_assignment("cadre"))

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(user__last_name__icontains=text)
            | Q(user__first_name__icontains=text)
            | Q(user__username__icontains=text)
            | Q(position__icontains=text)
        )


class AssignmentQuerySet(StationScopedQuerySet):
    def active(self):
        return self.filter(end_date__isnull=True)
