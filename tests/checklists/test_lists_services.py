"""The lifecycle services of the three lists: every transition, every refusal (which writes
nothing), four eyes, close-out conditions, reopening, concurrent edits and history."""

import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation

from checklists.evidence import MAX_EVIDENCE_BYTES
from checklists.models import (
    ListEvent,
    Problem,
    ProblemCategory,
    Rating,
    Result,
    ResultEvidence,
    Task,
)
from checklists.services import lists as services
from checklists.services.lists import StaleState, TaskDraft
from tests import factories as f
from tests.checklists.conftest import NOW, image_bytes
from tests.checklists.lists_data import (
    DEADLINE,
    TODAY,
    big_file,
    category,
    draft,
    fresh,
    pdf_bytes,
    published,
    ready_to_close,
    submitted,
    task,
    verified,
)


def _state():
    """Everything the services write: rows, history rows, events and problem states."""
    return {
        "problems": list(Problem.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "results": list(Result.objects.order_by("pk").values()),
        "evidence": ResultEvidence.objects.count(),
        "history": (
            Problem.history.count(),
            Task.history.count(),
            Result.history.count(),
        ),
        "events": ListEvent.objects.count(),
    }


class Unchanged:
    """``with Unchanged(code):`` — the block raises ValidationError with ``code`` and
    leaves the database as it was."""

    def __init__(self, code):
        self.code = code

    def __enter__(self):
        self.before = _state()
        return self

    def __exit__(self, kind, exc, tb):
        assert kind is not None and issubclass(kind, ValidationError), f"no refusal: {exc!r}"
        assert exc.error_list[0].code == self.code, exc.error_list[0].code
        assert _state() == self.before
        return True


def _files(media_root):
    return [name for _root, _dirs, names in os.walk(media_root) for name in names]


# --- raising ------------------------------------------------------------------------------


def test_a_cadre_raises_a_draft_for_their_station_with_history(org, personas):
    problem = draft(org, personas)
    assert (problem.status, problem.station, problem.raised_by) == (
        "draft",
        org.s_jiangan,
        personas.cadre,
    )
    record = problem.history.get()
    assert (record.history_user, record.history_change_reason) == (personas.cadre, "raised")


@pytest.mark.parametrize("persona", ["cadre", "station", "leader", "other_city_bureau"])
def test_raising_outside_ones_station_or_role_is_refused(org, personas, persona):
    with Unchanged("forbidden"):
        services.raise_problem(
            station=org.s_jiangan2 if persona == "cadre" else org.s_jiangan,
            category=category(),
            description="问题",
            by=getattr(personas, persona),
            now=NOW,
        )


def test_bureau_staff_raise_for_any_station_in_their_subtree(org, personas):
    problem = services.raise_problem(
        station=org.s_xiling,
        category=category(),
        description="问题",
        by=personas.province_bureau,
        now=NOW,
    )
    assert problem.status == "draft"


def test_an_empty_description_or_a_retired_category_is_refused(org, personas):
    with Unchanged("description"):
        services.raise_problem(
            station=org.s_jiangan, category=category(), description="  ", by=personas.cadre, now=NOW
        )
    retired = ProblemCategory.objects.create(code="old", name="旧类别", active=False)
    with Unchanged("category"):
        services.raise_problem(
            station=org.s_jiangan, category=retired, description="问题", by=personas.cadre, now=NOW
        )


# --- publishing ---------------------------------------------------------------------------


def test_publishing_names_the_owner_sets_the_reference_and_creates_tasks(org, personas):
    problem = draft(org, personas)
    result = services.publish_problem(
        problem=problem,
        by=personas.county_bureau,
        responsible=personas.station,
        deadline=DEADLINE,
        version=1,
        now=NOW,
        tasks=[
            TaskDraft("更换灭火器", personas.station, dt.date(2026, 12, 1)),
            TaskDraft("组织消防培训", personas.county_bureau, DEADLINE),
        ],
    )
    assert result.status == "published" and result.version == 2
    assert (result.responsible, result.deadline) == (personas.station, DEADLINE)
    assert (result.published_by, result.published_at) == (personas.county_bureau, NOW)
    assert result.reference == f"420000-2026-{problem.pk:06d}"
    assert list(result.tasks.values_list("title", "due_date", "order")) == [
        ("更换灭火器", dt.date(2026, 12, 1), 0),
        ("组织消防培训", DEADLINE, 1),
    ]
    latest = result.history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.status) == (
        personas.county_bureau,
        "published",
        "published",
    )


