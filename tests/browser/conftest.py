"""Playwright drives Debian's Chromium against pytest-django's live server.

`playwright install` cannot download a browser here, so pytest-playwright launches the
system binary. DJANGO_ALLOW_ASYNC_UNSAFE (tests/conftest.py) lets tests use the ORM while
Playwright's event loop runs in the same thread.
"""

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chinese is the interface's default language; the browser asks for it as users' do.
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def log_in(live_server, page):
    """Log in through the real login form (django-axes sees a real request)."""

    def _log_in(username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _log_in


def nav_click(page, name: str) -> None:
    """Follow the main navigation's link ``name``, opening the menu it is grouped in first
    (a closed <details> hides its links, as it does from a user)."""
    nav = page.locator("nav.mainnav")
    # ``has`` is matched inside each group, so the link locator starts from the page.
    link = page.get_by_role("link", name=name, exact=True, include_hidden=True)
    group = nav.locator("details.navgroup", has=link)
    if group.count() and not group.evaluate("d => d.open"):
        group.locator("summary").click()
    nav.get_by_role("link", name=name, exact=True).click()
