"""The production files say what the code does: compose services, image, example settings.

No Docker engine runs here, so these tests read the files: the compose file's structure and
wiring, that the image installs every package and runs programs that exist, and that the
example settings for it in docs/operating.md load.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from beacon.config import (
    CONFIG_ENV,
    PROGRAM_DEFAULTS,
    ServerSettings,
    Settings,
    describe,
    load_settings,
)

ROOT = Path(__file__).parents[1]
OPERATING = (ROOT / "docs" / "operating.md").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_runs_mongodb_a_node_and_the_aggregator(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"mongodb", "node", "aggregator"} <= set(services)
    assert services["mongodb"]["image"].startswith("mongo:")
    assert "mongodb-data:/data/db" in services["mongodb"]["volumes"]
    node, aggregator = services["node"], services["aggregator"]
    assert "@mongodb:27017/" in node["environment"]["MONGODB_URI"]
    assert node["depends_on"]["mongodb"]["condition"] == "service_healthy"
    assert aggregator["depends_on"]["node"]["condition"] == "service_healthy"
    node_port = ServerSettings.port
    network_port = PROGRAM_DEFAULTS["aggregator"]["server"]["port"]
    assert node["ports"] == [f"{node_port}:{node_port}"]
    assert aggregator["ports"] == [f"{network_port}:{network_port}"]
    for service in (node, aggregator):
        assert service["environment"]["HEALTH_PORT"] == service["ports"][0].split(":")[0]
        assert service["environment"]["BEACON_CONFIG"].startswith("/etc/beacon/")


def test_compose_sets_only_variables_the_programs_read(compose: dict[str, Any]) -> None:
    # HEALTH_PORT is read by the image's health check.
    known = {info.env for info in describe(Settings) if info.env} | {CONFIG_ENV, "HEALTH_PORT"}
    for name, service in compose["services"].items():
        if "command" in service and service["image"].startswith("beacon-gdi"):
            assert set(service["environment"]) <= known, name


def test_compose_runs_only_installed_programs(compose: dict[str, Any]) -> None:
    scripts = set(PYPROJECT["project"]["scripts"])
    for name, service in compose["services"].items():
        if "command" in service:
            assert service["command"][0] in scripts, name


def test_the_image_installs_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) \./\1$", dockerfile, re.MULTILINE))
    assert set(PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]) <= copied
    assert re.search(r"^RUN pip install \.", dockerfile, re.MULTILINE)
    assert re.search(r"^USER (?!root)", dockerfile, re.MULTILINE)


def _example(name: str) -> str:
    match = re.search(rf"```toml\n# {re.escape(name)}\n(.*?)```", OPERATING, re.DOTALL)
    assert match, f"docs/operating.md has no {name} example"
    return match.group(1)


def test_the_examples_for_compose_are_valid_settings(
    tmp_path: Path, compose: dict[str, Any]
) -> None:
    node = tmp_path / "beacon.toml"
    node.write_text(_example("beacon.toml"))
    settings = load_settings(node, {})
    assert [p.id for p in settings.access.datasets] == ["cohort-2024"]
    network = tmp_path / "network.toml"
    network.write_text(_example("network.toml"))
    nodes = load_settings(network, {}, "aggregator").aggregator.nodes
    port = compose["services"]["node"]["ports"][0].split(":")[1]
    assert [n.url for n in nodes] == [f"http://node:{port}/api"]
