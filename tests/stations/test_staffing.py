"""The staffing ratios 两个40%: the figures' constraints, the roll-up with drill-down
(children sum to parent, sums of counts then ratios), the pages by role and scope, the
form, the export and the demo seed."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from stations.models import Bureau, StaffingReturn
from stations.scope import Scope, scope_of
from stations.staffing.rules import Figures
from stations.staffing.seeding import seed_staffing
from stations.staffing.selectors import staffing_table
from tests import factories as f

TODAY = dt.date(2026, 11, 20)
EVERYTHING = Scope(everything=True)


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def figures(org):
    """江岸 50 % / 50 %; 江汉 short of the station share (30 %); 西陵 short of the community
    share (20 %); 仙桃 exactly 40 % / 40 %; 芙蓉 (湖南). 江岸 also has older figures, and
    newer ones dated after TODAY's roll-up day used by some tests."""
    rows = {
        "jiangan": (200, 100, 50),
        "jianghan": (300, 90, 40),
        "xiling": (100, 50, 10),
        "xiantao": (150, 60, 24),
        "furong": (100, 50, 25),
    }
    for name, (total, station, community) in rows.items():
        f.StaffingReturnFactory(
            bureau=getattr(org, name),
            as_of=dt.date(2026, 9, 30),
            police_total=total,
            station_police=station,
            community_police=community,
        )
    f.StaffingReturnFactory(
        bureau=org.jiangan,
        as_of=dt.date(2026, 6, 30),
        police_total=400,
        station_police=100,
        community_police=10,
    )
    return rows


def _row(table, code):
    return next(r for r in table.rows if r.code == code)


# --- Constraints ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("counts", "constraint"),
    [
        ((-1, 0, 0), "staffing_counts_not_negative"),
        ((100, 101, 0), "staffing_station_police_within_total"),
        ((100, 50, 51), "staffing_community_police_within_station_police"),
    ],
)
def test_the_database_refuses_impossible_figures(org, counts, constraint):
    total, station, community = counts
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        f.StaffingReturnFactory(
            bureau=org.jiangan,
            police_total=total,
            station_police=station,
            community_police=community,
        )


@pytest.mark.django_db
def test_a_bureau_has_one_row_per_date(org):
    f.StaffingReturnFactory(bureau=org.jiangan)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.StaffingReturnFactory(bureau=org.jiangan)


# --- The roll-up ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_province_sums_its_cities_counts_then_divides(org, figures):
    table = staffing_table(scope=EVERYTHING, unit=org.hubei, day=TODAY)

    assert table.level == "city"
    assert [r.code for r in table.rows] == ["420100", "420500", "429004"]
    wuhan = _row(table, "420100")
    # 江岸's latest (200/100/50) and 江汉 (300/90/40): the older 江岸 figures do not count.
    assert wuhan.figures == Figures(500, 190, 90)
    assert (wuhan.bureaus, wuhan.reported, wuhan.station_short, wuhan.community_short) == (
        2,
        2,
        1,
        0,
    )
    assert wuhan.figures.station_short and str(wuhan.figures.station_share) == "38.0"
    xiantao = _row(table, "429004")
    assert not xiantao.drill and xiantao.bureau_id == org.xiantao.pk
    assert not xiantao.figures.short  # exactly 40 % and 40 % meet
    assert table.total == Figures(750, 300, 124)
    assert not table.total.station_short and not table.total.community_short


@pytest.mark.django_db
def test_children_sum_to_their_parent_at_every_level(org, figures):
    provinces = staffing_table(scope=EVERYTHING, unit=None, day=TODAY)
    hubei = staffing_table(scope=EVERYTHING, unit=org.hubei, day=TODAY)
    wuhan = staffing_table(scope=EVERYTHING, unit=org.wuhan, day=TODAY)

    assert [r.code for r in provinces.rows] == ["420000", "430000"]
    assert _row(provinces, "420000").figures == hubei.total
    assert _row(hubei, "420100").figures == wuhan.total
    assert wuhan.level == "county" and [r.name for r in wuhan.rows] == [
        "江岸区公安分局",
        "江汉区公安分局",
    ]
    assert provinces.total == hubei.total + Figures(100, 50, 25)


@pytest.mark.django_db
def test_a_bureau_without_figures_counts_as_not_reported(org, figures):
    f.county(org.wuhan, "420104", "硚口区公安分局")

    wuhan = staffing_table(scope=EVERYTHING, unit=org.wuhan, day=TODAY)

    qiaokou = _row(wuhan, "420104")
    assert (qiaokou.reported, qiaokou.bureaus, qiaokou.figures) == (0, 1, Figures())
    assert (wuhan.reported, wuhan.bureaus) == (2, 3)
    assert wuhan.total == Figures(500, 190, 90)


