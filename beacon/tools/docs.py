"""Generate the manual's reference sections from the declarations they document, so they
cannot drift: the settings table (docs/configuration.md), the request parameters
(docs/api.md) and the command-line reference (docs/cli.md).

``python -m beacon.tools.docs --write`` rewrites the text between the markers
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` of every target file;
``--check`` exits 1 when one is stale (``make lint`` runs it). The targets are known here,
relative to the checkout this module lives in.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from aggregator.cli import main as aggregator_main
from beacon.config import PROGRAM_DEFAULTS, Secret, Settings, describe
from beacon.node.cli import main as beacon_main
from beacon.protocol.request import PARAMETERS
from ingest.cli import main as ingest_main

ROOT = Path(__file__).resolve().parents[2]
#: The command groups of the three programs, by the name they are installed as.
PROGRAMS: tuple[tuple[str, click.Group], ...] = (
    ("beacon", beacon_main),
    ("beacon-ingest", ingest_main),
    ("beacon-aggregator", aggregator_main),
)


def _default(value: object) -> str:
    if value is None or isinstance(value, Secret):
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"  # as TOML spells it
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "(empty)"
    if value == "":
        return "(empty)"
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def program_defaults(key: str) -> list[tuple[str, object]]:
    """(program, its default) for each program whose default of ``key`` differs."""
    found = []
    for program, tables in PROGRAM_DEFAULTS.items():
        value: Any = tables
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is not None and not isinstance(value, Mapping):
            found.append((program, value))
    return found


def config_table() -> str:
    rows = ["| setting (TOML) | environment | default | meaning |", "|---|---|---|---|"]
    for info in describe(Settings):
        env = f"`{info.env}`" if info.env else ""
        default = f"`{_cell(_default(info.default))}`"
        for program, value in program_defaults(info.key):
            default += f" ({program}: `{_cell(_default(value))}`)"
        rows.append(f"| `{info.key}` | {env} | {default} | {_cell(info.help)} |")
    return "\n".join(rows)


def parameters_table() -> str:
    rows = ["| parameter | kind | meaning |", "|---|---|---|"]
    for param in PARAMETERS:
        aliases = f" (also `{'`, `'.join(param.aliases)}`)" if param.aliases else ""
        rows.append(f"| `{param.name}`{aliases} | {param.group.value} | {_cell(param.help)} |")
    return "\n".join(rows)


def commands(
    group: click.Group, path: str, parent: click.Context | None = None
) -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every command under ``group`` (the group itself first), depth first, by name."""
    ctx = click.Context(group, info_name=path.rsplit(" ", 1)[-1], parent=parent)
    yield path, group, ctx
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} {name}", ctx)
        else:
            yield f"{path} {name}", command, click.Context(command, info_name=name, parent=ctx)


def _paragraphs(text: str) -> str:
    """Click help text (a docstring) as Markdown paragraphs, one line each."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(block for block in blocks if block)


def _command(path: str, command: click.Command, ctx: click.Context) -> list[str]:
    usage = " ".join([path, *command.collect_usage_pieces(ctx)])
    lines = [f"### `{path}`", "", _paragraphs(command.help or ""), "", f"Usage: `{usage}`"]
    if isinstance(command, click.Group):
        listed = ", ".join(f"`{path} {name}`" for name in sorted(command.commands))
        lines += ["", f"Commands: {listed}."]
    options = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or not isinstance(param, click.Option) or "--help" in param.opts:
            continue  # arguments are in the usage line
        names, text = record
        options.append(f"| `{_cell(names)}` | {_cell(' '.join(text.split()))} |")
    if options:
        lines += ["", "| option | meaning |", "|---|---|", *options]
    return lines


def cli_reference() -> str:
    lines: list[str] = []
    for name, group in PROGRAMS:
        for path, command, ctx in commands(group, name):
            if lines:
                lines.append("")
            lines += _command(path, command, ctx)
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[], str]] = {
    "config": config_table,
    "parameters": parameters_table,
    "cli": cli_reference,
}
#: Each file of the manual with generated sections, and the sections it holds.
TARGETS: dict[str, tuple[str, ...]] = {
    "docs/configuration.md": ("config",),
    "docs/api.md": ("parameters",),
    "docs/cli.md": ("cli",),
}


def render(text: str, names: tuple[str, ...], where: str = "the file") -> str:
    """``text`` with the sections ``names`` regenerated between their markers."""
    for name in names:
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.DOTALL
        )
        match = pattern.search(text)
        if match is None:
            raise SystemExit(f"{where} has no <!-- generated:{name} --> section")
        text = (
            text[: match.start()]
            + f"{match.group(1)}{SECTIONS[name]()}\n{match.group(2)}"
            + text[match.end() :]
        )
    return text


def stale(root: Path = ROOT) -> list[tuple[Path, str]]:
    """(target, its fresh text) for every target whose generated sections are out of date."""
    found = []
    for relative, names in TARGETS.items():
        path = root / relative
        current = path.read_text()
        fresh = render(current, names, relative)
        if fresh != current:
            found.append((path, fresh))
    return found


def main(argv: list[str]) -> int:
    if argv not in (["--check"], ["--write"]):
        print("usage: python -m beacon.tools.docs --check|--write", file=sys.stderr)
        return 2
    outdated = stale()
    if argv[0] == "--write":
        for path, fresh in outdated:
            path.write_text(fresh)
        return 0
    for path, _ in outdated:
        print(f"{path.relative_to(ROOT)} is stale: run `make docs`", file=sys.stderr)
    return 1 if outdated else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
