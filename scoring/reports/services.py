"""Issuing reports: gather the data and render the PDF with a fresh verification code (a
``Draft``: reads only), then record what it certifies (``issue``). Small reports are issued
during the request; a large bureau report is queued as a ``ReportJob`` and rendered by a
Celery task (``run_report_job``)."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import Cadre
from scoring.reports import verify
from scoring.reports.bureau import bureau_report
from scoring.reports.cadre import cadre_report
from scoring.reports.models import (
    LIVE_JOB_STATUSES,
    IssuedReport,
    JobStatus,
    ReportJob,
    ReportKind,
)
from scoring.reports.period import ReportPeriod, period_of
from scoring.reports.render import Rendered, margin_css, render_pdf
from stations.models import Bureau

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Draft:
    """A rendered report not yet recorded: the code printed on it and its PDF."""

    kind: ReportKind
    code: str
    subject: str
    period: ReportPeriod
    rendered: Rendered
    cadre: Cadre | None = None
    bureau: Bureau | None = None


def pdf_context(
    *, title: str, subject: str, data, code: str, by, verify_url: str, now: dt.datetime
) -> dict:
    """What the PDF templates print: the report data, the code and the margin boxes."""
    shown = verify.display_code(code)
    check_url = f"{verify_url}?code={code}"
    return {
        "report": data,
        "title": title,
        "subject": subject,
        "period": data.period,
        "code": shown,
        "verify_url": check_url,
        "generated_at": now,
        "generated_by": by,
        "margins": margin_css(
            title=f"{title} · {subject}", period=data.period.label, code=shown, verify_url=check_url
        ),
    }


def _render(
    *, template: str, title: str, subject: str, data, by, verify_url: str, now: dt.datetime
) -> tuple[str, Rendered]:
    """Render with a fresh verification code; returns the code and the PDF."""
    code = verify.new_code()
    context = pdf_context(
        title=title, subject=subject, data=data, code=code, by=by, verify_url=verify_url, now=now
    )
    return code, render_pdf(template, context)


def draft_cadre_report(
    *, cadre: Cadre, period: ReportPeriod, by, verify_url: str, now: dt.datetime
) -> Draft:
    """Render the cadre's assessment report (reads only)."""
    subject = f"{cadre.user} · {cadre.bureau.name}"
    code, rendered = _render(
        template="scoring/pdf/cadre.html",
        title=_("Cadre assessment report"),
        subject=subject,
        data=cadre_report(cadre=cadre, period=period, today=timezone.localdate(now)),
        by=by,
        verify_url=verify_url,
        now=now,
    )
    return Draft(ReportKind.CADRE, code, subject, period, rendered, cadre=cadre)


def draft_bureau_report(
    *,
    bureau: Bureau,
    period: ReportPeriod,
    by,
    verify_url: str,
    now: dt.datetime,
    progress: Progress | None = None,
) -> Draft:
    """Render the bureau's assessment report (reads only); ``progress`` hears how far."""
    data = bureau_report(bureau=bureau, period=period, today=timezone.localdate(now))
    if progress:
        progress(30)
    code, rendered = _render(
        template="scoring/pdf/bureau.html",
        title=_("Bureau assessment report"),
        subject=bureau.name,
        data=data,
        by=by,
        verify_url=verify_url,
        now=now,
    )
    if progress:
        progress(90)
    return Draft(ReportKind.BUREAU, code, bureau.name, period, rendered, bureau=bureau)


@transaction.atomic
def issue(*, draft: Draft, by, now: dt.datetime) -> tuple[IssuedReport, bytes]:
    """Record what the drafted PDF certifies under its code; returns the record and the
    bytes to hand out."""
    issued = verify.record_issue(
        code=draft.code,
        kind=draft.kind,
        subject=draft.subject,
        period=draft.period,
        rendered=draft.rendered,
        by=by,
        at=now,
        cadre=draft.cadre,
        bureau=draft.bureau,
    )
    return issued, draft.rendered.pdf


def renders_in_background(station_count: int) -> bool:
    return station_count > settings.SCORING_REPORT_BACKGROUND_STATIONS


def _live(bureau: Bureau, period: ReportPeriod):
    return ReportJob.objects.filter(
        bureau=bureau,
        period_start=period.start,
        period_end=period.end,
        status__in=LIVE_JOB_STATUSES,
    )


@transaction.atomic
def request_bureau_report(
    *, bureau: Bureau, period: ReportPeriod, by, verify_url: str, now: dt.datetime
) -> ReportJob:
    """Queue the bureau's report for the background, or join the job already under way for
    the same report (a partial unique constraint: at most one live job per report). The
    task is enqueued after commit; it is idempotent, so enqueuing it for a joined job does
    no harm."""
    from scoring import tasks  # tasks import this module

    ReportJob.objects.bulk_create(
        [
            ReportJob(
                bureau=bureau,
                period_start=period.start,
                period_end=period.end,
                verify_url=verify_url[:300],
                requested_by=by,
                requested_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    job = _live(bureau, period).get()
    transaction.on_commit(partial(_enqueue, tasks.render_report_job, job.pk))
    return job


def _enqueue(task, job_id: int) -> None:
    """Send the job to the worker without holding the request when the broker is down (one
    attempt, no result subscription: see ``scoring.receivers``). A job that could not be
    queued is marked failed with a message saying so: its page stops polling, and asking
    again queues a new one."""
    try:
        task.apply_async(args=[job_id], ignore_result=True, retry=False)
    except Exception as exc:
        logger.exception("Report job %s could not be queued", job_id)
        ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            error=_("The job queue cannot be reached (%(error)s); please try again later.")
            % {"error": type(exc).__name__},
            finished_at=timezone.now(),
        )


def _set_progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(progress=percent)


def run_report_job(*, job_id: int, now: dt.datetime | None = None) -> str:
    """Render a queued job's PDF and store it; return the job's status.

    Claims the job with a conditional update (queued → running), so running twice equals
    running once; a job left running longer than the task time limit (its worker died) may
    be claimed again. Progress is written as the work advances, outside any transaction,
    so the job page sees it; a failure is recorded on the job, never raised."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = (
        ReportJob.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, started_at__lt=stale))
        .update(status=JobStatus.RUNNING, started_at=now, progress=5)
    )
    job = ReportJob.objects.select_related("bureau", "requested_by").get(pk=job_id)
    if not claimed:
        return job.status
    try:
        draft = draft_bureau_report(
            bureau=job.bureau,
            period=period_of(job.period_start, job.period_end),
            by=job.requested_by,
            verify_url=job.verify_url,
            now=now,
            progress=partial(_set_progress, job_id),
        )
        _finish(job, draft, now)
    except Exception as exc:
        logger.exception("Report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return JobStatus.FAILED
    return JobStatus.DONE


@transaction.atomic
def _finish(job: ReportJob, draft: Draft, now: dt.datetime) -> None:
    issued, pdf = issue(draft=draft, by=job.requested_by, now=now)
    name = f"bureau-{job.bureau.code}-{job.period_start:%Y%m%d}-{issued.code}.pdf"
    job.file.save(name, ContentFile(pdf), save=False)
    ReportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        progress=100,
        file=job.file.name,
        report=issued,
        finished_at=timezone.now(),
    )
