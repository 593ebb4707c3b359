"""Freezing a month's ranking: who is ranked, ties, tiers, idempotence, immutability."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError

from scoring.models import MonthlyRank, RankingMonth
from scoring.services.ranking import freeze_month
from scoring.tasks import freeze_last_month
from tests import factories as f
from tests.scoring.ranking_helpers import NOV, OCT, SEP, cadre_on, earn

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 1, 1, 0, tzinfo=SH)


def ranks(month=OCT):
    return {
        r.cadre_id: r
        for r in MonthlyRank.objects.filter(ranking__month=month).select_related("ranking")
    }


@pytest.fixture
def cadres(org):
    """Three county cadres, a city cadre and a provincial cadre, each on one station."""
    return {
        "a": cadre_on(org.s_jiangan, org.jiangan, "county", name="甲"),
        "b": cadre_on(org.s_jiangan2, org.jiangan, "county", name="乙"),
        "c": cadre_on(org.s_jianghan, org.jianghan, "county", name="丙"),
        "city": cadre_on(org.s_xiling, org.wuhan, "city", name="丁"),
        "prov": cadre_on(org.s_xiantao, org.hubei, "province", name="戊"),
    }


def test_ties_share_a_rank_and_the_next_rank_skips(cadres):
    earn(cadres["a"], 10, OCT)
    earn(cadres["b"], 10, OCT)
    earn(cadres["c"], 5, OCT)
    earn(cadres["city"], 3, OCT)
    earn(cadres["prov"], 12, OCT)
    freeze_month(month=OCT, now=NOW)
    r = ranks()
    overall = {k: r[c.pk].rank_overall for k, c in cadres.items()}
    assert overall == {"prov": 1, "a": 2, "b": 2, "c": 4, "city": 5}
    in_tier = {k: r[c.pk].rank_in_tier for k, c in cadres.items()}
    # Within the county tier the two tied cadres lead; the city and provincial cadres are
    # each alone in their tier.
    assert in_tier == {"a": 1, "b": 1, "c": 3, "city": 1, "prov": 1}
    assert r[cadres["a"].pk].points == Decimal("10.0")
    assert r[cadres["a"].pk].tier == "county"


def test_every_cadre_on_a_station_at_month_end_is_ranked_with_zero_points_if_none(cadres):
    earn(cadres["a"], 4, OCT)
    earn(cadres["a"], Decimal("-1.5"), OCT, code="missed_period")
    freeze_month(month=OCT, now=NOW)
    r = ranks()
    assert len(r) == 5
    assert r[cadres["a"].pk].points == Decimal("2.5")
    zero = [row for row in r.values() if row.points == 0]
    assert len(zero) == 4 and {row.rank_overall for row in zero} == {2}


def test_only_entries_booked_in_the_month_count(cadres):
    earn(cadres["a"], 1, OCT)
    earn(cadres["a"], 100, SEP)
    earn(cadres["a"], 100, NOV)
    # A late September fact booked in October (September was frozen) counts in October.
    earn(cadres["b"], 7, SEP, booked=OCT)
    freeze_month(month=OCT, now=NOW)
    r = ranks()
    assert r[cadres["a"].pk].points == 1
    assert r[cadres["b"].pk].points == 7


def test_station_is_the_one_covered_on_the_last_day_of_the_month(org):
    moved = cadre_on(org.s_jiangan, org.jiangan, "county", name="甲", end=dt.date(2026, 10, 20))
    f.AssignmentFactory(cadre=moved, station=org.s_jiangan2, start_date=dt.date(2026, 10, 21))
    freeze_month(month=OCT, now=NOW)
    assert ranks()[moved.pk].station_id == org.s_jiangan2.pk


def test_who_is_ranked_depends_on_the_last_day_and_on_entries(org):
    ended = cadre_on(org.s_jiangan, org.jiangan, "county", name="甲", end=dt.date(2026, 10, 30))
    ended_with_points = cadre_on(
        org.s_jiangan2, org.jiangan, "county", name="乙", end=dt.date(2026, 10, 10)
    )
    earn(ended_with_points, 3, OCT)
    starts_later = cadre_on(
        org.s_jianghan, org.jianghan, "county", name="丙", start=dt.date(2026, 11, 2)
    )
    on_last_day = cadre_on(
        org.s_xiling, org.xiling, "county", name="丁", start=dt.date(2026, 10, 31)
    )
    freeze_month(month=OCT, now=NOW)
    r = ranks()
    assert ended.pk not in r and starts_later.pk not in r
    assert on_last_day.pk in r
    # Points earned before the assignment ended still rank, at the station last covered.
    assert r[ended_with_points.pk].points == 3
    assert r[ended_with_points.pk].station_id == org.s_jiangan2.pk


def test_freezing_twice_is_freezing_once(cadres):
    earn(cadres["a"], 10, OCT)
    first = freeze_month(month=OCT, now=NOW)
    before = list(MonthlyRank.objects.values_list("cadre_id", "points", "rank_overall"))
    again = freeze_month(month=dt.date(2026, 10, 17), now=NOW + dt.timedelta(days=3))
    assert again.pk == first.pk and again.frozen_at == NOW
    assert RankingMonth.objects.count() == 1
    assert list(MonthlyRank.objects.values_list("cadre_id", "points", "rank_overall")) == before


def test_a_frozen_month_never_changes_when_the_ledger_does(cadres):
    entry = earn(cadres["a"], 10, OCT)
    earn(cadres["b"], 5, OCT)
    freeze_month(month=OCT, now=NOW)
    before = {pk: (r.points, r.rank_overall, r.rank_in_tier) for pk, r in ranks().items()}
    # A late correction of an October fact: the recompute reverses it in November.
    entry.reversed = True
    entry.save(update_fields=["reversed"])
    earn(cadres["a"], -10, OCT, booked=NOV)
    # Even an entry booked straight into October leaves the frozen month alone.
    earn(cadres["c"], 50, OCT)
    freeze_month(month=OCT, now=NOW + dt.timedelta(days=5))
    after = {pk: (r.points, r.rank_overall, r.rank_in_tier) for pk, r in ranks().items()}
    assert after == before


@pytest.mark.parametrize("month", [NOV, dt.date(2026, 12, 1)])
def test_the_current_or_a_future_month_cannot_be_frozen(cadres, month):
    with pytest.raises(ValidationError) as refused:
        freeze_month(month=month, now=dt.datetime(2026, 11, 30, 23, 0, tzinfo=SH))
    assert "尚未结束" in refused.value.messages[0]
    assert not RankingMonth.objects.exists()


def test_december_is_frozen_in_january(org):
    cadre = cadre_on(org.s_jiangan, org.jiangan, "county", name="甲")
    earn(cadre, 2, dt.date(2026, 12, 1))
    freeze_month(month=dt.date(2026, 12, 1), now=dt.datetime(2027, 1, 1, 1, tzinfo=SH))
    assert ranks(dt.date(2026, 12, 1))[cadre.pk].points == 2


def test_the_monthly_job_freezes_last_month_and_a_rerun_changes_nothing(cadres):
    earn(cadres["a"], 10, OCT)
    with time_machine.travel(NOW):
        assert freeze_last_month.apply().get() == "2026-10-01"
        assert freeze_last_month.apply(args=["2026-11-01"]).get() == "2026-10-01"
    assert RankingMonth.objects.get().month == OCT
    assert MonthlyRank.objects.count() == 5


def test_beat_freezes_on_the_first_of_the_month_at_0100_shanghai_time():
    job = settings.CELERY_BEAT_SCHEDULE["freeze-monthly-ranking"]
    assert job["task"] == freeze_last_month.name
    assert job["schedule"] == crontab(day_of_month=1, hour=1, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert freeze_last_month.autoretry_for == (OperationalError,)


def test_the_command_freezes_a_given_month_and_refuses_bad_input(cadres, capsys):
    earn(cadres["a"], 10, SEP)
    with time_machine.travel(NOW):
        call_command("freeze_rankings", "--month", "2026-09")
        with pytest.raises(CommandError, match="2026-10"):
            call_command("freeze_rankings", "--month", "2026/10")
        with pytest.raises(CommandError, match="尚未结束"):
            call_command("freeze_rankings", "--month", "2026-11")
    assert "2026-09" in capsys.readouterr().out
    assert RankingMonth.objects.get().month == SEP
