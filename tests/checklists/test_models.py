"""Checklist templates, problem categories and problems: defaults and constraints."""

import pytest
from django.db import IntegrityError, transaction

from checklists.models import ChecklistItem, ChecklistTemplate, Problem, ProblemCategory


def test_the_defaults_are_seeded():
    counts = {t.code: t.items.filter(active=True).count() for t in ChecklistTemplate.objects.all()}
    assert counts == {"ten_ones": 10, "inspection_areas": 8, "five_haves": 5}
    assert list(ProblemCategory.objects.active().values_list("name", flat=True)) == [
        "消防和安全隐患",
        "执法规范",
        "信息系统",
        "队伍管理",
        "装备保障",
        "信访",
        "社区警务",
    ]


def test_seeding_again_keeps_what_administrators_changed():
    from importlib import import_module

    from django.apps import apps

    ChecklistItem.objects.filter(code="jiechujing", template__code="ten_ones").update(
        label="检查接处警"
    )
    import_module("checklists.migrations.0002_seed_defaults").seed(apps, None)
    item = ChecklistItem.objects.get(code="jiechujing", template__code="ten_ones")
    assert item.label == "检查接处警"
    assert ChecklistItem.objects.filter(template__code="ten_ones").count() == 10


def test_an_item_code_is_unique_within_its_template():
    template = ChecklistTemplate.objects.get(code="ten_ones")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistItem.objects.create(template=template, code="jiechujing", label="重复")


def test_the_same_item_code_may_appear_in_two_templates():
    assert ChecklistItem.objects.filter(code="jiechujing").count() == 2


def test_a_problem_status_outside_the_lifecycle_is_refused_by_the_database(org, personas):
    problem = Problem.objects.create(
        station=org.s_jiangan,
        category=ProblemCategory.objects.get(code="petitions"),
        description="信访接待登记不规范",
        raised_by=personas.cadre,
    )
    assert problem.status == "draft" and problem.responsible is None and problem.deadline is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(status="solved")


def test_a_problem_needs_a_description(org, personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(
            station=org.s_jiangan,
            category=ProblemCategory.objects.get(code="petitions"),
            description="",
            raised_by=personas.cadre,
        )
