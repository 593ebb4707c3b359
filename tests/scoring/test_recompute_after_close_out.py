"""A close-out or a verified result recomputes the points at once (the checklists app
signals it, the scoring app enqueues the incremental recompute after commit); a broker that
is down never fails the close-out."""

import logging

import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError

from checklists.models import Problem
from liaison.celery import app
from scoring import tasks
from scoring.models import PointEntry
from tests.checklists.conftest import NOW
from tests.checklists.lists_data import published, ready_to_close, submitted
from tests.scoring.ledger_helpers import seed_default_rules


@pytest.fixture(autouse=True)
def _clock_and_rules(db):
    seed_default_rules()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def eager():
    """In-process tasks, as in the embedded default without REDIS_URL."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def close_url(problem) -> str:
    return reverse("checklists:problem-close", args=[problem.pk])


def entries(code: str, source) -> list:
    return list(
        PointEntry.objects.filter(code=code, source_id=source.pk).values_list("cadre_id", "points")
    )


def test_a_close_out_in_a_request_books_the_cadres_problem_closed_points_at_once(
    login, org, personas, eager, django_capture_on_commit_callbacks
):
    problem = ready_to_close(org, personas)
    assert entries("problem_closed", problem) == []
    client = login(personas.county_bureau)

    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        response = client.post(close_url(problem), {"version": problem.version})

    assert response.status_code == 302
    assert len(enqueued) == 1
    [(cadre_id, points)] = entries("problem_closed", problem)
    assert cadre_id == personas.cadre.cadre.pk and points > 0
    # The cadre sees it on their points page straight away.
    page = login(personas.cadre).get(reverse("scoring:my-points")).content.decode()
    assert "问题销号" in page and problem.reference in page


def test_verifying_a_result_excellent_in_a_request_books_its_points_at_once(
    login, org, personas, eager, django_capture_on_commit_callbacks
):
    problem = published(org, personas)
    result = submitted(problem, personas.station)
    client = login(personas.county_bureau)
    url = reverse("checklists:result-verify", args=[problem.pk, result.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {f"result-{result.pk}-rating": "excellent", f"result-{result.pk}-version": 1}
        )

    assert response.status_code == 302
    assert [c for c, _points in entries("result_excellent", result)] == [personas.cadre.cadre.pk]


def test_a_refused_close_out_enqueues_nothing(
    login, org, personas, django_capture_on_commit_callbacks
):
    problem = published(org, personas)  # no verified result yet
    client = login(personas.county_bureau)

    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(close_url(problem), {"version": problem.version})

    assert response.status_code == 400
    assert enqueued == []


def test_with_the_broker_down_the_close_out_still_succeeds_and_the_failure_is_logged(
    login, org, personas, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.recompute_recent_points, "apply_async", broker_down)
    problem = ready_to_close(org, personas)
    client = login(personas.county_bureau)

    with (
        caplog.at_level(logging.ERROR, logger="scoring.receivers"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(close_url(problem), {"version": problem.version})

    assert response.status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == "closed"
    assert "Could not recompute the points" in caplog.text
    assert entries("problem_closed", problem) == []  # the scheduled run will add it
