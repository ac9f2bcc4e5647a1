"""The query page in a real browser: Debian's chromium, driven by Playwright.

One browser per test module, started in the module's event loop (the modules mark their tests
``loop_scope="module"``); each test gets its own browser context (its own sessionStorage) and
tab, which records the page's errors, its console errors and the API requests it made. When a
test fails, a screenshot of its tab is kept in ``$BEACON_TEST_ARTIFACTS`` (default
``.test-artifacts/``) as ``web-<test>.png``. Without chromium the tests skip, saying why.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.demo.conftest import loaded

__all__ = ["loaded"]

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
ROOT = Path(__file__).parents[3]
ARTIFACTS = Path(os.environ.get("BEACON_TEST_ARTIFACTS") or ROOT / ".test-artifacts")
OUTCOMES = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report, so a tab knows at teardown whether its test failed."""
    report = yield
    item.stash.setdefault(OUTCOMES, {})[report.when] = report
    return report


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.skip(f"no browser: {CHROMIUM} is missing (Debian: apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Tab:
    """A tab and what it saw: uncaught errors and console errors (but the console's line for
    each failed load: the loads are in ``failures``), the API requests it made."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)  # (status, path) of 4xx/5xx

    async def open(self, url: str) -> Any:
        """The query page at ``url``, once it has loaded its furniture."""
        await self.page.goto(url)
        await self.page.wait_for_selector("body[data-ready=true]")
        return self.page

    def api_paths(self) -> list[str]:
        return [_path(url) for url in self.requests if "/api/" in url]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _console(tab: Tab, message: Any) -> None:
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        tab.errors.append(f"console: {message.text}")


async def new_tab(browser: Any) -> Tab:
    context = await browser.new_context(
        accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    tab = Tab(page)
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    page.on("console", lambda message: _console(tab, message))
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on(
        "response",
        lambda response: (
            tab.failures.append((response.status, _path(response.url)))
            if response.status >= 400
            else None
        ),
    )
    return tab


async def keep_screenshot(request: pytest.FixtureRequest, tab: Tab) -> None:
    """The failed test's screenshot; a passing test removes the one of an earlier failure."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    path = ARTIFACTS / f"web-{name}.png"
    outcomes = request.node.stash.get(OUTCOMES, {})
    if not any(report.failed for report in outcomes.values()):
        await asyncio.to_thread(path.unlink, missing_ok=True)
        return
    await asyncio.to_thread(ARTIFACTS.mkdir, parents=True, exist_ok=True)
    await tab.page.screenshot(path=str(path), full_page=True)


@pytest_asyncio.fixture(loop_scope="module")
async def tab(browser: Any, request: pytest.FixtureRequest) -> AsyncIterator[Tab]:
    """A fresh tab (its own context); a screenshot is kept if the test fails."""
    opened = await new_tab(browser)
    try:
        yield opened
    finally:
        try:
            await keep_screenshot(request, opened)
        finally:
            await opened.page.context.close()
