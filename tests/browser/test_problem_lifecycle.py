"""A problem's whole life in real Chromium, through the pages only: a cadre raises it during
a visit; the county liaison office publishes it with a deadline and reverse-planned tasks;
the station does the tasks and submits a result; the city liaison office (another bureau
user) verifies it and closes it out; the counters move; a reopen with a reason puts it back
into rectification."""

import datetime as dt
import importlib
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image
from playwright.sync_api import expect

from checklists import rules
from checklists.models import Problem
from tests import factories as f

pytestmark = pytest.mark.browser

# Monday 16 November 2026, 09:00 in Wuhan.
MONDAY_MORNING = dt.datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = MONDAY_MORNING.date()
DEADLINE = dt.date(2026, 12, 11)
DESCRIPTION = "值班室灭火器过期未更换"
TASKS = ("更换过期灭火器", "组织消防器材检查培训")
PHONE = {"width": 360, "height": 780}


@pytest.fixture(autouse=True)
def _default_checklists(transactional_db):
    """Live-server tests flush the database after each test, which also empties what the
    data migration loaded (checklist templates, categories): load the defaults again."""
    from django.apps import apps

    migration = importlib.import_module("checklists.migrations.0002_seed_defaults")
    migration.seed(apps, None)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "灭火器.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "firebrick").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _as(browser, live_server, user, phone=False):
    """A fresh browser session logged in as ``user`` through the login form."""
    viewport = PHONE if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def _nav(page, label):
    page.locator("nav.mainnav").get_by_role("link", name=label, exact=True).click()


def _counter(page, label) -> str:
    kpi = page.locator("#counters-headline .kpi").filter(has_text=label)
    return kpi.locator(".v").inner_text()


