"""Station staff evaluate their cadre on a phone (360 px): every item tapped 1–5, a missing
one explained in Chinese, then submitted once; the cadre sees only the aggregate after the
quarter has ended."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from scoring.models import Evaluation
from tests import factories as f
from tests.scoring.evaluation_helpers import rate, seed_dimensions, staff

pytestmark = pytest.mark.browser

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 780}


@pytest.fixture(autouse=True)
def _default_dimensions(transactional_db):
    """Live-server tests flush the database after each test: load the dimensions again."""
    seed_dimensions()


def _log_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def test_station_staff_rate_their_cadre_on_a_phone_and_the_cadre_sees_the_aggregate(
    live_server, browser, org, personas
):
    assignment = personas.cadre.cadre.assignments.get()
    for colleague in staff(org.s_jiangan, 2):
        rate(assignment, colleague, 4, quarter=dt.date(2026, 10, 1), comment="指导具体")
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=SH), tick=True):
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = phone.new_page()
        _log_in(page, live_server.url, personas.station.username)
        page.click("#evaluation-links a")
        expect(page.locator("h1")).to_have_text("评议包联干部")
        items = page.locator("fieldset.dimension")
        expect(items).to_have_count(4)
        for i in range(3):
            items.nth(i).locator("label.score").nth(4).click()
        page.click("button.submit")
        expect(page.locator(".form-errors")).to_contain_text("请为“工作作风”选择 1 至 5 分")
        assert not Evaluation.objects.filter(rater=personas.station).exists()
        page.locator("fieldset.dimension").nth(3).locator("label.score").nth(3).click()
        page.fill("textarea[name=comment]", "帮助很大")
        page.click("button.submit")
        expect(page.locator("#submitted")).to_contain_text("不能修改")
        # No horizontal scrolling on the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.close()

    with time_machine.travel(dt.datetime(2027, 1, 5, 9, tzinfo=SH), tick=True):
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = phone.new_page()
        _log_in(page, live_server.url, personas.cadre.username)
        page.goto(f"{live_server.url}/scoring/points/")
        quarter = page.locator('.evaluation-summary [data-quarter="2026-10-01"]').first
        expect(quarter).to_contain_text("3 人评价")
        expect(quarter).to_contain_text("走访实效 4.33")
        expect(quarter).not_to_contain_text("所长甲")
        phone.close()
