"""Every named URL of the product has a role × scope test: either a row of the access matrix
(``test_access_matrix.URLS``) or a matrix of its own, named here. A new page that is in
neither fails this test until someone decides who may open it."""

from django.urls import URLPattern, URLResolver, get_resolver

from tests.liaison.test_access_matrix import URLS

# Route → the test that checks it by role and scope (objects that are not a station, or
# URLs with two objects).
SECONDMENTS = "tests/liaison/test_secondments_views.py (role and scope of every page)"
SUPPORT = "tests/checklists/test_support_access.py (every route × persona × scope)"
OWN_MATRIX = {
    "home": "tests/liaison/test_access_matrix.py::test_home_page_renders_for_people_who_read",
    "login": "tests/liaison/test_login.py",
    "logout": "tests/liaison/test_login.py",
    "set_language": "tests/liaison/test_language.py",
    "checklists:visit-detail": "tests/checklists/test_visit_pages.py",
    "checklists:visit-edit": "tests/checklists/test_visit_pages.py",
    "checklists:visit-photo": "tests/checklists/test_photos.py",
    "checklists:result-verify": "tests/checklists/test_problem_page.py",
    "checklists:task-progress": "tests/checklists/test_problem_page.py",
    "checklists:task-done": "tests/checklists/test_problem_page.py",
    "checklists:evidence": "tests/checklists/test_problem_page.py",
    "scoring:cadre-report": "tests/scoring/test_reports.py::test_reports_open_by_role_and_scope",
    "scoring:bureau-report": "tests/scoring/test_reports.py::test_reports_open_by_role_and_scope",
    "scoring:report-job": "tests/scoring/test_reports.py::test_a_report_job_is_seen_by_whoever…",
    "scoring:report-job-download": "tests/scoring/test_reports.py (same test)",
    "checklists:audit-photo": "tests/checklists/test_five_haves.py (photo served in scope only)",
    "liaison:secondments": SECONDMENTS,
    "liaison:secondments-export": SECONDMENTS,
    "liaison:secondment-new": SECONDMENTS,
    "liaison:secondment-detail": SECONDMENTS,
    "liaison:secondment-absence": SECONDMENTS,
    "liaison:secondment-absence-withdraw": SECONDMENTS,
    "liaison:secondment-spot-check": SECONDMENTS,
    "liaison:secondment-assessment": SECONDMENTS,
    "liaison:secondment-extend": SECONDMENTS,
    "scoring:secondment-report": SECONDMENTS,
    "checklists:support-list": SUPPORT,
    "checklists:support-new": SUPPORT,
    "checklists:support-officers": SUPPORT,
    "checklists:support-detail": SUPPORT,
    "checklists:support-assign": SUPPORT,
    "checklists:support-confirm": SUPPORT,
    "checklists:support-cancel": SUPPORT,
    "checklists:support-decline": SUPPORT,
    "checklists:support-cover-remove": SUPPORT,
    "checklists:support-cover-record": SUPPORT,
    "checklists:opinion-list": SUPPORT,
    "checklists:opinion-new": SUPPORT,
    "checklists:opinion-detail": SUPPORT,
    "checklists:opinion-accept": SUPPORT,
    "checklists:opinion-dismiss": SUPPORT,
    "checklists:residency-list": SUPPORT,
    "checklists:residency-new": SUPPORT,
    "checklists:residency-detail": SUPPORT,
}


def _names(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # test_access_matrix: only administrators reach the admin site
            inner = pattern.namespace or ""
            yield from _names(pattern, f"{namespace}:{inner}" if namespace and inner else inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_has_a_role_and_scope_test():
    in_matrix = {name for name, *_rest in URLS}
    uncovered = sorted(set(_names(get_resolver())) - in_matrix - set(OWN_MATRIX))
    assert uncovered == []


def test_the_routes_said_to_have_their_own_matrix_exist():
    assert set(OWN_MATRIX) <= set(_names(get_resolver()))
