"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium per test session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Any]]:
    """Opens a page in a browser context of its own (own cookies), with the live server as
    base URL: a second person at the same time, a browser without JavaScript
    (`new_page(java_script_enabled=False)`). Keyword arguments go to `browser.new_context`.
    Every context it opened is closed after the test."""
    contexts: list[Any] = []

    def _open(**options: Any) -> Any:
        context = browser.new_context(**{"base_url": live_server, "locale": "de-DE", **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> object:
    """A fresh browser page (own cookies) with the live server as base URL."""
    return new_page()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-output/screenshots for reviewers."""

    def _shot(name: str, of: Any = None) -> Path:
        """`of`: another page than the test's `page` (one from `new_page`, say)."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        backend = (
            request.node.callspec.params.get("database_url", "db")
            if hasattr(request.node, "callspec")
            else "db"
        )
        path = OUTPUT / f"{name}-{backend}.png"
        (page if of is None else of).screenshot(path=str(path), full_page=True)
        return path

    return _shot
