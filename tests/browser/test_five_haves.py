"""The five-haves audit in real Chromium: county liaison staff audit a station from its page
with one item not met (and a photo), the province-wide view shows the station failing the
standard, and the unmet item becomes a draft problem linked from the audit."""

import importlib
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from checklists.models import Problem
from tests import factories as f
from tests.browser.conftest import nav_click

pytestmark = pytest.mark.browser
NOTE = "热水器损坏，值班民警无热水"


@pytest.fixture(autouse=True)
def _default_checklists(transactional_db):
    """Live-server tests flush the database, data migrations included: load the defaults."""
    from django.apps import apps

    importlib.import_module("checklists.migrations.0002_seed_defaults").seed(apps, None)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "热水器.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_bureau_staff_audit_a_station_and_turn_the_unmet_item_into_a_problem(
    live_server, log_in, org, personas, photo
):
    page = log_in(personas.county_bureau.username, f.PASSWORD)
    page.goto(f"{live_server.url}/lists/five-haves/stations/{org.s_jiangan.pk}/")
    expect(page.locator("#five-haves-status")).to_contain_text("尚未检查")

    # The station page loads its audit history, with the way to a new audit.
    page.goto(live_server.url)
    nav_click(page, "派出所")
    page.get_by_role("link", name="大智派出所").click()
    page.locator("#five-haves-history").get_by_role("link", name="新建五有达标检查").click()

    for item in ("有饭吃", "有值班室", "有洗衣房", "有学习训练场所"):
        page.locator("fieldset", has_text=item).get_by_role("radio", name="已达标").check()
    hot_water = page.locator("fieldset", has_text="有热水")
    hot_water.get_by_role("radio", name="未达标").check()
    hot_water.locator("textarea").fill(NOTE)
    hot_water.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="提交检查结果").click()

    expect(page.locator(".messages")).to_contain_text("五有达标检查已记录")
    expect(page.locator("#audit-outcome")).to_contain_text("未达标")
    row = page.locator("#audit-items tr", has_text="有热水")
    expect(row).to_contain_text(NOTE)
    expect(row.locator("img")).to_have_count(1)

    # The province-wide view (the county's stations for county staff) shows it failing.
    nav_click(page, "五有")
    station = page.locator("#five-haves-table tr", has_text="大智派出所")
    expect(station).to_contain_text("未达标")
    expect(station).to_contain_text("有热水")
    expect(page.locator("#item-failures td").nth(1)).to_have_text("1")

    # From the audit, the unmet item becomes a draft problem, once.
    station.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).click()
    row = page.locator("#audit-items tr", has_text="有热水")
    row.get_by_role("button", name="转为问题").click()
    expect(page.locator(".messages")).to_contain_text("已转为问题清单中的草稿问题")
    row = page.locator("#audit-items tr", has_text="有热水")
    expect(row).to_contain_text("草稿")
    expect(row.get_by_role("button", name="转为问题")).to_have_count(0)
    row.get_by_role("link").last.click()
    expect(page.locator("#problem-status")).to_contain_text("草稿")
    expect(page.locator("body")).to_contain_text(NOTE)
    problem = Problem.objects.get()
    assert problem.station == org.s_jiangan and problem.category.name == "装备保障"
