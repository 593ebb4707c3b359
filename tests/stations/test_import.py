"""Bureau & station import: files, rules, scope, the upload page and the command."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from stations import importer
from stations.models import Bureau, Station
from stations.scope import Scope, scope_of
from tests import factories as f

EVERYTHING = Scope(everything=True)
HEADER = ["类型", "代码", "名称", "层级", "上级代码", "省直管", "地址", "纬度", "经度", "启用"]

PROVINCE = ["公安机关", "420000", "湖北省公安厅", "省", "", "否"]
WUHAN = ["公安机关", "420100", "武汉市公安局", "市", "420000", "否"]
JIANGAN = ["公安机关", "420102", "江岸区公安分局", "县", "420100", "否"]
XIANTAO = ["公安机关", "429004", "仙桃市公安局", "市", "420000", "是"]
DAZHI = [
    "派出所",
    "420102001",
    "大智派出所",
    "",
    "420102",
    "",
    "江岸区大智路",
    30.5928,
    114.2974,
    "是",
]
SHAZUI = ["派出所", "429004001", "沙嘴派出所", "", "429004", "", "", "", "", "否"]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def xlsx_file(rows, header=HEADER, name="org.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, header=HEADER, encoding="utf-8", name="org.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


def run(upload, scope=EVERYTHING, **kwargs):
    return importer.import_file(upload, filename=upload.name, scope=scope, **kwargs)


def errors_of(upload, scope=EVERYTHING):
    with pytest.raises(importer.ImportRejected) as caught:
        run(upload, scope)
    return [(e.row, e.column, e.message) for e in caught.value.row_errors]


def snapshot():
    bureaus = list(
        Bureau.objects.values_list(
            "code", "name", "tier", "parent__code", "path", "directly_administered"
        )
    )
    stations = list(
        Station.objects.values_list(
            "code", "name", "bureau__code", "address", "latitude", "longitude", "active"
        )
    )
    return bureaus, stations


# --- Good files ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_xlsx_creates_bureaus_and_stations_with_paths_whatever_the_row_order():
    summary = run(xlsx_file([DAZHI, JIANGAN, SHAZUI, WUHAN, XIANTAO, PROVINCE]))

    assert (summary.bureaus_created, summary.stations_created) == (4, 2)
    paths = dict(Bureau.objects.values_list("code", "path"))
    assert paths == {
        "420000": "420000",
        "420100": "420000/420100",
        "420102": "420000/420100/420102",
        "429004": "420000/429004",
    }
    assert Bureau.objects.get(code="429004").directly_administered is True
    assert Bureau.objects.get(code="420102").parent.code == "420100"
    dazhi = Station.objects.get(code="420102001")
    assert (dazhi.name, dazhi.bureau.code, dazhi.address) == (
        "大智派出所",
        "420102",
        "江岸区大智路",
    )
    assert (dazhi.latitude, dazhi.longitude, dazhi.active) == (
        Decimal("30.592800"),
        Decimal("114.297400"),
        True,
    )
    shazui = Station.objects.get(code="429004001")
    assert (shazui.bureau.code, shazui.latitude, shazui.active) == ("429004", None, False)


@pytest.mark.django_db
def test_csv_creates_the_same_tree_as_xlsx():
    rows = [PROVINCE, WUHAN, JIANGAN, XIANTAO, DAZHI, SHAZUI]
    run(xlsx_file(rows))
    from_xlsx = snapshot()
    _empty_database()

    run(csv_file(rows))

    assert snapshot() == from_xlsx


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing_and_a_renamed_row_updates_in_place():
    rows = [PROVINCE, WUHAN, JIANGAN, DAZHI]
    run(xlsx_file(rows))
    before = snapshot()
    station_pk = Station.objects.get(code="420102001").pk

    again = run(xlsx_file(rows))

    assert snapshot() == before
    assert (again.bureaus_created, again.bureaus_updated, again.bureaus_unchanged) == (0, 0, 3)
    assert (again.stations_created, again.stations_updated, again.stations_unchanged) == (0, 0, 1)

    renamed = run(
        xlsx_file(
            [
                PROVINCE,
                [*WUHAN[:2], "武汉市公安局（新）", *WUHAN[3:]],
                JIANGAN,
                [*DAZHI[:2], "大智街派出所", *DAZHI[3:]],
            ]
        )
    )

    assert (renamed.bureaus_updated, renamed.stations_updated) == (1, 1)
    assert Bureau.objects.get(code="420100").name == "武汉市公安局（新）"
    assert Station.objects.get(code="420102001").name == "大智街派出所"
    assert Station.objects.get(code="420102001").pk == station_pk
    assert Bureau.objects.count() == 3 and Station.objects.count() == 1


def test_a_column_left_out_keeps_the_stored_value_and_a_blank_cell_means_the_default(org):
    org.s_jiangan.address = "大智路1号"
    org.s_jiangan.active = False
    org.s_jiangan.save()

    run(
        xlsx_file(
            [["派出所", "S420102001", "大智派出所", "420102"]],
            header=["类型", "代码", "名称", "上级代码"],
        )
    )
    org.s_jiangan.refresh_from_db()
    assert (org.s_jiangan.address, org.s_jiangan.active) == ("大智路1号", False)

    run(xlsx_file([["派出所", "S420102001", "大智派出所", "", "420102", "", "", "", "", ""]]))
    org.s_jiangan.refresh_from_db()
    assert (org.s_jiangan.address, org.s_jiangan.active) == ("", True)


def test_moving_a_city_to_another_province_moves_its_stored_counties_too(org):
    run(xlsx_file([["公安机关", "420500", "宜昌市公安局", "市", "430000", "否"]]))

    org.xiling.refresh_from_db()
    assert org.xiling.path == "430000/420500/420502"


@pytest.mark.django_db
def test_english_header_names_and_values_are_accepted():
    header = ["type", "code", "name", "tier", "parent code", "directly administered", "active"]
    rows = [
        ["Bureau", "420000", "Hubei", "Province", "", "No", ""],
        ["bureau", "420100", "Wuhan", "city", "420000", "no", ""],
        ["bureau", "420102", "Jiang'an", "county", "420100", "", ""],
        ["Police station", "420102001", "Dazhi", "", "420102", "", "yes"],
    ]
    summary = run(csv_file(rows, header=header))
    assert (summary.bureaus_created, summary.stations_created) == (3, 1)


@pytest.mark.django_db
def test_csv_with_a_byte_order_mark_parses():
    summary = run(csv_file([PROVINCE, WUHAN], encoding="utf-8-sig"))
    assert summary.bureaus_created == 2
    assert Bureau.objects.get(code="420100").name == "武汉市公安局"


@pytest.mark.django_db
def test_gb18030_csv_parses():
    upload = csv_file([PROVINCE, WUHAN], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        upload.read().decode("utf-8")
    upload.seek(0)

    assert run(upload).bureaus_created == 2
    assert Bureau.objects.get(code="420000").name == "湖北省公安厅"


@pytest.mark.django_db
def test_dry_run_checks_and_counts_but_writes_nothing():
    summary = run(xlsx_file([PROVINCE, WUHAN]), dry_run=True)
    assert (summary.dry_run, summary.bureaus_created) == (True, 2)
    assert not Bureau.objects.exists()


# --- Bad files: every error by row and column, nothing written -------------------------------

GOOD_FIRST = ["派出所", "420102009", "新建派出所", "", "420102", "", "", "", "", ""]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (["公安机关", "420104", "", "县", "420100"], ("名称", "此项不能为空。")),
        (["公安机关", "420104", "名" * 101, "县", "420100"], ("名称", "不能超过100个字符。")),
        (["", "420104", "某区公安分局", "县", "420100"], ("类型", "此项不能为空。")),
        (
            ["单位", "420104", "某区公安分局", "县", "420100"],
            ("类型", "无法识别的类型“单位”，应填写“公安机关”或“派出所”。"),
        ),
        (
            ["公安机关", "42010", "某区公安分局", "县", "420100"],
            ("代码", "公安机关代码应为6位数字且首位不为0，例如420102。"),
        ),
        (
            ["派出所", "S1", "某派出所", "", "420102"],
            ("代码", "派出所代码应为4至20位字母、数字或连字符。"),
        ),
        (
            ["公安机关", "420104", "某区公安分局", "区", "420100"],
            ("层级", "无法识别的层级“区”，应填写“省”、“市”或“县”。"),
        ),
        (["公安机关", "420104", "某区公安分局", "", "420100"], ("层级", "此项不能为空。")),
        (["公安机关", "420104", "某区公安分局", "县", ""], ("上级代码", "此项不能为空。")),
        (
            ["公安机关", "420104", "某区公安分局", "县", "420900"],
            ("上级代码", "系统和本文件中都没有代码为420900的公安机关。"),
        ),
        (
            ["派出所", "S420999001", "某派出所", "", "420999"],
            ("上级代码", "系统和本文件中都没有代码为420999的公安机关。"),
        ),
        (
            ["公安机关", "440000", "广东省公安厅", "省", "420000"],
            ("上级代码", "省级公安机关没有上级，此项应留空。"),
        ),
        (
            ["公安机关", "420600", "襄阳市公安局", "市", "420100"],
            ("上级代码", "市级公安机关的上级必须是省级公安机关。"),
        ),
        (
            ["公安机关", "420104", "某区公安分局", "县", "420000"],
            ("上级代码", "县级公安机关的上级必须是非省直管的市级公安机关。"),
        ),
        (
            ["公安机关", "429005", "某区公安分局", "县", "429004"],
            ("上级代码", "县级公安机关的上级必须是非省直管的市级公安机关。"),
        ),
        (
            ["派出所", "S420100001", "某派出所", "", "420100"],
            ("上级代码", "派出所只能隶属于县级公安机关或省直管市公安机关。"),
        ),
        (
            ["公安机关", "420104", "某区公安分局", "县", "420100", "是"],
            ("省直管", "只有市级公安机关可以设为省直管。"),
        ),
        (
            ["公安机关", "420600", "襄阳市公安局", "市", "420000", "也许"],
            ("省直管", "应填写“是”或“否”，而不是“也许”。"),
        ),
        (
            ["公安机关", "420102", "江岸区公安分局", "市", "420000"],
            ("层级", "公安机关420102已存在，层级为“县”，导入不能修改层级。"),
        ),
        (
            ["公安机关", "429004", "仙桃市公安局", "市", "420000", "否"],
            ("省直管", "公安机关429004下仍有派出所，不能取消省直管。"),
        ),
        (
            ["公安机关", "420100", "武汉市公安局", "市", "420000", "是"],
            ("省直管", "公安机关420100下设有县级公安机关，不能设为省直管。"),
        ),
        (
            ["派出所", "S420102003", "某派出所", "", "420102", "", "", "北纬30", "114.3"],
            ("纬度", "“北纬30”不是有效的数字。"),
        ),
        (
            ["派出所", "S420102003", "某派出所", "", "420102", "", "", "91", "114.3"],
            ("纬度", "纬度应在-90到90之间。"),
        ),
        (
            ["派出所", "S420102003", "某派出所", "", "420102", "", "", "30.5", "-181"],
            ("经度", "经度应在-180到180之间。"),
        ),
        (
            ["派出所", "S420102003", "某派出所", "", "420102", "", "", "30.5", ""],
            ("经度", "纬度和经度须同时填写或同时留空。"),
        ),
        (
            ["派出所", "S420102003", "某派出所", "", "420102", "", "", "", "114.3"],
            ("纬度", "纬度和经度须同时填写或同时留空。"),
        ),
        (
            ["派出所", "S420102003", "某派出所", "", "420102", "", "", "", "", "停用"],
            ("启用", "应填写“是”或“否”，而不是“停用”。"),
        ),
        (
            ["派出所", "420102009", "重复派出所", "", "420102"],
            ("代码", "代码420102009已在第2行出现。"),
        ),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_in_chinese_and_nothing_is_written(org, row, error):
    before = snapshot()

    errors = errors_of(xlsx_file([GOOD_FIRST, row]))

    assert errors == [(3, *error)]
    assert snapshot() == before


def test_every_bad_row_is_reported_at_once_in_row_order(org):
    before = snapshot()
    rows = [
        ["派出所", "S1", "某派出所", "", "420102"],
        GOOD_FIRST,
        ["公安机关", "420104", "", "区", "420100"],
        [],
        ["派出所", "S420102003", "某派出所", "", "420999", "", "", "91", "114.3"],
    ]

    errors = errors_of(xlsx_file(rows))

    assert errors == [
        (2, "代码", "派出所代码应为4至20位字母、数字或连字符。"),
        (4, "名称", "此项不能为空。"),
        (4, "层级", "无法识别的层级“区”，应填写“省”、“市”或“县”。"),
        (6, "上级代码", "系统和本文件中都没有代码为420999的公安机关。"),
        (6, "纬度", "纬度应在-90到90之间。"),
    ]
    assert snapshot() == before


def test_a_row_with_a_bad_code_still_has_its_other_cells_checked(org):
    rows = [["公安机关", "1", "", "区", "420100", "也许"]]
    assert errors_of(xlsx_file(rows)) == [
        (2, "代码", "公安机关代码应为6位数字且首位不为0，例如420102。"),
        (2, "名称", "此项不能为空。"),
        (2, "层级", "无法识别的层级“区”，应填写“省”、“市”或“县”。"),
        (2, "省直管", "应填写“是”或“否”，而不是“也许”。"),
    ]


def test_a_child_of_a_bad_row_is_not_blamed_for_its_parent(org):
    rows = [
        ["公安机关", "420600", "襄阳市公安局", "地级市", "420000"],
        ["公安机关", "420602", "襄城区公安分局", "县", "420600"],
        ["派出所", "S420602001", "襄城派出所", "", "420602"],
    ]
    assert errors_of(xlsx_file(rows)) == [
        (2, "层级", "无法识别的层级“地级市”，应填写“省”、“市”或“县”。")
    ]


@pytest.mark.django_db
def test_header_errors_are_reported_on_the_header_row():
    header = ["类型", "名称", "备注", "名称"]
    errors = errors_of(xlsx_file([["公安机关", "湖北省公安厅", "", ""]], header=header))
    assert errors == [
        (1, "代码", "缺少此列。"),
        (1, "备注", "无法识别的列名，请使用模板中的列名。"),
        (1, "名称", "此列重复出现。"),
    ]


@pytest.mark.django_db
def test_a_file_with_only_a_header_is_refused():
    assert errors_of(xlsx_file([])) == [(1, "文件", "表头下方没有任何数据行。")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("org.xlsx", b"not a zip at all", "无法读取该Excel文件，请确认它是.xlsx格式。"),
        ("org.csv", b"\xff\xfe\xff\x80", "无法识别CSV文件的编码，请另存为UTF-8或GB18030编码。"),
        ("org.xls", b"whatever", "只能导入.xlsx或.csv文件。"),
        ("org.csv", b"\n\n", "文件是空的。"),
    ],
)
def test_an_unreadable_file_is_refused_with_one_file_error(name, content, message):
    assert errors_of(SimpleUploadedFile(name, content)) == [(None, "文件", message)]


# --- Scope ------------------------------------------------------------------------------------


def test_a_city_bureau_user_imports_within_its_own_city(org, personas):
    rows = [
        ["公安机关", "420104", "江汉区二分局", "县", "420100"],
        ["派出所", "S420104001", "新华派出所", "", "420104"],
        ["派出所", "S420102001", "大智派出所（更名）", "", "420102"],
    ]
    summary = run(xlsx_file(rows), scope_of(personas.city_bureau))
    assert (summary.bureaus_created, summary.stations_created, summary.stations_updated) == (
        1,
        1,
        1,
    )
    assert Bureau.objects.get(code="420104").path == "420000/420100/420104"


def test_a_bureau_user_importing_into_another_citys_subtree_gets_row_errors(org, personas):
    before = snapshot()
    rows = [
        ["派出所", "S420102009", "新建派出所", "", "420102"],
        ["公安机关", "420503", "伍家岗区公安分局", "县", "420500"],
        ["派出所", "S420502009", "新建西陵派出所", "", "420502"],
        ["派出所", "S420502001", "西陵派出所", "", "420102"],
        ["公安机关", "420500", "宜昌市公安局", "市", "420000"],
        ["公安机关", "440000", "广东省公安厅", "省"],
    ]

    errors = errors_of(xlsx_file(rows), scope_of(personas.city_bureau))

    assert errors == [
        (3, "上级代码", "该公安机关将不在您的管辖范围内。"),
        (4, "上级代码", "该派出所将不在您的管辖范围内。"),
        (5, "代码", "代码S420502001属于您管辖范围以外的派出所。"),
        (6, "代码", "代码420500属于您管辖范围以外的公安机关。"),
        (7, "代码", "该公安机关将不在您的管辖范围内。"),
    ]
    assert snapshot() == before


def test_a_county_bureau_user_cannot_move_its_own_bureau_away(org, personas):
    errors = errors_of(
        xlsx_file([["公安机关", "420102", "江岸区公安分局", "县", "420500"]]),
        scope_of(personas.county_bureau),
    )
    assert errors == [(2, "上级代码", "该公安机关将不在您的管辖范围内。")]


# --- Covered stations: an import never breaks an active assignment ----------------------------

SHORT_HEADER = ["类型", "代码", "名称", "上级代码"]
STATION_OUTSIDE = "移至该单位后，该派出所将超出其包联干部的包联范围，请先结束包联关系。"


def _covered_snapshot():
    return snapshot(), list(
        Station.objects.filter(assignments__end_date__isnull=True).values_list(
            "code", "bureau__path", "active", "assignments__cadre__bureau__path"
        )
    )


def test_moving_a_covered_station_out_of_its_county_cadres_jurisdiction_is_refused(org, personas):
    before = _covered_snapshot()
    rows = [["派出所", "S420102001", "大智派出所", "420103"]]

    errors = errors_of(csv_file(rows, header=SHORT_HEADER), scope_of(personas.city_bureau))

    assert errors == [(2, "上级代码", STATION_OUTSIDE)]
    assert _covered_snapshot() == before


def test_a_covered_station_may_move_within_its_cadres_jurisdiction(org, personas):
    city_cadre = f.CadreFactory(bureau=org.wuhan, tier="city")
    f.AssignmentFactory(cadre=city_cadre, station=org.s_jiangan2)
    rows = [["派出所", "S420102002", "球场派出所", "420103"]]

    summary = run(csv_file(rows, header=SHORT_HEADER), scope_of(personas.city_bureau))

    assert summary.stations_updated == 1
    assert Station.objects.get(code="S420102002").bureau == org.jianghan


def test_deactivating_a_covered_station_is_refused_and_an_uncovered_one_is_not(org, personas):
    before = _covered_snapshot()
    header = [*SHORT_HEADER, "启用"]
    covered = ["派出所", "S420102001", "大智派出所", "420102", "否"]
    uncovered = ["派出所", "S420102002", "球场派出所", "420102", "否"]

    errors = errors_of(csv_file([uncovered, covered], header=header))

    assert errors == [(3, "启用", "该派出所当前有包联干部，请先结束包联关系再停用。")]
    assert _covered_snapshot() == before

    assert run(csv_file([uncovered], header=header)).stations_updated == 1
    assert Station.objects.get(code="S420102002").active is False


@pytest.mark.parametrize(
    ("row", "home", "station", "message"),
    [
        pytest.param(
            ["公安机关", "420102", "江岸区公安分局", "县", "420500"],
            "wuhan",
            "s_jiangan2",
            "移至该上级公安机关后，其下 1 个派出所将超出包联干部的包联范围：S420102002。"
            "请先结束相关包联关系。",
            id="county-under-another-city-leaves-its-city-cadre",
        ),
        pytest.param(
            ["公安机关", "420500", "宜昌市公安局", "市", "430000"],
            "hubei",
            "s_xiling",
            "移至该上级公安机关后，其下 1 个派出所将超出包联干部的包联范围：S420502001。"
            "请先结束相关包联关系。",
            id="city-under-another-province-leaves-its-province-cadre",
        ),
    ],
)
def test_moving_a_bureau_away_from_the_cadres_above_its_covered_stations_is_refused(
    org, personas, row, home, station, message
):
    cadre = f.CadreFactory(bureau=getattr(org, home))
    f.AssignmentFactory(cadre=cadre, station=getattr(org, station))
    before = _covered_snapshot()

    assert errors_of(xlsx_file([row])) == [(2, "上级代码", message)]
    assert _covered_snapshot() == before


def test_a_bureau_moves_with_the_covered_stations_whose_cadres_it_holds(org, personas):
    # 大智's county cadre is homed at 江岸 itself and 西陵's city cadre at 宜昌: both move too.
    yichang_cadre = f.CadreFactory(bureau=org.yichang, tier="city")
    f.AssignmentFactory(cadre=yichang_cadre, station=org.s_xiling)
    rows = [
        ["公安机关", "420102", "江岸区公安分局", "县", "420500"],
        ["公安机关", "420500", "宜昌市公安局", "市", "430000"],
    ]

    run(xlsx_file(rows))

    assert Bureau.objects.get(code="420102").path == "430000/420500/420102"
    assert Bureau.objects.get(code="420502").path == "430000/420500/420502"


def test_a_station_row_follows_its_bureaus_move_in_the_same_file(org, personas):
    # 球场 keeps its county, but the county moves under 宜昌 in the same file while 球场 is
    # covered by a Wuhan cadre: the county row is blamed, the station row is not.
    rows = [
        ["公安机关", "420102", "江岸区公安分局", "县", "420500"],
        ["派出所", "S420102002", "球场派出所", "", "420102"],
    ]
    wuhan_cadre = f.CadreFactory(bureau=org.wuhan, tier="city")
    f.AssignmentFactory(cadre=wuhan_cadre, station=org.s_jiangan2)

    errors = errors_of(xlsx_file(rows))

    assert errors == [
        (
            2,
            "上级代码",
            "移至该上级公安机关后，其下 1 个派出所将超出包联干部的包联范围：S420102002。"
            "请先结束相关包联关系。",
        )
    ]


# --- Set-based --------------------------------------------------------------------------------


def _empty_database():
    Station.objects.all().delete()
    for tier in ("county", "city", "province"):
        Bureau.objects.filter(tier=tier).delete()


def _queries_for(stations: int) -> int:
    rows = [PROVINCE, WUHAN, JIANGAN] + [
        ["派出所", f"S{n:06d}", f"第{n}派出所", "", "420102"] for n in range(stations)
    ]
    upload = xlsx_file(rows)
    with CaptureQueriesContext(connection) as queries:
        run(upload)
    return len(queries)


@pytest.mark.django_db
def test_import_runs_the_same_number_of_queries_for_1_and_50_stations():
    one = _queries_for(1)
    _empty_database()
    assert _queries_for(50) == one


def _queries_for_covered(org, stations: int) -> int:
    """Move a county with ``stations`` covered stations (province cadres, so allowed) from
    Wuhan to Yichang, renaming every station in the same file."""
    county = f.county(org.wuhan, f"4201{stations:02d}")
    rows = [["公安机关", county.code, county.name, "县", "420500"]]
    for n in range(stations):
        station = f.StationFactory(bureau=county, code=f"C{stations:02d}{n:04d}")
        cadre = f.CadreFactory(bureau=org.hubei, tier="province")
        f.AssignmentFactory(cadre=cadre, station=station)
        rows.append(["派出所", station.code, f"改名{n}", "", county.code])
    upload = xlsx_file(rows)
    with CaptureQueriesContext(connection) as queries:
        summary = run(upload)
    assert (summary.bureaus_updated, summary.stations_updated) == (1, stations)
    return len(queries)


def test_checking_covered_stations_takes_the_same_queries_for_1_and_50(org):
    assert _queries_for_covered(org, 1) == _queries_for_covered(org, 50)


# --- Template round trip ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_xlsx_template_opens_and_reimports_into_an_empty_database(language):
    with translation.override(language):
        content = importer.template_xlsx()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 2

    summary = run(SimpleUploadedFile("template.xlsx", content))

    assert (summary.bureaus_created, summary.stations_created) == (3, 1)
    assert Bureau.objects.get(code="420102").path == "420000/420100/420102"
    if language == "zh-hans":
        assert list(next(workbook.worksheets[0].iter_rows(values_only=True))) == HEADER
        assert Bureau.objects.get(code="420000").name == "湖北省公安厅"
        assert Station.objects.get().name == "大智派出所"


@pytest.mark.django_db
def test_the_csv_template_reimports_into_an_empty_database():
    content = importer.template_csv()
    assert content.startswith("\ufeff".encode())

    summary = run(SimpleUploadedFile("template.csv", content))

    assert (summary.bureaus_created, summary.stations_created) == (3, 1)


# --- The upload page ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cadre", "station", "leader"])
@pytest.mark.parametrize(
    "url", ["stations:import", "stations:import-template", "stations:import-template-csv"]
)
def test_the_import_pages_refuse_other_roles(personas, login, who, url):
    assert login(getattr(personas, who)).get(reverse(url)).status_code == 403


def test_the_import_page_sends_anonymous_users_to_log_in(client, db):
    response = client.get(reverse("stations:import"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_bureau_staff_download_both_templates(personas, login):
    client = login(personas.city_bureau)
    response = client.get(reverse("stations:import-template"))
    assert response.status_code == 200
    openpyxl.load_workbook(io.BytesIO(response.content))
    response = client.get(reverse("stations:import-template-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_bureau_staff_upload_a_good_file_and_see_the_counts(personas, login):
    client = login(personas.city_bureau)
    assert client.get(reverse("stations:import")).status_code == 200

    response = client.post(
        reverse("stations:import"),
        {"file": xlsx_file([["派出所", "S420102009", "新建派出所", "", "420102"]])},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("stations:import"), 302)]
    assert "导入完成。" in response.content.decode()
    assert "派出所：新增1个" in response.content.decode()
    assert Station.objects.filter(code="S420102009", bureau__code="420102").exists()


def test_a_bad_upload_lists_every_error_and_writes_nothing(personas, login):
    before = snapshot()
    rows = [
        ["派出所", "S420102009", "新建派出所", "", "420102"],
        ["派出所", "S420502009", "西陵新所", "", "420502"],
        ["派出所", "S420102010", "", "", "420102"],
    ]

    response = login(personas.city_bureau).post(
        reverse("stations:import"), {"file": xlsx_file(rows)}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "文件未导入：共2处错误。" in page
    assert "该派出所将不在您的管辖范围内。" in page
    assert "此项不能为空。" in page
    assert snapshot() == before


CONTROL = "该单元格含有控制字符（如NUL或换行符），请删除。"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["派出所", "S420102009", "新建\x00派出所", "", "420102"], "名称"),
        (["派出所", "S420102\x00009", "新建派出所", "", "420102"], "代码"),
        (["派出所", "S420102009", "新建派出所", "", "420\x00102"], "上级代码"),
        (["派出所", "S420102009", "新建派出所", "", "420102", "", "大智路\x1b1号"], "地址"),
        (["派出所", "S420102009", "新建\n派出所", "", "420102"], "名称"),
        (["公安机关", "420104", "某区\t公安分局", "县", "420100"], "名称"),
        (["派\x00出所", "S420102009", "新建派出所", "", "420102"], "类型"),
    ],
)
def test_a_cell_with_control_characters_is_reported_and_nothing_is_written(org, row, column):
    before = snapshot()

    errors = errors_of(csv_file([row]))

    assert errors == [(2, column, CONTROL)]
    assert snapshot() == before


def test_a_nul_byte_in_an_upload_is_a_row_error_not_a_server_error(personas, login):
    before = snapshot()
    rows = [["派出所", "S420102009", "新建\x00派出所", "", "420102"]]

    response = login(personas.city_bureau).post(
        reverse("stations:import"), {"file": csv_file(rows)}
    )

    assert response.status_code == 400
    assert CONTROL in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("org.txt", b"a,b"), "只能导入.xlsx或.csv文件。"),
        (SimpleUploadedFile("org.csv", b"x" * (5 * 1024 * 1024 + 1)), "文件不能超过5 MB。"),
        (SimpleUploadedFile("org.csv", b""), "文件是空的。"),
    ],
)
def test_the_upload_form_refuses_other_types_and_large_files(personas, login, upload, message):
    before = snapshot()
    response = login(personas.admin).post(reverse("stations:import"), {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


# --- The command ----------------------------------------------------------------------------


def test_the_command_imports_with_admin_scope_and_prints_the_summary(org, tmp_path, capsys):
    path = tmp_path / "org.csv"
    path.write_bytes(csv_file([["公安机关", "440000", "广东省公安厅", "省"]]).read())

    call_command("import_stations", str(path))

    assert "导入完成。公安机关：新增1个" in capsys.readouterr().out
    assert Bureau.objects.filter(code="440000").exists()


def test_the_command_dry_run_writes_nothing(org, tmp_path, capsys):
    path = tmp_path / "org.csv"
    path.write_bytes(csv_file([["公安机关", "440000", "广东省公安厅", "省"]]).read())

    call_command("import_stations", str(path), "--dry-run")

    assert "试运行" in capsys.readouterr().out
    assert not Bureau.objects.filter(code="440000").exists()


def test_the_command_exits_non_zero_and_prints_every_error_on_a_bad_file(org, tmp_path, capsys):
    before = snapshot()
    path = tmp_path / "org.xlsx"
    rows = [["公安机关", "440000", "", "省"], ["派出所", "S1", "某派出所", "", "420102"]]
    path.write_bytes(xlsx_file(rows).read())

    with pytest.raises(CommandError) as caught:
        call_command("import_stations", str(path))

    assert caught.value.returncode != 0
    assert str(caught.value) == "导入被拒绝：共2处错误，未写入任何数据。"
    err = capsys.readouterr().err
    assert "第2行，名称：此项不能为空。" in err
    assert "第3行，代码：派出所代码应为4至20位字母、数字或连字符。" in err
    assert snapshot() == before


def test_the_command_refuses_a_missing_file(db):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_stations", "/nonexistent/org.xlsx")
