"""Secondment services: what they write, what they refuse (in Chinese, writing nothing), and
the database constraints behind them."""

import datetime as dt
import io
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from liaison.models import Absence, Secondment, SecondmentAssessment, SpotCheck
from liaison.secondments import services
from liaison.secondments.rules import Standing
from tests import factories as f
from tests.liaison.secondments_helpers import NOW, TODAY, SecondmentFactory, absence

D = dt.date


@pytest.fixture
def secondment(org):
    return SecondmentFactory(station=org.s_jiangan, officer_name="王挂职", police_number="4201001")


def _counts():
    return (
        Secondment.objects.count(),
        Absence.objects.count(),
        SpotCheck.objects.count(),
        SecondmentAssessment.objects.count(),
        Secondment.history.count(),
        Absence.history.count(),
    )


def refused(message, call, **kwargs):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    assert message in " ".join(exc.value.messages)
    assert _counts() == before
    return exc


# --- Creating and extending ---------------------------------------------------------------


def test_city_staff_create_a_one_year_secondment_in_the_batch_of_its_start(org, personas):
    s = services.create_secondment(
        officer_name=" 刘洋 ",
        police_number="0421007",
        home_bureau=org.wuhan,
        station=org.s_jianghan,
        start_date=D(2026, 3, 1),
        by=personas.city_bureau,
        now=NOW,
    )
    assert (s.officer_name, s.year, s.end_date) == ("刘洋", 2026, D(2027, 2, 28))
    assert s.history.get().history_user == personas.city_bureau


def test_a_station_outside_the_scope_is_refused(org, personas):
    refused(
        "只有负责该派出所的235机制办",
        services.create_secondment,
        officer_name="刘洋",
        police_number="0421007",
        home_bureau=org.wuhan,
        station=org.s_xiling,
        start_date=D(2026, 3, 1),
        by=personas.city_bureau,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"police_number": "12AB"}, "警号应为 6 至 10 位数字。"),
        ({"officer_name": "  "}, "请输入挂职干部姓名。"),
        ({"end_date": D(2026, 3, 1)}, "结束日期必须晚于开始日期。"),
        ({"station_attr": "s_jiangan"}, "大智派出所在 2026 年度已有挂职干部。"),
        ({"police_number": "4201001", "station_attr": "s_jiangan2"}, "已有挂职安排"),
        ({"start_date": D(9999, 6, 1)}, "开始日期须在今天前后一年之内"),
        ({"start_date": D(2025, 12, 2)}, "开始日期须在今天前后一年之内"),
        ({"end_date": D(2027, 3, 1)}, "结束日期不能晚于 2027-02-28"),
    ],
)
def test_bad_secondments_are_refused_in_chinese_and_nothing_is_written(
    org, personas, secondment, changes, message
):
    data = {
        "officer_name": "刘洋",
        "police_number": "0421007",
        "home_bureau": org.wuhan,
        "station": org.s_jiangan2,
        "start_date": D(2026, 3, 1),
        "by": personas.city_bureau,
        "now": NOW,
    }
    station = changes.pop("station_attr", None)
    data.update(changes)
    if station:
        data["station"] = getattr(org, station)
    refused(message, services.create_secondment, **data)


