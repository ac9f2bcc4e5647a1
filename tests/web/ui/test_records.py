"""Record tables: every entry type, paging with the API's skip and limit, column choice,
sorting on the page, exports of everything found, and records opened with their cross-entry
links, each dataset at the granularity it answers at."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.demo.conftest import Loaded
from tests.web.ui.conftest import Tab
from tests.web.ui.helpers import VARIANT, answered, api, column, search, total
from tests.web.ui.servers import Demo, start_demo

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

CONTROLLED = "es:synthetic-es-controlled"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(loaded: Loaded, mongo_uri: str) -> AsyncIterator[Demo]:
    running = await start_demo(loaded, mongo_uri)
    yield running
    await running.close()


def ids(body: dict[str, Any]) -> list[str]:
    """The record ids of an API answer, set after set."""
    return [r["id"] for s in body["response"]["resultSets"] for r in s["results"]]


async def test_pages_are_the_apis_pages(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    summary = await search(page, "", "", entry="individuals")
    assert summary.startswith("Found: 72 individuals in 4 datasets on 3 nodes · record level")
    assert await page.inner_text("#page-info") == "Page 1 of 3 · up to 10 records per dataset"
    assert await page.is_disabled("#previous")
    for skip in range(3):
        if skip == 1:  # by keyboard: the focus stays on the button, the page turns under it
            await page.focus("#next")
            await page.keyboard.press("Enter")
            await answered(page)
            assert await page.evaluate("document.activeElement.id") == "next"
        elif skip:
            await page.click("#next")
            await answered(page)
        expected = await api(demo.network, f"/api/individuals?skip={skip}&limit=10")
        assert await column(page, "#records", 1) == ids(expected), skip
        assert await page.inner_text("#page-info") == (
            f"Page {skip + 1} of 3 · up to 10 records per dataset"
        )
    assert await page.is_disabled("#next")
    await page.click("#previous")
    await answered(page)
    assert await page.inner_text("#page-info") == "Page 2 of 3 · up to 10 records per dataset"
    await page.select_option("#page-size", "25")
    await answered(page)
    assert await page.inner_text("#page-info") == "Page 1 of 1 · up to 25 records per dataset"
    # Every record the API shows at record level, none of the controlled dataset's.
    assert await page.locator("#records tbody tr").count() == 24 + 24 + 16
    assert await page.locator(f"#records tbody tr[data-set='{CONTROLLED}']").count() == 0
    assert tab.errors == []


async def test_columns_are_chosen_and_sorted_on_the_page(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.nodes["fi"])
    await search(page, "", "", entry="individuals")
    headers = page.locator("#records thead th")
    assert await headers.all_inner_texts() == [
        "id",
        "sex",
        "karyotypicSex",
        "geographicOrigin",
        "diseases",
        "phenotypicFeatures",
        "dataset",
    ]
    await page.click("#columns summary")
    await page.uncheck("#col-geographicOrigin")
    await page.check("#col-ethnicity")
    labels = await headers.all_inner_texts()
    assert "geographicOrigin" not in labels
    assert "ethnicity" in labels
    assert set(await column(page, "#records", labels.index("ethnicity") + 1)) == {"European"}
    shown = await column(page, "#records", 1)
    await page.click("#records thead button[data-key='id']")
    assert await column(page, "#records", 1) == sorted(shown)
    assert await page.get_attribute("#records thead th:first-child", "aria-sort") == "ascending"
    await page.keyboard.press("Enter")  # the sort button keeps the focus: by keyboard, again
    assert await column(page, "#records", 1) == sorted(shown, reverse=True)
    assert await page.get_attribute("#records thead th:first-child", "aria-sort") == "descending"
    # The choice holds on the next page.
    await page.click("#next")
    await answered(page)
    assert "ethnicity" in await headers.all_inner_texts()
    assert tab.errors == []


async def _download(page: Any, button: str) -> str:
    async with page.expect_download() as waiting:
        await page.click(button)
    download = await waiting.value
    path = await download.path()
    return await asyncio.to_thread(Path(path).read_text, encoding="utf-8")


async def test_everything_found_is_exported(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    await search(page, "", "", entry="individuals")  # 3 pages of 10 per dataset
    every = await api(demo.network, "/api/individuals?limit=100")
    expected = sorted(ids(every))
    assert len(expected) == 64

    text = await _download(page, "#export-csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == await page.locator("#records thead th").all_inner_texts() + []
    assert sorted(r[0] for r in rows[1:]) == expected
    assert CONTROLLED not in {r[-2] for r in rows[1:]}
    sexes = {r[1] for r in rows[1:]}
    assert sexes == {"male (NCIT:C20197)", "female (NCIT:C16576)"}  # labels and ids, in full
    assert await page.inner_text("#message") == "exported 64 records as CSV"

    tsv = [line.split("\t") for line in (await _download(page, "#export-tsv")).splitlines()]
    assert tsv[0] == rows[0]
    assert sorted(r[0] for r in tsv[1:]) == expected

    records = json.loads(await _download(page, "#export-json"))
    assert sorted(r["record"]["id"] for r in records) == expected
    assert {r["resultSet"] for r in records} == {
        "fi:synthetic-fi",
        "de:synthetic-de",
        "es:synthetic-es",
    }
    assert tab.errors == []


async def test_a_variant_leads_to_its_carriers_and_back(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    await search(page, "variant", VARIANT)
    await page.click("#records tbody tr:first-child button.open")
    dialog = page.locator("#record")
    assert await page.inner_text("#record-title") == "Variant 22:16050075 A>G"
    assert await page.inner_text("#record-where") == "from dataset fi:synthetic-fi on node fi"
    assert await dialog.locator("#record-links button").all_inner_texts() == [
        "Its carriers (individuals)",
        "Its biosamples",
        "Its analyses",
        "Its runs",
    ]
    await page.click("#record-links button[data-target=individuals]")
    assert not await dialog.is_visible()
    summary = await answered(page)
    assert await page.evaluate("document.activeElement.id") == "answer-heading"
    carriers = await api(demo.network, f"/api/g_variants/{VARIANT}/individuals?limit=10")
    assert summary.startswith(f"Found: {total(carriers)} individuals in 4 datasets on 3 nodes")
    assert await page.inner_text("#trail-text") == "individuals of variant 22:16050075 A>G"
    assert await column(page, "#records", 1) == ids(carriers)
    # The controlled dataset counts its carriers, and shows none.
    levels = dict(zip(await column(page, "#sets", 1), await column(page, "#sets", 3), strict=True))
    assert levels[CONTROLLED] == "count only"

    # An individual of a node: asked of that node only, by the node's own id.
    spanish = page.locator("#records tbody tr[data-set='es:synthetic-es'] button.open").first
    person = await spanish.inner_text()
    await spanish.click()
    assert await page.inner_text("#record-title") == f"Individual {person}"
    await page.click("#record-links button[data-target=g_variants]")
    summary = await answered(page)
    theirs = await api(demo.network, f"/api/individuals/es:{person}/g_variants?limit=10")
    assert summary.startswith(f"Found: {total(theirs)} variant")
    assert f"/api/individuals/es%3A{person}/g_variants" in tab.api_paths()
    nodes = dict(
        zip(await column(page, "#per-node", 1), await column(page, "#per-node", 3), strict=True)
    )
    assert nodes == {
        "fi": "skipped: the id names node es",
        "de": "skipped: the id names node es",
        "es": "ok",
    }
    assert await page.inner_text("#back") == "← Back to individuals of variant 22:16050075 A>G"

    await page.click("#back")
    await answered(page)
    assert await column(page, "#records", 1) == ids(carriers)
    await page.click("#back")
    assert (await answered(page)).startswith("Found: 4 variant records")
    assert await page.locator("#trail").is_hidden()
    assert tab.errors == []


ENTRIES = ["g_variants", "individuals", "biosamples", "runs", "analyses", "cohorts", "datasets"]


async def test_every_entry_type_is_found_and_opened(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    for entry in ENTRIES:
        summary = await search(page, "", "", entry=entry)
        count = total(await api(demo.network, f"/api/{entry}?requestedGranularity=count"))
        noun = {"g_variants": "variant records", "analyses": "analyses"}.get(entry, entry)
        assert summary.startswith(f"Found: {count} {noun}"), (entry, summary)
        assert await page.locator("#records tbody tr").count() > 0, entry
        collection = entry in ("cohorts", "datasets")
        assert await page.is_disabled("#query") == collection  # no variant parameters there
        await page.click("#records tbody tr:first-child button.open")
        assert await page.locator("#record-fields dt").count() > 2, entry
        await page.click("#record-close")
    # Datasets: the controlled one, counted in every answer, is listed with the others.
    assert summary.startswith("Found: 4 datasets on 3 nodes ·"), summary
    # Each record has its own id; the node it comes from has a column of its own.
    assert sorted(await column(page, "#records", 1)) == [
        "synthetic-de",
        "synthetic-es",
        "synthetic-es-controlled",
        "synthetic-fi",
    ]
    # A cohort leads to its individuals.
    await search(page, "", "", entry="cohorts")
    await page.click("#records tbody tr:first-child button.open")
    await page.click("#record-links button[data-target=individuals]")
    first = (await api(demo.network, "/api/cohorts"))["response"]["collections"][0]
    cohort = f"{first['info']['nodeId']}:{first['id']}"  # the page links to that node's cohort
    members = await api(demo.network, f"/api/cohorts/{cohort}/individuals?limit=10")
    assert (await answered(page)).startswith(f"Found: {total(members)} individuals in 1 dataset")
    assert tab.errors == []


async def test_a_node_pages_and_counts_its_own_datasets(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.nodes["es"])
    summary = await search(page, "", "", entry="datasets")
    # The controlled one, counted in every answer, is listed beside the open one.
    assert summary.startswith("Found: 2 datasets ·"), summary
    assert await column(page, "#records", 1) == ["synthetic-es", "synthetic-es-controlled"]
    assert await page.inner_text("#page-info") == "Page 1 of 1 · up to 10 records per page"
    summary = await search(page, "", "", entry="biosamples")
    assert summary.startswith("Found: 24 biosamples in 2 datasets · record level"), summary
    assert await page.inner_text("#page-info") == "Page 1 of 2 · up to 10 records per dataset"
    assert "node" not in await page.locator("#records thead th").all_inner_texts()
    assert tab.errors == []
