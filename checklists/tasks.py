"""Celery tasks of the checklists app. A task takes an ISO date, calls one service and owns
only its retry policy; the services are idempotent, so a retried or repeated run is harmless."""

from dataclasses import asdict

from celery import shared_task

from checklists.services import overdue
from liaison.tasks import RETRY, day_or_today


@shared_task(name="checklists.flag_overdue_items", **RETRY)
def flag_overdue_items(today_iso: str | None = None, mail: bool = True) -> dict:
    """Flag overdue tasks and problems, clear those no longer overdue, escalate problems
    overdue for the configured working days; then queue the mails fed by that sweep (a
    separate task, so a mail failure is retried without sweeping again)."""
    today = day_or_today(today_iso)
    report = asdict(overdue.flag_overdue(today=today))
    if mail:
        send_overdue_reminders.delay(today.isoformat())
    return report


@shared_task(name="checklists.send_overdue_reminders", **RETRY)
def send_overdue_reminders(today_iso: str | None = None) -> dict:
    """Mail each person their overdue items and the bureau above its escalated problems."""
    return asdict(overdue.send_overdue_reminders(today=day_or_today(today_iso)))