def test_an_imported_reference_is_kept_on_publishing(org, personas):
    problem = draft(org, personas)
    Problem.objects.filter(pk=problem.pk).update(reference="HB-2026-0001")
    published_problem = services.publish_problem(
        problem=problem,
        by=personas.county_bureau,
        responsible=personas.station,
        deadline=DEADLINE,
        version=1,
        now=NOW,
    )
    assert published_problem.reference == "HB-2026-0001"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"deadline": TODAY - dt.timedelta(days=1)}, "deadline"),
        ({"responsible": "other_station"}, "person"),
        ({"responsible": "leader"}, "person"),
        ({"responsible": "other_city_bureau"}, "person"),
        ({"by": "other_city_bureau"}, "forbidden"),
        ({"by": "station"}, "forbidden"),
        ({"by": "leader"}, "forbidden"),
        ({"version": 7}, "stale"),
        ({"tasks": "after_deadline"}, "due_after_deadline"),
        ({"tasks": "past"}, "due_past"),
        ({"tasks": "foreign_assignee"}, "person"),
    ],
)
def test_publishing_refusals_write_nothing(org, personas, change, code):
    problem = draft(org, personas)
    other_station = f.UserFactory(role="station", bureau=None, station=org.s_jiangan2)
    people = {"other_station": other_station}
    kwargs = {
        "problem": problem,
        "by": personas.county_bureau,
        "responsible": personas.station,
        "deadline": DEADLINE,
        "version": 1,
        "now": NOW,
    }
    for key, value in change.items():
        if key in ("by", "responsible"):
            value = people.get(value) or getattr(personas, value)
        if key == "tasks":
            due, assignee = {
                "after_deadline": (DEADLINE + dt.timedelta(days=1), personas.station),
                "past": (TODAY - dt.timedelta(days=1), personas.station),
                "foreign_assignee": (DEADLINE, other_station),
            }[value]
            value = [TaskDraft("任务", assignee, due)]
        kwargs[key] = value
    with Unchanged(code):
        services.publish_problem(**kwargs)


def test_a_published_problem_cannot_be_published_again(org, personas):
    problem = published(org, personas)
    with Unchanged("status"):
        services.publish_problem(
            problem=problem,
            by=personas.county_bureau,
            responsible=personas.station,
            deadline=DEADLINE,
            version=problem.version,
            now=NOW,
        )


# --- editing ------------------------------------------------------------------------------


def test_the_office_moves_the_deadline_and_names_another_responsible(org, personas):
    problem = published(org, personas)
    changed = services.update_problem(
        problem=problem,
        by=personas.city_bureau,
        version=problem.version,
        responsible=personas.county_bureau,
        deadline=dt.date(2026, 12, 31),
        now=NOW,
    )
    assert (changed.responsible, changed.deadline, changed.version) == (
        personas.county_bureau,
        dt.date(2026, 12, 31),
        3,
    )
    record = changed.history.latest()
    assert (record.history_user, record.history_change_reason) == (personas.city_bureau, "edited")


