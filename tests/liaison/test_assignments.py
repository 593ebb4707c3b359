import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from liaison import services
from liaison.models import Assignment
from tests import factories as f

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Views read today's date from the clock: pin it to TODAY (noon in Shanghai)."""
    with time_machine.travel(dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def free_cadre(org):
    return f.CadreFactory(bureau=org.jiangan, tier="county")


def test_database_refuses_a_second_active_cadre_for_a_station(org, personas, free_cadre):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(cadre=free_cadre, station=org.s_jiangan, start_date=TODAY)


def test_database_refuses_a_second_active_station_for_a_cadre(org, personas):
    cadre = personas.cadre.cadre
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(cadre=cadre, station=org.s_jiangan2, start_date=TODAY)


def test_database_refuses_an_assignment_ending_before_it_starts(org, free_cadre):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            cadre=free_cadre,
            station=org.s_jiangan2,
            start_date=TODAY,
            end_date=TODAY - dt.timedelta(days=1),
        )


def test_ended_assignments_do_not_block_a_new_one(org, free_cadre):
    f.AssignmentFactory(
        cadre=free_cadre,
        station=org.s_jiangan2,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    Assignment.objects.create(cadre=free_cadre, station=org.s_jiangan2, start_date=TODAY)
    assert Assignment.objects.filter(station=org.s_jiangan2).count() == 2


def test_reassigning_ends_the_previous_cadre_the_day_before(org, personas, free_cadre):
    old = Assignment.objects.get(station=org.s_jiangan)
    new = services.assign_cadre(
        station=org.s_jiangan,
        cadre=free_cadre,
        start_date=TODAY,
        by=personas.county_bureau,
        today=TODAY,
    )
    old.refresh_from_db()
    assert old.end_date == TODAY - dt.timedelta(days=1)
    assert new.is_active and new.created_by == personas.county_bureau
    # The change is in the history too.
    assert old.history.count() == 2


@pytest.mark.parametrize(
    ("cadre_bureau", "tier", "station", "allowed"),
    [
        ("jiangan", "county", "s_jiangan2", True),
        ("jiangan", "county", "s_jianghan", False),  # another county of the same city
        ("wuhan", "city", "s_jianghan", True),
        ("wuhan", "city", "s_xiling", False),  # another city
        ("hubei", "province", "s_xiling", True),
        ("hubei", "province", "s_furong", False),  # another province
        ("xiantao", "county", "s_xiantao", True),  # directly administered: own county level
        ("xiantao", "city", "s_xiantao", True),
    ],
)
def test_jurisdiction_rule(org, cadre_bureau, tier, station, allowed):
    cadre = f.CadreFactory(bureau=getattr(org, cadre_bureau), tier=tier)
    target = getattr(org, station)
    if allowed:
        services.assign_cadre(station=target, cadre=cadre, start_date=TODAY, by=None, today=TODAY)
        assert Assignment.objects.active().filter(station=target, cadre=cadre).exists()
    else:
        with pytest.raises(ValidationError) as exc:
            services.assign_cadre(
                station=target, cadre=cadre, start_date=TODAY, by=None, today=TODAY
            )
        assert exc.value.code == "jurisdiction"
        assert not Assignment.objects.filter(cadre=cadre).exists()


def test_a_busy_cadre_cannot_take_a_second_station(org, personas):
    with pytest.raises(ValidationError) as exc:
        services.assign_cadre(
            station=org.s_jiangan2,
            cadre=personas.cadre.cadre,
            start_date=TODAY,
            by=None,
            today=TODAY,
        )
    assert exc.value.code == "cadre_busy"


def test_a_start_date_not_after_the_current_one_is_refused(org, free_cadre):
    current = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jiangan, tier="county"),
        station=org.s_jiangan2,
        start_date=dt.date(2026, 11, 10),
    )
    with pytest.raises(ValidationError) as exc:
        services.assign_cadre(
            station=org.s_jiangan2,
            cadre=free_cadre,
            start_date=dt.date(2026, 11, 10),
            by=None,
            today=TODAY,
        )
    assert exc.value.code == "start_before_current"
    current.refresh_from_db()
    assert current.end_date is None


def test_a_back_dated_start_may_not_overlap_the_station_s_history(org, free_cadre):
    """c1 covered the station until 11-15; a new cadre cannot start on 11-01."""
    f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jiangan, tier="county"),
        station=org.s_jiangan2,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 11, 15),
    )
    with pytest.raises(ValidationError) as exc:
        services.assign_cadre(
            station=org.s_jiangan2,
            cadre=free_cadre,
            start_date=dt.date(2026, 11, 1),
            by=None,
            today=TODAY,
        )
    assert exc.value.code == "overlap"
    services.assign_cadre(
        station=org.s_jiangan2,
        cadre=free_cadre,
        start_date=dt.date(2026, 11, 16),
        by=None,
        today=TODAY,
    )


