"""The way to the assessment reports: from the ranking, a cadre's breakdown and points page,
and the bureau pages; the navigation; and the verify address printed on every PDF."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from scoring.services.ranking import freeze_month
from tests.files import pdf_text
from tests.scoring.ranking_helpers import OCT, cadre_on, earn

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SH)  # October is frozen, November is running


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def jia(org, personas):
    """张甲 covers 球场 (江岸) with 9 points in October, frozen."""
    cadre = cadre_on(org.s_jiangan2, org.jiangan, "county", name="甲")
    earn(cadre, 9, OCT)
    freeze_month(month=OCT, now=dt.datetime(2026, 11, 1, 1, tzinfo=SH))
    return cadre


def links(html: str, css_class: str = "report-link") -> list[str]:
    return re.findall(rf'<a class="{css_class}"[^>]*href="([^"]+)"', html)


def page(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "?month=2026-10"),
        ({"period": "quarter", "month": "2026-10"}, "?quarter=2026-Q4"),
        ({"period": "year", "month": "2026-10"}, None),  # no yearly report
    ],
)
def test_a_cadres_breakdown_links_to_their_report_for_the_same_period(
    login, personas, jia, params, expected
):
    client = login(personas.leader)
    for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
        url = reverse("scoring:ranking-breakdown", args=[jia.pk])
        html = client.get(url, params, **htmx).content.decode()
        report = reverse("scoring:cadre-report", args=[jia.pk])
        assert links(html) == ([f"{report}{expected}"] if expected else [])


def test_the_ranking_links_to_the_report_of_the_region_filtered_to(login, personas, org, jia):
    client = login(personas.admin)
    assert links(page(client, "scoring:rankings")) == []  # all provinces: no one bureau

    html = page(client, "scoring:rankings", city="420100", county="420102")
    report = reverse("scoring:bureau-report", args=["420102"])
    assert links(html) == [f"{report}?month=2026-10"]
    assert "江岸区公安分局 2026-10 考核报告（PDF）" in html


def test_without_a_filter_the_ranking_links_to_the_users_own_bureau_report(login, personas):
    html = page(login(personas.leader), "scoring:rankings", period="quarter", month="2026-10")
    assert links(html) == [reverse("scoring:bureau-report", args=["420100"]) + "?quarter=2026-Q4"]


def test_a_cadre_opens_their_own_report_from_my_points(login, org, jia):
    client = login(jia.user)
    html = page(client, "scoring:my-points")
    [url] = links(html)
    assert url == reverse("scoring:cadre-report", args=[jia.pk]) + "?month=2026-10"
    assert "2026-10 考核报告（PDF）" in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_bureau_staff_see_the_report_link_on_a_cadres_points_page(login, personas, jia):
    html = page(login(personas.county_bureau), "scoring:cadre-points", jia.pk)
    assert links(html) == [reverse("scoring:cadre-report", args=[jia.pk]) + "?month=2026-10"]


def test_the_compliance_and_split_pages_link_to_the_bureau_report(login, personas):
    client = login(personas.city_bureau)
    wuhan = reverse("scoring:bureau-report", args=["420100"])
    jiangan = reverse("scoring:bureau-report", args=["420102"])
    assert links(page(client, "liaison:compliance")) == [wuhan]
    assert links(page(client, "liaison:compliance", unit="420102")) == [jiangan]
    split = page(client, "liaison:split-report")
    assert links(split) == [wuhan] and "武汉市公安局 上月考核报告（PDF）" in split


def test_the_navigation_offers_the_ranking_to_overseers_and_my_points_to_cadres(login, personas):
    rankings, mine = reverse("scoring:rankings"), reverse("scoring:my-points")
    for persona in (personas.leader, personas.city_bureau, personas.admin):
        nav = page(login(persona), "home").split('class="mainnav"', 1)[1].split("</nav>")[0]
        assert f'href="{rankings}">月度排名<' in nav and mine not in nav
    nav = page(login(personas.cadre), "home").split('class="mainnav"', 1)[1].split("</nav>")[0]
    assert f'href="{mine}">我的积分<' in nav and rankings not in nav
    station = login(personas.station).get(reverse("home"), follow=True).content.decode()
    assert rankings not in station and mine not in station


def test_the_verify_address_printed_on_the_pdf_opens_the_check_of_that_report(
    client, login, personas, jia, tmp_path
):
    pdf = login(personas.leader).get(reverse("scoring:cadre-report", args=[jia.pk])).content
    text = pdf_text(pdf, layout="-raw")
    printed = re.search(r"核验网址\s*(http://testserver(\S+))", text)
    assert printed, text
    address = printed[2]

    client.logout()  # someone holding the printout: the app asks them to log in first
    response = client.get(address)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "code%3D" in response["Location"]  # and back to this check after logging in
    checked = login(personas.station).get(address).content.decode()
    assert "该验证码真实有效" in checked
    assert 'id="verify-subject">张甲 · 江岸区公安分局<' in checked
