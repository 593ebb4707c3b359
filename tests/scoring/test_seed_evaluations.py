"""Demo evaluations: every ended quarter of 2026 rated at most stations, mostly by enough
staff for the aggregate to show, the quarter under way left open; deterministic; wired into
``seed_demo`` before the ledger, so the demo cadres earn evaluation points."""

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from liaison import seeding
from liaison.models import Assignment, User
from scoring.evaluations.seeding import seed_evaluations
from scoring.models import Evaluation, EvaluationScore, PointEntry
from tests.scoring.evaluation_helpers import seed_dimensions
from tests.scoring.ledger_helpers import seed_default_rules

TODAY = dt.date(2026, 11, 22)
ENDED = [dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1)]


@pytest.fixture(autouse=True)
def reference_data(db):
    seed_default_rules()
    seed_dimensions()


def seed(reset=False):
    seeding.seed(scale="demo", seed=235, reset=reset, today=TODAY)
    return seed_evaluations(scale="demo", seed=235, today=TODAY)


def fingerprint() -> str:
    rows = list(
        Evaluation.objects.order_by(
            "assignment__station__code", "quarter", "direction", "rater__username"
        ).values_list(
            "assignment__station__code",
            "quarter",
            "direction",
            "rater__username",
            "comment",
            "submitted_at",
        )
    ) + list(
        EvaluationScore.objects.order_by(
            "evaluation__assignment__station__code",
            "evaluation__quarter",
            "evaluation__direction",
            "evaluation__rater__username",
            "dimension__position",
        ).values_list("score", flat=True)
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_most_stations_rate_their_cadre_each_ended_quarter_with_enough_raters():
    counts = seed()

    groups = (
        Evaluation.objects.filter(direction="of_cadre")
        .values("assignment_id", "quarter")
        .annotate(raters=Count("pk"))
    )
    assert {g["quarter"] for g in groups} == set(ENDED)  # the quarter under way is open
    covered = Assignment.objects.filter(start_date__lte=dt.date(2026, 9, 30)).count()
    enough = [g for g in groups if g["raters"] >= 3]
    assert len(groups) >= 0.85 * covered * len(ENDED)
    assert len(enough) >= 0.7 * covered * len(ENDED)
    assert Evaluation.objects.filter(direction="of_station").count() >= 0.7 * covered * 3
    assert counts["evaluations"] == Evaluation.objects.count()
    assert counts["scores"] == EvaluationScore.objects.count()
    # Four staff at every station; the memorable station's all rate every quarter.
    staff = User.objects.filter(role="station").values("station_id").annotate(n=Count("pk"))
    assert {row["n"] for row in staff} == {4}
    station_user = User.objects.get(username="station")
    memorable = Evaluation.objects.filter(
        direction="of_cadre", assignment__station=station_user.station
    )
    assert memorable.values("quarter").annotate(n=Count("pk")).filter(n=4).count() == 3
    # Every rating was given during its quarter and while the assignment ran.
    for evaluation in Evaluation.objects.select_related("assignment"):
        assert evaluation.quarter <= evaluation.submitted_on < dt.date(2026, 10, 1)
        assert evaluation.assignment.start_date <= evaluation.submitted_on


def test_the_same_seed_gives_the_same_evaluations():
    seed()
    first = fingerprint()
    seed(reset=True)
    assert fingerprint() == first
    assert Evaluation.objects.exists()


def test_seed_demo_scores_the_evaluations_and_the_cadre_sees_the_aggregate(client):
    call_command("seed_demo", "--scale", "demo", "--today", TODAY.isoformat(), stdout=StringIO())

    assert Evaluation.objects.exists()
    earned = PointEntry.objects.filter(code="evaluation")
    assert earned.exists()
    assert set(earned.values_list("fact_day", flat=True)) <= {
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
    }
    client.force_login(User.objects.get(username="cadre"))
    page = client.get(reverse("scoring:my-points")).content.decode()
    assert "4 人评价" in page
