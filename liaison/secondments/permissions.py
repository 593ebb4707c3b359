"""Who may do what with secondments. Bureau staff (and administrators) with the host station
in scope create, extend, spot-check and assess; the host station's own staff record
absences; leaders and those staff read. Checks on loaded objects cost no query beyond
``scope_of``."""

from stations.access import MANAGERS, has_role
from stations.scope import scope_of

# Roles that open secondment pages at all (a cadre has nothing to do with them: 403).
READERS = ("station", "bureau", "leader", "admin")


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def may_create(user) -> bool:
    """Offer the form that creates a secondment: bureau staff (the form lists their scope)."""
    return has_role(user, *MANAGERS)


def may_manage(user, station) -> bool:
    """Create, extend, spot-check and assess: bureau staff with the station in scope."""
    return _active(user) and has_role(user, *MANAGERS) and scope_of(user).contains(station)


def may_record_absence(user, secondment) -> bool:
    """Attendance is kept by the host station's staff (administrators too)."""
    if not _active(user):
        return False
    if has_role(user, "admin"):
        return True
    return user.role == "station" and user.station_id == secondment.station_id
