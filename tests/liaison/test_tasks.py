"""Celery tasks: the sweep through the real Redis broker and a real worker, idempotence,
retry policy, the beat schedule and the management command."""

import datetime as dt
import uuid
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from liaison import tasks
from liaison.celery import app
from liaison.models import Assignment, PeriodEvent, PeriodRecord
from liaison.services import sweep
from liaison.services.sweep import SweepResult
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")


def _assignments(org):
    """A county cadre from Monday 2 Nov and a city cadre from 1 Nov, never visiting: by
    Monday 23 Nov, three missed weeks and one missed half month."""
    f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jianghan, tier="county"),
        station=org.s_jianghan,
        start_date=dt.date(2026, 11, 2),
    )
    f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.yichang, tier="city"),
        station=org.s_xiling,
        start_date=dt.date(2026, 11, 1),
    )


def _state():
    records = sorted(
        PeriodRecord.objects.values_list("assignment_id", "period_start", "status", "met_on_time")
    )
    events = sorted(PeriodEvent.objects.values_list("record_id", "kind"))
    deadlines = sorted(Assignment.objects.values_list("pk", "period_start", "period_end"))
    return records, events, deadlines


@pytest.mark.django_db(transaction=True)
def test_the_sweep_task_runs_on_a_real_worker_through_redis(org):
    _assignments(org)
    # The worker thread runs in this process, so it opens its own connection to pytest's
    # test database (not the database named in the environment).
    assert connection.settings_dict["NAME"].startswith("test_")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    # A queue of its own, so workers of other test runs sharing the broker never take it.
    queue = f"test-sweep-{uuid.uuid4().hex}"
    with start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        result = tasks.flag_missed_visits.apply_async(args=["2026-11-23"], queue=queue)
        summary = result.get(timeout=30)
    assert result.successful()
    assert summary == {"slices": 5, "recorded": 4, "cured": 0, "advanced": 2}
    assert PeriodRecord.objects.filter(status="missed").count() == 4
    assert PeriodEvent.objects.filter(kind="missed").count() == 4
    assert set(Assignment.objects.values_list("period_end", flat=True)) == {
        dt.date(2026, 11, 29),
        dt.date(2026, 11, 30),
    }


def test_running_the_sweep_task_twice_equals_running_it_once(org):
    _assignments(org)
    first = tasks.flag_missed_visits.apply(args=["2026-11-23"]).get()
    once = _state()
    second = tasks.flag_missed_visits.apply(args=["2026-11-23"]).get()
    assert first["recorded"] == 4 and second["recorded"] == 0
    assert _state() == once


def test_the_tasks_retry_on_database_errors_at_most_three_times():
    for task in (tasks.flag_missed_visits, tasks.send_visit_reminders):
        assert task.autoretry_for == (OperationalError,)
        assert task.max_retries == 3


def test_a_transient_database_error_is_retried(monkeypatch, db):
    calls = []

    def flaky(*, today):
        calls.append(today)
        if len(calls) == 1:
            raise OperationalError("connection reset")
        return SweepResult(slices=0, recorded=0, cured=0, advanced=0)

    monkeypatch.setattr(sweep, "flag_missed_periods", flaky)
    result = tasks.flag_missed_visits.apply(args=["2026-11-23"])
    assert result.get() == {"slices": 0, "recorded": 0, "cured": 0, "advanced": 0}
    assert calls == [dt.date(2026, 11, 23)] * 2


def test_the_beat_schedule_runs_the_sweep_at_0030_and_reminders_at_0800_shanghai_time():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    sweep_job = schedule["flag-missed-visits"]
    reminders_job = schedule["send-visit-reminders"]
    assert sweep_job["task"] == tasks.flag_missed_visits.name
    assert reminders_job["task"] == tasks.send_visit_reminders.name
    assert sweep_job["schedule"] == crontab(hour=0, minute=30)
    assert reminders_job["schedule"] == crontab(hour=8, minute=0)
    assert {sweep_job["task"], reminders_job["task"]} <= set(app.tasks)


# --- manage.py flag_missed_visits ----------------------------------------------------------


def test_the_command_sweeps_the_given_day_and_prints_a_chinese_summary(org):
    _assignments(org)
    out = StringIO()
    call_command("flag_missed_visits", "--today", "2026-11-23", stdout=out)
    assert "截至 2026-11-23 的走访周期：检查 5 个周期，写入 4 条记录" in out.getvalue()
    assert PeriodRecord.objects.count() == 4
    out = StringIO()
    call_command("flag_missed_visits", "--today", "2026-11-23", stdout=out)
    assert "写入 0 条记录" in out.getvalue()


def test_the_command_rebuilds_the_records_from_the_facts(org):
    _assignments(org)
    call_command("flag_missed_visits", "--today", "2026-11-23", stdout=StringIO())
    once = _state()[0]
    PeriodRecord.objects.update(status="met")
    out = StringIO()
    call_command("flag_missed_visits", "--today", "2026-11-23", "--rebuild", stdout=out)
    assert "写入 4 条记录" in out.getvalue()
    assert _state()[0] == once


def test_the_command_refuses_a_malformed_day_in_chinese(org):
    _assignments(org)
    with pytest.raises(CommandError) as exc:
        call_command("flag_missed_visits", "--today", "23/11/2026", stdout=StringIO())
    assert "日期格式应为 YYYY-MM-DD" in str(exc.value)
    assert not PeriodRecord.objects.exists()
