"""Fixtures for the network: real node apps on their own databases, fakes, and the aggregator.

Real nodes (the node package's own app) hold different data: ``se`` has the checklist's ds1,
``fi`` its ds2, ``dk`` both (so dataset ids collide across nodes). The databases are loaded once
per session; each test starts fresh node apps on real sockets (``aiohttp_server``), so the
aggregator talks HTTP to them exactly as in production. Fakes are inline aiohttp apps that are
slow, down, or answer garbage, schema-invalid bodies, 5xx, or huge bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aggregator.app import create_app as create_network
from beacon.config import IngestSettings, NodeEntry, Settings, load_settings
from beacon.node.app import create_app as create_node
from beacon.protocol import entry_types as et
from beacon.protocol import framework
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity
from beacon.store import client as store_client
from ingest import pipeline
from tests.conftest import CHECKLIST, BeaconTestServer, Client, ServerFactory

Network = Callable[..., Awaitable[Client]]
RealNode = Callable[..., Awaitable[str]]
FakeNode = Callable[..., Awaitable[tuple[str, "Fake"]]]

#: Which checklist datasets each real node holds.
REAL_NODES = {"se": ("ds1",), "fi": ("ds2",), "dk": ("ds1", "ds2")}


async def _load(uri: str, names: dict[str, str]) -> None:
    client = store_client.connect(uri)
    options = pipeline.RunOptions(IngestSettings(batch_size=500, swap_grace_s=0.0))
    try:
        for node_id, db_name in names.items():
            db = client[db_name]
            for dataset in REAL_NODES[node_id]:
                folder = CHECKLIST / dataset
                await pipeline.run_metadata(db, dataset, [folder], options)
                await pipeline.run_bff_variants(
                    db, dataset, folder / "genomicVariations.json", "GRCh38", options
                )
    finally:
        await client.close()


async def _drop(uri: str, names: dict[str, str]) -> None:
    client = store_client.connect(uri)
    try:
        for db_name in names.values():
            await client.drop_database(db_name)
    finally:
        await client.close()


@pytest.fixture(scope="session")
def node_databases(mongo_uri: str) -> Iterator[dict[str, str]]:
    """One loaded database per real node, for the whole session (loading is the slow part)."""
    tag = uuid.uuid4().hex[:8]
    names = {node_id: f"agg_{tag}_{node_id}" for node_id in REAL_NODES}
    asyncio.run(_load(mongo_uri, names))
    yield names
    asyncio.run(_drop(mongo_uri, names))


def api_url(server: TestServer) -> str:
    return str(server.make_url("/api"))


@pytest.fixture
def real_node(
    aiohttp_server: ServerFactory,
    mongo_uri: str,
    node_databases: dict[str, str],
    tmp_path: Path,
) -> Callable[..., Awaitable[str]]:
    """Start the real node app of ``node_id`` on a socket; returns its API root URL.

    ``config`` is TOML for the node (e.g. ``[[access.datasets]]`` policies); keyword arguments
    are environment variables.
    """

    async def start(node_id: str, config: str = "", **env: str) -> str:
        path = None
        if config:
            path = tmp_path / f"{node_id}.toml"
            path.write_text(config)
        environ = {
            "MONGODB_DB": node_databases[node_id],
            "BEACON_ID": f"{node_id}.example.beacon",
            "BEACON_CATALOG_TTL": "0",
            # Open data, and no per-address budget: every request comes from the aggregator.
            "BEACON_UNDECLARED_DATASETS": "public",
            "BEACON_BUDGET_ANONYMOUS": "0",
            **env,
        }
        server = await aiohttp_server(create_node(load_settings(path, environ), mongo_uri))
        return api_url(server)

    return start


@dataclass
class Fake:
    """A scripted node: valid metadata, and data answers as ``mode`` says."""

    beacon_id: str = "fake.example.beacon"
    mode: str = (
        # ok | garbage | invalid | 5xx | huge | huge_stream | redirect | error400 | error401
        # | echo | ega_network
        "ok"
    )
    delay_s: float = 0.0
    metadata_delay_s: float = 0.0
    granularity: str = "count"
    exists: bool = True
    count: int = 1
    #: Say ``count`` even when nothing exists (an implausible answer).
    lies: bool = False
    terms: tuple[str, ...] = ()
    #: /filtering_terms answers 500: the node's terms stay unknown to the network.
    terms_fail: bool = False
    serves: tuple[str, ...] = tuple(e.id for e in et.ENTRY_TYPES)
    extra_headers: dict[str, str] = field(default_factory=dict)
    updated: str = "2026-01-01T00:00:00Z"
    #: The software its /info names: this project's by default, so the network knows its
    #: dialect and sends no probes (which ``seen`` would record); "" for a stranger.
    software: str = "beacon-gdi"
    #: What /health answers (data requests are recorded in ``seen``, probes are not).
    healthy: bool = True
    probes: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)
    #: Set at teardown so that sleeping handlers end and the server stops at once.
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def pause(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), seconds)

    def answer(self, entry: et.EntryType) -> dict[str, Any]:
        granularity = Granularity(self.granularity)
        meta = r.response_meta(self.beacon_id, r.fallback_summary(granularity), granularity, entry)
        sets = None
        if granularity is Granularity.RECORD:
            key = "variantInternalId" if entry is et.G_VARIANTS else "id"
            records = tuple({key: f"{self.beacon_id}-r{i}"} for i in range(self.count))
            sets = [r.ResultSet("fakeset", "dataset", self.exists, self.count, records)]
        count = self.count if self.exists or self.lies else 0
        return r.data_response(meta, granularity, self.exists, count, sets)


def ega_network_answer(fake: Fake, entry: et.EntryType) -> dict[str, Any]:
    """An answer in the EGA Beacon Network API's shape (from its source, December 2026): meta
    without returnedGranularity or returnedSchemas, each member's sets tagged with its
    beaconId, and a member that did not answer listed as an id-less ``exists: false``."""
    key = "variantInternalId" if entry is et.G_VARIANTS else "id"
    sets = [
        {
            "id": f"{member}-dataset",
            "beaconId": f"org.example.{member}",
            "setType": "dataset",
            "exists": True,
            "resultsCount": 1,
            "results": [{key: f"{member}-r0"}],
        }
        for member in ("member1", "member2")
    ]
    sets.append({"beaconId": "org.example.silent", "exists": False})
    return {
        "meta": {
            "apiVersion": "v2.0.0",
            "beaconId": fake.beacon_id,
            "receivedRequestSummary": {"apiVersion": "v2.0.0", "pagination": {}},
        },
        "responseSummary": {"exists": True, "numTotalResults": 2},
        "response": {"resultSets": sets},
    }


def fake_app(fake: Fake) -> web.Application:
    async def metadata(request: web.Request) -> web.StreamResponse:
        await fake.pause(fake.metadata_delay_s)
        name = request.path.rsplit("/", 1)[1]
        meta = r.informational_meta(fake.beacon_id)
        if name == "info":
            response: dict[str, Any] = {
                "id": fake.beacon_id,
                "name": "Fake",
                "apiVersion": "v2.1.1",
                "environment": "test",
                "organization": {"id": "fake", "name": "Fake"},
                "updateDateTime": fake.updated,
            }
            if fake.software:
                response["info"] = {"software": {"name": fake.software, "version": "0"}}
        elif name == "map":
            response = framework.map_document(api_url_of(request))
            sets = response["endpointSets"]
            response["endpointSets"] = {k: v for k, v in sets.items() if k in fake.serves}
        elif name in ("configuration", "entry_types"):
            response = framework.configuration_document("test", {})
        elif fake.terms_fail:
            return web.json_response({"oops": 1}, status=500)
        else:  # filtering_terms: one page holds them all
            skip = int(request.query.get("skip", "0"))
            listed = [{"id": t, "type": "ontologyTerm"} for t in fake.terms] if skip == 0 else []
            response = {"filteringTerms": listed, "resources": []}
        return web.json_response({"meta": meta, "response": response})

    async def data(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        fake.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": list(request.query.items()),
                "body": json.loads(body) if body else None,
                "headers": dict(request.headers),
            }
        )
        await fake.pause(fake.delay_s)
        if fake.mode == "drop_once":  # the connection dies under the first request
            fake.mode = "ok"
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        entry = et.BY_PATH.get(request.path.split("/")[2], et.INDIVIDUALS)
        if fake.mode == "garbage":
            return web.Response(text="{not json", content_type="application/json")
        if fake.mode == "invalid":
            return web.json_response({"responseSummary": {"exists": True}})
        if fake.mode == "5xx":
            return web.json_response({"oops": 1}, status=503)
        if fake.mode == "error400":
            return web.json_response(
                {"meta": {}, "error": {"errorCode": 400, "errorMessage": "no such thing"}},
                status=400,
            )
        if fake.mode == "error401":
            return web.json_response(
                {"meta": {}, "error": {"errorCode": 401, "errorMessage": "log in first"}},
                status=401,
            )
        if fake.mode == "echo":
            message = f"bad credentials: {request.headers.get('Authorization')}"
            return web.json_response(
                {"meta": {}, "error": {"errorCode": 403, "errorMessage": message}}, status=403
            )
        if fake.mode == "redirect":
            raise web.HTTPFound("http://elsewhere.invalid/api")
        if fake.mode == "ega_network":
            return web.json_response(ega_network_answer(fake, entry))
        if fake.mode == "huge_stream":  # no Content-Length: the cap must hold while reading
            stream = web.StreamResponse(headers={"Content-Type": "application/json"})
            await stream.prepare(request)
            for _ in range(40):
                await stream.write(b" " * 10_000)
            await stream.write_eof()
            return stream
        if fake.mode == "huge":
            return web.Response(
                body=b"[" + b"1," * 600_000 + b"1]", content_type="application/json"
            )
        return web.json_response(fake.answer(entry), headers=fake.extra_headers)

    async def health(request: web.Request) -> web.StreamResponse:
        fake.probes += 1
        return web.json_response(
            {"status": "ok" if fake.healthy else "unavailable"}, status=200 if fake.healthy else 503
        )

    app = web.Application()
    app.router.add_get("/api/health", health)
    for name in ("info", "map", "configuration", "entry_types", "filtering_terms"):
        app.router.add_get(f"/api/{name}", metadata, name=name)
    app.router.add_route("*", "/api/{tail:.+}", data)
    return app


def api_url_of(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}/api"


@pytest.fixture
async def fake_node(
    aiohttp_server: ServerFactory,
) -> AsyncIterator[Callable[..., Awaitable[tuple[str, Fake]]]]:
    """Start a scripted fake node; returns (API root URL, the fake to inspect)."""
    fakes: list[Fake] = []

    async def start(**options: Any) -> tuple[str, Fake]:
        fake = Fake(**options)
        fakes.append(fake)
        server = await aiohttp_server(fake_app(fake))
        return api_url(server), fake

    yield start
    for fake in fakes:
        fake.release.set()


@pytest.fixture
def down_url() -> str:
    """The URL of a node that is down: nothing listens on the port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def network_settings(nodes: list[NodeEntry], **env: str) -> Settings:
    """Aggregator settings with short timeouts for tests; keyword overrides are env vars."""
    environ = {
        "AGGREGATOR_NODE_TIMEOUT": "3.0",
        "AGGREGATOR_CONNECT_TIMEOUT": "2.0",
        "AGGREGATOR_DEADLINE": "3.5",
        "AGGREGATOR_CACHE_TTL": "0",
        **env,
    }
    settings = load_settings(None, environ, "aggregator")
    aggregator = dataclasses.replace(settings.aggregator, nodes=tuple(nodes))
    return dataclasses.replace(settings, aggregator=aggregator)


