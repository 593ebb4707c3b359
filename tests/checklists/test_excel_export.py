"""Excel export of the board's filtered list, in the layout bureaus circulate."""

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from checklists.models import ProblemStatus
from tests import factories as f
from tests.checklists.conftest import NOW

HEADER = [
    "序号",
    "问题编号",
    "市州",
    "县市区",
    "派出所",
    "问题类别",
    "问题描述",
    "来源",
    "发现人",
    "责任人",
    "完成时限",
    "状态",
    "是否逾期",
    "整改任务",
    "任务完成",
    "整改效果",
    "销号时间",
]
URL = "checklists:board-export"


def published(station, description, *, deadline=dt.date(2026, 11, 30), **kwargs):
    bureau = f.UserFactory(role="bureau", bureau=station.bureau, last_name="王", first_name="科长")
    fields = {
        "status": ProblemStatus.PUBLISHED,
        "responsible": bureau,
        "deadline": deadline,
        "published_at": NOW - dt.timedelta(days=20),
        "published_by": bureau,
        "raised_by": bureau,
    } | kwargs
    return f.ProblemFactory(station=station, description=description, **fields)


def export(client, user, **params):
    client.force_login(user)
    return client.get(reverse(URL), params)


def rows_of(response) -> list[tuple]:
    assert response.status_code == 200, response.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def by_description(rows) -> dict[str, dict]:
    return {r[6]: dict(zip(HEADER, r, strict=True)) for r in rows[2:]}


@pytest.fixture
def board(org, personas):
    """大智 (江岸): one problem in rectification with a done and an open task and two
    results; 民族 (江汉): one closed out; 球场 (江岸): one overdue; 西陵 (宜昌): one out of
    Wuhan's scope; and a draft at 大智."""
    station_staff = f.UserFactory(
        role="station", station=org.s_jiangan, last_name="李", first_name="所长"
    )
    verifier = f.UserFactory(role="bureau", bureau=org.jiangan, last_name="赵", first_name="核验")
    fire = published(
        org.s_jiangan,
        "灭火器过期",
        reference="HB-2026-0001",
        status=ProblemStatus.IN_RECTIFICATION,
    )
    f.TaskFactory(
        problem=fire,
        title="更换灭火器",
        assignee=station_staff,
        due_date=dt.date(2026, 11, 20),
        order=1,
        progress=100,
        done_on=dt.date(2026, 11, 10),
        done_by=station_staff,
    )
    f.TaskFactory(
        problem=fire,
        title="消防培训",
        assignee=station_staff,
        due_date=dt.date(2026, 11, 25),
        order=2,
        progress=40,
    )
    f.ResultFactory(problem=fire, what_changed="旧的效果", submitted_at=NOW - dt.timedelta(days=5))
    f.ResultFactory(
        problem=fire,
        what_changed="已全部更换",
        submitted_by=station_staff,
        submitted_at=NOW - dt.timedelta(days=1),
        verified_by=verifier,
        verified_at=NOW - dt.timedelta(hours=2),
        rating="excellent",
    )
    published(
        org.s_jianghan,
        "窗口服务差",
        status=ProblemStatus.CLOSED,
        closed_at=NOW - dt.timedelta(days=3),
        closed_by=personas.city_bureau,
        closed_on=dt.date(2026, 11, 15),
    )
    published(org.s_jiangan2, "监控故障", deadline=dt.date(2026, 11, 1))
    published(org.s_xiling, "宜昌的问题")
    f.ProblemFactory(station=org.s_jiangan, description="草稿问题")
    return fire


