"""Who may do what on the three lists. Bureau staff and administrators with the station in
scope publish, edit, add tasks, verify, close out and reopen; the station's staff, the
responsible person and task assignees report progress, mark tasks done and submit results;
the cadre covering the station and bureau staff raise problems; leaders only read.

Checks on loaded objects: no query beyond ``scope_of`` (none for station and bureau staff
once the user's bureau is loaded), and none at all for a role the check refuses.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from checklists.models import Problem
from liaison.models import User
from stations.access import MANAGERS, has_role
from stations.models import Station
from stations.scope import Scope, ancestor_paths, scope_of

# The roles that may ever work on a problem (progress, done, results): only station and
# bureau staff can be named responsible person or assignee (``people_for``).
WORKERS = ("station", "bureau", "admin")
# The roles that raise problems and audit stations.
RAISERS = ("bureau", "cadre", "admin")


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def station_in_scope(scope: Scope, station: Station) -> bool:
    """Whether ``station`` (with its bureau loaded) lies in ``scope``; no query."""
    return scope.contains(station)


def may_manage_station(user, station: Station) -> bool:
    """Bureau staff and administrators with the station in scope."""
    return _active(user) and has_role(user, *MANAGERS) and scope_of(user).contains(station)


def may_manage(user, problem: Problem) -> bool:
    """Bureau staff and administrators in scope: publish, edit, tasks, verify, close, reopen."""
    return may_manage_station(user, problem.station)


def may_work_on(user, problem: Problem, assignee_ids: Iterable[int] = ()) -> bool:
    """The station's staff, the responsible person and the given assignees (the task's, or
    every task's for a result) report progress and results; administrators too. Other roles
    never do, and cost no query."""
    if not _active(user):
        return False
    if has_role(user, "admin"):
        return True
    if not has_role(user, *WORKERS) or not scope_of(user).contains(problem.station):
        return False
    if user.role == "station" and user.station_id == problem.station_id:
        return True
    return user.pk == problem.responsible_id or user.pk in set(assignee_ids)


def may_raise(user, station: Station) -> bool:
    """The cadre covering the station, bureau staff in scope and administrators."""
    return _active(user) and has_role(user, *RAISERS) and scope_of(user).contains(station)


def may_audit_station(user, station: Station) -> bool:
    """A five-haves audit: bureau staff with the station in scope, the cadre covering the
    station (their scope is that station), administrators: those who may raise problems."""
    return may_raise(user, station)


def people_for(station: Station):
    """Who may be named responsible person or assignee: active station staff of the
    station and active bureau staff of a bureau whose subtree contains it."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role="station", station=station)
            | Q(role="bureau", bureau__path__in=ancestor_paths(station.bureau.path))
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
