""" "My work": a person's open tasks by due date, the problems they are responsible for, a
station's open problems and a bureau's, overdue first."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests import factories as f
from tests.checklists.board_data import TODAY, problem

DAY = dt.timedelta(days=1)


def _page(client, name, **params):
    response = client.get(reverse(f"checklists:{name}"), params)
    assert response.status_code == 200
    return response.content.decode()


def _rows(page) -> list[str]:
    table = page.split('id="work-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r"<tr(?: class=\"is-overdue\")?>\s*<td(?: class=\"board-desc\")?>(?:<a [^>]*>)?([^<]+)<",
        table,
    )


def _task(p, assignee, title, due, **extra):
    return f.TaskFactory(problem=p, assignee=assignee, title=title, due_date=due, **extra)


def test_my_tasks_are_my_open_ones_overdue_first(org, personas, login, frozen):
    me = personas.station
    p = problem(org.s_jiangan, deadline=TODAY + 20 * DAY)
    _task(p, me, "下周的任务", TODAY + 7 * DAY)
    _task(p, me, "逾期的任务", TODAY - 2 * DAY)
    _task(p, me, "今天到期的任务", TODAY)
    _task(p, me, "已办结的任务", TODAY - 5 * DAY, progress=100, done_on=TODAY - 6 * DAY, done_by=me)
    _task(p, f.UserFactory(role="station", station=org.s_jiangan), "别人的任务", TODAY)
    page = _page(login(me), "my-work")
    assert _rows(page) == ["逾期的任务", "今天到期的任务", "下周的任务"]
    overdue_row = page.split("逾期的任务", 1)[1].split("</tr>", 1)[0]
    assert "逾期" in overdue_row
    assert "逾期" not in page.split("今天到期的任务", 1)[1].split("</tr>", 1)[0]


def test_tasks_of_closed_problems_are_not_work(org, personas, login, frozen):
    me = personas.station
    closed = problem(org.s_jiangan, status="closed", deadline=TODAY - DAY)
    _task(closed, me, "已销号问题下的任务", TODAY - 3 * DAY)
    assert _rows(_page(login(me), "my-work")) == []


def test_problems_i_am_responsible_for_by_deadline(org, personas, login, frozen):
    me = personas.county_bureau
    problem(org.s_jiangan, responsible=me, description="较晚到期", deadline=TODAY + 9 * DAY)
    problem(org.s_jiangan2, responsible=me, description="已逾期", deadline=TODAY - DAY)
    problem(org.s_jiangan, responsible=me, description="已销号", status="closed")
    problem(org.s_jiangan, description="别人负责")
    assert _rows(_page(login(me), "my-problems")) == ["已逾期", "较晚到期"]


def test_a_station_sees_its_own_open_problems(org, personas, login, frozen):
    problem(org.s_jiangan, description="本所未销号", status="in_rectification")
    problem(org.s_jiangan, description="本所已销号", status="closed")
    problem(org.s_jiangan, description="本所草稿", status="draft")
    problem(org.s_jiangan2, description="邻所问题")
    for persona in (personas.station, personas.cadre):
        assert _rows(_page(login(persona), "station-work")) == ["本所未销号"]


def test_a_bureau_sees_its_subtree_overdue_first_and_drafts_waiting(org, personas, login, frozen):
    problem(org.s_jianghan, description="下月到期", deadline=TODAY + 30 * DAY)
    problem(org.s_jiangan, description="逾期三天", deadline=TODAY - 3 * DAY)
    problem(org.s_jiangan2, description="逾期一天", deadline=TODAY - DAY)
    problem(org.s_xiling, description="别的市的问题", deadline=TODAY - 9 * DAY)
    problem(org.s_jiangan, status="draft")
    problem(org.s_xiling, status="draft")
    page = _page(login(personas.city_bureau), "bureau-work")
    assert _rows(page) == ["逾期三天", "逾期一天", "下月到期"]
    assert "1 个问题草稿待公开发布" in page
    leader_page = _page(login(personas.leader), "bureau-work")
    assert _rows(leader_page) == ["逾期三天", "逾期一天", "下月到期"]
    assert "草稿" not in leader_page


@pytest.mark.parametrize(
    ("persona", "tabs"),
    [
        ("station", ["my-work", "my-problems", "station-work"]),
        ("cadre", ["my-work", "my-problems", "station-work"]),
        ("county_bureau", ["my-work", "my-problems", "bureau-work"]),
        ("leader", ["my-work", "my-problems", "bureau-work"]),
    ],
)
def test_each_role_gets_its_work_lists(org, personas, login, frozen, persona, tabs):
    page = _page(login(getattr(personas, persona)), "my-work")
    nav = page.split('class="work-tabs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"', nav) == [reverse(f"checklists:{t}") for t in tabs]


def test_work_lists_refuse_the_wrong_role(org, personas, login, frozen):
    assert login(personas.county_bureau).get(reverse("checklists:station-work")).status_code == 403
    assert login(personas.station).get(reverse("checklists:bureau-work")).status_code == 403


def test_pages_keep_going_past_fifty(org, personas, login, frozen):
    me = personas.station
    p = problem(org.s_jiangan, deadline=TODAY + 60 * DAY)
    for i in range(51):
        _task(p, me, f"任务{i:02d}", TODAY + i * DAY)
    client = login(me)
    assert len(_rows(_page(client, "my-work"))) == 50
    assert _rows(_page(client, "my-work", page=2)) == ["任务50"]
    partial = client.get(
        reverse("checklists:my-work"),
        {"page": 2},
        headers={"HX-Request": "true", "HX-Target": "work-list"},
    ).content.decode()
    assert partial.lstrip().startswith('<div id="work-list">') and "任务50" in partial


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize(
    ("persona", "name", "queries"),
    [
        # session, user, the user's unit (page header), count, rows
        ("station", "my-work", 5),
        ("station", "my-problems", 5),
        ("station", "station-work", 5),
        # + the drafts waiting
        ("city_bureau", "bureau-work", 6),
    ],
)
def test_work_page_queries_do_not_grow(
    org, personas, login, frozen, count, persona, name, queries, django_assert_num_queries
):
    user = getattr(personas, persona)
    for i in range(count):
        p = problem(org.s_jiangan, responsible=user, deadline=TODAY + (i % 5 - 2) * DAY)
        _task(p, user, f"任务{i}", p.deadline)
    client = login(user)
    with django_assert_num_queries(queries):
        page = _page(client, name)
    assert len(_rows(page)) == count
