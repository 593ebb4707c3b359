"""seed_demo ends with the points and the frozen rankings of the past months, so the demo
shows populated rankings and every cadre's points."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse

from liaison.models import Assignment, User
from scoring.models import MonthlyRank, PointEntry, RankingMonth

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 22)
PAST_MONTHS = [dt.date(2026, month, 1) for month in range(1, 11)]


def seed_demo(seed=235, **options) -> str:
    out = StringIO()
    call_command("seed_demo", scale="demo", seed=seed, today=TODAY, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_freezes_every_past_month_with_every_cadre_ranked():
    out = seed_demo()

    frozen = RankingMonth.objects.order_by("month")
    assert list(frozen.values_list("month", flat=True)) == PAST_MONTHS
    # Each frozen as the job on the 1st of the month after would have: at 01:00.
    assert frozen.first().frozen_at == dt.datetime(2026, 2, 1, 1, tzinfo=SH)
    active = Assignment.objects.filter(end_date__isnull=True).count()
    ranked = dict(frozen.annotate(n=Count("ranks")).values_list("month", "n"))
    assert ranked == dict.fromkeys(PAST_MONTHS, active)
    # Points were earned and lost in every past month, and November is still running.
    totals = MonthlyRank.objects.values("ranking__month").annotate(points=Sum("points"))
    assert all(row["points"] != 0 for row in totals)
    assert PointEntry.objects.filter(booked_month=dt.date(2026, 11, 1)).exists()
    assert "月度排名已冻结：2026-01 至 2026-10（共 10 个月）" in out


@pytest.mark.django_db
def test_seed_demo_with_reset_freezes_the_months_again_for_the_new_data():
    seed_demo()

    seed_demo(reset=True, seed=9)

    # The reset deleted the old ranks with the old cadres; the months hold the new ones.
    active = Assignment.objects.filter(end_date__isnull=True).count()
    frozen = RankingMonth.objects.annotate(n=Count("ranks")).order_by("month")
    assert list(frozen.values_list("month", "n")) == [(month, active) for month in PAST_MONTHS]


@pytest.mark.django_db
def test_after_the_demo_seed_a_leader_sees_a_populated_ranking_and_a_cadre_their_points(client):
    seed_demo()

    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SH), tick=False):
        client.force_login(User.objects.get(username="leader"))
        page = client.get(reverse("scoring:rankings"), {"month": "2026-10"})
        assert page.status_code == 200
        assert not page.context["ranking"].provisional
        rows = list(page.context["page_obj"])
        assert len(rows) == Assignment.objects.filter(end_date__isnull=True).count()
        assert rows[0].rank_here == 1 and rows[0].points > 0

        client.force_login(User.objects.get(username="cadre"))
        mine = client.get(reverse("scoring:my-points"))
        assert mine.status_code == 200
        assert mine.context["summary"].rank.ranking.month == dt.date(2026, 10, 1)
        assert mine.context["page_obj"].paginator.count > 0
