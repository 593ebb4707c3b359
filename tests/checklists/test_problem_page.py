"""The problem page: who sees what, the action forms (plain POST and htmx), the fresh
state after a concurrent change, evidence served in scope only, and the full history."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from checklists.models import Problem, Result, ResultEvidence, Task
from checklists.services import lists as services
from tests import factories as f
from tests.checklists.conftest import image_bytes
from tests.checklists.lists_data import (
    category,
    draft,
    fresh,
    pdf_bytes,
    published,
    ready_to_close,
    submitted,
    task,
    verified,
)

HX = {"HX-Request": "true"}


def _url(name, problem, *more):
    return reverse(f"checklists:{name}", args=[problem.pk, *more])


def _page(client, problem) -> str:
    response = client.get(_url("problem-detail", problem))
    assert response.status_code == 200
    return response.content.decode()


# --- raising a problem ----------------------------------------------------------------------


def test_bureau_staff_raise_a_draft_for_a_station_in_scope(login, org, personas, frozen):
    client = login(personas.city_bureau)
    page = client.get(reverse("checklists:problem-new")).content.decode()
    assert "民族派出所" in page and "西陵派出所" not in page  # Wuhan's stations only
    response = client.post(
        reverse("checklists:problem-new"),
        {"station": org.s_jianghan.pk, "category": category().pk, "description": "监控损坏"},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("problem-detail", problem)
    assert (problem.status, problem.station, problem.raised_by) == (
        "draft",
        org.s_jianghan,
        personas.city_bureau,
    )
    assert "已保存为草稿" in client.get(response["Location"]).content.decode()


def test_raising_with_bad_input_is_refused_in_chinese_and_writes_nothing(
    login, org, personas, frozen
):
    client = login(personas.city_bureau)
    response = client.post(
        reverse("checklists:problem-new"),
        {"station": org.s_xiling.pk, "category": "", "description": " "},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "请为该问题选择类别" in page and "请描述该问题" in page and "选择一个有效的选项" in page
    assert not Problem.objects.exists()


def test_the_cadre_raises_for_their_own_station_only(login, org, personas, frozen):
    page = login(personas.cadre).get(reverse("checklists:problem-new")).content.decode()
    assert "大智派出所" in page and "球场派出所" not in page


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("county_bureau", 200),
        ("province_bureau", 200),
        ("admin", 200),
        ("cadre", 200),  # raised it
        ("station", 404),
        ("leader", 404),
        ("other_city_bureau", 404),
    ],
)
def test_a_draft_is_seen_by_managers_in_scope_and_its_raiser_only(
    login, org, personas, frozen, persona, expected
):
    problem = draft(org, personas)
    response = login(getattr(personas, persona)).get(_url("problem-detail", problem))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("station", 200),
        ("leader", 200),
        ("cadre", 200),
        ("city_bureau", 200),
        ("other_city_bureau", 404),
        ("other_province_bureau", 404),
    ],
)
def test_a_published_problem_is_seen_by_everyone_in_scope(
    login, org, personas, frozen, persona, expected
):
    problem = published(org, personas)
    response = login(getattr(personas, persona)).get(_url("problem-detail", problem))
    assert response.status_code == expected


def test_the_page_shows_the_problem_its_tasks_and_results(login, org, personas, frozen):
    problem = published(org, personas)
    task(problem, personas.county_bureau, assignee=personas.station, title="更换灭火器")
    photo = SimpleUploadedFile("现场.jpg", image_bytes(), content_type="image/jpeg")
    report = SimpleUploadedFile("报告.pdf", pdf_bytes(), content_type="application/pdf")
    submitted(problem, personas.station, "已更换全部灭火器", files=[photo, report])
    page = _page(login(personas.leader), problem)
    for text in ["灭火器过期未更换", "整改中", "2026-12-18", "更换灭火器", "已更换全部灭火器"]:
        assert text in page
    assert f"420000-2026-{problem.pk:06d}" in page and "报告.pdf" in page
    for item in ResultEvidence.objects.all():
        assert reverse("checklists:evidence", args=[item.pk]) in page
    assert "/media/" not in page


def test_the_browser_never_shows_a_stale_problem_page_on_back(login, org, personas, frozen):
    response = login(personas.leader).get(_url("problem-detail", published(org, personas)))
    assert "no-store" in response["Cache-Control"]


def test_the_overdue_badge_shows_on_the_problem_and_the_task(login, org, personas, frozen):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    Problem.objects.filter(pk=problem.pk).update(overdue_since=dt.date(2026, 11, 17))
    Task.objects.filter(pk=t.pk).update(overdue_since=dt.date(2026, 11, 17))
    page = _page(login(personas.station), problem)
    assert page.count('class="badge overdue"') == 2 and "自 2026-11-17" in page


def test_an_escalated_problem_says_so_until_it_is_closed_out(login, org, personas, frozen):
    problem = ready_to_close(org, personas)
    Problem.objects.filter(pk=problem.pk).update(
        overdue_since=dt.date(2026, 11, 10), escalated_on=dt.date(2026, 11, 16)
    )
    client = login(personas.city_bureau)
    assert "已于 2026-11-16 提级督办" in _page(client, problem)

    problem = fresh(problem)
    client.post(_url("problem-close", problem), {"version": problem.version})
    assert fresh(problem).status == "closed"
    assert "提级督办" not in _page(client, problem)


def test_the_result_form_asks_what_the_rectification_changed(login, org, personas, frozen):
    problem = published(org, personas)
    page = _page(login(personas.station), problem)
    form = page.split('id="problem-results"', 1)[1]
    assert "整改效果" in form and "修改内容" not in form.split("</form>", 1)[0]


def test_the_progress_form_says_what_its_text_box_is_for(login, org, personas, frozen):
    problem = published(org, personas)
    task(problem, personas.county_bureau, assignee=personas.station)
    page = _page(login(personas.station), problem)
    assert 'placeholder="进展说明"' in page.split('id="task-table"', 1)[1]


def test_the_result_form_speaks_the_language_chosen(client, org, personas, frozen):
    problem = published(org, personas)
    client.force_login(personas.station)
    assert "最多 6 个 JPEG、PNG 照片或 PDF 文件" in _page(client, problem)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = _page(client, problem)
    assert "Up to 6 JPEG or PNG photos or PDF documents, 10 MB each." in page
    assert "What changed" in page and "最多" not in page


def test_a_leader_reads_but_sees_no_form_and_cannot_post(login, org, personas, frozen):
    problem = ready_to_close(org, personas)
    t = problem.tasks.get()
    result = problem.results.get()
    client = login(personas.leader)
    page = _page(client, problem)
    assert '<form method="post" action="/checklists/problems' not in page
    assert "hx-post" not in page
    for url in [
        _url("problem-publish", problem),
        _url("problem-edit", problem),
        _url("problem-tasks", problem),
        _url("problem-close", problem),
        _url("problem-reopen", problem),
        _url("result-submit", problem),
        _url("result-verify", problem, result.pk),
        _url("task-progress", problem, t.pk),
        _url("task-done", problem, t.pk),
    ]:
        assert client.post(url, {"version": problem.version}).status_code == 403, url
    assert fresh(problem).status == "in_rectification"


def test_each_person_sees_the_forms_they_may_use(login, org, personas, frozen):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    station_page = _page(login(personas.station), problem)
    assert _url("task-progress", problem, t.pk) in station_page
    assert _url("result-submit", problem) in station_page
    assert _url("problem-edit", problem) not in station_page
    assert f'action="{_url("problem-tasks", problem)}"' not in station_page
    office_page = _page(login(personas.county_bureau), problem)
    assert _url("problem-edit", problem) in office_page
    assert f'action="{_url("problem-tasks", problem)}"' in office_page
    assert _url("task-progress", problem, t.pk) not in office_page
    assert _url("result-submit", problem) not in office_page
    assert "有任务尚未完成" in office_page  # why it cannot be closed out yet


def test_bureau_staff_out_of_scope_get_404_on_every_action(login, org, personas, frozen):
    problem = ready_to_close(org, personas)
    client = login(personas.other_city_bureau)
    assert client.post(_url("problem-close", problem), {"version": 1}).status_code == 404
    assert client.post(_url("problem-edit", problem), {}).status_code == 404
    evidence = submitted(
        problem,
        personas.station,
        files=[SimpleUploadedFile("r.pdf", pdf_bytes(), content_type="application/pdf")],
    )
    item = evidence.evidence.get()
    assert client.get(reverse("checklists:evidence", args=[item.pk])).status_code == 404


# --- actions --------------------------------------------------------------------------------


def test_publishing_with_a_plain_post_redirects_to_the_published_page(login, org, personas, frozen):
    problem = draft(org, personas)
    client = login(personas.county_bureau)
    response = client.post(
        _url("problem-publish", problem),
        {"responsible": personas.station.pk, "deadline": "2026-12-18", "version": 1},
    )
    assert response.status_code == 302
    assert response["Location"] == _url("problem-detail", problem) + "#problem-summary"
    page = client.get(response["Location"]).content.decode()
    assert "问题已发布" in page and "已发布" in page
    assert fresh(problem).status == "published"


def test_publishing_with_htmx_swaps_the_summary_and_the_other_sections_out_of_band(
    login, org, personas, frozen
):
    problem = draft(org, personas)
    response = login(personas.county_bureau).post(
        _url("problem-publish", problem),
        {"responsible": personas.station.pk, "deadline": "2026-12-18", "version": 1},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert body.lstrip().startswith('<section id="problem-summary" class="card">')
    assert "<html" not in body and "问题已发布" in body
    for section in ["problem-tasks", "problem-results", "problem-history"]:
        assert f'<section id="{section}" class="card" hx-swap-oob="true">' in body
    assert _url("problem-tasks", problem) in body  # the add-tasks form appeared


def test_a_bad_deadline_is_refused_in_chinese_and_nothing_is_written(login, org, personas, frozen):
    problem = draft(org, personas)
    client = login(personas.county_bureau)
    response = client.post(
        _url("problem-publish", problem),
        {"responsible": personas.station.pk, "deadline": "2026-11-01", "version": 1},
    )
    assert response.status_code == 400
    assert "完成时限不能早于今天" in response.content.decode()
    missing = client.post(_url("problem-publish", problem), {"version": 1})
    assert (
        "请指定责任人" in missing.content.decode() and "请填写完成时限" in missing.content.decode()
    )
    assert fresh(problem).status == "draft" and fresh(problem).history.count() == 1


def test_a_stale_form_shows_the_message_and_the_fresh_state(login, org, personas, frozen):
    problem = published(org, personas)
    seen = problem.version
    services.update_problem(
        problem=problem,
        by=personas.city_bureau,
        version=seen,
        deadline=dt.date(2026, 12, 25),
        now=dt.datetime.now(dt.UTC),
    )
    client = login(personas.county_bureau)
    data = {"responsible": personas.station.pk, "deadline": "2026-12-31", "version": seen}
    response = client.post(_url("problem-edit", problem), data, headers=HX)
    body = response.content.decode()
    assert "该问题已被他人更新，以下为最新状态，请核对后重试" in body
    assert 'id="problem-deadline">2026-12-25<' in body  # the fresh state, not the form's
    plain = client.post(_url("problem-edit", problem), data, follow=True)
    page = plain.content.decode()
    assert "该问题已被他人更新" in page and 'id="problem-deadline">2026-12-25<' in page
    assert fresh(problem).deadline == dt.date(2026, 12, 25)


def _task_rows(**rows):
    data = {
        "tasks-TOTAL_FORMS": "5",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "5",
    }
    for key, value in rows.items():
        data[key] = value
    return data


def test_the_office_adds_tasks_and_a_late_due_date_is_refused(login, org, personas, frozen):
    problem = published(org, personas)
    client = login(personas.county_bureau)
    late = _task_rows(
        **{
            "tasks-0-title": "更换灭火器",
            "tasks-0-assignee": personas.station.pk,
            "tasks-0-due_date": "2026-12-19",
        }
    )
    response = client.post(_url("problem-tasks", problem), late)
    assert response.status_code == 400
    assert "任务截止日期不能晚于问题的完成时限（2026-12-18）" in response.content.decode()
    assert not Task.objects.exists()
    ok = dict(late, **{"tasks-0-due_date": "2026-12-10", "tasks-1-title": "复查"})
    ok |= {"tasks-1-assignee": personas.county_bureau.pk, "tasks-1-due_date": "2026-12-18"}
    response = client.post(_url("problem-tasks", problem), ok, headers=HX)
    assert response.status_code == 200 and "任务已添加" in response.content.decode()
    assert list(Task.objects.values_list("title", "due_date")) == [
        ("更换灭火器", dt.date(2026, 12, 10)),
        ("复查", dt.date(2026, 12, 18)),
    ]


def test_a_task_row_without_an_assignee_is_refused(login, org, personas, frozen):
    problem = published(org, personas)
    response = login(personas.county_bureau).post(
        _url("problem-tasks", problem),
        _task_rows(**{"tasks-0-title": "更换灭火器", "tasks-0-due_date": "2026-12-10"}),
    )
    assert response.status_code == 400 and "请选择任务承办人" in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize("htmx", [True, False])
def test_plan_backwards_proposes_working_day_dates_without_saving(
    login, org, personas, frozen, htmx
):
    problem = published(org, personas)
    rows = _task_rows(**{"tasks-0-title": "排查", "tasks-1-title": "整改", "tasks-2-title": "验收"})
    rows["plan"] = "1"
    response = login(personas.county_bureau).post(
        _url("problem-tasks", problem), rows, headers=HX if htmx else {}
    )
    body = response.content.decode()
    assert response.status_code == 200
    for i, day in enumerate(["2026-11-27", "2026-12-08", "2026-12-18"]):
        assert f'name="tasks-{i}-due_date" value="{day}"' in body
    assert "请核对后保存" in body
    assert not Task.objects.exists()
    assert ("<html" in body) is not htmx


def test_the_station_reports_progress_and_marks_a_task_done(login, org, personas, frozen):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    client = login(personas.station)
    response = client.post(
        _url("task-progress", problem, t.pk),
        {f"task-{t.pk}-progress": "60", f"task-{t.pk}-note": "已采购", f"task-{t.pk}-version": 1},
        headers=HX,
    )
    assert response.status_code == 200 and "60%" in response.content.decode()
    assert "整改中" in response.content.decode()  # the summary, out of band
    bad = client.post(
        _url("task-progress", problem, t.pk),
        {f"task-{t.pk}-progress": "150", f"task-{t.pk}-version": 2},
    )
    assert bad.status_code == 400 and "进度为 0 至 100 的百分数" in bad.content.decode()
    done = client.post(_url("task-done", problem, t.pk), {f"done-{t.pk}-version": 2})
    assert done.status_code == 302
    t = fresh(t)
    assert t.done_on == dt.date(2026, 11, 18) and t.done_by == personas.station


def test_another_station_cannot_touch_the_task(login, org, personas, frozen):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    outsider = f.UserFactory(role="station", bureau=None, station=org.s_jiangan2)
    response = login(outsider).post(_url("task-done", problem, t.pk), {f"done-{t.pk}-version": 1})
    assert response.status_code == 404
    bureau = login(personas.city_bureau).post(
        _url("task-done", problem, t.pk), {f"done-{t.pk}-version": 1}
    )
    assert bureau.status_code == 403
    assert not fresh(t).is_done


def test_the_station_submits_a_result_with_evidence(login, org, personas, frozen):
    problem = published(org, personas)
    client = login(personas.station)
    photo = SimpleUploadedFile("现场.png", image_bytes("PNG"), content_type="image/png")
    response = client.post(
        _url("result-submit", problem), {"what_changed": "已整改完毕", "files": [photo]}
    )
    assert response.status_code == 302
    result = Result.objects.get()
    item = result.evidence.get()
    served = client.get(reverse("checklists:evidence", args=[item.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).format == "PNG"
    report = SimpleUploadedFile("整改报告.pdf", pdf_bytes(), content_type="application/pdf")
    pdf = submitted(problem, personas.station, files=[report]).evidence.get()
    served = client.get(reverse("checklists:evidence", args=[pdf.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == pdf_bytes()
    assert "filename*=UTF-8''%E6%95%B4" in served["Content-Disposition"]


def test_a_fake_evidence_file_is_refused_in_chinese(login, org, personas, frozen):
    problem = published(org, personas)
    fake = SimpleUploadedFile("报告.pdf", b"just text", content_type="application/pdf")
    response = login(personas.station).post(
        _url("result-submit", problem), {"what_changed": "已整改", "files": [fake]}
    )
    assert response.status_code == 400
    assert "报告.pdf 不是 JPEG 或 PNG 照片，也不是 PDF 文件" in response.content.decode()
    assert not Result.objects.exists()


def test_verifying_and_closing_out_through_the_page(login, org, personas, frozen):
    problem = published(org, personas)
    t = task(problem, personas.county_bureau, assignee=personas.station)
    services.complete_task(task=t, by=personas.station, version=1, now=dt.datetime.now(dt.UTC))
    result = submitted(problem, personas.station)
    client = login(personas.county_bureau)
    page = _page(client, problem)
    assert "等待核验" in page and "该问题的效果尚待核验" in page
    response = client.post(
        _url("result-verify", problem, result.pk),
        {f"result-{result.pk}-rating": "good", f"result-{result.pk}-version": 1},
        headers=HX,
    )
    assert response.status_code == 200 and "良好" in response.content.decode()
    problem = fresh(problem)
    response = client.post(_url("problem-close", problem), {"version": problem.version})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已销号" in page and _url("problem-reopen", problem) in page


def test_the_submitter_sees_that_a_colleague_must_verify(login, org, personas, frozen):
    problem = published(org, personas, responsible=personas.county_bureau)
    result = submitted(problem, personas.county_bureau)
    client = login(personas.county_bureau)
    page = _page(client, problem)
    assert _url("result-verify", problem, result.pk) not in page
    assert "您提交了此效果，须由其他同事核验" in page
    response = client.post(
        _url("result-verify", problem, result.pk),
        {f"result-{result.pk}-rating": "good", f"result-{result.pk}-version": 1},
    )
    assert response.status_code == 400 and "不能核验自己提交的效果" in response.content.decode()
    assert not fresh(result).is_verified


def test_reopening_through_the_page_needs_a_reason(login, org, personas, frozen):
    problem = ready_to_close(org, personas)
    problem = services.close_out(
        problem=problem,
        by=personas.city_bureau,
        version=problem.version,
        now=dt.datetime.now(dt.UTC),
    )
    client = login(personas.city_bureau)
    empty = client.post(_url("problem-reopen", problem), {"reason": "", "version": problem.version})
    assert empty.status_code == 400 and "请填写重新打开的原因" in empty.content.decode()
    response = client.post(
        _url("problem-reopen", problem),
        {"reason": "群众反映仍有隐患", "version": problem.version},
        headers=HX,
    )
    assert response.status_code == 200 and "问题已重新打开" in response.content.decode()
    assert fresh(problem).status == "in_rectification"


# --- history and query count ----------------------------------------------------------------


def test_the_full_history_is_shown_newest_first_in_chinese(login, org, personas, frozen):
    problem = ready_to_close(org, personas)
    services.update_problem(
        problem=problem,
        by=personas.county_bureau,
        version=problem.version,
        deadline=dt.date(2026, 12, 28),
        now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    )
    page = _page(login(personas.station), problem)
    history = page[page.index('id="problem-history"') :]
    order = [
        "问题已修改",
        "效果已核验",
        "效果已提交",
        "开始整改",
        "任务已办结",
        "任务已添加",
        "问题已发布",
        "问题已提出",
    ]
    positions = [history.index(label) for label in order]
    assert positions == sorted(positions)
    assert "<strong>完成时限</strong>: 2026-12-18 → 2026-12-28" in history
    assert "<strong>状态</strong>: 草稿 → 已发布" in history
    assert "<strong>评价等级</strong>: — → 良好" in history
    assert "<strong>进度（%）</strong>: 0% → 100%" in history
    assert str(personas.county_bureau) in history and str(personas.station) in history


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["county_bureau", "station", "cadre"])
def test_the_page_costs_the_same_queries_with_1_and_30_tasks(
    login, org, personas, frozen, django_assert_num_queries, persona
):
    problem = published(org, personas)
    task(problem, personas.county_bureau, assignee=personas.station)
    verified(submitted(problem, personas.station), personas.county_bureau)
    client = login(getattr(personas, persona))
    url = _url("problem-detail", problem)
    one = _queries(client, url)
    for i in range(29):
        t = task(problem, personas.county_bureau, assignee=personas.county_bureau, title=f"任务{i}")
        services.update_task(
            task=t,
            by=personas.county_bureau,
            version=1,
            progress=10,
            note="",
            now=dt.datetime.now(dt.UTC),
        )
    submitted(problem, personas.station, "第二次")
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200


def test_administrators_see_tasks_and_results_with_their_history(login, org, personas, frozen):
    problem = ready_to_close(org, personas)
    client = login(personas.admin)
    t, result = problem.tasks.get(), problem.results.get()
    for model, pk in [("task", t.pk), ("result", result.pk)]:
        assert client.get(reverse(f"admin:checklists_{model}_changelist")).status_code == 200
        assert (
            client.get(reverse(f"admin:checklists_{model}_history", args=[pk])).status_code == 200
        )
