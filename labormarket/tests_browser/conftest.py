"""Fixtures for the browser journeys.

* ``browser`` — one headless Debian chromium per session (``/usr/bin/chromium``, or
  ``$BROWSER_TESTS_CHROMIUM``; Playwright cannot download browsers here). Missing chromium skips
  the tests, or fails them when the ``CI`` environment variable is set.
* ``page`` — a fresh browser context per test (no cookies leak between tests), locale ru-RU,
  10 s default timeout. JavaScript errors and failed static files fail the test; a failing test
  leaves ``FAILED-<test>.png`` next to the other screenshots.
* ``site`` — the live server plus helpers: ``site.url("/path/")``, ``site.shot(page, name)``
  (screenshots to ``artifacts/browser/`` at the repository root), ``site.sign_in(...)``.

Playwright's sync API runs an asyncio loop in the test thread, and Django refuses ORM calls
when a loop is running (``SynchronousOnlyOperation``); ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set
while the browser is up. The database is touched only from this thread and the live server's.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium phones home at start-up and the closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"


def _unavailable(reason: str) -> NoReturn:
    message = f"Browser tests need {reason}. Install it with `make browser-deps`."
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item so that ``page`` can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A test database file of this run's own for SQLite.

    The settings give every run the same ``var/test.sqlite3``; a second pytest started meanwhile
    (the main suite, say) deletes and recreates it under the live server ("disk I/O error").
    Only session set-up for these tests is affected: the main run deselects them.
    """
    from django.conf import settings

    for db_settings in settings.DATABASES.values():
        name = str(db_settings.get("TEST", {}).get("NAME") or "")
        if db_settings["ENGINE"].endswith("sqlite3") and name and ":memory:" not in name:
            path = Path(name)
            db_settings["TEST"]["NAME"] = str(
                path.with_name(f"{path.stem}-browser-{os.getpid()}{path.suffix}")
            )


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    # django_db_setup first: the test database must exist before the asyncio loop starts, and
    # must be dropped only after the browser (and its loop) has gone.
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Debian's chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import Error, expect, sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("the Python package playwright")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            try:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
            except Error as error:
                _unavailable(f"a chromium that starts ({error.message.splitlines()[0]})")
            yield browser
            browser.close()
        finally:
            playwright.stop()


@dataclass
class PageProblems:
    """What went wrong in the page that the test itself may not look at."""

    errors: list[str] = field(default_factory=list)
    bad_static: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="ru-RU", viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            problems.bad_static.append(f"{response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        with contextlib.suppress(Exception):  # the screenshot is a courtesy
            page.screenshot(path=ARTIFACTS / f"FAILED-{name}.png", full_page=True)
    context.close()
    assert not problems.errors, f"JavaScript errors in the page: {problems.errors}"
    assert not problems.bad_static, f"Static files failed to load: {problems.bad_static}"


@dataclass
class Site:
    """The live server as the tests use it."""

    base: str

    def url(self, path: str = "/") -> str:
        return self.base + path

    def path_of(self, page: Page) -> str:
        """The page's URL without the scheme and host (path and query)."""
        assert page.url.startswith(self.base), page.url
        return page.url[len(self.base) :]

    def shot(self, page: Page, name: str) -> Path:
        path = ARTIFACTS / name
        page.screenshot(path=path, full_page=True)
        return path

    def sign_in(self, page: Page, identifier: str, password: str) -> None:
        """Open the sign-in page, fill it in and submit; wait for the answer to load."""
        page.goto(self.url("/accounts/login/"))
        self.submit_sign_in(page, identifier, password)

    def submit_sign_in(self, page: Page, identifier: str, password: str) -> None:
        page.fill("#id_username", identifier)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")


@pytest.fixture
def site(live_server: Any) -> Site:
    return Site(base=live_server.url)
