"""The bureau report's station support and opinion figures: requests starting in the period,
officers sent, hours and incidents, opinions received and what became of them."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from checklists.models import ProblemCategory
from checklists.services import support as services
from checklists.services.opinions import accept_opinion, submit_opinion
from checklists.support_figures import support_figures
from stations.scope import Scope
from tests.checklists.support_data import officer, request_for, seed_skills
from tests.files import pdf_text

SH = ZoneInfo("Asia/Shanghai")
OCT = dt.date(2026, 10, 1)
AT = dt.datetime(2026, 10, 1, 9, tzinfo=SH)


def _request(user, start, needed=1):
    end = start + dt.timedelta(days=2)
    return request_for(user, "huji", start=start, end=end, needed=needed, today=OCT, now=AT)


def _data(org, personas):
    seed_skills()
    a, b = officer(org.jiangan, "huji", name="王甲"), officer(org.wuhan, "huji", name="李乙")
    done = _request(personas.station, dt.date(2026, 10, 5), needed=2)
    covers = [
        services.assign_officer(request=done, officer=o, by=personas.city_bureau, today=OCT, now=AT)
        for o in (a, b)
    ]
    services.confirm_request(request=done, by=personas.station, now=AT)
    for cover, hours, incidents in zip(covers, (20, 16), (4, 2), strict=True):
        services.record_cover(
            cover=cover,
            by=personas.station,
            hours=Decimal(hours),
            incidents=incidents,
            today=dt.date(2026, 10, 7),
            now=AT,
        )
    declined = _request(personas.station, dt.date(2026, 10, 20))
    services.decline_request(request=declined, by=personas.county_bureau, reason="警力不足", now=AT)
    _request(personas.station, dt.date(2026, 11, 20))  # another month: not counted
    category = ProblemCategory.objects.get(code="equipment")
    for anonymous in (True, False):
        opinion = submit_opinion(
            station=org.s_jiangan,
            by=personas.station,
            category=category,
            text="执法记录仪不足" if anonymous else "执法记录仪电池老化",
            anonymous=anonymous,
            now=AT,
        )
    accept_opinion(opinion=opinion, by=personas.county_bureau, now=AT)


def test_the_figures_count_the_period_s_requests_covers_and_opinions(org, personas):
    _data(org, personas)
    figures = support_figures(
        scope=Scope(bureau_path=org.jiangan.path), start=OCT, end=dt.date(2026, 10, 31)
    )
    assert (figures.requests, figures.confirmed, figures.completed, figures.declined) == (
        2,
        1,
        1,
        1,
    )
    assert figures.officers_sent == 2 and figures.officer_days == 6
    assert figures.hours == Decimal(36) and figures.incidents == 6
    assert (figures.opinions, figures.anonymous, figures.accepted, figures.pending_opinions) == (
        2,
        1,
        1,
        1,
    )
    elsewhere = support_figures(
        scope=Scope(bureau_path=org.xiling.path), start=OCT, end=dt.date(2026, 10, 31)
    )
    assert elsewhere.requests == 0 and elsewhere.opinions == 0


def test_the_bureau_pdf_has_a_station_support_section(client, org, personas):
    _data(org, personas)
    client.force_login(personas.leader)
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=SH), tick=False):
        response = client.get(
            reverse("scoring:bureau-report", args=[org.jiangan.code]), {"month": "2026-10"}
        )
    text = pdf_text(response.content)
    section = text[text.index("驻所帮扶与意见清单") :]
    rows = [line.split() for line in section.splitlines() if line.strip()]
    # Requests 2 (1 sent, 0 waiting, 1 declined, 0 cancelled), 2 officers for 6 days,
    # 36 hours, 6 incidents; opinions 2 (1 anonymous, 1 accepted, 0 dismissed, 1 waiting).
    assert rows[2][0] == "帮扶申请数" and rows[3] == [
        "2",
        "1",
        "0",
        "1",
        "0",
        "2",
        "6",
        "36.0",
        "6",
    ]
    assert rows[4][0] == "收到意见" and rows[5] == ["2", "1", "1", "0", "1"]
