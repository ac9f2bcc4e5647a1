"""``beacon-aggregator``: serve the network, run one request in-process, check the nodes.

Exit codes: 0 success; 1 a ``--get`` request did not answer 200, or ``nodes`` found a node it
cannot use; 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator

import click
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aggregator import __version__
from aggregator.app import create_app
from aggregator.keys import NETWORK
from beacon.config import ConfigError, Settings
from beacon.config.cli import config_option, settings_for
from beacon.config.unsafe import aggregator_warnings
from beacon.web import logs
from beacon.web.serve import add_commands


@click.group()
@click.version_option(__version__, prog_name="beacon-aggregator")
def main() -> None:
    """A GA4GH Beacon v2 network: one query to every node, one merged answer."""


def _app(settings: Settings) -> web.Application:
    try:
        return create_app(settings)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@contextlib.contextmanager
def _network(settings: Settings) -> Iterator[web.Application]:
    yield _app(settings)


def _check(settings: Settings) -> None:
    _app(settings)  # also checks that every network token variable is set


add_commands(
    main, "aggregator", "Beacon network", _network, validate=_check, warnings=aggregator_warnings
)


async def _discover_all(app: web.Application) -> list[tuple[str, str]]:
    async with TestClient(TestServer(app)):
        net = app[NETWORK]
        rows = []
        for node in net.registry.nodes:
            task = net.discovery.refresh(node)
            await asyncio.gather(task, return_exceptions=True)
            known = net.discovery.known.get(node.id)
            if known is None:
                rows.append((node.id, f"unusable: {net.discovery.problems.get(node.id, '?')}"))
                continue
            terms = "?" if known.filters is None else str(len(known.filters))
            rows.append(
                (
                    node.id,
                    f"ok: {known.beacon_id}, {len(known.entry_types)} entry types, "
                    f"{terms} filtering terms",
                )
            )
        return rows


@main.command()
@config_option
def nodes(config: str | None) -> None:
    """Read every node's metadata once and say which nodes the network can use."""
    settings = settings_for("aggregator", config)
    logs.configure(settings.server.log_format, logging.WARNING)
    rows = asyncio.run(_discover_all(_app(settings)))
    for node_id, status in rows:
        click.echo(f"{node_id}\t{status}")
    sys.exit(1 if any(status.startswith("unusable") for _, status in rows) else 0)
