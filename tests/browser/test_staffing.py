"""In real Chromium: county bureau staff record their staffing figures (a wrong number is
explained in Chinese and nothing is saved), then a provincial leader drills down to the
city, where the county and the city itself are flagged short of 40 %."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stations.models import StaffingReturn
from tests import factories as f
from tests.browser.conftest import nav_click

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}


def test_county_staff_record_figures_and_the_city_roll_up_flags_the_shortfall(
    live_server, browser, page, log_in, org, personas
):
    # 江汉 already reported 200 / 80 / 40 (40 % and 50 %).
    f.StaffingReturnFactory(
        bureau=org.jianghan,
        as_of=timezone.localdate() - dt.timedelta(days=30),
        police_total=200,
        station_police=80,
        community_police=40,
    )
    log_in(personas.county_bureau.username, f.PASSWORD)

    nav_click(page, "两个40%")
    expect(page.locator("#staffing-table tbody")).to_contain_text("未填报")
    page.get_by_role("link", name="填报或更正数据").click()
    expect(page.locator("h1")).to_have_text("江岸区公安分局警力配置数据")

    page.fill("input[name=police_total]", "250")
    page.fill("input[name=station_police]", "260")
    page.fill("input[name=community_police]", "40")
    page.click("#staffing-form button[type=submit]")
    expect(page.locator("#staffing-form")).to_contain_text(
        "派出所警力（260 名）不能多于总警力（250 名）。"
    )
    assert not StaffingReturn.objects.filter(bureau=org.jiangan).exists()

    page.fill("input[name=station_police]", "90")
    page.click("#staffing-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("派出所警力占比 36.0 %")
    expect(page.locator("#current-figures [data-kpi=station-share]")).to_contain_text("不足40%")
    expect(page.locator("#staffing-history tbody tr")).to_have_count(1)

    # A provincial leader drills down from the province to 武汉.
    page.context.clear_cookies()
    leader = f.UserFactory(username="hubei_leader", role="leader", bureau=org.hubei)
    log_in(leader.username, f.PASSWORD)
    nav_click(page, "两个40%")
    expect(page.locator("#breadcrumb")).to_contain_text("湖北省公安厅")
    page.locator("#staffing-table").get_by_role("link", name="武汉市公安局").click()
    expect(page.locator("#breadcrumb")).to_contain_text("武汉市公安局")
    jiangan = page.locator('#staffing-table tr[data-code="420102"]')
    expect(jiangan.locator("[data-share=station]")).to_contain_text("36.0 %")
    expect(jiangan.locator("[data-share=station]")).to_contain_text("不足40%")
    expect(jiangan.locator("[data-share=community]")).to_contain_text("44.4 %")
    expect(jiangan.locator("[data-share=community]")).not_to_contain_text("不足40%")
    # The city: (90 + 80) of (250 + 200) police, 37.7 %: short, although 江汉 meets.
    expect(page.locator("#staffing-total")).to_contain_text("37.7 %")
    expect(page.locator("#staffing-total")).to_contain_text("不足40%")
    assert "unit=420100" in page.url  # the drill-down is in the address, to share or reload
    page.screenshot(path="/tmp/staffing_city_browser.png", full_page=True)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    small = phone.new_page()
    small.goto(f"{live_server.url}/accounts/login/")
    small.fill("input[name=username]", leader.username)
    small.fill("input[name=password]", f.PASSWORD)
    small.click("form button[type=submit]")
    small.wait_for_url(lambda u: "/accounts/login/" not in u)
    small.goto(f"{live_server.url}/org/staffing/?unit=420100")
    expect(small.locator('#staffing-table tr[data-code="420102"]')).to_contain_text("不足40%")
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small.screenshot(path="/tmp/staffing_city_phone.png", full_page=True)
    phone.close()
