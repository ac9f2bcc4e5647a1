"""``beacon serve --workers N``: several processes answer on one port, stop together on
SIGTERM, and a worker that dies stops the server loudly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

from beacon.store.client import Database
from tests.test_serve import BIN, free_port, http_get, serve_env, wait_until_up

pytestmark = pytest.mark.slow

QUERY = "/api/g_variants?referenceName=17&start=0&end=10000&requestedGranularity=count"


def _pids(port: int, want: int) -> set[int]:
    """The workers that answer scrapes, each on a connection of its own, until ``want`` of
    them have (the later ones may still be starting when the first answers)."""
    found: set[int] = set()
    deadline = time.monotonic() + 20
    while len(found) < want and time.monotonic() < deadline:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/metrics", headers={"Connection": "close"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            text = response.read().decode()
        match = re.search(r"^beacon_worker_pid (\S+)$", text, re.MULTILINE)
        assert match, text[:300]
        found.add(int(float(match.group(1))))
        time.sleep(0.02)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _start(mongo_uri: str, database: str, workers: int) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = serve_env(MONGODB_URI=mongo_uri, MONGODB_DB=database, BEACON_UNDECLARED_DATASETS="public")
    command = [str(BIN / "beacon"), "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    wait_until_up(process, f"http://127.0.0.1:{port}/health")
    return process, port


def test_two_workers_answer_and_stop_together(
    mongo_uri: str, db_name: str, checklist: Database
) -> None:
    process, port = _start(mongo_uri, db_name, 2)
    try:
        workers = _pids(port, 2)
        assert len(workers) == 2
        assert process.pid not in workers
        for _ in range(10):
            status, body = http_get(f"http://127.0.0.1:{port}{QUERY}")
            assert status == 200
            assert json.loads(body)["responseSummary"]["numTotalResults"] == 2
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert not any(_alive(pid) for pid in workers)
    stops = [line for line in err.splitlines() if "stopping: requests in flight" in line]
    assert len(stops) == 2  # each worker stopped gracefully


def test_a_dead_worker_stops_the_server_with_an_error(mongo_uri: str, db_name: str) -> None:
    process, port = _start(mongo_uri, db_name, 2)
    try:
        workers = _pids(port, 2)
        assert len(workers) == 2
        os.kill(min(workers), signal.SIGKILL)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    assert "exited with -9" in err
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
