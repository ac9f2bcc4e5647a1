"""Searching over the network and over one node: the status, the answer worded by what was
counted, the per-node and per-dataset tables, the folded frequencies, and the rough edges
(a stale answer under a new error, /api/nodes asked of a node, hostile text)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.demo.conftest import Loaded
from tests.web.ui.conftest import Tab
from tests.web.ui.helpers import VARIANT, answered, api, column, search, total
from tests.web.ui.servers import Demo, start_demo

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(loaded: Loaded, mongo_uri: str) -> AsyncIterator[Demo]:
    running = await start_demo(loaded, mongo_uri)
    yield running
    await running.close()


async def test_one_variant_in_four_datasets_is_counted_as_what_it_is(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    chips = await page.locator("#status .chip").all_inner_texts()
    assert sorted(chips) == ["de (DE): up", "es (ES): up", "fi (FI): up"]

    summary = await search(page, "variant", VARIANT)
    # Four dataset records of one variant: never "4 variants".
    assert summary.startswith(
        "Found: 4 variant records in 4 datasets on 3 nodes (each dataset counts the variants "
        "it holds) · 1 distinct variant among the 3 shown · record level"
    ), summary
    assert [row.split("\t")[:3] for row in await column(page, "#per-node", 1)] == [
        ["fi"],
        ["de"],
        ["es"],
    ]
    sets = dict(zip(await column(page, "#sets", 1), await column(page, "#sets", 3), strict=True))
    assert sets == {
        "fi:synthetic-fi": "records",
        "de:synthetic-de": "records",
        "es:synthetic-es": "records",
        "es:synthetic-es-controlled": "count only",
    }
    # The controlled dataset is counted, and none of its records is shown.
    assert (
        await page.locator("#records tbody tr[data-set='es:synthetic-es-controlled']").count() == 0
    )
    assert await page.locator("#records tbody tr").count() == 3
    # One chart for the one variant, every country and sex in it; the short table is open.
    assert await page.locator("#charts figure").count() == 1
    label = await page.locator("#charts svg").get_attribute("aria-label")
    for population in ("FI", "FI_M", "FI_F", "DE", "DE_M", "DE_F", "ES", "ES_M", "ES_F"):
        assert re.search(rf"\b{population} 0\.\d{{4}}", label), (population, label)
    populations = set(await column(page, "#frequencies", 4))
    assert {"FI", "FI_M", "FI_F", "DE", "DE_M", "DE_F", "ES", "ES_M", "ES_F"} <= populations
    assert await page.locator("#frequency-table").get_attribute("open") is not None

    by_hgvs = await search(page, "variant", "NC_000022.11:g.16050075A>G")
    assert by_hgvs.startswith("Found: 4 variant records in 4 datasets on 3 nodes")
    assert tab.errors == []


async def test_a_gene_answer_is_a_page_not_a_scroll(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    summary = await search(page, "gene", "COMT")
    body = await api(demo.network, "/api/g_variants?geneId=COMT&requestedGranularity=count")
    assert summary.startswith(f"Found: {total(body)} variant records in 4 datasets on 3 nodes")
    distinct = int(re.search(r"(\d+) distinct variants", summary).group(1))  # type: ignore[union-attr]
    # One chart per distinct variant on the page, six shown until asked for all.
    charts = page.locator("#charts figure")
    assert await charts.count() == distinct > 6
    assert await page.locator("#charts figure:visible").count() == 6
    # The long table of numbers is folded away.
    assert await page.locator("#frequency-table").get_attribute("open") is None
    assert not await page.locator("#frequency-rows tr").first.is_visible()
    height = await page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height  # the old page was 9,300 pixels for this answer
    await page.click("#more-charts")
    assert await page.locator("#charts figure:visible").count() == distinct
    assert tab.errors == []


async def test_counts_and_regions_agree_with_the_api(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    region = await search(page, "region", "22:19941000-19970000", granularity="count")
    body = await api(
        demo.network,
        "/api/g_variants?referenceName=22&start=19940999&end=19970000&requestedGranularity=count",
    )
    assert region.startswith(
        f"Found: {total(body)} variant records on 3 nodes (each dataset counts the variants it "
        "holds) · count level"
    ), region
    assert await page.locator("#records-block").is_hidden()
    assert await page.locator("#frequencies-block").is_hidden()
    yes = await search(page, "gene", "COMT", granularity="boolean")
    assert yes.startswith("Found: yes, there are variants on 3 nodes (a yes/no answer")
    assert tab.errors == []


async def test_a_node_page_asks_the_node_only_what_it_has(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.nodes["es"])
    assert await page.inner_text("#status") == "this node: up"
    assert await page.inner_text("#status-heading") == "This beacon"
    summary = await search(page, "variant", VARIANT)
    assert summary.startswith(
        "Found: 2 variant records in 2 datasets (each dataset counts the variants it holds)"
        " · 1 distinct variant among the 1 shown"
    ), summary
    await search(page, "gene", "COMT", entry="individuals")
    # A node has no /api/nodes: the page knows it from /api/info and never asks.
    assert not [p for p in tab.api_paths() if p.startswith("/api/nodes")]
    assert tab.failures == []  # no 404 in the console either
    assert tab.errors == []


async def test_a_new_error_never_sits_over_an_old_answer(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.nodes["fi"])
    await search(page, "variant", VARIANT)
    assert await page.locator("#answer").is_visible()
    # A mistake the page catches: the old answer goes.
    await page.check("input[name=kind][value=region]")
    await page.fill("#query", "22:500-100")
    await page.click("#go")
    await page.wait_for_selector("#message.error")
    assert await page.inner_text("#message") == "a region needs 1 <= START <= END"
    assert await page.locator("#answer").is_hidden()
    # A 400 from the server: the same.
    await search(page, "variant", VARIANT)
    await page.fill("#filter", "NOT:A-TERM")
    await page.click("#go")
    await page.wait_for_selector("#message.error")
    assert re.match(r"^400: .*NOT:A-TERM", await page.inner_text("#message"))
    assert await page.locator("#answer").is_hidden()
    assert await page.inner_text("#summary") == ""


HOSTILE = '<img src=x id=injected onerror="document.title=1">'


async def _hostile_filter(page: Any) -> None:
    await page.fill("#filter", HOSTILE)
    await page.click("#add-filter")
    await page.check("input[name=kind][value=gene]")
    await page.fill("#query", "COMT")
    await page.click("#go")


def _shown_as_text(page: Any) -> Any:
    async def check() -> None:
        assert await page.locator("#injected").count() == 0
        assert HOSTILE in await page.inner_text("#filters")
        assert await page.title() != "1"

    return check()


async def test_what_the_servers_say_is_shown_as_text(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    await _hostile_filter(page)  # the network: no member lists it, a 400 naming the id
    await page.wait_for_selector("#message.error")
    assert re.match(r"^400: .*unknown filter", await page.inner_text("#message"))
    assert HOSTILE in await page.inner_text("#message")
    await _shown_as_text(page)
    page = await tab.open(demo.nodes["fi"])
    await _hostile_filter(page)  # a node: a 400 naming the id
    await page.wait_for_selector("#message.error")
    assert re.match(r"^400: .*is not known", await page.inner_text("#message"))
    assert HOSTILE in await page.inner_text("#message")
    await _shown_as_text(page)
    assert tab.errors == []
    assert tab.failures == [(400, "/api/g_variants")] * 2


async def test_a_slow_answer_never_overwrites_a_newer_one(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    held: list[str] = []

    async def slow_first(route: Any) -> None:
        if not held:
            held.append(route.request.url)
            await asyncio.sleep(1.0)  # the gene search is still on its way ...
        with contextlib.suppress(Exception):  # ... and was given up by the page meanwhile
            await route.continue_()

    await page.route("**/api/g_variants", slow_first)
    await page.check("input[name=kind][value=gene]")
    await page.fill("#query", "COMT")
    await page.click("#go")
    summary = await search(page, "variant", VARIANT)  # asked while the first is held
    assert summary.startswith("Found: 4 variant records"), summary
    await asyncio.sleep(1.2)  # the first would have landed by now
    assert await page.inner_text("#summary") == summary
    assert await page.inner_text("#message") == ""
    assert held
    assert tab.errors == []


async def test_every_control_has_a_name_and_the_keyboard_does_it_all(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    nameless = await page.evaluate(
        """() => [...document.querySelectorAll("input, select, button, textarea")]
            .filter((e) => e.type !== "hidden")
            .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")
                && !(e.tagName === "BUTTON" && e.textContent.trim()))
            .map((e) => e.id || e.outerHTML)"""
    )
    assert nameless == []
    # Type a variant, Enter searches; Tab reaches the first record, Enter opens it, Escape
    # closes it again.
    await page.focus("#query")
    await page.keyboard.type(VARIANT)
    await page.keyboard.press("Enter")
    assert (await answered(page)).startswith("Found: 4 variant records")
    await page.focus("#records thead th:last-child button")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.classList.contains('open')")
    await page.keyboard.press("Enter")
    assert await page.locator("#record").is_visible()
    assert await page.evaluate("document.activeElement.dataset.target") == "individuals"
    await page.keyboard.press("Escape")
    assert await page.locator("#record").is_hidden()
    assert tab.errors == []
