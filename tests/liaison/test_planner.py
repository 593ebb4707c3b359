"""The assignment planner against the database: service, page, confirmation, scope, roles."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison import planning
from liaison.models import Assignment
from liaison.planner import Pair, Plan, PlanCadre, PlanStation
from stations.scope import Scope
from tests import factories as f

URL = reverse("liaison:planner")
STALE = "您审核方案后情况已发生变化，请重新审核。"
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """The confirmation view takes today's date from the clock: pin it to TODAY."""
    with time_machine.travel(
        dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def hubei_cadres(org, personas):
    """Free cadres for a complete plan of Hubei's 4 uncovered stations.

    Hubei has 5 active stations (大智 is covered by the persona county cadre) → targets
    1 / 2 / 2, need 1 / 2 / 1. 西陵 can only go to Yichang's city cadre, 沙嘴 only to 仙桃's
    county cadre, so the province cadre and Wuhan's city cadre share 球场 and 民族.
    """
    return {
        "province": f.CadreFactory(bureau=org.hubei, tier="province"),
        "wuhan": f.CadreFactory(bureau=org.wuhan, tier="city"),
        "yichang": f.CadreFactory(bureau=org.yichang, tier="city"),
        "xiantao": f.CadreFactory(bureau=org.xiantao, tier="county"),
    }


def hubei(org) -> Scope:
    return Scope(bureau_path=org.hubei.path)


# --- service ---------------------------------------------------------------------------


def test_propose_plan_finds_the_complete_plan_for_the_province_scope(org, hubei_cadres):
    plan = planning.propose_plan(scope=hubei(org))

    assert plan.complete
    assert plan.before == {"province": 0, "city": 0, "county": 1}
    assert plan.after == plan.targets == {"province": 1, "city": 2, "county": 2}
    covered_by = {p.station.id: p.cadre.id for p in plan.pairs}
    assert covered_by[org.s_xiling.pk] == hubei_cadres["yichang"].pk
    assert covered_by[org.s_xiantao.pk] == hubei_cadres["xiantao"].pk
    assert {covered_by[org.s_jiangan2.pk], covered_by[org.s_jianghan.pk]} == {
        hubei_cadres["province"].pk,
        hubei_cadres["wuhan"].pk,
    }


def test_propose_plan_ignores_inactive_stations_and_inactive_or_busy_cadres(org, hubei_cadres):
    org.s_xiling.active = False
    org.s_xiling.save()
    f.CadreFactory(bureau=org.jianghan, tier="county", active=False)
    plan = planning.propose_plan(scope=hubei(org))

    assert plan.uncovered_before == 3
    assert org.s_xiling.pk not in {p.station.id for p in plan.pairs}
    busy = Assignment.objects.get().cadre_id
    assert busy not in {p.cadre.id for p in plan.pairs}
    assert all(p.cadre.id in {c.pk for c in hubei_cadres.values()} for p in plan.pairs)


def test_apply_plan_creates_every_assignment_in_one_go(org, personas, hubei_cadres):
    scope = hubei(org)
    plan = planning.propose_plan(scope=scope)

    created = planning.apply_plan(
        scope=scope,
        digest=plan.digest(),
        start_date=TODAY,
        by=personas.province_bureau,
        today=TODAY,
    )

    assert created == 4
    rows = Assignment.objects.active().filter(created_by=personas.province_bureau)
    assert {(a.station_id, a.cadre_id) for a in rows} == {
        (p.station.id, p.cadre.id) for p in plan.pairs
    }
    assert {a.start_date for a in rows} == {TODAY}
    assert Assignment.history.filter(history_user=personas.province_bureau).count() == 4
    assert planning.propose_plan(scope=scope).uncovered_before == 0


def test_apply_plan_refuses_a_stale_digest_and_writes_nothing(org, personas, hubei_cadres):
    scope = hubei(org)
    reviewed = planning.propose_plan(scope=scope)
    # Meanwhile someone assigns a cadre by hand: the plan changes.
    f.AssignmentFactory(cadre=hubei_cadres["yichang"], station=org.s_xiling)

    with pytest.raises(ValidationError) as caught:
        planning.apply_plan(
            scope=scope,
            digest=reviewed.digest(),
            start_date=TODAY,
            by=personas.province_bureau,
            today=TODAY,
        )

    assert caught.value.code == "stale"
    assert Assignment.objects.count() == 2


def test_apply_plan_turns_a_concurrent_assignment_into_the_stale_message(
    org, personas, hubei_cadres, monkeypatch
):
    # A plan computed before another transaction covered 西陵 but inserted after it.
    f.AssignmentFactory(cadre=hubei_cadres["yichang"], station=org.s_xiling)
    station = PlanStation(org.s_xiling.pk, org.s_xiling.name, org.xiling.path)
    cadre = PlanCadre(hubei_cadres["province"].pk, "x", "province", org.hubei.path)
    racing = Plan(pairs=(Pair(station, cadre),), reasons=(), tiers=(), uncovered_before=1)
    monkeypatch.setattr(planning, "propose_plan", lambda *, scope: racing)

    with pytest.raises(ValidationError) as caught:
        planning.apply_plan(
            scope=hubei(org),
            digest=racing.digest(),
            start_date=TODAY,
            by=personas.province_bureau,
            today=TODAY,
        )

    assert caught.value.messages == [STALE]
    assert Assignment.objects.count() == 2


def test_apply_plan_refuses_a_start_date_in_the_future(org, personas, hubei_cadres):
    scope = hubei(org)
    plan = planning.propose_plan(scope=scope)

    with pytest.raises(ValidationError) as caught:
        planning.apply_plan(
            scope=scope,
            digest=plan.digest(),
            start_date=TODAY + dt.timedelta(days=1),
            by=personas.province_bureau,
            today=TODAY,
        )

    assert caught.value.messages == ["开始日期不能晚于今天。"]
    assert Assignment.objects.count() == 1


# --- page ------------------------------------------------------------------------------


def test_city_bureau_sees_a_proposal_limited_to_its_city(org, personas, login):
    wuhan = f.CadreFactory(bureau=org.wuhan, tier="city")
    yichang = f.CadreFactory(bureau=org.yichang, tier="city")
    furong = f.CadreFactory(bureau=org.furong, tier="county")

    response = login(personas.city_bureau).get(URL)

    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.uncovered_before == 2  # 球场, 民族
    assert plan.targets == {"province": 1, "city": 1, "county": 1}  # 3 stations in Wuhan
    assert [p.cadre.id for p in plan.pairs] == [wuhan.pk]
    assert {p.station.id for p in plan.pairs} <= {org.s_jiangan2.pk, org.s_jianghan.pk}
    html = response.content.decode()
    assert str(wuhan) in html
    assert str(yichang) not in html and str(furong) not in html
    assert "西陵派出所" not in html and "定王台派出所" not in html
    # No province cadre is in Wuhan's scope: the page says so in Chinese.
    assert "省级还需 1 名包联干部，但空闲的省级干部只有 0 名。" in html


def test_bureau_user_confirms_the_plan_and_the_split_report_shows_nothing_uncovered(
    org, personas, login, hubei_cadres
):
    client = login(personas.province_bureau)
    page = client.get(URL)
    assert "确认并生效" in page.content.decode()

    response = client.post(
        URL, {"digest": page.context["digest"], "start_date": "2026-03-02"}, follow=True
    )

    assert response.redirect_chain == [(reverse("liaison:split-report"), 302)]
    html = response.content.decode()
    assert "方案已生效：4 个派出所已安排包联干部。" in html
    assert 'id="uncovered-count">0<' in html
    assert Assignment.objects.active().count() == 5
    assert set(Assignment.objects.values_list("start_date", flat=True)) == {
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 2),
    }
    again = client.get(URL).content.decode()
    assert "无需规划：所有在用派出所均已有包联干部，各层级均达到目标。" in again
    assert "确认并生效" not in again


