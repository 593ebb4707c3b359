"""The daily overdue sweep of the lists: flags, events, escalation after Chinese working days,
the repair path, the management command and the Celery task."""

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from checklists import tasks
from checklists.models import ListEvent, Problem, Task
from checklists.rules import escalation_cutoff, escalation_day
from checklists.services import overdue
from checklists.services.overdue import OverdueReport, flag_overdue, rebuild_overdue
from liaison.celery import app
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def published(station, *, deadline, responsible=None, status="published", **fields):
    """A published problem with its responsible person and deadline (the DB requires them)."""
    publisher = f.UserFactory(role="bureau", bureau=station.bureau.parent or station.bureau)
    return f.ProblemFactory(
        station=station,
        status=status,
        responsible=responsible or f.UserFactory(role="station", bureau=None, station=station),
        deadline=deadline,
        published_at=dt.datetime.combine(deadline, dt.time(9), SH) - dt.timedelta(days=30),
        published_by=publisher,
        **fields,
    )


def close_out(problem, day):
    """What close-out does to the row (the lifecycle service also clears overdue_since)."""
    Problem.objects.filter(pk=problem.pk).update(
        status="closed",
        closed_at=dt.datetime.combine(day, dt.time(10), SH),
        closed_by=problem.published_by,
        closed_on=day,
        overdue_since=None,
    )


def mark_done(task, day):
    """What marking a task done does to the row (the service also clears overdue_since)."""
    Task.objects.filter(pk=task.pk).update(
        done_on=day, done_by=task.assignee, progress=100, overdue_since=None
    )


def sweep(day, **kwargs):
    return flag_overdue(today=day, now=dt.datetime.combine(day, dt.time(0, 45), SH), **kwargs)


def sweep_daily(first, last):
    day = first
    while day <= last:
        sweep(day)
        day += dt.timedelta(days=1)


def flags():
    return (
        sorted(Task.objects.values_list("pk", "overdue_since")),
        sorted(Problem.objects.values_list("pk", "overdue_since", "escalated_on")),
    )


def events():
    rows = ListEvent.objects.values_list("kind", "problem_id", "task_id", "day")
    return sorted(rows, key=lambda e: (e[0], e[1], e[2] or 0, e[3]))


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


# --- Working days (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "days", "escalated"),
    [
        # Wednesday: Thu, Fri, Mon.
        (D(2026, 11, 18), 3, D(2026, 11, 23)),
        # Thursday before the Mid-Autumn Friday (25 Sep) and a weekend: Mon, Tue, Wed.
        (D(2026, 9, 24), 3, D(2026, 9, 30)),
        # Eve of National Day (1–7 Oct): Thu 8, Fri 9, and Saturday 10 Oct, a 调休 workday.
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        # Beyond the calendar package's years: Monday to Friday.
        (D(2030, 1, 4), 3, D(2030, 1, 9)),
    ],
)
def test_escalation_falls_on_the_nth_working_day_after_overdue_since(since, days, escalated):
    assert escalation_day(since, days) == escalated
    # The sweep's cut-off agrees: due on that day, not the day before.
    assert since <= escalation_cutoff(escalated, days)
    assert since > escalation_cutoff(escalated - dt.timedelta(days=1), days)


# --- Flags and events -----------------------------------------------------------------------


def test_a_task_is_overdue_the_day_after_its_due_date_not_on_it(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 30))
    task = f.TaskFactory(problem=problem, due_date=D(2026, 11, 18))
    report = sweep(D(2026, 11, 18))
    refresh(task)
    assert task.overdue_since is None
    assert report == OverdueReport(tasks_overdue=0, problems_overdue=0, cleared=0, escalated=0)

    report = sweep(D(2026, 11, 19))
    refresh(task, problem)
    assert task.overdue_since == D(2026, 11, 19)
    assert problem.overdue_since is None  # its deadline is still ahead
    assert report.tasks_overdue == 1
    assert events() == [("task_overdue", problem.pk, task.pk, D(2026, 11, 19))]


def test_a_problem_is_overdue_the_day_after_its_deadline(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 18), status="in_rectification")
    sweep(D(2026, 11, 18))
    refresh(problem)
    assert problem.overdue_since is None
    report = sweep(D(2026, 11, 20))  # the job did not run on the 19th
    refresh(problem)
    assert problem.overdue_since == D(2026, 11, 19)
    assert report.problems_overdue == 1
    assert events() == [("problem_overdue", problem.pk, None, D(2026, 11, 20))]


