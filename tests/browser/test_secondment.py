"""A secondment in real Chromium: county liaison staff create it; the host station's staff,
on a phone, record absences that cross 10 working days over National Day (the Chinese
calendar, not Monday to Friday, decides) and see the warning; the liaison office records a
spot check and the assessment, and the assessment form downloads as a PDF."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from liaison.models import Secondment
from tests import factories as f
from tests.browser.conftest import nav_click
from tests.files import pdf_text

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}
# In the last month of a secondment from 1 March 2026, so that it can be assessed.
LATE_FEBRUARY = dt.datetime(2027, 2, 10, 2, tzinfo=dt.UTC)


def _log_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def test_a_secondment_from_creation_to_its_assessment_form(live_server, browser, org, personas):
    with time_machine.travel(LATE_FEBRUARY, tick=True):
        desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = desk.new_page()
        _log_in(page, live_server.url, personas.county_bureau.username)
        nav_click(page, "挂职干部")
        page.get_by_role("link", name="新增挂职").click()
        page.fill("input[name=officer_name]", "王晓东")
        page.fill("input[name=police_number]", "0421035")
        page.select_option("select[name=station]", label="大智派出所")
        page.fill("input[name=start_date]", "2026-03-01")
        page.click("#secondment-form button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("挂职安排已创建")
        expect(page.locator("#secondment-facts")).to_contain_text("2026-03-01 – 2027-02-28")
        secondment = Secondment.objects.get(police_number="0421035")

        # The host station's staff, on a phone.
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        mobile = phone.new_page()
        _log_in(mobile, live_server.url, personas.station.username)
        nav_click(mobile, "本所挂职干部")
        mobile.get_by_role("link", name="王晓东").click()
        # Monday 21 to Thursday 24 September: 4 working days (Friday 25 is Mid-Autumn).
        mobile.fill("#absence-form input[name=start_date]", "2026-09-21")
        mobile.fill("#absence-form input[name=end_date]", "2026-09-25")
        mobile.select_option("#absence-form select[name=kind]", label="事假")
        mobile.click("#absence-form button[type=submit]")
        expect(mobile.locator(".messages")).to_contain_text(
            "已登记缺勤 4 个工作日，累计 4 个工作日"
        )
        # 28 September to 12 October: National Day off, Saturday 10 October worked. 7, not
        # the 11 of Monday to Friday.
        mobile.fill("#absence-form input[name=start_date]", "2026-09-28")
        mobile.fill("#absence-form input[name=end_date]", "2026-10-12")
        mobile.select_option("#absence-form select[name=kind]", label="病假")
        mobile.click("#absence-form button[type=submit]")
        expect(mobile.locator(".messages")).to_contain_text("累计 11 个工作日")
        expect(mobile.locator("#attendance-banner")).to_contain_text("预警")
        expect(mobile.locator("#attendance-banner")).to_contain_text("再缺勤 4 个工作日")
        expect(mobile.locator("#absences tbody tr")).to_have_count(2)
        # Overlapping days are refused, in Chinese, and nothing changes.
        mobile.fill("#absence-form input[name=start_date]", "2026-10-12")
        mobile.fill("#absence-form input[name=end_date]", "2026-10-13")
        mobile.click("#absence-form button[type=submit]")
        expect(mobile.locator("#absence-form")).to_contain_text("同一天不能重复计算")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        mobile.goto(f"{live_server.url}/secondments/{secondment.pk}/")
        mobile.screenshot(path="/tmp/secondment-phone.png", full_page=True)
        phone.close()
        secondment.refresh_from_db()
        assert secondment.absent_days == 11

        # The liaison office: a spot check and the assessment.
        page.reload()
        page.fill("#spot-check-form input[name=checked_on]", "2027-02-05")
        page.locator("#spot-check-form").get_by_label("不在岗").check()
        page.fill("#spot-check-form textarea[name=findings]", "抽查时不在岗，称回原单位开会。")
        page.click("#spot-check-form button[type=submit]")
        expect(page.locator("#spot-checks")).to_contain_text("回原单位开会")
        page.locator("#assessment-form").get_by_label("称职", exact=True).check()
        page.fill("#assessment-form textarea[name=comments]", "能够履行挂职副所长职责。")
        page.click("#assessment-form button[type=submit]")
        expect(page.locator("#assessment-outcome")).to_have_text("称职")
        page.screenshot(path="/tmp/secondment-page.png", full_page=True)

        href = page.locator("#assessment-pdf").get_attribute("href")
        response = page.request.get(f"{live_server.url}{href}")
        assert response.headers["content-type"] == "application/pdf"
        text = pdf_text(response.body())
        assert "挂职干部考核鉴定表" in text and "王晓东" in text and "称职" in text

        nav_click(page, "挂职干部")
        row = page.locator("#secondment-table tr", has_text="王晓东")
        expect(row).to_contain_text("预警")
        expect(page.locator("[data-kpi=warnings]")).to_have_text("1")
        page.screenshot(path="/tmp/secondment-batch.png", full_page=True)
        desk.close()
