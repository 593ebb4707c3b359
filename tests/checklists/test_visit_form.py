"""The cadre's visit form: checklists, attestations, problems raised on the spot, position."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from checklists.models import ChecklistItem, Problem, ProblemCategory, ProblemStatus
from liaison.models import Visit
from tests import factories as f
from tests.checklists.conftest import NOW, form_data

URL = reverse("checklists:visit-new")


def _category(code="fire-safety"):
    return ProblemCategory.objects.get(code=code)


def _nothing_written():
    return Visit.objects.count() == 0 and Problem.objects.count() == 0


def test_cadre_sees_the_form_with_the_six_attestations_and_the_checklists(login, personas, frozen):
    page = login(personas.cadre).get(URL).content.decode()
    for wording in ["不发通知", "不打招呼", "不听汇报", "不用陪同接待", "直奔基层", "直插现场"]:
        assert wording in page
    assert "只有六项全部勾选" in page
    assert "接处警" in page and "开展一次谈心谈话" in page and "消防和安全隐患" in page
    assert 'value="2026-11-18"' in page and 'value="10:00"' in page  # now, local time


def test_a_retired_checklist_item_is_not_offered(login, personas, frozen):
    ChecklistItem.objects.filter(code="zuotanhui").update(active=False)
    assert "召开一次座谈会" not in login(personas.cadre).get(URL).content.decode()


def test_logging_a_visit_with_checklist_and_one_problem(login, personas, org, frozen):
    client = login(personas.cadre)
    data = form_data(
        inspected=["jiechujing", "banan-changsuo"],
        activities=["tanxin-tanhua"],
        findings="值班记录不全",
        problems=[(_category().pk, "灭火器过期")],
    )
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    visit = Visit.objects.get()
    assert visit.unannounced and visit.station == org.s_jiangan
    assert visit.logged_at == NOW and visit.visited_at == NOW - dt.timedelta(hours=1)
    assert visit.inspected == [
        {"code": "jiechujing", "label": "接处警"},
        {"code": "banan-changsuo", "label": "执法办案场所"},
    ]
    assert visit.activities == [{"code": "tanxin-tanhua", "label": "开展一次谈心谈话"}]
    assert visit.findings == "值班记录不全"
    problem = Problem.objects.get()
    assert (problem.station, problem.source_visit, problem.raised_by) == (
        org.s_jiangan,
        visit,
        personas.cadre,
    )
    assert problem.status == ProblemStatus.DRAFT and problem.description == "灭火器过期"
    assert problem.history.count() == 1
    assert "您的走访已登记" in client.get(reverse("home")).content.decode()


def test_empty_problem_rows_are_ignored(login, personas, frozen):
    login(personas.cadre).post(URL, form_data(problems=[("", ""), (_category().pk, "漏水")]))
    assert list(Problem.objects.values_list("description", flat=True)) == ["漏水"]


def test_a_problem_without_a_category_is_refused_and_nothing_is_written(login, personas, frozen):
    response = login(personas.cadre).post(URL, form_data(problems=[("", "灭火器过期")]))
    assert response.status_code == 200
    assert "请为该问题选择类别" in response.content.decode()
    assert _nothing_written()


def test_a_visit_with_all_six_attestations_is_unannounced(login, personas, frozen):
    login(personas.cadre).post(URL, form_data())
    assert Visit.objects.get().unannounced


def test_a_visit_missing_one_attestation_is_logged_but_does_not_count(login, personas, frozen):
    client = login(personas.cadre)
    client.post(URL, form_data(six=["no_notice", "no_greeting", "no_report", "no_escort"]))
    visit = Visit.objects.get()
    assert not visit.unannounced and visit.no_notice and not visit.straight_to_scene
    assert "尚未达标" in client.get(reverse("home")).content.decode()


def test_a_future_visit_is_refused_in_chinese_and_nothing_is_written(login, personas, frozen):
    response = login(personas.cadre).post(
        URL, form_data(NOW + dt.timedelta(hours=2), problems=[(_category().pk, "灭火器过期")])
    )
    assert response.status_code == 200
    assert "走访时间不能晚于当前时间" in response.content.decode()
    assert _nothing_written()


def test_a_visit_older_than_the_window_is_refused_in_chinese(login, personas, frozen, settings):
    settings.LIAISON_BACKDATE_DAYS = 7
    response = login(personas.cadre).post(
        URL, form_data(NOW - dt.timedelta(days=8), problems=[(_category().pk, "灭火器过期")])
    )
    assert "走访须在发生后 7 天内登记" in response.content.decode()
    assert _nothing_written()


def test_a_missing_date_is_refused_in_chinese(login, personas, frozen):
    response = login(personas.cadre).post(URL, form_data(visited_at_0="", visited_at_1=""))
    assert "请填写走访的日期和时间" in response.content.decode()
    assert _nothing_written()


def test_the_browser_position_gives_the_distance_and_the_far_flag(login, personas, org, frozen):
    org.s_jiangan.latitude, org.s_jiangan.longitude = Decimal("30.600000"), Decimal("114.300000")
    org.s_jiangan.save()
    client = login(personas.cadre)
    client.post(URL, form_data(latitude="30.650000", longitude="114.300000", accuracy="30"))
    visit = Visit.objects.get()
    assert visit.accuracy_m == 30 and 5500 < visit.distance_m < 5600 and visit.far_from_station
    page = client.get(reverse("checklists:visit-detail", args=[visit.pk])).content.decode()
    assert "距派出所" in page and "远离派出所" in page


def test_a_visit_without_a_position_is_fine(login, personas, frozen):
    login(personas.cadre).post(URL, form_data())
    visit = Visit.objects.get()
    assert visit.latitude is None and visit.distance_m is None and not visit.far_from_station


@pytest.mark.parametrize("persona", ["station", "county_bureau", "leader"])
def test_only_cadres_log_visits(login, personas, persona):
    assert login(getattr(personas, persona)).get(URL).status_code == 403
    assert login(getattr(personas, persona)).post(URL, form_data()).status_code == 403
    assert Visit.objects.count() == 0


def test_a_cadre_without_an_assignment_is_told_so(login, org, frozen):
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    client = login(cadre.user)
    assert "您目前没有包联派出所" in client.get(URL).content.decode()
    client.post(URL, form_data())
    assert Visit.objects.count() == 0


def test_the_form_page_works_without_javascript(login, personas, frozen):
    page = login(personas.cadre).get(URL).content.decode()
    # The position button is hidden until the script shows it; the form posts normally.
    assert "data-geo hidden" in page and 'enctype="multipart/form-data"' in page
    assert "js/visit.js" in page
