"""Assessment reports: the cadre's and the bureau's PDF (text extracted with pdftotext, so
Chinese must be real text, not boxes), their data in a fixed number of queries, the
background job of a large bureau report, and who may open which report."""

import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from scoring import tasks
from scoring.models import MonthlyRank, RankingMonth
from scoring.reports import services
from scoring.reports.bureau import RANKING_EDGE, bureau_report
from scoring.reports.cadre import cadre_report, task_state
from scoring.reports.models import IssuedReport, ReportJob
from scoring.reports.period import month_period, parse_period, period_of, quarter_period
from scoring.reports.render import Rendered
from scoring.reports.verify import digest
from tests import factories as f
from tests.checklists.five_haves_helpers import audit_station
from tests.files import pdf_text
from tests.scoring.evaluation_helpers import rate, seed_dimensions, staff
from tests.scoring.report_data import (
    MARCH,
    NOW,
    freeze,
    name,
    period_record,
    published_problem,
    visit,
)

pytestmark = pytest.mark.usefixtures("media_root")
Q1 = dt.date(2026, 1, 1)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fake_render(monkeypatch):
    """Skip WeasyPrint where a test is about access, not the PDF."""
    monkeypatch.setattr(
        services, "render_pdf", lambda template, context: Rendered(b"%PDF-1.7 fake", 1)
    )


def pdf_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])


def march_of(cadre, station):
    """March 2026 for ``cadre`` at ``station``: two weeks met, one missed, a visit, a problem
    published and one closed out, a task done late, points, and a frozen rank (2nd of 2)."""
    assignment = cadre.assignments.get()
    period_record(assignment, dt.date(2026, 3, 2), "met")
    period_record(assignment, dt.date(2026, 3, 9), "met", on_time=False)
    period_record(assignment, dt.date(2026, 3, 16), "missed")
    visit(assignment, dt.date(2026, 3, 3))
    published_problem(
        station, day=dt.date(2026, 3, 4), deadline=dt.date(2026, 4, 30), description="消防通道堵塞"
    )
    closed = published_problem(
        station,
        day=dt.date(2026, 2, 10),
        deadline=dt.date(2026, 3, 31),
        closed_on=dt.date(2026, 3, 20),
        description="值班室无人值守",
    )
    f.TaskFactory(
        problem=closed,
        title="安排值班表",
        due_date=dt.date(2026, 3, 10),
        done_on=dt.date(2026, 3, 12),
        done_by=closed.responsible,
        progress=100,
    )
    f.PointEntryFactory(cadre=cadre, code="visit_in_period", points=2, fact_day=dt.date(2026, 3, 3))
    f.PointEntryFactory(cadre=cadre, code="missed_period", points=-3, fact_day=dt.date(2026, 3, 22))
    leader_cadre = f.CadreFactory(bureau=cadre.bureau, tier=cadre.tier)
    freeze(MARCH, [(leader_cadre, "9", 1, 1, None), (cadre, "-1", 2, 2, station)])


# --- Periods (pure) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "quarter", "expected"),
    [
        ("", "", month_period(2026, 3)),
        ("2026-02", "", month_period(2026, 2)),
        ("2024-02", "", month_period(2024, 2)),  # 29 February
        ("", "2026-Q1", quarter_period(2026, 1)),
        ("", "2025q4", quarter_period(2025, 4)),
        ("2026-04", "", month_period(2026, 4)),  # the current month, still running
    ],
)
def test_a_report_covers_a_month_or_a_quarter_default_last_month(month, quarter, expected):
    assert parse_period(month=month, quarter=quarter, today=NOW.date()) == expected


@pytest.mark.parametrize(
    ("month", "quarter"),
    [("2026-13", ""), ("26-03", ""), ("2026-05", ""), ("", "2026-Q5"), ("2026-03", "2026-Q1")],
)
def test_a_bad_or_future_period_is_refused(month, quarter):
    with pytest.raises(ValueError):
        parse_period(month=month, quarter=quarter, today=NOW.date())


