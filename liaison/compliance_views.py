"""Compliance pages for bureaus and leaders: the reporting-rate table with drill-down and its
monthly trend, the Excel export of the table, and the visit-status lists (due soon, missed,
predictable)."""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers
from openpyxl import Workbook
from openpyxl.styles import Font

from liaison import charts, compliance, exports
from liaison.periods import TIERS
from stations.access import OVERSEERS, role_required
from stations.drilldown import unit_from_request
from stations.models import Tier
from stations.scope import scope_of

STATUS_PAGE_SIZE = 25
# The longest range a table or trend covers.
MAX_RANGE_DAYS = 3 * 366


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a valid date, e.g. 2026-11-01.")},
    )


class ComplianceFilterForm(forms.Form):
    """The date range (periods whose last day lies in it) and the cadre tier."""

    tier = forms.ChoiceField(
        label=gettext_lazy("Cadre tier"),
        required=False,
        choices=[("", gettext_lazy("All tiers")), *Tier.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" and "to" are the query parameters; they are keywords in Python.
        self.fields["from"] = _date_field(gettext_lazy("From"))
        self.fields["to"] = _date_field(gettext_lazy("To"))
        self.order_fields(["from", "to", "tier"])

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if start and end and (end - start).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose a range of at most three years."))
        return data


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months back."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1), today


def _filters(request) -> tuple[ComplianceFilterForm, compliance.Filters]:
    start, end = default_range(timezone.localdate())
    # Always bound, with the defaults filled in, so the inputs show the range in effect.
    data = {"from": start.isoformat(), "to": end.isoformat(), "tier": ""}
    data.update({k: v for k, v in request.GET.items() if k in data and v})
    form = ComplianceFilterForm(data)
    tier = ""
    if form.is_valid():
        start = form.cleaned_data["from"] or start
        end = form.cleaned_data["to"] or end
        tier = form.cleaned_data["tier"]
    return form, compliance.Filters(start=start, end=end, tier=tier)


def _querystring(filters: compliance.Filters) -> str:
    params = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    if filters.tier:
        params["tier"] = filters.tier
    return urlencode(params)


def _trend_svg(trend: compliance.Trend) -> str:
    series = [
        charts.Series(Tier(t).label, rates, style=TIERS.index(t))
        for t, rates in trend.rates.items()
    ]
    return charts.line_chart_svg(
        x_labels=[f"{m:%Y-%m}" for m in trend.months],
        series=series,
        title=_("Monthly visit compliance rate by cadre tier"),
        y_title=_("Compliance rate"),
        empty_text=_("No required visit periods ended in this range."),
    )


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def compliance_page(request):
    scope = scope_of(request.user)
    form, filters = _filters(request)
    unit = unit_from_request(request, scope)
    table = compliance.compliance_table(scope=scope, unit=unit, filters=filters)
    trend = compliance.monthly_trend(scope=scope, unit=unit, filters=filters)
    context = {
        "form": form,
        "filters": filters,
        "unit": unit,
        "table": table,
        "breadcrumb": compliance.breadcrumb(scope, unit),
        "starts_at_top": scope.everything,
        "tier_label": Tier(filters.tier).label if filters.tier else "",
        "querystring": _querystring(filters),
        "chart": mark_safe(_trend_svg(trend)),  # noqa: S308 -- charts.py escapes every text
    }
    template = "liaison/compliance.html"
    if request.htmx and request.htmx.target == "compliance-body":
        template += "#compliance-body"
    return render(request, template, context)


_LEVEL_HEADINGS = {
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "county": gettext_lazy("County"),
    "station": gettext_lazy("Station"),
}


def _ratio(part: int, whole: int) -> float | None:
    """An exact fraction for Excel (formatted as a percentage), blank without periods."""
    return part / whole if whole else None


@role_required(*OVERSEERS)
def compliance_export(request):
    scope = scope_of(request.user)
    _form, filters = _filters(request)
    unit = unit_from_request(request, scope)
    table = compliance.compliance_table(scope=scope, unit=unit, filters=filters)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Visit compliance")
    station_level = table.level == "station"
    headers = [_("Code"), str(_LEVEL_HEADINGS[table.level])]
    headers += [_("Cadre")] if station_level else []
    headers += [
        _("Required periods"),
        _("Met"),
        _("Met on time"),
        _("Missed"),
        _("Compliance rate"),
        _("On-time rate"),
    ]
    ws.append(headers)
    rows = [(r.code, r.name, r.cadre, r.counts) for r in table.rows]
    rows.append(("", _("Total"), "", table.total))
    for code, name, cadre, c in rows:
        line = [code, name, *([cadre] if station_level else [])]
        line += [c.required, c.met, c.on_time, c.missed]
        line += [_ratio(c.met, c.required), _ratio(c.on_time, c.required)]
        ws.append(line)
    for cell in [*ws[1], *ws[ws.max_row]]:
        cell.font = Font(bold=True)
    for column in ws.iter_cols(min_col=len(headers) - 1, min_row=2):
        for cell in column:
            cell.number_format = "0.0%"
    scope_code = unit.code if unit else "all"
    filename = f"compliance-{scope_code}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
    return exports.workbook_response(wb, filename)


def _status_page(request, queryset, param: str):
    return Paginator(queryset, STATUS_PAGE_SIZE).get_page(request.GET.get(param))


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def visit_status(request):
    scope = scope_of(request.user)
    today = timezone.localdate()
    target = request.htmx.target if request.htmx else None
    context = {"today": today}
    if target in (None, "due-soon"):
        due = compliance.due_soon_assignments(scope=scope, today=today)
        context["due_page"] = _status_page(request, due, "due_page")
    if target in (None, "missed"):
        missed = compliance.recent_missed(scope=scope, today=today)
        context["missed_page"] = _status_page(request, missed, "missed_page")
        context["missed_days"] = compliance.RECENT_MISSED_DAYS
    if target is None:
        context["predictable"] = compliance.predictable_cadres(scope=scope, today=today)
        context["recent_visits"] = compliance.RECENT_VISITS
    template = "liaison/compliance_status.html"
    if target in ("due-soon", "missed"):
        template += f"#{target}"
    return render(request, template, context)
