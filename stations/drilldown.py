"""Drilling down the bureau tree (province → city → county → station), shared by the tables
that do it (visit compliance, problem counters, the five haves, the staffing ratios): the
level of a unit's rows, where a user's table starts, the breadcrumb, the ``?unit=`` lookup,
and the code of a row's unit read from a materialised bureau path."""

from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404

from stations.importer.columns import BUREAU_CODE
from stations.models import Bureau, Tier
from stations.scope import Scope

# The level of the rows a table shows, from the top.
LEVELS = ("province", "city", "county", "station")
CODE_WIDTH = 7  # "420100/" in a path


def row_level(unit: Bureau | None) -> str:
    """The level of the rows below ``unit`` (None: the list of provinces)."""
    if unit is None:
        return "province"
    if unit.tier == Tier.PROVINCE:
        return "city"
    if unit.tier == Tier.CITY and not unit.directly_administered:
        return "county"
    return "station"


def default_unit(scope: Scope) -> Bureau | None:
    """Where a user's table starts: their own bureau; administrators (and a station scope)
    at the top."""
    if scope.everything or scope.bureau_path is None:
        return None
    return Bureau.objects.get(path=scope.bureau_path)


def breadcrumb(scope: Scope, unit: Bureau | None) -> list[Bureau]:
    """The bureaus from the top of the user's scope down to ``unit`` (one query)."""
    if unit is None:
        return []
    codes = unit.path.split("/")
    return list(Bureau.objects.in_scope(scope).filter(code__in=codes).order_by("path"))


def unit_from_request(request, scope: Scope) -> Bureau | None:
    """The unit whose children a table shows: ?unit=<code> within the scope (404
    otherwise), or where the user's scope starts."""
    code = request.GET.get("unit", "")
    if not code:
        return default_unit(scope)
    if not BUREAU_CODE.match(code):
        raise Http404
    return get_object_or_404(Bureau.objects.in_scope(scope), code=code)


def path_code(path: str, level: str) -> Substr:
    """The code of the ``level`` unit ("province", "city" or "county") in the bureau path
    field ``path``; "" when the path ends above that level."""
    return Substr(path, 1 + CODE_WIDTH * LEVELS.index(level), 6)