def test_a_stored_period_reads_back_as_the_same_month_or_quarter():
    q4 = quarter_period(2025, 4)
    assert period_of(q4.start, q4.end) == q4 and q4.months[-1] == dt.date(2025, 12, 1)
    feb = month_period(2024, 2)
    assert period_of(feb.start, feb.end) == feb and feb.end == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("due", "done", "state"),
    [
        (dt.date(2026, 3, 10), dt.date(2026, 3, 10), "on_time"),
        (dt.date(2026, 3, 10), dt.date(2026, 3, 11), "late"),
        (dt.date(2026, 4, 9), None, "overdue"),
        (dt.date(2026, 4, 10), None, "open"),
    ],
)
def test_a_task_is_done_on_time_late_overdue_or_open(due, done, state):
    assert task_state(due=due, done=done, today=NOW.date()) == state


# --- The cadre's report ---------------------------------------------------------------------


def test_the_cadre_pdf_prints_the_cadre_station_rank_and_a_code_that_verifies(
    client, org, personas, clock, tmp_path
):
    cadre = personas.cadre.cadre
    name(personas.cadre, "李", "明远")
    march_of(cadre, org.s_jiangan)
    client.force_login(personas.county_bureau)

    response = client.get(reverse("scoring:cadre-report", args=[cadre.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    compact = re.sub(r"\s+", "", text)
    for words in ["包联干部考核报告", "李明远", "江岸区公安分局", "大智派出所", "消防通道堵塞"]:
        assert words in compact
    assert "第2名" in compact  # the frozen rank of March
    assert "双向评议" in compact and "评价人数不足，暂不显示" in compact  # nobody rated
    assert "审核人" in compact
    assert "第1页" in compact
    assert pdf_pages(response.content, tmp_path) >= 1
    # The code printed on the page verifies, and the record holds the hash of these bytes.
    code = re.search(r"([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})", text)[1]
    issued = IssuedReport.objects.get()
    assert issued.display_code == code and issued.cadre == cadre
    assert issued.sha256 == digest(response.content)
    page = client.get(reverse("scoring:report-verify"), {"code": code.lower()})
    assert "李明远" in page.content.decode()


def test_the_cadre_report_counts_the_month_of_the_station_they_covered(org, personas):
    cadre = personas.cadre.cadre
    march_of(cadre, org.s_jiangan)
    # Another station's problem, and March of someone else: not in this cadre's report.
    published_problem(org.s_jiangan2, day=dt.date(2026, 3, 5), deadline=dt.date(2026, 4, 1))

    report = cadre_report(cadre=cadre, period=month_period(2026, 3), today=NOW.date())

    assert [(p.period_start.day, p.status) for p in report.periods] == [
        (2, "met"),
        (9, "met"),
        (16, "missed"),
    ]
    assert (report.compliance.required, report.compliance.met, report.compliance.rate) == (
        3,
        2,
        66.7,
    )
    assert (report.visits, report.unannounced) == (1, 1)
    assert [p.description for p in report.problems] == ["值班室无人值守", "消防通道堵塞"]
    assert (report.problems_raised, report.problems_closed) == (1, 1)
    assert [(t.task.title, t.state) for t in report.tasks] == [("安排值班表", "late")]
    assert [(p.code, p.points) for p in report.points] == [
        ("visit_in_period", Decimal(2)),
        ("missed_period", Decimal(-3)),
    ]
    assert report.points_total == Decimal(-1)
    (march,) = report.ranks
    assert march.frozen and march.rank.rank_in_tier == 2 and march.ranked_in_tier == 2
    (evaluation,) = report.evaluations.rows
    assert (evaluation.quarter, evaluation.state) == (dt.date(2026, 1, 1), "too_few")


def test_a_problem_raised_before_the_cadre_arrived_is_not_theirs(org):
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    f.AssignmentFactory(cadre=cadre, station=org.s_jiangan2, start_date=dt.date(2026, 3, 15))
    published_problem(org.s_jiangan2, day=dt.date(2026, 3, 10), deadline=dt.date(2026, 4, 1))
    late = published_problem(org.s_jiangan2, day=dt.date(2026, 3, 20), deadline=dt.date(2026, 4, 1))

    report = cadre_report(cadre=cadre, period=month_period(2026, 3), today=NOW.date())

    assert [p.pk for p in report.problems] == [late.pk]


def test_an_unfrozen_month_says_so_in_the_report(org, personas):
    report = cadre_report(
        cadre=personas.cadre.cadre, period=quarter_period(2026, 1), today=NOW.date()
    )
    assert [(line.month.month, line.frozen) for line in report.ranks] == [
        (1, False),
        (2, False),
        (3, False),
    ]
    context = services.pdf_context(
        title="t",
        subject="s",
        data=report,
        code="A" * 12,
        by=personas.admin,
        verify_url="/",
        now=NOW,
    )
    assert "未冻结" in render_to_string("scoring/pdf/cadre.html", context)


def test_the_cadre_pdf_prints_the_stations_evaluation_as_an_anonymous_aggregate(
    client, org, personas, clock, tmp_path
):
    seed_dimensions()
    cadre = personas.cadre.cadre
    assignment = cadre.assignments.get()
    raters = staff(org.s_jiangan, 3)
    rate(assignment, raters[0], [5, 4, 5, 4], quarter=Q1, comment="走访扎实，指导具体")
    rate(assignment, raters[1], [4, 4, 5, 5], quarter=Q1)
    rate(assignment, raters[2], [5, 3, 4, 5], quarter=Q1)
    client.force_login(personas.county_bureau)

    response = client.get(reverse("scoring:cadre-report", args=[cadre.pk]), {"quarter": "2026-Q1"})

    compact = re.sub(r"\s+", "", pdf_text(response.content))
    assert "双向评议" in compact and "派出所对包联干部的匿名评议" in compact
    for words in ["走访实效4.67", "问题发现3.67", "帮扶指导4.67", "工作作风4.67", "4.42"]:
        assert words in compact
    assert "走访扎实，指导具体" in compact
    assert "所长甲" not in compact and "评价人数不足" not in compact


@pytest.mark.parametrize("raters", [3, 50])
def test_the_cadre_report_evaluation_takes_the_same_queries_for_3_and_50_raters(
    org, personas, django_assert_num_queries, raters
):
    seed_dimensions()
    cadre = personas.cadre.cadre
    for rater in staff(org.s_jiangan, raters):
        rate(cadre.assignments.get(), rater, 5, quarter=Q1, comment=f"意见{rater.pk}")
    cadre = type(cadre).objects.select_related("user", "bureau").get(pk=cadre.pk)
    with django_assert_num_queries(11):
        report = cadre_report(cadre=cadre, period=quarter_period(2026, 1), today=NOW.date())
    (row,) = report.evaluations.rows
    assert (row.state, row.raters, len(row.comments)) == ("shown", raters, raters)


@pytest.mark.parametrize("months_of_data", [1, 12])
def test_the_cadre_report_data_takes_the_same_queries_however_much_history(
    org, personas, django_assert_num_queries, months_of_data
):
    cadre = personas.cadre.cadre
    assignment = cadre.assignments.get()
    for i in range(months_of_data):
        start = dt.date(2025, 4, 6) + dt.timedelta(weeks=4 * i)
        period_record(assignment, start, "met")
        published_problem(org.s_jiangan, day=start, deadline=start + dt.timedelta(days=20))
        f.PointEntryFactory(cadre=cadre, points=2, fact_day=start)
    cadre = type(cadre).objects.select_related("user", "bureau").get(pk=cadre.pk)
    # Eight, and three for the station's evaluation of the cadre.
    with django_assert_num_queries(11):
        cadre_report(
            cadre=cadre, period=parse_period(quarter="2026-Q1", today=NOW.date()), today=NOW.date()
        )


# --- The bureau's report --------------------------------------------------------------------


def _county_with_stations(org, count):
    """江汉区 with ``count`` more stations, each covered, with March's records, a problem
    and a frozen rank: the per-station questions must not cost a query per station."""
    ranks = []
    for i in range(count):
        station = f.StationFactory(bureau=org.jianghan)
        cadre = f.CadreFactory(bureau=org.jianghan, tier="county")
        assignment = f.AssignmentFactory(cadre=cadre, station=station)
        period_record(assignment, dt.date(2026, 3, 2), "met" if i % 2 else "missed")
        published_problem(station, day=dt.date(2026, 3, 5), deadline=dt.date(2026, 4, 1))
        ranks.append((cadre, str(i), i + 1, i + 1, station))
    freeze(MARCH, ranks)


@pytest.mark.parametrize("stations", [1, 50])
def test_the_bureau_report_data_takes_the_same_queries_for_1_and_50_stations(
    org, django_assert_num_queries, stations
):
    _county_with_stations(org, stations)
    # Eleven, and for issue 6: one for the staffing ratios, two for the five haves, two for
    # the secondments and three for station support and the opinion list.
    with django_assert_num_queries(19):
        report = bureau_report(bureau=org.jianghan, period=month_period(2026, 3), today=NOW.date())
    # 民族派出所 of the fixture, plus the new ones.
    assert len(report.stations) == stations + 1
    assert report.counters_period.collected == stations


def test_the_bureau_report_lists_the_top_and_bottom_ten_of_its_own_cadres(org):
    _county_with_stations(org, 25)
    # A cadre ranked first in another county is not in 江汉区's lists.
    outsider = f.CadreFactory(bureau=org.jiangan, tier="county")
    MonthlyRank.objects.create(
        ranking=RankingMonth.objects.get(),
        cadre=outsider,
        tier="county",
        station=org.s_jiangan,
        points=Decimal(99),
        rank_in_tier=1,
        rank_overall=1,
    )

    ranking = bureau_report(
        bureau=org.jianghan, period=month_period(2026, 3), today=NOW.date()
    ).ranking

    assert ranking.frozen and ranking.ranked == 25
    assert [r.rank_overall for r in ranking.top] == list(range(1, RANKING_EDGE + 1))
    assert [r.rank_overall for r in ranking.bottom] == list(range(16, 26))
    # Place within the bureau: by points, highest first (points were 0..24).
    assert ranking.top[0].place == 25 - 0 and ranking.bottom[-1].place == 1


def test_the_bureau_report_counts_each_station_of_the_county(org, personas):
    march_of(personas.cadre.cadre, org.s_jiangan)

    report = bureau_report(bureau=org.jiangan, period=month_period(2026, 3), today=NOW.date())

    assert (report.split.total, report.split.covered, report.split.uncovered) == (2, 1, 1)
    assert report.compliance.level == "station"
    assert report.compliance.total.required == 3
    lines = {s.name: s for s in report.stations}
    dazhi, qiuchang = lines["大智派出所"], lines["球场派出所"]
    assert dazhi.cadre == str(personas.cadre) and dazhi.tier == "county"
    assert (dazhi.compliance.met, dazhi.compliance.required) == (2, 3)
    assert (dazhi.collected, dazhi.solved, dazhi.open) == (1, 1, 1)
    assert qiuchang.cadre == "" and qiuchang.compliance.required == 0
    assert report.counters_all.collected == 2 and report.counters_all.solved == 1
    # The rival ranked first was at no station: within 江岸区 the cadre is first.
    assert [(r.cadre, r.place, r.rank_overall) for r in report.ranking.top] == [
        (str(personas.cadre), 1, 2)
    ]


def test_a_county_pdf_prints_a_row_per_station_and_the_ranking(
    client, org, personas, clock, tmp_path
):
    name(personas.cadre, "李", "明远")
    march_of(personas.cadre.cadre, org.s_jiangan)
    client.force_login(personas.leader)

    response = client.get(reverse("scoring:bureau-report", args=[org.jiangan.code]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    compact = re.sub(r"\s+", "", pdf_text(response.content))
    for words in [
        "公安机关考核报告",
        "江岸区公安分局",
        "大智派出所",
        "球场派出所",
        "未包联",
        "李明远",
        "前10名",
    ]:
        assert words in compact
    assert "第1页" in compact
    assert IssuedReport.objects.get().bureau == org.jiangan


def test_a_city_pdf_prints_the_two_40_percent_ratios_of_the_city_and_its_counties(
    client, org, personas, clock, tmp_path
):
    """March's report: each county's latest figures on or before 31 March, the city's ratios
    from the sums of the counts, shortfalls marked."""
    march_end = dt.date(2026, 3, 31)
    f.StaffingReturnFactory(
        bureau=org.jiangan,
        as_of=march_end,
        police_total=200,
        station_police=100,
        community_police=50,
    )
    f.StaffingReturnFactory(
        bureau=org.jianghan,
        as_of=march_end,
        police_total=300,
        station_police=90,
        community_police=40,
    )
    f.StaffingReturnFactory(  # after the report's month: not counted
        bureau=org.jianghan,
        as_of=dt.date(2026, 4, 1),
        police_total=300,
        station_police=200,
        community_police=100,
    )
    client.force_login(personas.city_bureau)

    response = client.get(reverse("scoring:bureau-report", args=[org.wuhan.code]))

    compact = re.sub(r"\s+", "", pdf_text(response.content))
    assert "两个40%" in compact
    assert "派出所警力占比38.0%不足40%" in compact  # 190 of 500
    assert "社区民警占比47.3%" in compact and "已填报的县级公安机关2/2" in compact
    assert "江岸区公安分局2001005050.0%50.0%2026-03-31" in compact
    assert "江汉区公安分局300904030.0%不足40%44.4%2026-03-31" in compact


# --- Large bureau reports render in the background ------------------------------------------


def test_a_large_bureau_report_renders_in_the_background_with_progress_and_a_download(
    client, org, personas, clock, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SCORING_REPORT_BACKGROUND_STATIONS = 2  # 武汉 has 3 stations
    client.force_login(personas.city_bureau)
    url = reverse("scoring:bureau-report", args=[org.wuhan.code])

    page = client.get(url, {"month": "2026-03"})
    assert page.status_code == 200 and "在后台生成" in page.content.decode()
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(url, {"month": "2026-03"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:report-job", args=[job.pk])
    assert (job.status, job.progress, job.period_start) == ("queued", 0, MARCH)
    assert len(enqueued) == 1  # the task, sent after commit

    # Asking again while it waits joins the same job.
    client.post(url, {"month": "2026-03"})
    assert ReportJob.objects.count() == 1

    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    body = poll.content.decode()
    assert 'hx-trigger="every 2s"' in body and "<html" not in body
    assert poll["Vary"] and "HX-Request" in poll["Vary"]

    assert tasks.render_report_job.apply(args=[job.pk]).get() == "done"
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100) and job.report is not None

    done = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in done  # polling stops
    download_url = reverse("scoring:report-job-download", args=[job.pk])
    assert download_url in done
    download = client.get(download_url)
    pdf = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert digest(pdf) == job.report.sha256
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert "公安机关考核报告" in text and "武汉市公安局" in text

    # Running the task again changes nothing.
    assert tasks.render_report_job.apply(args=[job.pk]).get() == "done"
    assert IssuedReport.objects.count() == 1


def test_a_failing_job_says_so_and_can_be_asked_for_again(
    client, org, personas, clock, settings, monkeypatch
):
    settings.SCORING_REPORT_BACKGROUND_STATIONS = 2
    client.force_login(personas.city_bureau)
    url = reverse("scoring:bureau-report", args=[org.wuhan.code])
    client.post(url, {"month": "2026-03"})
    job = ReportJob.objects.get()

    def broken(**kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(services, "draft_bureau_report", broken)
    assert services.run_report_job(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "font missing" in job.error and not job.file
    page = client.get(reverse("scoring:report-job", args=[job.pk])).content.decode()
    assert "报告生成失败" in page and "every 2s" not in page

    client.post(url, {"month": "2026-03"})
    assert ReportJob.objects.filter(status="queued").count() == 1


def test_a_job_that_cannot_be_queued_fails_at_once_instead_of_hanging(
    client, org, personas, clock, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SCORING_REPORT_BACKGROUND_STATIONS = 2

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(tasks.render_report_job, "apply_async", broker_down)
    client.force_login(personas.city_bureau)
    url = reverse("scoring:bureau-report", args=[org.wuhan.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"month": "2026-03"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == "failed" and "任务队列" in job.error
    page = client.get(response["Location"]).content.decode()
    assert "报告生成失败" in page and "every 2s" not in page


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-13"}, "月份格式应为 YYYY-MM"),
        ({"month": "2026-05"}, "该期间尚未开始"),
        ({"quarter": "2026-Q7"}, "季度格式应为 YYYY-Qn"),
    ],
)
def test_a_bad_period_gets_a_chinese_message_and_issues_nothing(
    client, personas, clock, params, message
):
    client.force_login(personas.cadre)
    response = client.get(reverse("scoring:cadre-report", args=[personas.cadre.cadre.pk]), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IssuedReport.objects.exists()


# --- Who may open which report --------------------------------------------------------------

# (persona, may open 大智派出所's cadre's report, may open 江岸区's report)
ACCESS = [
    ("admin", 200, 200),
    ("province_bureau", 200, 200),
    ("city_bureau", 200, 200),
    ("county_bureau", 200, 200),
    ("leader", 200, 200),
    ("other_city_bureau", 404, 404),
    ("other_province_bureau", 404, 404),
    ("cadre", 200, 403),  # their own report only
    ("station", 403, 403),  # station staff read no assessment reports
]


@pytest.mark.parametrize(("persona", "cadre_status", "bureau_status"), ACCESS)
def test_reports_open_by_role_and_scope(
    client, org, personas, clock, fake_render, persona, cadre_status, bureau_status
):
    client.force_login(getattr(personas, persona))
    cadre_url = reverse("scoring:cadre-report", args=[personas.cadre.cadre.pk])
    bureau_url = reverse("scoring:bureau-report", args=[org.jiangan.code])
    assert client.get(cadre_url).status_code == cadre_status
    assert client.get(bureau_url).status_code == bureau_status


def test_a_cadre_cannot_open_another_cadres_report(client, org, personas, fake_render):
    other = f.CadreFactory(bureau=org.jiangan, tier="county")
    client.force_login(personas.cadre)
    assert client.get(reverse("scoring:cadre-report", args=[other.pk])).status_code == 404


def test_a_city_sees_the_report_of_a_provincial_cadre_covering_one_of_its_stations(
    client, org, personas, fake_render
):
    provincial = f.CadreFactory(bureau=org.hubei, tier="province")
    f.AssignmentFactory(cadre=provincial, station=org.s_jiangan2)
    url = reverse("scoring:cadre-report", args=[provincial.pk])
    client.force_login(personas.city_bureau)
    assert client.get(url).status_code == 200
    client.force_login(personas.other_city_bureau)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("city_bureau", 200),
        ("leader", 200),
        ("province_bureau", 200),
        ("other_city_bureau", 404),
        ("cadre", 403),
        ("station", 403),
    ],
)
def test_a_report_job_is_seen_by_whoever_may_open_the_bureaus_report(
    client, org, personas, persona, expected
):
    job = ReportJob.objects.create(
        bureau=org.wuhan,
        period_start=MARCH,
        period_end=dt.date(2026, 3, 31),
        verify_url="http://testserver/scoring/reports/verify/",
        requested_by=personas.city_bureau,
    )
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("scoring:report-job", args=[job.pk])).status_code == expected
    # Nothing to download before it is done.
    download = client.get(reverse("scoring:report-job-download", args=[job.pk]))
    assert download.status_code == (404 if expected == 200 else expected)


def test_the_bureau_pdf_has_a_five_haves_section(client, org, personas, clock, tmp_path):
    audit_station(org.s_jiangan, by=personas.county_bureau, unmet=["you-reshui"])
    audit_station(org.s_jiangan2, by=personas.county_bureau)
    audit_station(org.s_jianghan, by=personas.city_bureau)  # another county: not counted
    client.force_login(personas.leader)

    response = client.get(reverse("scoring:bureau-report", args=[org.jiangan.code]))

    compact = re.sub(r"\s+", "", pdf_text(response.content))
    assert "五有达标情况" in compact
    # 1 of the county's 2 stations meets the standard, both audited; hot water fails once.
    assert "五有达标派出所1/已检查2/启用的派出所2" in compact
    assert "有热水" in compact and "1个未达标" in compact