def test_a_problem_goes_from_a_visit_to_close_out_and_back(
    live_server, browser, org, personas, photo
):
    cadre, county, city, station = (
        personas.cadre,
        personas.county_bureau,
        personas.city_bureau,
        personas.station,
    )
    with time_machine.travel(MONDAY_MORNING, tick=True):
        # 1. The cadre finds it during an unannounced visit.
        context, page = _as(browser, live_server, cadre)
        _nav(page, "走访登记")
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
        page.fill("textarea[name=findings]", "值班室消防器材检查")
        page.select_option("select[name=problems-0-category]", label="消防和安全隐患")
        page.fill("[name=problems-0-description]", DESCRIPTION)
        page.click("form button.submit")
        expect(page.locator(".messages")).to_contain_text("您的走访已登记")
        _nav(page, "走访记录")
        page.locator("a[href*='/visits/']").filter(has_text="2026-11-16").first.click()
        raised = page.locator("#problems li").filter(has_text=DESCRIPTION)
        expect(raised).to_contain_text("草稿")
        raised.get_by_role("link").click()
        expect(page.locator("#problem-status")).to_contain_text("草稿")
        expect(page.locator("#problem-summary")).to_contain_text("走访中提出")
        context.close()

        # 2. The county liaison office publishes it and plans its tasks backwards.
        context, page = _as(browser, live_server, county)
        _nav(page, "我的工作")
        page.get_by_role("link", name="本单位未销号问题").click()
        page.locator("#work-drafts a").click()
        page.get_by_role("link", name=DESCRIPTION).click()
        summary = page.locator("#problem-summary")
        summary.locator("select[name=responsible]").select_option(str(station.pk))
        summary.locator("input[name=deadline]").fill(DEADLINE.isoformat())
        summary.get_by_role("button", name="公开发布").click()
        expect(page.locator("#problem-status")).to_contain_text("已发布")
        expect(page.locator("#problem-deadline")).to_have_text(DEADLINE.isoformat())
        expect(page.locator("#problem-responsible")).to_contain_text(str(station))

        add = page.locator("#add-tasks")
        for row, title in enumerate(TASKS):
            add.locator(f"input[name=tasks-{row}-title]").fill(title)
        add.get_by_role("button", name="倒排工期").click()
        planned = rules.plan_backwards(deadline=DEADLINE, today=TODAY, steps=len(TASKS))
        for row, day in enumerate(planned):
            expect(add.locator(f"input[name=tasks-{row}-due_date]")).to_have_value(day.isoformat())
        assert planned[-1] == DEADLINE
        add.get_by_role("button", name="添加任务").click()
        tasks = page.locator("#task-table tbody tr")
        expect(tasks).to_have_count(2)
        for title, day in zip(TASKS, planned, strict=True):
            expect(tasks.filter(has_text=title)).to_contain_text(day.isoformat())
            expect(tasks.filter(has_text=title)).to_contain_text(str(station))
        context.close()

        # 3. The station works the tasks from its own list, on a phone, and submits the result.
        context, page = _as(browser, live_server, station, phone=True)
        _nav(page, "我的工作")
        expect(page.locator("#work-table tbody tr")).to_have_count(2)
        page.locator("#work-table a").first.click()
        first = page.locator("#task-table tbody tr").filter(has_text=TASKS[0])
        first.locator("input[name$=progress]").fill("50")
        first.locator("input[name$=note]").fill("已采购新灭火器")
        first.get_by_role("button", name="报告进度").click()
        expect(page.locator("#problem-status")).to_contain_text("整改中")
        expect(first).to_contain_text("已采购新灭火器")
        for title in TASKS:
            row = page.locator("#task-table tbody tr").filter(has_text=title)
            row.get_by_role("button", name="办结", exact=True).click()
            expect(row).to_contain_text(f"{station} 于 2026-11-16 办结")
            expect(row.get_by_role("button")).to_have_count(0)
        results = page.locator("#problem-results")
        results.locator("textarea[name=what_changed]").fill("已更换全部过期灭火器并完成培训")
        results.locator("input[type=file]").set_input_files(photo)
        results.get_by_role("button", name="提交核验").click()
        expect(results).to_contain_text("已更换全部过期灭火器并完成培训")
        expect(results).to_contain_text("等待核验")
        expect(results.locator(".evidence img")).to_have_count(1)
        expect(results.locator("input[name$=rating]")).to_have_count(0)  # not theirs to verify
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path="/tmp/problem-station-phone.png", full_page=True)
        context.close()

        # 4. The city liaison office verifies and closes it out; the counters move.
        context, page = _as(browser, live_server, city)
        _nav(page, "问题统计")
        expect(page.locator("#counters-headline")).to_be_visible()
        assert (_counter(page, "收集问题数"), _counter(page, "解决问题数")) == ("1", "0")
        _nav(page, "我的工作")
        page.get_by_role("link", name="本单位未销号问题").click()
        page.get_by_role("link", name=DESCRIPTION).click()
        expect(page.locator("#close-blocker")).to_contain_text("尚待核验")
        results = page.locator("#problem-results")
        results.get_by_label("优秀").check()
        results.locator("input[name$=note]").fill("现场复查属实")
        results.get_by_role("button", name="核验", exact=True).click()
        expect(results).to_contain_text("优秀")
        expect(results).to_contain_text("现场复查属实")
        page.locator("#problem-summary").get_by_role("button", name="销号", exact=True).click()
        expect(page.locator("#problem-status")).to_contain_text("已销号")
        expect(page.locator("#problem-summary")).to_contain_text(str(city))
        _nav(page, "问题统计")
        assert (_counter(page, "收集问题数"), _counter(page, "解决问题数")) == ("1", "1")
        assert _counter(page, "按期销号率") == "100.0 %"

        # 5. A reopen with a reason puts it back into rectification.
        _nav(page, "问题清单公开发布")
        row = page.locator("#board-table tbody tr").filter(has_text=DESCRIPTION)
        expect(row).to_contain_text("已销号")
        expect(row).to_contain_text("2 / 2")
        row.get_by_role("link", name=DESCRIPTION).click()
        summary = page.locator("#problem-summary")
        summary.locator("textarea[name=reason]").fill("复查发现楼道灭火器仍未更换")
        summary.get_by_role("button", name="重新打开", exact=True).click()
        expect(page.locator("#problem-status")).to_contain_text("整改中")
        expect(page.locator("#problem-status")).to_contain_text("重新打开 1 次")
        expect(summary).to_contain_text("复查发现楼道灭火器仍未更换")
        history = page.locator("#problem-history")
        expect(history).to_contain_text("已销号")
        expect(history).to_contain_text(str(county))
        expect(history).to_contain_text(str(station))
        page.screenshot(path="/tmp/problem-reopened.png", full_page=True)
        _nav(page, "问题统计")
        assert (_counter(page, "收集问题数"), _counter(page, "解决问题数")) == ("1", "0")
        context.close()

    problem = Problem.objects.get()
    assert (problem.status, problem.reopened_count, problem.source_visit.station) == (
        "in_rectification",
        1,
        org.s_jiangan,
    )