@time_machine.travel(dt.datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_start_date_defaults_to_today_as_an_iso_date(org, personas, login, hubei_cadres):
    html = login(personas.province_bureau).get(URL).content.decode()

    assert 'name="start_date" value="2026-03-02"' in html


def test_confirming_a_stale_plan_is_refused_in_chinese_and_nothing_is_written(
    org, personas, login, hubei_cadres
):
    client = login(personas.province_bureau)
    digest = client.get(URL).context["digest"]
    f.AssignmentFactory(cadre=hubei_cadres["wuhan"], station=org.s_jianghan)

    response = client.post(URL, {"digest": digest, "start_date": "2026-03-02"})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert Assignment.objects.count() == 2
    # The page shows the new proposal, ready to be reviewed and confirmed again.
    assert response.context["digest"] != digest
    assert response.context["plan"].uncovered_before == 3


def test_confirming_without_a_digest_is_refused_in_chinese(org, personas, login, hubei_cadres):
    response = login(personas.province_bureau).post(URL, {"start_date": "2026-03-02"})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert Assignment.objects.count() == 1


def test_admin_plans_across_every_province(org, personas, login):
    f.CadreFactory(bureau=org.furong, tier="county")

    response = login(personas.admin).get(URL)

    plan = response.context["plan"]
    assert plan.uncovered_before == 5
    assert org.s_furong.pk in {p.station.id for p in plan.pairs}


def test_admin_plans_each_province_against_its_own_targets(org, personas, login):
    # 湖北: 11 active stations (大智 covered by its county cadre) → 2 / 3 / 6, need 2 / 3 / 5,
    # met by its free cadres (with spare province and city ones). 湖南: 10 stations → 2 / 3 / 5,
    # but only county cadres: they may take 5. One national target of 21 (4 / 6 / 11) would
    # let 湖北's spare province and city cadres in and 湖南's county cadres take all 10.
    for _ in range(6):
        f.StationFactory(bureau=org.jianghan)
    for _ in range(9):
        f.StationFactory(bureau=org.furong)
    for bureau, tier, count in [
        (org.hubei, "province", 4),
        (org.wuhan, "city", 5),
        (org.yichang, "city", 1),
        (org.jiangan, "county", 1),
        (org.jianghan, "county", 3),
        (org.xiantao, "county", 1),
        (org.furong, "county", 10),
    ]:
        for _ in range(count):
            f.CadreFactory(bureau=bureau, tier=tier)

    response = login(personas.admin).get(URL)

    plan = response.context["plan"]
    hunan = [p for p in plan.pairs if p.station.bureau_path.startswith("430000/")]
    assert len(hunan) == 5 and {p.cadre.tier for p in hunan} == {"county"}
    assert plan.after == {"province": 2, "city": 3, "county": 11}
    assert {part.code: part.plan.targets for part in plan.provinces} == {
        "420000": {"province": 2, "city": 3, "county": 6},
        "430000": {"province": 2, "city": 3, "county": 5},
    }
    assert plan.targets == {"province": 4, "city": 6, "county": 11}
    assert plan.provinces[0].plan.complete and not plan.complete
    html = response.content.decode()
    assert "湖南省公安厅：省级还需 2 名包联干部，但空闲的省级干部只有 0 名。" in html
    assert "湖南省公安厅：市级还需 3 名包联干部，但空闲的市级干部只有 0 名。" in html
    assert "湖北省公安厅：" not in html


def test_pairs_are_paginated_and_htmx_gets_only_the_table(org, personas, login):
    for _ in range(60):
        f.StationFactory(bureau=org.jianghan)
        f.CadreFactory(bureau=org.hubei, tier="province")
        f.CadreFactory(bureau=org.wuhan, tier="city")
        f.CadreFactory(bureau=org.jianghan, tier="county")
    client = login(personas.province_bureau)

    page_two = client.get(
        URL, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "plan-pairs"}
    )

    assert page_two.status_code == 200
    html = page_two.content.decode()
    assert html.lstrip().startswith('<div id="plan-pairs"')
    assert "确认并生效" not in html
    assert len(page_two.context["page_obj"].object_list) == len(page_two.context["plan"].pairs) - 50


