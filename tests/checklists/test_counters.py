"""The headline counters: collected, solved, overdue and the on-time rate, by region and
category, and the counters page."""

import datetime as dt

import pytest
from django.urls import reverse

from checklists import counters
from checklists.counters import Counters
from checklists.models import Problem, ProblemCategory
from stations import drilldown
from stations.scope import scope_of
from tests.checklists.board_data import TODAY, problem

DAY = dt.timedelta(days=1)


# --- The maths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "rate"),
    [
        # Three closed on time and one open overdue: 3 ÷ (3 + 1).
        (Counters(collected=4, solved=3, open=1, overdue=1, closed_on_time=3), 75.0),
        # Everything closed on time and nothing overdue.
        (Counters(collected=2, solved=2, closed_on_time=2), 100.0),
        # One closed late, one on time.
        (Counters(collected=2, solved=2, closed_on_time=1), 50.0),
        # Open but not yet due: nothing to rate.
        (Counters(collected=2, open=2), None),
        (Counters(), None),
        # Only overdue: 0 %, not "no rate".
        (Counters(collected=1, open=1, overdue=1), 0.0),
        (Counters(collected=3, solved=2, open=1, overdue=1, closed_on_time=2), 66.7),
    ],
)
def test_on_time_rate_counts_open_overdue_problems_as_late(counts, rate):
    assert counts.on_time_rate == rate


def test_counters_add_up_field_by_field():
    total = Counters(1, 2, 3, 4, 5) + Counters(10, 20, 30, 40, 50)
    assert total == Counters(11, 22, 33, 44, 55)


# --- One aggregate query ---------------------------------------------------------------------


def test_problem_counters_read_each_state_in_one_query(org, django_assert_num_queries):
    s = org.s_jiangan
    problem(s, status="draft")  # not collected
    problem(s, deadline=TODAY)  # due today: not overdue yet
    problem(s, deadline=TODAY - DAY)  # overdue
    problem(s, status="in_rectification", deadline=TODAY - 5 * DAY)  # overdue
    problem(s, status="closed", deadline=TODAY - 3 * DAY, closed_on=TODAY - 3 * DAY)  # on time
    problem(s, status="closed", deadline=TODAY - 9 * DAY, closed_on=TODAY - 2 * DAY)  # late
    with django_assert_num_queries(1):
        result = counters.problem_counters(Problem.objects.all(), today=TODAY)
    assert result == Counters(collected=5, solved=2, open=3, overdue=2, closed_on_time=1)
    # 1 on time ÷ (2 closed + 2 open overdue)
    assert result.on_time_rate == 25.0


def test_an_unfinished_month_never_reads_100_percent(org):
    """Everything closed so far was on time, but one problem is past its deadline."""
    for _ in range(9):
        problem(org.s_jiangan, status="closed", deadline=TODAY - DAY, closed_on=TODAY - 2 * DAY)
    problem(org.s_jiangan, deadline=TODAY - DAY)
    result = counters.problem_counters(Problem.objects.all(), today=TODAY)
    assert result.on_time_rate == 90.0


def test_closing_an_overdue_problem_late_keeps_it_late(org):
    p = problem(org.s_jiangan, deadline=TODAY - 4 * DAY)
    before = counters.problem_counters(Problem.objects.all(), today=TODAY)
    Problem.objects.filter(pk=p.pk).update(
        status="closed", closed_on=TODAY, closed_at=p.published_at, closed_by=p.published_by
    )
    after = counters.problem_counters(Problem.objects.all(), today=TODAY)
    assert (before.on_time_rate, after.on_time_rate) == (0.0, 0.0)
    assert (after.solved, after.overdue) == (1, 0)


def test_no_rate_when_nothing_is_due(org):
    problem(org.s_jiangan, deadline=TODAY + DAY)
    problem(org.s_jiangan, status="draft")
    assert counters.problem_counters(Problem.objects.all(), today=TODAY).on_time_rate is None


# --- By region and category ------------------------------------------------------------------


@pytest.fixture
def spread(org):
    """Problems in three cities (仙桃 directly administered) and another province."""
    problem(org.s_jiangan, deadline=TODAY - DAY)
    problem(org.s_jiangan2, status="closed", deadline=TODAY, closed_on=TODAY - DAY)
    problem(org.s_jianghan, status="in_rectification")
    problem(org.s_xiantao, status="closed", deadline=TODAY - 5 * DAY, closed_on=TODAY)
    problem(org.s_xiantao, status="draft")
    problem(org.s_furong, deadline=TODAY - DAY)
    return org


def _rows(breakdown):
    return {
        r.name: (r.counters.collected, r.counters.solved, r.counters.overdue)
        for r in breakdown.rows
    }


