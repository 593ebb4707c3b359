"""Scale benchmarks of the organisation pages (make bench SCALE=hubei|national): never part
of make test. The seeding and the table of figures live in conftest.py and harness.py.

Each page's server time is printed beside its floor measured in the same run — the bare SQL
the page needs plus an empty logged-in Django view — as a ratio, with its query count.
"""

import pytest
from django.urls import reverse

from tests.benchmarks.harness import measure_page

# django_db: pytest-django sets up only the databases that collected tests ask for.
pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def _measure(name, client, url, floor_sql, params, django_db_blocker):
    measure_page(name, client, url, [(floor_sql, params)], django_db_blocker)


SUBTREE = "(b.path = %s OR b.path LIKE %s)"


def test_station_list_first_and_deep_page(province_client, django_db_blocker):
    client, province = province_client
    params = (province.path, province.path + "/%")
    floor = (
        "SELECT s.id, s.code, s.name FROM stations_station s JOIN stations_bureau b "
        f"ON b.id = s.bureau_id WHERE {SUBTREE} ORDER BY b.path, s.code LIMIT 50"
    )
    _measure(
        "station list, page 1",
        client,
        reverse("liaison:station-list"),
        floor,
        params,
        django_db_blocker,
    )
    _measure(
        "station list, page 20",
        client,
        reverse("liaison:station-list") + "?page=20",
        floor + " OFFSET 950",
        params,
        django_db_blocker,
    )


def test_split_report(province_client, django_db_blocker):
    client, province = province_client
    floor = (
        "SELECT substring(b.path from 8 for 6), c.tier, count(*) FROM stations_station s "
        "JOIN stations_bureau b ON b.id = s.bureau_id "
        "LEFT JOIN liaison_assignment a ON a.station_id = s.id AND a.end_date IS NULL "
        "LEFT JOIN liaison_cadre c ON c.id = a.cadre_id "
        f"WHERE s.active AND {SUBTREE} GROUP BY 1, 2"
    )
    _measure(
        "split report (province)",
        client,
        reverse("liaison:split-report"),
        floor,
        (province.path, province.path + "/%"),
        django_db_blocker,
    )


def test_split_report_for_the_whole_country(admin_client, django_db_blocker):
    client = admin_client
    floor = (
        "SELECT substring(b.path from 8 for 6), c.tier, count(*) FROM stations_station s "
        "JOIN stations_bureau b ON b.id = s.bureau_id "
        "LEFT JOIN liaison_assignment a ON a.station_id = s.id AND a.end_date IS NULL "
        "LEFT JOIN liaison_cadre c ON c.id = a.cadre_id WHERE s.active GROUP BY 1, 2"
    )
    _measure(
        "split report (admin, every province)",
        client,
        reverse("liaison:split-report"),
        floor,
        (),
        django_db_blocker,
    )


def test_cadre_list(province_client, django_db_blocker):
    client, province = province_client
    floor = (
        "SELECT c.id FROM liaison_cadre c JOIN stations_bureau b ON b.id = c.bureau_id "
        f"WHERE {SUBTREE} ORDER BY b.path LIMIT 50"
    )
    _measure(
        "cadre list, page 1",
        client,
        reverse("liaison:cadre-list"),
        floor,
        (province.path, province.path + "/%"),
        django_db_blocker,
    )


def test_home_overview(province_client, django_db_blocker):
    client, province = province_client
    floor = (
        "SELECT count(*) FROM stations_station s JOIN stations_bureau b ON b.id = s.bureau_id "
        f"WHERE s.active AND {SUBTREE}"
    )
    _measure(
        "home overview (province)",
        client,
        reverse("home"),
        floor,
        (province.path, province.path + "/%"),
        django_db_blocker,
    )
