"""The daily reminder mails: due-soon reminders to cadres, missed-period digests to bureau
liaison offices, once per user and day."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison import tasks
from liaison.models import Assignment
from liaison.models.visits import ReminderLog
from liaison.services.reminders import digest_window, send_visit_reminders
from liaison.services.sweep import flag_missed_periods
from liaison.services.visits import record_visit
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
ALL_SIX = dict.fromkeys(
    [
        "no_notice",
        "no_greeting",
        "no_report",
        "no_escort",
        "straight_to_grassroots",
        "straight_to_scene",
    ],
    True,
)
SATURDAY = dt.date(2026, 11, 21)


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def visit(assignment, when, logged=None):
    return record_visit(
        assignment=assignment,
        by=assignment.cadre.user,
        visited_at=when,
        attestation=ALL_SIX,
        now=logged or when + dt.timedelta(hours=1),
    )


def cadre_with_email(bureau, email):
    user = f.UserFactory(role="cadre", bureau=bureau, email=email)
    return f.CadreFactory(bureau=bureau, tier="county", user=user)


def sweep(day):
    flag_missed_periods(today=day, now=at(day.year, day.month, day.day, 0, 30))


@pytest.fixture
def world(org, personas):
    """Swept on Saturday 21 Nov at 00:30.

    大智 (the personas' cadre, with an email): weeks of 2 and 9 Nov missed, this week unmet.
    民族 (a cadre with an email): weeks of 2 and 9 Nov missed, this week met on the 18th.
    定王台 in 湖南 (a cadre without an email): weeks of 2 and 9 Nov missed, this week unmet.
    """
    Assignment.objects.filter(cadre__user=personas.cadre).update(start_date=dt.date(2026, 11, 2))
    personas.cadre.email = "dazhi.cadre@example.cn"
    personas.cadre.save()
    minzu = f.AssignmentFactory(
        cadre=cadre_with_email(org.jianghan, "minzu.cadre@example.cn"),
        station=org.s_jianghan,
        start_date=dt.date(2026, 11, 2),
    )
    f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.furong, tier="county"),
        station=org.s_furong,
        start_date=dt.date(2026, 11, 2),
    )
    visit(minzu, at(2026, 11, 18))
    for persona, email in [
        ("province_bureau", "hubei@example.cn"),
        ("city_bureau", "wuhan@example.cn"),
        ("other_city_bureau", "yichang@example.cn"),
        ("other_province_bureau", "hunan@example.cn"),
        ("leader", "leader@example.cn"),
        # county_bureau has no email
    ]:
        user = getattr(personas, persona)
        user.email = email
        user.save()
    sweep(SATURDAY)
    return {"minzu": minzu}


def mails_to(outbox):
    return {m.to[0]: m for m in outbox}


def test_the_digest_window_is_yesterday_0800_to_today_0800_local():
    assert digest_window(SATURDAY) == (at(2026, 11, 20, 8), at(2026, 11, 21, 8))


def test_cadres_due_soon_and_bureaus_with_new_missed_periods_get_one_mail_each(world, mailoutbox):
    result = send_visit_reminders(today=SATURDAY, now=at(2026, 11, 21, 8))
    mails = mails_to(mailoutbox)
    # No mail: the cadre who met this week, the cadre without an email, the county bureau
    # without an email, the Yichang bureau with nothing missed, the leader (not a bureau user).
    assert set(mails) == {
        "dazhi.cadre@example.cn",
        "hubei@example.cn",
        "wuhan@example.cn",
        "hunan@example.cn",
    }
    assert (result.cadres, result.bureaus, result.already_sent) == (1, 3, 0)

    cadre = mails["dazhi.cadre@example.cn"]
    assert cadre.subject == "走访提醒：大智派出所，截止 2026-11-22"
    assert "同志：" in cadre.body
    assert (
        "大智派出所本走访周期（2026-11-16 至 2026-11-22）尚无四不两直走访，还剩 1 天。"
        in cadre.body
    )

    hubei = mails["hubei@example.cn"]
    assert hubei.subject == "湖北省公安厅：新增 4 个未达标周期"
    assert hubei.body.count("\n- ") == 4
    assert "大智派出所，包联干部" in hubei.body and "2026-11-09 至 2026-11-15" in hubei.body
    assert "定王台派出所" not in hubei.body
    hunan = mails["hunan@example.cn"]
    assert hunan.subject == "湖南省公安厅：新增 2 个未达标周期"
    assert "大智派出所" not in hunan.body
    assert ReminderLog.objects.count() == 4


def test_running_the_reminders_twice_on_the_same_day_sends_nothing_new(world, mailoutbox):
    send_visit_reminders(today=SATURDAY, now=at(2026, 11, 21, 8))
    logs = list(ReminderLog.objects.values_list("user_id", "day", "kind", "items"))
    again = send_visit_reminders(today=SATURDAY, now=at(2026, 11, 21, 9))
    assert len(mailoutbox) == 4
    assert (again.cadres, again.bureaus, again.already_sent) == (0, 0, 4)
    assert list(ReminderLog.objects.values_list("user_id", "day", "kind", "items")) == logs


def test_running_the_task_twice_equals_running_it_once(world, mailoutbox):
    tasks.send_visit_reminders.apply(args=["2026-11-21"]).get()
    once = len(mailoutbox), ReminderLog.objects.count()
    tasks.send_visit_reminders.apply(args=["2026-11-21"]).get()
    assert (len(mailoutbox), ReminderLog.objects.count()) == once == (4, 4)


def test_the_next_digest_holds_only_periods_flagged_since_the_previous_one(
    world, mailoutbox, personas
):
    send_visit_reminders(today=SATURDAY, now=at(2026, 11, 21, 8))
    sweep(dt.date(2026, 11, 22))
    mailoutbox.clear()
    # Sunday: the week ends today (0 days left), nothing new was missed.
    send_visit_reminders(today=dt.date(2026, 11, 22), now=at(2026, 11, 22, 8))
    assert set(mails_to(mailoutbox)) == {"dazhi.cadre@example.cn"}
    assert "还剩 0 天" in mailoutbox[0].body
    # Monday 00:30: the week of 16 Nov is missed at 大智 and 定王台, met at 民族.
    sweep(dt.date(2026, 11, 23))
    mailoutbox.clear()
    send_visit_reminders(today=dt.date(2026, 11, 23), now=at(2026, 11, 23, 8))
    mails = mails_to(mailoutbox)
    assert set(mails) == {"hubei@example.cn", "wuhan@example.cn", "hunan@example.cn"}
    assert mails["hubei@example.cn"].subject == "湖北省公安厅：新增 1 个未达标周期"
    assert "2026-11-16 至 2026-11-22" in mails["hubei@example.cn"].body


def test_a_period_cured_by_a_late_visit_before_the_digest_is_left_out(world, mailoutbox):
    # Saturday 07:00: the cadre of 民族 logs last Saturday's visit, six days late.
    visit(world["minzu"], at(2026, 11, 14), logged=at(2026, 11, 21, 7))
    send_visit_reminders(today=SATURDAY, now=at(2026, 11, 21, 8))
    hubei = mails_to(mailoutbox)["hubei@example.cn"]
    assert hubei.subject == "湖北省公安厅：新增 3 个未达标周期"
    assert "民族派出所，包联干部" in hubei.body
    assert hubei.body.count("民族派出所") == 1


def test_the_reminders_make_the_same_number_of_queries_for_1_and_50_cadres(org, mailoutbox):
    def grow(n):
        for i in range(n):
            f.AssignmentFactory(
                cadre=cadre_with_email(org.jianghan, f"c{i}-{n}@example.cn"),
                station=f.StationFactory(bureau=org.jianghan),
                start_date=dt.date(2026, 11, 2),
            )
            f.UserFactory(role="bureau", bureau=org.wuhan, email=f"b{i}-{n}@example.cn")
        ReminderLog.objects.all().delete()
        sweep(SATURDAY)
        with CaptureQueriesContext(connection) as ctx:
            result = send_visit_reminders(today=SATURDAY, now=at(2026, 11, 21, 8))
        assert result.cadres == result.bureaus == Assignment.objects.count()
        return len(ctx.captured_queries)

    one = grow(1)
    assert grow(49) == one