def test_province_breaks_down_into_its_cities_which_sum_to_the_province(
    spread, personas, django_assert_num_queries
):
    scope = scope_of(personas.province_bureau)
    problems = Problem.objects.in_scope(scope)
    whole = counters.problem_counters(problems, today=TODAY)
    unit = drilldown.default_unit(scope)
    with django_assert_num_queries(1):
        breakdown = counters.counters_by_region(problems, scope=scope, today=TODAY, unit=unit)
    assert breakdown.level == "city"
    assert _rows(breakdown) == {
        "武汉市公安局": (3, 1, 1),
        "宜昌市公安局": (0, 0, 0),  # no problem: still listed
        "仙桃市公安局": (1, 1, 0),  # stations directly under the city
    }
    assert breakdown.total == whole


def test_a_city_breaks_down_into_counties_and_a_county_into_stations(spread, personas):
    scope = scope_of(personas.city_bureau)
    problems = Problem.objects.in_scope(scope)
    by_county = counters.counters_by_region(problems, scope=scope, today=TODAY)
    assert _rows(by_county) == {"江岸区公安分局": (2, 1, 1), "江汉区公安分局": (1, 0, 0)}
    by_station = counters.counters_by_region(
        problems, scope=scope, today=TODAY, unit=spread.jiangan
    )
    assert by_station.level == "station"
    assert _rows(by_station) == {"大智派出所": (1, 0, 1), "球场派出所": (1, 1, 0)}
    assert by_station.total == counters.problem_counters(
        problems.filter(station__bureau=spread.jiangan), today=TODAY
    )


def test_a_directly_administered_city_breaks_down_into_its_stations(spread, personas):
    scope = scope_of(personas.admin)
    problems = Problem.objects.all()
    breakdown = counters.counters_by_region(problems, scope=scope, today=TODAY, unit=spread.xiantao)
    assert breakdown.level == "station"
    assert _rows(breakdown) == {"沙嘴派出所": (1, 1, 0)}


def test_administrators_see_provinces(spread, personas):
    breakdown = counters.counters_by_region(
        Problem.objects.all(), scope=scope_of(personas.admin), today=TODAY
    )
    assert _rows(breakdown) == {"湖北省公安厅": (4, 2, 1), "湖南省公安厅": (1, 0, 1)}
    assert breakdown.total == counters.problem_counters(Problem.objects.all(), today=TODAY)


def test_by_category_in_one_query_sums_to_the_whole(spread, personas, django_assert_num_queries):
    petitions = ProblemCategory.objects.get(code="petitions")
    problem(spread.s_jiangan, category=petitions, deadline=TODAY - DAY)
    problems = Problem.objects.in_scope(scope_of(personas.province_bureau))
    with django_assert_num_queries(1):
        breakdown = counters.counters_by_category(problems, today=TODAY)
    rows = _rows(breakdown)
    assert rows["消防和安全隐患"] == (4, 2, 1)
    assert rows["信访"] == (1, 0, 1)
    assert rows["社区警务"] == (0, 0, 0)
    assert breakdown.total == counters.problem_counters(problems, today=TODAY)


# --- The counters page -----------------------------------------------------------------------


def test_counters_page_shows_the_breakdowns_of_the_scope(spread, personas, login, frozen):
    page = login(personas.city_bureau).get(reverse("checklists:counters")).content.decode()
    assert "江岸区公安分局" in page and "江汉区公安分局" in page
    assert "宜昌市公安局" not in page and "定王台派出所" not in page
    assert "收集问题数" in page and "按期销号率" in page


def test_counters_page_drills_into_a_county(spread, personas, login, frozen):
    client = login(personas.city_bureau)
    page = client.get(reverse("checklists:counters"), {"region": "420102"}).content.decode()
    assert "大智派出所" in page and "球场派出所" in page
    assert "民族派出所" not in page


def test_counters_page_refuses_a_region_outside_the_scope(spread, personas, login, frozen):
    client = login(personas.city_bureau)
    response = client.get(reverse("checklists:counters"), {"region": "420502"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "该地区不在您的管辖范围内" in page
    assert "西陵派出所" not in page


def test_counters_page_with_nothing_due_shows_a_dash(org, personas, login, frozen):
    problem(org.s_jiangan, deadline=TODAY + DAY)
    page = login(personas.county_bureau).get(reverse("checklists:counters")).content.decode()
    assert "—" in page and "100" not in page


@pytest.mark.parametrize("count", [1, 50])
def test_counters_page_queries_do_not_grow_with_problems(
    org, personas, login, frozen, count, django_assert_num_queries
):
    for i in range(count):
        problem([org.s_jiangan, org.s_jianghan, org.s_xiantao][i % 3], deadline=TODAY - DAY)
    client = login(personas.province_bureau)
    # session, user, scope bureau, region choices, category choices, headline, by region,
    # by category, breadcrumb.
    with django_assert_num_queries(9):
        response = client.get(reverse("checklists:counters"))
    assert response.status_code == 200
