"""A node over the checklist datasets and a network over it, served for real in a thread.

Schemathesis calls operations synchronously over HTTP, so the apps run in an event loop of
their own, on loopback sockets, with the production runner (``BeaconRunner``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiohttp import web

from aggregator.app import create_app as create_network
from beacon.config import IngestSettings, NodeEntry, load_settings
from beacon.node.app import create_app as create_node
from beacon.store import client as store_client
from beacon.web.parsing import BeaconRunner
from ingest import pipeline
from tests.conftest import CHECKLIST


@dataclass(frozen=True)
class Served:
    node: str  # API root
    network: str


async def _load(uri: str, db_name: str) -> None:
    client = store_client.connect(uri)
    options = pipeline.RunOptions(IngestSettings(batch_size=500, swap_grace_s=0.0))
    try:
        for name in ("ds1", "ds2"):
            folder = CHECKLIST / name
            db = client[db_name]
            await pipeline.run_metadata(db, name, [folder], options)
            await pipeline.run_bff_variants(
                db, name, folder / "genomicVariations.json", "GRCh38", options
            )
    finally:
        await client.close()


async def _drop(uri: str, db_name: str) -> None:
    client = store_client.connect(uri)
    try:
        await client.drop_database(db_name)
    finally:
        await client.close()


async def _start(app: web.Application) -> tuple[BeaconRunner, int]:
    runner = BeaconRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server)
    return runner, server.sockets[0].getsockname()[1]


@pytest.fixture(scope="session")
def served(mongo_uri: str) -> Iterator[Served]:
    db_name = f"fuzz_{uuid.uuid4().hex[:10]}"
    asyncio.run(_load(mongo_uri, db_name))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    node_env = {
        "MONGODB_DB": db_name,
        "BEACON_UNDECLARED_DATASETS": "public",
        "BEACON_BUDGET_ANONYMOUS": "0",
        "BEACON_CATALOG_TTL": "60",
    }
    node_app = create_node(load_settings(None, node_env), mongo_uri)
    node_runner, node_port = asyncio.run_coroutine_threadsafe(_start(node_app), loop).result(30)
    node_url = f"http://127.0.0.1:{node_port}/api"
    network_settings = load_settings(None, {"AGGREGATOR_CACHE_TTL": "0"}, "aggregator")
    aggregator = dataclasses.replace(
        network_settings.aggregator, nodes=(NodeEntry(id="n1", url=node_url, country="SE"),)
    )
    network_app = create_network(dataclasses.replace(network_settings, aggregator=aggregator), {})
    network_runner, network_port = asyncio.run_coroutine_threadsafe(
        _start(network_app), loop
    ).result(30)
    try:
        yield Served(node_url, f"http://127.0.0.1:{network_port}/api")
    finally:
        for runner in (network_runner, node_runner):
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        asyncio.run(_drop(mongo_uri, db_name))
