"""Station support requests (驻所帮扶/替岗): the services — request, matching free officers,
assignment (refused cleanly), confirmation, hours, cancel / decline — and the database rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from checklists.models import SupportCover, SupportRequest, SupportStatus
from checklists.services import support as services
from stations.scope import scope_of
from tests import factories as f
from tests.checklists.conftest import NOW
from tests.checklists.support_data import END, START, TODAY, officer, request_for, seed_skills


@pytest.fixture(autouse=True)
def _skills(db):
    seed_skills()


def _assign(req, o, by, today=TODAY):
    return services.assign_officer(request=req, officer=o, by=by, today=today, now=NOW)


# --- the request ---------------------------------------------------------------------------


def test_station_staff_request_cover_with_dates_and_skills(org, personas):
    req = request_for(personas.station, "huji", "churujing", needed=2)
    assert req.status == SupportStatus.SUBMITTED
    assert req.station == org.s_jiangan and req.requested_by == personas.station
    assert sorted(s.code for s in req.skills.all()) == ["churujing", "huji"]
    assert req.days == 5


@pytest.mark.parametrize(
    ("start", "end", "needed", "codes", "message"),
    [
        (TODAY - dt.timedelta(days=1), END, 1, ["huji"], "不能从过去的日期开始"),
        (START, START - dt.timedelta(days=1), 1, ["huji"], "结束日期不能早于开始日期"),
        (TODAY + dt.timedelta(days=367), TODAY + dt.timedelta(days=368), 1, ["huji"], "一年以内"),
        (START, START + dt.timedelta(days=90), 1, ["huji"], "最多 90 天"),
        (START, END, 0, ["huji"], "1 至 20 名"),
        (START, END, 1, [], "至少选择一项"),
    ],
)
def test_a_bad_request_is_refused_in_chinese_and_nothing_is_written(
    org, personas, start, end, needed, codes, message
):
    with pytest.raises(ValidationError) as exc:
        request_for(personas.station, *codes, start=start, end=end, needed=needed)
    assert message in " ".join(exc.value.messages)
    assert not SupportRequest.objects.exists()


def test_only_the_station_s_own_staff_may_request_cover_for_it(org, personas):
    other = f.UserFactory(role="station", bureau=None, station=org.s_jianghan)
    with pytest.raises(ValidationError):
        services.submit_request(
            station=org.s_jiangan,
            by=other,
            kind="holiday",
            start_date=START,
            end_date=END,
            officers_needed=1,
            skills=[],
            today=TODAY,
            now=NOW,
        )
    with pytest.raises(ValidationError, match="派出所"):
        request_for(personas.county_bureau, "huji")
    assert not SupportRequest.objects.exists()


def test_the_database_refuses_a_request_ending_before_it_starts(org, personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRequest.objects.create(
            station=org.s_jiangan,
            requested_by=personas.station,
            kind="other",
            start_date=START,
            end_date=START - dt.timedelta(days=1),
            officers_needed=1,
        )


# --- candidates ----------------------------------------------------------------------------


def test_candidates_are_free_officers_over_the_station_with_a_needed_skill_best_first(
    org, personas
):
    both = officer(org.jiangan, "huji", "churujing", name="王两项")
    city = officer(org.wuhan, "huji", name="李市局")
    province = officer(org.hubei, "churujing", "xingzhen", name="赵省厅")
    officer(org.jiangan, "xingzhen", name="钱无关")  # no needed skill
    officer(org.jianghan, "huji", name="孙邻区")  # a sibling county, not over the station
    officer(org.yichang, "huji", name="周宜昌")  # another city
    officer(org.jiangan, "huji", name="吴停用", active=False)
    busy = officer(org.jiangan, "huji", name="郑忙碌")
    free_later = officer(org.jiangan, "huji", name="冯之后")
    other = request_for(personas.station, "huji", start=END, end=END + dt.timedelta(days=2))
    _assign(other, busy, personas.county_bureau)
    later = request_for(
        personas.station, "huji", start=END + dt.timedelta(days=1), end=END + dt.timedelta(days=3)
    )
    _assign(later, free_later, personas.county_bureau)

    req = request_for(personas.station, "huji", "churujing", needed=2)
    found = list(services.candidates(req, scope=scope_of(personas.province_bureau)))
    assert found[0] == both and found[0].matched == 2
    assert set(found) == {both, city, province, free_later}
    # County staff see their county's officers only; city staff also the city's.
    assert set(services.candidates(req, scope=scope_of(personas.county_bureau))) == {
        both,
        free_later,
    }
    assert set(services.candidates(req, scope=scope_of(personas.city_bureau))) == {
        both,
        city,
        free_later,
    }


def test_a_cancelled_request_frees_its_officers(org, personas):
    o = officer(org.jiangan, "huji")
    first = request_for(personas.station, "huji")
    _assign(first, o, personas.county_bureau)
    second = request_for(personas.station, "huji")
    assert list(services.candidates(second, scope=scope_of(personas.county_bureau))) == []
    services.cancel_request(request=first, by=personas.station, now=NOW)
    assert list(services.candidates(second, scope=scope_of(personas.county_bureau))) == [o]


def test_candidates_are_one_query(org, personas, django_assert_num_queries):
    for i in range(5):
        officer(org.jiangan, "huji", name=f"王{i}")
    req = request_for(personas.station, "huji")
    with django_assert_num_queries(1):
        assert len(list(services.candidates(req, scope=scope_of(personas.county_bureau)))) == 5


# --- assigning -----------------------------------------------------------------------------


def test_assigning_as_many_officers_as_needed_marks_the_request_assigned(org, personas):
    a, b = officer(org.jiangan, "huji", name="王甲"), officer(org.wuhan, "huji", name="李乙")
    req = request_for(personas.station, "huji", needed=2)
    cover = _assign(req, a, personas.city_bureau)
    assert cover.start_date == START and cover.end_date == END
    req.refresh_from_db()
    assert req.status == SupportStatus.SUBMITTED
    _assign(req, b, personas.city_bureau)
    req.refresh_from_db()
    assert req.status == SupportStatus.ASSIGNED
    assert req.history.first().status == SupportStatus.ASSIGNED
    with pytest.raises(ValidationError, match="已有所需的 2 名"):
        _assign(req, officer(org.jiangan, "huji", name="赵丙"), personas.city_bureau)


def test_an_officer_busy_on_overlapping_dates_is_refused_and_nothing_is_written(org, personas):
    o = officer(org.jiangan, "huji", name="王忙碌")
    first = request_for(personas.station, "huji")
    _assign(first, o, personas.county_bureau)
    other_station = f.UserFactory(role="station", bureau=None, station=org.s_jiangan2)
    second = request_for(other_station, "huji", start=END, end=END + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        _assign(second, o, personas.county_bureau)
    assert "王忙碌" in exc.value.messages[0] and "大智派出所" in exc.value.messages[0]
    assert SupportCover.objects.filter(request=second).count() == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda org: officer(org.jiangan, "xingzhen"), "没有本次申请所需的任何技能"),
        (lambda org: officer(org.jiangan, "huji", active=False), "暂不能参加帮扶"),
        (lambda org: officer(org.jianghan, "huji"), "不属于该派出所的上级公安机关"),
    ],
)
def test_an_unsuitable_officer_is_refused_clearly(org, personas, make, message):
    req = request_for(personas.station, "huji")
    with pytest.raises(ValidationError) as exc:
        _assign(req, make(org), personas.province_bureau)
    assert message in exc.value.messages[0]
    assert not SupportCover.objects.exists()


def test_bureau_staff_outside_the_station_scope_cannot_assign(org, personas):
    o = officer(org.jiangan, "huji")
    req = request_for(personas.station, "huji")
    for user in (personas.other_city_bureau, personas.station, personas.leader):
        with pytest.raises(ValidationError):
            _assign(req, o, user)
    assert not SupportCover.objects.exists()


def test_the_database_keeps_one_cover_per_officer_and_request(org, personas):
    o = officer(org.jiangan, "huji")
    req = request_for(personas.station, "huji", needed=2)
    _assign(req, o, personas.county_bureau)
    with pytest.raises(ValidationError, match="已分配"):
        _assign(req, o, personas.county_bureau)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportCover.objects.create(
            request=req, officer=o, start_date=START, end_date=END, assigned_by=personas.admin
        )


def test_removing_an_officer_reopens_the_request(org, personas):
    o = officer(org.jiangan, "huji")
    req = request_for(personas.station, "huji")
    cover = _assign(req, o, personas.county_bureau)
    services.remove_officer(cover=cover, by=personas.county_bureau, now=NOW)
    req.refresh_from_db()
    assert req.status == SupportStatus.SUBMITTED and not req.covers.exists()


# --- confirm, hours, cancel, decline -------------------------------------------------------


def _confirmed(org, personas, needed=2):
    req = request_for(personas.station, "huji", needed=needed)
    covers = [
        _assign(req, officer(org.jiangan, "huji", name=f"王{i}"), personas.county_bureau)
        for i in range(needed)
    ]
    services.confirm_request(request=req, by=personas.station, now=NOW)
    req.refresh_from_db()
    return req, covers


def test_the_station_confirms_then_hours_complete_the_request(org, personas):
    req, (a, b) = _confirmed(org, personas)
    assert req.status == SupportStatus.CONFIRMED and req.confirmed_by == personas.station
    on_day = START + dt.timedelta(days=1)
    done = services.record_cover(
        cover=a, by=personas.station, hours=Decimal("32"), incidents=5, today=on_day, now=NOW
    )
    assert done is False
    done = services.record_cover(
        cover=b,
        by=personas.county_bureau,
        hours=Decimal("40.5"),
        incidents=3,
        today=on_day,
        now=NOW,
    )
    req.refresh_from_db()
    assert done is True and req.status == SupportStatus.COMPLETED
    b.refresh_from_db()
    assert (
        b.hours == Decimal("40.5") and b.incidents == 3 and b.recorded_by == personas.county_bureau
    )


def test_hours_are_refused_before_the_support_starts_or_beyond_the_days(org, personas):
    req, (a,) = _confirmed(org, personas, needed=1)
    with pytest.raises(ValidationError, match="开始当天"):
        services.record_cover(
            cover=a, by=personas.station, hours=Decimal(8), incidents=0, today=TODAY, now=NOW
        )
    with pytest.raises(ValidationError, match="120"):
        services.record_cover(
            cover=a, by=personas.station, hours=Decimal(121), incidents=0, today=START, now=NOW
        )
    a.refresh_from_db()
    assert a.recorded_at is None and a.hours is None


def test_only_a_fully_assigned_request_can_be_confirmed_and_only_by_its_station(org, personas):
    req = request_for(personas.station, "huji", needed=2)
    _assign(req, officer(org.jiangan, "huji"), personas.county_bureau)
    with pytest.raises(ValidationError, match="全部"):
        services.confirm_request(request=req, by=personas.station, now=NOW)
    _assign(req, officer(org.jiangan, "huji", name="李二"), personas.county_bureau)
    req.refresh_from_db()
    with pytest.raises(ValidationError):
        services.confirm_request(request=req, by=personas.county_bureau, now=NOW)
    req.refresh_from_db()
    assert req.status == SupportStatus.ASSIGNED


def test_a_declined_request_needs_a_reason(org, personas):
    req = request_for(personas.station, "huji")
    with pytest.raises(ValidationError, match="理由"):
        services.decline_request(request=req, by=personas.county_bureau, reason="  ", now=NOW)
    services.decline_request(
        request=req, by=personas.county_bureau, reason="节日期间警力紧张", now=NOW
    )
    req.refresh_from_db()
    assert req.status == SupportStatus.DECLINED and req.decline_reason == "节日期间警力紧张"
    with pytest.raises(ValidationError):
        services.cancel_request(request=req, by=personas.station, now=NOW)


def test_a_confirmed_request_can_no_longer_be_cancelled_or_changed(org, personas):
    req, (a,) = _confirmed(org, personas, needed=1)
    with pytest.raises(ValidationError, match="不能再撤销"):
        services.cancel_request(request=req, by=personas.station, now=NOW)
    with pytest.raises(ValidationError):
        services.remove_officer(cover=a, by=personas.county_bureau, now=NOW)
    assert SupportCover.objects.filter(pk=a.pk).exists()