@pytest.mark.django_db
def test_the_roll_up_as_of_an_earlier_day_uses_the_figures_of_that_day(org, figures):
    wuhan = staffing_table(scope=EVERYTHING, unit=org.wuhan, day=dt.date(2026, 7, 31))

    jiangan = _row(wuhan, "420102")
    assert jiangan.figures == Figures(400, 100, 10)
    assert jiangan.last_as_of == dt.date(2026, 6, 30)
    assert _row(wuhan, "420103").reported == 0  # 江汉's figures are as of September


@pytest.mark.django_db
def test_a_city_user_sees_only_their_city(org, figures, personas):
    scope = scope_of(personas.city_bureau)
    table = staffing_table(scope=scope, unit=None, day=TODAY)
    assert table.total == Figures(500, 190, 90)


# --- The pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_city_page_flags_the_county_short_of_the_station_share(login, personas, figures):
    page = login(personas.leader).get(reverse("stations:staffing"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "武汉市公安局" in html and "江汉区公安分局" in html
    assert "西陵" not in html  # 宜昌 lies outside the leader's scope
    jianghan = html[
        html.index('data-code="420103"') : html.index("</tr>", html.index('data-code="420103"'))
    ]
    assert "30.0 %" in jianghan and "不足40%" in jianghan
    jiangan = html[
        html.index('data-code="420102"') : html.index("</tr>", html.index('data-code="420102"'))
    ]
    assert "50.0 %" in jiangan and "不足40%" not in jiangan
    assert "38.0 %" in html  # the city's own share, from the sums


@pytest.mark.django_db
def test_drilling_down_from_the_province_reaches_a_county(login, personas, org, figures):
    client = login(personas.province_bureau)
    top = client.get(reverse("stations:staffing")).content.decode()
    assert "unit=420100" in top and "仙桃市公安局" in top

    city = client.get(reverse("stations:staffing"), {"unit": "420100"})
    assert city.status_code == 200 and "江汉区公安分局" in city.content.decode()
    partial = client.get(
        reverse("stations:staffing"),
        {"unit": "420100"},
        headers={"HX-Request": "true", "HX-Target": "staffing-body"},
    )
    assert partial.content.decode().lstrip().startswith('<div id="staffing-body">')


@pytest.mark.django_db
@pytest.mark.parametrize("unit", ["420500", "430000", "999999", "abc"])
def test_a_unit_outside_the_scope_is_not_found(login, personas, figures, unit):
    response = login(personas.city_bureau).get(reverse("stations:staffing"), {"unit": unit})
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_future_day_is_refused_in_chinese_and_today_is_shown(login, personas, figures, clock):
    response = login(personas.leader).get(reverse("stations:staffing"), {"on": "2027-01-01"})
    html = response.content.decode()
    assert "统计日期不能晚于今天。" in html
    assert "各单位截至 2026-11-20 的最新数据。" in html


def _county_bureaus(city, count):
    for i in range(count):
        county = f.county(city, f"4201{50 + i:02d}", f"第{i}区公安分局")
        f.StaffingReturnFactory(bureau=county, police_total=100 + i)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_the_roll_up_page_takes_the_same_queries_for_1_and_50_bureaus(
    login, personas, org, count, django_assert_num_queries
):
    _county_bureaus(org.wuhan, count)
    client = login(personas.city_bureau)
    # Session, user, the user's unit (navigation), the starting unit, the table (one GROUP
    # BY), the breadcrumb.
    with django_assert_num_queries(6):
        response = client.get(reverse("stations:staffing"))
    assert response.content.decode().count('data-code="4201') == count + 2


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_the_bureau_page_takes_the_same_queries_for_1_and_50_dates(
    login, personas, org, count, django_assert_num_queries
):
    for i in range(count):
        f.StaffingReturnFactory(bureau=org.jiangan, as_of=dt.date(2020, 1, 1) + dt.timedelta(i))
    client = login(personas.county_bureau)
    # Session, user, the user's unit, the bureau, its dated figures, the breadcrumb.
    with django_assert_num_queries(6):
        response = client.get(reverse("stations:staffing-bureau", args=[org.jiangan.pk]))
    assert response.content.decode().count("data-as-of=") == count


# --- Recording figures --------------------------------------------------------------------


def _post(client, bureau, **data):
    values = {
        "as_of": "2026-11-20",
        "police_total": "240",
        "station_police": "90",
        "community_police": "40",
    }
    return client.post(reverse("stations:staffing-bureau", args=[bureau.pk]), values | data)


@pytest.mark.django_db
def test_county_staff_record_their_figures_and_see_the_shortfall(login, personas, org, clock):
    client = login(personas.county_bureau)

    response = _post(client, org.jiangan)

    assert response.status_code == 302
    row = StaffingReturn.objects.get(bureau=org.jiangan)
    assert (row.as_of, row.police_total, row.station_police, row.community_police) == (
        TODAY,
        240,
        90,
        40,
    )
    assert row.recorded_by == personas.county_bureau
    page = client.get(response["Location"]).content.decode()
    assert "派出所警力占比 37.5 %" in page  # the success message
    assert "不足40%" in page


@pytest.mark.django_db
def test_a_second_entry_for_the_same_date_corrects_it_and_keeps_the_history(
    login, personas, org, clock
):
    client = login(personas.city_bureau)
    _post(client, org.jiangan)
    response = _post(client, org.jiangan, station_police="120")

    assert response.status_code == 302
    row = StaffingReturn.objects.get(bureau=org.jiangan)
    assert row.station_police == 120
    assert [h.station_police for h in row.history.order_by("history_date", "history_id")] == [
        90,
        120,
    ]
    assert "已更正" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"station_police": "300"}, "派出所警力（300 名）不能多于总警力（240 名）。"),
        ({"community_police": "91"}, "社区民警（91 名）不能多于派出所警力（90 名）。"),
        ({"police_total": "-5"}, "请填写不小于 0 的警力人数。"),
        ({"police_total": "12.5"}, "请填写整数人数，例如 120。"),
        ({"police_total": ""}, "请填写警力人数。"),
        ({"as_of": "2026-11-21"}, "统计日期不能晚于今天。"),
        ({"as_of": "2026-13-01"}, "请输入有效日期"),
    ],
)
def test_bad_figures_get_a_chinese_message_and_nothing_is_written(
    login, personas, org, clock, data, message
):
    response = _post(login(personas.county_bureau), org.jiangan, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StaffingReturn.objects.exists()


@pytest.mark.django_db
def test_a_city_bureau_records_no_figures_of_its_own(login, personas, org):
    response = login(personas.city_bureau).get(
        reverse("stations:staffing-bureau", args=[org.wuhan.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("stations:staffing") + "?unit=420100"


@pytest.mark.django_db
def test_leaders_read_the_figures_but_cannot_record_them(login, personas, org, figures):
    client = login(personas.leader)
    page = client.get(reverse("stations:staffing-bureau", args=[org.jiangan.pk]))
    assert page.status_code == 200 and 'id="staffing-form"' not in page.content.decode()
    assert _post(client, org.jiangan).status_code == 403
    assert StaffingReturn.objects.filter(bureau=org.jiangan).count() == 2


@pytest.mark.django_db
def test_a_bureau_outside_the_scope_is_not_found_to_read_or_write(login, personas, org):
    client = login(personas.county_bureau)
    url = reverse("stations:staffing-bureau", args=[org.jianghan.pk])
    assert client.get(url).status_code == 404
    assert _post(client, org.jianghan).status_code == 404
    assert not StaffingReturn.objects.exists()


# --- Export ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_is_the_table_with_shortfalls_marked_and_the_total(login, personas, figures):
    response = login(personas.province_bureau).get(
        reverse("stations:staffing-export"), {"unit": "420100"}
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "武汉市公安局" in rows[0][0]
    assert rows[1][:2] == ["代码", "县"]
    jianghan = next(r for r in rows if r[0] == "420103")
    assert jianghan[4:9] == [300, 90, 40, 0.3, "不足40%"]
    total = rows[-1]
    assert total[1] == "合计" and total[4:7] == [500, 190, 90]
    assert total[7] == pytest.approx(0.38) and total[8] == "不足40%"


# --- The demo -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_gives_every_county_level_bureau_figures_some_short_of_each_ratio(org):
    for i in range(8):
        f.county(org.yichang, f"4205{10 + i}")
    written = seed_staffing(seed=235, today=TODAY)
    recording = Bureau.objects.holding_stations().count()

    assert written == {"bureaus": recording, "returns": 2 * recording}
    table = staffing_table(scope=EVERYTHING, unit=None, day=TODAY)
    assert table.reported == table.bureaus == recording
    assert table.station_short >= 1 and table.community_short >= 1
    first = list(StaffingReturn.objects.values_list("bureau__code", "as_of", "police_total"))
    StaffingReturn.objects.all().delete()
    seed_staffing(seed=235, today=TODAY)
    again = list(StaffingReturn.objects.values_list("bureau__code", "as_of", "police_total"))
    assert sorted(again) == sorted(first)


# --- Admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_lists_and_adds_figures_with_the_same_rules(login, personas, org, figures):
    client = login(personas.admin)
    listing = client.get(reverse("admin:stations_staffingreturn_changelist"))
    assert listing.status_code == 200 and "江汉区公安分局" in listing.content.decode()

    url = reverse("admin:stations_staffingreturn_add")
    data = {
        "bureau": org.wuhan.pk,
        "as_of": "2026-10-31",
        "police_total": "100",
        "station_police": "120",
        "community_police": "10",
    }
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "武汉市公安局不单独填报警力数据" in html
    assert "派出所警力（120 名）不能多于总警力（100 名）。" in html

    added = client.post(url, data | {"bureau": org.xiling.pk, "station_police": "60"})
    assert added.status_code == 302
    row = StaffingReturn.objects.get(bureau=org.xiling, as_of=dt.date(2026, 10, 31))
    assert row.recorded_by == personas.admin and row.history.count() == 1
