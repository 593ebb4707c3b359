"""Shared data for the station support tests: skills, officers along the Wuhan chain of
江岸 (county 江岸, city 武汉, province 湖北) and off it, and a request helper."""

import datetime as dt
import importlib

from django.apps import apps

from checklists.models import Skill, SupportOfficer
from checklists.services import support as services
from tests import factories as f
from tests.checklists.conftest import NOW

TODAY = NOW.date()  # Wednesday 18 November 2026
START = TODAY + dt.timedelta(days=10)
END = START + dt.timedelta(days=4)


def seed_skills():
    importlib.import_module("checklists.migrations.0006_station_support").seed_skills(apps, None)


def skill(code):
    return Skill.objects.get(code=code)


def officer(bureau, *codes, name="警官", active=True, role="bureau"):
    user = f.UserFactory(role=role, bureau=bureau, last_name=name[0], first_name=name[1:])
    o = SupportOfficer.objects.create(user=user, active=active)
    o.skills.set([skill(c) for c in codes])
    return o


def request_for(
    station_user, *codes, start=START, end=END, needed=1, kind="holiday", today=TODAY, now=NOW
):
    return services.submit_request(
        station=station_user.station,
        by=station_user,
        kind=kind,
        start_date=start,
        end_date=end,
        officers_needed=needed,
        skills=[skill(c) for c in codes],
        note="春节前户籍窗口办证高峰",
        today=today,
        now=now,
    )
