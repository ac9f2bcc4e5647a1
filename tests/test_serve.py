"""The programs as operators run them: real processes, JSON logs, graceful stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BEACON_", "AGGREGATOR_", "MONGODB_"))
    }
    env.update(extra)
    return env


def http_get(url: str, request_id: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, headers={"X-Request-Id": request_id} if request_id else {}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def wait_until_up(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if http_get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer")


def _stop(process: subprocess.Popen[str]) -> list[dict[str, Any]]:
    """SIGTERM, a clean exit, and the JSON log lines written."""
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_the_aggregator_listens_twice_logs_json_and_stops_cleanly() -> None:
    api, browser = free_port(), free_port()
    command = [str(BIN / "beacon-aggregator"), "serve", "--port", str(api)]
    command += ["--also-port", str(browser)]
    process = subprocess.Popen(command, env=serve_env(), stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(process, f"http://127.0.0.1:{api}/health")
        status, page = http_get(f"http://127.0.0.1:{browser}/", request_id="probe-7")
        assert status == 200
        assert b"static/app.js" in page
    finally:
        lines = _stop(process)
    access = [line for line in lines if line["logger"] == "beacon.http"]
    assert {"request_id": "probe-7", "path": "/", "status": 200}.items() <= access[-1].items()
    assert any(line["message"].startswith("stopping") for line in lines)


def test_a_node_serves_metrics_and_stops_cleanly(mongo_uri: str) -> None:
    port = free_port()
    env = serve_env(MONGODB_URI=mongo_uri, MONGODB_DB=f"t_{uuid.uuid4().hex[:10]}")
    command = [str(BIN / "beacon"), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/health")
        status, body = http_get(f"http://127.0.0.1:{port}/metrics", request_id="probe-8")
        assert status == 200
        assert b'beacon_http_request_duration_seconds_count{endpoint="/health"' in body
    finally:
        lines = _stop(process)
    metrics = [line for line in lines if line.get("path") == "/metrics"]
    assert metrics[0]["request_id"] == "probe-8"
    assert metrics[0]["logger"] == "beacon.http"
    assert any(line["message"].startswith("stopping") for line in lines)