def test_a_back_dated_start_may_not_overlap_the_cadre_s_history(org, free_cadre):
    f.AssignmentFactory(
        cadre=free_cadre,
        station=org.s_jiangan,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 11, 15),
    )
    with pytest.raises(ValidationError) as exc:
        services.assign_cadre(
            station=org.s_jiangan2,
            cadre=free_cadre,
            start_date=dt.date(2026, 11, 1),
            by=None,
            today=TODAY,
        )
    assert exc.value.code == "overlap"


@pytest.mark.parametrize(
    ("start_date", "code"),
    [(dt.date(2026, 11, 23), "start_future"), (dt.date(2026, 10, 21), "start_too_early")],
)
def test_future_and_long_back_dated_starts_are_refused(org, free_cadre, start_date, code):
    with pytest.raises(ValidationError) as exc:
        services.assign_cadre(
            station=org.s_jiangan2, cadre=free_cadre, start_date=start_date, by=None, today=TODAY
        )
    assert exc.value.code == code
    assert not Assignment.objects.filter(cadre=free_cadre).exists()


def test_a_city_cadre_cannot_be_created_at_a_county_bureau(org):
    user = f.UserFactory(role="cadre", bureau=org.jiangan)
    with pytest.raises(ValidationError):
        services.create_cadre(user=user, bureau=org.jiangan, tier="city")


def test_ending_an_assignment_keeps_it_in_the_history(org, personas):
    current = Assignment.objects.get(station=org.s_jiangan)
    services.end_assignment(assignment=current, end_date=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        services.end_assignment(assignment=current, end_date=TODAY, today=TODAY)
    current.refresh_from_db()
    assert current.end_date == TODAY


# --- through the browser-facing views ---------------------------------------------------


def test_bureau_staff_reassign_through_htmx_and_get_the_panel_back(
    client, org, personas, free_cadre
):
    client.force_login(personas.county_bureau)
    url = reverse("liaison:station-assign", args=[org.s_jiangan.pk])
    response = client.post(
        url,
        {"cadre": free_cadre.pk, "start_date": TODAY.isoformat()},
        headers={"HX-Request": "true", "HX-Target": "assignment-panel"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="assignment-panel"')
    assert str(free_cadre) in body
    assert Assignment.objects.active().get(station=org.s_jiangan).cadre == free_cadre


def test_assignment_form_refuses_a_cadre_outside_jurisdiction_in_chinese(client, org, personas):
    outsider = f.CadreFactory(bureau=org.jianghan, tier="county")
    client.force_login(personas.city_bureau)
    response = client.post(
        reverse("liaison:station-assign", args=[org.s_jiangan.pk]),
        {"cadre": outsider.pk, "start_date": TODAY.isoformat()},
    )
    assert response.status_code == 400
    assert "不能为该派出所选择该干部" in response.content.decode()
    assert not Assignment.objects.filter(cadre=outsider).exists()


@pytest.mark.parametrize(
    ("start_date", "message"),
    [
        ("", "请输入开始日期"),
        ("2026-13-40", "请输入有效日期"),
        ("2026-11-23", "开始日期不能晚于今天"),
        ("2026-10-01", "开始日期最早只能是 31 天前"),
    ],
)
def test_assignment_form_rejects_bad_dates_in_chinese_and_writes_nothing(
    client, org, personas, free_cadre, start_date, message
):
    client.force_login(personas.county_bureau)
    with _unchanged_assignments():
        response = client.post(
            reverse("liaison:station-assign", args=[org.s_jiangan.pk]),
            {"cadre": free_cadre.pk, "start_date": start_date},
        )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_end_form_refuses_a_future_end_date_in_chinese(client, org, personas):
    client.force_login(personas.county_bureau)
    with _unchanged_assignments():
        response = client.post(
            reverse("liaison:assignment-end", args=[org.s_jiangan.pk]),
            {"end_date": "2099-01-01"},
        )
    assert response.status_code == 400
    assert "结束日期不能晚于今天" in response.content.decode()


class _unchanged_assignments:
    def __enter__(self):
        self.before = list(Assignment.objects.order_by("pk").values_list("pk", "end_date"))

    def __exit__(self, *exc):
        after = list(Assignment.objects.order_by("pk").values_list("pk", "end_date"))
        assert after == self.before


def test_a_leader_sees_the_panel_without_assignment_forms(client, org, personas):
    client.force_login(personas.leader)
    body = client.get(reverse("liaison:station-detail", args=[org.s_jiangan.pk])).content
    assert b'id="current-cadre"' in body
    assert reverse("liaison:station-assign", args=[org.s_jiangan.pk]).encode() not in body


def test_admin_refuses_an_assignment_outside_jurisdiction(client, org, personas):
    outsider = f.CadreFactory(bureau=org.xiling, tier="county")
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:liaison_assignment_add"),
        {"cadre": outsider.pk, "station": org.s_jiangan2.pk, "start_date": "2026-11-01"},
    )
    assert response.status_code == 200
    assert "不在其包联范围内" in response.content.decode()
    assert not Assignment.objects.filter(cadre=outsider).exists()
