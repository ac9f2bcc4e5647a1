"""The manual tells the truth: generated sections are fresh, every setting and command is
documented, every settings example loads, the README stays a front door, and every relative
link leads somewhere."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from beacon.config import Program, Settings, describe, load_settings
from beacon.tools import docs

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
MANUAL = [README, *PAGES]
#: The top-level tables of a settings file.
SECTIONS = {f.name for f in dataclasses.fields(Settings)}


def text(name: str) -> str:
    return (ROOT / name).read_text()


def test_generated_sections_are_fresh() -> None:
    assert docs.stale(ROOT) == [], "generated docs are stale: run `make docs`"


def test_every_generated_target_exists() -> None:
    for relative in docs.TARGETS:
        assert (ROOT / relative) in PAGES, relative


def test_every_setting_is_in_the_configuration_page() -> None:
    page = text("docs/configuration.md")
    for info in describe(Settings):
        assert f"`{info.key}`" in page, info.key
        assert info.help, info.key


def test_program_defaults_are_shown() -> None:
    page = text("docs/configuration.md")
    assert "| `server.port` | `BEACON_PORT` | `5050` (aggregator: `5060`) |" in page


def test_every_command_has_help_and_is_in_the_cli_reference() -> None:
    page = text("docs/cli.md")
    found = 0
    for name, group in docs.PROGRAMS:
        for path, command, _ in docs.commands(group, name):
            assert command.help, path
            assert f"### `{path}`" in page, f"`{path}` is not in docs/cli.md"
            found += 1
    assert found >= 16  # three groups, beacon db, and their commands


def test_quick_start_is_two_commands() -> None:
    quick = README.read_text().split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]


def test_the_readme_is_a_front_door() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; the manual lives in docs/"
    table = README.read_text().split("## Where to read next", 1)[1]
    for page in PAGES:
        assert f"(docs/{page.name})" in table, f"docs/{page.name} is not in the reading table"


_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)


def prose(markdown: str) -> str:
    """``markdown`` without code blocks and inline code, where links are not links."""
    return _CODE.sub("", _FENCE.sub("", markdown))


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a page."""
    found: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", markdown)):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def links(path: Path) -> list[str]:
    return _LINK.findall(prose(path.read_text()))


@pytest.mark.parametrize("path", MANUAL, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(path: Path) -> None:
    for target in links(path):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: not checked here
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name}: {target} does not exist"
        assert ROOT in linked.parents, f"{path.name}: {target} leaves the repository"
        if anchor:
            assert linked.suffix == ".md", f"{path.name}: {target}: anchor into a non-page"
            assert anchor in anchors(linked.read_text()), f"{path.name}: no heading #{anchor}"


def test_the_link_checker_sees_links_and_headings() -> None:
    page = "# A `b` c\n\n## 3. Why, how?\n\n[x](y.md#z) `[no](t)`\n```\n[no](u)\n```\n"
    assert anchors(page) == {"a-b-c", "3-why-how"}
    assert _LINK.findall(prose(page)) == ["y.md#z"]


def settings_examples() -> list[tuple[str, str]]:
    """Every TOML block of the manual that is a settings file (its tables are sections)."""
    found = []
    for path in MANUAL:
        for block in re.findall(r"^```toml\n(.*?)^```", path.read_text(), re.MULTILINE | re.DOTALL):
            if set(tomllib.loads(block)) <= SECTIONS:
                found.append((path.name, block))
    return found


@pytest.mark.parametrize(("page", "example"), settings_examples())
def test_every_settings_example_is_valid(tmp_path: Path, page: str, example: str) -> None:
    path = tmp_path / "example.toml"
    path.write_text(example)
    program: Program = "aggregator" if "aggregator" in tomllib.loads(example) else "node"
    load_settings(path, {}, program)


def test_the_settings_examples_are_found() -> None:
    pages = [page for page, _ in settings_examples()]
    for name in ("configuration.md", "access-control.md", "network.md", "operating.md"):
        assert name in pages, name


def test_issuer_examples_are_ls_login_not_the_retired_elixir_aai() -> None:
    """GDI signs users in with LS Login; the ELIXIR AAI (login.elixir-czech.org) is retired."""
    for page in MANUAL:
        for example in re.findall(r"```toml\n(.*?)```", page.read_text(), re.S):
            issuers = tomllib.loads(example).get("access", {}).get("issuers", [])
            for issuer in issuers:
                assert "elixir-czech" not in issuer.get("iss", ""), page.name
