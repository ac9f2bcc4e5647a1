"""The demo's plan, without a database: configurations, the reuse check, the banner."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from beacon.config import load_settings
from beacon.demo import plan as demo
from tests.demo.conftest import SIZE


def test_node_configs_are_valid_settings(tmp_path: Path) -> None:
    for node in demo.NODES:
        path = tmp_path / f"{node.id}.toml"
        path.write_text(demo.node_config(node))
        settings = load_settings(path, {})
        assert settings.server.port == node.port
        assert settings.mongodb.db == node.database
        assert settings.access.budget_per_ip == 0
        policies = {p.id: p for p in settings.access.datasets}
        assert set(policies) == set(node.datasets)
        for dataset, policy in policies.items():
            controlled = dataset in node.controlled
            assert policy.security_level == ("CONTROLLED" if controlled else "PUBLIC")
            assert policy.tier_cap("PUBLIC") == ("count" if controlled else "record")
    assert [n.port for n in demo.NODES] == [5051, 5052, 5053]
    assert sum(len(n.controlled) for n in demo.NODES) == 1


def test_aggregator_config_lists_every_node(tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text(demo.aggregator_config({n.id: f"{n.url}/api" for n in demo.NODES}))
    settings = load_settings(path, {}, "aggregator")
    assert settings.server.port == demo.AGGREGATOR_PORT
    assert [(n.id, n.url, n.country) for n in settings.aggregator.nodes] == [
        ("fi", "http://127.0.0.1:5051/api", "FI"),
        ("de", "http://127.0.0.1:5052/api", "DE"),
        ("es", "http://127.0.0.1:5053/api", "ES"),
    ]
    assert tomllib.loads(path.read_text())["server"]["name"]


@pytest.mark.parametrize(
    ("recorded", "catalogs", "reuse"),
    [
        (None, {}, False),
        ("same", {}, False),  # the marker, but the databases were emptied
        ("same", {"demo_fi": ["synthetic-fi"], "demo_de": ["synthetic-de"]}, False),
        ("other size", "all", False),
        ("older layout", "all", False),  # loaded before the data changed shape: load afresh
        ("same", "all", True),
    ],
)
def test_loaded_data_is_reused_only_when_it_is_all_there(
    recorded: str | None, catalogs: Any, reuse: bool
) -> None:
    wanted = demo.marker(SIZE, "engine:/x")
    marker = {
        None: None,
        "same": demo.marker(SIZE, "engine:/x"),
        "other size": demo.marker(demo.Size(samples=25), "engine:/x"),
        "older layout": {**demo.marker(SIZE, "engine:/x"), "layout": demo.DATA_LAYOUT - 1},
    }[recorded]
    if catalogs == "all":
        catalogs = {n.database: list(n.datasets) for n in demo.NODES}
    assert demo.reusable(marker, wanted, catalogs) is reuse


def test_the_banner_names_every_url_and_example() -> None:
    urls = {n.id: n.url for n in demo.NODES}
    text = demo.banner(urls, "http://127.0.0.1:5060", Path("/tmp/logs"))
    for url in ("http://127.0.0.1:8060/", "http://127.0.0.1:5051/", "http://127.0.0.1:5053/"):
        assert url in text
    for path, _ in demo.EXAMPLES:
        assert f"http://127.0.0.1:5060/api{path}" in text


def test_the_readme_shows_the_demo_as_it_is() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for path, _ in demo.EXAMPLES:
        assert f"http://127.0.0.1:{demo.AGGREGATOR_PORT}/api{path}" in readme, path
    assert f"http://127.0.0.1:{demo.BROWSER_PORT}/" in readme
    for node in demo.NODES:
        assert f"http://127.0.0.1:{node.port}/" in readme
        for dataset in node.datasets:
            assert f"`{dataset}`" in readme
