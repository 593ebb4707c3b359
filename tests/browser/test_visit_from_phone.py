"""A county cadre logs an unannounced visit from a phone; the week shows as met, and a
bureau user sees it in the compliance table once the week is over."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from checklists.models import Problem
from liaison.models import Visit
from liaison.services.sweep import flag_missed_periods
from tests import factories as f

pytestmark = pytest.mark.browser

SUNDAY_MORNING = dt.datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = {"width": 360, "height": 780}


@pytest.fixture(autouse=True)
def _default_checklists(transactional_db):
    """Live-server tests flush the database after each test, which also empties what the
    data migration loaded (checklist templates, categories): load the defaults again."""
    from django.apps import apps

    migration = importlib.import_module("checklists.migrations.0002_seed_defaults")
    migration.seed(apps, None)


@pytest.fixture
def county_cadre(personas):
    """The 江岸 county cadre who has covered 大智派出所 since January."""
    return personas.cadre.cadre


def _log_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def test_cadre_logs_a_visit_on_a_phone_and_the_bureau_sees_it(
    live_server, browser, org, personas, county_cadre
):
    with time_machine.travel(SUNDAY_MORNING, tick=True):
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = phone.new_page()
        _log_in(page, live_server.url, county_cadre.user.username)

        expect(page.locator("#current-period")).to_contain_text("2026-11-16")
        expect(page.locator("#period-status")).not_to_contain_text("✓")
        page.click("#log-visit")

        for name in (
            "no_notice",
            "no_greeting",
            "no_report",
            "no_escort",
            "straight_to_grassroots",
            "straight_to_scene",
        ):
            page.check(f"input[name={name}]")
        page.locator("input[name=inspected]").first.check()
        page.locator("input[name=activities]").first.check()
        page.fill("textarea[name=findings]", "接处警登记不完整")
        page.select_option("select[name=problems-0-category]", index=1)
        page.fill("[name=problems-0-description]", "值班室消防器材过期")
        page.screenshot(path="/tmp/visit-form-phone.png", full_page=True)
        page.click("form button.submit")

        expect(page.locator("#period-status")).to_contain_text("✓")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path="/tmp/cadre-home-phone.png", full_page=True)
        phone.close()

    visit = Visit.objects.get()
    assert visit.unannounced and visit.station == org.s_jiangan
    assert visit.inspected and visit.activities
    problem = Problem.objects.get()
    assert problem.status == "draft" and problem.source_visit == visit

    # The week ends; the nightly sweep records it; the county bureau reads the table.
    flag_missed_periods(today=dt.date(2026, 11, 23))
    with time_machine.travel(SUNDAY_MORNING + dt.timedelta(days=1), tick=True):
        desk = browser.new_context(locale="zh-CN")
        page = desk.new_page()
        _log_in(page, live_server.url, personas.county_bureau.username)
        page.goto(f"{live_server.url}/compliance/?from=2026-11-16&to=2026-11-22")
        row = page.locator(f"#compliance-table tr[data-code='{org.s_jiangan.code}']")
        expect(row).to_contain_text(str(county_cadre))
        expect(row).to_contain_text("100.0 %")
        desk.close()
