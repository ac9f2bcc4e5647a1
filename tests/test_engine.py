"""The embedded engine launcher: start, find, reuse, stop."""

from __future__ import annotations

from pathlib import Path

import pymongo
import pytest

from beacon.store import engine


def test_start_status_reuse_stop(tmp_path: Path) -> None:
    if engine.find_binary() is None:
        pytest.skip("the embedded engine is not installed (run make install)")
    assert engine.status(tmp_path) is None
    state = engine.start(tmp_path, cache_size="128M")
    try:
        assert engine.status(tmp_path) == state
        assert engine.start(tmp_path) == state  # a second start finds the running engine
        client: pymongo.MongoClient[dict[str, object]]
        with pymongo.MongoClient(state.uri, serverSelectionTimeoutMS=5000) as client:
            assert client.admin.command("ping")["ok"] == 1
    finally:
        assert engine.stop(tmp_path) is True
    assert engine.status(tmp_path) is None
    assert engine.stop(tmp_path) is False


def test_stale_state_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / engine.STATE_FILE).write_text(
        '{"pid": 999999, "port": 1, "uri": "x", "binary": "x", "data_dir": "x"}'
    )
    assert engine.status(tmp_path) is None
    assert not (tmp_path / engine.STATE_FILE).exists()


def test_missing_binary_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "find_binary", lambda: None)
    with pytest.raises(engine.EngineError, match="make install"):
        engine.start(tmp_path)
