"""Querysets of station support, opinions and residencies: which rows, never what happens."""

from django.db import models
from django.db.models import Q

from stations.querysets import StationScopedQuerySet, scoped
from stations.scope import Scope


class SkillQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).order_by("order", "pk")


class SupportOfficerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, user__is_active=True)

    def in_scope(self, scope: Scope):
        """Officers of bureaus in the scope's subtree (a station's scope has none)."""
        return scoped(self, scope, path_field="user__bureau__path")

    def of_bureaus(self, paths):
        return self.filter(user__bureau__path__in=list(paths))


class SupportRequestQuerySet(StationScopedQuerySet):
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


class OpinionQuerySet(StationScopedQuerySet):
    """Opinions submitted at stations in scope."""


class ResidencyQuerySet(StationScopedQuerySet):
    """Leaders' residencies at stations in scope."""