def test_the_deadline_never_moves_before_an_open_tasks_due_date(org, personas):
    problem = published(org, personas)
    task(problem, personas.county_bureau, assignee=personas.station, due=dt.date(2026, 12, 10))
    with Unchanged("deadline_before_task"):
        services.update_problem(
            problem=problem,
            by=personas.county_bureau,
            version=problem.version,
            deadline=dt.date(2026, 12, 9),
            now=NOW,
        )
    with Unchanged("deadline"):
        services.update_problem(
            problem=problem,
            by=personas.county_bureau,
            version=problem.version,
            deadline=TODAY - dt.timedelta(days=1),
            now=NOW,
        )


def test_a_done_task_does_not_hold_the_deadline_back(org, personas):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station, due=dt.date(2026, 12, 10))
    services.complete_task(task=t, by=personas.station, version=t.version, now=NOW)
    problem = fresh(problem)
    changed = services.update_problem(
        problem=problem,
        by=personas.county_bureau,
        version=problem.version,
        deadline=dt.date(2026, 12, 1),
        now=NOW,
    )
    assert changed.deadline == dt.date(2026, 12, 1)


def test_moving_an_overdue_deadline_ahead_clears_the_overdue_flag(org, personas):
    problem = published(org, personas)
    Problem.objects.filter(pk=problem.pk).update(
        overdue_since=dt.date(2026, 11, 10), escalated_on=dt.date(2026, 11, 15)
    )
    changed = services.update_problem(
        problem=fresh(problem),
        by=personas.county_bureau,
        version=problem.version,
        deadline=dt.date(2026, 11, 30),
        now=NOW,
    )
    assert changed.overdue_since is None and changed.escalated_on is None
    assert ListEvent.objects.get().kind == ListEvent.Kind.OVERDUE_CLEARED


def test_two_people_editing_at_once_the_second_gets_the_fresh_state(org, personas):
    problem = published(org, personas)
    seen = problem.version
    services.update_problem(
        problem=problem,
        by=personas.county_bureau,
        version=seen,
        deadline=dt.date(2026, 12, 20),
        now=NOW,
    )
    with Unchanged("stale") as refusal:
        services.update_problem(
            problem=problem,
            by=personas.city_bureau,
            version=seen,
            deadline=dt.date(2026, 12, 25),
            now=NOW,
        )
    assert fresh(problem).deadline == dt.date(2026, 12, 20)
    assert refusal.before["problems"][0]["deadline"] == dt.date(2026, 12, 20)


def test_the_stale_message_is_chinese_and_says_what_to_do(org, personas):
    problem = published(org, personas)
    with translation.override("zh-hans"), pytest.raises(StaleState) as caught:
        services.close_out(problem=problem, by=personas.county_bureau, version=1, now=NOW)
    assert caught.value.messages == ["该问题已被他人更新，以下为最新状态，请核对后重试。"]


# --- tasks --------------------------------------------------------------------------------


def test_the_office_adds_a_task_due_by_the_deadline(org, personas):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station, due=DEADLINE)
    assert (t.problem, t.assignee, t.due_date, t.created_by) == (
        problem,
        personas.station,
        DEADLINE,
        personas.county_bureau,
    )
    assert t.history.get().history_user == personas.county_bureau


@pytest.mark.parametrize(
    ("due", "by", "code"),
    [
        (DEADLINE + dt.timedelta(days=1), "county_bureau", "due_after_deadline"),
        (TODAY - dt.timedelta(days=1), "county_bureau", "due_past"),
        (DEADLINE, "station", "forbidden"),
        (DEADLINE, "leader", "forbidden"),
        (DEADLINE, "other_city_bureau", "forbidden"),
    ],
)
def test_task_refusals_write_nothing(org, personas, due, by, code):
    problem = published(org, personas)
    with Unchanged(code):
        task(problem, getattr(personas, by), assignee=personas.station, due=due)


def test_no_task_is_added_to_a_draft_or_a_closed_problem(org, personas):
    unpublished = draft(org, personas)
    with Unchanged("status"):
        task(unpublished, personas.county_bureau, assignee=personas.station)
    problem = ready_to_close(org, personas)
    services.close_out(problem=problem, by=personas.city_bureau, version=problem.version, now=NOW)
    with Unchanged("status"):
        task(problem, personas.county_bureau, assignee=personas.station)


