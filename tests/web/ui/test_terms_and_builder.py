"""The filtering terms, browsed and searched by label and id with their scopes, added as chips
(by mouse and by keyboard alone), and the query builder over the whole variant language: each
query the page builds is the one expected, and the page's count is the API's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.demo.conftest import Loaded
from tests.web.ui.conftest import Tab
from tests.web.ui.helpers import answered, api, column, search, total
from tests.web.ui.servers import Demo, start_demo

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(loaded: Loaded, mongo_uri: str) -> AsyncIterator[Demo]:
    running = await start_demo(loaded, mongo_uri)
    yield running
    await running.close()


async def _terms(page: Any, text: str = "", scope: str = "", kind: str = "") -> list[str]:
    """The ids of the terms the browser lists for a search."""
    await page.select_option("#term-scope", scope)
    await page.select_option("#term-type", kind)
    await page.fill("#term-search", text)
    return await column(page, "#term-table", 2)


async def _sent(page: Any) -> dict[str, Any]:
    """The request the page shows it will send (its JSON body)."""
    text = await page.locator("#request-json").text_content()
    body: dict[str, Any] = json.loads(text.split("\n", 1)[1])
    return body


async def test_terms_are_found_by_label_id_scope_and_type(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    known = (await api(demo.network, "/api/filtering_terms"))["response"]["filteringTerms"]
    await page.click("#terms-browser summary")
    assert await page.inner_text("#terms-total") == f"{len(known)} terms"
    assert await page.locator("#terms option").count() == len(known)

    by_label = await _terms(page, "hypertension")
    assert "HP:0000822" in by_label
    labels = await column(page, "#term-table", 1)
    assert all("hypertension" in f"{i} {t}".lower() for i, t in zip(by_label, labels, strict=True))
    assert "HP:0001626" in await _terms(page, "HP:00016")
    scoped = await _terms(page, scope="genomicVariant")
    assert sorted(scoped) == sorted(t["id"] for t in known if "genomicVariant" in t["scopes"])
    numeric = await _terms(page, kind="alphanumeric")
    assert sorted(numeric) == sorted(t["id"] for t in known if t["type"] == "alphanumeric")
    assert await page.inner_text("#term-count") == (
        f"{len(numeric)} terms of {len(known)} match, {len(numeric)} shown"
    )
    assert tab.errors == []


async def test_terms_become_chips_and_filter_the_answer(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    await page.click("#terms-browser summary")
    # By keyboard alone: type in the search box, Enter adds the first match.
    await page.focus("#term-search")
    await page.keyboard.type("HP:0001626")
    await page.keyboard.press("Enter")
    chips = page.locator("#filters .chip")
    assert await chips.all_inner_texts() == [
        "Abnormality of the cardiovascular system (HP:0001626) ×"
    ]
    people = await search(page, "gene", "COMT", entry="individuals", granularity="count")
    expected = await api(
        demo.network, "/api/individuals?geneId=COMT&filters=HP:0001626&requestedGranularity=count"
    )
    assert people.startswith(f"Found: {total(expected)} individuals"), people

    # An alphanumeric term is compared with a value of its own.
    await _terms(page, "karyotypic")
    await page.click("#term-rows button:has-text('Compare')")
    await page.select_option("#compare-operator", "=")
    await page.fill("#compare-value", "XX")
    await page.keyboard.press("Enter")
    assert (await chips.all_inner_texts())[1] == "karyotypic sex (karyotypicSex=XX) ×"
    women = await search(page, "gene", "COMT", entry="individuals", granularity="count")
    expected = await api(
        demo.network,
        "/api/individuals?geneId=COMT&filters=HP:0001626,karyotypicSex:=XX"
        "&requestedGranularity=count",
    )
    assert women.startswith(f"Found: {total(expected)} individuals"), women

    # Chips go with their × button, by keyboard too.
    await page.focus("#filters .chip:first-child button")
    await page.keyboard.press("Enter")
    assert await chips.all_inner_texts() == ["karyotypic sex (karyotypicSex=XX) ×"]
    assert (await _sent(page))["query"]["filters"] == [
        {"id": "karyotypicSex", "operator": "=", "value": "XX"}
    ]
    assert tab.errors == []


async def test_a_term_of_several_scopes_is_added_with_the_scope_chosen(
    tab: Tab, demo: Demo
) -> None:
    page = await tab.open(demo.network)
    await page.click("#terms-browser summary")
    assert "GAZ:00002937" in await _terms(page, "Finland", scope="cohort")
    await page.click("#term-rows tr[data-id='GAZ:00002937'] button")
    assert await page.locator("#filters .chip").all_inner_texts() == [
        "Finland (GAZ:00002937) · cohort ×"
    ]
    summary = await search(page, "", "", entry="cohorts")
    assert (await _sent(page))["query"]["filters"] == [{"id": "GAZ:00002937", "scope": "cohort"}]
    assert summary.startswith("Found: 1 cohort on 1 node"), summary
    assert await column(page, "#records", 1) == ["synthetic-fi-cohort"]
    assert tab.errors == []


#: Builder kind, its fields (1-based, as typed), the requestParameters expected (0-based), and
#: the API query that must count the same.
QUERIES: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
    (
        "sequence",
        {"chrom": "22", "pos": "16050075", "ref": "A", "alt": "G"},
        {"referenceName": "22", "start": [16050074], "referenceBases": "A", "alternateBases": "G"},
        "referenceName=22&start=16050074&referenceBases=A&alternateBases=G",
    ),
    (
        "range",
        {"chrom": "22", "start": "19941000", "end": "19970000", "type": "SNP"},
        {"referenceName": "22", "start": [19940999], "end": [19970000], "variantType": "SNP"},
        "referenceName=22&start=19940999&end=19970000&variantType=SNP",
    ),
    (
        "bracket",
        {
            "chrom": "22",
            "start-min": "42120000",
            "start-max": "42125000",
            "end-min": "42130000",
            "end-max": "42135000",
            "type": "DEL",
        },
        {
            "referenceName": "22",
            "start": [42119999, 42124999],
            "end": [42130000, 42135000],
            "variantType": "DEL",
        },
        "referenceName=22&start=42119999,42124999&end=42130000,42135000&variantType=DEL",
    ),
    (
        "range",
        {
            "chrom": "22",
            "start": "1",
            "end": "50000000",
            "min-length": "1000",
            "max-length": "6000",
        },
        {
            "referenceName": "22",
            "start": [0],
            "end": [50000000],
            "variantMinLength": 1000,
            "variantMaxLength": 6000,
        },
        "referenceName=22&start=0&end=50000000&variantMinLength=1000&variantMaxLength=6000",
    ),
    (
        "gene",
        {"gene": "TBX1", "aa": "A183M"},
        {"geneId": "TBX1", "aminoacidChange": "A183M"},
        "geneId=TBX1&aminoacidChange=A183M",
    ),
    ("aminoacid", {"aa": "A183M"}, {"aminoacidChange": "A183M"}, "aminoacidChange=A183M"),
    (
        "hgvs",
        {"hgvs": "NC_000022.11:g.42122585_42131381del"},
        {"genomicAlleleShortForm": "NC_000022.11:g.42122585_42131381del"},
        "genomicAlleleShortForm=NC_000022.11:g.42122585_42131381del",
    ),
    ("assembly", {}, {}, ""),
]


async def test_the_builder_speaks_the_whole_variant_language(tab: Tab, demo: Demo) -> None:
    page = await tab.open(demo.network)
    await page.check("input[name=kind][value=builder]")
    await page.select_option("#granularity", "count")
    assert await page.locator("#query").is_hidden()
    seen = []
    for kind, fields, parameters, query in QUERIES:
        await page.select_option("#b-kind", kind)
        for field in await page.locator("#builder .field:visible").all():
            name = await field.get_attribute("data-field")
            control = field.locator("input, select")
            if await control.evaluate("e => e.tagName") == "SELECT":
                await control.select_option(fields.get(name, ""))
            else:
                await control.fill(fields.get(name, ""))
        await page.click("#go")
        summary = await answered(page)
        sent = (await _sent(page))["query"]["requestParameters"]
        assert sent == {**parameters, "assemblyId": "GRCh38"}, kind
        expected = await api(
            demo.network, f"/api/g_variants?{query}&assemblyId=GRCh38&requestedGranularity=count"
        )
        count = total(expected)
        assert summary.startswith(f"Found: {count} variant" if count else "Not found"), summary
        seen.append(count)
    assert all(seen), seen  # each kind finds something in the demo data
    # Only the fields of the kind chosen are offered.
    await page.select_option("#b-kind", "sequence")
    assert await page.locator("#b-pos").is_visible()
    assert await page.locator("#b-start").is_hidden()
    # A mistake the page can see is said before anything is sent.
    await page.select_option("#b-kind", "range")
    await page.fill("#b-start", "200")
    await page.fill("#b-end", "100")
    await page.click("#go")
    await page.wait_for_selector("#message.error")
    assert await page.inner_text("#message") == "End must not be before Start"
    assert await page.locator("#answer").is_hidden()
    assert tab.errors == []
