"""The query page in a real browser (Debian's chromium, driven by Playwright) over the network.

One browser session walks through what a user does: the node status, a variant by position
and by HGVS, a region, a gene with a phenotype filter, and a hostile filter id that must come
back as text, never as markup. Skipped, saying why, when chromium is not installed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.demo.conftest import Federation, get_ok

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
]
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.slow


@pytest.fixture
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


async def _open(browser: Any, url: str) -> Any:
    """A tab on the query page at ``url``, once it has loaded its furniture."""
    tab = await browser.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    await tab.goto(url)
    await tab.wait_for_selector("body[data-ready=true]")
    return tab


@pytest.fixture
async def page(browser: Any, federation: Federation) -> Any:
    """The network's query page."""
    return await _open(browser, str(federation.client.make_url("/")))


async def _search(page: Any, kind: str, text: str, entry: str = "g_variants") -> str:
    await page.check(f"input[name=kind][value={kind}]")
    await page.fill("#query", text)
    await page.select_option("#entry", entry)
    await page.click("#go")
    await page.wait_for_selector("#message:not(.busy)", state="attached")
    await page.wait_for_selector("#answer:not([hidden])")
    return str(await page.inner_text("#summary"))


async def test_a_user_queries_the_network(page: Any, network: Any) -> None:
    chips = await page.locator("#status .chip").all_inner_texts()
    assert sorted(chips) == ["de (DE): up", "es (ES): up", "fi (FI): up"]
    terms = await page.locator("#terms option").count()
    assert terms > 20

    summary = await _search(page, "variant", "22-16050075-A-G")
    assert summary.startswith("Found: 4 variants (record level")
    nodes = await page.locator("#per-node tbody tr").all_inner_texts()
    assert [row.split("\t")[:3] for row in nodes] == [
        ["fi", "FI", "ok"],
        ["de", "DE", "ok"],
        ["es", "ES", "ok"],
    ]
    populations = set(await page.locator("#frequencies tbody tr td:nth-child(4)").all_inner_texts())
    assert {"FI", "FI_M", "FI_F", "DE", "DE_M", "DE_F", "ES", "ES_M", "ES_F"} <= populations
    sets = await page.locator("#result-sets details summary").all_inner_texts()
    assert any(
        s.startswith("es:synthetic-es-controlled") and "access is controlled" in s for s in sets
    )

    assert (await _search(page, "variant", "NC_000022.11:g.16050075A>G")).startswith("Found: 4")

    await page.select_option("#granularity", "count")
    region = await _search(page, "region", "22:19941000-19970000")
    api = await get_ok(
        network,
        "/api/g_variants?referenceName=22&start=19940999&end=19970000&requestedGranularity=count",
    )
    assert region.startswith(f"Found: {api['responseSummary']['numTotalResults']} variants")

    await page.fill("#filter", "HP:0001626")
    await page.click("#add-filter")
    assert await page.locator("#filters .chip").all_inner_texts() == ["HP:0001626 ×"]
    people = await _search(page, "gene", "COMT", entry="individuals")
    api = await get_ok(
        network, "/api/individuals?geneId=COMT&filters=HP:0001626&requestedGranularity=count"
    )
    assert people.startswith(f"Found: {api['responseSummary']['numTotalResults']} individuals")
    assert page.errors == []


HOSTILE = '<img src=x id=injected onerror="document.title=1">'


async def _hostile_filter(tab: Any) -> None:
    await tab.fill("#filter", HOSTILE)
    await tab.click("#add-filter")
    await tab.check("input[name=kind][value=gene]")
    await tab.fill("#query", "COMT")
    await tab.click("#go")


async def test_what_the_servers_say_is_shown_as_text(
    browser: Any, page: Any, federation: Federation
) -> None:
    await _hostile_filter(page)  # the network: every node skipped, the reason names the id
    await page.wait_for_selector("#per-node tbody tr.skipped")
    assert HOSTILE in await page.inner_text("#per-node")
    node = await _open(browser, federation.nodes["fi"])  # a node: a 400 naming the id
    assert await node.inner_text("#status") == "this node: up"
    await _hostile_filter(node)
    await node.wait_for_selector("#message.error")
    assert re.match(r"^400: .*is not known", await node.inner_text("#message"))
    assert HOSTILE in await node.inner_text("#message")
    for tab in (page, node):
        assert await tab.locator("#injected").count() == 0
        assert HOSTILE in await tab.inner_text("#filters")
        assert await tab.title() != "1"
        assert tab.errors == []
