"""Celery tasks of the liaison app. A task takes ISO dates, calls one service and owns only
its retry policy; the services are idempotent, so a retried or repeated run is harmless."""

import datetime as dt
from dataclasses import asdict

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from liaison.services import reminders, sweep

# The retry policy of every app's tasks: a lost database connection is retried with backoff.
RETRY = {
    "autoretry_for": (OperationalError,),
    "max_retries": 3,
    "retry_backoff": 30,
    "retry_jitter": True,
}


def day_or_today(today_iso: str | None) -> dt.date:
    """The day a task runs for: ``today_iso`` if given, else today's local date."""
    return dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()


@shared_task(name="liaison.flag_missed_visits", **RETRY)
def flag_missed_visits(today_iso: str | None = None) -> dict:
    """Record ended periods as met or missed, cure back-dated ones, move deadlines on."""
    return asdict(sweep.flag_missed_periods(today=day_or_today(today_iso)))


@shared_task(name="liaison.send_visit_reminders", **RETRY)
def send_visit_reminders(today_iso: str | None = None) -> dict:
    """Mail the due-soon reminders to cadres and the missed-period digest to bureaus."""
    return asdict(reminders.send_visit_reminders(today=day_or_today(today_iso)))
