"""Generate the README's tables from the declarations they document, so they cannot drift.

``python -m beacon.docs --write README.md`` rewrites the text between the markers
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``; ``--check`` exits 1 when the
README is stale (``make lint`` runs it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from beacon.config import Secret, Settings, describe
from beacon.protocol.request import PARAMETERS


def _default(value: object) -> str:
    if value is None or isinstance(value, Secret):
        return "(unset)"
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "(empty)"
    if value == "":
        return "(empty)"
    return str(value)


def config_table() -> str:
    rows = ["| setting (TOML) | environment | default | meaning |", "|---|---|---|---|"]
    for info in describe(Settings):
        env = f"`{info.env}`" if info.env else ""
        default = _default(info.default).replace("|", "\\|")
        rows.append(f"| `{info.key}` | {env} | `{default}` | {info.help} |")
    return "\n".join(rows)


def parameters_table() -> str:
    rows = ["| parameter | kind | meaning |", "|---|---|---|"]
    for param in PARAMETERS:
        aliases = f" (also `{'`, `'.join(param.aliases)}`)" if param.aliases else ""
        rows.append(f"| `{param.name}`{aliases} | {param.group.value} | {param.help} |")
    return "\n".join(rows)


SECTIONS: dict[str, Callable[[], str]] = {
    "config": config_table,
    "parameters": parameters_table,
}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.DOTALL
        )
        match = pattern.search(text)
        if match is None:
            raise SystemExit(f"README has no <!-- generated:{name} --> section")
        text = (
            text[: match.start()]
            + f"{match.group(1)}{make()}\n{match.group(2)}"
            + text[match.end() :]
        )
    return text


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("--check", "--write"):
        print("usage: python -m beacon.docs --check|--write README.md", file=sys.stderr)
        return 2
    path = Path(argv[1])
    current = path.read_text()
    fresh = render(current)
    if argv[0] == "--write":
        path.write_text(fresh)
        return 0
    if fresh != current:
        print(f"{path} is stale: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
