"""Excel import of many bureaus' staffing figures: all or nothing, every error by row and
column in Chinese, blank template rows skipped, corrections kept in the history; the
template lists the bureaus in scope."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from stations.importer import ImportRejected
from stations.models import StaffingReturn
from stations.scope import scope_of
from stations.staffing.importer import import_figures
from tests import factories as f

HEADER = ["代码", "名称", "统计日期", "总警力", "派出所警力", "社区民警"]
SEPT = dt.date(2026, 9, 30)


@pytest.fixture(autouse=True)
def _chinese_and_november():
    with (
        translation.override("zh-hans"),
        time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False),
    ):
        yield


def xlsx(rows, header=HEADER, name="figures.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(upload, user):
    return import_figures(
        upload,
        filename=upload.name,
        scope=scope_of(user),
        by=user,
        now=timezone.now(),
        today=timezone.localdate(),
    )


def errors_of(upload, user):
    with pytest.raises(ImportRejected) as caught:
        run(upload, user)
    return [(e.row, e.column, e.message) for e in caught.value.row_errors]


def stored():
    return sorted(
        StaffingReturn.objects.values_list(
            "bureau__code", "as_of", "police_total", "station_police", "community_police"
        )
    )


@pytest.mark.django_db
def test_a_city_imports_its_counties_figures_and_blank_rows_are_skipped(org, personas):
    summary = run(
        xlsx(
            [
                ["420102", "江岸区公安分局", SEPT, 200, 100, 50],
                ["420103", "江汉区公安分局", "2026/10/31", "1,200", "400", 150.0],
                ["420103", "江汉区公安分局", "", "", "", ""],  # left blank in the template
            ]
        ),
        personas.city_bureau,
    )

    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (2, 0, 0, 1)
    assert "新增 2 条" in summary.describe()
    assert stored() == [
        ("420102", SEPT, 200, 100, 50),
        ("420103", dt.date(2026, 10, 31), 1200, 400, 150),
    ]
    row = StaffingReturn.objects.get(bureau=org.jiangan)
    assert row.recorded_by == personas.city_bureau
    assert row.history.get().history_user == personas.city_bureau


@pytest.mark.django_db
def test_importing_again_changes_nothing_and_a_changed_figure_corrects_its_date(org, personas):
    rows = [["420102", "", SEPT, 200, 100, 50], ["420103", "", SEPT, 300, 90, 40]]
    run(xlsx(rows), personas.city_bureau)

    again = run(xlsx(rows), personas.city_bureau)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    rows[1][4] = 130
    corrected = run(xlsx(rows), personas.province_bureau)
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
    jianghan = StaffingReturn.objects.get(bureau=org.jianghan)
    assert jianghan.station_police == 130 and jianghan.recorded_by == personas.province_bureau
    history = jianghan.history.order_by("history_date", "history_id")
    assert [(h.station_police, h.history_type) for h in history] == [(90, "+"), (130, "~")]


@pytest.mark.django_db
def test_any_bad_row_rejects_the_file_with_every_error_by_row_and_column(org, personas):
    f.StaffingReturnFactory(bureau=org.jiangan, as_of=dt.date(2026, 6, 30))
    before = stored()
    upload = xlsx(
        [
            ["420102", "", SEPT, 200, 100, 50],  # row 2: good
            ["420103", "", SEPT, 200, 300, 50],  # 3
            ["420100", "", SEPT, 900, 400, 200],  # 4: a city records no figures of its own
            ["430102", "", SEPT, 100, 50, 20],  # 5: 芙蓉区 lies in 湖南
            ["420502", "", "昨天", 100, 50, 20],  # 6
            ["420502", "", SEPT, "12.5", 50, -3],  # 7
            ["420102", "", "2026-09-30", 210, 100, 50],  # 8: same bureau and date as row 2
            ["429004", "", dt.date(2026, 12, 1), 100, 50, 20],  # 9: future
            ["", "", SEPT, 100, 50, 20],  # 10
            ["429004", "", SEPT, 100, "", 20],  # 11
        ]
    )

    errors = errors_of(upload, personas.province_bureau)

    assert errors == [
        (3, "派出所警力", "派出所警力（300 名）不能多于总警力（200 名）。"),
        (
            4,
            "代码",
            "武汉市公安局不单独填报警力数据：其数据为所辖县级公安机关之和。",
        ),
        (5, "代码", "您的管辖范围内没有代码为 430102 的公安机关。"),
        (6, "统计日期", "“昨天”不是日期，请写成2026-11-30的形式。"),
        (7, "总警力", "“12.5”不是整数人数。"),
        (7, "社区民警", "请填写不小于 0 的警力人数。"),
        (8, "统计日期", "公安机关 420102 统计日期为 2026-09-30 的数据已在第 2 行出现。"),
        (9, "统计日期", "统计日期不能晚于今天。"),
        (10, "代码", "此项不能为空。"),
        (11, "派出所警力", "请填写警力人数。"),
    ]
    assert stored() == before


@pytest.mark.django_db
def test_a_county_cannot_import_its_neighbours_figures(org, personas):
    errors = errors_of(xlsx([["420103", "", SEPT, 100, 50, 20]]), personas.county_bureau)
    assert errors == [(2, "代码", "您的管辖范围内没有代码为 420103 的公安机关。")]


@pytest.mark.django_db
def test_a_missing_column_is_named_and_other_columns_are_ignored(org, personas):
    header = ["序号", "代码", "统计日期", "总警力", "派出所警力"]
    errors = errors_of(xlsx([[1, "420102", SEPT, 100, 50]], header=header), personas.city_bureau)
    assert errors == [(1, "社区民警", "缺少此列。")]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_the_import_takes_the_same_queries_for_1_and_50_bureaus(
    org, personas, count, django_assert_num_queries
):
    rows = []
    for i in range(count):
        county = f.county(org.wuhan, f"4201{50 + i:02d}")
        f.StaffingReturnFactory(bureau=county, as_of=SEPT)  # corrected by the file
        rows.append([county.code, "", SEPT, 300, 120, 60])
        rows.append([county.code, "", dt.date(2026, 10, 31), 300, 120, 60])  # new
    upload = xlsx(rows)
    # The file's bureaus, their stored rows, then bulk writes of rows and history rows.
    with django_assert_num_queries(8):
        summary = run(upload, personas.city_bureau)
    assert (summary.created, summary.updated) == (count, count)


# --- The pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_page_lists_errors_and_writes_nothing(login, org, personas):
    client = login(personas.city_bureau)
    upload = xlsx([["420102", "", SEPT, 100, 50, 20], ["420103", "", SEPT, 100, 50, 60]])

    response = client.post(reverse("stations:staffing-import"), {"file": upload})

    html = response.content.decode()
    assert response.status_code == 400
    assert "文件未导入" in html and "社区民警（60 名）不能多于派出所警力（50 名）。" in html
    assert not StaffingReturn.objects.exists()


@pytest.mark.django_db
def test_the_import_page_imports_and_says_what_it_did(login, org, personas):
    client = login(personas.city_bureau)
    response = client.post(
        reverse("stations:staffing-import"),
        {"file": xlsx([["420102", "", SEPT, 100, 50, 20]])},
        follow=True,
    )
    assert "导入完成：新增 1 条" in response.content.decode()
    assert stored() == [("420102", SEPT, 100, 50, 20)]


@pytest.mark.django_db
def test_the_template_lists_the_county_level_bureaus_in_scope(login, org, personas):
    response = login(personas.city_bureau).get(reverse("stations:staffing-import-template"))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert [r[:2] for r in rows[1:]] == [["420102", "江岸区公安分局"], ["420103", "江汉区公安分局"]]


@pytest.mark.django_db
def test_the_filled_template_imports(login, org, personas):
    client = login(personas.province_bureau)
    template = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("stations:staffing-import-template")).content)
    )
    sheet = template.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "429004":
            row[2].value, row[3].value, row[4].value, row[5].value = SEPT, 90, 40, 16
    buffer = io.BytesIO()
    template.save(buffer)

    summary = run(SimpleUploadedFile("t.xlsx", buffer.getvalue()), personas.province_bureau)

    assert (summary.created, summary.skipped) == (1, 3)  # 仙桃; 江岸, 江汉 and 西陵 left blank
    assert stored() == [("429004", SEPT, 90, 40, 16)]
