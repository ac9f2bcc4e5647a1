"""The command lines, as operators use them: ingest, then one request in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from beacon.node.cli import main as beacon
from ingest.cli import main as ingest
from tests.conftest import CHECKLIST


@pytest.fixture
def env(mongo_uri: str, db_name: str) -> dict[str, str]:
    return {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "BEACON_INGEST_SWAP_GRACE": "0",
        "BEACON_CATALOG_TTL": "0",
        "BEACON_UNDECLARED_DATASETS": "public",
    }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_ingest_then_get(runner: CliRunner, env: dict[str, str], schemas: Any, db: Any) -> None:
    loaded = runner.invoke(
        ingest, ["bff", str(CHECKLIST / "ds1"), "--dataset", "ds1", "--assembly", "GRCh38"], env=env
    )
    assert loaded.exit_code == 0, loaded.output
    reports = [json.loads(part) for part in loaded.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert [r["kind"] for r in reports] == ["metadata", "variants"]
    assert reports[1]["allelesWritten"] == 2
    assert reports[0]["documents"]["individuals"] == 2

    info = runner.invoke(beacon, ["serve", "--get", "/api/info"], env=env)
    assert info.exit_code == 0, info.output
    schemas.assert_valid(json.loads(info.stdout), schemas.RESPONSE_SCHEMAS["info"])

    hit = runner.invoke(
        beacon,
        ["serve", "--get", "/api/individuals/ind1/g_variants?requestedGranularity=count"],
        env=env,
    )
    assert hit.exit_code == 0, hit.output
    assert json.loads(hit.stdout)["responseSummary"] == {"exists": True, "numTotalResults": 2}

    bad = runner.invoke(beacon, ["serve", "--get", "/api/individuals?nope=1"], env=env)
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["error"]["errorCode"] == 400


def test_refused_input_changes_nothing(runner: CliRunner, env: dict[str, str], db: Any) -> None:
    result = runner.invoke(
        ingest, ["metadata", str(CHECKLIST / "ds1"), "--dataset", "not valid!"], env=env
    )
    assert result.exit_code == 1
    assert "dataset id 'not valid!' is not valid" in result.stderr
    assert "Nothing was changed" in result.stderr

    wrong = runner.invoke(ingest, ["metadata", str(CHECKLIST / "ds1"), "--dataset", "ds9"], env=env)
    assert wrong.exit_code == 1
    assert "the datasets file describes ds1, but --dataset is ds9" in wrong.stderr


def test_bff_with_variants_needs_an_assembly(runner: CliRunner, env: dict[str, str]) -> None:
    result = runner.invoke(ingest, ["bff", str(CHECKLIST / "ds1"), "--dataset", "ds1"], env=env)
    assert result.exit_code == 2
    assert "give --assembly GRCh37 or GRCh38" in result.output


def test_delete(runner: CliRunner, env: dict[str, str], db: Any) -> None:
    runner.invoke(ingest, ["metadata", str(CHECKLIST / "ds2"), "--dataset", "ds2"], env=env)
    deleted = runner.invoke(ingest, ["delete", "--dataset", "ds2", "--yes"], env=env)
    assert deleted.exit_code == 0, deleted.output
    again = runner.invoke(ingest, ["delete", "--dataset", "ds2", "--yes"], env=env)
    assert again.exit_code == 1
    assert "no dataset ds2" in again.stderr
    listed = runner.invoke(
        beacon, ["serve", "--get", "/api/datasets?requestedGranularity=count"], env=env
    )
    assert json.loads(listed.stdout)["responseSummary"]["numTotalResults"] == 0


def test_check_masks_secrets(runner: CliRunner) -> None:
    result = runner.invoke(beacon, ["check"], env={"MONGODB_URI": "mongodb://u:hunter2@h/"})
    assert result.exit_code == 0
    assert "hunter2" not in result.output
    assert json.loads(result.output)["server"]["port"] == 5050


def test_bad_config_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(beacon, ["check"], env={"BEACON_PORT": "zero"})
    assert result.exit_code == 2
    assert "setting server.port ($BEACON_PORT): expected a number" in result.output


UNSAFE = """
[server]
host = "0.0.0.0"
environment = "prod"

[access]
undeclared_datasets = "public"
client_ip_header = "X-Forwarded-For"

[[access.issuers]]
iss = "https://login.example.org/"
jwks_uri = "http://127.0.0.1:8080/jwks"

[[access.datasets]]
id = "ctrl"
visa_values = ["https://dac.example.org/ctrl"]
visa_issuers = ["https://dac.example.org/"]
"""


def test_check_warns_about_unsafe_settings(runner: CliRunner, tmp_path: Any) -> None:
    path = tmp_path / "unsafe.toml"
    path.write_text(UNSAFE)
    result = runner.invoke(beacon, ["check", "--config", str(path)], env={"BEACON_PORT": "5050"})
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 5, warnings
    text = "\n".join(warnings)
    assert "client_ip_header = 'X-Forwarded-For' is believed from any peer" in text
    assert "access.trusted_proxies" in text
    assert "undeclared_datasets = 'public' in a prod deployment" in text
    assert "(https://login.example.org/) is reached over plain http" in text
    assert "(https://login.example.org/) has no audiences" in text
    assert "visa issuer 'https://dac.example.org/' is not an [[access.issuers]] entry" in text
    assert json.loads(result.stdout)["server"]["host"] == "0.0.0.0"
    safe = UNSAFE.replace('"0.0.0.0"', '"127.0.0.1"').replace('"prod"', '"dev"')
    safe = safe.replace("http://127.0.0.1:8080", "https://login.example.org")
    safe = safe.replace(
        "[[access.datasets]]",
        'audiences = ["https://beacon.example.org"]\nvisas = false\n\n'
        '[[access.issuers]]\niss = "https://dac.example.org/"\n'
        'jwks_uri = "https://dac.example.org/jwks"\naccess_tokens = false\n\n'
        "[[access.datasets]]",
    )
    path.write_text(safe)
    result = runner.invoke(beacon, ["check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr
    behind_proxies = UNSAFE.replace(
        'client_ip_header = "X-Forwarded-For"',
        'client_ip_header = "X-Forwarded-For"\ntrusted_proxies = ["10.0.0.0/8"]',
    )
    path.write_text(behind_proxies)
    result = runner.invoke(beacon, ["check", "--config", str(path)])
    assert "client_ip_header" not in result.stderr