@pytest.fixture
def network(aiohttp_client: Any) -> Callable[..., Awaitable[Client]]:
    """A test client over the aggregator app; nodes as (id, url) or NodeEntry values."""

    async def make(
        nodes: list[tuple[str, str] | NodeEntry], environ: dict[str, str] | None = None, **env: str
    ) -> Client:
        entries = [
            n if isinstance(n, NodeEntry) else NodeEntry(id=n[0], url=n[1], country=n[0].upper())
            for n in nodes
        ]
        app = create_network(network_settings(entries, **env), environ or {})
        client: Client = await aiohttp_client(BeaconTestServer(app))
        return client

    return make


async def get_json(
    client: Client, path: str, status: int | None = 200, **kw: Any
) -> dict[str, Any]:
    """The JSON body of a GET, which must answer ``status`` (None: any status)."""
    response = await client.get(path, **kw)
    body = await response.json()
    assert status is None or response.status == status, body
    return body  # type: ignore[no-any-return]


async def post_json(
    client: Client, path: str, payload: Any, status: int = 200, **kw: Any
) -> dict[str, Any]:
    response = await client.post(path, json=payload, **kw)
    body = await response.json()
    assert response.status == status, body
    return body  # type: ignore[no-any-return]


def statuses(body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """nodeId -> (status, reason) from a merged response's info."""
    return {n["nodeId"]: (n["status"], n.get("reason", "")) for n in body["info"]["nodes"]}


def qualified(item: dict[str, Any]) -> str:
    """A result set's or record's network-qualified id, ``<nodeId>:<id>``: its own id is the
    dataset's, and the node it comes from is in ``info.nodeId``."""
    return f"{item['info']['nodeId']}:{item['id']}"
