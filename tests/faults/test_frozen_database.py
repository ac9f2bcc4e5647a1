"""A frozen database (SIGSTOP: connections stay open, nothing answers) cannot hold a request.

The embedded engine ignores ``maxTimeMS``, so only the client's own bound ends a request: data
requests are a 503 envelope within ``mongodb.query_timeout_ms`` plus a second, /health says
the database is unavailable within a couple of seconds, and both recover once it runs again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from typing import Any

from beacon.config import Settings
from beacon.node.app import create_app
from beacon.store import client as store_client
from beacon.store import engine
from ingest import pipeline
from tests.conftest import CHECKLIST, BeaconTestServer

TIMEOUT_MS = 1500
QUERIES = [
    "/api/g_variants?referenceName=17&start=7577120&referenceBases=G&alternateBases=A",
    "/api/individuals?filters=NCIT:C16576",
    "/api/datasets",
    "/api/filtering_terms",
]


async def test_a_frozen_database_is_a_503_within_the_query_timeout(
    own_engine: engine.EngineState,
    aiohttp_client: Any,
    make_settings: Callable[..., Settings],
    run_options: pipeline.RunOptions,
) -> None:
    settings = make_settings(BEACON_QUERY_TIMEOUT_MS=str(TIMEOUT_MS))
    client = store_client.connect(own_engine.uri)
    db = client[settings.mongodb.db]
    await pipeline.run_metadata(db, "ds1", [CHECKLIST / "ds1"], run_options)
    await pipeline.run_bff_variants(
        db, "ds1", CHECKLIST / "ds1" / "genomicVariations.json", "GRCh38", run_options
    )
    await client.close()
    api = await aiohttp_client(BeaconTestServer(create_app(settings, own_engine.uri)))
    for path in QUERIES:
        assert (await api.get(path)).status == 200, path  # connections open and warm
    os.kill(own_engine.pid, signal.SIGSTOP)
    try:

        async def timed(path: str) -> tuple[str, int, float, dict[str, Any]]:
            began = time.monotonic()
            response = await api.get(path)
            return path, response.status, time.monotonic() - began, await response.json()

        results = await asyncio.gather(*(timed(p) for p in QUERIES))
        for path, status, seconds, body in results:
            assert status == 503, (path, body)
            assert body["error"]["errorCode"] == 503
            assert seconds < TIMEOUT_MS / 1000 + 1.0, (path, seconds)
        began = time.monotonic()
        health = await api.get("/health")
        assert health.status == 503
        assert (await health.json())["database"] == "unreachable"
        assert time.monotonic() - began < 3.0
    finally:
        os.kill(own_engine.pid, signal.SIGCONT)
    deadline = time.monotonic() + 10
    while (await api.get("/health")).status != 200:
        assert time.monotonic() < deadline, "the node did not recover"
        await asyncio.sleep(0.2)
    assert (await api.get(QUERIES[0])).status == 200
