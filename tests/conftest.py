"""Fixtures: one database engine per session, a fresh database per test, the real node app.

The engine is ``MONGODB_URI`` when set (a real MongoDB in CI, say); otherwise the embedded
engine started on a temporary directory for the session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from beacon.config import IngestSettings, Settings, load_settings
from beacon.node.app import create_app
from beacon.store import client as store_client
from beacon.store import engine
from beacon.store.client import Database
from beacon.web.parsing import BeaconRunner
from ingest import pipeline
from tests import official

HERE = Path(__file__).parent
CHECKLIST = HERE / "data" / "checklist"

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]
ServerFactory = Callable[..., Awaitable[TestServer]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reaches the database (through ``mongo_uri``) is marked ``mongo``, so
    ``make test-unit`` (``-m 'not mongo'``) runs without any engine."""
    for item in items:
        if "mongo_uri" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.mongo)


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("MONGODB_URI")
    if given:
        yield given
        return
    directory = tmp_path_factory.mktemp("engine")
    try:
        state = engine.start(directory, cache_size="256M")
    except engine.EngineError as exc:
        pytest.fail(f"cannot start the embedded engine: {exc}")
    yield state.uri
    engine.stop(directory)


@pytest.fixture
def db_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def db(mongo_uri: str, db_name: str) -> AsyncIterator[Database]:
    client = store_client.connect(mongo_uri)
    try:
        yield client[db_name]
    finally:
        await client.drop_database(db_name)
        await client.close()


@pytest.fixture
def make_settings(db_name: str) -> Callable[..., Settings]:
    """Settings for this test's database; keyword overrides are environment variables."""

    def make(**env: str) -> Settings:
        environ = {
            "MONGODB_DB": db_name,
            "BEACON_CATALOG_TTL": "0",
            "BEACON_INGEST_SWAP_GRACE": "0",
            # The node hides datasets without an access policy; the fixtures are open data.
            "BEACON_UNDECLARED_DATASETS": "public",
        }
        environ.update(env)
        return load_settings(None, environ)

    return make


@pytest.fixture
def run_options() -> pipeline.RunOptions:
    return pipeline.RunOptions(IngestSettings(batch_size=500, swap_grace_s=0.0))


@pytest.fixture
async def checklist(db: Database, run_options: pipeline.RunOptions) -> Database:
    """The checklist fixture (ds1, ds2; docs/design.md §9) loaded from BFF JSON."""
    for name in ("ds1", "ds2"):
        folder = CHECKLIST / name
        await pipeline.run_metadata(db, name, [folder], run_options)
        await pipeline.run_bff_variants(
            db, name, folder / "genomicVariations.json", "GRCh38", run_options
        )
    return db


class BeaconTestServer(TestServer):
    """The test server with the production runner: what the HTTP parser refuses is answered
    as the Beacon error envelope, as ``beacon serve`` does."""

    async def _make_runner(self, **kwargs: Any) -> BeaconRunner:
        return BeaconRunner(self.app, **kwargs)


@pytest.fixture
async def node(
    aiohttp_client: Any, mongo_uri: str, make_settings: Callable[..., Settings]
) -> Callable[..., Awaitable[Client]]:
    """A factory of test clients over the real node app (settings overrides as env vars)."""

    async def make(**env: str) -> Client:
        app = create_app(make_settings(**env), mongo_uri, environ=env)
        client: Client = await aiohttp_client(BeaconTestServer(app))
        return client

    return make


@pytest.fixture
async def api(checklist: Database, node: Callable[..., Awaitable[Client]]) -> Client:
    """The node over the checklist fixture, with default settings."""
    return await node()


@pytest.fixture(scope="session")
def schemas() -> Any:
    if not official.available():
        pytest.skip(
            "the official Beacon schemas (../shared/beacon-v2) are not beside this checkout"
        )
    return official


def metric_samples(text: str, name: str) -> dict[str, float]:
    """``name{labels} value`` lines of a Prometheus text exposition, by label text."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, _, value = line[len(name) :].rpartition(" ")
            found[labels] = float(value)
    return found
