"""The public board (公开发布): scoped, filtered, paginated, htmx and shareable."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from checklists.filters import filter_problems
from checklists.models import Problem, ProblemCategory
from tests import factories as f
from tests.checklists.board_data import SH, TODAY, problem

DAY = dt.timedelta(days=1)
BOARD = "checklists:board"
HTMX = {"HX-Request": "true", "HX-Target": "board-results"}


def _board(client, headers=None, **params):
    response = client.get(reverse(BOARD), params, headers=headers or {})
    assert response.status_code == 200
    return response.content.decode()


def _listed(page) -> list[str]:
    """The descriptions in the board's table, in order."""
    table = page.split('id="board-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="board-desc"><a [^>]*>([^<]+)</a>', table)


@pytest.fixture
def board_org(org, personas):
    """One problem per station of 湖北 plus one in 湖南, each with a telling description."""
    petitions = ProblemCategory.objects.get(code="petitions")
    problem(
        org.s_jiangan,
        description="大智消防通道堵塞",
        reference="HB-2026-0001",
        deadline=TODAY - DAY,
    )
    problem(
        org.s_jiangan2,
        description="球场户籍窗口排队",
        status="in_rectification",
        responsible=personas.station,
        category=petitions,
    )
    problem(
        org.s_jianghan,
        description="民族信息系统故障",
        status="closed",
        deadline=TODAY - 3 * DAY,
        closed_on=TODAY - 4 * DAY,
    )
    problem(org.s_xiling, description="西陵执法记录仪不足")
    problem(org.s_xiantao, description="沙嘴值班室漏水", deadline=TODAY - 2 * DAY)
    problem(org.s_furong, description="定王台接警台老化")
    problem(org.s_jiangan, status="draft", description="大智草稿问题")
    return org


# --- Scope and drafts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "province_bureau",
            {
                "大智消防通道堵塞",
                "球场户籍窗口排队",
                "民族信息系统故障",
                "西陵执法记录仪不足",
                "沙嘴值班室漏水",
            },
        ),
        ("city_bureau", {"大智消防通道堵塞", "球场户籍窗口排队", "民族信息系统故障"}),
        ("county_bureau", {"大智消防通道堵塞", "球场户籍窗口排队"}),
        ("leader", {"大智消防通道堵塞", "球场户籍窗口排队", "民族信息系统故障"}),
        ("station", {"大智消防通道堵塞"}),
        ("cadre", {"大智消防通道堵塞"}),
        ("other_province_bureau", {"定王台接警台老化"}),
    ],
)
def test_everyone_sees_the_published_problems_of_their_scope_only(
    board_org, personas, login, frozen, persona, expected
):
    assert set(_listed(_board(login(getattr(personas, persona))))) == expected


@pytest.mark.parametrize("persona", ["station", "cadre", "leader"])
def test_drafts_stay_hidden_from_station_cadre_and_leader(
    board_org, personas, login, frozen, persona
):
    client = login(getattr(personas, persona))
    assert "大智草稿问题" not in _board(client)
    assert "大智草稿问题" not in _board(client, status="draft")


def test_bureau_staff_list_drafts_only_when_asking_for_them(board_org, personas, login, frozen):
    client = login(personas.county_bureau)
    assert "大智草稿问题" not in _board(client)
    assert _listed(_board(client, status="draft")) == ["大智草稿问题"]
    assert _listed(_board(login(personas.other_city_bureau), status="draft")) == []


def test_a_cadre_sees_the_draft_they_raised(board_org, personas, login, frozen):
    problem(
        board_org.s_jiangan, status="draft", raised_by=personas.cadre, description="干部自己的草稿"
    )
    assert _listed(_board(login(personas.cadre), status="draft")) == ["干部自己的草稿"]


