"""The recompute of the point ledger: each rule code, who earns, effective dates, reversals,
frozen months, idempotence, incremental = full, query counts, the job and the command."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from liaison.models import PeriodRecord
from liaison.services import sweep
from liaison.services.visits import edit_visit, record_visit
from scoring import rules, tasks
from scoring.models import PointEntry, PointRule, RankingMonth
from scoring.services.ledger import recompute_points
from tests.scoring.evaluation_helpers import Q3, Q4, rate, seed_dimensions, staff
from tests.scoring.ledger_helpers import (
    at,
    cadre_on,
    close,
    live_entries,
    period,
    published,
    result,
    seed_default_rules,
    set_points,
    task,
)

TODAY = dt.date(2026, 11, 20)
SEP, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
SIX = dict.fromkeys(
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


@pytest.fixture(autouse=True)
def default_rules(db):
    seed_default_rules()
    seed_dimensions()


@pytest.fixture
def cadre(org):
    return cadre_on(org.s_jiangan)


def recompute(today=TODAY, since=None):
    return recompute_points(today=today, since=since, now=at(today, 1))


def entries(**filters):
    """(code, kind, source, seq, points, fact day, booked month) of the matching entries."""
    return set(
        PointEntry.objects.filter(**filters).values_list(
            "code", "source_kind", "source_id", "seq", "points", "fact_day", "booked_month"
        )
    )


def test_each_rule_code_books_its_points_for_the_cadre(org, cadre):
    met = period(cadre, dt.date(2026, 11, 2), dt.date(2026, 11, 8), "met")
    missed = period(cadre, dt.date(2026, 11, 9), dt.date(2026, 11, 15), "missed")
    raised = published(org.s_jiangan, raised_by=cadre.user, on=dt.date(2026, 10, 10))
    on_time = task(raised, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 20))
    late = task(raised, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 30))
    still_open = task(raised, due=dt.date(2026, 10, 1))
    other = published(org.s_jiangan, on=dt.date(2026, 10, 12))
    close(other, dt.date(2026, 11, 10))
    excellent = result(other, rating="excellent", on=dt.date(2026, 11, 9))
    poor = result(raised, rating="poor", on=dt.date(2026, 11, 3))
    result(raised, rating="good", on=dt.date(2026, 11, 4))

    report = recompute()

    day = dt.date
    expected = {
        ("visit_in_period", "period", met.pk, 0, Decimal(2), day(2026, 11, 8), NOV),
        ("missed_period", "period", missed.pk, 0, Decimal(-3), day(2026, 11, 15), NOV),
        ("problem_published", "problem", raised.pk, 0, Decimal(1), day(2026, 10, 10), OCT),
        ("task_on_time", "task", on_time.pk, 0, Decimal(2), day(2026, 10, 20), OCT),
        ("task_late", "task", late.pk, 0, Decimal("0.5"), day(2026, 10, 30), OCT),
        ("task_overdue_week", "task", late.pk, 1, Decimal(-1), day(2026, 10, 27), OCT),
        ("task_overdue_week", "task", still_open.pk, 1, Decimal(-1), day(2026, 10, 8), OCT),
        ("task_overdue_week", "task", still_open.pk, 2, Decimal(-1), day(2026, 10, 15), OCT),
        ("task_overdue_week", "task", still_open.pk, 3, Decimal(-1), day(2026, 10, 22), OCT),
        ("task_overdue_week", "task", still_open.pk, 4, Decimal(-1), day(2026, 10, 29), OCT),
        ("problem_closed", "problem", other.pk, 0, Decimal(3), day(2026, 11, 10), NOV),
        ("result_excellent", "result", excellent.pk, 0, Decimal(2), day(2026, 11, 9), NOV),
        ("result_poor", "result", poor.pk, 0, Decimal(-2), day(2026, 11, 3), NOV),
    }
    assert entries(cadre=cadre) == expected
    assert report.desired == report.added == len(expected) and report.reversed == 0
    rules = dict(PointRule.objects.values_list("code", "pk"))
    assert all(e.rule_id == rules[e.code] for e in PointEntry.objects.all())


def test_a_problem_raised_by_bureau_staff_earns_the_cadre_nothing(org, cadre):
    published(org.s_jiangan, on=dt.date(2026, 10, 10))
    recompute()
    assert not PointEntry.objects.exists()


def test_an_overdue_week_counts_only_once_the_whole_seventh_day_has_passed(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    overdue = task(problem, due=dt.date(2026, 11, 10))
    recompute(today=dt.date(2026, 11, 17))
    assert not PointEntry.objects.exists()
    recompute(today=dt.date(2026, 11, 18))
    assert entries(source_id=overdue.pk) == {
        ("task_overdue_week", "task", overdue.pk, 1, Decimal(-1), dt.date(2026, 11, 17), NOV)
    }


@pytest.mark.parametrize(
    ("due", "done", "today"),
    [
        (dt.date(2026, 10, 1), None, dt.date(2026, 10, 8)),
        (dt.date(2026, 10, 1), None, dt.date(2026, 10, 9)),
        (dt.date(2026, 10, 1), None, dt.date(2026, 11, 20)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 20)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 8), dt.date(2026, 11, 20)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 16), dt.date(2026, 11, 20)),
        (dt.date(2026, 12, 28), None, dt.date(2027, 1, 12)),
    ],
)
def test_the_ledger_scores_tasks_as_the_pure_rules_say(org, cadre, due, done, today):
    problem = published(org.s_jiangan, on=dt.date(2026, 9, 1))
    task(problem, due=due, done=done)
    recompute(today=today)
    weeks = PointEntry.objects.filter(code="task_overdue_week").order_by("seq")
    expected = rules.overdue_week_days(due_date=due, done_on=done, today=today, cap=4)
    assert list(weeks.values_list("fact_day", flat=True)) == expected
    assert list(weeks.values_list("seq", flat=True)) == list(range(1, len(expected) + 1))
    done_codes = PointEntry.objects.exclude(code="task_overdue_week").values_list("code", flat=True)
    assert set(done_codes) == {rules.task_code(due_date=due, done_on=done)} - {None}


def test_points_go_to_the_cadre_covering_the_station_on_the_fact_day(org):
    before = cadre_on(org.s_jiangan, start=dt.date(2026, 1, 1), end=dt.date(2026, 10, 31))
    after = cadre_on(org.s_jiangan, start=dt.date(2026, 11, 1))
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    task(problem, due=dt.date(2026, 11, 30), done=dt.date(2026, 10, 31))
    close(problem, dt.date(2026, 11, 1))
    uncovered = published(org.s_jiangan2, on=dt.date(2026, 10, 1))
    close(uncovered, dt.date(2026, 11, 2))

    recompute()

    by_cadre = dict(PointEntry.objects.values_list("code", "cadre_id"))
    assert by_cadre == {"task_on_time": before.pk, "problem_closed": after.pk}


def test_the_rule_in_effect_on_the_fact_day_gives_the_points(org, cadre):
    set_points("task_on_time", Decimal(3), switch_on=dt.date(2026, 10, 15))
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    old = task(problem, due=dt.date(2026, 10, 30), done=dt.date(2026, 10, 14))
    new = task(problem, due=dt.date(2026, 10, 30), done=dt.date(2026, 10, 15))

    recompute()

    points = dict(PointEntry.objects.values_list("source_id", "points"))
    assert points == {old.pk: Decimal(2), new.pk: Decimal(3)}
    rule_starts = dict(PointEntry.objects.values_list("source_id", "rule__effective_from"))
    assert rule_starts[new.pk] == dt.date(2026, 10, 15)


def test_changing_a_rule_later_reverses_and_rebooks_the_affected_entries(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    task(problem, due=dt.date(2026, 10, 30), done=dt.date(2026, 10, 20))
    recompute()
    set_points("task_on_time", Decimal(4), switch_on=dt.date(2026, 10, 1))

    report = recompute()

    assert report.reversed == 1 and report.added == 1
    assert sorted(PointEntry.objects.values_list("points", flat=True)) == [-2, 2, 4]


def test_a_rule_version_worth_zero_points_writes_nothing(org, cadre):
    PointRule.objects.filter(code="problem_published").update(points=0)
    published(org.s_jiangan, raised_by=cadre.user, on=dt.date(2026, 10, 10))
    recompute()
    assert not PointEntry.objects.exists()


def test_re_rating_a_result_reverses_the_old_entry_and_books_the_new_one(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 11, 1))
    rated = result(problem, rating="excellent", on=dt.date(2026, 11, 5))
    recompute()

    rated.rating = "poor"
    rated.save()
    report = recompute()

    assert report.reversed == 1 and report.added == 1
    original = PointEntry.objects.get(code="result_excellent", reverses__isnull=True)
    assert original.reversed
    assert original.reversal.points == Decimal(-2) and original.reversal.booked_month == NOV
    assert live_entries() == {("result_poor", "result", rated.pk, 0, cadre.pk, Decimal(-2))}
    assert sum(PointEntry.objects.values_list("points", flat=True)) == Decimal(-2)


def test_a_visit_edited_to_lose_an_attestation_turns_the_period_points_into_a_deduction(org):
    # A county cadre from Monday 9 November visits on Sunday 15th; the week is recorded met
    # on Monday 16th, then the cadre edits the visit within 24 hours and drops one item.
    cadre = cadre_on(org.s_jiangan, start=dt.date(2026, 11, 9))
    visit = record_visit(
        assignment=cadre.assignments.get(),
        by=cadre.user,
        visited_at=at(dt.date(2026, 11, 15), 9),
        attestation=SIX,
        now=at(dt.date(2026, 11, 15), 20),
    )
    sweep.flag_missed_periods(today=dt.date(2026, 11, 16), now=at(dt.date(2026, 11, 16), 0))
    recompute(today=dt.date(2026, 11, 16))
    assert {e[0] for e in live_entries()} == {"visit_in_period"}

    edit_visit(
        visit=visit,
        by=cadre.user,
        visited_at=visit.visited_at,
        attestation={**SIX, "no_escort": False},
        now=at(dt.date(2026, 11, 16), 10),
    )
    report = recompute(today=dt.date(2026, 11, 16))

    record = PeriodRecord.objects.get()
    assert report.reversed == 1 and report.added == 1
    assert live_entries() == {("missed_period", "period", record.pk, 0, cadre.pk, Decimal(-3))}
    assert sum(PointEntry.objects.values_list("points", flat=True)) == Decimal(-3)


def test_a_correction_of_a_frozen_month_lands_in_the_current_month(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    done = task(problem, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 10))
    recompute(today=dt.date(2026, 10, 31))
    RankingMonth.objects.create(month=OCT, frozen_at=at(dt.date(2026, 11, 1), 1))

    done.done_on = dt.date(2026, 10, 25)  # corrected: it was done late after all
    done.save()
    late_find = period(cadre, dt.date(2026, 10, 19), dt.date(2026, 10, 25), "met")
    recompute()

    assert entries(reverses__isnull=False) == {
        ("task_on_time", "task", done.pk, 0, Decimal(-2), dt.date(2026, 10, 10), NOV)
    }
    assert entries(reverses__isnull=True, reversed=False) == {
        ("task_late", "task", done.pk, 0, Decimal("0.5"), dt.date(2026, 10, 25), NOV),
        ("visit_in_period", "period", late_find.pk, 0, Decimal(2), dt.date(2026, 10, 25), NOV),
    }
    # October's own entries are untouched: its frozen total stays what it was.
    assert entries(booked_month=OCT) == {
        ("task_on_time", "task", done.pk, 0, Decimal(2), dt.date(2026, 10, 10), OCT)
    }


def test_a_correction_of_an_open_month_stays_in_that_month(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    done = task(problem, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 10))
    recompute()
    done.done_on = dt.date(2026, 10, 25)
    done.save()
    recompute()
    assert set(PointEntry.objects.values_list("booked_month", flat=True)) == {OCT}


def test_a_deleted_fact_is_reversed(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    gone = task(problem, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 10))
    recompute()
    gone.delete()
    recompute()
    assert live_entries() == set()
    assert sum(PointEntry.objects.values_list("points", flat=True)) == 0


def _facts_of_every_kind(org, cadre):
    assignment = cadre.assignments.get()
    for rater in staff(org.s_jiangan, 3):
        rate(assignment, rater, 5, quarter=Q3)
    period(cadre, dt.date(2026, 11, 2), dt.date(2026, 11, 8), "met")
    period(cadre, dt.date(2026, 11, 9), dt.date(2026, 11, 15), "missed")
    problem = published(org.s_jiangan, raised_by=cadre.user, on=dt.date(2026, 10, 10))
    task(problem, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 30))
    task(problem, due=dt.date(2026, 11, 1))
    close(problem, dt.date(2026, 11, 12))
    result(problem, rating="excellent", on=dt.date(2026, 11, 11))
    return problem


def test_running_twice_equals_running_once(org, cadre):
    _facts_of_every_kind(org, cadre)
    first = recompute()
    ledger = list(PointEntry.objects.order_by("pk").values())

    second = recompute()

    assert first.added > 0
    assert (second.added, second.reversed) == (0, 0)
    assert list(PointEntry.objects.order_by("pk").values()) == ledger


def test_incremental_after_a_day_of_new_facts_equals_a_full_recompute(org, cadre):
    problem = _facts_of_every_kind(org, cadre)
    recompute(today=dt.date(2026, 11, 19))
    # Thursday 19th: a missed week cured by a late visit, a result re-rated, a problem
    # published and a task done.
    PeriodRecord.objects.filter(period_start=dt.date(2026, 11, 9)).update(status="met")
    other = published(org.s_jiangan, raised_by=cadre.user, on=dt.date(2026, 11, 19))
    task(other, due=dt.date(2026, 11, 30), done=dt.date(2026, 11, 19))
    problem.results.update(rating="poor", verified_at=at(dt.date(2026, 11, 19), 9))

    incremental = recompute(today=dt.date(2026, 11, 20), since=dt.date(2026, 11, 12))
    after_incremental = live_entries()
    full = recompute(today=dt.date(2026, 11, 20))

    assert incremental.added > 0 and incremental.reversed > 0
    assert (full.added, full.reversed) == (0, 0)
    assert live_entries() == after_incremental
    # And from an empty ledger the full recompute arrives at the same live entries.
    PointEntry.objects.filter(reverses__isnull=False).delete()
    PointEntry.objects.all().delete()
    recompute(today=dt.date(2026, 11, 20))
    assert live_entries() == after_incremental


# --- Two-way evaluation -------------------------------------------------------------------


def test_a_quarter_rated_4_5_by_enough_station_staff_earns_the_cadre_the_rule_once(org, cadre):
    assignment = cadre.assignments.get()
    raters = staff(org.s_jiangan, 4)
    for rater in raters[:3]:
        rate(assignment, rater, [5, 4, 5, 4], quarter=Q3)  # exactly 4.5
        rate(assignment, rater, [5, 4, 4, 4], quarter=dt.date(2026, 4, 1))  # 4.25
        rate(assignment, rater, 5, quarter=Q4)  # the quarter under way
    for rater in raters[:2]:
        rate(assignment, rater, 5, quarter=dt.date(2026, 1, 1))  # two raters only
    rate(assignment, cadre.user, 5, quarter=Q3, direction="of_station")  # not about the cadre

    recompute()
    recompute()

    assert entries(code="evaluation") == {
        ("evaluation", "evaluation", assignment.pk, 20263, Decimal(3), dt.date(2026, 9, 30), SEP),
    }
    assert PointEntry.objects.get(code="evaluation").cadre == cadre


def test_the_minimum_number_of_raters_is_a_setting(org, cadre, settings):
    settings.LIAISON_EVALUATION_MIN_RATERS = 4
    assignment = cadre.assignments.get()
    for rater in staff(org.s_jiangan, 3):
        rate(assignment, rater, 5, quarter=Q3)
    recompute()
    assert not PointEntry.objects.filter(code="evaluation").exists()


def test_an_evaluation_of_a_quarter_whose_last_month_is_frozen_lands_in_the_current_month(
    org, cadre
):
    assignment = cadre.assignments.get()
    for rater in staff(org.s_jiangan, 3):
        rate(assignment, rater, 5, quarter=Q3)
    RankingMonth.objects.create(month=SEP, frozen_at=at(dt.date(2026, 10, 1), 1))
    recompute()
    (entry,) = PointEntry.objects.filter(code="evaluation")
    assert (entry.fact_day, entry.booked_month) == (dt.date(2026, 9, 30), NOV)


def test_the_day_after_the_quarter_the_incremental_run_books_it_as_the_full_run_does(org, cadre):
    assignment = cadre.assignments.get()
    for rater in staff(org.s_jiangan, 3):
        rate(assignment, rater, 5, quarter=Q3)
    recompute(today=dt.date(2026, 9, 30))  # the quarter's last day: not yet
    assert not PointEntry.objects.filter(code="evaluation").exists()

    incremental = recompute(today=dt.date(2026, 10, 1), since=dt.date(2026, 9, 23))
    after_incremental = live_entries()
    full = recompute(today=dt.date(2026, 10, 1))

    assert incremental.added == 1
    assert (full.added, full.reversed) == (0, 0)
    assert live_entries() == after_incremental
    assert ("evaluation", "evaluation", assignment.pk, 20263, cadre.pk, Decimal(3)) in (
        after_incremental
    )


def test_the_recompute_costs_the_same_queries_for_one_fact_and_for_fifty(org, cadre):
    def count_queries(facts):
        PointEntry.objects.filter(reverses__isnull=False).delete()
        PointEntry.objects.all().delete()
        problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
        for _ in range(facts):
            task(problem, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 10))
        with CaptureQueriesContext(connection) as queries:
            recompute()
        return len(queries)

    assert count_queries(1) == count_queries(50)


def test_two_recomputes_never_interleave(org, cadre):
    with CaptureQueriesContext(connection) as queries:
        recompute()
    sql = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "pg_advisory_xact_lock" in q)
    assert lock < next(i for i, q in enumerate(sql) if q.startswith("DROP TABLE"))


def test_a_start_day_after_today_is_refused_in_chinese(org, cadre):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        recompute(since=TODAY + dt.timedelta(days=1))
    assert "不能晚于今天" in error.value.messages[0]
    assert not PointEntry.objects.exists()


def test_the_job_and_the_command_run_the_recompute(org, cadre):
    problem = published(org.s_jiangan, on=dt.date(2026, 10, 1))
    task(problem, due=dt.date(2026, 10, 20), done=dt.date(2026, 10, 10))
    assert tasks.recompute_points(today_iso="2026-11-20")["added"] == 1
    assert tasks.recompute_points(today_iso="2026-11-20")["added"] == 0
    out = StringIO()
    with translation.override("zh-hans"):
        call_command(
            "recompute_points", "--today", "2026-11-20", "--since", "2026-10-01", stdout=out
        )
    assert "新增 0 条" in out.getvalue()
    assert PointEntry.objects.count() == 1


def test_the_short_interval_job_looks_back_over_the_back_dating_window(org, cadre):
    report = tasks.recompute_recent_points(today_iso="2026-11-20")
    window = settings.LIAISON_BACKDATE_DAYS + 1
    assert report["since"] == (TODAY - dt.timedelta(days=window)).isoformat()


def test_a_bad_day_in_the_command_is_refused(db):
    with pytest.raises(CommandError):
        call_command("recompute_points", "--today", "2026-13-01")


def test_the_beat_schedule_recomputes_nightly_before_the_freeze_and_every_ten_minutes():
    schedule = settings.CELERY_BEAT_SCHEDULE
    nightly = schedule["recompute-points"]
    assert nightly["task"] == "scoring.recompute_points"
    assert nightly["schedule"] == crontab(hour=0, minute=50)
    assert schedule["recompute-recent-points"]["schedule"] == crontab(minute="*/10")
    assert schedule["recompute-recent-points"]["task"] == "scoring.recompute_recent_points"
