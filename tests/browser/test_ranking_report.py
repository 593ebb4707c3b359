"""In real Chromium: a leader opens the monthly ranking from the navigation, filters it to a
city, opens a cadre's breakdown and downloads the cadre's PDF assessment report, whose text
names the cadre and their rank."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from scoring.services.ranking import freeze_month, last_month
from tests import factories as f
from tests.files import pdf_text
from tests.scoring.ranking_helpers import cadre_on, earn

pytestmark = pytest.mark.browser


@pytest.fixture
def ranked_last_month(org):
    """Last month, frozen: 丁 (西陵, 宜昌) 12, 甲 (江岸) 9, 丙 (a 武汉 city cadre) 7,
    乙 (江汉) 5. 甲 is 2nd of three in the county tier and 2nd of four overall."""
    month = last_month(timezone.localdate())
    cadres = {
        "jia": cadre_on(org.s_jiangan, org.jiangan, "county", name="甲"),
        "yi": cadre_on(org.s_jianghan, org.jianghan, "county", name="乙"),
        "bing": cadre_on(org.s_jiangan2, org.wuhan, "city", name="丙"),
        "ding": cadre_on(org.s_xiling, org.xiling, "county", name="丁"),
    }
    for key, points in {"jia": 9, "yi": 5, "bing": 7, "ding": 12}.items():
        earn(cadres[key], points, month)
    freeze_month(month=month, now=timezone.now())
    return cadres, month


def test_a_leader_filters_the_ranking_to_a_city_and_downloads_a_cadres_pdf(
    live_server, page, log_in, org, ranked_last_month, tmp_path
):
    cadres, month = ranked_last_month
    jia = cadres["jia"]
    leader = f.UserFactory(username="hubei_leader", role="leader", bureau=org.hubei)
    log_in(leader.username, f.PASSWORD)

    page.get_by_role("link", name="月度排名").click()
    expect(page.locator("#ranking-title")).to_contain_text(f"湖北省公安厅 · {month:%Y-%m}")
    expect(page.locator("#ranking-table tbody tr[data-cadre]")).to_have_count(4)

    page.locator("select[name=city]").select_option(label="武汉市公安局")
    expect(page.locator("#ranking-title")).to_contain_text("武汉市公安局")
    rows = page.locator("#ranking-table tbody tr[data-cadre]")
    expect(rows).to_have_count(3)  # 丁 of 宜昌 is filtered out
    expect(rows.first).to_contain_text("张甲")
    bureau_report = reverse("scoring:bureau-report", args=[org.wuhan.code])
    expect(page.locator("#bureau-report-link")).to_have_attribute(
        "href", f"{bureau_report}?month={month:%Y-%m}"
    )

    rows.first.get_by_role("link", name="张甲").click()
    breakdown = page.locator(f"#breakdown-{jia.pk}")
    expect(breakdown.locator(f"#breakdown-table-{jia.pk}")).to_contain_text("9")
    page.screenshot(path="/tmp/ranking_breakdown_browser.png", full_page=True)

    with page.expect_download() as download_info:
        breakdown.locator("a.report-link").click()
    download = download_info.value
    assert download.suggested_filename == f"考核报告_张甲_{month:%Y-%m}.pdf"
    saved = tmp_path / "report.pdf"
    download.save_as(saved)

    # pdftotext spaces the columns as it sees fit: compare without whitespace.
    text = re.sub(r"\s+", "", pdf_text(saved))
    assert "包联干部考核报告" in text and "张甲" in text
    assert f"{month:%Y-%m}9.0第2名/共3名第2名/共4名" in text  # month, points, both ranks
