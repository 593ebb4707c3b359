"""The Excel export of a ranking, read back with openpyxl."""

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from liaison.models import Assignment
from scoring.services.ranking import freeze_month
from tests import factories as f
from tests.scoring.ranking_helpers import OCT, SEP, cadre_on, earn

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SH)
URL = reverse("scoring:rankings-export")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def freeze(*months):
    for month in months:
        freeze_month(month=month, now=dt.datetime(2026, 11, 1, 1, tzinfo=SH))


@pytest.fixture
def ranked(org, personas):
    Assignment.objects.filter(cadre__user=personas.cadre).delete()
    c = {
        "jia": cadre_on(org.s_jiangan, org.jiangan, "county", name="甲"),
        "yi": cadre_on(org.s_jiangan2, org.jiangan, "county", name="乙"),
        "bing": cadre_on(org.s_jianghan, org.jianghan, "county", name="丙"),
        "ding": cadre_on(org.s_xiling, org.xiling, "county", name="丁"),
    }
    for key, points in {"jia": 4, "yi": 6, "bing": 1, "ding": 9}.items():
        earn(c[key], points, SEP)
    for key, points in {"jia": 10, "yi": 10, "bing": "7.5", "ding": 2}.items():
        earn(c[key], points, OCT)
    freeze(SEP, OCT)
    return c


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(BytesIO(response.content)).active


def test_the_export_names_scope_and_period_and_lists_the_filtered_ranking(ranked, login, personas):
    response = login(personas.leader).get(URL, {"month": "2026-10"})
    assert 'filename="ranking-month-202610.xlsx"' in response["Content-Disposition"]
    ws = sheet(response)
    assert ws["A1"].value == "武汉市公安局 · 包联干部积分排名 · 2026-10"
    assert ws["A2"].value == "导出日期：2026-11-18"
    header = [c.value for c in ws[3]]
    assert header == [
        "排名",
        "姓名",
        "层级",
        "所属单位",
        "派出所",
        "派出所所属公安机关",
        "积分",
        "层级排名",
        "总排名",
        "排名变化",
    ]
    rows = sorted([[c.value for c in row] for row in ws.iter_rows(min_row=4)])
    # 宜昌's 丁 is outside 武汉; 甲 and 乙 tie. September overall: 丁 1, 乙 2, 甲 3, 丙 4.
    assert rows == [
        [1, "张乙", "县", "江岸区公安分局", "球场派出所", "江岸区公安分局", 10, 1, 1, "↑1"],
        [1, "张甲", "县", "江岸区公安分局", "大智派出所", "江岸区公安分局", 10, 1, 1, "↑2"],
        [3, "张丙", "县", "江汉区公安分局", "民族派出所", "江汉区公安分局", 7.5, 3, 3, "↑1"],
    ]


def test_the_export_is_ready_to_print(ranked, login, personas):
    ws = sheet(login(personas.admin).get(URL, {"month": "2026-10"}))
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws["A3"].font.bold and ws["A1"].font.bold
    assert ws["G4"].number_format == "0.0"
    assert ws["A1"].value == "全部单位 · 包联干部积分排名 · 2026-10"


def test_the_export_follows_the_filters_tier_region_and_period(ranked, login, personas):
    client = login(personas.province_bureau)
    ws = sheet(client.get(URL, {"period": "quarter", "month": "2026-09", "city": "420500"}))
    assert ws["A1"].value == "宜昌市公安局 · 包联干部积分排名 · 2026年第3季度"
    assert [[c.value for c in row][:2] for row in ws.iter_rows(min_row=4)] == [[1, "张丁"]]
    ws = sheet(client.get(URL, {"tier": "county", "month": "2026-11"}))
    assert ws["A1"].value == "湖北省公安厅 · 县级包联干部积分排名 · 2026-11 （临时）"


def test_station_staff_and_cadres_may_not_export(ranked, login, personas):
    assert login(personas.station).get(URL).status_code == 403
    assert login(personas.cadre).get(URL).status_code == 403


@pytest.mark.parametrize("rows", [1, 50])
def test_the_export_takes_the_same_number_of_queries_for_1_and_50_rows(
    org, login, personas, django_assert_num_queries, rows
):
    for n in range(rows):
        station = f.StationFactory(bureau=org.jianghan)
        earn(cadre_on(station, org.jianghan, "county", name=f"{n}"), n, OCT)
    freeze(OCT)
    client = login(personas.leader)
    client.get(reverse("scoring:rankings"))  # warm the session
    # session, user, user's bureau; frozen months, cities, counties; the rows.
    with django_assert_num_queries(7):
        ws = sheet(client.get(URL, {"city": "420100", "county": "420103"}))
    assert ws.max_row == 3 + rows
