"""Fixtures for fault tests: an engine of the test's own, which the test may freeze or kill."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from beacon.store import engine


@pytest.fixture
def own_engine(tmp_path: Path, mongo_uri: str) -> Iterator[engine.EngineState]:
    """An embedded engine for this test alone (``mongo_uri`` only marks the test ``mongo``)."""
    if os.environ.get("MONGODB_URI"):
        pytest.skip("freezes its own embedded engine; MONGODB_URI points elsewhere")
    state = engine.start(tmp_path / "engine", cache_size="128M")
    try:
        yield state
    finally:
        os.kill(state.pid, signal.SIGCONT)  # never leave it stopped: stop() needs it to exit
        engine.stop(tmp_path / "engine")
