"""Ranking pages for bureaus and leaders (月度排名): the filtered, paginated ranking with
movement against the previous period, a cadre's points by rule, and the Excel export."""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.vary import vary_on_headers

from liaison.periods import parse_month
from liaison.views import paginate
from scoring import excel, selectors
from scoring.evaluations import selectors as evaluations
from scoring.selectors import Period, RankingFilters
from stations.access import OVERSEERS, role_required
from stations.models import Bureau, Tier
from stations.scope import Scope, scope_of


class PeriodForm(forms.Form):
    """Month, quarter or year, given by any month of it (YYYY-MM)."""

    period = forms.ChoiceField(
        label=pgettext_lazy("ranking", "Period"), required=False, choices=selectors.PERIOD_CHOICES
    )
    month = forms.CharField(
        label=pgettext_lazy("ranking", "Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_month(self) -> dt.date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            month = parse_month(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-10.")) from None
        if month > self.today:
            raise forms.ValidationError(_("That month has not begun; there is no ranking yet."))
        return month

    def chosen_month(self) -> dt.date:
        """The valid month, else the default: last month, the latest one to be frozen."""
        month = getattr(self, "cleaned_data", {}).get("month")
        return month or selectors.add_months(self.today.replace(day=1), -1)

    def chosen_period(self) -> Period:
        kind = getattr(self, "cleaned_data", {}).get("period") or "month"
        return Period.containing(kind, self.chosen_month())


class RankingFilterForm(PeriodForm):
    tier = forms.ChoiceField(
        label=gettext_lazy("Cadre tier"),
        required=False,
        choices=[("", gettext_lazy("All tiers")), *Tier.choices],
    )
    city = forms.ChoiceField(label=gettext_lazy("City"), required=False)
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)

    def __init__(self, *args, cities, counties, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        outside = _("That region is not within your jurisdiction.")
        self.fields["city"].choices = every + [(b.code, b.name) for b in cities]
        self.fields["county"].choices = every + [(b.code, b.name) for b in counties]
        self.fields["city"].error_messages["invalid_choice"] = outside
        self.fields["county"].error_messages["invalid_choice"] = outside
        self.regions = {b.code: b for b in [*cities, *counties]}

    def region(self) -> Bureau | None:
        data = getattr(self, "cleaned_data", {})
        code = data.get("county") or data.get("city")
        return self.regions.get(code) if code else None


def _regions(scope: Scope, city_code: str) -> tuple[list[Bureau], list[Bureau]]:
    """Cities in scope, and the county-level units of the chosen city (or of the scope when
    it holds at most one city: a city or county user)."""
    in_scope = Bureau.objects.in_scope(scope)
    cities = list(in_scope.filter(tier=Tier.CITY).order_by("code"))
    counties = in_scope.filter(tier=Tier.COUNTY)
    city = next((c for c in cities if c.code == city_code), None)
    if city is not None:
        counties = counties.filter(path__startswith=city.path + "/")
    elif len(cities) > 1 or scope.everything:
        counties = counties.none()
    return cities, list(counties.order_by("code"))


def _ranking_filters(request, scope: Scope, today: dt.date):
    cities, counties = _regions(scope, request.GET.get("city", ""))
    form = RankingFilterForm(request.GET, cities=cities, counties=counties, today=today)
    form.is_valid()
    region = form.region()
    tier = form.cleaned_data.get("tier", "")
    filters = RankingFilters(
        period=form.chosen_period(),
        tier=tier,
        region_path=region.path if region else None,
    )
    return form, filters, region


def _querystring(form: PeriodForm, filters: RankingFilters) -> str:
    """The filters in effect, for links that keep them (pages, export, breakdown)."""
    params = {"period": filters.period.kind, "month": f"{form.chosen_month():%Y-%m}"}
    for name in ("tier", "city", "county"):
        if value := form.cleaned_data.get(name):
            params[name] = value
    return urlencode(params)


def _report_query(period: Period) -> str | None:
    """The query string of the assessment report (PDF) for the ranking's period: a month or
    a quarter; a year has no report of its own (None)."""
    if period.kind == "month":
        return urlencode({"month": f"{period.first:%Y-%m}"})
    if period.kind == "quarter":
        return urlencode({"quarter": f"{period.first.year}-Q{(period.first.month + 2) // 3}"})
    return None


def _report_bureau(request, region: Bureau | None) -> Bureau | None:
    """Whose bureau report the ranking page offers: the region filtered to, else the user's
    own bureau (none for a user without one, e.g. an administrator)."""
    return region if region is not None else request.user.bureau


def _scope_label(request, region: Bureau | None) -> str:
    if region is not None:
        return region.name
    unit = request.user.unit
    return unit.name if unit is not None else _("All units")


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def rankings(request):
    scope = scope_of(request.user)
    today = timezone.localdate()
    form, filters, region = _ranking_filters(request, scope, today)
    ranking = selectors.ranking(scope=scope, filters=filters, today=today)
    querystring = _querystring(form, filters)
    context = {
        "form": form,
        "filters": filters,
        "ranking": ranking,
        "page_obj": paginate(request, ranking),
        "scope_label": _scope_label(request, region),
        "month": form.chosen_month(),
        "querystring": querystring,
        "querystring_base": f"{querystring}&",
        "by_tier": bool(filters.tier),
        "tier_label": Tier(filters.tier).label if filters.tier else "",
        "report_query": _report_query(filters.period),
        "report_bureau": _report_bureau(request, region),
    }
    template = "scoring/rankings.html"
    if request.htmx and request.htmx.target == "ranking-body":
        template += "#ranking-body"
    return render(request, template, context)


@role_required(*OVERSEERS)
def rankings_export(request):
    scope = scope_of(request.user)
    today = timezone.localdate()
    _form, filters, region = _ranking_filters(request, scope, today)
    ranking = selectors.ranking(scope=scope, filters=filters, today=today)
    return excel.ranking_xlsx(
        ranking, scope_label=_scope_label(request, region), filters=filters, today=today
    )


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def ranking_breakdown(request, cadre_id: int):
    """One cadre's points in the period by rule; 404 unless the cadre is in the ranking
    within the user's scope."""
    scope = scope_of(request.user)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    form.is_valid()
    filters = RankingFilters(period=form.chosen_period())
    ranking = selectors.ranking(scope=scope, filters=filters, today=today)
    standing = ranking.standing_of(cadre_id)
    if standing is None:
        raise Http404
    context = {
        "form": form,
        "filters": filters,
        "ranking": ranking,
        "standing": standing,
        "rules": selectors.points_by_rule(cadre_id=cadre_id, months=ranking.months_booked),
        "evaluations": evaluations.ratings_of_cadre(
            cadre_id=cadre_id,
            first=filters.period.first,
            last=filters.period.last,
            today=today,
            min_raters=settings.LIAISON_EVALUATION_MIN_RATERS,
        ),
        "querystring": _querystring(form, filters),
        "report_query": _report_query(filters.period),
    }
    template = "scoring/ranking_breakdown.html"
    if request.htmx:
        template += "#breakdown-row"
    return render(request, template, context)


urlpatterns = [
    path("rankings/", rankings, name="rankings"),
    path("rankings/export.xlsx", rankings_export, name="rankings-export"),
    path("rankings/cadres/<int:cadre_id>/", ranking_breakdown, name="ranking-breakdown"),
]