# --- Each filter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "420100"}, {"大智消防通道堵塞", "球场户籍窗口排队", "民族信息系统故障"}),
        ({"region": "420102"}, {"大智消防通道堵塞", "球场户籍窗口排队"}),
        ({"region": "429004"}, {"沙嘴值班室漏水"}),
        ({"category": "petitions"}, {"球场户籍窗口排队"}),
        ({"status": "closed"}, {"民族信息系统故障"}),
        ({"status": "in_rectification"}, {"球场户籍窗口排队"}),
        ({"overdue": "1"}, {"大智消防通道堵塞", "沙嘴值班室漏水"}),
        ({"q": "漏水"}, {"沙嘴值班室漏水"}),
        ({"q": "HB-2026"}, {"大智消防通道堵塞"}),
        ({"q": "西陵派出所"}, {"西陵执法记录仪不足"}),
        ({"region": "420100", "overdue": "1"}, {"大智消防通道堵塞"}),
    ],
)
def test_each_filter_narrows_the_board(board_org, personas, login, frozen, params, expected):
    assert set(_listed(_board(login(personas.province_bureau), **params))) == expected


def test_filter_by_station_and_by_responsible_person(board_org, personas, login, frozen):
    client = login(personas.province_bureau)
    assert _listed(_board(client, station=board_org.s_xiling.pk)) == ["西陵执法记录仪不足"]
    assert _listed(_board(client, responsible=personas.station.pk)) == ["球场户籍窗口排队"]


def test_overdue_means_past_the_deadline_even_before_the_nightly_sweep(board_org, personas):
    """overdue_since is still empty (no sweep ran): the filter reads the deadline."""
    _form, problems = filter_problems({"overdue": "1"}, user=personas.admin, today=TODAY)
    assert {p.description for p in problems} == {"大智消防通道堵塞", "沙嘴值班室漏水"}
    _form, tomorrow = filter_problems({"overdue": "1"}, user=personas.admin, today=TODAY + DAY)
    assert len(tomorrow) == 2
    _form, earlier = filter_problems({"overdue": "1"}, user=personas.admin, today=TODAY - DAY)
    assert [p.description for p in earlier] == ["沙嘴值班室漏水"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "abc"}, "该地区不在您的管辖范围内"),
        ({"region": "420502"}, "该地区不在您的管辖范围内"),  # 西陵: another city
        ({"region": "430100"}, "该地区不在您的管辖范围内"),  # another province
        ({"station": "x"}, "该派出所不在您的管辖范围内"),
        ({"station": "999999"}, "该派出所不在您的管辖范围内"),
        ({"category": "nope"}, "请从列表中选择问题类别"),
        ({"status": "lost"}, "请从列表中选择状态"),
        ({"responsible": "abc"}, "请从列表中选择责任人"),
        ({"q": "长" * 51}, "搜索内容最多 50 个字"),
    ],
)
def test_bad_filters_get_a_chinese_message_and_list_nothing(
    board_org, personas, login, frozen, params, message
):
    page = _board(login(personas.city_bureau), **params)
    assert message in page
    assert _listed(page) == []


def test_a_station_outside_the_scope_is_refused_not_listed(board_org, personas, login, frozen):
    page = _board(login(personas.city_bureau), station=board_org.s_xiling.pk)
    assert "该派出所不在您的管辖范围内" in page
    assert "西陵执法记录仪不足" not in page


def test_a_station_outside_the_chosen_region_is_refused(board_org, personas, login, frozen):
    page = _board(login(personas.city_bureau), region="420103", station=board_org.s_jiangan.pk)
    assert "该派出所不在所选地区内" in page
    assert _listed(page) == []


# --- The page ---------------------------------------------------------------------------------


def test_the_board_shows_region_station_status_deadline_person_and_progress(
    board_org, personas, login, frozen
):
    p = problem(board_org.s_jianghan, description="民族有任务的问题", responsible=personas.station)
    f.TaskFactory(problem=p, due_date=p.deadline)
    f.TaskFactory(
        problem=p, due_date=p.deadline, progress=100, done_on=TODAY, done_by=personas.station
    )
    page = _board(login(personas.city_bureau), q="有任务")
    row = page.split("民族有任务的问题", 1)[1].split("</tr>", 1)[0]
    assert "武汉市公安局 · 江汉区公安分局" in row
    assert "民族派出所" in row and "已发布" in row and "2026-11-28" in row
    assert str(personas.station) in row
    assert "1 / 2" in row


def test_overdue_problems_get_a_badge_and_come_first_for_bureaus(
    board_org, personas, login, frozen
):
    page = _board(login(personas.province_bureau))
    assert _listed(page)[:2] == ["沙嘴值班室漏水", "大智消防通道堵塞"]  # oldest deadline first
    # Then what is still open; closed-out problems last, whatever their deadline.
    assert _listed(page)[-1] == "民族信息系统故障"
    row = page.split("沙嘴值班室漏水", 1)[1].split("</tr>", 1)[0]
    assert "逾期" in row


