"""Shared fixtures: a small province, one persona per role in and out of scope."""

import os
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings

from tests import factories as f

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_addoption(parser):
    parser.addoption(
        "--scale",
        default="hubei",
        choices=["demo", "hubei", "national"],
        help="seed scale for make bench",
    )


@pytest.fixture(scope="session", autouse=True)
def _real_services_are_up(django_db_setup):
    """The suite runs against the real PostgreSQL and Redis: fail (never skip) without them."""
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", (
        "Tests must run on PostgreSQL: set DATABASE_URL (make test does)."
    )
    assert settings.REDIS_URL, "Tests must run with Redis: set REDIS_URL (make test does)."
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3)
    assert client.ping(), f"Redis at {settings.REDIS_URL} did not answer PING"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Production settings use WhiteNoise's manifest, built by collectstatic at deploy time;
    tests render templates without running collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Org:
    """湖北 with 武汉 (江岸区, 江汉区) and 宜昌 (西陵区), 仙桃 (directly administered), and a
    second province 湖南 with 长沙 (芙蓉区) to prove cross-province scope."""

    hubei: object
    wuhan: object
    jiangan: object
    jianghan: object
    yichang: object
    xiling: object
    xiantao: object
    hunan: object
    changsha: object
    furong: object
    s_jiangan: object
    s_jiangan2: object
    s_jianghan: object
    s_xiling: object
    s_xiantao: object
    s_furong: object


@pytest.fixture
def org(db):
    hubei = f.province("420000", "湖北省公安厅")
    wuhan = f.city(hubei, "420100", "武汉市公安局")
    jiangan = f.county(wuhan, "420102", "江岸区公安分局")
    jianghan = f.county(wuhan, "420103", "江汉区公安分局")
    yichang = f.city(hubei, "420500", "宜昌市公安局")
    xiling = f.county(yichang, "420502", "西陵区公安分局")
    xiantao = f.city(hubei, "429004", "仙桃市公安局", directly_administered=True)
    hunan = f.province("430000", "湖南省公安厅")
    changsha = f.city(hunan, "430100", "长沙市公安局")
    furong = f.county(changsha, "430102", "芙蓉区公安分局")
    return Org(
        hubei=hubei,
        wuhan=wuhan,
        jiangan=jiangan,
        jianghan=jianghan,
        yichang=yichang,
        xiling=xiling,
        xiantao=xiantao,
        hunan=hunan,
        changsha=changsha,
        furong=furong,
        s_jiangan=f.StationFactory(bureau=jiangan, name="大智派出所", code="S420102001"),
        s_jiangan2=f.StationFactory(bureau=jiangan, name="球场派出所", code="S420102002"),
        s_jianghan=f.StationFactory(bureau=jianghan, name="民族派出所", code="S420103001"),
        s_xiling=f.StationFactory(bureau=xiling, name="西陵派出所", code="S420502001"),
        s_xiantao=f.StationFactory(bureau=xiantao, name="沙嘴派出所", code="S429004001"),
        s_furong=f.StationFactory(bureau=furong, name="定王台派出所", code="S430102001"),
    )


@dataclass
class Personas:
    admin: object
    province_bureau: object
    city_bureau: object
    county_bureau: object
    other_city_bureau: object
    leader: object
    cadre: object
    station: object
    other_province_bureau: object


@pytest.fixture
def personas(org):
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    f.AssignmentFactory(cadre=cadre, station=org.s_jiangan)
    return Personas(
        admin=f.UserFactory(username="admin", role="admin", is_superuser=True, is_staff=True),
        province_bureau=f.UserFactory(username="prov", role="bureau", bureau=org.hubei),
        city_bureau=f.UserFactory(username="wuhan", role="bureau", bureau=org.wuhan),
        county_bureau=f.UserFactory(username="jiangan", role="bureau", bureau=org.jiangan),
        other_city_bureau=f.UserFactory(username="yichang", role="bureau", bureau=org.yichang),
        leader=f.UserFactory(username="leader", role="leader", bureau=org.wuhan),
        cadre=cadre.user,
        station=f.UserFactory(username="dazhi", role="station", station=org.s_jiangan),
        other_province_bureau=f.UserFactory(username="hunan", role="bureau", bureau=org.hunan),
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
