"""``beacon-aggregator`` as operators use it: one request in-process, check, nodes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main


@pytest.fixture
def config(tmp_path: Path, down_url: str) -> Path:
    path = tmp_path / "network.toml"
    path.write_text(
        "[server]\n"
        'id = "org.test.network"\n'
        "[aggregator]\n"
        "deadline_s = 1.0\n"
        "node_timeout_s = 0.5\n"
        "[[aggregator.nodes]]\n"
        'id = "down"\n'
        f'url = "{down_url}"\n'
        'country = "SE"\n'
        'token_env = "DOWN_TOKEN"\n'
    )
    return path


def test_get_info_in_process(config: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--config", str(config), "--get", "/api/info"], env={"DOWN_TOKEN": "t"}
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["meta"]["beaconId"] == "org.test.network"
    assert body["response"]["info"]["network"][0]["nodeId"] == "down"


def test_get_fails_when_no_node_answers(config: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["serve", "--config", str(config), "--get", "/api/individuals"],
        env={"DOWN_TOKEN": "t"},
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["errorCode"] == 503


def test_check_masks_nothing_it_should_not_print(config: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", "--config", str(config)], env={"DOWN_TOKEN": "tok-123"}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["aggregator"]["nodes"][0]["token_env"] == "DOWN_TOKEN"
    assert "tok-123" not in result.output


def test_a_missing_network_token_is_a_usage_error(config: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(config)], env={"DOWN_TOKEN": ""})
    assert result.exit_code == 2
    assert "$DOWN_TOKEN" in result.output


def test_nodes_reports_an_unusable_node(config: Path) -> None:
    result = CliRunner().invoke(main, ["nodes", "--config", str(config)], env={"DOWN_TOKEN": "t"})
    assert result.exit_code == 1
    assert result.stdout.startswith("down\tunusable: cannot reach the node")
