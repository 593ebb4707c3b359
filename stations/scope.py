"""The one scoping function: which organisation subtree a user may see.

Every list, page, export and admin list filters through ``scope_of(user)`` and the
``in_scope(scope)`` queryset methods; an object outside the scope answers 404.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class Scope:
    """``everything`` for admins; otherwise a bureau subtree (path prefix) or one station."""

    everything: bool = False
    bureau_path: str | None = None
    station_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.everything and self.bureau_path is None and self.station_id is None

    def contains(self, station) -> bool:
        """Whether ``station`` (with its bureau loaded) lies in the scope; no query."""
        if self.everything:
            return True
        if self.bureau_path is not None:
            return path_within(station.bureau.path, self.bureau_path)
        return self.station_id is not None and self.station_id == station.pk


NOTHING = Scope()


def path_within(path: str, root: str) -> bool:
    """Whether the bureau ``path`` is ``root`` or lies in its subtree (a path prefix)."""
    return path == root or path.startswith(root + "/")


def ancestor_paths(path: str) -> list[str]:
    """The bureau ``path`` and the paths of every bureau above it, the province first."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser or getattr(user, "role", None) == "admin":
        return Scope(everything=True)
    if getattr(user, "station_id", None):
        return Scope(station_id=user.station_id)
    if getattr(user, "role", None) == "cadre":
        # A cadre sees the one station they cover ("one cadre, one station"), nothing more.
        station_id = (
            get_user_model()
            .objects.filter(pk=user.pk, cadre__assignments__end_date__isnull=True)
            .values_list("cadre__assignments__station_id", flat=True)
            .first()
        )
        return Scope(station_id=station_id) if station_id else NOTHING
    bureau = getattr(user, "bureau", None)
    if bureau is not None:
        return Scope(bureau_path=bureau.path)
    return NOTHING
