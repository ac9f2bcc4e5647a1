"""Import direction (STYLE.md §2): shared rooms stay pure, programs stay apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


RULES = [
    # (package folder, forbidden import prefixes)
    (
        "beacon/protocol",
        (
            "aiohttp",
            "pymongo",
            "bson",
            "beacon.store",
            "beacon.app",
            "beacon.config",
            "ingest",
            "aggregator",
        ),
    ),
    ("beacon/config.py", ("beacon.", "aiohttp", "pymongo", "ingest", "aggregator")),
    # Shared by the node and the aggregator: logging, metrics, the query page.
    ("beacon/logs.py", ("beacon.", "aiohttp", "pymongo", "ingest", "aggregator")),
    ("beacon/metrics.py", ("beacon.", "pymongo", "ingest", "aggregator")),
    ("beacon/ui", ("beacon.", "pymongo", "ingest", "aggregator")),
    # The HTTP plumbing both apps share: the Beacon vocabulary and logs, nothing of either app.
    (
        "beacon/web.py",
        (
            "beacon.store",
            "beacon.app",
            "beacon.handlers",
            "beacon.config",
            "pymongo",
            "ingest",
            "aggregator",
        ),
    ),
    # The demo runs the programs as processes: it imports none of the other two.
    ("beacon/demo.py", ("ingest", "aggregator", "aiohttp", "pymongo")),
    ("beacon/supervise.py", ("ingest", "aggregator", "aiohttp")),
    (
        "beacon/store",
        (
            "aiohttp",
            "beacon.app",
            "beacon.handlers",
            "beacon.query",
            "beacon.execute",
            "ingest",
            "aggregator",
        ),
    ),
    (
        "ingest",
        (
            "aiohttp",
            "aggregator",
            "beacon.app",
            "beacon.handlers",
            "beacon.query",
            "beacon.execute",
        ),
    ),
    (
        "aggregator",
        (
            "beacon.store",
            "beacon.app",
            "beacon.handlers",
            "beacon.query",
            "beacon.execute",
            "beacon.respond",
            "ingest",
            "pymongo",
        ),
    ),
]


@pytest.mark.parametrize(("where", "forbidden"), RULES)
def test_import_direction(where: str, forbidden: tuple[str, ...]) -> None:
    target = ROOT / where
    files = [target] if target.is_file() else _modules(where)
    for path in files:
        for name in _imports(path):
            bad = [
                f
                for f in forbidden
                if name == f.rstrip(".") or name.startswith(f.rstrip(".") + ".")
            ]
            assert not bad, f"{path.relative_to(ROOT)} imports {name}"


def test_nobody_imports_the_gpl_engine() -> None:
    for package in ("beacon", "ingest", "aggregator", "tests"):
        for path in _modules(package):
            assert not any(n == "secantus" or n.startswith("secantus.") for n in _imports(path)), (
                path
            )


def test_only_vcf_module_imports_cyvcf2() -> None:
    for package in ("beacon", "ingest", "aggregator"):
        for path in _modules(package):
            if path.name != "vcf.py":
                assert "cyvcf2" not in _imports(path), path
