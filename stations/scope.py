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


NOTHING = Scope()


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
