"""Import direction, by folder: shared rooms stay pure, programs stay apart.

A module is covered by the folder it lives in; every folder of the programs is listed, so a
new file or folder is checked (or this test says where it must be listed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SHARED = ("beacon.protocol", "beacon.config")

#: folder -> the project packages its modules may import, each with what is inside it; a bare
#: ``beacon`` is that module alone (its ``__version__``).
ALLOWED: dict[str, tuple[str, ...]] = {
    "beacon/protocol": ("beacon.protocol",),
    "beacon/config": ("beacon.config",),
    "beacon/store": ("beacon.store", *SHARED),
    "beacon/web": ("beacon", "beacon.web", *SHARED),
    "beacon/node": ("beacon", "beacon.node", "beacon.store", "beacon.web", *SHARED),
    # The demo runs the three programs as processes: it imports none of them.
    "beacon/demo": ("beacon.demo", "beacon.store", *SHARED),
    "beacon/tools": ("beacon", "beacon.*", "ingest", "aggregator"),
    "ingest": ("beacon", "ingest", "beacon.store", *SHARED),
    "aggregator": ("aggregator", "beacon", "beacon.web", *SHARED),
    "bench": ("beacon", "beacon.*", "ingest", "aggregator", "bench"),
}
#: folder -> third-party packages its modules must not import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "beacon/protocol": ("aiohttp", "pymongo", "bson", "click"),
    "beacon/config": ("aiohttp", "pymongo"),
    "beacon/store": ("aiohttp",),
    "beacon/web": ("pymongo",),
    "beacon/demo": ("aiohttp",),
    "ingest": ("aiohttp",),
    "aggregator": ("pymongo", "bson"),
}
PROJECT = ("beacon", "ingest", "aggregator", "bench")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from beacon import x`` imports the module ``beacon.x`` when there is one
            for alias in node.names:
                candidate = ROOT / node.module.replace(".", "/") / alias.name
                if candidate.is_dir() or candidate.with_suffix(".py").exists():
                    names.add(f"{node.module}.{alias.name}")
    return names


def folder_of(path: Path) -> str:
    rel = path.relative_to(ROOT).as_posix()
    matches = [f for f in ALLOWED if rel.startswith(f + "/")]
    if not matches:
        return "beacon" if rel.count("/") == 1 and rel.startswith("beacon/") else ""
    return max(matches, key=len)


def modules() -> list[Path]:
    return sorted(p for top in PROJECT for p in (ROOT / top).rglob("*.py"))


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    """``name`` is one of the packages (or inside it); ``beacon`` alone is exact."""
    for prefix in prefixes:
        if prefix == "beacon.*":
            prefix = "beacon"
        elif prefix == "beacon":
            if name == "beacon":
                return True
            continue
        if name == prefix or name.startswith(prefix + "."):
            return True
    return False


def test_every_module_is_in_a_listed_folder() -> None:
    for path in modules():
        assert folder_of(path), f"{path.relative_to(ROOT)}: list its folder in ALLOWED"


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_import_direction(folder: str) -> None:
    allowed = ALLOWED[folder]
    for path in modules():
        if folder_of(path) != folder:
            continue
        for name in imports(path):
            top = name.split(".")[0]
            if top in PROJECT:
                assert within(name, allowed), (
                    f"{path.relative_to(ROOT)} imports {name}; {folder}/ may import "
                    + ", ".join(allowed)
                )
            assert not within(name, FORBIDDEN.get(folder, ())), (
                f"{path.relative_to(ROOT)} imports {name}"
            )


def test_the_top_of_beacon_holds_only_its_version() -> None:
    for path in (ROOT / "beacon").glob("*.py"):
        assert path.name in ("__init__.py", "__main__.py"), f"{path}: put it in a sub-package"


def test_nobody_imports_the_gpl_engine() -> None:
    for path in [*modules(), *(ROOT / "tests").rglob("*.py")]:
        assert not within_any(imports(path), ("secantus",)), path


def within_any(names: set[str], prefixes: tuple[str, ...]) -> bool:
    return any(within(n, prefixes) for n in names)


def test_only_the_vcf_reader_imports_cyvcf2() -> None:
    for path in modules():
        if path.relative_to(ROOT).as_posix() != "ingest/vcf/read.py":
            assert not within_any(imports(path), ("cyvcf2",)), path