def test_drafts_and_closed_problems_and_their_tasks_are_never_overdue(org):
    draft = f.ProblemFactory(station=org.s_jiangan, deadline=D(2026, 11, 1))
    f.TaskFactory(problem=draft, due_date=D(2026, 11, 1))
    closed = published(org.s_jiangan, deadline=D(2026, 11, 1))
    done = f.TaskFactory(problem=closed, due_date=D(2026, 11, 1))
    mark_done(done, D(2026, 11, 10))
    close_out(closed, D(2026, 11, 10))
    sweep(D(2026, 11, 20))
    assert not Problem.objects.filter(overdue_since__isnull=False).exists()
    assert not Task.objects.filter(overdue_since__isnull=False).exists()
    assert events() == []


def test_a_done_task_leaves_the_overdue_list_and_is_not_flagged_again(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 30))
    task = f.TaskFactory(problem=problem, due_date=D(2026, 11, 10))
    other = f.TaskFactory(problem=problem, due_date=D(2026, 11, 10))
    sweep(D(2026, 11, 11))
    mark_done(task, D(2026, 11, 12))
    sweep(D(2026, 11, 13))
    refresh(task, other)
    assert (task.overdue_since, other.overdue_since) == (None, D(2026, 11, 11))
    assert ListEvent.objects.filter(kind="task_overdue").count() == 2


def test_tasks_of_a_problem_closed_out_are_no_longer_overdue(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 30))
    task = f.TaskFactory(problem=problem, due_date=D(2026, 11, 10))
    sweep(D(2026, 11, 11))
    close_out(problem, D(2026, 11, 12))
    report = sweep(D(2026, 11, 13))
    refresh(task)
    assert task.overdue_since is None
    assert report.cleared == 1
    assert ("cleared", problem.pk, task.pk, D(2026, 11, 13)) in events()


def test_an_extended_deadline_clears_the_overdue_flag_and_the_escalation(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    task = f.TaskFactory(problem=problem, due_date=D(2026, 11, 17))
    sweep_daily(D(2026, 11, 18), D(2026, 11, 23))
    refresh(problem, task)
    assert (problem.overdue_since, problem.escalated_on) == (D(2026, 11, 18), D(2026, 11, 23))
    # Monday: the bureau extends the deadline and the task's due date to Friday.
    Problem.objects.filter(pk=problem.pk).update(deadline=D(2026, 11, 27))
    Task.objects.filter(pk=task.pk).update(due_date=D(2026, 11, 27))
    report = sweep(D(2026, 11, 24))
    refresh(problem, task)
    assert (problem.overdue_since, problem.escalated_on, task.overdue_since) == (None, None, None)
    assert report.cleared == 2
    assert [e for e in events() if e[0] == "cleared"] == [
        ("cleared", problem.pk, None, D(2026, 11, 24)),
        ("cleared", problem.pk, task.pk, D(2026, 11, 24)),
    ]


def test_a_due_date_moved_while_still_overdue_moves_overdue_since(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 30))
    task = f.TaskFactory(problem=problem, due_date=D(2026, 11, 10))
    sweep(D(2026, 11, 12))
    Task.objects.filter(pk=task.pk).update(due_date=D(2026, 11, 15))
    sweep(D(2026, 11, 20))
    refresh(task)
    assert task.overdue_since == D(2026, 11, 16)
    assert ListEvent.objects.count() == 1  # still the same overdue spell: no new flip


def test_running_the_sweep_twice_on_a_day_equals_running_it_once(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    f.TaskFactory(problem=problem, due_date=D(2026, 11, 16))
    cleared = published(org.s_jiangan2, deadline=D(2026, 11, 10))
    sweep_daily(D(2026, 11, 11), D(2026, 11, 20))
    Problem.objects.filter(pk=cleared.pk).update(deadline=D(2026, 12, 31))
    first = sweep(D(2026, 11, 23))
    once = flags(), events()
    second = sweep(D(2026, 11, 23))
    assert (first.escalated, first.cleared) == (1, 1)
    assert second == OverdueReport(tasks_overdue=0, problems_overdue=0, cleared=0, escalated=0)
    assert (flags(), events()) == once


# --- Escalation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "day_before", "escalated"),
    [
        # Overdue since Wednesday 18 Nov: the weekend does not count.
        (D(2026, 11, 17), D(2026, 11, 22), D(2026, 11, 23)),
        # Overdue since Thursday 24 Sep: Mid-Autumn Friday and the weekend do not count.
        (D(2026, 9, 23), D(2026, 9, 29), D(2026, 9, 30)),
        # Overdue since 30 Sep: National Day does not count, the 调休 Saturday 10 Oct does.
        (D(2026, 9, 29), D(2026, 10, 9), D(2026, 10, 10)),
    ],
)
def test_a_problem_is_escalated_after_exactly_n_working_days(org, deadline, day_before, escalated):
    assert settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS == 3
    problem = published(org.s_jiangan, deadline=deadline)
    sweep_daily(deadline, day_before)
    refresh(problem)
    assert problem.escalated_on is None
    report = sweep(escalated)
    refresh(problem)
    assert problem.escalated_on == escalated
    assert report.escalated == 1
    assert ("escalated", problem.pk, None, escalated) in events()
    # Escalated once: the days after add nothing.
    sweep_daily(escalated + dt.timedelta(days=1), escalated + dt.timedelta(days=5))
    assert ListEvent.objects.filter(kind="escalated").count() == 1


