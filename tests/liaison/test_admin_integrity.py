"""The admin site keeps the assignment invariants: no edit of a station, a cadre or a bureau
may leave an active assignment outside its cadre's jurisdiction or on something inactive."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from liaison.models import Cadre
from stations.models import Bureau, Station
from tests import factories as f

STATION_OUTSIDE = "移至该单位后，该派出所将超出其包联干部的包联范围，请先结束包联关系。"
STATION_COVERED = "该派出所当前有包联干部，请先结束包联关系再停用。"
CADRE_COVERS = "该干部当前有包联的派出所，请先结束该干部的包联关系再停用。"
CADRE_TIER = "干部包联派出所期间不能更改层级，请先结束包联关系。"

FIELDS = {
    Station: ["name", "code", "bureau", "address", "latitude", "longitude", "active"],
    Cadre: ["user", "bureau", "tier", "position", "phone", "active"],
    Bureau: ["name", "code", "tier", "parent", "directly_administered"],
}


def change(client, obj, **changes):
    """POST the object's admin change form with its stored values and ``changes``."""
    values = {**model_to_dict(obj, fields=FIELDS[type(obj)]), **changes}
    data = {}
    for name, value in values.items():
        if value is True:
            data[name] = "on"
        elif value is not False:  # an unticked box is left out
            data[name] = "" if value is None else getattr(value, "pk", value)
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return client.post(url, data)


def rows(model):
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def admin_client(personas, login):
    return login(personas.admin)


def refused(response, message):
    assert response.status_code == 200
    assert message in response.content.decode()


# --- Stations ---------------------------------------------------------------------------------


def test_moving_a_covered_station_out_of_its_cadres_jurisdiction_is_refused(org, admin_client):
    before = rows(Station)

    response = change(admin_client, org.s_jiangan, bureau=org.jianghan)

    refused(response, STATION_OUTSIDE)
    assert rows(Station) == before


def test_a_covered_station_moves_within_its_cadres_jurisdiction(org, admin_client):
    f.AssignmentFactory(cadre=f.CadreFactory(bureau=org.wuhan), station=org.s_jiangan2)

    response = change(admin_client, org.s_jiangan2, bureau=org.jianghan)

    assert response.status_code == 302
    org.s_jiangan2.refresh_from_db()
    assert org.s_jiangan2.bureau == org.jianghan


def test_deactivating_a_covered_station_is_refused_and_an_uncovered_one_is_not(org, admin_client):
    before = rows(Station)

    refused(change(admin_client, org.s_jiangan, active=False), STATION_COVERED)
    assert rows(Station) == before

    assert change(admin_client, org.s_jiangan2, active=False).status_code == 302
    org.s_jiangan2.refresh_from_db()
    assert org.s_jiangan2.active is False


# --- Cadres -----------------------------------------------------------------------------------


def test_deactivating_a_cadre_who_covers_a_station_is_refused(org, personas, admin_client):
    cadre = personas.cadre.cadre
    before = rows(Cadre)

    refused(change(admin_client, cadre, active=False), CADRE_COVERS)
    assert rows(Cadre) == before

    free = f.CadreFactory(bureau=org.jiangan)
    assert change(admin_client, free, active=False).status_code == 302
    free.refresh_from_db()
    assert free.active is False


def test_a_new_home_bureau_that_does_not_cover_the_station_is_refused(org, personas, admin_client):
    cadre = personas.cadre.cadre  # county cadre of 江岸 covering 大智
    before = rows(Cadre)

    response = change(admin_client, cadre, bureau=org.jianghan)

    refused(response, "新的所属单位不能包联该干部当前包联的大智派出所，请先结束包联关系。")
    assert rows(Cadre) == before

    free = f.CadreFactory(bureau=org.jiangan)
    assert change(admin_client, free, bureau=org.jianghan).status_code == 302


def test_a_cadre_who_covers_a_station_keeps_their_tier(org, admin_client):
    # 仙桃 is directly administered: it hosts city and county cadres, so only the tier changes.
    cadre = f.CadreFactory(bureau=org.xiantao, tier="county")
    f.AssignmentFactory(cadre=cadre, station=org.s_xiantao)
    before = rows(Cadre)

    refused(change(admin_client, cadre, tier="city"), CADRE_TIER)
    assert rows(Cadre) == before

    free = f.CadreFactory(bureau=org.xiantao, tier="county")
    assert change(admin_client, free, tier="city").status_code == 302


# --- Bureaus ----------------------------------------------------------------------------------


def test_moving_a_county_away_from_the_city_cadre_of_one_of_its_stations_is_refused(
    org, admin_client
):
    f.AssignmentFactory(cadre=f.CadreFactory(bureau=org.wuhan), station=org.s_jiangan2)
    before = rows(Bureau), rows(Station)

    response = change(admin_client, org.jiangan, parent=org.yichang)

    refused(
        response,
        "移至该上级公安机关后，其下 1 个派出所将超出包联干部的包联范围：S420102002。"
        "请先结束相关包联关系。",
    )
    assert (rows(Bureau), rows(Station)) == before


def test_a_bureau_moves_with_the_cadres_it_holds_and_changes_code(org, admin_client):
    # 大智's county cadre is homed at 江岸 itself: the county may move and take a new code.
    response = change(admin_client, org.jiangan, parent=org.yichang, code="420506")

    assert response.status_code == 302
    org.jiangan.refresh_from_db()
    assert org.jiangan.path == "420000/420500/420506"


def test_moving_a_city_to_another_province_away_from_a_province_cadre_is_refused(org, admin_client):
    f.AssignmentFactory(cadre=f.CadreFactory(bureau=org.hubei), station=org.s_xiling)
    before = rows(Bureau)

    response = change(admin_client, org.yichang, parent=org.hunan)

    refused(
        response,
        "移至该上级公安机关后，其下 1 个派出所将超出包联干部的包联范围：S420502001。"
        "请先结束相关包联关系。",
    )
    assert rows(Bureau) == before
