"""Browser tests: Playwright driving Debian's chromium against the live test server.

Without chromium the tests skip with a loud message; under CI (``CI`` set) that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make beside it are
# still synchronous and single-threaded.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
DESKTOP = {"width": 1366, "height": 850}
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("JINGPEI_SCREENSHOTS", "")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        message = "chromium not found: browser tests cannot run (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def _context(browser, viewport, **kw):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **kw)
    context.set_default_timeout(15000)
    return context


class OneAtATime:
    """The live server's WSGI app, one request at a time when the test database is SQLite in memory.

    Django then hands every server thread the test's one connection (a second connection would open
    another, empty, database); two requests at once (a video's range request beside a heartbeat) ran
    their transactions on it together, and one's savepoint vanished under the other ("no such
    savepoint"). Only the app's call is serialised: a streamed body (the video) is sent outside the lock,
    and reads no database. ``app`` may be replaced to put something in front of Django inside the lock.
    """

    def __init__(self, app, *, serialise: bool):
        self.app = app
        self.lock = threading.Lock() if serialise else contextlib.nullcontext()

    def __call__(self, environ, start_response):
        with self.lock:
            return self.app(environ, start_response)


@pytest.fixture(autouse=True)
def served(request):
    """The live server's app (:class:`OneAtATime`), for tests that use the live server; else None."""
    if "live_server" not in request.fixturenames:
        yield None
        return
    from django.db import connection

    httpd = request.getfixturevalue("live_server").thread.httpd
    django_app = httpd.get_app()
    wrapper = OneAtATime(django_app, serialise=connection.vendor == "sqlite" and connection.is_in_memory_db())
    httpd.set_app(wrapper)
    yield wrapper
    httpd.set_app(django_app)


@pytest.fixture
def desktop(browser, live_server):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = _context(
        browser,
        PHONE,
        is_mobile=True,
        has_touch=True,
        user_agent="Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.40",
    )
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def login(page, username: str, password: str = "Secret-pass-2026") -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shot(page, name: str) -> None:
    """Save a screenshot when JINGPEI_SCREENSHOTS names a folder (for looking at the pages)."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
