"""The secondment pages: who may open what (role × scope, 404 outside the scope), the batch
page (counts, search, filters, query count constant in rows), the forms (bad input: a
Chinese message, nothing written), the Excel export and the assessment PDF."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from liaison.models import Absence, Secondment, SecondmentAssessment, SpotCheck
from scoring.reports.bureau import bureau_report
from scoring.reports.period import month_period
from tests import factories as f
from tests.files import pdf_text
from tests.liaison.secondments_helpers import (
    SecondmentFactory,
    absence,
    assessment,
    spot_check,
)

D = dt.date
ALL = [
    "admin",
    "province_bureau",
    "city_bureau",
    "county_bureau",
    "other_city_bureau",
    "leader",
    "cadre",
    "station",
    "other_province_bureau",
]
READERS = {"admin", "province_bureau", "city_bureau", "county_bureau", "leader", "station"}
READERS |= {"other_city_bureau", "other_province_bureau"}
MANAGERS = {"admin", "province_bureau", "city_bureau", "county_bureau", "other_city_bureau"}
MANAGERS |= {"other_province_bureau"}
# Who has the secondment at 大智派出所 (江岸, 武汉, 湖北) in scope.
IN_SCOPE = {"admin", "province_bureau", "city_bureau", "county_bureau", "leader", "station"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def secondment(org):
    return SecondmentFactory(station=org.s_jiangan, officer_name="王挂职", police_number="4201001")


def _expected(persona, allowed, ok):
    if persona not in allowed:
        return 403
    return ok if persona in IN_SCOPE else 404


OBJECT_URLS = [
    ("liaison:secondment-detail", "get", READERS, 200),
    ("scoring:secondment-report", "get", READERS, 200),
    ("liaison:secondment-absence", "post", {"station", "admin"}, 400),  # empty form
    ("liaison:secondment-spot-check", "post", MANAGERS, 400),
    ("liaison:secondment-assessment", "post", MANAGERS, 400),
    ("liaison:secondment-extend", "post", MANAGERS, 302),
]


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize(("name", "method", "allowed", "ok"), OBJECT_URLS)
def test_secondment_urls_answer_by_role_and_scope(
    client, personas, secondment, persona, name, method, allowed, ok
):
    client.force_login(getattr(personas, persona))
    response = getattr(client, method)(reverse(name, args=[secondment.pk]))
    assert response.status_code == _expected(persona, allowed, ok)


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("liaison:secondments", READERS),
        ("liaison:secondments-export", READERS - {"station"}),
        ("liaison:secondment-new", MANAGERS),
    ],
)
def test_the_batch_pages_answer_by_role(client, personas, persona, name, allowed):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse(name)).status_code == (200 if persona in allowed else 403)


@pytest.mark.parametrize(
    "name",
    [
        "liaison:secondments",
        "liaison:secondments-export",
        "liaison:secondment-new",
        "liaison:secondment-detail",
        "scoring:secondment-report",
        "liaison:secondment-absence",
    ],
)
def test_anonymous_users_are_sent_to_log_in(client, secondment, name):
    args = [secondment.pk] if "detail" in name or "report" in name or "absence" in name else []
    method = client.post if "absence" in name else client.get
    response = method(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- The batch page ---------------------------------------------------------------------------


@pytest.fixture
def batch(org):
    """2026: 王 (normal, extends 2025), 赵 (warning 10), 钱 (not recognised, assessed),
    孙 at 西陵 (宜昌, outside Wuhan's scope). 2025: 王's first year."""
    first = SecondmentFactory(
        station=org.s_jiangan,
        officer_name="王挂职",
        police_number="4201001",
        start_date=D(2025, 3, 1),
        end_date=D(2026, 2, 28),
    )
    wang = SecondmentFactory(
        station=org.s_jiangan, officer_name="王挂职", police_number="4201001", extends=first
    )
    zhao = SecondmentFactory(station=org.s_jiangan2, officer_name="赵预警", police_number="4201002")
    absence(zhao, D(2026, 9, 28), D(2026, 10, 12))  # 7
    absence(zhao, D(2026, 11, 2), D(2026, 11, 4))  # 10
    qian = SecondmentFactory(station=org.s_jianghan, officer_name="钱旷岗", police_number="4201003")
    absence(qian, D(2026, 6, 1), D(2026, 6, 26), kind="awol")
    assessment(qian, grade="excellent")
    sun = SecondmentFactory(station=org.s_xiling, officer_name="孙宜昌", police_number="4205001")
    return {"first": first, "wang": wang, "zhao": zhao, "qian": qian, "sun": sun}


def kpi(html, name):
    marker = f'data-kpi="{name}">'
    return int(html.split(marker, 1)[1].split("<", 1)[0])


def test_the_city_sees_its_batch_with_the_counts_at_the_top(login, personas, batch):
    html = login(personas.city_bureau).get(reverse("liaison:secondments")).content.decode()
    assert (kpi(html, "secondees"), kpi(html, "stations"), kpi(html, "extended")) == (3, 3, 1)
    assert (kpi(html, "warnings"), kpi(html, "not-recognised")) == (1, 1)
    assert "王挂职" in html and "赵预警" in html and "钱旷岗" in html
    assert "孙宜昌" not in html  # 宜昌 is outside Wuhan's scope
    assert "延期第二年" in html and "预警" in html
    # 钱's assessment reads 不予认定 whatever the grade.
    row = html.split('data-police-number="4201003"', 1)[1].split("</tr>", 1)[0]
    assert "不予认定" in row and "优秀" not in row


def test_last_years_batch_shows_who_extended(login, personas, batch):
    response = login(personas.city_bureau).get(reverse("liaison:secondments"), {"year": 2025})
    html = response.content.decode()
    assert (kpi(html, "secondees"), kpi(html, "extended")) == (1, 1)
    row = html.split('data-police-number="4201001"', 1)[1].split("</tr>", 1)[0]
    assert "已延期" in row
    response = login(personas.city_bureau).get(
        reverse("liaison:secondments"), {"year": 2025, "status": "extended"}
    )
    assert "王挂职" in response.content.decode().split('id="secondment-table"', 1)[1]


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"q": "赵"}, {"赵预警"}),
        ({"q": "4201003"}, {"钱旷岗"}),
        ({"q": "民族"}, {"钱旷岗"}),  # by station
        ({"status": "warning"}, {"赵预警"}),
        ({"status": "not_recognised"}, {"钱旷岗"}),
        ({"status": "extended"}, {"王挂职"}),
        ({"status": "normal"}, {"王挂职"}),
        # A bad year falls back to the current batch and keeps the other filters.
        ({"year": "abc", "q": "赵"}, {"赵预警"}),
        ({"year": "1999", "status": "not_recognised"}, {"钱旷岗"}),
    ],
)
def test_search_and_status_filter_the_batch(login, personas, batch, params, shown):
    response = login(personas.city_bureau).get(reverse("liaison:secondments"), params)
    table = response.content.decode().split('id="secondment-table"', 1)[1]
    assert {name for name in ("王挂职", "赵预警", "钱旷岗") if name in table} == shown


def test_station_staff_see_only_their_own_secondee(login, personas, batch):
    html = login(personas.station).get(reverse("liaison:secondments")).content.decode()
    assert "王挂职" in html and "赵预警" not in html
    response = login(personas.station).get(
        reverse("liaison:secondment-detail", args=[batch["zhao"].pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_the_batch_page_takes_the_same_queries_for_1_and_50_secondments(
    login, personas, org, rows, django_assert_num_queries
):
    for i in range(rows):
        station = f.StationFactory(bureau=org.jiangan, code=f"S42010290{i:02d}")
        s = SecondmentFactory(station=station)
        absence(s, D(2026, 11, 2), D(2026, 11, 2))
        assessment(s)
    client = login(personas.city_bureau)
    # Session, user, the years, the counts at the top, the page's count and rows, and the
    # savepoint of the test client's request.
    with django_assert_num_queries(7):
        response = client.get(reverse("liaison:secondments"))
    assert response.status_code == 200
    assert kpi(response.content.decode(), "secondees") == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_the_secondment_page_takes_the_same_queries_for_1_and_30_absences(
    login, personas, secondment, rows, django_assert_num_queries
):
    day = D(2026, 3, 2)
    for _i in range(rows):
        absence(secondment, day, day)
        spot_check(secondment, day)
        day += dt.timedelta(days=7)
    client = login(personas.county_bureau)
    # Session, user, the secondment, its absences, its spot checks, the officer's record,
    # and the savepoint of the test client's request.
    with django_assert_num_queries(7):
        response = client.get(reverse("liaison:secondment-detail", args=[secondment.pk]))
    assert response.content.decode().count('class="') > rows


# --- The secondment page and its forms ----------------------------------------------------------


def _counts():
    return (
        Secondment.objects.count(),
        Absence.objects.count(),
        SpotCheck.objects.count(),
        SecondmentAssessment.objects.count(),
    )


def test_station_staff_record_absences_and_see_the_warning(login, personas, secondment):
    client = login(personas.station)
    url = reverse("liaison:secondment-absence", args=[secondment.pk])
    client.post(url, {"start_date": "2026-09-28", "end_date": "2026-10-12", "kind": "personal"})
    response = client.post(
        url, {"start_date": "2026-11-02", "end_date": "2026-11-04", "kind": "sick"}, follow=True
    )
    html = response.content.decode()
    assert "已登记缺勤 3 个工作日，累计 10 个工作日。" in html
    assert "当前状态：预警。" in html
    banner = html.split('id="attendance-banner"', 1)[1].split("</div>", 1)[0]
    assert "预警" in banner and "再缺勤 5 个工作日将不予认定挂职经历" in banner


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_date": "2026-10-01", "end_date": "2026-10-07", "kind": "sick"}, "均为休息日"),
        ({"start_date": "2026-12-07", "end_date": "2026-12-08", "kind": "sick"}, "不能提前登记"),
        ({"start_date": "2026-11-02", "end_date": "", "kind": "sick"}, "请输入日期。"),
        ({"start_date": "2026-11-02", "end_date": "2026-11-02", "kind": "?"}, "选择一个有效的选项"),
        (
            {
                "start_date": "2026-11-02",
                "end_date": "2026-11-02",
                "kind": "sick",
                "note": "长" * 2001,
            },
            "2000",
        ),
    ],
)
def test_a_bad_absence_gets_a_chinese_message_and_nothing_is_written(
    login, personas, secondment, data, message
):
    before = _counts()
    response = login(personas.station).post(
        reverse("liaison:secondment-absence", args=[secondment.pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_bureau_staff_record_a_spot_check_and_see_it(login, personas, secondment):
    response = login(personas.county_bureau).post(
        reverse("liaison:secondment-spot-check", args=[secondment.pk]),
        {"checked_on": "2026-11-05", "present": "false", "findings": "回原单位开会，未请假。"},
        follow=True,
    )
    table = response.content.decode().split('id="spot-checks"', 1)[1].split("</table>", 1)[0]
    assert "2026-11-05" in table and "不在岗" in table and "回原单位开会" in table


def test_an_assessment_before_the_last_month_is_not_offered_nor_accepted(
    login, personas, secondment
):
    client = login(personas.county_bureau)
    page = client.get(reverse("liaison:secondment-detail", args=[secondment.pk]))
    assert 'id="assessment-form"' not in page.content.decode()
    assert "自 2027-01-29 起可以登记考核鉴定" in page.content.decode()
    before = _counts()
    response = client.post(
        reverse("liaison:secondment-assessment", args=[secondment.pk]),
        {"grade": "excellent", "comments": "好"},
    )
    assert response.status_code == 400
    assert "自 2027-01-29 起可以登记" in response.content.decode()
    assert _counts() == before


def test_bureau_staff_create_a_secondment_from_the_form(login, personas, org):
    response = login(personas.city_bureau).post(
        reverse("liaison:secondment-new"),
        {
            "officer_name": "周新",
            "police_number": "4201099",
            "home_bureau": org.wuhan.pk,
            "station": org.s_jianghan.pk,
            "start_date": "2026-03-01",
        },
        follow=True,
    )
    s = Secondment.objects.get(police_number="4201099")
    assert (s.year, s.end_date, s.created_by) == (2026, D(2027, 2, 28), personas.city_bureau)
    assert "挂职安排已创建。" in response.content.decode()


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            {"start_date": "9999-06-01"},
            "开始日期须在今天前后一年之内（2025-12-03 至 2027-12-05）。",
        ),
        ({"start_date": "2019-03-01"}, "开始日期须在今天前后一年之内"),
        (
            {"start_date": "2026-03-01", "end_date": "2036-03-01"},
            "挂职期限最长一年，结束日期不能晚于 2027-02-28",
        ),
    ],
)
def test_a_start_years_away_or_a_term_beyond_a_year_is_refused_in_chinese(
    login, personas, org, dates, message
):
    before = _counts()
    response = login(personas.city_bureau).post(
        reverse("liaison:secondment-new"),
        {
            "officer_name": "周新",
            "police_number": "4201099",
            "home_bureau": org.wuhan.pk,
            "station": org.s_jianghan.pk,
            **dates,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_the_form_s_choices_read_in_chinese(login, personas):
    html = login(personas.city_bureau).get(reverse("liaison:secondment-new")).content.decode()
    assert "Select an option" not in html
    assert "— 所属单位 —" in html and "— 挂职派出所 —" in html


def test_a_station_outside_the_scope_is_not_offered_and_not_accepted(login, personas, org):
    before = _counts()
    response = login(personas.county_bureau).post(
        reverse("liaison:secondment-new"),
        {
            "officer_name": "周新",
            "police_number": "4201099",
            "home_bureau": org.jiangan.pk,
            "station": org.s_jianghan.pk,  # 江汉: not 江岸's
            "start_date": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert _counts() == before


def test_extending_opens_next_years_secondment(login, personas, secondment):
    response = login(personas.county_bureau).post(
        reverse("liaison:secondment-extend", args=[secondment.pk]), follow=True
    )
    extension = Secondment.objects.get(extends=secondment)
    assert response.redirect_chain[-1][0] == reverse(
        "liaison:secondment-detail", args=[extension.pk]
    )
    assert "挂职已延期一年，自 2027-03-01 至 2028-02-29。" in response.content.decode()


# --- Export and PDFs ---------------------------------------------------------------------


def test_the_export_lists_the_years_batch_in_scope(login, personas, batch):
    response = login(personas.city_bureau).get(
        reverse("liaison:secondments-export"), {"year": 2026}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "2026 年度挂职干部情况（截至 2026-12-04）"
    by_number = {r[1]: r for r in rows[2:]}
    assert set(by_number) == {"4201001", "4201002", "4201003"}
    assert list(by_number["4201002"][7:9]) == [10, "预警"]
    assert by_number["4201003"][10] == "不予认定"
    assert by_number["4201001"][9] == "延期第二年"
    # The host station's county bureau, headed as on the problem lists (not a bare 县).
    assert rows[1][4] == "县市区"


def test_the_assessment_pdf_prints_attendance_checks_and_the_outcome(login, personas, batch):
    qian = batch["qian"]
    spot_check(qian, D(2026, 6, 10), present=False, findings="未请假离岗")
    response = login(personas.station).get(
        reverse("scoring:secondment-report", args=[batch["wang"].pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response = login(personas.city_bureau).get(reverse("scoring:secondment-report", args=[qian.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for words in ("挂职干部考核鉴定表", "钱旷岗", "民族派出所", "挂职副所长", "旷岗", "未请假离岗"):
        assert words in text
    assert "不予认定" in text and "20" in text  # 26 June: 20 working days
    assert "挂职派出所（盖章）" in text


def test_the_bureau_report_has_the_years_secondments(batch, org):
    report = bureau_report(bureau=org.wuhan, period=month_period(2026, 11), today=D(2026, 12, 4))
    counts = report.secondments.counts
    assert (counts.secondees, counts.extended, counts.warned, counts.not_recognised) == (3, 1, 1, 1)
    assert ("优秀", 1) in [(str(label), n) for label, n in report.secondments.grades]
    assert [s.officer_name for s in report.secondments.flagged] == ["钱旷岗", "赵预警"]


def test_the_bureau_pdf_prints_the_secondments_section(batch, org, personas):
    from scoring.reports.services import draft_bureau_report

    draft = draft_bureau_report(
        bureau=org.wuhan,
        period=month_period(2026, 11),
        by=personas.city_bureau,
        verify_url="http://testserver/reports/verify/",
        now=dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC),
    )
    text = pdf_text(draft.rendered.pdf)
    section = text.split("2026 年度挂职干部", 1)[1]
    assert "延期一年 1" in section and "不予认定 1" in section
    assert "钱旷岗" in section and "赵预警" in section and "王挂职" not in section
    # The figures are those recorded on the day it is printed, and the report says so.
    assert "截至2026-12-04的记录" in re.sub(r"\s+", "", section)


def test_the_admin_lists_secondments_read_only(login, personas, secondment):
    client = login(personas.admin)
    response = client.get(reverse("admin:liaison_secondment_changelist"))
    assert response.status_code == 200 and "王挂职" in response.content.decode()
    assert client.get(reverse("admin:liaison_secondment_add")).status_code == 403
    page = client.get(reverse("admin:liaison_secondment_change", args=[secondment.pk]))
    assert page.status_code == 200 and 'type="submit" value="保存"' not in page.content.decode()


def test_the_filters_swap_only_the_batch_with_htmx(login, personas, batch):
    response = login(personas.city_bureau).get(
        reverse("liaison:secondments"),
        {"status": "warning"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="secondment-batch",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="secondment-batch">')
    assert "赵预警" in html and "钱旷岗" not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("persona", "link"),
    [("city_bureau", "挂职干部</a>"), ("leader", "挂职干部</a>"), ("station", "本所挂职干部</a>")],
)
def test_the_navigation_leads_bureaus_leaders_and_the_station_to_secondments(
    login, personas, persona, link
):
    html = login(getattr(personas, persona)).get(reverse("home"), follow=True).content.decode()
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("liaison:secondments")}">{link}' in nav


def test_a_cadre_has_no_secondment_link(login, personas):
    html = login(personas.cadre).get(reverse("home"), follow=True).content.decode()
    assert reverse("liaison:secondments") not in html


def test_station_staff_withdraw_an_absence_recorded_by_mistake(login, personas, secondment):
    wrong = absence(secondment, D(2026, 11, 2), D(2026, 11, 4))
    absence(secondment, D(2026, 11, 9), D(2026, 11, 9))
    response = login(personas.station).post(
        reverse("liaison:secondment-absence-withdraw", args=[wrong.pk]), follow=True
    )
    assert "2026-11-02 至 2026-11-04 的缺勤已撤销。" in response.content.decode()
    secondment.refresh_from_db()
    assert secondment.absent_days == 1
    deleted = Absence.history.filter(id=wrong.pk, history_type="-").get()
    assert deleted.history_user == personas.station


@pytest.mark.parametrize("persona", ALL)
def test_withdrawing_an_absence_answers_by_role_and_scope(client, personas, secondment, persona):
    row = absence(secondment, D(2026, 11, 2), D(2026, 11, 4))
    client.force_login(getattr(personas, persona))
    response = client.post(reverse("liaison:secondment-absence-withdraw", args=[row.pk]))
    assert response.status_code == _expected(persona, {"station", "admin"}, 302)
    assert Absence.objects.filter(pk=row.pk).exists() == (response.status_code != 302)


def test_attendance_no_longer_changes_once_assessed(login, personas, secondment):
    row = absence(secondment, D(2026, 11, 2), D(2026, 11, 4))
    assessment(secondment)
    client = login(personas.station)
    page = client.get(reverse("liaison:secondment-detail", args=[secondment.pk])).content.decode()
    assert 'id="absence-form"' not in page and "撤销" not in page
    response = client.post(
        reverse("liaison:secondment-absence-withdraw", args=[row.pk]), follow=True
    )
    assert "该挂职已完成考核，考勤不能再更改。" in response.content.decode()
    assert Absence.objects.filter(pk=row.pk).exists()


def test_in_february_the_current_batch_is_last_years(login, personas, batch):
    from liaison.secondments.selectors import year_summary
    from stations.scope import scope_of

    SecondmentFactory(
        station=batch["wang"].station,
        officer_name="明年",
        police_number="4201777",
        start_date=D(2027, 3, 1),
        end_date=D(2028, 2, 29),
    )
    with time_machine.travel(dt.datetime(2027, 2, 10, 2, tzinfo=dt.UTC), tick=False):
        html = login(personas.city_bureau).get(reverse("liaison:secondments")).content.decode()
        summary = year_summary(scope_of(personas.city_bureau), D(2027, 2, 10))
    assert '<option value="2026" selected>' in html and "明年" not in html
    assert (summary.year, summary.counts.secondees) == (2026, 3)
    assert year_summary(scope_of(personas.city_bureau), D(2027, 3, 1)).year == 2027


def test_the_page_shows_the_officers_other_secondments(login, personas, batch):
    html = (
        login(personas.city_bureau)
        .get(reverse("liaison:secondment-detail", args=[batch["wang"].pk]))
        .content.decode()
    )
    record = html.split('id="officer-record"', 1)[1].split("</table>", 1)[0]
    assert "2025" in record and "大智派出所" in record
