"""Station support pages: the station's form and list, the bureau's list (filters, scope,
constant queries), a request's page with candidates and htmx assignment, confirm and hours."""

import datetime as dt

import pytest
from django.urls import reverse

from checklists.models import SupportCover, SupportOfficer, SupportRequest, SupportStatus
from checklists.services import support as services
from tests import factories as f
from tests.checklists.conftest import NOW
from tests.checklists.support_data import END, START, TODAY, officer, request_for, seed_skills


@pytest.fixture(autouse=True)
def _skills(db):
    seed_skills()


def _form(**extra):
    from checklists.models import Skill

    data = {
        "kind": "window_peak",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "officers_needed": "2",
        "skills": [Skill.objects.get(code="huji").pk],
        "note": "办证高峰",
    }
    data.update(extra)
    return data


def test_station_staff_send_a_request_from_the_form(login, org, personas, frozen):
    client = login(personas.station)
    page = client.get(reverse("checklists:support-new")).content.decode()
    assert "户籍" in page and "出入境" in page and "窗口业务高峰" in page
    response = client.post(reverse("checklists:support-new"), _form())
    req = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:support-detail", args=[req.pk])
    assert req.station == org.s_jiangan and req.officers_needed == 2
    page = client.get(response["Location"]).content.decode()
    assert "帮扶申请已提交上级机关" in page and "已提交" in page


