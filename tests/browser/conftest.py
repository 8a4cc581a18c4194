"""Browser smoke tests: a real Chromium (Debian's package, never a Playwright download) driven
through Playwright's sync API against pytest-django's live server.

Locally a missing chromium skips these tests; in CI (``CI=true``) it fails them, so CI cannot
silently lose them."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django would then refuse
# ORM calls there ("You cannot call this from an async context"). The test thread only sets up
# data and never shares a connection with the loop, so this is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _serialise_live_server_on_in_memory_sqlite() -> None:
    """One request at a time when the live server shares the test's in-memory SQLite.

    pytest-django hands the server thread the test's own in-memory SQLite connection, and the
    threaded server then runs the browser's parallel requests (the map asks for several layers
    at once) on that one ``sqlite3`` connection from several threads. That connection is not
    safe for concurrent use: CI once saw "no more rows available" while a session was saved,
    and the request answered 400. On PostgreSQL every thread has its own connection and the
    server stays fully threaded."""
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    class SerialisedWSGIServer(ThreadedWSGIServer):
        lock = threading.Lock()

        def set_app(self, application):
            lock = self.lock

            def serialised(environ, start_response):
                with lock:
                    return application(environ, start_response)

            super().set_app(serialised)

    create_server = LiveServerThread._create_server

    def _create_server(self, connections_override=None):
        if not connections_override:
            return create_server(self, connections_override=connections_override)
        return SerialisedWSGIServer(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )

    LiveServerThread._create_server = _create_server


_serialise_live_server_on_in_memory_sqlite()

DEMO_PASSWORD = "streetbrain-demo"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    "browser tests skipped: Debian's chromium is not installed (apt-get install chromium)"
)


def find_chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM.replace("skipped", "failed (CI=true)"), pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_data(transactional_db):
    """The demo org tree, departments and accounts, with their key figures."""
    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.demo import core as demo
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext

    ctx = DemoContext(password=DEMO_PASSWORD)
    demo.load(ctx)
    registry_demo.load(ctx)  # at the test scale (settings.STREETBRAIN["DEMO_SCALE"])
    refresh_key_figures()
    return ctx


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


# Requests the map itself aborts when a newer view or query supersedes them.
SUPERSEDED = ("/api/map/layers/", "/api/map/search/")


class PageProblems:
    """Console errors, failed requests and same-origin HTTP errors seen by a page."""

    def __init__(self, origin: str):
        self.origin = origin
        self.items: list[str] = []

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def attach(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.items.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def _on_request_failed(self, request) -> None:
        # Chromium aborts the favicon's request when the page navigates on before it
        # arrives (a click right after load, on a busy machine): the browser's doing, not a
        # failure of ours. The map aborts its own layer and search requests when a newer
        # view or query supersedes them (map.js, AbortController): by design, not a failure.
        # Every other aborted or failed request counts.
        path = urlsplit(request.url).path
        if request.failure == "net::ERR_ABORTED" and (
            path.endswith("/favicon.svg") or path.startswith(SUPERSEDED)
        ):
            return
        self.items.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if response.status >= 400 and self._same_origin(response.url):
            self.items.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def check(self) -> None:
        assert not self.items, "browser problems:\n" + "\n".join(self.items)


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(locale)`` gives a fresh context's page and its problem collector."""
    contexts = []

    def make(locale: str = "zh-CN"):
        context = browser.new_context(
            locale=locale, base_url=live_server.url, viewport={"width": 1366, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems(live_server.url.rstrip("/"))
        problems.attach(page)
        return page, problems

    yield make
    for context in contexts:
        context.close()
