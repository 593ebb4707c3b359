"""The compliance table (走访达标率): hand-computed figures, drill-down, reconciliation,
scope and roles, the monthly trend, the Excel export and query counts."""

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from liaison import compliance
from liaison.compliance import Counts, Filters
from liaison.models import Assignment
from liaison.services.sweep import flag_missed_periods
from liaison.services.visits import record_visit
from stations.models import Bureau
from stations.scope import Scope, scope_of
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
ALL_SIX = dict.fromkeys(
    [
        "no_notice",
        "no_greeting",
        "no_report",
        "no_escort",
        "straight_to_grassroots",
        "straight_to_scene",
    ],
    True,
)
TODAY = dt.date(2026, 11, 23)
RANGE = Filters(start=dt.date(2026, 10, 1), end=TODAY)
EVERYTHING = Scope(everything=True)
# The pages read the clock: pin it to the day of the dataset, 09:00 local time.
PINNED = dt.datetime(2026, 11, 23, 9, tzinfo=SH)
QUERY = {"from": "2026-10-01", "to": "2026-11-23"}


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def visit(assignment, when, logged=None):
    return record_visit(
        assignment=assignment,
        by=assignment.cadre.user,
        visited_at=when,
        attestation=ALL_SIX,
        now=logged or when + dt.timedelta(hours=1),
    )


@pytest.fixture
def dataset(org, personas):
    """Five assignments, swept on Monday 2026-11-23. By hand:

    A 江岸 county cadre from Mon 2 Nov, weeks 2–8, 9–15, 16–22 Nov: a visit on the 4th (on
      time), one on the 14th logged on the 17th (met, late), none in the third week.
      → required 3, met 2, on time 1, missed 1
    B 江汉 city cadre from 1 Nov: half month 1–15 Nov met on time (16–30 not over).
      → 1, 1, 1, 0
    C 西陵 province cadre from 1 Oct: October without a visit (November not over).
      → 1, 0, 0, 1
    D 仙桃 (directly administered) county cadre from 2 Nov: only the third week visited.
      → 3, 1, 1, 2
    E 芙蓉 (湖南) county cadre from 2 Nov, never visits. → 3, 0, 0, 3
    """
    a = Assignment.objects.get(cadre__user=personas.cadre)
    Assignment.objects.filter(pk=a.pk).update(start_date=dt.date(2026, 11, 2))
    a.refresh_from_db()
    b = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.wuhan, tier="city"),
        station=org.s_jianghan,
        start_date=dt.date(2026, 11, 1),
    )
    c = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.hubei, tier="province"),
        station=org.s_xiling,
        start_date=dt.date(2026, 10, 1),
    )
    d = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.xiantao, tier="county"),
        station=org.s_xiantao,
        start_date=dt.date(2026, 11, 2),
    )
    e = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.furong, tier="county"),
        station=org.s_furong,
        start_date=dt.date(2026, 11, 2),
    )
    visit(a, at(2026, 11, 4))
    visit(a, at(2026, 11, 14), logged=at(2026, 11, 17, 9))
    visit(b, at(2026, 11, 10))
    visit(d, at(2026, 11, 18))
    flag_missed_periods(today=TODAY, now=at(2026, 11, 23, 0, 30))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def by_code(table):
    return {row.code: row.counts for row in table.rows}


def test_admins_start_at_the_provinces_with_hand_computed_figures(dataset):
    table = compliance.compliance_table(scope=EVERYTHING, unit=None, filters=RANGE)
    assert table.level == "province"
    assert by_code(table) == {"420000": Counts(8, 4, 3, 4), "430000": Counts(3, 0, 0, 3)}
    assert table.total == Counts(11, 4, 3, 7)
    hubei = by_code(table)["420000"]
    assert (hubei.rate, hubei.on_time_rate) == (50.0, 37.5)


def test_a_province_sees_its_cities_including_the_directly_administered_one(dataset, org):
    table = compliance.compliance_table(
        scope=Scope(bureau_path=org.hubei.path), unit=org.hubei, filters=RANGE
    )
    assert table.level == "city"
    assert by_code(table) == {
        "420100": Counts(4, 3, 2, 1),
        "420500": Counts(1, 0, 0, 1),
        "429004": Counts(3, 1, 1, 2),
    }


def test_a_city_sees_its_counties(dataset, org):
    table = compliance.compliance_table(
        scope=Scope(bureau_path=org.wuhan.path), unit=org.wuhan, filters=RANGE
    )
    assert table.level == "county"
    assert by_code(table) == {"420102": Counts(3, 2, 1, 1), "420103": Counts(1, 1, 1, 0)}


def test_a_county_sees_its_stations_with_the_cadre_and_blank_rates_without_periods(
    dataset, org, personas
):
    table = compliance.compliance_table(
        scope=Scope(bureau_path=org.jiangan.path), unit=org.jiangan, filters=RANGE
    )
    assert table.level == "station"
    rows = {row.code: row for row in table.rows}
    assert rows["S420102001"].counts == Counts(3, 2, 1, 1)
    assert rows["S420102001"].cadre == personas.cadre.get_full_name()
    assert rows["S420102002"].counts == Counts()
    assert rows["S420102002"].counts.rate is None
    assert rows["S420102002"].unit is None