def test_planned_tasks_get_milestones_worked_back_from_the_deadline(org, personas):
    problem = published(org, personas)
    tasks = services.plan_tasks(
        problem=problem,
        by=personas.county_bureau,
        titles=["排查", "整改", "验收"],
        assignee=personas.station,
        now=NOW,
    )
    assert [t.due_date for t in tasks] == [
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 8),
        DEADLINE,
    ]


def test_progress_moves_the_problem_into_rectification_with_history(org, personas):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    updated = services.update_task(
        task=t, by=personas.station, version=t.version, progress=40, note="已采购", now=NOW
    )
    assert (updated.progress, updated.progress_note, updated.version) == (40, "已采购", 2)
    problem = fresh(problem)
    assert problem.status == "in_rectification"
    assert problem.history.latest().history_change_reason == "rectifying"
    record = updated.history.latest()
    assert (record.history_user, record.progress) == (personas.station, 40)


def test_a_bureau_assignee_reports_progress_on_their_own_task_only(org, personas):
    problem = published(org, personas)
    theirs = task(problem, personas.county_bureau, assignee=personas.county_bureau)
    other = task(problem, personas.county_bureau, assignee=personas.station)
    services.update_task(
        task=theirs, by=personas.county_bureau, version=1, progress=50, note="", now=NOW
    )
    with Unchanged("forbidden"):
        services.update_task(
            task=other, by=personas.county_bureau, version=1, progress=50, note="", now=NOW
        )


@pytest.mark.parametrize(
    ("by", "progress", "version", "code"),
    [
        ("leader", 10, 1, "forbidden"),
        ("cadre", 10, 1, "forbidden"),
        ("other_station", 10, 1, "forbidden"),
        ("station", 120, 1, "progress"),
        ("station", 10, 5, "stale"),
    ],
)
def test_progress_refusals_write_nothing(org, personas, by, progress, version, code):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    user = (
        f.UserFactory(role="station", bureau=None, station=org.s_jiangan2)
        if by == "other_station"
        else getattr(personas, by)
    )
    with Unchanged(code):
        services.update_task(task=t, by=user, version=version, progress=progress, note="", now=NOW)


def test_marking_a_task_done_records_who_and_when_and_clears_overdue(org, personas):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    Task.objects.filter(pk=t.pk).update(overdue_since=dt.date(2026, 11, 17))
    done = services.complete_task(task=fresh(t), by=personas.station, version=1, now=NOW)
    assert (done.done_on, done.done_by, done.progress, done.overdue_since) == (
        TODAY,
        personas.station,
        100,
        None,
    )
    assert ListEvent.objects.get().task == done
    assert fresh(problem).status == "in_rectification"


def test_a_task_done_twice_at_once_gets_the_fresh_state(org, personas):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    colleague = f.UserFactory(role="station", bureau=None, station=org.s_jiangan)
    services.complete_task(task=t, by=personas.station, version=1, now=NOW)
    with Unchanged("stale"):
        services.complete_task(task=t, by=colleague, version=1, now=NOW)
    assert fresh(t).done_by == personas.station
    with Unchanged("done"):
        services.complete_task(task=fresh(t), by=personas.station, version=2, now=NOW)


# --- results ------------------------------------------------------------------------------


