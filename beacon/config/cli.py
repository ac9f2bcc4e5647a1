"""What every program's command line does with settings: ``--config``, then load or exit 2."""

from __future__ import annotations

import os
from typing import Any

import click

from beacon.config.declare import ConfigError
from beacon.config.load import Program, load_settings
from beacon.config.sections import Settings

config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML settings file (default: $BEACON_CONFIG).",
)


def settings_for(program: Program, config: str | None, **env: Any) -> Settings:
    """The program's settings; ``env`` overrides (``BEACON_PORT=...``) unless None. A bad
    setting is a usage error (exit 2) naming it."""
    environ = dict(os.environ)
    environ.update({k: str(v) for k, v in env.items() if v is not None})
    try:
        return load_settings(config, environ, program)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
