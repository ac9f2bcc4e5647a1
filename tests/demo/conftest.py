"""The demo's data at a small size, loaded with the demo's own commands, and its network.

``beacon-ingest simulate``, ``ontology``, ``metadata`` and ``vcf`` run with the arguments
``beacon/demo.py`` gives the real demo (through click's runner, in-process); the nodes and the
aggregator run with the configurations it writes, in-process on real sockets.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aggregator.app import create_app as create_network
from beacon.config import load_settings
from beacon.demo import plan as demo
from beacon.node.app import create_app as create_node
from beacon.store import client as store_client
from ingest.cli import main as ingest
from tests.conftest import ServerFactory

SIZE = demo.Size(samples=24, length_kb=100, seed=5)


@dataclass(frozen=True)
class Loaded:
    cohorts: Path
    databases: dict[str, str]  # node id -> database
    configs: Path


def invoke(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(ingest, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def loaded(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The demo's data at a small size, loaded with the demo's own commands."""
    root = tmp_path_factory.mktemp("demo")
    tag = uuid.uuid4().hex[:6]
    databases = {n.id: f"t{tag}_{n.database}" for n in demo.NODES}
    env = {"MONGODB_URI": mongo_uri, "BEACON_CONFIG": "", "BEACON_INGEST_SWAP_GRACE": "0"}
    invoke(demo.simulate_args(root / "cohorts", SIZE), env)
    for node in demo.NODES:
        for args in demo.ingest_args(root / "cohorts", node):
            invoke(args, {**env, "MONGODB_DB": databases[node.id]})
        (root / f"{node.id}.toml").write_text(demo.node_config(node))
    yield Loaded(root / "cohorts", databases, root)

    async def drop() -> None:
        client = store_client.connect(mongo_uri)
        for name in databases.values():
            await client.drop_database(name)
        await client.close()

    asyncio.run(drop())


@dataclass(frozen=True)
class Federation:
    client: Any  # a test client of the aggregator
    nodes: dict[str, str]  # node id -> the node's site root


@pytest.fixture
async def federation(
    loaded: Loaded, mongo_uri: str, aiohttp_server: ServerFactory, aiohttp_client: Any
) -> Federation:
    """The aggregator, as the demo configures it, over the three nodes as configured."""
    roots = {}
    for node in demo.NODES:
        environ = {"MONGODB_DB": loaded.databases[node.id], "BEACON_CATALOG_TTL": "0"}
        settings = load_settings(loaded.configs / f"{node.id}.toml", environ)
        server = await aiohttp_server(create_node(settings, mongo_uri))
        roots[node.id] = str(server.make_url("/"))
    path = loaded.configs / "aggregator.toml"
    path.write_text(demo.aggregator_config({k: f"{v}api" for k, v in roots.items()}))
    client = await aiohttp_client(create_network(load_settings(path, {}, "aggregator"), {}))
    return Federation(client, roots)


@pytest.fixture
def network(federation: Federation) -> Any:
    return federation.client


def people_of(cohorts: Path) -> dict[str, list[dict[str, Any]]]:
    manifest = json.loads((cohorts / "manifest.json").read_text())
    return {
        dataset: json.loads((cohorts / entry["metadata"] / "individuals.json").read_text())
        for dataset, entry in manifest["files"].items()
    }


def node_of(dataset: str) -> str:
    return next(n.id for n in demo.NODES if dataset in n.datasets)


async def get_ok(client: Any, path: str) -> dict[str, Any]:
    response = await client.get(path)
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    nodes = body.get("info", {}).get("nodes", [])
    assert all(n["status"] == "ok" for n in nodes), nodes
    return body