def test_a_result_with_a_photo_and_a_pdf_is_stored_under_random_names(org, personas, media_root):
    problem = published(org, personas)
    photo = SimpleUploadedFile("现场照片.jpg", image_bytes(), content_type="image/jpeg")
    pdf = SimpleUploadedFile("整改报告.pdf", pdf_bytes(), content_type="application/pdf")
    result = submitted(problem, personas.station, files=[photo, pdf])
    assert (result.submitted_by, result.submitted_at) == (personas.station, NOW)
    evidence = list(result.evidence.order_by("pk"))
    assert [(e.original_name, e.content_type) for e in evidence] == [
        ("现场照片.jpg", "image/jpeg"),
        ("整改报告.pdf", "application/pdf"),
    ]
    assert all("现场" not in e.file.name and "整改" not in e.file.name for e in evidence)
    assert len(_files(media_root)) == 2
    assert fresh(problem).status == "in_rectification"
    assert result.history.get().history_user == personas.station


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([("a.pdf", b"not really a pdf")], "evidence_type"),
        ([("a.jpg", b"GIF89a...")], "evidence_type"),
        ([("a.pdf", "big")], "evidence_too_large"),
        ([(f"{i}.pdf", pdf_bytes()) for i in range(7)], "too_many_files"),
    ],
)
def test_bad_evidence_refuses_the_whole_result(org, personas, media_root, files, code):
    problem = published(org, personas)
    uploads = [
        SimpleUploadedFile(name, content, content_type="application/pdf")
        if content != "big"
        else big_file(MAX_EVIDENCE_BYTES + 1)
        for name, content in files
    ]
    with Unchanged(code):
        submitted(problem, personas.station, files=uploads)
    assert _files(media_root) == []


@pytest.mark.parametrize("by", ["leader", "cadre", "county_bureau"])
def test_only_the_station_the_responsible_and_assignees_submit_results(org, personas, by):
    problem = published(org, personas)
    with Unchanged("forbidden"):
        submitted(problem, getattr(personas, by))


def test_an_assignee_in_the_bureau_may_submit_a_result(org, personas):
    problem = published(org, personas)
    task(problem, personas.county_bureau, assignee=personas.county_bureau)
    assert submitted(problem, personas.county_bureau).submitted_by == personas.county_bureau


def test_verifying_records_who_when_and_the_rating(org, personas):
    problem = published(org, personas)
    result = verified(submitted(problem, personas.station), personas.city_bureau, Rating.EXCELLENT)
    assert (result.verified_by, result.verified_at, result.rating) == (
        personas.city_bureau,
        NOW,
        "excellent",
    )
    assert result.history.latest().history_change_reason == "verified"


def test_four_eyes_nobody_verifies_their_own_result(org, personas):
    problem = published(org, personas, responsible=personas.county_bureau)
    result = submitted(problem, personas.county_bureau)
    with Unchanged("four_eyes"):
        verified(result, personas.county_bureau)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(
            verified_by=personas.county_bureau, verified_at=NOW, rating="good"
        )


@pytest.mark.parametrize("by", ["station", "leader", "other_city_bureau"])
def test_only_the_office_in_scope_verifies(org, personas, by):
    result = submitted(published(org, personas), personas.station)
    with Unchanged("forbidden"):
        verified(result, getattr(personas, by))


def test_two_verifiers_at_once_the_second_gets_the_fresh_state(org, personas):
    result = submitted(published(org, personas), personas.station)
    services.verify_result(
        result=result, by=personas.county_bureau, version=1, rating="good", now=NOW
    )
    with Unchanged("stale"):
        services.verify_result(
            result=result, by=personas.city_bureau, version=1, rating="poor", now=NOW
        )
    assert fresh(result).rating == "good"


# --- close-out and reopening --------------------------------------------------------------


def test_closing_out_records_who_and_when_and_clears_overdue(org, personas):
    problem = ready_to_close(org, personas)
    Problem.objects.filter(pk=problem.pk).update(overdue_since=dt.date(2026, 11, 17))
    closed = services.close_out(
        problem=problem, by=personas.city_bureau, version=problem.version, now=NOW
    )
    assert (closed.status, closed.closed_by, closed.closed_at, closed.closed_on) == (
        "closed",
        personas.city_bureau,
        NOW,
        TODAY,
    )
    assert closed.overdue_since is None
    assert closed.history.latest().history_change_reason == "closed"


