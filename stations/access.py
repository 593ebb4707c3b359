"""Role checks for views. Scope is separate: see stations.scope.scope_of."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == "admin":
        return "admin" in roles
    return user.role in roles


def role_required(*roles: str):
    """Logged-in users of the given roles (admins always pass); others get 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (has_role(request.user, *roles) or has_role(request.user, "admin")):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


EVERYONE = ("cadre", "station", "bureau", "leader", "admin")
READERS = ("cadre", "bureau", "leader", "admin")
OVERSEERS = ("bureau", "leader", "admin")
MANAGERS = ("bureau", "admin")
