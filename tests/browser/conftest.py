"""Browser tests: sync Playwright driving Debian's Chromium against pytest-django's live_server.

Every test collected under tests/browser is marked `browser` (see pytest_itemcollected), so
`-m "not browser"` leaves them all out, new files included.
"""

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
DEFAULT_TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark every test in this directory `browser`: a new file cannot forget it.

    Called through the item's own hook proxy, so only for items under tests/browser; and during
    collection, before `-m` selects.
    """
    item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the item (item.rep_setup, item.rep_call...) for fixtures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser():
    """Chromium, launched once for the tests in tests/browser and closed when they are done.

    From start to stop, sync Playwright keeps an asyncio event loop running in this thread, so
    Django's async-safety guard would raise SynchronousOnlyOperation on every ORM call made
    meanwhile (by the test, the factories, pytest-django's flush), although all of them are
    synchronous. DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that time (Django reads it at each
    call): package scope stops Playwright, and restores the guard, before any test outside
    tests/browser runs. A per-test setting would not do: the loop outlives the test, and the
    flush of its transactional database comes after a function fixture's teardown.
    """
    if not CHROMIUM.exists():
        message = "Chromium not installed (apt-get install -y chromium); browser tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests, never skip them.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


# The migrations that grant the Teachers group its permissions, each with TEACHER_PERMISSIONS.
TEACHER_PERMISSION_MIGRATIONS = ["0002_teachers_group", "0008_teachers_see_exam_history"]


def ensure_teachers_group() -> None:
    """Re-create the Teachers group that migrations 0002 and 0008 make, with their permissions.

    A transactional test ends with a flush, which empties every table, migration data included.
    Serialized rollback cannot restore it here: while sync Playwright's event loop runs,
    Django's thread-critical connection storage switches to a context-local copy, so the
    connection seen during these tests is not the one the serialized data was attached to.
    """
    from django.contrib.auth.models import Group, Permission

    codenames = []
    for name in TEACHER_PERMISSION_MIGRATIONS:
        migration = importlib.import_module(f"quizzes.migrations.{name}")
        codenames += [
            f"{action}_{model}"
            for models in migration.TEACHER_PERMISSIONS.values()
            for model, actions in models.items()
            for action in actions
        ]
    group, _ = Group.objects.get_or_create(name="Teachers")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["quizzes", "auth"], codename__in=codenames
        )
    )


@pytest.fixture(autouse=True)
def _browser_db(live_server, transactional_db):
    """Every browser test gets the live server and a real (transactional) database."""
    ensure_teachers_group()


class InFlight:
    """Requests a browser context has sent and not yet seen answered. A test that ends while an
    autosave is on its way would leave the live server writing to a database being torn down;
    `settle` waits (a few seconds at most) for them before the context closes."""

    def __init__(self, context: Any) -> None:
        self.count = 0
        context.on("request", lambda _request: self._add(1))
        context.on("requestfinished", lambda _request: self._add(-1))
        context.on("requestfailed", lambda _request: self._add(-1))

    def _add(self, step: int) -> None:
        self.count = max(0, self.count + step)

    def settle(self, context: Any) -> None:
        if not self.count or not context.pages:
            return
        waiter = context.pages[0]
        for _ in range(100):  # 5 s
            waiter.wait_for_timeout(50)  # lets Playwright deliver the events
            if not self.count:
                break
        waiter.wait_for_timeout(100)  # the server's own end of the request


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A laptop-sized page. An uncaught JavaScript error in it fails the test (at teardown)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    js_errors: list[str] = []
    context.on("weberror", lambda web_error: js_errors.append(str(web_error.error)))
    in_flight = InFlight(context)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
        except Exception as error:  # the page may be gone; never hide the test's own failure
            print(f"could not save a failure screenshot: {error}")
    in_flight.settle(context)
    context.close()
    assert not js_errors, f"uncaught JavaScript errors: {js_errors}"


def login(page, live_server, username: str, password: str) -> None:
    """Log in through the admin login form, as a person would."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


@pytest.fixture
def admin_login() -> Callable[..., None]:
    """admin_login(page, live_server, username, password) logs in through /admin/login/."""
    return login


@pytest.fixture
def new_page(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """new_page(**context_options) opens a page in a fresh context (closed after the test).

    For what the `page` fixture cannot do: JavaScript off, a phone-sized viewport. A failing
    test saves a screenshot of each page it opened, and an uncaught JavaScript error fails the
    test, as with `page`.
    """
    contexts = []
    in_flight: list[InFlight] = []
    js_errors: list[str] = []

    def open_page(**options: Any):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("weberror", lambda web_error: js_errors.append(str(web_error.error)))
        contexts.append(context)
        in_flight.append(InFlight(context))
        return context.new_page()

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for index, context in enumerate(contexts):
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
            for page in context.pages:
                try:
                    page.screenshot(
                        path=str(ARTIFACTS / f"failed-{name}-{index}.png"), full_page=True
                    )
                except Exception as error:  # never hide the test's own failure
                    print(f"could not save a failure screenshot: {error}")
        in_flight[index].settle(context)
        context.close()
    assert not js_errors, f"uncaught JavaScript errors: {js_errors}"


def log_in_as(page, live_server, user) -> None:
    """Give the page's browser a session for `user` (no login form: for tests about other pages)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


class Network:
    """Cut and restore a page's connection.

    Every request is dropped while the network is down, so the server provably gets nothing.
    `cut(emulate_offline=True)` also tells the page it is offline (navigator.onLine, and an
    "online" event on restore); but Chromium's offline emulation lets a form post (a
    navigation) through to a server on localhost, so tests of posts cut with it off.
    """

    def __init__(self, page) -> None:
        self.context = page.context
        self.is_down = False
        self.is_emulated = False
        self.context.route("**/*", self._handle)

    def _handle(self, route) -> None:
        if self.is_down:
            route.abort("internetdisconnected")
        else:
            route.fallback()

    def cut(self, *, emulate_offline: bool = True) -> None:
        self.is_down = True
        self.is_emulated = emulate_offline
        if emulate_offline:
            self.context.set_offline(True)

    def restore(self) -> None:
        self.is_down = False
        if self.is_emulated:
            self.context.set_offline(False)


@pytest.fixture
def network(page) -> Network:
    """The `page` fixture's connection, to cut and restore (see Network)."""
    return Network(page)
