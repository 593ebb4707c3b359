"""Administrators edit point rules (with history, never overlapping); the ledger is read-only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from scoring.models import PointEntry, PointRule
from tests import factories as f
from tests.scoring.ledger_helpers import seed_default_rules


@pytest.fixture(autouse=True)
def default_rules(db):
    seed_default_rules()


def _post(client, data, rule=None):
    url = (
        reverse("admin:scoring_pointrule_change", args=[rule.pk])
        if rule
        else reverse("admin:scoring_pointrule_add")
    )
    base = {"code": "task_on_time", "description": "任务按期办结", "points": "3", "cap": ""}
    return client.post(url, {**base, **data})


def test_a_new_version_after_ending_the_old_one_is_saved_with_history(login, personas):
    client = login(personas.admin)
    old = PointRule.objects.get(code="task_on_time")
    response = _post(
        client,
        {
            "code": "task_on_time",
            "points": "2",
            "effective_from": "2026-01-01",
            "effective_to": "2026-06-30",
        },
        rule=old,
    )
    assert response.status_code == 302
    response = _post(client, {"effective_from": "2026-07-01", "effective_to": ""})
    assert response.status_code == 302
    versions = PointRule.objects.filter(code="task_on_time").order_by("effective_from")
    assert [v.points for v in versions] == [Decimal(2), Decimal(3)]
    assert versions[0].history.count() == 1  # the edit (the seed wrote no history)
    assert versions[1].history.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-07-01", "", "请先为该版本设置截止日期"),  # the seeded version is open-ended
        ("2025-12-01", "2026-01-01", "请先为该版本设置截止日期"),
    ],
)
def test_an_overlapping_version_is_refused_in_chinese_and_nothing_is_written(
    login, personas, start, end, message
):
    client = login(personas.admin)
    response = _post(client, {"effective_from": start, "effective_to": end})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PointRule.objects.filter(code="task_on_time").count() == 1


def test_a_version_inside_a_closed_range_names_that_range(login, personas):
    PointRule.objects.filter(code="task_on_time").update(effective_to=dt.date(2026, 6, 30))
    client = login(personas.admin)
    response = _post(client, {"effective_from": "2026-03-01", "effective_to": "2026-12-31"})
    assert "2026-01-01 至 2026-06-30" in response.content.decode()
    assert PointRule.objects.filter(code="task_on_time").count() == 1


def test_the_ledger_is_read_only_in_the_admin(login, personas, org):
    entry = f.PointEntryFactory(
        cadre=f.CadreFactory(bureau=org.jiangan), rule=PointRule.objects.get(code="task_late")
    )
    client = login(personas.admin)
    assert client.get(reverse("admin:scoring_pointentry_changelist")).status_code == 200
    assert client.get(reverse("admin:scoring_pointentry_add")).status_code == 403
    change = reverse("admin:scoring_pointentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"points": "99"}).status_code == 403
    delete = reverse("admin:scoring_pointentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PointEntry.objects.get().points == entry.points
