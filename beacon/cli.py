"""``beacon``: serve the node, run one request in-process, manage the embedded engine.

Exit codes: 0 success; 1 a ``--get`` request did not answer 200; 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click
from aiohttp import web

from beacon import __version__, logs
from beacon.app import create_app
from beacon.config import ConfigError, Settings, load_settings, public_base_url, redacted
from beacon.store import client as store_client
from beacon.store import engine
from beacon.web import request_once


def _settings(config: str | None, **overrides: Any) -> Settings:
    environ = dict(os.environ)
    for env, value in overrides.items():
        if value is not None:
            environ[env] = str(value)
    try:
        return load_settings(config, environ)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _logging(verbose: bool, kind: logs.LogFormat = "text") -> None:
    logs.configure(kind, logging.INFO if verbose else logging.WARNING)


async def _stopping(app: web.Application) -> None:
    logging.getLogger("beacon").info("stopping: requests in flight get up to 10 s to finish")


config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML settings file (default: $BEACON_CONFIG).",
)


@click.group()
@click.version_option(__version__, prog_name="beacon")
def main() -> None:
    """A GA4GH Beacon v2 node over MongoDB."""


@main.command()
@config_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5050).")
@click.option(
    "--get",
    "get_path",
    default=None,
    metavar="PATH",
    help="Run one GET request in-process, print the JSON body and exit (1 unless 200).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request.")
def serve(
    config: str | None, host: str | None, port: int | None, get_path: str | None, verbose: bool
) -> None:
    """Serve the Beacon API under /api (or answer one request with --get)."""
    settings = _settings(config, BEACON_HOST=host, BEACON_PORT=port)
    _logging(verbose or get_path is None, settings.beacon.log_format)
    try:
        with store_client.database_uri(settings.mongodb) as uri:
            app = create_app(settings, uri)
            if get_path is not None:
                status, body = asyncio.run(request_once(app, get_path))
                click.echo(json.dumps(body, indent=2) if not isinstance(body, str) else body)
                sys.exit(0 if status == 200 else 1)
            click.echo(
                f"Beacon {settings.beacon.id} at {public_base_url(settings.beacon)}", err=True
            )
            app.on_shutdown.append(_stopping)
            web.run_app(
                app,
                host=settings.beacon.host,
                port=settings.beacon.port,
                shutdown_timeout=10.0,
                print=None,
                access_log=None,
                # A GA4GH Passport in the Authorization header carries its visas: allow 64 KiB
                # (aiohttp's default of 8 KiB refuses passports of more than a few visas).
                max_field_size=65536,
            )
    except engine.EngineError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@config_option
def check(config: str | None) -> None:
    """Print the effective settings (secrets masked) and exit."""
    settings = _settings(config)
    click.echo(json.dumps(redacted(settings), indent=2))


@main.group()
def db() -> None:
    """Manage the embedded MongoDB-compatible engine (used when MONGODB_URI is unset)."""


@db.command()
@config_option
def start(config: str | None) -> None:
    """Start the engine (or find the running one) and print its MONGODB_URI."""
    settings = _settings(config)
    try:
        state = engine.start(settings.mongodb.engine_dir)
    except engine.EngineError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"export MONGODB_URI='{state.uri}'")
    click.echo(f"# engine pid {state.pid}, data in {Path(state.data_dir)}", err=True)


@db.command()
@config_option
def stop(config: str | None) -> None:
    """Stop the engine."""
    settings = _settings(config)
    stopped = engine.stop(settings.mongodb.engine_dir)
    click.echo("stopped" if stopped else "not running")


@db.command()
@config_option
def status(config: str | None) -> None:
    """Say whether the engine runs, and where."""
    settings = _settings(config)
    state = engine.status(settings.mongodb.engine_dir)
    if state is None:
        click.echo("not running")
        sys.exit(3)
    click.echo(f"running: pid {state.pid}, {state.uri}, data in {state.data_dir}")
