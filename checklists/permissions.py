"""Who may do what on the three lists. Bureau staff and administrators with the station in
scope publish, edit, add tasks, verify, close out and reopen; the station's staff, the
responsible person and task assignees report progress, mark tasks done and submit results;
the cadre covering the station and bureau staff raise problems; leaders only read.

Checks on loaded objects: no query beyond ``scope_of`` (none for station and bureau staff
once the user's bureau is loaded).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from checklists.models import Problem
from liaison.models import User
from stations.models import Station
from stations.scope import Scope, scope_of


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == "admin"


def station_in_scope(scope: Scope, station: Station) -> bool:
    """Whether ``station`` (with its bureau loaded) lies in ``scope``; no query."""
    if scope.everything:
        return True
    if scope.bureau_path is not None:
        path = station.bureau.path
        return path == scope.bureau_path or path.startswith(scope.bureau_path + "/")
    return scope.station_id is not None and scope.station_id == station.pk


def may_manage(user, problem: Problem) -> bool:
    """Bureau staff and administrators in scope: publish, edit, tasks, verify, close, reopen."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (_is_admin(user) or user.role == "bureau"):
        return False
    return station_in_scope(scope_of(user), problem.station)


def may_work_on(user, problem: Problem, assignee_ids: Iterable[int] = ()) -> bool:
    """The station's staff, the responsible person and the given assignees (the task's, or
    every task's for a result) report progress and results; administrators too."""
    if not user.is_authenticated or not user.is_active:
        return False
    if _is_admin(user):
        return True
    if user.role == "leader" or not station_in_scope(scope_of(user), problem.station):
        return False
    if user.role == "station" and user.station_id == problem.station_id:
        return True
    return user.pk == problem.responsible_id or user.pk in set(assignee_ids)


def may_raise(user, station: Station) -> bool:
    """The cadre covering the station, bureau staff in scope and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (_is_admin(user) or user.role in ("bureau", "cadre")):
        return False
    return station_in_scope(scope_of(user), station)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def people_for(station: Station):
    """Who may be named responsible person or assignee: active station staff of the
    station and active bureau staff of a bureau whose subtree contains it."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role="station", station=station)
            | Q(role="bureau", bureau__path__in=_ancestor_paths(station.bureau.path))
        )
        .select_related("station", "bureau")
        .order_by("role", "bureau__path", "last_name", "first_name", "pk")
    )


def require_manager(user, problem: Problem) -> None:
    if not may_manage(user, problem):
        raise ValidationError(
            _("Only the liaison office in charge of this station can do this."), code="forbidden"
        )


def require_worker(user, problem: Problem, assignee_ids: Iterable[int] = ()) -> None:
    if not may_work_on(user, problem, assignee_ids):
        raise ValidationError(
            _("Only the station, the responsible person or the task's assignee can do this."),
            code="forbidden",
        )


def may_audit_station(user, station: Station) -> bool:
    """A five-haves audit: bureau staff with the station in scope, the cadre covering the
    station (their scope is that station), administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (_is_admin(user) or user.role in ("bureau", "cadre")):
        return False
    return station_in_scope(scope_of(user), station)


def may_manage_station(user, station: Station) -> bool:
    """Bureau staff and administrators with the station in scope."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (_is_admin(user) or user.role == "bureau"):
        return False
    return station_in_scope(scope_of(user), station)
