"""The mails after the overdue sweep: one digest per person with overdue items, escalations to
the bureau above, once per person, day and kind."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklists import tasks
from checklists.models import ListReminderLog, Task
from checklists.services.overdue import OverdueReminders, send_overdue_reminders
from tests import factories as f
from tests.checklists.test_overdue import D, published, sweep, sweep_daily

SH = ZoneInfo("Asia/Shanghai")
MONDAY = D(2026, 11, 23)


def remind(day=MONDAY):
    return send_overdue_reminders(today=day, now=dt.datetime.combine(day, dt.time(0, 46), SH))


def mails_to(outbox):
    return {m.to[0]: m for m in outbox}


def person(station, email, **fields):
    return f.UserFactory(role="station", bureau=None, station=station, email=email, **fields)


def bureau_user(bureau, email, **fields):
    return f.UserFactory(role="bureau", bureau=bureau, email=email, **fields)


@pytest.fixture
def world(org):
    """Swept daily from Wednesday 18 Nov to Monday 23 Nov.

    大智 (江岸区, under 武汉): a problem overdue since the 18th (escalated on the 23rd), with
    two overdue tasks of 王所长 and one not yet due; 王所长 is also responsible for a problem
    at 球场 overdue since the 20th. 沙嘴 (仙桃, directly administered): a problem overdue since
    the 18th, its responsible person has no email. 定王台 (湖南): nothing overdue.
    """
    wang = person(org.s_jiangan, "wang@example.cn", last_name="王", first_name="所长")
    li = person(org.s_jiangan, "li@example.cn", last_name="李", first_name="警官")
    dazhi = published(
        org.s_jiangan,
        deadline=D(2026, 11, 17),
        responsible=li,
        reference="HB-2026-0007",
        description="值班室消防器材过期",
    )
    f.TaskFactory(problem=dazhi, assignee=wang, title="更换灭火器", due_date=D(2026, 11, 16))
    f.TaskFactory(problem=dazhi, assignee=wang, title="组织消防培训", due_date=D(2026, 11, 17))
    f.TaskFactory(problem=dazhi, assignee=wang, title="复查", due_date=D(2026, 11, 30))
    published(org.s_jiangan2, deadline=D(2026, 11, 19), responsible=wang)
    shazui = published(
        org.s_xiantao,
        deadline=D(2026, 11, 17),
        responsible=person(org.s_xiantao, ""),
        description="执法办案场所监控缺失",
    )
    people = {
        "wang": wang,
        "li": li,
        "wuhan": bureau_user(org.wuhan, "wuhan@example.cn", last_name="赵", first_name="科长"),
        "wuhan_no_email": bureau_user(org.wuhan, ""),
        "wuhan_inactive": bureau_user(org.wuhan, "old@example.cn", is_active=False),
        "wuhan_leader": f.UserFactory(role="leader", bureau=org.wuhan, email="lead@example.cn"),
        "jiangan": bureau_user(org.jiangan, "jiangan@example.cn"),
        "hubei": bureau_user(org.hubei, "hubei@example.cn"),
        "xiantao": bureau_user(org.xiantao, "xiantao@example.cn"),
        "yichang": bureau_user(org.yichang, "yichang@example.cn"),
        "hunan": bureau_user(org.hunan, "hunan@example.cn"),
    }
    sweep_daily(D(2026, 11, 18), MONDAY)
    return {"dazhi": dazhi, "shazui": shazui, **people}


def test_each_person_gets_one_chinese_digest_of_their_overdue_problems_and_tasks(world, mailoutbox):
    remind()
    mails = mails_to(mailoutbox)
    wang = mails["wang@example.cn"]
    assert wang.subject == "逾期提醒：3 项事项已逾期"
    assert "王所长同志：" in wang.body
    assert "截至 2026-11-23，由您负责的 3 项事项已逾期。" in wang.body
    assert "由您负责的问题：\n- 球场派出所，消防和安全隐患：" in wang.body
    assert "（完成时限 2026-11-19，自 2026-11-20 起逾期）" in wang.body
    assert (
        "由您承办的任务：\n"
        "- 大智派出所，更换灭火器（截止日期 2026-11-16，自 2026-11-17 起逾期）；"
        "所属问题：值班室消防器材过期\n"
        "- 大智派出所，组织消防培训（截止日期 2026-11-17，自 2026-11-18 起逾期）；"
    ) in wang.body
    assert "复查" not in wang.body  # not due yet
    assert "问题逾期满 3 个工作日仍未整改的，将提级报上级公安机关督办。" in wang.body
    assert wang.body.rstrip().endswith("包联派出所“235”工作平台")

    li = mails["li@example.cn"]
    assert li.subject == "逾期提醒：1 项事项已逾期"
    assert (
        "- [HB-2026-0007] 大智派出所，消防和安全隐患：值班室消防器材过期"
        "（完成时限 2026-11-17，自 2026-11-18 起逾期）"
    ) in li.body
    assert "由您承办的任务" not in li.body


def test_escalations_go_to_active_bureau_staff_of_the_bureau_above(world, mailoutbox):
    result = remind()
    mails = mails_to(mailoutbox)
    # 大智 is in 江岸区 (a county): its city 武汉 hears of it; 沙嘴 is in 仙桃, a directly
    # administered city acting as its own county: the province hears of it. Nobody else.
    assert set(mails) == {
        "wang@example.cn",
        "li@example.cn",
        "wuhan@example.cn",
        "hubei@example.cn",
    }
    wuhan = mails["wuhan@example.cn"]
    assert wuhan.subject == "提级督办：1 个问题逾期已满 3 个工作日"
    assert "赵科长同志：" in wuhan.body
    assert (
        "武汉市公安局辖区派出所的下列 1 个问题逾期已满 3 个工作日，现提级报你单位督办：\n"
        "- [HB-2026-0007] 江岸区公安分局 大智派出所，消防和安全隐患：值班室消防器材过期"
        "（责任人：李警官，完成时限 2026-11-17，自 2026-11-18 起逾期）"
    ) in wuhan.body
    assert "请督促责任单位抓紧整改、尽快销号。" in wuhan.body
    hubei = mails["hubei@example.cn"]
    assert "仙桃市公安局 沙嘴派出所" in hubei.body and "大智派出所" not in hubei.body
    # Skipped for want of an email: 沙嘴's responsible person, a 武汉 bureau user, and the
    # bureau users who published the problems (all without an email).
    assert result == OverdueReminders(reminded=2, escalations=2, no_email=5, already_sent=0)
    assert set(ListReminderLog.objects.values_list("user__email", "kind", "day", "items")) == {
        ("wang@example.cn", "overdue", MONDAY, 3),
        ("li@example.cn", "overdue", MONDAY, 1),
        ("wuhan@example.cn", "escalation", MONDAY, 1),
        ("hubei@example.cn", "escalation", MONDAY, 1),
    }


def test_running_the_reminders_twice_on_a_day_sends_nothing_new(world, mailoutbox):
    remind()
    logs = sorted(ListReminderLog.objects.values_list("user_id", "day", "kind", "items"))
    again = remind()
    assert len(mailoutbox) == 4
    assert (again.reminded, again.escalations, again.already_sent) == (0, 0, 4)
    assert sorted(ListReminderLog.objects.values_list("user_id", "day", "kind", "items")) == logs


def test_the_next_day_reminds_again_but_escalates_only_what_was_escalated_that_day(
    world, mailoutbox, org
):
    remind()
    mailoutbox.clear()
    tuesday = D(2026, 11, 24)
    sweep(tuesday)
    remind(tuesday)
    assert set(mails_to(mailoutbox)) == {"wang@example.cn", "li@example.cn"}
    # Wednesday: 王所长's problem at 球场 (overdue since Friday) reaches three working days.
    mailoutbox.clear()
    sweep(D(2026, 11, 25))
    remind(D(2026, 11, 25))
    wuhan = mails_to(mailoutbox)["wuhan@example.cn"]
    assert "球场派出所" in wuhan.body and "大智派出所" not in wuhan.body


def test_the_reminder_task_twice_equals_once(world, mailoutbox):
    first = tasks.send_overdue_reminders.apply(args=["2026-11-23"]).get()
    tasks.send_overdue_reminders.apply(args=["2026-11-23"]).get()
    assert first == {"reminded": 2, "escalations": 2, "no_email": 5, "already_sent": 0}
    assert (len(mailoutbox), ListReminderLog.objects.count()) == (4, 4)


def test_the_reminders_make_the_same_number_of_queries_for_1_and_50_recipients(org, mailoutbox):
    def grow(n):
        for i in range(n):
            station = f.StationFactory(bureau=org.jianghan)
            problem = published(
                station, deadline=D(2026, 11, 17), responsible=person(station, f"r{i}-{n}@ex.cn")
            )
            f.TaskFactory(
                problem=problem,
                assignee=person(station, f"a{i}-{n}@ex.cn"),
                due_date=D(2026, 11, 17),
            )
            bureau_user(org.wuhan, f"b{i}-{n}@ex.cn")
        sweep_daily(D(2026, 11, 18), MONDAY)
        ListReminderLog.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            result = remind()
        assert result.reminded == 2 * Task.objects.count()
        assert result.escalations == Task.objects.count()
        return len(ctx.captured_queries)

    one = grow(1)
    assert grow(49) == one
