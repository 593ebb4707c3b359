"""The main navigation: each role reaches the pages of the three lists it works with, and
every link it is shown opens (no link leads to a refusal)."""

import re

import pytest
from django.urls import reverse

PROBLEM_PAGES = {
    "raise": "checklists:problem-new",
    "import": "checklists:problem-import",
    "board": "checklists:board",
    "my work": "checklists:my-work",
    "counters": "checklists:counters",
}
# persona → the problem pages its navigation offers (the others it must not offer).
OFFERED = {
    "cadre": {"raise", "board", "my work"},
    "station": {"board", "my work"},
    "county_bureau": {"raise", "import", "board", "my work", "counters"},
    "province_bureau": {"raise", "import", "board", "my work", "counters"},
    "leader": {"board", "my work", "counters"},
    "admin": set(PROBLEM_PAGES),
}
NAV = re.compile(r'<nav class="mainnav">(.*?)</nav>', re.S)


def _nav_links(client) -> list[str]:
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    return re.findall(r'href="([^"]+)"', NAV.search(response.content.decode()).group(1))


@pytest.mark.parametrize("persona", sorted(OFFERED))
def test_each_role_reaches_its_problem_pages_and_every_nav_link_opens(login, personas, persona):
    client = login(getattr(personas, persona))
    links = _nav_links(client)

    offered = {name for name, route in PROBLEM_PAGES.items() if reverse(route) in links}
    assert offered == OFFERED[persona]
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_nav_names_the_problem_pages_in_chinese(login, personas):
    page = login(personas.county_bureau).get(reverse("checklists:board")).content.decode()
    nav = NAV.search(page).group(1)
    for label in ("问题清单公开发布", "提出问题", "导入问题清单", "我的工作", "问题统计"):
        assert label in nav