def test_close_out_is_refused_with_an_open_task(org, personas):
    problem = ready_to_close(org, personas)
    task(problem, personas.county_bureau, assignee=personas.station, title="复查")
    with Unchanged("not_ready"):
        services.close_out(
            problem=problem, by=personas.city_bureau, version=problem.version, now=NOW
        )


@pytest.mark.parametrize("rating", [None, Rating.POOR])
def test_close_out_is_refused_without_a_good_verified_result(org, personas, rating):
    problem = published(org, personas)
    result = submitted(problem, personas.station)
    if rating:
        verified(result, personas.county_bureau, rating)
    problem = fresh(problem)
    with Unchanged("not_ready") as refusal:
        services.close_out(
            problem=problem, by=personas.city_bureau, version=problem.version, now=NOW
        )
    assert refusal


def test_the_submitter_of_the_result_cannot_close_out(org, personas):
    problem = published(org, personas, responsible=personas.county_bureau)
    verified(submitted(problem, personas.county_bureau), personas.city_bureau)
    problem = fresh(problem)
    with Unchanged("not_ready"):
        services.close_out(
            problem=problem, by=personas.county_bureau, version=problem.version, now=NOW
        )
    closed = services.close_out(
        problem=problem, by=personas.province_bureau, version=problem.version, now=NOW
    )
    assert closed.status == "closed"


@pytest.mark.parametrize("by", ["station", "leader", "other_city_bureau"])
def test_only_the_office_in_scope_closes_out(org, personas, by):
    problem = ready_to_close(org, personas)
    with Unchanged("forbidden"):
        services.close_out(
            problem=problem, by=getattr(personas, by), version=problem.version, now=NOW
        )


def test_two_closers_at_once_the_second_gets_the_fresh_state(org, personas):
    problem = ready_to_close(org, personas)
    services.close_out(problem=problem, by=personas.city_bureau, version=problem.version, now=NOW)
    with Unchanged("stale"):
        services.close_out(
            problem=problem, by=personas.province_bureau, version=problem.version, now=NOW
        )
    assert fresh(problem).closed_by == personas.city_bureau


def test_reopening_needs_a_reason_and_a_new_result_to_close_again(org, personas):
    problem = ready_to_close(org, personas)
    closed = services.close_out(
        problem=problem, by=personas.city_bureau, version=problem.version, now=NOW
    )
    with Unchanged("reason"):
        services.reopen_problem(
            problem=closed, by=personas.city_bureau, version=closed.version, reason=" ", now=NOW
        )
    later = NOW + dt.timedelta(days=3)
    reopened = services.reopen_problem(
        problem=closed,
        by=personas.city_bureau,
        version=closed.version,
        reason="群众反映仍有隐患",
        now=later,
    )
    assert (reopened.status, reopened.reopen_reason, reopened.reopened_count) == (
        "in_rectification",
        "群众反映仍有隐患",
        1,
    )
    assert reopened.closed_at is None and reopened.closed_by is None and reopened.closed_on is None
    # The result verified before the reopening no longer closes it out.
    with Unchanged("not_ready"):
        services.close_out(
            problem=reopened, by=personas.city_bureau, version=reopened.version, now=later
        )
    result = services.submit_result(
        problem=reopened, by=personas.station, what_changed="再次整改", files=[], now=later
    )
    services.verify_result(
        result=result, by=personas.county_bureau, version=1, rating="good", now=later
    )
    again = services.close_out(
        problem=reopened, by=personas.city_bureau, version=reopened.version, now=later
    )
    assert again.status == "closed"


def test_only_a_closed_problem_is_reopened(org, personas):
    problem = published(org, personas)
    with Unchanged("status"):
        services.reopen_problem(
            problem=problem,
            by=personas.county_bureau,
            version=problem.version,
            reason="原因",
            now=NOW,
        )
