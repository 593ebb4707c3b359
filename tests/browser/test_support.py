"""Station support in real Chromium: station staff (on a phone) ask for cover with a skill,
county liaison staff see the matching free officers and assign one (htmx), the station
confirms and records the hours; then an anonymous opinion is accepted into a problem."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from checklists.models import Opinion, SupportRequest
from tests import factories as f
from tests.browser.conftest import nav_click
from tests.checklists.support_data import officer, seed_skills

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
OPINION = "户籍窗口周末无人值守，群众反映办事难"


@pytest.fixture(autouse=True)
def _defaults(transactional_db):
    """Live-server tests flush the database, data migrations included: load the defaults."""
    importlib.import_module("checklists.migrations.0002_seed_defaults").seed(apps, None)
    seed_skills()


def _switch(page, log_in, user, viewport):
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    return log_in(user.username, f.PASSWORD)


def test_a_station_gets_cover_from_headquarters_and_records_the_hours(
    live_server, page, log_in, org, personas
):
    officer(org.jiangan, "huji", "churujing", name="王两项")
    officer(org.wuhan, "huji", name="李户籍")
    officer(org.jiangan, "xingzhen", name="钱刑侦")
    today = timezone.localdate()

    # The station, on a phone, asks for one officer who knows household registration.
    page = _switch(page, log_in, personas.station, PHONE)
    nav_click(page, "申请驻所帮扶")
    page.locator("a.support-new").click()
    page.get_by_label("窗口业务高峰").check()
    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label("结束日期").fill(today.isoformat())
    page.get_by_label("所需民警人数").fill("1")
    page.get_by_label("户籍").check()
    page.get_by_label("出入境").check()
    page.screenshot(path="/tmp/support-station-form.png", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("帮扶申请已提交上级机关")
    expect(page.locator("#support-status")).to_contain_text("已提交")
    page.screenshot(path="/tmp/support-station-request.png", full_page=True)
    request_url = page.url

    # County liaison staff see the matching free officers, best match first, and assign.
    page = _switch(page, log_in, personas.county_bureau, DESK)
    nav_click(page, "驻所帮扶")
    page.screenshot(path="/tmp/support-bureau-list.png", full_page=True)
    page.locator("#support-table").get_by_role("link", name="大智派出所").click()
    candidates = page.locator("#support-candidates tbody tr")
    expect(candidates).to_have_count(1)  # the county's officer; 钱刑侦 lacks the skills
    expect(candidates.first).to_contain_text("王两项")
    page.screenshot(path="/tmp/support-bureau-candidates.png", full_page=True)
    candidates.first.get_by_role("button", name="安排").click()
    expect(page.locator("#support-covers")).to_contain_text("王两项")
    expect(page.locator("#support-staffing")).to_contain_text("已安排 王两项 参加本次帮扶")
    expect(page.locator("#support-candidates")).to_have_count(0)

    # The station confirms and records the hours: the support is complete.
    page = _switch(page, log_in, personas.station, PHONE)
    page.goto(request_url)
    expect(page.locator("#support-status")).to_contain_text("已安排民警")
    page.get_by_role("button", name="确认帮扶民警").click()
    expect(page.locator("#support-status")).to_contain_text("派出所已确认")
    row = page.locator("#support-covers tr", has_text="王两项")
    row.get_by_label("工作时长（小时）").fill("8")
    row.get_by_label("处置警情数").fill("3")
    row.get_by_role("button", name="登记").click()
    expect(page.locator(".messages")).to_contain_text("本次帮扶已完成")
    expect(page.locator("#support-status")).to_contain_text("已完成")
    page.screenshot(path="/tmp/support-station-completed.png", full_page=True)
    req = SupportRequest.objects.get()
    assert req.status == "completed" and req.covers.get().incidents == 3


def test_an_anonymous_opinion_becomes_a_problem(live_server, page, log_in, org, personas):
    page = _switch(page, log_in, personas.station, PHONE)
    nav_click(page, "意见清单")
    page.locator("a.opinion-new").click()
    page.get_by_label("类别").select_option(label="队伍管理")
    page.get_by_label("意见", exact=True).fill(OPINION)
    page.get_by_label("匿名提交").check()
    page.get_by_role("button", name="提交意见").click()
    expect(page.locator(".messages")).to_contain_text("您的意见已提交到意见清单")
    expect(page.locator("#opinion-table")).to_contain_text("匿名")
    page.screenshot(path="/tmp/opinion-station-list.png", full_page=True)

    page = _switch(page, log_in, personas.county_bureau, DESK)
    nav_click(page, "意见清单")
    page.locator("#opinion-table").get_by_role("link", name=OPINION[:10]).click()
    expect(page.locator("#opinion-submitter")).to_contain_text("匿名")
    page.screenshot(path="/tmp/opinion-bureau-review.png", full_page=True)
    page.get_by_role("button", name="采纳为问题").click()
    expect(page.locator(".messages")).to_contain_text("该意见已转为问题清单中的草稿问题")
    expect(page.locator("#problem-status")).to_contain_text("草稿")
    expect(page.locator("body")).to_contain_text(OPINION)
    opinion = Opinion.objects.get()
    assert opinion.submitted_by_id is None and opinion.problem.raised_by == personas.county_bureau


def test_a_resident_leader_logs_the_ten_ones_from_a_phone(live_server, page, log_in, org, personas):
    from checklists.models import ResidencyLog
    from checklists.services.residency import start_residency

    today = timezone.localdate()
    leader = f.UserFactory(role="leader", bureau=org.wuhan, last_name="刘", first_name="局长")
    residency = start_residency(
        station=org.s_jiangan,
        leader=leader,
        start_date=today,
        end_date=today,
        by=personas.city_bureau,
        now=timezone.now(),
    )
    page = _switch(page, log_in, leader, PHONE)
    nav_click(page, "驻所帮扶")
    page.get_by_role("link", name="领导驻所").click()
    page.locator("#residency-table").get_by_role("link", name="刘局长").click()
    page.get_by_label("开展一次谈心谈话").check()
    page.get_by_label("检查一次接处警情况").check()
    page.get_by_role("button", name="记录当天情况").click()
    expect(page.locator(".messages")).to_contain_text("已记录当天的“十个一”")
    expect(page.locator("#residency-logs")).to_contain_text("检查一次接处警情况")
    page.screenshot(path="/tmp/residency-log.png", full_page=True)
    assert ResidencyLog.objects.get(residency=residency).logged_by == leader