def test_a_directly_administered_city_drills_straight_to_its_stations(dataset, org):
    table = compliance.compliance_table(scope=EVERYTHING, unit=org.xiantao, filters=RANGE)
    assert table.level == "station"
    assert by_code(table) == {"S429004001": Counts(3, 1, 1, 2)}


def test_the_tier_filter_and_the_date_range_narrow_the_periods(dataset, org):
    county = Filters(start=RANGE.start, end=RANGE.end, tier="county")
    table = compliance.compliance_table(scope=EVERYTHING, unit=org.hubei, filters=county)
    assert by_code(table) == {
        "420100": Counts(3, 2, 1, 1),
        "420500": Counts(),
        "429004": Counts(3, 1, 1, 2),
    }
    first_week = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 8))
    table = compliance.compliance_table(scope=EVERYTHING, unit=None, filters=first_week)
    # Periods ending by 8 Nov: A's, D's and E's first week, C's October.
    assert by_code(table) == {"420000": Counts(3, 1, 1, 2), "430000": Counts(1, 0, 0, 1)}


def _walk(scope, unit, filters):
    """Every table from ``unit`` down: (parent counts, child table) pairs."""
    table = compliance.compliance_table(scope=scope, unit=unit, filters=filters)
    pairs = []
    for row in table.rows:
        if row.unit:
            child_unit = Bureau.objects.get(code=row.unit)
            child = compliance.compliance_table(scope=scope, unit=child_unit, filters=filters)
            pairs.append((row.counts, child))
            pairs += _walk(scope, child_unit, filters)
    return pairs


@pytest.mark.parametrize("tier", ["", "province", "city", "county"])
def test_children_sum_to_their_parent_at_every_level(dataset, tier):
    filters = Filters(start=RANGE.start, end=RANGE.end, tier=tier)
    top = compliance.compliance_table(scope=EVERYTHING, unit=None, filters=filters)
    assert top.total == sum((r.counts for r in top.rows), Counts())
    pairs = _walk(EVERYTHING, None, filters)
    assert len(pairs) >= 8  # provinces → cities → counties → stations
    for parent, child in pairs:
        assert child.total == parent


def test_the_monthly_trend_per_tier(dataset):
    trend = compliance.monthly_trend(scope=EVERYTHING, unit=None, filters=RANGE)
    assert trend.months == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    assert trend.rates == {
        "province": [0.0, None],
        "city": [None, 100.0],
        # A 2 of 3, D 1 of 3, E 0 of 3.
        "county": [None, 33.3],
    }


def test_the_trend_follows_the_unit_and_the_tier_filter(dataset, org):
    county = Filters(start=RANGE.start, end=RANGE.end, tier="county")
    trend = compliance.monthly_trend(scope=EVERYTHING, unit=org.wuhan, filters=county)
    assert trend.rates == {"county": [None, 66.7]}


# --- The page ------------------------------------------------------------------------------


@pytest.fixture
def pinned():
    with time_machine.travel(PINNED, tick=False):
        yield