def test_the_database_keeps_one_secondee_per_station_and_one_secondment_per_officer_a_year(
    org, secondment
):
    with pytest.raises(IntegrityError), transaction.atomic():
        SecondmentFactory(station=org.s_jiangan)
    with pytest.raises(IntegrityError), transaction.atomic():
        SecondmentFactory(station=org.s_jiangan2, police_number=secondment.police_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        SecondmentFactory(station=org.s_jianghan, end_date=D(2026, 2, 1))
    SecondmentFactory(station=org.s_jiangan2, start_date=D(2027, 3, 1), end_date=D(2028, 2, 29))


def test_an_extension_takes_the_next_year_at_the_same_station_once(personas, secondment):
    extension = services.extend_secondment(
        secondment=secondment, by=personas.county_bureau, now=NOW
    )
    assert (extension.year, extension.start_date, extension.end_date) == (
        2027,
        D(2027, 3, 1),
        D(2028, 2, 29),
    )
    assert (extension.police_number, extension.station_id) == (
        secondment.police_number,
        secondment.station_id,
    )
    assert extension.extends == secondment
    refused(
        "该挂职已延期，不能重复延期。",
        services.extend_secondment,
        secondment=secondment,
        by=personas.county_bureau,
        now=NOW,
    )
    # At most one extension per secondment, in the database too.
    with pytest.raises(IntegrityError), transaction.atomic():
        SecondmentFactory(
            station=secondment.station,
            start_date=D(2028, 3, 1),
            end_date=D(2029, 2, 28),
            extends=secondment,
        )


def test_a_secondment_not_recognised_or_at_a_closed_station_is_not_extended(
    personas, secondment, org
):
    Secondment.objects.filter(pk=secondment.pk).update(absent_days=16)
    secondment.refresh_from_db()
    refused(
        "挂职经历不予认定的挂职不能延期。",
        services.extend_secondment,
        secondment=secondment,
        by=personas.county_bureau,
        now=NOW,
    )
    Secondment.objects.filter(pk=secondment.pk).update(absent_days=15)
    secondment.refresh_from_db()
    type(org.s_jiangan).objects.filter(pk=org.s_jiangan.pk).update(active=False)
    secondment.station.refresh_from_db()
    refused(
        "该派出所已停用。",
        services.extend_secondment,
        secondment=secondment,
        by=personas.county_bureau,
        now=NOW,
    )


# --- Absences -------------------------------------------------------------------------------


def record(secondment, by, start, end, kind="personal", today=TODAY):
    return services.record_absence(
        secondment=secondment,
        start_date=start,
        end_date=end,
        kind=kind,
        note="",
        by=by,
        today=today,
        now=NOW,
    )


def test_station_staff_record_an_absence_counted_in_chinese_working_days(personas, secondment):
    # National Day week: 1–7 October off, Saturday 10 October worked (调休).
    a = record(secondment, personas.station, D(2026, 9, 28), D(2026, 10, 12))
    secondment.refresh_from_db()
    assert a.working_days == 7  # Monday–Friday would give 11
    assert secondment.absent_days == 7
    assert a.history.get().history_user == personas.station


def test_crossing_the_thresholds_changes_the_standing(personas, secondment):
    record(secondment, personas.station, D(2026, 9, 28), D(2026, 10, 12))  # 7
    record(secondment, personas.station, D(2026, 11, 2), D(2026, 11, 4))  # 3 → 10
    secondment.refresh_from_db()
    assert (secondment.absent_days, secondment.standing) == (10, Standing.WARNING)
    record(secondment, personas.station, D(2026, 11, 9), D(2026, 11, 11))  # 13
    secondment.refresh_from_db()
    assert secondment.standing is Standing.SERIOUS
    record(secondment, personas.station, D(2026, 11, 16), D(2026, 11, 17))  # 15
    secondment.refresh_from_db()
    assert (secondment.absent_days, secondment.standing) == (15, Standing.SERIOUS)
    record(secondment, personas.station, D(2026, 11, 18), D(2026, 11, 18))  # 16
    secondment.refresh_from_db()
    assert secondment.standing is Standing.NOT_RECOGNISED
    assert not secondment.recognised


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (D(2026, 10, 1), D(2026, 10, 7), "所填日期均为休息日或法定节假日"),
        (D(2026, 10, 9), D(2026, 10, 8), "结束日期不能早于开始日期。"),
        (D(2026, 2, 27), D(2026, 3, 2), "日期必须在挂职期限（2026-03-01 至 2027-02-28）之内。"),
        (D(2026, 12, 3), D(2026, 12, 7), "不能提前登记缺勤。"),
        (D(2026, 9, 30), D(2026, 10, 9), "与已登记的缺勤（2026-09-28 至 2026-09-30）重叠"),
        (D(2026, 9, 25), D(2026, 9, 28), "重叠，同一天不能重复计算"),
    ],
)
def test_bad_absences_are_refused_and_a_day_never_counts_twice(
    personas, secondment, start, end, message
):
    record(secondment, personas.station, D(2026, 9, 28), D(2026, 9, 30))
    refused(
        message,
        services.record_absence,
        secondment=secondment,
        start_date=start,
        end_date=end,
        kind="sick",
        by=personas.station,
        today=TODAY,
        now=NOW,
    )
    secondment.refresh_from_db()
    assert secondment.absent_days == 3


@pytest.mark.parametrize("persona", ["county_bureau", "leader", "cadre"])
def test_only_the_host_stations_staff_record_attendance(personas, secondment, org, persona):
    refused(
        "挂职干部的考勤只能由挂职派出所登记。",
        services.record_absence,
        secondment=secondment,
        start_date=D(2026, 11, 2),
        end_date=D(2026, 11, 3),
        kind="sick",
        by=getattr(personas, persona),
        today=TODAY,
        now=NOW,
    )
    other = f.UserFactory(role="station", station=org.s_jiangan2)
    refused(
        "挂职干部的考勤只能由挂职派出所登记。",
        services.record_absence,
        secondment=secondment,
        start_date=D(2026, 11, 2),
        end_date=D(2026, 11, 3),
        kind="sick",
        by=other,
        today=TODAY,
        now=NOW,
    )


def test_absences_counted_before_the_calendar_knew_the_year_are_counted_again(
    personas, secondment, monkeypatch
):
    # Recorded while the calendar did not know 2026 yet: Monday to Friday, holidays included.
    monkeypatch.setattr(
        services,
        "working_days",
        lambda start, end: sum(
            (start + dt.timedelta(days=n)).weekday() < 5 for n in range((end - start).days + 1)
        ),
    )
    record(secondment, personas.station, D(2026, 9, 28), D(2026, 10, 12))
    secondment.refresh_from_db()
    assert secondment.absent_days == 11
    monkeypatch.undo()
    # The package now knows the year: National Day week off, Saturday 10 October worked.
    assert services.recount_absences() == 1
    secondment.refresh_from_db()
    assert secondment.absent_days == 7
    assert secondment.absences.get().working_days == 7
    assert services.recount_absences() == 0  # running twice equals running once
    call_command("recount_absences", stdout=io.StringIO())
    secondment.refresh_from_db()
    assert secondment.absent_days == 7


