"""Visit detail, edit window, history, scope and query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Problem, ProblemCategory
from liaison.models import Assignment, Visit
from liaison.services.visits import record_visit
from tests import factories as f
from tests.checklists import lists_data
from tests.checklists.conftest import ATTESTATIONS, NOW, form_data

ALL_SIX = dict.fromkeys(ATTESTATIONS, True)


def _assignment(personas):
    return Assignment.objects.select_related("cadre", "station").get(cadre__user=personas.cadre)


def _visit(personas, when=None, logged=None, **attest):
    when = when or NOW - dt.timedelta(hours=2)
    return record_visit(
        assignment=_assignment(personas),
        by=personas.cadre,
        visited_at=when,
        attestation=attest or ALL_SIX,
        inspected=[{"code": "jiechujing", "label": "接处警"}],
        findings="初次记录",
        now=logged or when + dt.timedelta(minutes=30),
    )


def _many_visits(personas, count):
    """``count`` visits in one statement (spread over the past days)."""
    assignment = _assignment(personas)
    rows = []
    for i in range(count):
        at = NOW - dt.timedelta(hours=3 + i)
        rows.append(
            Visit(
                assignment=assignment,
                cadre_id=assignment.cadre_id,
                station_id=assignment.station_id,
                visited_at=at,
                visited_on=at.date(),
                logged_at=at,
                logged_by=personas.cadre,
                unannounced=True,
                **ALL_SIX,
            )
        )
    return Visit.objects.bulk_create(rows)


# --- edit within 24 hours, history -----------------------------------------------------


def test_the_cadre_edits_a_visit_within_24_hours_and_the_change_is_shown(login, personas, frozen):
    visit = _visit(personas)
    client = login(personas.cadre)
    url = reverse("checklists:visit-edit", args=[visit.pk])
    page = client.get(url).content.decode()
    assert "初次记录" in page and 'name="photos"' not in page
    data = form_data(NOW - dt.timedelta(hours=2), inspected=["jiechujing"], findings="补充记录")
    response = client.post(url, data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.findings == "补充记录"
    detail = client.get(reverse("checklists:visit-detail", args=[visit.pk])).content.decode()
    assert "修改记录" in detail and "初次记录 → 补充记录" in detail
    assert str(personas.cadre) in detail


def test_removing_an_attestation_in_an_edit_is_kept_in_the_history(login, personas, frozen):
    visit = _visit(personas)
    client = login(personas.cadre)
    data = form_data(NOW - dt.timedelta(hours=2), six=ATTESTATIONS[:5], findings="初次记录")
    client.post(reverse("checklists:visit-edit", args=[visit.pk]), {**data, "inspected": []})
    visit.refresh_from_db()
    assert not visit.unannounced
    detail = client.get(reverse("checklists:visit-detail", args=[visit.pk])).content.decode()
    assert "是 → 否" in detail and "接处警 → —" in detail


def test_an_edit_after_24_hours_is_refused_in_chinese(login, personas, frozen):
    visit = _visit(personas, NOW - dt.timedelta(days=2), logged=NOW - dt.timedelta(hours=25))
    client = login(personas.cadre)
    url = reverse("checklists:visit-edit", args=[visit.pk])
    for response in (client.get(url, follow=True), client.post(url, form_data(), follow=True)):
        assert "走访登记 24 小时后不能再修改" in response.content.decode()
    visit.refresh_from_db()
    assert visit.findings == "初次记录" and visit.history.count() == 1


def test_an_edit_into_the_future_is_refused_and_nothing_changes(login, personas, frozen):
    visit = _visit(personas)
    url = reverse("checklists:visit-edit", args=[visit.pk])
    data = form_data(NOW + dt.timedelta(hours=1), findings="改到未来")
    response = login(personas.cadre).post(url, data)
    assert "走访时间不能晚于当前时间" in response.content.decode()
    visit.refresh_from_db()
    assert visit.findings == "初次记录" and visit.history.count() == 1


@pytest.mark.parametrize("persona", ["station", "county_bureau", "admin"])
def test_nobody_but_the_cadre_who_logged_it_edits_a_visit(login, personas, frozen, persona):
    visit = _visit(personas)
    response = login(getattr(personas, persona)).get(
        reverse("checklists:visit-edit", args=[visit.pk])
    )
    assert response.status_code in (403, 404)


# --- scope -------------------------------------------------------------------------------

DETAIL_SCOPE = [
    ("cadre", 200),
    ("station", 200),
    ("county_bureau", 200),
    ("city_bureau", 200),
    ("province_bureau", 200),
    ("leader", 200),
    ("admin", 200),
    ("other_city_bureau", 404),
    ("other_province_bureau", 404),
]


@pytest.mark.parametrize(("persona", "expected"), DETAIL_SCOPE)
def test_visit_detail_role_and_scope_matrix(login, personas, frozen, persona, expected):
    visit = _visit(personas)
    url = reverse("checklists:visit-detail", args=[visit.pk])
    assert login(getattr(personas, persona)).get(url).status_code == expected


def test_another_cadre_and_another_station_get_404(login, personas, org, frozen):
    visit = _visit(personas)
    url = reverse("checklists:visit-detail", args=[visit.pk])
    other_cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    f.AssignmentFactory(cadre=other_cadre, station=org.s_jiangan2)
    other_station = f.UserFactory(role="station", station=org.s_jiangan2)
    assert login(other_cadre.user).get(url).status_code == 404
    assert login(other_station).get(url).status_code == 404


def test_visit_list_shows_only_visits_in_scope(login, personas, org, frozen):
    _visit(personas)
    url = reverse("checklists:visit-list")
    assert "大智派出所" in login(personas.station).get(url).content.decode()
    other_station = f.UserFactory(role="station", station=org.s_jiangan2)
    assert "大智派出所" not in login(other_station).get(url).content.decode()
    assert "大智派出所" not in login(personas.other_city_bureau).get(url).content.decode()


def test_station_staff_see_a_logged_visit_but_never_the_cadres_period(login, personas, org, frozen):
    visit = _visit(personas)
    client = login(personas.station)
    detail = client.get(reverse("checklists:visit-detail", args=[visit.pk])).content.decode()
    assert "大智派出所" in detail and "初次记录" in detail
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("liaison:station-detail", args=[org.s_jiangan.pk])
    station_page = client.get(home["Location"]).content.decode()
    for page in (detail, station_page, client.get(reverse("checklists:visit-list")).content):
        text = page if isinstance(page, str) else page.decode()
        for word in ["本周", "周期", "还剩", "即将到期", "达标", "2026-11-22"]:
            assert word not in text
    assert client.get(reverse("checklists:visit-new")).status_code == 403


def test_the_detail_lists_the_problems_raised_during_the_visit(login, personas, frozen):
    visit = _visit(personas)
    Problem.objects.create(
        station=visit.station,
        category=ProblemCategory.objects.get(code="equipment"),
        description="对讲机电池老化",
        source_visit=visit,
        raised_by=personas.cadre,
    )
    page = login(personas.county_bureau).get(reverse("checklists:visit-detail", args=[visit.pk]))
    assert "对讲机电池老化" in page.content.decode() and "装备保障" in page.content.decode()


def test_the_visit_links_its_problems_and_hides_drafts_from_the_station(
    login, org, personas, frozen
):
    visit = _visit(personas)
    draft = lists_data.draft(org, personas, description="对讲机电池老化")
    shown = lists_data.published(org, personas)  # 灭火器过期未更换
    Problem.objects.filter(pk__in=[draft.pk, shown.pk]).update(source_visit=visit)

    url = reverse("checklists:visit-detail", args=[visit.pk])
    for user in (personas.cadre, personas.county_bureau):
        page = login(user).get(url).content.decode()
        for problem in (draft, shown):
            assert reverse("checklists:problem-detail", args=[problem.pk]) in page
    station_page = login(personas.station).get(url).content.decode()
    assert "灭火器过期未更换" in station_page and "对讲机电池老化" not in station_page


# --- query counts ------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_visit_detail_query_count_does_not_grow_with_visits_or_history(login, personas, frozen):
    client = login(personas.county_bureau)
    visit = _visit(personas)
    one = _queries(client, reverse("checklists:visit-detail", args=[visit.pk]))
    _many_visits(personas, 50)
    cadre_client = login(personas.cadre)
    for i in range(5):  # five edits: five more history rows
        cadre_client.post(
            reverse("checklists:visit-edit", args=[visit.pk]),
            form_data(NOW - dt.timedelta(hours=2), findings=f"第{i}次修改"),
        )
    client = login(personas.county_bureau)
    assert _queries(client, reverse("checklists:visit-detail", args=[visit.pk])) == one


def test_visit_list_query_count_is_the_same_for_1_and_50_visits(login, personas, frozen):
    client = login(personas.county_bureau)
    _many_visits(personas, 1)
    one = _queries(client, reverse("checklists:visit-list"))
    _many_visits(personas, 49)
    assert _queries(client, reverse("checklists:visit-list")) == one
