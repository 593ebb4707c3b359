"""The secondment assessment form (挂职干部考核鉴定表): one A4 page with the officer, the
host station, attendance (absences in Chinese working days, the standing), the bureau's spot
checks and the assessment, with signature lines. A short page, rendered during the request.

It lives in scoring, the app that renders PDFs (liaison may not import it); who may open it
is the secondment page's rule: anyone who can read the secondment (404 outside the scope).
"""

import datetime as dt
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from liaison.models import Secondment
from liaison.secondments import rules, selectors
from liaison.secondments.permissions import READERS
from scoring.reports.render import css_string, page_counter_css, render_pdf
from stations.access import role_required
from stations.scope import scope_of


@dataclass(frozen=True)
class SecondmentSheet:
    secondment: Secondment
    absences: list
    spot_checks: list
    outcome: str
    standing_label: str
    today: dt.date

    @property
    def recognised(self) -> bool:
        return self.secondment.recognised


def secondment_sheet(secondment: Secondment, *, today: dt.date) -> SecondmentSheet:
    """What the form prints (two queries: absences, spot checks)."""
    return SecondmentSheet(
        secondment=secondment,
        absences=list(selectors.absences_with_total(secondment)),
        spot_checks=list(secondment.spot_checks.select_related("checked_by")),
        outcome=selectors.outcome_label(secondment),
        standing_label=secondment.standing.label,
        today=today,
    )


def render_secondment_pdf(secondment: Secondment, *, by, now: dt.datetime) -> bytes:
    title = _("Secondment assessment form")
    subject = f"{secondment.officer_name} · {secondment.station.name}"
    period = f"{secondment.start_date:%Y-%m-%d} – {secondment.end_date:%Y-%m-%d}"
    context = {
        "report": secondment_sheet(secondment, today=timezone.localdate(now)),
        "title": title,
        "subject": subject,
        "generated_at": now,
        "generated_by": by,
        "thresholds": rules.THRESHOLDS,
        "margins": {
            "top_left": css_string(f"{title} · {subject}"),
            "top_right": css_string(period),
            "bottom_left": css_string(
                _("Generated %(at)s by %(by)s")
                % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"), "by": by}
            ),
            "bottom_right": page_counter_css(),
        },
    }
    return render_pdf("scoring/pdf/secondment.html", context).pdf


@role_required(*READERS)
def secondment_report(request, pk: int):
    secondment = get_object_or_404(selectors.readable(scope_of(request.user)), pk=pk)
    pdf = render_secondment_pdf(secondment, by=request.user, now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("Secondment assessment %(name)s %(year)d") % {
        "name": secondment.officer_name,
        "year": secondment.year,
    }
    response["Content-Disposition"] = content_disposition_header(False, filename + ".pdf")
    return response


urlpatterns = [
    path("reports/secondments/<int:pk>/", secondment_report, name="secondment-report"),
]
