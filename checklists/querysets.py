from django.db import models

from stations.querysets import StationScopedQuerySet, subtree_q
from stations.scope import scope_of


class ChecklistItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def of_template(self, code: str):
        return self.filter(template__code=code).order_by("order", "pk")


class ProblemCategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).order_by("order", "pk")


class ProblemQuerySet(StationScopedQuerySet):
    def public(self):
        """Published problems (公开发布): everyone in scope sees them."""
        return self.exclude(status="draft")

    def open(self):
        return self.filter(status__in=("published", "in_rectification"))


class TaskQuerySet(StationScopedQuerySet):
    station = "problem__station"

    def open(self):
        return self.filter(done_on__isnull=True)


class ResultQuerySet(StationScopedQuerySet):
    station = "problem__station"


class StationAuditQuerySet(StationScopedQuerySet):
    """Five-haves audits of stations in scope."""


def visible_visits(user, visits):
    """The visits ``user`` may see: a cadre their own visits (any station they covered),
    station staff the visits already logged at their station, bureau staff and leaders
    those at stations of their subtree, administrators all. Nothing else (404)."""
    if not user.is_authenticated or not user.is_active:
        return visits.none()
    if getattr(user, "role", None) == "cadre" and not user.is_superuser:
        return visits.filter(cadre__user=user)
    scope = scope_of(user)
    if scope.everything:
        return visits
    if scope.bureau_path is not None:
        return visits.filter(subtree_q(scope, "station__bureau__path"))
    if scope.station_id is not None:
        return visits.filter(station_id=scope.station_id)
    return visits.none()
