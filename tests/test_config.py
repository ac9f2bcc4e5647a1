"""Settings: environment beats file beats default; bad values are errors naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from beacon.config import ConfigError, Secret, load_settings, public_base_url, redacted


def test_defaults() -> None:
    settings = load_settings(None, {})
    assert settings.server.port == 5050
    assert settings.server.host == "127.0.0.1"
    assert settings.mongodb.uri is None
    assert settings.mongodb.db == "beacon"
    assert public_base_url(settings.server) == "http://127.0.0.1:5050/api"


def test_environment_beats_file(tmp_path: Path) -> None:
    path = tmp_path / "beacon.toml"
    path.write_text(
        '[server]\nid = "org.file"\nport = 6000\n[server.organization]\nname = "File Org"\n'
    )
    settings = load_settings(path, {"BEACON_PORT": "7000"})
    assert settings.server.id == "org.file"
    assert settings.server.port == 7000
    assert settings.server.organization.name == "File Org"


def test_config_file_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text('[mongodb]\ndb = "other"\n')
    assert load_settings(None, {"BEACON_CONFIG": str(path)}).mongodb.db == "other"


def test_secrets_are_masked() -> None:
    settings = load_settings(None, {"MONGODB_URI": "mongodb://user:hunter2@db/"})
    assert isinstance(settings.mongodb.uri, Secret)
    assert settings.mongodb.uri.reveal() == "mongodb://user:hunter2@db/"
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(redacted(settings))


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[server]\nprot = 1\n", {}, "unknown setting server.prot"),
        ("[server]\nport = 'x'\n", {}, "setting server.port: expected a number"),
        ("", {"BEACON_PORT": "x"}, "$BEACON_PORT"),
        ("", {"BEACON_PORT": "70000"}, "not a valid port"),
        ("", {"BEACON_ENVIRONMENT": "live"}, "server.environment"),
        ("", {"BEACON_DEFAULT_GRANULARITY": "everything"}, "server.default_granularity"),
        ("", {"BEACON_MAX_GRANULARITY": "count"}, "above node.max_granularity"),
        ("server = 3\n", {}, "expected a table"),
        ("[server\n", {}, "not valid TOML"),
    ],
)
def test_bad_settings(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env)
    assert message in str(caught.value)


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings("/nonexistent/beacon.toml", {})


def test_lists_from_environment() -> None:
    settings = load_settings(None, {"BEACON_CORS_ORIGINS": "https://a.org, https://b.org"})
    assert settings.server.cors_origins == ("https://a.org", "https://b.org")
