"""Serving a Beacon app, the same way for the node and the aggregator: one helper, one set of
command-line options (``serve`` and ``check``), one in-process ``--get``.

Exit codes: 0 success; 1 a ``--get`` request did not answer 200; 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from beacon.config import Program, ServerSettings, Settings, public_base_url, redacted
from beacon.config.cli import config_option, settings_for
from beacon.web import logs
from beacon.web.parsing import BeaconRunner

#: Builds the program's app from its settings, inside whatever it needs open (a database).
AppContext = Callable[[Settings], contextlib.AbstractContextManager[web.Application]]
#: Seconds requests in flight get to finish after SIGTERM.
SHUTDOWN_S = 10.0


async def request_once(app: web.Application, path: str) -> tuple[int, Any]:
    """Answer one GET in-process (``--get``): the status and the body, parsed when JSON."""
    async with TestClient(TestServer(app)) as client:
        response = await client.get(path)
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


def serve(app: web.Application, server: ServerSettings, also_ports: Sequence[int] = ()) -> None:
    """Listen on ``server.host:server.port`` (and ``also_ports``) until SIGINT or SIGTERM, then
    give requests in flight ``SHUTDOWN_S`` to finish."""
    log = logging.getLogger("beacon.serve")
    try:
        extra = [socket.create_server((server.host, p)) for p in also_ports]
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {list(also_ports)}: {exc}") from None

    async def run() -> None:
        runner = BeaconRunner(
            app, access_log=None, shutdown_timeout=SHUTDOWN_S, handle_signals=True
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, server.host, server.port).start()
            for sock in extra:
                await web.SockSite(runner, sock).start()
            # Everything built so far lives as long as the process: keep it out of the
            # collector's way, and collect less often, so a request's many short-lived objects
            # do not trigger full collections in the middle of answering.
            gc.collect()
            gc.freeze()
            gc.set_threshold(50_000, 50, 100)
            await asyncio.Event().wait()
        finally:
            log.info("stopping: requests in flight get up to %g s to finish", SHUTDOWN_S)
            await runner.cleanup()

    with contextlib.suppress(web.GracefulExit, KeyboardInterrupt):
        asyncio.run(run())


def _no_warnings(settings: Settings) -> list[str]:
    return []


def add_commands(
    group: click.Group,
    program: Program,
    what: str,
    app_context: AppContext,
    validate: Callable[[Settings], None] = lambda settings: None,
    warnings: Callable[[Settings], list[str]] = _no_warnings,
) -> None:
    """Add ``serve`` and ``check`` to a program's command group; ``validate`` raises what the
    settings alone cannot tell (``click.UsageError``); ``warnings`` says what is allowed but
    unsafe (printed by ``check`` and at the start of ``serve``, on stderr)."""

    @group.command(
        "serve", help=f"Serve the {what}'s API under /api (or answer one request with --get)."
    )
    @config_option
    @click.option("--host", default=None, help="Address to listen on (setting server.host).")
    @click.option("--port", type=int, default=None, help="Port to listen on (server.port).")
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
    @click.option("-v", "--verbose", is_flag=True, help="Log every request.")
    def serve_command(
        config: str | None,
        host: str | None,
        port: int | None,
        also_ports: tuple[int, ...],
        get_path: str | None,
        verbose: bool,
    ) -> None:
        settings = settings_for(program, config, BEACON_HOST=host, BEACON_PORT=port)
        server = settings.server
        quiet = get_path is not None and not verbose
        logs.configure(server.log_format, logging.WARNING if quiet else logging.INFO)
        if get_path is None:
            for warning in warnings(settings):
                logging.getLogger("beacon.check").warning("unsafe setting: %s", warning)
        with app_context(settings) as app:
            if get_path is not None:
                status, body = asyncio.run(request_once(app, get_path))
                click.echo(json.dumps(body, indent=2) if not isinstance(body, str) else body)
                sys.exit(0 if status == 200 else 1)
            click.echo(f"{what} {server.id} at {public_base_url(server)}", err=True)
            serve(app, server, also_ports)

    @group.command()
    @config_option
    def check(config: str | None) -> None:
        """Print the effective settings (secrets masked), warn about unsafe ones, and exit."""
        settings = settings_for(program, config)
        validate(settings)
        for warning in warnings(settings):
            click.echo(f"warning: {warning}", err=True)
        click.echo(json.dumps(redacted(settings), indent=2))