def test_the_number_of_working_days_before_escalation_is_a_setting(org, settings):
    settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS = 1
    problem = published(org.s_jiangan, deadline=D(2026, 11, 19))  # overdue from Friday
    sweep_daily(D(2026, 11, 20), D(2026, 11, 22))
    refresh(problem)
    assert problem.escalated_on is None
    sweep(D(2026, 11, 23))
    refresh(problem)
    assert problem.escalated_on == D(2026, 11, 23)


def test_a_problem_reopened_after_close_out_is_escalated_again(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    sweep_daily(D(2026, 11, 18), D(2026, 11, 23))
    close_out(problem, D(2026, 11, 24))
    sweep(D(2026, 11, 25))
    refresh(problem)
    assert problem.escalated_on is None
    # Reopened on the 26th: overdue (still since the 18th) and escalated again at once.
    Problem.objects.filter(pk=problem.pk).update(
        status="in_rectification", closed_at=None, closed_by=None, closed_on=None
    )
    sweep(D(2026, 11, 26))
    refresh(problem)
    assert (problem.overdue_since, problem.escalated_on) == (D(2026, 11, 18), D(2026, 11, 26))
    assert [e[3] for e in events() if e[0] == "escalated"] == [D(2026, 11, 23), D(2026, 11, 26)]


# --- Repair path ----------------------------------------------------------------------------


def _month_of_lists(org):
    """Problems and tasks across September–October 2026 (Mid-Autumn, National Day, a 调休
    Saturday), and the facts that change along the way: day → change."""
    stations = [org.s_jiangan, org.s_jiangan2, org.s_jianghan, org.s_xiling, org.s_xiantao]
    problems = []
    for i in range(15):
        deadline = D(2026, 9, 3) + dt.timedelta(days=3 * i)
        problem = published(stations[i % 5], deadline=deadline)
        for k in range(2):
            f.TaskFactory(problem=problem, due_date=deadline - dt.timedelta(days=4 * k))
        problems.append(problem)

    def deadline(i, day):
        return lambda: Problem.objects.filter(pk=problems[i].pk).update(deadline=day)

    def done(i, day):
        return lambda: [mark_done(t, day) for t in problems[i].tasks.all()]

    return {
        D(2026, 9, 10): done(0, D(2026, 9, 10)),
        D(2026, 9, 12): lambda: close_out(problems[0], D(2026, 9, 12)),
        # Extended while escalated (overdue since 13 Sep), then overdue again from 23 Oct.
        D(2026, 9, 20): deadline(3, D(2026, 10, 20)),
        D(2026, 10, 15): deadline(3, D(2026, 10, 22)),
        # Moved while overdue, before its escalation (since 25 Sep, then since 28 Sep).
        D(2026, 9, 29): deadline(7, D(2026, 9, 27)),
        # Due dates moved while the tasks stay overdue.
        D(2026, 10, 9): lambda: Task.objects.filter(problem=problems[5]).update(
            due_date=D(2026, 9, 16)
        ),
        D(2026, 10, 20): done(9, D(2026, 10, 20)),
    }


def test_incremental_daily_runs_over_a_month_agree_with_one_rebuild(org):
    changes = _month_of_lists(org)
    day = D(2026, 9, 1)
    while day <= D(2026, 10, 31):
        if day in changes:
            changes[day]()
        sweep(day)
        day += dt.timedelta(days=1)
    incremental = flags()
    assert sum(1 for _pk, _since, escalated in incremental[1] if escalated) >= 5
    history = events()

    # Nothing to repair: the rebuild changes nothing and logs nothing.
    report = rebuild_overdue(today=D(2026, 10, 31))
    assert report == OverdueReport(tasks_overdue=0, problems_overdue=0, cleared=0, escalated=0)
    assert (flags(), events()) == (incremental, history)

    # Every flag lost: the rebuild derives them again from the facts.
    Task.objects.update(overdue_since=None)
    Problem.objects.update(overdue_since=None, escalated_on=None)
    rebuild_overdue(today=D(2026, 10, 31))
    assert flags() == incremental
    # Every flag wrong: likewise.
    Task.objects.filter(overdue_since__isnull=False).update(overdue_since=D(2026, 9, 1))
    Problem.objects.filter(escalated_on__isnull=False).update(escalated_on=D(2026, 9, 1))
    rebuild_overdue(today=D(2026, 10, 31))
    assert flags() == incremental


def test_the_orm_sweep_of_the_embedded_demo_agrees_with_the_sql_sweep(org, monkeypatch):
    """SQLite (``make run``) runs the same sweep through the ORM: same flags, same events."""
    changes = _month_of_lists(org)

    today = D(2026, 10, 31)

    def month():
        savepoint = transaction.savepoint_create()
        day = D(2026, 9, 1)
        while day <= today:
            if day in changes:
                changes[day]()
            sweep(day)
            day += dt.timedelta(days=1)
        daily = (flags(), events())
        Task.objects.update(overdue_since=None)
        Problem.objects.update(overdue_since=None, escalated_on=None)
        rebuilt = rebuild_overdue(today=today)
        outcome = (daily, flags(), rebuilt)
        transaction.savepoint_rollback(savepoint)
        return outcome

    with_sql = month()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with_orm = month()
    assert with_orm == with_sql
    assert with_sql[2].escalated >= 5


def test_the_rebuild_dates_a_missed_escalation_on_the_day_it_fell_due(org):
    problem = published(org.s_jiangan, deadline=D(2026, 9, 23))
    report = rebuild_overdue(today=D(2026, 10, 12))
    refresh(problem)
    assert (problem.overdue_since, problem.escalated_on) == (D(2026, 9, 24), D(2026, 9, 30))
    assert report.escalated == 1
    # The flips are logged on the day of the repair, so the bureau above still hears of it.
    assert events() == [
        ("escalated", problem.pk, None, D(2026, 10, 12)),
        ("problem_overdue", problem.pk, None, D(2026, 10, 12)),
    ]


# --- Query counts ---------------------------------------------------------------------------


def test_the_sweep_makes_the_same_number_of_queries_for_1_and_50_overdue_items(org):
    def run(n, day):
        for _ in range(n):
            problem = published(org.s_jianghan, deadline=D(2026, 11, 17))
            f.TaskFactory(problem=problem, due_date=D(2026, 11, 16))
        Task.objects.update(overdue_since=None)
        Problem.objects.update(overdue_since=None, escalated_on=None)
        with CaptureQueriesContext(connection) as ctx:
            report = sweep(day)
        assert report.problems_overdue == report.escalated == Problem.objects.count()
        with CaptureQueriesContext(connection) as rebuilt:
            rebuild_overdue(today=day)
        return len(ctx.captured_queries), len(rebuilt.captured_queries)

    one = run(1, D(2026, 11, 23))
    assert run(49, D(2026, 11, 24)) == one


# --- Interfaces: management command, Celery task, beat, settings -------------------------------


def test_the_command_sweeps_the_given_day_and_prints_a_chinese_summary(org, mailoutbox):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    f.TaskFactory(problem=problem, due_date=D(2026, 11, 16))
    out = StringIO()
    call_command("flag_overdue_items", "--today", "2026-11-18", "--no-mail", stdout=out)
    assert (
        "2026-11-18 逾期检查：新增逾期任务 1 项、逾期问题 1 个，解除逾期 0 项，提级督办问题 0 个。"
        in out.getvalue()
    )
    assert "未发送邮件" in out.getvalue()
    assert mailoutbox == []
    out = StringIO()
    call_command("flag_overdue_items", "--today", "2026-11-18", stdout=out)
    assert "新增逾期任务 0 项" in out.getvalue()
    assert "邮件：发送逾期提醒 0 封、提级督办 0 封；2 人无邮箱地址，已跳过" in out.getvalue()


def test_the_command_rebuilds_the_flags_from_the_facts(org):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    out = StringIO()
    call_command(
        "flag_overdue_items", "--today", "2026-11-23", "--rebuild", "--no-mail", stdout=out
    )
    refresh(problem)
    assert problem.escalated_on == D(2026, 11, 23)
    assert "提级督办问题 1 个" in out.getvalue()


def test_the_command_refuses_a_malformed_day_in_chinese(org):
    published(org.s_jiangan, deadline=D(2026, 11, 17))
    with pytest.raises(CommandError) as exc:
        call_command("flag_overdue_items", "--today", "23/11/2026", stdout=StringIO())
    assert "日期格式应为 YYYY-MM-DD" in str(exc.value)
    assert not Problem.objects.filter(overdue_since__isnull=False).exists()


@pytest.fixture
def eager():
    """Run what a task queues in-process (CELERY_TASK_ALWAYS_EAGER): the test environment
    uses the real Redis broker, where nothing would consume the follow-up task."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.parametrize(
    ("utc", "flagged"),
    [
        # 23:59 on the 18th in Wuhan: the due date has not passed yet.
        (dt.datetime(2026, 11, 18, 15, 59, tzinfo=dt.UTC), False),
        # 00:45 on the 19th in Wuhan, still the 18th in UTC: overdue.
        (dt.datetime(2026, 11, 18, 16, 45, tzinfo=dt.UTC), True),
    ],
)
def test_the_task_sweeps_the_local_shanghai_day_by_default(org, eager, mailoutbox, utc, flagged):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 30))
    task = f.TaskFactory(problem=problem, due_date=D(2026, 11, 18))
    with time_machine.travel(utc, tick=False):
        summary = tasks.flag_overdue_items.apply().get()
    refresh(task)
    assert summary["tasks_overdue"] == int(flagged)
    assert task.overdue_since == (D(2026, 11, 19) if flagged else None)


def test_running_the_task_twice_equals_running_it_once(org, eager, mailoutbox):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    problem.responsible.email = "dazhi@example.cn"
    problem.responsible.save()
    f.UserFactory(role="bureau", bureau=org.wuhan, email="wuhan@example.cn")
    sweep_daily(D(2026, 11, 18), D(2026, 11, 22))
    first = tasks.flag_overdue_items.apply(args=["2026-11-23"]).get()
    once = flags(), events(), len(mailoutbox)
    second = tasks.flag_overdue_items.apply(args=["2026-11-23"]).get()
    assert first["escalated"] == 1 and second["escalated"] == 0
    assert (flags(), events(), len(mailoutbox)) == once
    assert sorted(m.to[0] for m in mailoutbox) == ["dazhi@example.cn", "wuhan@example.cn"]


def test_the_task_without_mail_only_flags(org, eager, mailoutbox):
    problem = published(org.s_jiangan, deadline=D(2026, 11, 17))
    problem.responsible.email = "dazhi@example.cn"
    problem.responsible.save()
    tasks.flag_overdue_items.apply(args=["2026-11-18"], kwargs={"mail": False}).get()
    refresh(problem)
    assert problem.overdue_since == D(2026, 11, 18)
    assert mailoutbox == []
    tasks.flag_overdue_items.apply(args=["2026-11-18"]).get()
    assert [m.to for m in mailoutbox] == [["dazhi@example.cn"]]


def test_a_transient_database_error_is_retried(monkeypatch, db):
    calls = []

    def flaky(*, today):
        calls.append(today)
        if len(calls) == 1:
            raise OperationalError("connection reset")
        return OverdueReport(tasks_overdue=0, problems_overdue=0, cleared=0, escalated=0)

    monkeypatch.setattr(overdue, "flag_overdue", flaky)
    result = tasks.flag_overdue_items.apply(args=["2026-11-23"], kwargs={"mail": False})
    assert result.get() == {"tasks_overdue": 0, "problems_overdue": 0, "cleared": 0, "escalated": 0}
    assert calls == [D(2026, 11, 23)] * 2
    for task in (tasks.flag_overdue_items, tasks.send_overdue_reminders):
        assert task.autoretry_for == (OperationalError,)
        assert task.max_retries == 3


def test_the_beat_schedule_runs_the_overdue_sweep_daily_at_0045_shanghai_time():
    job = settings.CELERY_BEAT_SCHEDULE["flag-overdue-items"]
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert job["task"] == tasks.flag_overdue_items.name
    assert job["schedule"] == crontab(hour=0, minute=45)
    assert {tasks.flag_overdue_items.name, tasks.send_overdue_reminders.name} <= set(app.tasks)


@pytest.mark.parametrize("value", ["0", "three", "2.5"])
def test_the_escalation_setting_is_parsed_strictly(value):
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env={**base, "DEBUG": "true", "LIAISON_ESCALATE_AFTER_WORKING_DAYS": value},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "LIAISON_ESCALATE_AFTER_WORKING_DAYS" in result.stderr
