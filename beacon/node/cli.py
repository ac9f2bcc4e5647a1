"""``beacon``: serve the node, run one request in-process, manage the embedded engine.

Exit codes: 0 success; 1 a ``--get`` request did not answer 200; 2 bad usage or configuration.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from aiohttp import web

from beacon import __version__
from beacon.config import ConfigError, Settings
from beacon.config.cli import config_option, settings_for
from beacon.config.unsafe import node_warnings
from beacon.node.app import create_app
from beacon.node.oidc import client_secrets
from beacon.store import client as store_client
from beacon.store import engine
from beacon.store.reference import FastaError
from beacon.web.serve import add_commands


@click.group()
@click.version_option(__version__, prog_name="beacon")
def main() -> None:
    """A GA4GH Beacon v2 node over MongoDB."""


@contextlib.contextmanager
def _node(settings: Settings) -> Iterator[web.Application]:
    _check(settings)
    try:
        with store_client.database_uri(settings.mongodb) as uri:
            yield create_app(settings, uri)
    except (engine.EngineError, FastaError) as exc:
        raise click.ClickException(str(exc)) from None


def _check(settings: Settings) -> None:
    """What the settings alone cannot tell: every client secret variable is set."""
    try:
        client_secrets(settings.access, os.environ)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


add_commands(main, "node", "Beacon", _node, validate=_check, warnings=node_warnings)


@main.group()
def db() -> None:
    """Manage the embedded MongoDB-compatible engine (used when MONGODB_URI is unset)."""


@db.command()
@config_option
def start(config: str | None) -> None:
    """Start the engine (or find the running one) and print its MONGODB_URI."""
    settings = settings_for("node", config)
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
    settings = settings_for("node", config)
    stopped = engine.stop(settings.mongodb.engine_dir)
    click.echo("stopped" if stopped else "not running")


@db.command()
@config_option
def status(config: str | None) -> None:
    """Say whether the engine runs, and where."""
    settings = settings_for("node", config)
    state = engine.status(settings.mongodb.engine_dir)
    if state is None:
        click.echo("not running")
        sys.exit(3)
    click.echo(f"running: pid {state.pid}, {state.uri}, data in {state.data_dir}")
