"""Every URL × every role × in scope / out of scope, with the expected status.

403: the role may not use the page at all. 404: the object exists but lies outside the
user's scope. Anonymous users are sent to the login page.
"""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.models import Assignment
from tests import factories as f
from tests.checklists.five_haves_helpers import audit_station
from tests.scoring.ranking_helpers import ranked_cadre_at

ALL = {
    "admin",
    "province_bureau",
    "city_bureau",
    "county_bureau",
    "other_city_bureau",
    "leader",
    "cadre",
    "station",
    "other_province_bureau",
}
BUREAU = {"province_bureau", "city_bureau", "county_bureau", "other_city_bureau"}
BUREAU |= {"other_province_bureau"}
MANAGERS = BUREAU | {"admin"}
OVERSEERS = MANAGERS | {"leader"}

# persona → (a station inside their scope, a station outside it or None for admins)
SCOPE = {
    "admin": ("s_jiangan", None),
    "province_bureau": ("s_xiling", "s_furong"),
    "city_bureau": ("s_jianghan", "s_xiling"),
    "county_bureau": ("s_jiangan2", "s_jianghan"),
    "other_city_bureau": ("s_xiling", "s_jiangan"),
    "leader": ("s_jiangan", "s_xiantao"),
    "cadre": ("s_jiangan", "s_jiangan2"),  # only the station they cover
    "station": ("s_jiangan", "s_jiangan2"),
    "other_province_bureau": ("s_furong", "s_jiangan"),
}

# (route name, method, takes a station id, roles allowed, status when allowed)
URLS = [
    ("liaison:station-list", "get", False, OVERSEERS, 200),
    ("liaison:station-export", "get", False, OVERSEERS, 200),
    ("liaison:cadre-list", "get", False, OVERSEERS, 200),
    ("liaison:split-report", "get", False, OVERSEERS, 200),
    ("liaison:compliance", "get", False, OVERSEERS, 200),
    ("liaison:compliance-export", "get", False, OVERSEERS, 200),
    ("liaison:visit-status", "get", False, OVERSEERS, 200),
    ("liaison:planner", "get", False, MANAGERS, 200),
    ("stations:import", "get", False, MANAGERS, 200),
    ("stations:import-template", "get", False, MANAGERS, 200),
    ("stations:import-template-csv", "get", False, MANAGERS, 200),
    # Staffing ratios (issue 6): the roll-up for overseers, figures recorded by bureau staff.
    ("stations:staffing", "get", False, OVERSEERS, 200),
    ("stations:staffing-export", "get", False, OVERSEERS, 200),
    ("stations:staffing-import", "get", False, MANAGERS, 200),
    ("stations:staffing-import-template", "get", False, MANAGERS, 200),
    ("stations:staffing-bureau", "get", True, OVERSEERS, 200),  # the station's county bureau
    ("stations:staffing-bureau", "post", True, MANAGERS, 400),  # empty form: 400, not saved
    ("liaison:station-detail", "get", True, ALL, 200),
    ("liaison:station-assign", "post", True, MANAGERS, 400),  # empty form: 400, not saved
    ("liaison:assignment-end", "post", True, MANAGERS, 400),
    ("checklists:visit-list", "get", False, ALL, 200),
    ("checklists:visit-new", "get", False, {"cadre", "admin"}, 200),
    ("scoring:report-verify", "get", False, ALL, 200),
    ("scoring:my-points", "get", False, {"cadre"}, 200),  # admins have no points: 403
    ("scoring:cadre-points", "get", True, OVERSEERS, 200),  # a cadre homed at the station's bureau
    ("checklists:board", "get", False, ALL, 200),
    ("checklists:counters", "get", False, OVERSEERS, 200),
    ("checklists:my-work", "get", False, ALL, 200),
    ("checklists:my-problems", "get", False, ALL, 200),
    ("checklists:station-work", "get", False, {"station", "cadre", "admin"}, 200),
    ("checklists:bureau-work", "get", False, OVERSEERS, 200),
    ("checklists:board-export", "get", False, ALL, 200),
    ("checklists:problem-import", "get", False, MANAGERS, 200),
    ("checklists:problem-import-template", "get", False, MANAGERS, 200),
    ("scoring:rankings", "get", False, OVERSEERS, 200),
    ("scoring:rankings-export", "get", False, OVERSEERS, 200),
    ("scoring:ranking-breakdown", "get", True, OVERSEERS, 200),  # the station's cadre
    ("checklists:problem-new", "get", False, MANAGERS | {"cadre"}, 200),
    # A published problem at the station (see OBJECT_OF_STATION); empty POSTs: 400, not saved.
    ("checklists:problem-detail", "get", True, ALL, 200),
    ("checklists:problem-publish", "post", True, MANAGERS, 400),
    ("checklists:problem-edit", "post", True, MANAGERS, 400),
    ("checklists:problem-tasks", "post", True, MANAGERS, 400),
    ("checklists:problem-close", "post", True, MANAGERS, 400),
    ("checklists:problem-reopen", "post", True, MANAGERS, 400),
    ("checklists:result-submit", "post", True, {"station", "admin"}, 400),
    # Two-way evaluation: the station's active assignment (see OBJECT_OF_STATION). Only its
    # own staff rate its cadre and only its cadre rates it; administrators rate nobody (403).
    ("scoring:evaluate-cadre", "get", True, {"station"}, 200),
    ("scoring:evaluate-cadre", "post", True, {"station"}, 400),  # empty form: 400, not saved
    ("scoring:evaluate-station", "get", True, {"cadre"}, 200),
    ("scoring:evaluate-station", "post", True, {"cadre"}, 400),
    ("scoring:station-evaluations", "get", True, OVERSEERS, 200),
    # Station standards (五有, issue 6): the province-wide view for overseers; bureau staff and
    # the station's cadre audit it; everyone in scope reads its audits; bureau staff turn an
    # unmet item into a draft problem (302 back to the audit).
    ("checklists:five-haves", "get", False, OVERSEERS, 200),
    ("checklists:five-haves-export", "get", False, OVERSEERS, 200),
    ("checklists:audit-new", "get", True, MANAGERS | {"cadre"}, 200),
    ("checklists:audit-new", "post", True, MANAGERS | {"cadre"}, 400),  # empty form: 400
    ("checklists:station-audits", "get", True, ALL, 200),
    ("checklists:audit-detail", "get", True, ALL, 200),  # an audit of the station
    ("checklists:audit-raise-problem", "post", True, MANAGERS, 302),  # its unmet item
]

