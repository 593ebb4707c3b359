"""Every URL of station support, the opinion list and residencies × every persona, in and out
of scope (the role × scope matrix of these pages; tests/liaison/test_url_coverage.py names
this file for them). 403: the role may not use the page; 404: the object lies outside the
user's scope; anonymous users are sent to log in."""

import pytest
from django.urls import reverse

from checklists.models import ProblemCategory
from checklists.services import support as services
from checklists.services.opinions import submit_opinion
from checklists.services.residency import start_residency
from tests import factories as f
from tests.checklists.conftest import NOW
from tests.checklists.support_data import TODAY, officer, request_for, seed_skills
from tests.liaison.test_access_matrix import ALL, MANAGERS, OVERSEERS, SCOPE

READERS = OVERSEERS | {"station"}
STATION = {"station", "admin"}  # administrators pass every role check


def _request(station):
    user = f.UserFactory(role="station", bureau=None, station=station)
    return request_for(user, "huji")


def _cover(station):
    req = _request(station)
    admin = f.UserFactory(role="admin", is_superuser=True)
    return services.assign_officer(
        request=req, officer=officer(station.bureau, "huji"), by=admin, today=TODAY, now=NOW
    )


def _opinion(station):
    user = f.UserFactory(role="station", bureau=None, station=station)
    return submit_opinion(
        station=station,
        by=user,
        category=ProblemCategory.objects.first(),
        text="意见",
        anonymous=True,
        now=NOW,
    )


def _residency(station):
    return start_residency(
        station=station,
        leader=f.UserFactory(role="leader", bureau=station.bureau),
        start_date=TODAY,
        end_date=TODAY,
        by=f.UserFactory(role="admin", is_superuser=True),
        now=NOW,
    )


# (route name, method, object of a station or None, roles allowed, status when allowed)
URLS = [
    ("checklists:support-list", "get", None, READERS, 200),
    ("checklists:support-new", "get", None, STATION, 200),
    ("checklists:support-officers", "get", None, MANAGERS, 200),
    ("checklists:support-detail", "get", _request, READERS, 200),
    ("checklists:support-assign", "post", _request, MANAGERS, 302),
    ("checklists:support-confirm", "post", _request, STATION, 302),
    ("checklists:support-cancel", "post", _request, STATION, 302),
    ("checklists:support-decline", "post", _request, MANAGERS, 302),
    ("checklists:support-cover-remove", "post", _cover, MANAGERS, 302),
    ("checklists:support-cover-record", "post", _cover, STATION | MANAGERS, 302),
    ("checklists:opinion-list", "get", None, READERS, 200),
    ("checklists:opinion-new", "get", None, STATION, 200),
    ("checklists:opinion-detail", "get", _opinion, READERS, 200),
    ("checklists:opinion-accept", "post", _opinion, MANAGERS, 302),
    ("checklists:opinion-dismiss", "post", _opinion, MANAGERS, 302),
    ("checklists:residency-list", "get", None, READERS, 200),
    ("checklists:residency-new", "get", None, MANAGERS, 200),
    ("checklists:residency-detail", "get", _residency, READERS, 200),
]

CASES = []
for name, method, make, allowed, ok in URLS:
    for persona in sorted(ALL):
        inside, outside = SCOPE[persona]
        if persona not in allowed:
            CASES.append((name, method, make, persona, inside if make else None, 403))
            continue
        CASES.append((name, method, make, persona, inside if make else None, ok))
        if make and outside:
            CASES.append((name, method, make, persona, outside, 404))


@pytest.fixture(autouse=True)
def _skills(db):
    seed_skills()


def _url(name, make, org, station_attr):
    if station_attr is None:
        return reverse(name)
    return reverse(name, args=[make(getattr(org, station_attr)).pk])


@pytest.mark.parametrize(("name", "method", "make", "persona", "station", "expected"), CASES)
def test_role_and_scope_matrix(
    client, org, personas, name, method, make, persona, station, expected
):
    client.force_login(getattr(personas, persona))
    response = getattr(client, method)(_url(name, make, org, station))
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "make"), [u[:3] for u in URLS])
def test_anonymous_users_are_sent_to_log_in(client, org, name, method, make):
    response = getattr(client, method)(_url(name, make, org, "s_jiangan" if make else None))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
