"""List pages: filters, search, pagination, and query counts constant in the row count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.models import Assignment
from tests import factories as f


def _stations(org, n):
    for i in range(n):
        station = f.StationFactory(bureau=org.jianghan, name=f"测试{i}派出所")
        cadre = f.CadreFactory(bureau=org.jianghan, tier="county")
        f.AssignmentFactory(cadre=cadre, station=station)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name",
    ["liaison:station-list", "liaison:cadre-list", "liaison:split-report", "home"],
)
def test_list_pages_make_the_same_number_of_queries_for_1_and_50_rows(
    client, org, personas, url_name
):
    client.force_login(personas.city_bureau)
    url = reverse(url_name)
    _stations(org, 1)
    one = _count_queries(client, url)
    _stations(org, 49)
    fifty = _count_queries(client, url)
    assert one == fifty


def test_station_detail_query_count_does_not_grow_with_history(client, org, personas):
    client.force_login(personas.county_bureau)
    url = reverse("liaison:station-detail", args=[org.s_jiangan.pk])
    one = _count_queries(client, url)
    for year in range(2000, 2020):
        cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
        f.AssignmentFactory(
            cadre=cadre,
            station=org.s_jiangan,
            start_date=f"{year}-01-01",
            end_date=f"{year}-12-31",
        )
    assert _count_queries(client, url) == one


def test_station_list_searches_and_filters_by_coverage(client, org, personas):
    client.force_login(personas.city_bureau)
    body = client.get(reverse("liaison:station-list"), {"q": "大智"}).content.decode()
    assert "大智派出所" in body and "民族派出所" not in body
    body = client.get(reverse("liaison:station-list"), {"coverage": "uncovered"}).content.decode()
    assert "民族派出所" in body and "大智派出所" not in body


def test_station_list_filters_by_city_and_county(client, org, personas):
    client.force_login(personas.province_bureau)
    body = client.get(reverse("liaison:station-list"), {"city": "420500"}).content.decode()
    assert "西陵派出所" in body and "大智派出所" not in body
    body = client.get(
        reverse("liaison:station-list"), {"city": "420100", "county": "420103"}
    ).content.decode()
    assert "民族派出所" in body and "大智派出所" not in body


def test_station_list_never_shows_stations_outside_scope(client, org, personas):
    client.force_login(personas.city_bureau)
    body = client.get(reverse("liaison:station-list")).content.decode()
    assert "大智派出所" in body and "西陵派出所" not in body and "定王台派出所" not in body


def test_station_list_paginates_by_50(client, org, personas):
    client.force_login(personas.city_bureau)
    for i in range(55):
        f.StationFactory(bureau=org.jianghan, name=f"分页{i:02d}派出所", code=f"P{i:05d}")
    page1 = client.get(reverse("liaison:station-list")).context["page_obj"]
    assert len(page1.object_list) == 50 and page1.paginator.num_pages == 2
    page2 = client.get(reverse("liaison:station-list"), {"page": 2}).context["page_obj"]
    assert len(page2.object_list) == 58 - 50


def test_htmx_filter_returns_only_the_table_partial(client, org, personas):
    client.force_login(personas.city_bureau)
    response = client.get(
        reverse("liaison:station-list"),
        {"q": "大智"},
        headers={"HX-Request": "true", "HX-Target": "station-table"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="station-table">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_station_export_is_an_excel_file_of_the_scope(client, org, personas):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(personas.city_bureau)
    response = client.get(reverse("liaison:station-export"))
    sheet = load_workbook(BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"大智派出所", "球场派出所", "民族派出所"}
    assert sheet.cell(1, 2).value == "派出所"


def test_split_report_shows_targets_actuals_and_uncovered(client, org, personas):
    client.force_login(personas.province_bureau)
    response = client.get(reverse("liaison:split-report"))
    total = response.context["total"]
    assert total.total == 5  # Hubei's five active stations
    assert {t.tier: (t.target, t.actual) for t in total.tiers} == {
        "province": (1, 0),
        "city": (2, 0),  # 1.5 and 2.5 tie on the remainder: the higher tier wins
        "county": (2, 1),
    }
    uncovered = {s.name for s in response.context["page_obj"]}
    assert uncovered == {"球场派出所", "民族派出所", "西陵派出所", "沙嘴派出所"}
    assert Assignment.objects.active().count() == 1


def test_split_report_for_an_administrator_targets_each_province_separately(client, org, personas):
    """湖北 has 5 active stations (targets 1/2/2), 湖南 3 (1/1/1): the total is their sum,
    2/3/3, not the split of 8 stations (2/2/4)."""
    f.StationFactory(bureau=org.furong)
    f.StationFactory(bureau=org.furong)
    client.force_login(personas.admin)
    response = client.get(reverse("liaison:split-report"))
    assert response.context["level"] == "province"
    assert [u.name for u in response.context["cities"]] == ["湖北省公安厅", "湖南省公安厅"]
    targets = {t.tier: t.target for t in response.context["total"].tiers}
    assert targets == {"province": 2, "city": 3, "county": 3}


def test_split_report_of_a_county_user_names_the_county(client, org, personas):
    client.force_login(personas.county_bureau)
    response = client.get(reverse("liaison:split-report"))
    assert [(u.name, u.total) for u in response.context["cities"]] == [("江岸区公安分局", 2)]


def test_split_report_of_a_city_user_lists_its_counties(client, org, personas):
    client.force_login(personas.city_bureau)
    response = client.get(reverse("liaison:split-report"))
    assert [(u.name, u.total) for u in response.context["cities"]] == [
        ("江岸区公安分局", 2),
        ("江汉区公安分局", 1),
    ]
