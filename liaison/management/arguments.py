"""Argument types shared by the management commands of every app."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def iso_day(value: str) -> dt.date:
    """A ``--today``/``--since`` day given as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Enter the day as YYYY-MM-DD, e.g. 2026-11-22 (got %(value)s).") % {"value": value}
        ) from None
