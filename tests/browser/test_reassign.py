"""Reassigning a station's cadre in real Chromium: the htmx panel swap, end to end."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from liaison.models import Assignment
from tests import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def reassignable(org, personas):
    """球场派出所 covered for a month by a 江岸 county cadre; a never-assigned Wuhan city
    cadre may take over; a free 江汉 cadre is outside the station's county."""
    today = timezone.localdate()
    old_cadre = f.CadreFactory(
        bureau=org.jiangan, user=f.UserFactory(role="cadre", bureau=org.jiangan, last_name="李")
    )
    old = f.AssignmentFactory(
        cadre=old_cadre, station=org.s_jiangan2, start_date=today - dt.timedelta(days=30)
    )
    new_cadre = f.CadreFactory(
        bureau=org.wuhan, user=f.UserFactory(role="cadre", bureau=org.wuhan, last_name="王")
    )
    outsider = f.CadreFactory(
        bureau=org.jianghan, user=f.UserFactory(role="cadre", bureau=org.jianghan, last_name="赵")
    )
    return old, new_cadre, outsider, today


def _open_station(live_server, page, station):
    page.goto(live_server.url + reverse("liaison:station-detail", args=[station.pk]))
    return page.locator("#assignment-panel")


def test_city_bureau_reassigns_a_station_and_the_panel_swaps_without_reload(
    live_server, page, log_in, org, personas, reassignable
):
    old, new_cadre, outsider, today = reassignable
    log_in(personas.city_bureau.username, f.PASSWORD)
    panel = _open_station(live_server, page, org.s_jiangan2)

    expect(page.locator("#current-cadre")).to_contain_text(str(old.cadre))
    cadre_select = panel.locator("select[name=cadre]")
    offered = cadre_select.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert str(new_cadre.pk) in offered
    assert str(outsider.pk) not in offered  # a 江汉 cadre may not cover a 江岸 station
    assert str(old.cadre.pk) not in offered  # busy here already

    # A full page load would wipe this; an htmx swap of the panel keeps it.
    page.evaluate("window.__noReload = 'still here'")
    cadre_select.select_option(str(new_cadre.pk))
    panel.locator("input[name=start_date]").fill(today.isoformat())
    assign_url = reverse("liaison:station-assign", args=[org.s_jiangan2.pk])
    with page.expect_response(lambda r: r.url.endswith(assign_url)) as response_info:
        panel.locator(f"form[action='{assign_url}'] button[type=submit]").click()
    response = response_info.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    expect(page.locator("#current-cadre")).to_contain_text(str(new_cadre))
    history = page.locator("#assignment-history tbody tr")
    expect(history).to_have_count(2)
    old_row = history.filter(has_text=str(old.cadre))
    expect(old_row).to_contain_text((today - dt.timedelta(days=30)).isoformat())
    expect(old_row).to_contain_text((today - dt.timedelta(days=1)).isoformat())
    assert page.evaluate("window.__noReload") == "still here"
    page.screenshot(path="/tmp/reassign.png", full_page=True)

    old.refresh_from_db()
    assert old.end_date == today - dt.timedelta(days=1)
    current = Assignment.objects.active().get(station=org.s_jiangan2)
    assert (current.cadre, current.start_date, current.created_by) == (
        new_cadre,
        today,
        personas.city_bureau,
    )


def test_the_start_date_is_prefilled_with_today_in_chinese(
    live_server, page, log_in, org, personas, reassignable
):
    _old, _new_cadre, _outsider, today = reassignable
    log_in(personas.city_bureau.username, f.PASSWORD)
    panel = _open_station(live_server, page, org.s_jiangan2)

    expect(panel.locator("input[name=start_date]")).to_have_value(today.isoformat(), timeout=2_000)
