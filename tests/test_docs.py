"""The README tells the truth: generated tables are fresh, every command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli import main as aggregator_main
from beacon.config import Settings, describe
from beacon.node.cli import main as beacon_main
from beacon.tools import docs
from ingest.cli import main as ingest_main

README = (Path(__file__).parents[1] / "README.md").read_text()


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
    return found


def test_generated_sections_are_fresh() -> None:
    assert docs.render(README) == README, "README tables are stale: run `make docs`"


def test_every_setting_is_in_the_config_table() -> None:
    for info in describe(Settings):
        assert f"`{info.key}`" in README, info.key
        assert info.help, info.key


def test_every_command_has_help_and_is_in_the_readme() -> None:
    commands = (
        _commands(beacon_main, "beacon")
        + _commands(ingest_main, "beacon-ingest")
        + _commands(aggregator_main, "beacon-aggregator")
    )
    for name, command in commands:
        assert command.help, name
        assert name in README, f"`{name}` is not mentioned in the README"


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]