def test_the_export_has_a_title_a_header_and_one_row_per_problem(client, personas, board, frozen):
    rows = rows_of(export(client, personas.city_bureau))

    assert rows[0][0] == "武汉市公安局问题清单（2026-11-18，共 3 个问题）"
    assert list(rows[1]) == HEADER
    found = by_description(rows)
    assert set(found) == {"灭火器过期", "窗口服务差", "监控故障"}
    fire = found["灭火器过期"]
    assert fire["问题编号"] == "HB-2026-0001"
    assert (fire["市州"], fire["县市区"], fire["派出所"]) == (
        "武汉市公安局",
        "江岸区公安分局",
        "大智派出所",
    )
    assert fire["问题类别"] == "消防和安全隐患" and fire["来源"] == "其他"
    assert fire["发现人"] == fire["责任人"] == "王科长"
    assert fire["完成时限"] == dt.datetime(2026, 11, 30)  # a real date cell
    assert (fire["状态"], fire["是否逾期"]) == ("整改中", "否")
    assert fire["整改任务"] == (
        "1. 更换灭火器 — 李所长 — 2026-11-20 — 已办结 2026-11-10\n"
        "2. 消防培训 — 李所长 — 2026-11-25 — 进度 40%"
    )
    assert fire["任务完成"] == "1/2"
    assert fire["整改效果"] == "已全部更换\n评价：优秀；核验人：赵核验"
    assert fire["销号时间"] in (None, "")
    closed = found["窗口服务差"]
    assert (closed["状态"], closed["销号时间"]) == ("已销号", "2026-11-15 10:00")
    assert found["监控故障"]["是否逾期"] == "是"
    # Bureaus see the overdue first (the board's order), numbered from 1.
    assert [r[0] for r in rows[2:]] == [1, 2, 3] and rows[2][6] == "监控故障"


def test_nothing_outside_the_users_scope_appears(client, org, personas, board, frozen):
    assert set(by_description(rows_of(export(client, personas.county_bureau)))) == {
        "灭火器过期",
        "监控故障",
    }
    assert set(by_description(rows_of(export(client, personas.other_city_bureau)))) == {
        "宜昌的问题"
    }
    assert set(by_description(rows_of(export(client, personas.station)))) == {"灭火器过期"}
    assert by_description(rows_of(export(client, personas.other_province_bureau))) == {}


def test_the_boards_filters_apply(client, org, personas, board, frozen):
    user = personas.city_bureau
    assert set(by_description(rows_of(export(client, user, status="closed")))) == {"窗口服务差"}
    assert set(by_description(rows_of(export(client, user, overdue="on")))) == {"监控故障"}
    assert set(by_description(rows_of(export(client, user, region="420103")))) == {"窗口服务差"}
    assert set(by_description(rows_of(export(client, user, q="灭火器")))) == {"灭火器过期"}
    drafts = rows_of(export(client, user, status="draft"))
    assert set(by_description(drafts)) == {"草稿问题"}
    region = rows_of(export(client, user, region="420102"))
    assert region[0][0].startswith("江岸区公安分局问题清单")


def test_invalid_filters_answer_400_with_the_reason_in_chinese(client, personas, board, frozen):
    response = export(client, personas.city_bureau, region="430100")
    assert response.status_code == 400
    text = response.content.decode()
    assert "清单未导出，请修改筛选条件。" in text
    assert "地区" in text


def test_the_file_is_named_with_the_date_for_every_browser(client, personas, board, frozen):
    response = export(client, personas.city_bureau)
    disposition = response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''" + quote("问题清单-20261118.xlsx") in disposition


def test_the_sheet_is_set_up_for_printing(client, personas, board, frozen):
    response = export(client, personas.city_bureau)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == "问题清单"
    assert sheet.freeze_panes == "C3"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["N3"].alignment.wrap_text
    assert sheet.column_dimensions["G"].width >= 30


@pytest.mark.parametrize("count", [1, 50])
def test_the_export_runs_a_constant_number_of_queries(
    client, org, personas, django_assert_num_queries, count, frozen
):
    for i in range(count):
        problem = published(org.s_jiangan, f"问题{i}")
        f.TaskFactory(problem=problem)
        f.ResultFactory(problem=problem)
    client.force_login(personas.city_bureau)
    # session, user, the user's bureau (scope), the region filter; problems, tasks, results
    with django_assert_num_queries(7):
        response = client.get(reverse(URL), {"region": "420102"})
    assert len(rows_of(response)) == count + 2