@pytest.mark.parametrize("persona", ["cadre", "station", "leader"])
def test_cadre_station_and_leader_are_refused(org, personas, login, persona):
    client = login(getattr(personas, persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"digest": "x", "start_date": "2026-03-02"}).status_code == 403
    assert Assignment.objects.count() == 1


def test_anonymous_user_is_sent_to_login(client, org):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("uncovered", [1, 50])
def test_planner_page_and_confirmation_take_a_fixed_number_of_queries(
    org, personas, login, django_assert_num_queries, uncovered
):
    # 江岸 with `uncovered` open stations (球场 and new ones) and enough county cadres;
    # 大智 is made inactive so the county tier needs cadres whatever the size.
    org.s_jiangan.active = False
    org.s_jiangan.save()
    for _ in range(uncovered - 1):
        f.StationFactory(bureau=org.jiangan)
    for _ in range(uncovered):
        f.CadreFactory(bureau=org.jiangan, tier="county")
    client = login(personas.county_bureau)
    client.get(URL)  # warm the session

    with django_assert_num_queries(6):  # session, user, user's bureau, 3 planner queries
        response = client.get(URL)
    plan = response.context["plan"]
    assert plan.uncovered_before == uncovered
    assert plan.pairs

    # session, user, user's bureau, 2 savepoints and their releases, the 3 planner queries,
    # the history-overlap check, one insert for the assignments and one for their history.
    with django_assert_num_queries(13):
        client.post(URL, {"digest": response.context["digest"], "start_date": "2026-03-02"})
    assert Assignment.objects.filter(created_by=personas.county_bureau).count() == len(plan.pairs)


def test_apply_plan_refuses_a_start_that_overlaps_a_station_s_history(org, personas, hubei_cadres):
    """球场 was covered until 03-01 by someone else: a plan may not start it on 02-20."""
    f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jiangan, tier="county"),
        station=org.s_jiangan2,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 3, 1),
    )
    scope = hubei(org)
    plan = planning.propose_plan(scope=scope)
    assert org.s_jiangan2.pk in {p.station.id for p in plan.pairs}
    before = Assignment.objects.count()
    with pytest.raises(ValidationError) as caught:
        planning.apply_plan(
            scope=scope,
            digest=plan.digest(),
            start_date=dt.date(2026, 2, 20),
            by=personas.province_bureau,
            today=TODAY,
        )
    assert caught.value.code == "overlap"
    assert Assignment.objects.count() == before
