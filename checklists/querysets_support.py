"""Querysets of station support, opinions and residencies: which rows, never what happens."""

from django.db import models
from django.db.models import Q

from stations.querysets import subtree_q
from stations.scope import Scope


def _station_scoped(queryset, scope: Scope, prefix: str = "station"):
    if scope.everything:
        return queryset
    if scope.bureau_path is not None:
        return queryset.filter(subtree_q(scope, f"{prefix}__bureau__path"))
    if scope.station_id is not None:
        return queryset.filter(**{f"{prefix}_id": scope.station_id})
    return queryset.none()


class SkillQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).order_by("order", "pk")


class SupportOfficerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, user__is_active=True)

    def in_scope(self, scope: Scope):
        """Officers of bureaus in the scope's subtree (a station's scope has none)."""
        if scope.everything:
            return self
        if scope.bureau_path is not None:
            return self.filter(subtree_q(scope, "user__bureau__path"))
        return self.none()

    def of_bureaus(self, paths):
        return self.filter(user__bureau__path__in=list(paths))


class SupportRequestQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return _station_scoped(self, scope)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(station__name__icontains=text)
            | Q(station__code__icontains=text)
            | Q(note__icontains=text)
        )

    def overlapping(self, start, end):
        return self.filter(start_date__lte=end, end_date__gte=start)


class OpinionQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return _station_scoped(self, scope)


class ResidencyQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return _station_scoped(self, scope)
