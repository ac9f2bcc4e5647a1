"""Serving a Beacon app, the same way for the node and the aggregator: one helper, one set of
command-line options (``serve`` and ``check``), one in-process ``--get``.

With ``server.workers`` above 1 (``--workers N``), the first process builds the app once (so a
bad setting fails before anything listens), then forks N workers; each builds its own app
(database client, caches, metrics) and listens on the same port with ``SO_REUSEPORT``, the
kernel spreading connections over them. SIGTERM or SIGINT to the first process stops every
worker gracefully (requests in flight get ``SHUTDOWN_S``). A worker that dies otherwise stops
the whole server with exit code 1 and an error naming it: a supervisor (systemd, Kubernetes,
Docker's restart policy) then starts it afresh, rather than a half-sized server running on.

Exit codes: 0 success; 1 a ``--get`` request did not answer 200; 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import sys
import time
import typing
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


def serve(
    app: web.Application,
    server: ServerSettings,
    also_ports: Sequence[int] = (),
    reuse_port: bool = False,
) -> None:
    """Listen on ``server.host:server.port`` (and ``also_ports``) until SIGINT or SIGTERM, then
    give requests in flight ``SHUTDOWN_S`` to finish; ``reuse_port``: beside other workers."""
    log = logging.getLogger("beacon.serve")
    try:
        extra = [socket.create_server((server.host, p), reuse_port=reuse_port) for p in also_ports]
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {list(also_ports)}: {exc}") from None

    async def run() -> None:
        runner = BeaconRunner(
            app, access_log=None, shutdown_timeout=SHUTDOWN_S, handle_signals=True
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, server.host, server.port, reuse_port=reuse_port).start()
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


def _worker(
    app_context: AppContext, settings: Settings, also_ports: Sequence[int]
) -> typing.NoReturn:
    """One worker process: its own app, on the shared port, until SIGTERM."""
    os.setpgid(0, 0)  # a terminal's Ctrl-C reaches the first process, which stops us once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the first process's handler
    code = 0
    try:
        with app_context(settings) as app:
            serve(app, settings.server, also_ports, reuse_port=True)
    except BaseException:
        logging.getLogger("beacon.serve").exception("worker %d failed", os.getpid())
        code = 1
    finally:
        logging.shutdown()
        os._exit(code)


def serve_workers(app_context: AppContext, settings: Settings, also_ports: Sequence[int]) -> None:
    """Fork ``server.workers`` workers on one port; stop them all on SIGTERM or SIGINT; exit 1
    if one dies on its own (after stopping the others)."""
    log = logging.getLogger("beacon.serve")
    server = settings.server
    for port in (server.port, *also_ports):  # refuse a port in use before forking anything
        try:
            socket.create_server((server.host, port), reuse_port=True).close()
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {server.host}:{port}: {exc}") from None
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)

    workers: dict[int, int] = {}
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    failed = None
    try:
        gc.collect()
        gc.freeze()  # what is built before the fork stays shared with the workers
        for number in range(server.workers):
            pid = os.fork()
            if pid == 0:
                _worker(app_context, settings, also_ports)
            workers[pid] = number
        log.info("serving with %d workers: %s", len(workers), sorted(workers))
        while workers:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid not in workers:
                continue
            number = workers.pop(pid)
            if not stopping:
                failed = (number, pid, os.waitstatus_to_exitcode(status))
                log.error("worker %d (pid %d) exited with %d: stopping the server", *failed)
                stop(signal.SIGTERM, None)
    finally:
        if workers:  # interrupted while waiting: still stop every worker
            stop(signal.SIGTERM, None)
            deadline = time.monotonic() + SHUTDOWN_S + 5
            while workers and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                    if pid:
                        workers.pop(pid, None)
                        continue
                time.sleep(0.05)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failed is not None:
        raise click.ClickException(
            f"worker {failed[0]} (pid {failed[1]}) exited with {failed[2]}; the server stopped"
        )


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
    @click.option(
        "--workers",
        type=int,
        default=None,
        help="Processes serving the port (setting server.workers).",
    )
    @click.option("-v", "--verbose", is_flag=True, help="Log every request.")
    def serve_command(
        config: str | None,
        host: str | None,
        port: int | None,
        also_ports: tuple[int, ...],
        get_path: str | None,
        workers: int | None,
        verbose: bool,
    ) -> None:
        settings = settings_for(
            program, config, BEACON_HOST=host, BEACON_PORT=port, BEACON_WORKERS=workers
        )
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
            if server.workers > 1:
                serve_workers(app_context, settings, also_ports)
            else:
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
