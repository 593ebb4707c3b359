"""Import of a circulated problem list: every row checked, all or nothing, within scope."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from checklists.models import ListEvent, Problem, ProblemStatus, Task
from checklists.services.excel import import_problems
from stations.importer import ImportRejected
from stations.importer.parsing import read_date
from tests import factories as f
from tests.checklists.conftest import NOW, SH

HEADER = [
    "问题编号",
    "派出所代码",
    "问题类别",
    "问题描述",
    "责任人",
    "完成时限",
    "状态",
    "整改任务",
    "销号时间",
]
DEADLINE = dt.date(2026, 12, 31)
XLSX_UNREADABLE = "无法读取该Excel文件，请确认它是.xlsx格式。"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def people(org, personas):
    """Who may be named at 大智派出所 (S420102001): its staff and Jiang'an's liaison office."""
    return {
        "dazhi": personas.station,  # username "dazhi"
        "jiangan": personas.county_bureau,  # username "jiangan"
    }


def row(
    *,
    reference="",
    station="S420102001",
    category="消防和安全隐患",
    description="值班室灭火器过期",
    responsible="dazhi",
    deadline="2026-12-31",
    status="已发布",
    tasks="",
    closed_at="",
):
    return [
        reference,
        station,
        category,
        description,
        responsible,
        deadline,
        status,
        tasks,
        closed_at,
    ]


def xlsx(rows, header=HEADER, name="problems.xlsx", above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(upload, by, **kwargs):
    return import_problems(upload, filename=upload.name, by=by, now=NOW, **kwargs)


def errors_of(upload, by):
    with pytest.raises(ImportRejected) as caught:
        run(upload, by)
    return [(e.row, e.column, e.message) for e in caught.value.row_errors]


def published(station, reference, *, status=ProblemStatus.PUBLISHED, **kwargs):
    bureau = f.UserFactory(role="bureau", bureau=station.bureau)
    fields = {
        "responsible": bureau,
        "deadline": DEADLINE,
        "published_at": NOW - dt.timedelta(days=10),
        "published_by": bureau,
    } | kwargs
    if status == ProblemStatus.DRAFT:
        fields = kwargs
    return f.ProblemFactory(station=station, reference=reference, status=status, **fields)


# --- Happy paths -------------------------------------------------------------------------


def test_new_rows_are_published_numbered_with_their_tasks_and_history(org, personas, people):
    tasks = "更换灭火器|dazhi|2026-12-15\n组织消防培训 | jiangan | 2026/12/20"
    summary = run(
        xlsx(
            [
                row(tasks=tasks),
                row(station="S420102002", description="监控故障", responsible="jiangan"),
            ]
        ),
        personas.city_bureau,
    )

    assert (summary.created, summary.updated, summary.tasks_created) == (2, 0, 2)
    first = Problem.objects.get(description="值班室灭火器过期")
    assert first.status == ProblemStatus.PUBLISHED
    assert first.station == org.s_jiangan and first.responsible == personas.station
    assert first.deadline == DEADLINE
    assert first.raised_by == first.published_by == personas.city_bureau
    assert first.published_at == NOW
    assert first.reference == f"420000-2026-{first.pk:06d}"
    assert [(t.title, t.assignee.username, t.due_date) for t in first.tasks.order_by("order")] == [
        ("更换灭火器", "dazhi", dt.date(2026, 12, 15)),
        ("组织消防培训", "jiangan", dt.date(2026, 12, 20)),
    ]
    history = first.history.get()
    assert history.history_type == "+" and history.history_user == personas.city_bureau
    assert history.reference == first.reference
    assert Task.history.filter(problem_id=first.pk, history_user=personas.city_bureau).count() == 2


def test_a_stored_number_updates_that_problem_and_adds_its_new_tasks(org, personas, people):
    problem = published(org.s_jiangan, "HB-0001", responsible=personas.county_bureau)
    f.TaskFactory(problem=problem, title="更换灭火器", due_date=dt.date(2026, 12, 10))
    cells = row(
        reference="HB-0001",
        description="值班室灭火器过期，已登记",
        deadline="2027-01-15",
        status="整改中",
        tasks="更换灭火器|dazhi|2027-01-10\n消防培训|dazhi|2027-01-12",
    )

    summary = run(xlsx([cells]), personas.county_bureau)

    assert (summary.created, summary.updated, summary.tasks_created, summary.tasks_updated) == (
        0,
        1,
        1,
        1,
    )
    problem.refresh_from_db()
    assert problem.description == "值班室灭火器过期，已登记"
    assert problem.deadline == dt.date(2027, 1, 15)
    assert problem.status == ProblemStatus.IN_RECTIFICATION
    assert problem.responsible == personas.station
    assert problem.version == 2
    change = problem.history.get(history_type="~")
    assert (change.history_user, change.history_date) == (personas.county_bureau, NOW)
    titles = {t.title: (t.assignee.username, t.due_date) for t in problem.tasks.all()}
    assert titles == {
        "更换灭火器": ("dazhi", dt.date(2027, 1, 10)),
        "消防培训": ("dazhi", dt.date(2027, 1, 12)),
    }


def test_importing_the_same_file_twice_changes_nothing_the_second_time(org, personas, people):
    upload = xlsx([row(reference="HB-0007", tasks="更换灭火器|dazhi|2026-12-15")])
    run(upload, personas.county_bureau)
    upload.seek(0)
    before = Problem.history.count(), Task.history.count()

    again = run(upload, personas.county_bureau)

    assert (again.created, again.updated, again.unchanged, again.tasks_created) == (0, 0, 1, 0)
    assert (Problem.history.count(), Task.history.count()) == before
    assert Problem.objects.get().version == 1


def test_a_problem_closed_out_in_the_past_is_recorded_as_closed_by_the_importer(
    org, personas, people
):
    cells = row(status="已销号", closed_at="2026-06-30 16:30", tasks="更换灭火器|dazhi|2026-06-20")

    run(xlsx([cells]), personas.county_bureau)

    problem = Problem.objects.get()
    closed_at = dt.datetime(2026, 6, 30, 16, 30, tzinfo=SH)
    assert problem.status == ProblemStatus.CLOSED
    assert problem.closed_by == personas.county_bureau
    assert problem.closed_at == closed_at and problem.closed_on == dt.date(2026, 6, 30)
    assert problem.published_at == closed_at and problem.created_at == closed_at
    assert problem.reference == f"420000-2026-{problem.pk:06d}"
    task = problem.tasks.get()
    assert (task.done_on, task.done_by, task.progress) == (
        dt.date(2026, 6, 30),
        personas.county_bureau,
        100,
    )


def test_a_draft_needs_neither_responsible_person_nor_deadline(org, personas):
    run(xlsx([row(status="草稿", responsible="", deadline="")]), personas.county_bureau)

    problem = Problem.objects.get()
    assert problem.status == ProblemStatus.DRAFT
    assert problem.reference is None and problem.published_at is None


def test_title_rows_above_the_header_and_foreign_columns_are_ignored(org, personas, people):
    header = ["序号", *HEADER, "备注"]
    upload = xlsx([[1, *row(), "无"]], header=header, above=[["江岸区问题清单"], ["2026年11月"]])

    summary = run(upload, personas.county_bureau)

    assert summary.created == 1
    assert summary.ignored_columns == ["序号", "备注"]


def test_extending_the_deadline_of_an_overdue_problem_clears_its_flag(org, personas, people):
    problem = published(
        org.s_jiangan,
        "HB-0002",
        deadline=dt.date(2026, 11, 1),
        responsible=personas.station,
        overdue_since=dt.date(2026, 11, 2),
    )

    run(xlsx([row(reference="HB-0002", deadline="2026-12-31")]), personas.county_bureau)

    problem.refresh_from_db()
    assert problem.overdue_since is None
    assert ListEvent.objects.filter(
        problem=problem, kind=ListEvent.Kind.OVERDUE_CLEARED, task=None
    ).exists()


# --- Row errors ----------------------------------------------------------------------------

ROW_ERRORS = [
    pytest.param({"station": "S999999"}, "派出所代码", "没有代码为 S999999 的派出所", id="station"),
    pytest.param(
        {"station": "S430102001"}, "派出所代码", "不在您的管辖范围内", id="station-out-of-scope"
    ),
    pytest.param({"category": "交通"}, "问题类别", "未知的问题类别“交通”", id="category"),
    pytest.param({"description": ""}, "问题描述", "此项不能为空", id="description"),
    pytest.param({"responsible": "nobody"}, "责任人", "没有用户名为“nobody”的用户", id="user"),
    pytest.param({"responsible": "yichang"}, "责任人", "不能承担大智派出所的问题", id="stranger"),
    pytest.param({"responsible": ""}, "责任人", "必须有责任人", id="responsible-required"),
    pytest.param({"deadline": "年底前"}, "完成时限", "“年底前”不是日期", id="deadline-date"),
    pytest.param({"deadline": ""}, "完成时限", "必须有完成时限", id="deadline-required"),
    pytest.param({"status": "已完成"}, "状态", "未知状态“已完成”", id="status"),
    pytest.param(
        {"tasks": "更换灭火器|dazhi|2027-01-05"},
        "整改任务",
        "第 1 项任务的截止日期 2027-01-05 晚于完成时限 2026-12-31",
        id="task-after-deadline",
    ),
    pytest.param({"tasks": "更换灭火器 dazhi 2026-12-05"}, "整改任务", "应写成", id="task-format"),
    pytest.param(
        {"tasks": "更换灭火器|nobody|2026-12-05"},
        "整改任务",
        "第 1 项任务：没有用户名为“nobody”的用户",
        id="task-assignee",
    ),
    pytest.param(
        {"tasks": "更换灭火器|dazhi|下周"}, "整改任务", "第 1 项任务：“下周”不是日期", id="task-due"
    ),
    pytest.param({"status": "已销号"}, "销号时间", "必须填写销号时间", id="closed-needs-time"),
    pytest.param(
        {"status": "已销号", "closed_at": "2026-12-01"},
        "销号时间",
        "销号时间不能晚于当前时间",
        id="closed-in-future",
    ),
    pytest.param(
        {"closed_at": "2026-10-01"}, "销号时间", "只有已销号的问题", id="closed-time-only"
    ),
]


@pytest.mark.parametrize(("cells", "column", "message"), ROW_ERRORS)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    org, personas, people, cells, column, message
):
    upload = xlsx([row(description="第一行"), row(**({"description": "第二行"} | cells))])

    errors = errors_of(upload, personas.city_bureau)

    assert len(errors) == 1, errors
    number, found_column, text = errors[0]
    assert (number, found_column) == (3, column)
    assert message in text
    assert not Problem.objects.exists() and not Task.objects.exists()


def test_stored_tasks_keep_within_the_deadline_and_done_ones_are_not_rewritten(
    org, personas, people
):
    problem = published(org.s_jiangan, "HB-5", responsible=personas.station)
    f.TaskFactory(problem=problem, title="消防培训", due_date=dt.date(2026, 12, 20))
    f.TaskFactory(
        problem=problem,
        title="更换灭火器",
        due_date=dt.date(2026, 12, 1),
        progress=100,
        done_on=dt.date(2026, 11, 10),
        done_by=personas.station,
    )
    upload = xlsx(
        [row(reference="HB-5", deadline="2026-12-10", tasks="更换灭火器|dazhi|2026-12-05")]
    )

    errors = errors_of(upload, personas.county_bureau)

    assert [(r, c, m) for r, c, m in errors] == [
        (2, "完成时限", "已有任务“消防培训”的截止日期 2026-12-20 晚于此完成时限。"),
        (2, "整改任务", "第 1 项任务“更换灭火器”已办结，导入不能修改。"),
    ]
    problem.refresh_from_db()
    assert problem.deadline == DEADLINE


def test_a_number_twice_in_the_file_is_refused_on_its_second_row(org, personas, people):
    errors = errors_of(
        xlsx([row(reference="HB-1"), row(), row(reference="HB-1")]), personas.county_bureau
    )
    assert errors == [(4, "问题编号", "问题编号 HB-1 已在第 2 行出现。")]


def test_a_stored_problem_outside_the_jurisdiction_is_refused(org, personas, people):
    published(org.s_jianghan, "HB-9")
    errors = errors_of(xlsx([row(reference="HB-9")]), personas.county_bureau)
    assert errors == [(2, "问题编号", "问题编号 HB-9 属于您管辖范围以外的问题。")]
    assert Problem.objects.get().description != "值班室灭火器过期"


def test_a_stored_problem_cannot_move_station_go_back_or_be_closed_by_import(org, personas, people):
    published(org.s_jiangan, "HB-1", status=ProblemStatus.IN_RECTIFICATION)
    published(org.s_jiangan, "HB-2")
    closed = published(
        org.s_jiangan,
        "HB-3",
        status=ProblemStatus.CLOSED,
        responsible=personas.station,
        closed_at=NOW - dt.timedelta(days=1),
        closed_by=personas.county_bureau,
        closed_on=dt.date(2026, 11, 17),
    )
    upload = xlsx(
        [
            row(reference="HB-1", station="S420102002", status="整改中", responsible="jiangan"),
            row(reference="HB-4", status="已发布"),
            row(reference="HB-2", status="已销号", closed_at="2026-11-01"),
            row(reference="HB-3", status="已销号", closed_at="2026-11-17", description="改写"),
        ]
    )
    published(org.s_jiangan, "HB-4", status=ProblemStatus.IN_RECTIFICATION)

    errors = errors_of(upload, personas.county_bureau)

    assert [(r, c) for r, c, _m in errors] == [
        (2, "派出所代码"),
        (3, "状态"),
        (4, "状态"),
        (5, "问题编号"),
    ]
    assert "不能将其改到其他派出所" in errors[0][2]
    assert "不能将其退回“已发布”" in errors[1][2]
    assert "导入不能为已有问题销号" in errors[2][2]
    assert "请先重新打开" in errors[3][2]
    closed.refresh_from_db()
    assert closed.description != "改写"


def test_all_or_nothing_when_only_the_last_row_is_bad(org, personas, people):
    rows = [row(description=f"问题{i}") for i in range(20)] + [row(station="S999999")]

    errors = errors_of(xlsx(rows), personas.county_bureau)

    assert [(r, c) for r, c, _m in errors] == [(22, "派出所代码")]
    assert not Problem.objects.exists()


def test_every_error_of_every_row_is_listed_in_order(org, personas, people):
    upload = xlsx(
        [row(category="交通", deadline="明天"), row(), row(station="", responsible="nobody")]
    )
    errors = errors_of(upload, personas.county_bureau)
    assert [(r, c) for r, c, _m in errors] == [
        (2, "问题类别"),
        (2, "完成时限"),
        (4, "派出所代码"),
        (4, "责任人"),
    ]


def test_a_missing_required_column_is_reported(org, personas):
    header = [h for h in HEADER if h != "问题描述"]
    errors = errors_of(xlsx([row()[:3] + row()[4:]], header=header), personas.county_bureau)
    assert errors == [(1, "问题描述", "缺少此列。")]


def test_a_file_that_is_not_a_workbook_is_refused_clearly(org, personas):
    upload = SimpleUploadedFile("problems.xlsx", "问题编号,派出所代码\n".encode())
    errors = errors_of(upload, personas.county_bureau)
    assert errors == [(None, "文件", XLSX_UNREADABLE)]


def test_a_csv_list_with_tasks_on_several_lines_is_read_too(org, personas, people):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [HEADER, row(tasks="更换灭火器|dazhi|2026-12-15\n培训|dazhi|2026-12-20")]
    )
    upload = SimpleUploadedFile("problems.csv", buffer.getvalue().encode("utf-8-sig"))

    run(upload, personas.county_bureau)

    assert Problem.objects.get().tasks.count() == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-30", dt.date(2026, 11, 30)),
        ("2026/11/30", dt.date(2026, 11, 30)),
        ("2026.11.3", dt.date(2026, 11, 3)),
        ("2026年11月30日", dt.date(2026, 11, 30)),
        ("20261130", dt.date(2026, 11, 30)),
        (46356, dt.date(2026, 11, 30)),  # an Excel serial day in a cell not formatted as date
        (dt.datetime(2026, 11, 30, 8, 0), dt.date(2026, 11, 30)),
        ("2026-02-29", None),  # not a leap year
        ("11/30", None),
        ("明天", None),
        (2026, None),
    ],
)
def test_dates_are_read_in_the_forms_people_type_them(value, expected):
    assert read_date(value) == expected


# --- Sets, not rows ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
def test_import_runs_a_constant_number_of_queries(org, personas, people, count):
    rows = [
        row(reference=f"N-{i}", tasks="更换灭火器|dazhi|2026-12-15\n培训|jiangan|2026-12-20")
        for i in range(count)
    ]
    upload = xlsx(rows)
    with CaptureQueriesContext(connection) as queries:
        run(upload, personas.county_bureau)
    assert Problem.objects.count() == count
    assert len(queries) == QUERIES_PER_IMPORT


# Savepoint; problems by number, stations, categories, people; problems and their history,
# tasks and their history; release: the same for one row or fifty.
QUERIES_PER_IMPORT = 10


# --- The page, the template and the command ------------------------------------------------


@pytest.mark.parametrize("persona", ["station", "cadre", "leader"])
def test_only_liaison_offices_and_administrators_may_import(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("checklists:problem-import")).status_code == 403
    response = client.post(reverse("checklists:problem-import"), {"file": xlsx([row()])})
    assert response.status_code == 403
    assert client.get(reverse("checklists:problem-import-template")).status_code == 403
    assert not Problem.objects.exists()


def test_the_page_imports_and_reports_the_counts(client, org, personas, people, frozen):
    client.force_login(personas.county_bureau)
    response = client.post(
        reverse("checklists:problem-import"), {"file": xlsx([row()]), "import": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("checklists:problem-import")
    assert "导入完成。问题：新增 1 个" in response.content.decode()
    assert Problem.objects.count() == 1


def test_check_only_previews_and_writes_nothing(client, org, personas, people, frozen):
    published(org.s_jiangan, "HB-1", responsible=personas.station)
    client.force_login(personas.county_bureau)
    upload = xlsx([row(reference="HB-1", description="改写"), row(description="新问题")])

    response = client.post(reverse("checklists:problem-import"), {"file": upload, "check": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "检查通过，未写入任何数据。问题：将新增 1 个，更新 1 个" in page
    assert "新问题" in page and "HB-1" in page
    assert Problem.objects.count() == 1
    assert Problem.objects.get().description != "改写"


def test_the_page_lists_every_error_with_row_and_column(client, org, personas, people, frozen):
    client.force_login(personas.county_bureau)
    upload = xlsx([row(), row(station="S999999")])

    response = client.post(reverse("checklists:problem-import"), {"file": upload, "import": "1"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "文件未导入：共1处错误。" in page
    assert "没有代码为 S999999 的派出所" in page and '<td class="num">3</td>' in page
    assert not Problem.objects.exists()


def test_a_file_of_another_type_is_refused_by_the_form(client, org, personas, frozen):
    client.force_login(personas.county_bureau)
    upload = SimpleUploadedFile("problems.pdf", b"%PDF-1.4")
    response = client.post(reverse("checklists:problem-import"), {"file": upload})
    assert response.status_code == 400
    assert "只能导入" in response.content.decode()


def test_the_template_downloads_and_imports_cleanly_once_filled(
    client, org, personas, people, frozen
):
    client.force_login(personas.county_bureau)
    response = client.get(reverse("checklists:problem-import-template"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    stations = [r[0] for r in workbook.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert stations == ["S420102001", "S420102002"]  # only the county's own stations
    for column, value in enumerate(row(tasks="更换灭火器|dazhi|2026-12-15"), start=1):
        sheet.cell(row=2, column=column, value=value or None)
    sheet.cell(row=2, column=6, value=dt.datetime(2026, 12, 31))  # a real date cell
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload = SimpleUploadedFile("filled.xlsx", buffer.getvalue())
    response = client.post(reverse("checklists:problem-import"), {"file": upload, "import": "1"})

    assert response.status_code == 302
    problem = Problem.objects.get()
    assert problem.deadline == DEADLINE and problem.tasks.count() == 1


def test_the_command_imports_as_the_named_user(org, personas, people, tmp_path):
    path = tmp_path / "problems.xlsx"
    path.write_bytes(xlsx([row()]).read())
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("import_problems", str(path), "--user", "jiangan", stdout=out)
    assert "新增 1 个" in out.getvalue()
    assert Problem.objects.get().raised_by == personas.county_bureau


def test_the_command_refuses_station_staff_and_bad_files(org, personas, people, tmp_path):
    path = tmp_path / "problems.xlsx"
    path.write_bytes(xlsx([row(), row(station="S999999")]).read())
    with pytest.raises(CommandError):
        call_command("import_problems", str(path), "--user", "dazhi")
    with pytest.raises(CommandError, match="共1处错误"):
        call_command("import_problems", str(path), "--user", "jiangan", stderr=io.StringIO())
    assert not Problem.objects.exists()


def test_naive_spreadsheet_times_are_read_in_china(org, personas, people):
    cells = row(status="已销号", closed_at="")
    cells[8] = dt.datetime(2026, 6, 30, 9, 0)
    run(xlsx([cells]), personas.county_bureau)
    closed_at = Problem.objects.get().closed_at
    assert timezone.localtime(closed_at).hour == 9