def test_the_total_is_rebuilt_from_the_absences(secondment):
    absence(secondment, D(2026, 9, 28), D(2026, 10, 12))
    Secondment.objects.filter(pk=secondment.pk).update(absent_days=0)
    services.refresh_absent_days([secondment.pk])
    services.refresh_absent_days([secondment.pk])
    secondment.refresh_from_db()
    assert secondment.absent_days == 7


# --- Spot checks and the assessment ----------------------------------------------------------


def test_bureau_staff_record_a_spot_check_and_an_absent_officer_needs_findings(
    personas, secondment
):
    check = services.record_spot_check(
        secondment=secondment,
        checked_on=D(2026, 11, 5),
        present=True,
        by=personas.county_bureau,
        today=TODAY,
        now=NOW,
    )
    assert check.present and check.checked_by == personas.county_bureau
    kwargs = {"secondment": secondment, "by": personas.county_bureau, "today": TODAY, "now": NOW}
    refused(
        "挂职干部不在岗时，请填写抽查情况。",
        services.record_spot_check,
        checked_on=D(2026, 11, 6),
        present=False,
        findings=" ",
        **kwargs,
    )
    refused(
        "当天已有抽查记录。",
        services.record_spot_check,
        checked_on=D(2026, 11, 5),
        present=True,
        **kwargs,
    )
    refused(
        "抽查日期不能晚于今天。",
        services.record_spot_check,
        checked_on=D(2026, 12, 5),
        present=True,
        **kwargs,
    )
    refused(
        "只有负责该派出所的235机制办",
        services.record_spot_check,
        secondment=secondment,
        checked_on=D(2026, 11, 7),
        present=True,
        by=personas.station,
        today=TODAY,
        now=NOW,
    )


def test_the_assessment_opens_in_the_last_month_and_is_recorded_once(personas, secondment):
    kwargs = {
        "secondment": secondment,
        "grade": "excellent",
        "comments": "扎根基层，成效明显。",
        "by": personas.county_bureau,
        "now": NOW,
    }
    refused("自 2027-01-29 起可以登记", services.assess_secondment, today=D(2027, 1, 28), **kwargs)
    assessment = services.assess_secondment(today=D(2027, 1, 29), **kwargs)
    assert assessment.get_grade_display() == "优秀"
    refused("该挂职已完成考核。", services.assess_secondment, today=D(2027, 3, 1), **kwargs)
    refused(
        "请填写鉴定意见。",
        services.assess_secondment,
        **{
            **kwargs,
            "comments": " ",
            "secondment": SecondmentFactory(
                station=secondment.station, start_date=D(2025, 3, 1), end_date=D(2026, 2, 28)
            ),
        },
        today=D(2027, 3, 1),
    )


def test_no_absence_is_recorded_or_withdrawn_once_assessed(personas, secondment):
    earlier = record(secondment, personas.station, D(2026, 11, 2), D(2026, 11, 3))
    SecondmentAssessment.objects.create(secondment=secondment, grade="competent", comments="好")
    refused(
        "该挂职已完成考核，考勤不能再更改。",
        record,
        secondment=secondment,
        by=personas.station,
        start=D(2026, 11, 9),
        end=D(2026, 11, 9),
    )
    refused(
        "该挂职已完成考核，考勤不能再更改。",
        services.withdraw_absence,
        absence=earlier,
        by=personas.station,
        now=NOW,
    )


@pytest.mark.django_db(transaction=True)
def test_two_assessors_at_once_record_one_assessment_and_the_other_gets_a_message(
    org, personas, monkeypatch
):
    secondment = SecondmentFactory(station=org.s_jiangan, police_number="4201001")
    real_create = services._create

    def slow_create(*args, **kwargs):
        time.sleep(0.5)  # widen the window between "already assessed?" and the insert
        return real_create(*args, **kwargs)

    monkeypatch.setattr(services, "_create", slow_create)
    barrier = threading.Barrier(2)
    outcomes = []

    def assess(user):
        try:
            barrier.wait(timeout=10)
            services.assess_secondment(
                secondment=secondment,
                grade="competent",
                comments="能够履行挂职职责。",
                by=user,
                today=D(2027, 2, 1),
                now=NOW,
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # noqa: BLE001 - a crash is what the test guards against
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assess, args=(u,))
        for u in (personas.county_bureau, personas.city_bureau)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "该挂职已完成考核。"]
    assert SecondmentAssessment.objects.filter(secondment=secondment).count() == 1
