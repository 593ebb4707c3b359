"""A leader's residency at a station (驻所) and its daily "ten ones" log."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists.models import Residency, ResidencyLog
from checklists.services.residency import log_residency_day, start_residency
from tests import factories as f
from tests.checklists.conftest import NOW

TODAY = NOW.date()


@pytest.fixture
def leader(org):
    return f.UserFactory(role="leader", bureau=org.wuhan, last_name="刘", first_name="局长")


@pytest.fixture
def residency(org, personas, leader):
    return start_residency(
        station=org.s_jiangan,
        leader=leader,
        start_date=TODAY - dt.timedelta(days=2),
        end_date=TODAY + dt.timedelta(days=4),
        by=personas.city_bureau,
        now=NOW,
    )


def test_bureau_staff_register_a_residency_of_a_leader_over_the_station(
    login, org, personas, leader, frozen
):
    client = login(personas.city_bureau)
    response = client.post(
        reverse("checklists:residency-new"),
        {
            "station": org.s_jiangan.pk,
            "leader": leader.pk,
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + dt.timedelta(days=6)).isoformat(),
        },
    )
    residency = Residency.objects.get()
    assert response["Location"] == reverse("checklists:residency-detail", args=[residency.pk])
    assert residency.leader == leader and residency.created_by == personas.city_bureau


def test_a_leader_of_another_city_cannot_reside_here(org, personas):
    outsider = f.UserFactory(role="leader", bureau=org.yichang)
    with pytest.raises(ValidationError, match="上级公安机关"):
        start_residency(
            station=org.s_jiangan,
            leader=outsider,
            start_date=TODAY,
            end_date=TODAY,
            by=personas.province_bureau,
            now=NOW,
        )
    assert not Residency.objects.exists()


def test_the_leader_logs_the_ten_ones_from_the_same_checklist_as_visits(
    login, residency, leader, frozen
):
    client = login(leader)
    url = reverse("checklists:residency-detail", args=[residency.pk])
    page = client.get(url).content.decode()
    assert "开展一次谈心谈话" in page and "召开一次座谈会" in page
    response = client.post(
        url,
        {
            "day": TODAY.isoformat(),
            "activities": ["tanxin-tanhua", "zuotanhui"],
            "note": "与所长谈心",
        },
    )
    assert response.status_code == 302
    log = ResidencyLog.objects.get()
    assert [a["label"] for a in log.activities] == ["开展一次谈心谈话", "召开一次座谈会"]
    # A second log of the same day replaces the first.
    client.post(url, {"day": TODAY.isoformat(), "activities": ["jiechujing"]})
    log = ResidencyLog.objects.get()
    assert [a["code"] for a in log.activities] == ["jiechujing"]


@pytest.mark.parametrize(
    ("day", "codes", "message"),
    [
        (TODAY + dt.timedelta(days=1), ["jiechujing"], "未来"),
        (TODAY - dt.timedelta(days=3), ["jiechujing"], "驻所期间"),
        (TODAY, ["not-an-item"], "停用"),
        (TODAY, [], "至少勾选一项"),
    ],
)
def test_a_bad_log_is_refused_and_nothing_is_written(residency, leader, day, codes, message):
    with pytest.raises(ValidationError, match=message):
        log_residency_day(
            residency=residency, by=leader, day=day, activities=codes, today=TODAY, now=NOW
        )
    assert not ResidencyLog.objects.exists()


def test_others_cannot_log_and_out_of_scope_answers_404(login, org, personas, residency):
    with pytest.raises(ValidationError):
        log_residency_day(
            residency=residency,
            by=personas.station,
            day=TODAY,
            activities=["jiechujing"],
            today=TODAY,
            now=NOW,
        )
    url = reverse("checklists:residency-detail", args=[residency.pk])
    assert login(personas.other_city_bureau).get(url).status_code == 404
    assert login(personas.station).get(url).status_code == 200


def test_station_staff_posting_a_log_get_a_message_and_nothing_is_written(
    login, personas, residency, frozen
):
    url = reverse("checklists:residency-detail", args=[residency.pk])
    response = login(personas.station).post(
        url, {"day": TODAY.isoformat(), "activities": ["jiechujing"]}
    )
    assert response.status_code == 400
    assert "只有驻所领导或235机制办可以记录驻所情况" in response.content.decode()
    assert not ResidencyLog.objects.exists()


def test_the_form_shows_today_s_log_to_correct_it(login, residency, leader, frozen):
    log_residency_day(
        residency=residency,
        by=leader,
        day=TODAY,
        activities=["zuotanhui"],
        note="座谈",
        today=TODAY,
        now=NOW,
    )
    page = login(leader).get(reverse("checklists:residency-detail", args=[residency.pk]))
    html = page.content.decode()
    assert re.search(r'value="zuotanhui"[^>]*checked', html) and "座谈</textarea>" in html
    assert not re.search(r'value="jiechujing"[^>]*checked', html)


def test_a_leader_resides_at_one_station_at_a_time_and_a_double_submit_writes_one(
    login, org, personas, leader, frozen
):
    client = login(personas.city_bureau)
    data = {
        "station": org.s_jiangan.pk,
        "leader": leader.pk,
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + dt.timedelta(days=6)).isoformat(),
    }
    assert client.post(reverse("checklists:residency-new"), data).status_code == 302
    again = client.post(reverse("checklists:residency-new"), data)
    assert again.status_code == 400
    assert "与本次日期冲突" in again.content.decode()
    elsewhere = {**data, "station": org.s_jianghan.pk, "start_date": data["end_date"]}
    response = client.post(reverse("checklists:residency-new"), elsewhere)
    assert response.status_code == 400
    assert (
        "已安排于" in response.content.decode() and org.s_jiangan.name in response.content.decode()
    )
    assert Residency.objects.count() == 1
    # The day after it ends, the same leader may reside elsewhere.
    later = {**elsewhere, "start_date": (TODAY + dt.timedelta(days=7)).isoformat()}
    later["end_date"] = later["start_date"]
    assert client.post(reverse("checklists:residency-new"), later).status_code == 302
    assert Residency.objects.count() == 2


def test_the_registration_form_reads_in_chinese(login, personas, leader):
    html = login(personas.city_bureau).get(reverse("checklists:residency-new")).content.decode()
    assert "Select an option" not in html and "— 驻所领导 —" in html


@pytest.mark.parametrize("station_id", ["abc", "", "9999999"])
def test_a_tampered_station_id_gets_a_chinese_message_not_a_crash(
    login, personas, leader, station_id
):
    response = login(personas.city_bureau).post(
        reverse("checklists:residency-new"),
        {
            "station": station_id,
            "leader": leader.pk,
            "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "请选择派出所。" in response.content.decode()
    assert not Residency.objects.exists()
