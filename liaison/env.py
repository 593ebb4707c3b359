"""Strict parsing of environment variables (booleans are only "true" or "false", numbers
only whole numbers)."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, *, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    """A whole number of at least ``minimum``; only an unset variable takes the default."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.isdecimal() or int(raw) < minimum:
        at_least = f" of at least {minimum}" if minimum else ""
        raise ImproperlyConfigured(f"{name} must be a whole number{at_least}, not {raw!r}.")
    return int(raw)


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
