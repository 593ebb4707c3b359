"""The ranking pages: scope, filters, periods, movement, provisional month, breakdown."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from scoring.services.ranking import freeze_month
from tests import factories as f
from tests.scoring.ranking_helpers import NOV, OCT, SEP, cadre_on, earn

AUG = dt.date(2026, 8, 1)

SH = ZoneInfo("Asia/Shanghai")
# Wednesday 18 November 2026: September and October are frozen, November is running.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SH)
URL = reverse("scoring:rankings")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def freeze(*months):
    for month in months:
        freeze_month(month=month, now=dt.datetime(2026, 11, 1, 1, tzinfo=SH))


@pytest.fixture
def ranked(org, personas):
    """Cadres in 江岸 (2), 江汉, 西陵 (宜昌), 仙桃, a 武汉 city cadre and one in 湖南.

    September: 甲 9, 乙 5, 丙 5, 丁 1 … October: 丙 12, 甲 10, 乙 10, 庚 (new) 8 …"""
    personas_cadre = personas.cadre  # covers 大智 (江岸); not ranked in these tests
    f.AssignmentFactory._meta.model.objects.filter(cadre__user=personas_cadre).delete()
    c = {
        "jia": cadre_on(org.s_jiangan, org.jiangan, "county", name="甲"),
        "yi": cadre_on(org.s_jiangan2, org.jiangan, "county", name="乙"),
        "bing": cadre_on(org.s_jianghan, org.jianghan, "county", name="丙"),
        "ding": cadre_on(org.s_xiling, org.xiling, "county", name="丁"),
        "wu": cadre_on(org.s_xiantao, org.xiantao, "county", name="戊"),
        "hunan": cadre_on(org.s_furong, org.furong, "county", name="湘"),
    }
    city_station = f.StationFactory(bureau=org.jianghan, name="汉兴派出所")
    c["geng"] = cadre_on(city_station, org.wuhan, "city", name="庚", start=dt.date(2026, 10, 1))
    for key, points in {"jia": 9, "yi": 5, "bing": 5, "ding": 1, "wu": 3, "hunan": 4}.items():
        earn(c[key], points, SEP)
    for key, points in {"jia": 10, "yi": 10, "bing": 12, "ding": 2, "geng": 8}.items():
        earn(c[key], points, OCT)
    earn(c["jia"], 3, OCT, code="problem_published")
    freeze(SEP, OCT)
    # November so far (provisional): 丁 leads.
    earn(c["ding"], 20, NOV)
    return c


def table_rows(response):
    """(rank, name, points, rank in tier, overall rank, movement) per row of the table."""
    html = response.content.decode()
    body = html.split('id="ranking-table"', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r'<tr data-cadre="\d+">(.*?)</tr>', body, re.S):
        cells = [
            re.sub(r"<[^>]+>", " ", td).split()
            for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        ]
        rows.append(
            (
                cells[0][0],
                cells[1][0],
                cells[5][0],
                cells[6][0],
                cells[7][0],
                cells[8][0] if cells[8] else "",
            )
        )
    return rows


def names(response):
    return [row[1] for row in table_rows(response)]


def test_leader_sees_last_month_for_their_city_with_province_wide_ranks(ranked, login, personas):
    response = login(personas.leader).get(URL)
    assert response.status_code == 200
    rows = table_rows(response)
    # 武汉 only: 江岸, 江汉 and the city cadre 庚 on a 江汉 station.
    assert [r[1] for r in rows] == ["张甲", "张丙", "张乙", "张庚"]
    jia, bing, yi, geng = rows
    assert (jia[0], jia[2], jia[4]) == ("1", "13.0", "1")
    assert (bing[0], bing[2], bing[4]) == ("2", "12.0", "2")
    assert (yi[0], yi[4]) == ("3", "3")
    assert (geng[0], geng[3], geng[4]) == ("4", "1", "4")
    assert "2026-10" in response.content.decode()


def test_ties_share_a_rank_within_the_list(ranked, login, personas):
    earn(ranked["yi"], 3, NOV)
    earn(ranked["jia"], 3, NOV)
    response = login(personas.county_bureau).get(URL, {"month": "2026-11"})
    rows = table_rows(response)
    assert sorted((r[1], r[0], r[2]) for r in rows) == [("张乙", "1", "3.0"), ("张甲", "1", "3.0")]


def test_a_county_bureau_sees_only_its_county(ranked, login, personas):
    response = login(personas.county_bureau).get(URL)
    assert names(response) == ["张甲", "张乙"]
    # Their rank within the county list, beside the province-wide ranks.
    assert [(r[0], r[4]) for r in table_rows(response)] == [("1", "1"), ("2", "3")]


def test_another_province_is_not_ranked_with_hubei_for_its_bureau(ranked, login, personas):
    response = login(personas.other_province_bureau).get(URL, {"month": "2026-09"})
    assert names(response) == ["张湘"]


def test_movement_against_the_previous_month(ranked, login, personas):
    rows = {r[1]: r for r in table_rows(login(personas.admin).get(URL))}
    # September overall: 甲 1, 乙 2, 丙 2, 湘 4, 戊 5, 丁 6. October: 甲 1, 丙 2, 乙 3, 庚 4, 丁 5 …
    assert rows["张甲"][5] == "—"
    assert rows["张丙"][5] == "—"
    assert rows["张乙"][5] == "↓1"
    assert rows["张丁"][5] == "↑1"
    assert rows["张庚"][5] == "新上榜"


def test_movement_within_a_tier_when_filtered_by_tier(ranked, login, personas):
    rows = {r[1]: r for r in table_rows(login(personas.admin).get(URL, {"tier": "county"}))}
    assert "张庚" not in rows
    # County tier in October: 甲 1, 丙 2, 乙 3, 丁 4, 戊 5, 湘 5 (0 points each).
    assert rows["张丁"][3] == "4" and rows["张丁"][0] == "4"
    assert rows["张丁"][5] == "↑2"  # September county tier: 丁 was 6th


def test_quarter_sums_the_frozen_months_and_ranks_again(ranked, login, personas):
    earn(ranked["jia"], 2, AUG)
    earn(ranked["ding"], 30, AUG)
    freeze(AUG)
    response = login(personas.admin).get(URL, {"period": "quarter", "month": "2026-08"})
    rows = table_rows(response)
    # August + September: 丁 31, 甲 11, 乙 5, 丙 5, 湘 4, 戊 3; 庚 started in October.
    assert {r[1]: (r[2], r[4]) for r in rows} == {
        "张丁": ("31.0", "1"),
        "张甲": ("11.0", "2"),
        "张乙": ("5.0", "3"),
        "张丙": ("5.0", "3"),
        "张湘": ("4.0", "5"),
        "张戊": ("3.0", "6"),
    }
    assert [r[1] for r in rows][:2] == ["张丁", "张甲"]
    assert "第3季度" in response.content.decode()
    # The fourth quarter holds only October so far (November is not frozen).
    q4 = {
        r[1]: r[2]
        for r in table_rows(
            login(personas.admin).get(URL, {"period": "quarter", "month": "2026-11"})
        )
    }
    assert q4["张甲"] == "13.0" and q4["张丁"] == "2.0"


def test_year_sums_every_frozen_month(ranked, login, personas):
    rows = table_rows(login(personas.admin).get(URL, {"period": "year", "month": "2026-03"}))
    points = {r[1]: r[2] for r in rows}
    assert points["张甲"] == "22.0" and points["张丁"] == "3.0" and points["张湘"] == "4.0"
    assert {r[1]: r[0] for r in rows}["张甲"] == "1"


def test_the_current_month_is_provisional_from_the_ledger(ranked, login, personas):
    response = login(personas.admin).get(URL, {"month": "2026-11"})
    assert "provisional-note" in response.content.decode()
    rows = table_rows(response)
    assert rows[0][1:3] == ("张丁", "20.0")
    # Movement against October's frozen ranks: 丁 was 5th.
    assert rows[0][5] == "↑4"
    assert "provisional-note" not in login(personas.admin).get(URL).content.decode()


def test_filter_to_a_city_or_a_county_within_scope(ranked, login, org, personas):
    client = login(personas.province_bureau)
    assert names(client.get(URL, {"city": "420500"})) == ["张丁"]
    assert names(client.get(URL, {"city": "420100", "county": "420103"})) == ["张丙", "张庚"]
    # 仙桃 holds stations itself.
    assert names(client.get(URL, {"city": "429004"})) == ["张戊"]


def test_a_region_outside_scope_is_refused_with_a_message(ranked, login, personas):
    response = login(personas.city_bureau).get(URL, {"city": "420500"})
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert "张丁" not in names(response)


def test_bad_months_are_explained_and_the_default_is_shown(ranked, login, personas):
    client = login(personas.admin)
    response = client.get(URL, {"month": "2026-13"})
    assert "请按 YYYY-MM 输入月份" in response.content.decode()
    assert names(response)[0] == "张甲"  # October, the default
    future = client.get(URL, {"month": "2027-01"})
    assert "尚未开始" in future.content.decode()


def test_htmx_filtering_returns_the_body_only(ranked, login, personas):
    response = login(personas.admin).get(
        URL, {"tier": "city"}, headers={"HX-Request": "true", "HX-Target": "ranking-body"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ranking-body">')
    assert "<html" not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]
    assert names(response) == ["张庚"]


def test_each_row_links_to_the_breakdown_with_the_period(ranked, login, personas):
    html = (
        login(personas.leader).get(URL, {"period": "quarter", "month": "2026-10"}).content.decode()
    )
    link = reverse("scoring:ranking-breakdown", args=[ranked["jia"].pk])
    assert f'href="{link}?period=quarter&amp;month=2026-10"' in html


def test_pages_of_fifty(org, login, personas):
    for n in range(51):
        cadre = cadre_on(
            f.StationFactory(bureau=org.jianghan), org.jianghan, "county", name=f"{n:02d}"
        )
        earn(cadre, 100 - n, OCT)
    freeze(OCT)
    client = login(personas.city_bureau)
    first = table_rows(client.get(URL))
    second = table_rows(client.get(URL, {"page": 2}))
    # Plus the personas' cadre on 大智 with no points, last.
    assert len(first) == 50 and len(second) == 2
    assert [r[0] for r in second] == ["51", "52"]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_page_takes_the_same_number_of_queries_for_1_and_50_rows(
    org, login, personas, django_assert_num_queries, rows
):
    for n in range(rows):
        cadre = cadre_on(f.StationFactory(bureau=org.jianghan), org.jianghan, "county", name=f"{n}")
        earn(cadre, n, OCT)
        earn(cadre, 1, SEP)
    freeze(SEP, OCT)
    client = login(personas.leader)
    client.get(URL)  # warm the session
    # session, user, user's bureau; frozen months, cities, counties; count, page.
    with django_assert_num_queries(8):
        response = client.get(URL, {"city": "420100", "county": "420103"})
    assert len(table_rows(response)) == rows


# --- The breakdown of a cadre's points by rule ---------------------------------------------


def breakdown(cadre, **params):
    return reverse("scoring:ranking-breakdown", args=[cadre.pk]), params


def test_breakdown_shows_points_by_rule_for_the_period(ranked, login, personas):
    url, params = breakdown(ranked["jia"], month="2026-10")
    response = login(personas.leader).get(url, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-code="visit_in_period">.*?10\.0', html, re.S)
    assert re.search(r'data-code="problem_published">.*?3\.0', html, re.S)
    assert "13.0" in html
    year = login(personas.leader).get(url, {"period": "year", "month": "2026-09"})
    assert re.search(r'data-code="visit_in_period">.*?19\.0', year.content.decode(), re.S)


def test_breakdown_expands_as_a_table_row_for_htmx(ranked, login, personas):
    url, params = breakdown(ranked["jia"], month="2026-10")
    response = login(personas.leader).get(
        url, params, headers={"HX-Request": "true", "HX-Target": f"breakdown-{ranked['jia'].pk}"}
    )
    html = response.content.decode().strip()
    assert html.startswith(f'<tr id="breakdown-{ranked["jia"].pk}"')
    assert "problem_published" in html


def test_breakdown_of_a_cadre_outside_scope_is_404(ranked, login, personas):
    url, params = breakdown(ranked["ding"], month="2026-10")  # 宜昌
    assert login(personas.city_bureau).get(url, params).status_code == 404
    assert login(personas.other_city_bureau).get(url, params).status_code == 200
    unranked = f.CadreFactory(bureau=ranked["jia"].bureau, tier="county")
    assert login(personas.admin).get(*breakdown(unranked)).status_code == 404


@pytest.mark.parametrize("persona", ["station", "cadre"])
def test_station_staff_and_cadres_may_not_open_rankings(ranked, login, personas, persona):
    client = login(getattr(personas, persona))
    assert client.get(URL).status_code == 403
    url, params = breakdown(ranked["jia"], month="2026-10")
    assert client.get(url, params).status_code == 403
