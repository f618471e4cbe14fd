"""Browser fixtures: Debian's Chromium driven by Playwright, and the test's app on a live server.

Chromium is launched once per session from /usr/bin/chromium (Playwright's own browser downloads
are not used). Where it or Playwright is missing the tests skip, or fail when
FAIRHEAT_TEST_REQUIRE_BROWSER=1 (CI). Each test gets its own server on a free port, serving the
`app` fixture's app (so every browser test runs on SQLite and on PostgreSQL), with CSRF on so the
real forms are exercised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import REQUIRE_BROWSER, _unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not available: {CHROMIUM} is missing", REQUIRE_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"Chromium not available: cannot import playwright ({error})", REQUIRE_BROWSER)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception as error:
        playwright.stop()
        _unavailable(f"Chromium not available: launch failed ({error})", REQUIRE_BROWSER)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """CSRF on: the browser submits the real forms with their tokens."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test's app served on 127.0.0.1 in a thread; yields the base URL.

    Requests in the server thread push their own app contexts, so they get their own database
    sessions; whatever a test writes directly must be committed before the browser reads it.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def new_page(chromium: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (own cookies) on the live server.

    Pages take paths (page.goto("/fi/")). Contexts are closed after the test, before the server
    stops (this fixture depends on it), so no connection is left open to a stopped server.
    """
    contexts: list[Any] = []

    def open_page(locale: str = "en-GB", width: int = 1280, height: int = 900) -> Any:
        context = chromium.new_context(
            base_url=live_server, locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page in a new English-speaking browser context (the staff pages follow Accept-Language)."""
    return new_page()