def test_a_double_submit_sends_one_request(login, personas, frozen):
    client = login(personas.station)
    assert client.post(reverse("checklists:support-new"), _form()).status_code == 302
    again = client.post(reverse("checklists:support-new"), _form())
    assert again.status_code == 400
    assert "该申请已提交，正在等待安排民警，请勿重复提交。" in again.content.decode()
    assert SupportRequest.objects.count() == 1
    # A different request for the same dates is still sent.
    assert client.post(reverse("checklists:support-new"), _form(note="另需一人")).status_code == 302
    assert SupportRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"start_date": (TODAY - dt.timedelta(days=1)).isoformat()}, "不能从过去的日期开始"),
        ({"skills": []}, "请至少选择一项所需技能"),
        ({"officers_needed": "0"}, "1"),
        ({"start_date": "2026-13-01"}, "请输入有效日期"),
    ],
)
def test_bad_input_is_shown_in_chinese_and_nothing_is_written(
    login, org, personas, frozen, extra, message
):
    response = login(personas.station).post(reverse("checklists:support-new"), _form(**extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize("persona", ["county_bureau", "cadre", "leader"])
def test_only_station_staff_open_the_request_form(login, personas, persona):
    assert (
        login(getattr(personas, persona)).get(reverse("checklists:support-new")).status_code == 403
    )


def test_each_sees_the_requests_in_scope_and_others_answer_404(login, org, personas):
    mine = request_for(personas.station, "huji")
    xiling = f.UserFactory(role="station", bureau=None, station=org.s_xiling)
    theirs = request_for(xiling, "huji")
    url = reverse("checklists:support-list")
    station_page = login(personas.station).get(url).content.decode()
    assert "大智派出所" in station_page and "西陵派出所" not in station_page
    assert (
        login(personas.station)
        .get(reverse("checklists:support-detail", args=[theirs.pk]))
        .status_code
        == 404
    )
    wuhan = login(personas.city_bureau)
    assert wuhan.get(reverse("checklists:support-detail", args=[mine.pk])).status_code == 200
    assert wuhan.get(reverse("checklists:support-detail", args=[theirs.pk])).status_code == 404
    province_page = login(personas.province_bureau).get(url).content.decode()
    assert "大智派出所" in province_page and "西陵派出所" in province_page
    assert login(personas.cadre).get(url).status_code == 403


def test_the_bureau_list_filters_by_status_and_search(login, org, personas):
    request_for(personas.station, "huji")
    other = f.UserFactory(role="station", bureau=None, station=org.s_jiangan2)
    cancelled = request_for(other, "huji")
    services.cancel_request(request=cancelled, by=other, now=NOW)
    client = login(personas.county_bureau)
    url = reverse("checklists:support-list")
    page = client.get(url, {"status": "cancelled"}).content.decode()
    assert "球场派出所" in page and "大智派出所" not in page
    page = client.get(url, {"q": "大智"}).content.decode()
    assert "大智派出所" in page and "球场派出所" not in page
    partial = client.get(
        url, {"q": "大智"}, headers={"HX-Request": "true", "HX-Target": "support-results"}
    )
    assert b"<html" not in partial.content and "大智派出所" in partial.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_the_request_list_costs_the_same_queries_for_1_or_30_rows(
    login, org, personas, count, django_assert_num_queries
):
    for i in range(count):
        request_for(
            personas.station,
            "huji",
            start=START + dt.timedelta(days=i),
            end=START + dt.timedelta(days=i),
        )
    client = login(personas.city_bureau)
    client.get(reverse("checklists:support-list"))  # warm the session
    with django_assert_num_queries(5):
        response = client.get(reverse("checklists:support-list"))
    assert response.content.decode().count('class="tag support-submitted"') == count


def test_bureau_staff_see_candidates_and_assign_with_htmx(login, org, personas, frozen):
    good = officer(org.jiangan, "huji", "churujing", name="王两项")
    officer(org.jiangan, "xingzhen", name="钱刑侦")
    req = request_for(personas.station, "huji", "churujing", needed=1)
    client = login(personas.county_bureau)
    url = reverse("checklists:support-detail", args=[req.pk])
    page = client.get(url).content.decode()
    assert "王两项" in page and "钱刑侦" not in page
    response = client.post(
        reverse("checklists:support-assign", args=[req.pk]),
        {"officer": good.pk},
        headers={"HX-Request": "true", "HX-Target": "support-staffing"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="support-staffing"' in body and "已安排 王两项 参加本次帮扶" in body
    assert "已安排民警（1 / 1 名）" in body
    req.refresh_from_db()
    assert req.status == SupportStatus.ASSIGNED


def test_assigning_a_busy_officer_shows_why_and_writes_nothing(login, org, personas, frozen):
    o = officer(org.jiangan, "huji", name="王忙碌")
    first = request_for(personas.station, "huji")
    services.assign_officer(
        request=first, officer=o, by=personas.county_bureau, today=TODAY, now=NOW
    )
    second = request_for(personas.station, "huji")
    response = login(personas.county_bureau).post(
        reverse("checklists:support-assign", args=[second.pk]), {"officer": o.pk}, follow=True
    )
    assert "王忙碌 已安排于" in response.content.decode()
    assert not SupportCover.objects.filter(request=second).exists()


def test_an_officer_or_request_out_of_scope_answers_404(login, org, personas):
    req = request_for(personas.station, "huji")
    o = officer(org.jiangan, "huji")
    response = login(personas.other_city_bureau).post(
        reverse("checklists:support-assign", args=[req.pk]), {"officer": o.pk}
    )
    assert response.status_code == 404
    assert not SupportCover.objects.exists()


def test_an_officer_outside_the_scope_is_refused_without_giving_away_the_name(login, org, personas):
    req = request_for(personas.station, "huji")
    outsider = officer(org.yichang, "huji", name="赵外地")
    response = login(personas.city_bureau).post(
        reverse("checklists:support-assign", args=[req.pk]), {"officer": outsider.pk}, follow=True
    )
    html = response.content.decode()
    assert "该民警暂不能参加帮扶。" in html and "赵外地" not in html
    assert not SupportCover.objects.exists()


def test_the_station_confirms_and_records_hours_to_completion(login, org, personas, frozen):
    o = officer(org.jiangan, "huji", name="王帮扶")
    req = request_for(personas.station, "huji", start=TODAY, end=TODAY + dt.timedelta(days=1))
    cover = services.assign_officer(
        request=req, officer=o, by=personas.county_bureau, today=TODAY, now=NOW
    )
    client = login(personas.station)
    client.post(reverse("checklists:support-confirm", args=[req.pk]))
    req.refresh_from_db()
    assert req.status == SupportStatus.CONFIRMED
    page = client.get(reverse("checklists:support-detail", args=[req.pk])).content.decode()
    assert 'name="hours"' in page
    response = client.post(
        reverse("checklists:support-cover-record", args=[cover.pk]),
        {"hours": "16", "incidents": "7"},
        follow=True,
    )
    assert "本次帮扶已完成" in response.content.decode()
    req.refresh_from_db()
    assert req.status == SupportStatus.COMPLETED


def test_bad_hours_are_refused_with_a_message(login, org, personas, frozen):
    o = officer(org.jiangan, "huji")
    req = request_for(personas.station, "huji", start=TODAY, end=TODAY)
    cover = services.assign_officer(
        request=req, officer=o, by=personas.county_bureau, today=TODAY, now=NOW
    )
    services.confirm_request(request=req, by=personas.station, now=NOW)
    response = login(personas.station).post(
        reverse("checklists:support-cover-record", args=[cover.pk]),
        {"hours": "30", "incidents": "1"},
        follow=True,
    )
    assert "最多 24 小时" in response.content.decode()
    cover.refresh_from_db()
    assert cover.hours is None


def test_bureau_staff_register_officers_skills_in_scope(login, org, personas):
    user = f.UserFactory(role="bureau", bureau=org.jiangan, last_name="王", first_name="技能")
    outside = f.UserFactory(role="bureau", bureau=org.xiling)
    from checklists.models import Skill

    huji = Skill.objects.get(code="huji")
    client = login(personas.county_bureau)
    response = client.post(
        reverse("checklists:support-officers"),
        {"user": user.pk, "skills": [huji.pk], "active": "on"},
    )
    assert response.status_code == 302
    assert list(SupportOfficer.objects.get(user=user).skills.all()) == [huji]
    response = client.post(
        reverse("checklists:support-officers"), {"user": outside.pk, "skills": [huji.pk]}
    )
    assert response.status_code == 400
    assert not SupportOfficer.objects.filter(user=outside).exists()


@pytest.mark.parametrize("count", [1, 20])
def test_the_request_page_costs_the_same_queries_for_1_or_20_candidates(
    login, org, personas, count, django_assert_num_queries, frozen
):
    for i in range(count):
        officer(org.jiangan, "huji", "churujing", name=f"王{i}")
    req = request_for(personas.station, "huji", needed=2)
    services.assign_officer(
        request=req,
        officer=officer(org.wuhan, "huji", name="李已派"),
        by=personas.city_bureau,
        today=TODAY,
        now=NOW,
    )
    client = login(personas.city_bureau)
    url = reverse("checklists:support-detail", args=[req.pk])
    client.get(url)
    with django_assert_num_queries(9):
        page = client.get(url).content.decode()
    assert page.count('name="officer"') == count


def test_administrators_edit_skills_and_read_requests_in_the_admin(login, org, personas):
    req = request_for(personas.station, "huji")
    client = login(personas.admin)
    page = client.get(reverse("admin:checklists_skill_changelist")).content.decode()
    assert "户籍" in page and "出入境" in page
    response = client.get(reverse("admin:checklists_supportrequest_change", args=[req.pk]))
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()
    assert client.get(reverse("admin:checklists_supportrequest_add")).status_code == 403


@pytest.mark.parametrize("user_id", ["abc", "", "9999999"])
def test_a_tampered_officer_id_gets_a_chinese_message_not_a_crash(login, personas, user_id):
    from checklists.models import Skill

    response = login(personas.county_bureau).post(
        reverse("checklists:support-officers"),
        {"user": user_id, "skills": [Skill.objects.get(code="huji").pk]},
    )
    assert response.status_code == 400
    assert "请选择本单位的民警。" in response.content.decode()
    assert not SupportOfficer.objects.exists()


def _user_select(html: str) -> str:
    start = html.index('<select name="user"')
    return html[start : html.index("</select>", start)]


def test_the_officer_form_offers_at_most_fifty_users_and_finds_the_others_by_name(
    login, org, personas
):
    """A province has thousands of headquarters users: the form never lists them all."""
    from checklists.views.support import USER_CHOICES

    for i in range(USER_CHOICES + 5):
        f.UserFactory(role="bureau", bureau=org.jiangan, last_name="张", first_name=f"警{i:02d}")
    f.UserFactory(role="bureau", bureau=org.jiangan, last_name="欧阳", first_name="找到")
    client = login(personas.county_bureau)
    url = reverse("checklists:support-officers")
    html = client.get(url).content.decode()
    select = _user_select(html)
    assert select.count("<option") == USER_CHOICES
    assert "请按姓名查找其他民警" in html
    html = client.get(url, {"q": "欧阳"}).content.decode()
    select = _user_select(html)
    assert select.count("<option") == 1 and "欧阳找到" in select
    assert 'id="more-users"' not in html