def test_bureaus_read_overdue_then_open_by_deadline_then_closed_out_by_deadline(
    org, personas, login, frozen
):
    """The whole order of a bureau's board: overdue problems (oldest deadline first), then
    the other open ones by deadline (due today is not overdue), closed-out ones last by
    deadline; equal deadlines newest first. The same list in one region and in one status."""
    early, late = dt.datetime(2026, 9, 1, 9, tzinfo=SH), dt.datetime(2026, 10, 1, 9, tzinfo=SH)
    problem(org.s_jiangan, description="今天到期", deadline=TODAY)
    problem(org.s_jiangan2, description="昨天到期", deadline=TODAY - DAY, status="in_rectification")
    problem(org.s_jianghan, description="上周到期", deadline=TODAY - 7 * DAY)
    problem(org.s_xiling, description="下周到期早建", deadline=TODAY + 7 * DAY, created=early)
    problem(org.s_xiantao, description="下周到期晚建", deadline=TODAY + 7 * DAY, created=late)
    problem(org.s_jiangan, description="早已销号", status="closed", deadline=TODAY - 30 * DAY)
    problem(org.s_jianghan, description="刚刚销号", status="closed", deadline=TODAY + 2 * DAY)
    problem(org.s_jiangan2, status="draft", description="草稿不在公开栏", deadline=TODAY - DAY)
    expected = [
        "上周到期",
        "昨天到期",
        "今天到期",
        "下周到期晚建",
        "下周到期早建",
        "早已销号",
        "刚刚销号",
    ]
    client = login(personas.province_bureau)
    assert _listed(_board(client)) == expected
    wuhan = [d for d in expected if d not in ("下周到期早建", "下周到期晚建")]
    assert _listed(_board(client, region="420100")) == wuhan
    assert _listed(_board(client, status="closed")) == ["早已销号", "刚刚销号"]


def test_escalated_and_reopened_open_problems_are_tagged_on_the_board(
    board_org, personas, login, frozen
):
    Problem.objects.filter(description__in=["沙嘴值班室漏水", "民族信息系统故障"]).update(
        escalated_on=TODAY - DAY
    )
    Problem.objects.filter(description__in=["球场户籍窗口排队", "民族信息系统故障"]).update(
        reopened_count=1
    )
    page = _board(login(personas.province_bureau))
    rows = {d: page.split(d, 1)[1].split("</tr>", 1)[0] for d in _listed(page)}
    assert "提级督办" in rows["沙嘴值班室漏水"] and "重新打开" in rows["球场户籍窗口排队"]
    # Closed out (again): neither supervised nor reopened any more.
    assert "提级督办" not in rows["民族信息系统故障"] and "重新打开" not in rows["民族信息系统故障"]
    assert "提级督办" not in rows["大智消防通道堵塞"] and "重新打开" not in rows["大智消防通道堵塞"]


def test_station_staff_read_the_newest_first(org, personas, login, frozen):
    problem(
        org.s_jiangan,
        description="较早的问题",
        deadline=TODAY - DAY,
        created=dt.datetime(2026, 9, 1, 9, tzinfo=SH),
    )
    problem(org.s_jiangan, description="较新的问题", created=dt.datetime(2026, 11, 1, 9, tzinfo=SH))
    assert _listed(_board(login(personas.station))) == ["较新的问题", "较早的问题"]


def test_headline_counts_what_the_filter_shows(board_org, personas, login, frozen):
    page = _board(login(personas.city_bureau))
    assert re.search(r'data-counter="collected">3<', page)
    assert re.search(r'data-counter="solved">1<', page)
    # 1 closed on time ÷ (1 closed + 1 open overdue)
    assert re.search(r'data-counter="on-time-rate">50.0 %<', page)
    county = _board(login(personas.city_bureau), region="420103")
    assert re.search(r'data-counter="collected">1<', county)
    assert re.search(r'data-counter="on-time-rate">100.0 %<', county)


def test_headline_shows_a_dash_when_nothing_is_due(org, personas, login, frozen):
    problem(org.s_jiangan, deadline=TODAY + DAY)
    assert re.search(r'data-counter="on-time-rate">—<', _board(login(personas.county_bureau)))


