"""Assessment reports (考核报告): a cadre's and a bureau's PDF, the background job of a large
bureau report, and the page that checks a printout's verification code."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from scoring.reports import services, verify
from scoring.reports.access import reportable_bureaus, reportable_cadres, visible_jobs
from scoring.reports.bureau import station_count
from scoring.reports.forms import VerifyForm
from scoring.reports.models import JobStatus, ReportJob
from scoring.reports.period import parse_period, period_of
from stations.access import EVERYONE, OVERSEERS, role_required

STATUS_PAGE = "scoring/report_status.html"


def _period(request):
    params = request.POST if request.method == "POST" else request.GET
    return parse_period(
        month=params.get("month", ""),
        quarter=params.get("quarter", ""),
        today=timezone.localdate(),
    )


def _verify_url(request) -> str:
    return request.build_absolute_uri(reverse("scoring:report-verify"))


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filename(subject: str, period) -> str:
    return (
        _("Assessment report %(subject)s %(period)s")
        % {
            "subject": subject,
            "period": period.key,
        }
        + ".pdf"
    )


def _bad_period(request, error: ValueError, **context):
    context["error"] = str(error)
    return render(request, STATUS_PAGE, context, status=400)


@role_required("cadre", *OVERSEERS)
def cadre_report(request, pk: int):
    """The cadre's PDF for ?month=YYYY-MM or ?quarter=YYYY-Qn (default: last month)."""
    cadre = get_object_or_404(
        reportable_cadres(request.user).select_related("user", "bureau"), pk=pk
    )
    try:
        period = _period(request)
    except ValueError as exc:
        return _bad_period(request, exc, cadre=cadre)
    draft = services.draft_cadre_report(
        cadre=cadre,
        period=period,
        by=request.user,
        verify_url=_verify_url(request),
        now=timezone.now(),
    )
    _issued, pdf = services.issue(draft=draft, by=request.user, now=timezone.now())
    return _pdf(pdf, _filename(str(cadre.user), period))


@role_required(*OVERSEERS)
@require_http_methods(["GET", "POST"])
def bureau_report(request, code: str):
    """A bureau's PDF. Up to SCORING_REPORT_BACKGROUND_STATIONS stations it renders now;
    a larger one shows a page that queues it (POST) as a background job."""
    bureau = get_object_or_404(reportable_bureaus(request.user), code=code)
    try:
        period = _period(request)
    except ValueError as exc:
        return _bad_period(request, exc, bureau=bureau)
    stations = station_count(bureau)
    if not services.renders_in_background(stations):
        draft = services.draft_bureau_report(
            bureau=bureau,
            period=period,
            by=request.user,
            verify_url=_verify_url(request),
            now=timezone.now(),
        )
        _issued, pdf = services.issue(draft=draft, by=request.user, now=timezone.now())
        return _pdf(pdf, _filename(bureau.name, period))
    if request.method == "POST":
        job = services.request_bureau_report(
            bureau=bureau,
            period=period,
            by=request.user,
            verify_url=_verify_url(request),
            now=timezone.now(),
        )
        return redirect("scoring:report-job", job.pk)
    recent = (
        ReportJob.objects.filter(bureau=bureau, period_start=period.start, period_end=period.end)
        .select_related("report")
        .order_by("-requested_at", "-pk")[:5]
    )
    context = {"bureau": bureau, "period": period, "stations": stations, "recent": recent}
    return render(request, STATUS_PAGE, context)


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def report_job(request, pk: int):
    """Progress of a background report; htmx polls the ``job-status`` partial every 2 s
    until the job is done or failed, then it offers the download."""
    job = get_object_or_404(
        visible_jobs(request.user).select_related("bureau", "report", "requested_by"), pk=pk
    )
    template = f"{STATUS_PAGE}#job-status" if request.htmx else STATUS_PAGE
    return render(request, template, {"job": job, "bureau": job.bureau})


@role_required(*OVERSEERS)
def report_job_download(request, pk: int):
    job = get_object_or_404(
        visible_jobs(request.user).filter(status=JobStatus.DONE).select_related("bureau"), pk=pk
    )
    period = period_of(job.period_start, job.period_end)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=_filename(job.bureau.name, period),
        content_type="application/pdf",
    )


@role_required(*EVERYONE)
@require_http_methods(["GET", "POST"])
def report_verify(request):
    """Check a printout: does its code exist, what does it certify, and (with the PDF
    uploaded) are these the exact bytes that were issued?"""
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    else:
        form = VerifyForm(request.GET or None)
    report = matches = None
    if form.is_valid():
        report = verify.find(form.cleaned_data["code"])
        upload = form.cleaned_data.get("file")
        if report is not None and upload:
            matches = verify.matches(report, upload.read())
    context = {"form": form, "report": report, "matches": matches}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "scoring/report_verify.html", context, status=status)


urlpatterns = [
    path("reports/cadres/<int:pk>/", cadre_report, name="cadre-report"),
    path("reports/bureaus/<str:code>/", bureau_report, name="bureau-report"),
    path("reports/jobs/<int:pk>/", report_job, name="report-job"),
    path("reports/jobs/<int:pk>/download/", report_job_download, name="report-job-download"),
    path("reports/verify/", report_verify, name="report-verify"),
]