CASES = []
for name, method, with_object, allowed, ok_status in URLS:
    for persona in sorted(ALL):
        inside, outside = SCOPE[persona]
        if persona not in allowed:
            CASES.append((name, method, persona, inside if with_object else None, 403))
            continue
        CASES.append((name, method, persona, inside if with_object else None, ok_status))
        if with_object and outside:
            CASES.append((name, method, persona, outside, 404))


def _published_problem(station):
    office = f.UserFactory(role="bureau", bureau=station.bureau)
    return f.ProblemFactory(
        station=station,
        status="published",
        responsible=office,
        deadline=dt.date(2026, 12, 31),
        published_at=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC),
        published_by=office,
        raised_by=office,
    )


def _active_assignment(station):
    """The station's active assignment (a cadre is assigned if none is)."""
    return Assignment.objects.filter(
        station=station, end_date__isnull=True
    ).first() or f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=station.bureau, tier="county"), station=station
    )


def _five_haves_audit(station):
    """A five-haves audit of the station with its hot-water item not met."""
    office = f.UserFactory(role="bureau", bureau=station.bureau)
    return audit_station(station, by=office, unmet=["you-reshui"])


# Routes whose object is not the station itself: how to get it from the station (in or out
# of scope exactly as the station is).
OBJECT_OF_STATION = {
    "scoring:evaluate-cadre": _active_assignment,
    "scoring:evaluate-station": _active_assignment,
    "scoring:cadre-points": lambda station: f.CadreFactory(bureau=station.bureau, tier="county"),
    "scoring:ranking-breakdown": ranked_cadre_at,
    "stations:staffing-bureau": lambda station: station.bureau,
    "checklists:audit-detail": lambda station: _five_haves_audit(station),
    "checklists:audit-raise-problem": lambda station: _five_haves_audit(station).results.get(
        met=False
    ),
    **{
        name: lambda station: _published_problem(station)
        for name in (
            "checklists:problem-detail",
            "checklists:problem-publish",
            "checklists:problem-edit",
            "checklists:problem-tasks",
            "checklists:problem-close",
            "checklists:problem-reopen",
            "checklists:result-submit",
        )
    },
}


def _url(name, org, station_attr):
    if station_attr is None:
        return reverse(name)
    station = getattr(org, station_attr)
    target = OBJECT_OF_STATION.get(name, lambda s: s)(station)
    return reverse(name, args=[target.pk])


@pytest.mark.parametrize(("name", "method", "persona", "station", "expected"), CASES)
def test_role_and_scope_matrix(client, org, personas, name, method, persona, station, expected):
    client.force_login(getattr(personas, persona))
    response = getattr(client, method)(_url(name, org, station))
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "with_object"), [(u[0], u[1], u[2]) for u in URLS])
def test_anonymous_users_are_sent_to_log_in(client, org, name, method, with_object):
    response = getattr(client, method)(_url(name, org, "s_jiangan" if with_object else None))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("province_bureau", 302), ("cadre", 302), ("station", 302)],
)
def test_only_administrators_reach_the_admin_site(client, personas, persona, expected):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("admin:index")).status_code == expected


def test_home_sends_station_staff_to_their_station(client, org, personas):
    client.force_login(personas.station)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("liaison:station-detail", args=[org.s_jiangan.pk])


@pytest.mark.parametrize("persona", ["admin", "province_bureau", "leader", "cadre"])
def test_home_page_renders_for_people_who_read(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("home")).status_code == 200


def test_htmx_partials_obey_scope_too(client, org, personas):
    client.force_login(personas.city_bureau)
    headers = {"HX-Request": "true", "HX-Target": "assignment-panel"}
    outside = reverse("liaison:station-detail", args=[org.s_xiling.pk])
    assert client.get(outside, headers=headers).status_code == 404
    table = client.get(
        reverse("liaison:station-list"),
        {"q": "西陵"},
        headers={"HX-Request": "true", "HX-Target": "station-table"},
    )
    assert "西陵派出所" not in table.content.decode()


def test_a_cadre_without_an_assignment_sees_no_station(client, org):
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    client.force_login(cadre.user)
    url = reverse("liaison:station-detail", args=[org.s_jiangan.pk])
    assert client.get(url).status_code == 404


def test_refusals_speak_chinese(client, org, personas):
    client.force_login(personas.cadre)
    assert "您无权打开此页面" in client.get(reverse("liaison:split-report")).content.decode()
    missing = client.get(reverse("liaison:station-detail", args=[org.s_furong.pk]))
    assert missing.status_code == 404 and "不在您的管辖范围内" in missing.content.decode()


def test_staff_status_alone_does_not_open_the_admin(client, org):
    staff = f.UserFactory(role="bureau", bureau=org.wuhan, is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 302