# --- htmx, shareable URLs, pagination ---------------------------------------------------------


def test_htmx_gets_the_results_partial_and_the_plain_get_the_whole_page(
    board_org, personas, login, frozen
):
    client = login(personas.province_bureau)
    full = client.get(reverse(BOARD), {"region": "420102"})
    partial = client.get(reverse(BOARD), {"region": "420102"}, headers=HTMX)
    assert "HX-Request" in full["Vary"] and "HX-Request" in partial["Vary"]
    full_page, fragment = full.content.decode(), partial.content.decode()
    assert "<html" in full_page and 'id="board-filters"' in full_page
    assert "<html" not in fragment and 'id="board-filters"' not in fragment
    assert fragment.lstrip().startswith('<div id="board-results">')
    assert _listed(fragment) == _listed(full_page) != []
    # The station and person selects of the chosen county come along out of band.
    assert 'hx-swap-oob="true"' in fragment and "球场派出所" in fragment


def test_the_headline_partial_alone_for_other_pages(board_org, personas, login, frozen):
    client = login(personas.station)
    response = client.get(
        reverse(BOARD),
        {"station": board_org.s_jiangan.pk},
        headers={"HX-Request": "true", "HX-Target": "board-headline"},
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="board-headline"')
    assert "board-table" not in fragment
    assert re.search(r'data-counter="collected">1<', fragment)
    assert f"?station={board_org.s_jiangan.pk}" in fragment


def test_station_and_overview_pages_load_the_headline(board_org, personas, login, frozen):
    station_page = (
        login(personas.station)
        .get(reverse("liaison:station-detail", args=[board_org.s_jiangan.pk]))
        .content.decode()
    )
    assert f'hx-get="{reverse(BOARD)}?station={board_org.s_jiangan.pk}"' in station_page
    home = login(personas.leader).get(reverse("home")).content.decode()
    assert f'hx-get="{reverse(BOARD)}"' in home and 'id="board-headline"' in home


def test_a_shared_url_shows_the_same_filters_and_rows(board_org, personas, login, frozen):
    params = {
        "region": "420102",
        "category": "petitions",
        "status": "in_rectification",
        "q": "窗口",
    }
    page = _board(login(personas.province_bureau), **params)
    assert '<option value="420102" selected>' in page
    assert '<option value="petitions" selected>' in page
    assert '<option value="in_rectification" selected>' in page
    assert 'value="窗口"' in page
    assert _listed(page) == ["球场户籍窗口排队"]
    # Someone else in scope opening the same link sees the same.
    assert _listed(_board(login(personas.city_bureau), **params)) == ["球场户籍窗口排队"]


def test_pages_of_fifty_keep_the_filters(org, personas, login, frozen):
    for i in range(51):
        problem(org.s_jianghan, description=f"分页问题{i:02d}", deadline=TODAY - DAY)
    problem(org.s_jiangan, description="别的县的问题")
    client = login(personas.city_bureau)
    first = _board(client, region="420103", overdue="1")
    assert len(_listed(first)) == 50
    assert "region=420103&amp;overdue=1&amp;page=2" in first
    second = _board(client, region="420103", overdue="1", page="2")
    assert len(_listed(second)) == 1 and "别的县的问题" not in second
    assert _listed(_board(client, region="420103", overdue="1", page="99")) == _listed(second)


@pytest.mark.parametrize("count", [1, 50])
def test_board_queries_do_not_grow_with_problems(
    org, personas, login, frozen, count, django_assert_num_queries
):
    stations = [org.s_jiangan, org.s_jianghan, org.s_xiantao]
    for i in range(count):
        p = problem(stations[i % 3], deadline=TODAY - DAY * (1 + i % 2))
        f.TaskFactory(problem=p, due_date=p.deadline)
    client = login(personas.province_bureau)
    # session, user, the user's unit (page header), region choices, category choices,
    # station and person choices (none: no county chosen), headline, count, page.
    with django_assert_num_queries(10):
        page = _board(client)
    assert len(_listed(page)) == count
    # A chosen county lists its stations and people: the same for 1 and 50 problems.
    with django_assert_num_queries(11):
        page = _board(client, region="420102", overdue="1", q="问题")
    assert len(_listed(page)) == len(range(0, count, 3))
