from stations.access import MANAGERS, OVERSEERS, has_role


def roles(request):
    """Role flags for the navigation; no queries."""
    user = request.user
    return {
        "is_manager": has_role(user, *MANAGERS),
        "is_overseer": has_role(user, *OVERSEERS),
        "is_admin": has_role(user, "admin"),
    }