def test_the_page_shows_the_table_chart_and_totals_in_chinese(login, personas, dataset, pinned):
    client = login(personas.province_bureau)
    response = client.get(reverse("liaison:compliance"), QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "走访达标率" in body
    assert "应访周期" in body and "漏访" in body and "合计" in body
    assert response.context["table"].level == "city"
    assert response.context["table"].total == Counts(8, 4, 3, 4)
    assert "<svg" in body and "省" in body
    assert "湖南" not in body


def test_admins_start_at_the_list_of_provinces(login, personas, dataset, pinned):
    response = login(personas.admin).get(reverse("liaison:compliance"), QUERY)
    assert by_code(response.context["table"]) == {
        "420000": Counts(8, 4, 3, 4),
        "430000": Counts(3, 0, 0, 3),
    }
    assert "全部省份" in response.content.decode()


def test_the_default_range_is_the_last_twelve_months(login, personas, dataset, pinned):
    response = login(personas.province_bureau).get(reverse("liaison:compliance"))
    filters = response.context["filters"]
    assert (filters.start, filters.end) == (dt.date(2025, 12, 1), TODAY)
    assert response.context["table"].total == Counts(8, 4, 3, 4)


def test_drilling_down_with_htmx_returns_only_the_table_fragment(
    login, personas, dataset, org, pinned
):
    client = login(personas.province_bureau)
    response = client.get(
        reverse("liaison:compliance"),
        {**QUERY, "unit": "420100"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="compliance-body",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="compliance-body">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]
    assert by_code(response.context["table"]) == {
        "420102": Counts(3, 2, 1, 1),
        "420103": Counts(1, 1, 1, 0),
    }
    # The breadcrumb leads back up to the user's own bureau, and the rows drill further.
    assert "湖北省公安厅" in body and "unit=420102" in body


def test_drilling_down_works_as_a_plain_link_without_javascript(login, personas, dataset, pinned):
    client = login(personas.city_bureau)
    response = client.get(reverse("liaison:compliance"), {**QUERY, "unit": "420102"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert response.context["table"].level == "station"
    assert "大智派出所" in body and "球场派出所" in body


@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("county_bureau", "420103"),  # a sibling county
        ("county_bureau", "420100"),  # above the user's own bureau
        ("city_bureau", "420500"),
        ("leader", "429004"),
        ("province_bureau", "430000"),
        ("other_province_bureau", "420100"),
        ("province_bureau", "999999"),  # no such bureau
        ("province_bureau", "../x"),  # not a code at all
    ],
)
def test_a_unit_outside_the_scope_answers_404(login, personas, dataset, persona, unit):
    client = login(getattr(personas, persona))
    assert client.get(reverse("liaison:compliance"), {"unit": unit}).status_code == 404
    assert client.get(reverse("liaison:compliance-export"), {"unit": unit}).status_code == 404


@pytest.mark.parametrize("persona", ["cadre", "station"])
@pytest.mark.parametrize(
    "url_name", ["liaison:compliance", "liaison:compliance-export", "liaison:visit-status"]
)
def test_cadres_and_station_staff_may_not_open_compliance_pages(login, personas, persona, url_name):
    assert login(getattr(personas, persona)).get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize(
    ("persona", "level", "codes"),
    [
        ("admin", "province", {"420000", "430000"}),
        ("province_bureau", "city", {"420100", "420500", "429004"}),
        ("city_bureau", "county", {"420102", "420103"}),
        ("leader", "county", {"420102", "420103"}),
        ("county_bureau", "station", {"S420102001", "S420102002"}),
        ("other_city_bureau", "county", {"420502"}),
        ("other_province_bureau", "city", {"430100"}),
    ],
)
def test_each_user_starts_at_their_own_bureau(login, personas, dataset, persona, level, codes):
    with time_machine.travel(PINNED, tick=False):
        response = login(getattr(personas, persona)).get(reverse("liaison:compliance"), QUERY)
    assert response.status_code == 200
    assert response.context["table"].level == level
    assert {r.code for r in response.context["table"].rows} == codes


def test_an_inverted_range_is_refused_with_a_chinese_message(login, personas, dataset):
    response = login(personas.province_bureau).get(
        reverse("liaison:compliance"), {"from": "2026-11-01", "to": "2026-10-01"}
    )
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期。" in response.content.decode()


# --- Excel ---------------------------------------------------------------------------------


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content)).active


def test_the_export_has_chinese_headers_the_same_rows_and_a_total(login, personas, dataset):
    client = login(personas.province_bureau)
    response = client.get(reverse("liaison:compliance-export"), {**QUERY, "tier": "county"})
    ws = _sheet(response)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "代码",
        "市",
        "应访周期",
        "已达标",
        "按时达标",
        "漏访",
        "走访达标率",
        "按时达标率",
    )
    assert rows[1] == (
        "420100",
        "武汉市公安局",
        3,
        2,
        1,
        1,
        pytest.approx(2 / 3),
        pytest.approx(1 / 3),
    )
    assert rows[2][:3] == ("420500", "宜昌市公安局", 0) and rows[2][6] is None
    assert rows[-1][1:6] == ("合计", 6, 3, 2, 3)
    assert "compliance-420000-20261001-20261123" in response["Content-Disposition"]


def test_the_station_level_export_names_the_cadre(login, personas, dataset):
    response = login(personas.county_bureau).get(reverse("liaison:compliance-export"), QUERY)
    rows = list(_sheet(response).iter_rows(values_only=True))
    assert rows[0][:3] == ("代码", "派出所", "包联干部")
    assert rows[1][:6] == ("S420102001", "大智派出所", personas.cadre.get_full_name(), 3, 2, 1)


# --- Query counts --------------------------------------------------------------------------


def _grow(org, n):
    for _ in range(n):
        f.AssignmentFactory(
            cadre=f.CadreFactory(bureau=org.jianghan, tier="county"),
            station=f.StationFactory(bureau=org.jianghan),
            start_date=dt.date(2026, 11, 2),
        )
    flag_missed_periods(today=TODAY, now=at(2026, 11, 23, 0, 30))


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("admin", ""),
        ("province_bureau", ""),
        ("city_bureau", ""),
        ("city_bureau", "420103"),
    ],
)
@pytest.mark.parametrize("url_name", ["liaison:compliance", "liaison:compliance-export"])
def test_the_table_makes_the_same_number_of_queries_for_1_and_50_stations(
    login, personas, org, persona, unit, url_name
):
    client = login(getattr(personas, persona))
    params = {**QUERY, **({"unit": unit} if unit else {})}
    url = reverse(url_name)
    _grow(org, 1)
    one = _queries(client, url, params)
    _grow(org, 49)
    assert _queries(client, url, params) == one


def test_scope_of_a_leader_limits_the_default_unit(personas, org):
    assert compliance.default_unit(scope_of(personas.leader)) == org.wuhan
    assert compliance.default_unit(scope_of(personas.admin)) is None
