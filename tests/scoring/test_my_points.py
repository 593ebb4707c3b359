"""A cadre's own points page, and the same page for bureau staff and leaders."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from liaison.models import Visit
from scoring.models import MonthlyRank, PointEntry, PointRule, RankingMonth
from scoring.services.ledger import recompute_points
from tests import factories as f
from tests.scoring.ledger_helpers import (
    at,
    cadre_on,
    period,
    published,
    result,
    seed_default_rules,
    task,
)

TODAY = dt.date(2026, 11, 20)
NOV = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def clock(db):
    seed_default_rules()
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def cadre(org, personas):
    return personas.cadre.cadre


def _facts(org, cadre):
    """A met week with its visit, a problem the cadre raised, a task done late, and a
    result re-rated from excellent to poor (a reversal)."""
    assignment = cadre.assignments.get()
    visit = Visit.objects.create(
        assignment=assignment,
        cadre=cadre,
        station=assignment.station,
        visited_at=at(dt.date(2026, 11, 4)),
        visited_on=dt.date(2026, 11, 4),
        logged_by=cadre.user,
        unannounced=True,
        **dict.fromkeys(
            [
                "no_notice",
                "no_greeting",
                "no_report",
                "no_escort",
                "straight_to_grassroots",
                "straight_to_scene",
            ],
            True,
        ),
    )
    met = period(cadre, dt.date(2026, 11, 2), dt.date(2026, 11, 8), "met")
    problem = published(
        org.s_jiangan, raised_by=cadre.user, on=dt.date(2026, 11, 3), reference="HB-2026-0007"
    )
    task(problem, due=dt.date(2026, 11, 5), done=dt.date(2026, 11, 6))
    rated = result(problem, rating="excellent", on=dt.date(2026, 11, 10))
    recompute_points(today=TODAY, now=at(TODAY, 1))
    rated.rating = "poor"
    rated.save()
    recompute_points(today=TODAY, now=at(TODAY, 2))
    return visit, met, problem


def test_a_cadre_sees_this_months_points_and_every_entry_with_its_source(client, org, cadre):
    visit, _met, problem = _facts(org, cadre)
    client.force_login(cadre.user)

    response = client.get(reverse("scoring:my-points"))

    page = response.content.decode()
    assert response.status_code == 200
    # +2 week, +1 published, +0.5 late, +2 -2 excellent reversed, -2 poor = 1.5
    assert response.context["summary"].points == Decimal("1.5")
    assert "我的积分" in page
    assert "规定走访周期内开展“四不两直”走访" in page  # the rule's description
    assert "走访周期 2026-11-02 至 2026-11-08" in page  # the source, linked to its visit
    assert reverse("checklists:visit-detail", args=[visit.pk]) in page
    assert "HB-2026-0007" in page
    assert "更正" in page  # the reversing entry is marked as a correction
    by_rule = {r.code: r.points for r in response.context["summary"].by_rule}
    assert by_rule["result_excellent"] == 0 and by_rule["result_poor"] == Decimal(-2)
    assert page.count('class="reversal"') == 1


def test_entries_link_to_the_problem_page_when_it_exists(client, org, cadre):
    _visit, _met, problem = _facts(org, cadre)
    client.force_login(cadre.user)
    url = reverse("checklists:problem-detail", args=[problem.pk])
    assert url in client.get(reverse("scoring:my-points")).content.decode()


def test_the_trend_chart_covers_the_last_twelve_months(client, org, cadre):
    f.PointEntryFactory(
        cadre=cadre,
        code="missed_period",
        points=Decimal(-3),
        fact_day=dt.date(2026, 3, 15),
        rule=PointRule.objects.get(code="missed_period"),
    )
    client.force_login(cadre.user)
    page = client.get(reverse("scoring:my-points")).content.decode()
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert "2025-12" in chart and "2026-11" in chart and "2025-11" not in chart
    assert 'class="bar-value">-3</text>' in chart


def test_the_latest_frozen_rank_is_shown(client, org, cadre):
    october = RankingMonth.objects.create(month=dt.date(2026, 10, 1), frozen_at=at(NOV, 1))
    other = cadre_on(org.s_jiangan2, start=dt.date(2026, 1, 1))
    for person, rank in ((other, 1), (cadre, 2)):
        MonthlyRank.objects.create(
            ranking=october,
            cadre=person,
            tier="county",
            points=Decimal(10 - rank),
            rank_in_tier=rank,
            rank_overall=rank,
        )
    client.force_login(cadre.user)
    response = client.get(reverse("scoring:my-points"))
    assert response.context["summary"].rank.rank_in_tier == 2
    page = response.content.decode()
    assert "2 / 2" in page and "2026-10" in page


def test_a_new_cadre_sees_an_empty_page(client, org, cadre):
    client.force_login(cadre.user)
    page = client.get(reverse("scoring:my-points")).content.decode()
    assert "暂无积分流水" in page and "尚无已冻结的月度排名" in page


def _entries(cadre, count):
    rule = PointRule.objects.get(code="visit_in_period")
    records = [
        period(cadre, start, start + dt.timedelta(days=6), "met")
        for start in (dt.date(2026, 1, 5) + dt.timedelta(weeks=k) for k in range(count))
    ]
    PointEntry.objects.bulk_create(
        PointEntry(
            cadre=cadre,
            rule=rule,
            code="visit_in_period",
            source_kind="period",
            source_id=r.pk,
            points=2,
            fact_day=r.period_end,
            booked_month=r.period_end.replace(day=1),
        )
        for r in records
    )


@pytest.mark.parametrize("count", [1, 50])
def test_the_page_costs_the_same_queries_for_one_entry_and_for_fifty(
    client, org, cadre, count, django_assert_num_queries
):
    _entries(cadre, count)
    client.force_login(cadre.user)
    # Nine, and four for the station's evaluation of the cadre (the assignments, the
    # raters, the averages and the comments of the quarters shown).
    with django_assert_num_queries(13):
        response = client.get(reverse("scoring:my-points"))
    assert len(response.context["rows"]) == count


def test_entries_are_paginated_fifty_to_a_page_and_htmx_gets_only_the_table(client, org, cadre):
    _entries(cadre, 51)
    client.force_login(cadre.user)
    url = reverse("scoring:my-points")
    assert len(client.get(url).context["rows"]) == 50
    partial = client.get(
        url, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "entry-table"}
    )
    body = partial.content.decode()
    assert len(partial.context["rows"]) == 1
    assert body.lstrip().startswith('<div id="entry-table">') and "<svg" not in body
    assert "HX-Request" in partial["Vary"]


def test_bureau_staff_see_a_cadre_in_scope_and_not_one_outside(client, org, personas, cadre):
    _facts(org, cadre)
    outside = cadre_on(org.s_xiling, bureau=org.xiling)
    client.force_login(personas.city_bureau)
    response = client.get(reverse("scoring:cadre-points", args=[cadre.pk]))
    assert response.status_code == 200 and response.context["summary"].points == Decimal("1.5")
    assert str(cadre.user) in response.content.decode()
    assert client.get(reverse("scoring:cadre-points", args=[outside.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["cadre", "station"])
def test_cadres_and_stations_cannot_open_another_cadres_points(client, personas, cadre, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("scoring:cadre-points", args=[cadre.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["admin", "leader", "station"])
def test_only_cadres_have_a_my_points_page(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("scoring:my-points")).status_code == 403


def test_the_cadre_home_links_to_my_points(client, personas):
    client.force_login(personas.cadre)
    page = client.get(reverse("home")).content.decode()
    assert reverse("scoring:my-points") in page
