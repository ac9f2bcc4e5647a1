"""``beacon-aggregator``: serve the network, run one request in-process, check the nodes.

Exit codes: 0 success; 1 a ``--get`` request did not answer 200, or ``nodes`` found a node it
cannot use; 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import socket
import sys
from typing import Any

import click
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aggregator import __version__
from aggregator.app import create_app
from aggregator.info import public_base_url
from aggregator.keys import NETWORK
from beacon import logs
from beacon.config import AggregatorSettings, ConfigError, load_settings, redacted
from beacon.web import request_once


def _settings(config: str | None, **overrides: Any) -> AggregatorSettings:
    environ = dict(os.environ)
    for env, value in overrides.items():
        if value is not None:
            environ[env] = str(value)
    try:
        return load_settings(config, environ).aggregator
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _app(settings: AggregatorSettings) -> web.Application:
    try:
        return create_app(settings)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _logging(verbose: bool, kind: logs.LogFormat = "text") -> None:
    logs.configure(kind, logging.INFO if verbose else logging.WARNING)


async def _stopping(app: web.Application) -> None:
    logging.getLogger("aggregator").info("stopping: requests in flight get up to 10 s to finish")


config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML settings file with an [aggregator] table (default: $BEACON_CONFIG).",
)


@click.group()
@click.version_option(__version__, prog_name="beacon-aggregator")
def main() -> None:
    """A GA4GH Beacon v2 network: one query to every node, one merged answer."""


@main.command()
@config_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5060).")
@click.option(
    "--also-port",
    "also_ports",
    type=int,
    multiple=True,
    help="Listen on this port too (repeatable): browsers refuse some ports, 5060 among them.",
)
@click.option(
    "--get",
    "get_path",
    default=None,
    metavar="PATH",
    help="Run one GET request in-process, print the JSON body and exit (1 unless 200).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request and node outcome.")
def serve(
    config: str | None,
    host: str | None,
    port: int | None,
    also_ports: tuple[int, ...],
    get_path: str | None,
    verbose: bool,
) -> None:
    """Serve the network's Beacon API under /api (or answer one request with --get)."""
    settings = _settings(config, AGGREGATOR_HOST=host, AGGREGATOR_PORT=port)
    _logging(verbose or get_path is None, settings.log_format)
    app = _app(settings)
    if get_path is not None:
        status, body = asyncio.run(request_once(app, get_path))
        click.echo(json.dumps(body, indent=2) if not isinstance(body, str) else body)
        sys.exit(0 if status == 200 else 1)
    # Everything built so far lives as long as the process: keep it out of the collector's
    # way, and collect less often, so a fan-out's many short-lived objects do not trigger
    # full collections in the middle of answering.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    click.echo(
        f"Beacon network {settings.id} over {len(settings.nodes)} nodes at "
        f"{public_base_url(settings)}",
        err=True,
    )
    app.on_shutdown.append(_stopping)
    try:
        extra = [socket.create_server((settings.host, p)) for p in also_ports]
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {also_ports}: {exc}") from None
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        sock=extra or None,
        shutdown_timeout=10.0,
        print=None,
        access_log=None,
    )


@main.command()
@config_option
def check(config: str | None) -> None:
    """Print the effective aggregator settings and registry (secrets masked) and exit."""
    settings = _settings(config)
    _app(settings)  # also checks that every service token variable is set
    click.echo(json.dumps(redacted(settings), indent=2))


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
    settings = _settings(config)
    _logging(False)
    rows = asyncio.run(_discover_all(_app(settings)))
    for node_id, status in rows:
        click.echo(f"{node_id}\t{status}")
    sys.exit(1 if any(status.startswith("unusable") for _, status in rows) else 0)
