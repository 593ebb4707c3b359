"""The province-wide five-haves view: roll-up, filters, scope, export, query count."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f
from tests.checklists.five_haves_helpers import audit_station

HOT_WATER = "you-reshui"
DUTY_ROOM = "you-zhibanshi"
URL = "checklists:five-haves"


@pytest.fixture
def audited(org, personas):
    """大智 fails hot water, 球场 meets, 民族 fails hot water and the duty room (after an
    earlier audit that met), 西陵 meets, 沙嘴 not audited."""
    by = personas.admin
    audit_station(org.s_jiangan, by=by, unmet=[HOT_WATER])
    audit_station(org.s_jiangan2, by=by)
    audit_station(org.s_jianghan, by=by, day=dt.date(2026, 10, 1))
    audit_station(org.s_jianghan, by=by, unmet=[HOT_WATER, DUTY_ROOM])
    audit_station(org.s_xiling, by=by)


def _row(page, code):
    marker = f'data-unit="{code}"'
    start = page.index(marker)
    return page[start : page.index("</tr>", start)]


def test_the_province_rolls_up_cities_with_counts(login, org, personas, audited):
    response = login(personas.province_bureau).get(reverse(URL))
    page = response.content.decode()
    wuhan = _row(page, "420100")
    assert "武汉市公安局" in wuhan
    # 3 stations, 3 audited, 1 meets, 2 do not, 0 not audited
    assert [int(x) for x in _numbers(wuhan)] == [3, 3, 1, 2, 0]
    assert [int(x) for x in _numbers(_row(page, "429004"))] == [1, 0, 0, 0, 1]
    kpis = response.context["total"]
    assert (kpis.stations, kpis.audited, kpis.meeting, kpis.not_meeting) == (5, 4, 2, 2)
    failing = {i.code: i.failing for i in response.context["items"]}
    assert failing[HOT_WATER] == 2 and failing[DUTY_ROOM] == 1 and failing["you-fan-chi"] == 0


def _numbers(row_html):
    return re.findall(r'<td class="num[^"]*">(\d+)</td>', row_html)


def test_drilling_down_to_a_county_lists_its_stations(login, org, personas, audited):
    client = login(personas.province_bureau)
    county = client.get(reverse(URL), {"unit": "420103"}).content.decode()
    assert "民族派出所" in county and "有热水、有值班室" in county and "未达标" in county
    city = client.get(reverse(URL), {"unit": "420100"}).content.decode()
    assert [int(x) for x in _numbers(_row(city, "420103"))] == [1, 1, 0, 1, 0]


def test_filters_by_standard_and_by_failed_item(login, org, personas, audited):
    client = login(personas.city_bureau)
    unmet = client.get(reverse(URL), {"unit": "420102", "status": "unmet"}).content.decode()
    assert "大智派出所" in unmet and "球场派出所" not in unmet
    duty = client.get(reverse(URL), {"item": DUTY_ROOM})
    assert duty.context["total"].stations == 1
    bad = client.get(reverse(URL), {"status": "everything"})
    assert "选择一个有效的选项" in bad.content.decode()


def test_the_view_stays_in_scope(login, org, personas, audited):
    client = login(personas.city_bureau)
    response = client.get(reverse(URL))
    assert response.context["total"].stations == 3
    assert client.get(reverse(URL), {"unit": "420500"}).status_code == 404
    assert client.get(reverse(URL), {"unit": "x"}).status_code == 404


def test_the_export_has_the_rows_and_the_item_failures(login, org, personas, audited):
    response = login(personas.province_bureau).get(reverse("checklists:five-haves-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["420100", "武汉市公安局", 3, 3, 1, 2, 0] in values
    assert ["有热水", 2] in values


def _stations(org, personas, count):
    by = personas.admin
    for i in range(count):
        station = f.StationFactory(bureau=org.xiling, code=f"S42050290{i:02d}")
        audit_station(station, by=by, unmet=[HOT_WATER] if i % 2 else ())


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize(("unit", "queries"), [("", 11), ("420502", 11)])
def test_the_query_count_does_not_grow_with_the_stations(
    login, org, personas, django_assert_num_queries, count, unit, queries
):
    _stations(org, personas, count)
    client = login(personas.province_bureau)
    params = {"unit": unit} if unit else {}
    # session, user, the user's bureau (header and scope), the unit, breadcrumb, items,
    # page count, page rows, unit names or unmet items, total, failures per item.
    with django_assert_num_queries(queries):
        response = client.get(reverse(URL), params)
    assert response.status_code == 200
    assert len(response.context["rows"]) == (min(count + 1, 50) if unit else 3)
