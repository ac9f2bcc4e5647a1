"""The demo's network on real sockets, started once per test module in the module's loop.

The nodes and the aggregator run with the configurations ``beacon/demo`` writes (plus what a
module adds: a sign-in issuer, trusted token issuers, forwarded credentials) over the demo's
data as ``tests/demo/conftest.py`` loads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web

from aggregator.app import create_app as create_network
from beacon.config import load_settings
from beacon.demo import plan as demo
from beacon.node.app import create_app as create_node
from tests.demo.conftest import Loaded


async def serve(app: web.Application) -> tuple[str, web.AppRunner]:
    """``app`` listening on a free port of 127.0.0.1: its site root and its runner."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}/", runner


@dataclass
class Demo:
    network: str  # the aggregator's site root
    nodes: dict[str, str]  # node id -> the node's site root
    runners: list[web.AppRunner] = field(default_factory=list)

    async def close(self) -> None:
        for runner in reversed(self.runners):
            await runner.cleanup()


def forward_credentials(config: str, node_id: str) -> str:
    """The aggregator configuration with the caller's bearer token forwarded to ``node_id``."""
    line = f"id = {json.dumps(node_id)}"
    assert config.count(line) == 1, config
    return config.replace(line, f'{line}\ncredentials = "forward"')


async def start_demo(
    loaded: Loaded,
    mongo_uri: str,
    node_extra: Mapping[str, str] | None = None,
    network_extra: str = "",
    forward: tuple[str, ...] = (),
) -> Demo:
    """The three demo nodes and the aggregator over them; ``node_extra``: TOML appended to a
    node's configuration, ``network_extra`` to the aggregator's; ``forward``: the nodes the
    aggregator forwards the caller's bearer token to."""
    running = Demo("", {})
    try:
        for node in demo.NODES:
            path = loaded.configs / f"web-{node.id}.toml"
            path.write_text(demo.node_config(node) + (node_extra or {}).get(node.id, ""))
            environ = {
                "MONGODB_DB": loaded.databases[node.id],
                "BEACON_CATALOG_TTL": "0",
                # The test cohorts are tiny (the controlled one holds 8 people): the demo's
                # variant would be a rare allele there, absent to anonymous callers.
                "BEACON_RARE_ALLELE_COUNT": "0",
            }
            url, runner = await serve(create_node(load_settings(path, environ), mongo_uri))
            running.runners.append(runner)
            running.nodes[node.id] = url
        config = demo.aggregator_config({k: f"{v}api" for k, v in running.nodes.items()})
        for node_id in forward:
            config = forward_credentials(config, node_id)
        path = loaded.configs / "web-aggregator.toml"
        path.write_text(config + network_extra)
        url, runner = await serve(create_network(load_settings(path, {}, "aggregator"), {}))
        running.runners.append(runner)
        running.network = url
    except BaseException:
        await running.close()
        raise
    return running
