"""A load written in another layout of the store (an older ingester's) is never read as if it
had this one: its queries are a 503 saying to reload it, the node says so when it starts, and a
reload with this ingester serves it again."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from beacon.store import collections as c
from beacon.store.client import Database
from ingest import pipeline
from tests.conftest import CHECKLIST, Client
from tests.official import assert_response

QUERY = "/api/g_variants?referenceName=17&start=7577120&alternateBases=A"


async def _unstamp(db: Database, dataset: str, group: str) -> None:
    """What a load written before loads were stamped looks like in the catalog."""
    await db[c.CATALOG].update_one(
        {"_id": dataset}, {"$unset": {f"{c.CAT_LOADS}.{group}.{c.CAT_LAYOUT}": ""}}
    )


async def test_every_published_load_is_stamped_with_its_layout(checklist: Database) -> None:
    async for doc in checklist[c.CATALOG].find({}):
        stamped = {group: info[c.CAT_LAYOUT] for group, info in doc[c.CAT_LOADS].items()}
        assert stamped == {"variants": c.LAYOUTS["variants"], "metadata": c.LAYOUTS["metadata"]}


async def test_a_load_of_an_older_layout_is_a_503_naming_it_until_reloaded(
    checklist: Database,
    node: Callable[..., Awaitable[Client]],
    run_options: pipeline.RunOptions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _unstamp(checklist, "ds1", "variants")
    with caplog.at_level(logging.ERROR, logger="beacon.node.app"):
        api = await node(BEACON_CATALOG_TTL="0")
    assert any(
        "dataset 'ds1': its variants were loaded in store layout 0" in m for m in caplog.messages
    )
    for path in (QUERY, "/api/individuals", "/api/g_variants?datasetIds=ds1"):
        response = await api.get(path)
        body = await response.json()
        assert response.status == 503, body
        assert_response(body)
        message = body["error"]["errorMessage"]
        assert "dataset 'ds1': its variants were loaded in store layout 0" in message
        assert "beacon-ingest vcf ... --dataset ds1" in message
    # Datasets that are not stale still answer on their own, and so do the dataset records.
    alone = await api.get(f"{QUERY}&datasetIds=ds2")
    assert alone.status == 200
    assert (await api.get("/api/datasets")).status == 200
    folder = CHECKLIST / "ds1"
    await pipeline.run_bff_variants(
        checklist, "ds1", folder / "genomicVariations.json", "GRCh38", run_options
    )
    again = await api.get(QUERY)
    body = await again.json()
    assert again.status == 200, body
    assert body["responseSummary"]["exists"] is True


async def test_a_metadata_load_of_another_layout_is_refused_too(
    checklist: Database, node: Callable[..., Awaitable[Client]]
) -> None:
    await checklist[c.CATALOG].update_one(
        {"_id": "ds2"}, {"$set": {f"{c.CAT_LOADS}.metadata.{c.CAT_LAYOUT}": 99}}
    )
    api = await node(BEACON_CATALOG_TTL="0")
    response = await api.get("/api/individuals?datasetIds=ds2")
    body = await response.json()
    assert response.status == 503
    assert_response(body)
    message = body["error"]["errorMessage"]
    assert "its metadata were loaded in store layout 99" in message
    assert "beacon-ingest metadata ... --dataset ds2" in message
