"""Helpers for the two-way evaluation tests: the default dimensions, staff, and ratings."""

import datetime as dt
import importlib

from django.apps import apps

from scoring.models import EvaluationDimension
from tests import factories as f

Q3 = dt.date(2026, 7, 1)
Q4 = dt.date(2026, 10, 1)


def seed_dimensions() -> None:
    """The dimensions of the data migration (a transactional test elsewhere may have flushed
    them); the seed inserts only what is missing."""
    importlib.import_module("scoring.migrations.0004_evaluations").seed_dimensions(apps, None)


def dimensions(direction: str = "of_cadre") -> list[EvaluationDimension]:
    return list(EvaluationDimension.objects.filter(direction=direction, active=True))


def staff(station, count: int, *, first: int = 0) -> list:
    """``count`` staff users of ``station``, named 所长甲0, 所长甲1…"""
    return [
        f.UserFactory(
            role="station",
            bureau=None,
            station=station,
            last_name="所长",
            first_name=f"甲{first + i}",
        )
        for i in range(count)
    ]


def rate(assignment, rater, scores, *, quarter=Q3, direction="of_cadre", comment=""):
    """``rater``'s evaluation of ``quarter``: ``scores`` in the order of the active
    dimensions (one number: the same score for every dimension)."""
    dims = dimensions(direction)
    if isinstance(scores, int):
        scores = [scores] * len(dims)
    evaluation = f.EvaluationFactory(
        assignment=assignment, rater=rater, quarter=quarter, direction=direction, comment=comment
    )
    for dimension, score in zip(dims, scores, strict=True):
        f.EvaluationScoreFactory(evaluation=evaluation, dimension=dimension, score=score)
    return evaluation
