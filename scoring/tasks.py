"""Celery tasks of the scoring app. A task takes ISO dates, calls one service and owns only
its retry policy; the services are idempotent, so a retried or repeated run is harmless."""

import datetime as dt
from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from liaison.tasks import RETRY, day_or_today
from scoring.services import ledger, ranking

# The incremental run looks back over the back-dating window and one day more: a visit logged
# late can still turn a period that ended that long ago from missed into met.
RECENT_MARGIN_DAYS = 1


def _recompute(today: dt.date, since: dt.date | None) -> dict:
    report = ledger.recompute_points(today=today, since=since, now=timezone.now())
    return {**asdict(report), "since": since.isoformat() if since else None}


@shared_task(name="scoring.recompute_points", **RETRY)
def recompute_points(today_iso: str | None = None, since_iso: str | None = None) -> dict:
    """Bring the point ledger in line with the facts: all of them, or those since a day."""
    since = dt.date.fromisoformat(since_iso) if since_iso else None
    return _recompute(day_or_today(today_iso), since)


@shared_task(name="scoring.recompute_recent_points", **RETRY)
def recompute_recent_points(today_iso: str | None = None) -> dict:
    """The incremental run: facts of the last days only (cheap, set-based). Enqueued after
    every close-out and verified result (``scoring.receivers``, on the checklists app's
    signals), and every 10 minutes for what sends no signal (a late visit…)."""
    today = day_or_today(today_iso)
    return _recompute(
        today, today - dt.timedelta(days=settings.LIAISON_BACKDATE_DAYS + RECENT_MARGIN_DAYS)
    )


@shared_task(name="scoring.freeze_last_month", **RETRY)
def freeze_last_month(today_iso: str | None = None) -> str:
    """Freeze the month before ``today`` (the 1st, 01:00): its points and ranks."""
    month = ranking.last_month(day_or_today(today_iso))
    return ranking.freeze_month(month=month, now=timezone.now()).month.isoformat()


@shared_task(name="scoring.render_report_job")
def render_report_job(job_id: int) -> str:
    """Render a queued bureau report (a large one, too slow for a request). No retry: a
    failure is recorded on the job and the user asks again."""
    from scoring.reports import services as reports

    return reports.run_report_job(job_id=job_id)
