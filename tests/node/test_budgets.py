"""Query budgets live in the database: every process of a node spends from one budget.

Two node apps on one database (in-process, fast) and two ``beacon serve`` processes on one
database (as behind a load balancer) must together grant exactly the budget, never twice it.
Windows are a day long, so no test run straddles the start of a new one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from beacon.node.privacy import WindowBudget
from beacon.store import collections as c
from beacon.store.client import Database
from tests.conftest import Client

DAY = "86400"
BIN = Path(sys.executable).parent


async def test_two_node_apps_on_one_database_share_the_budget(
    db: Database, node: Callable[..., Awaitable[Client]]
) -> None:
    env = {"BEACON_BUDGET_ANONYMOUS": "3", "BEACON_BUDGET_WINDOW": DAY}
    first, second = await node(**env), await node(**env)
    statuses = [
        (await app.get("/api/individuals")).status for app in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = await second.get("/api/individuals")
    assert refused.status == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 86400
    # One counter document per caller and window; no address is stored in the clear. The
    # refusal was counted once: after it, the app knows the window is spent.
    counters = [doc async for doc in db[c.BUDGETS].find()]
    assert len(counters) == 1
    assert counters[0][c.B_COUNT] == 4
    assert "127.0.0.1" not in str(counters)


async def test_concurrent_requests_never_overspend(
    db: Database, node: Callable[..., Awaitable[Client]]
) -> None:
    env = {"BEACON_BUDGET_ANONYMOUS": "5", "BEACON_BUDGET_WINDOW": DAY}
    apps = [await node(**env) for _ in range(2)]
    responses = await asyncio.gather(*(apps[i % 2].get("/api/individuals") for i in range(12)))
    assert sorted(r.status for r in responses) == [200] * 5 + [429] * 7


class Counter:
    """The database's counter, in memory: what ``find_one_and_update`` with $inc does."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, str, int], float] = {}
        self.writes = 0

    async def count_in_window(
        self, scope: str, key: str, window: int, ends: dt.datetime, amount: float = 1
    ) -> float:
        self.writes += 1
        total = self.totals.get((scope, key, window), 0) + amount
        self.totals[(scope, key, window)] = total
        return total


async def test_processes_reserve_shares_and_never_grant_more_than_the_budget() -> None:
    counter = Counter()
    now = 1000.0  # inside the first 86,400 s window
    alone = WindowBudget("address", 800, 86400)
    granted = [await alone.spend(counter, "a", now) == 0 for _ in range(900)]
    assert granted == [True] * 800 + [False] * 100
    assert counter.writes < 90, "one write per query would be 801"
    # Four processes, asked in a shuffled order: never more than the budget in total, and
    # nothing left stranded in the others' shares at the end.
    counter = Counter()
    processes = [WindowBudget("address", 800, 86400) for _ in range(4)]
    order = random.Random(7).choices(range(4), k=1200)
    granted = [await processes[i].spend(counter, "a", now) == 0 for i in order]
    assert sum(granted) <= 800
    assert sum(granted) >= 800 - 3 * 8  # at most a few units held unspent elsewhere
    assert counter.writes < 250
    # A new window starts afresh.
    assert await alone.spend(counter, "a", now + 86400) == 0


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def _wait(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if _status(url) == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer")


def _two_processes(env: dict[str, str], requests: int) -> list[int]:
    """Start two ``beacon serve`` processes, ask them in turn, stop them; the statuses."""
    ports = [_port(), _port()]
    processes = [
        subprocess.Popen(
            [str(BIN / "beacon"), "serve", "--port", str(port)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait(process, f"http://127.0.0.1:{port}/health")
        urls = [f"http://127.0.0.1:{port}/api/individuals" for port in ports]
        return [_status(urls[i % 2]) for i in range(requests)]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.communicate(timeout=30)


@pytest.mark.slow
async def test_two_node_processes_on_one_database_share_the_budget(
    mongo_uri: str, db_name: str, db: Database
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEACON_", "MONGODB_"))}
    env.update(
        MONGODB_URI=mongo_uri,
        MONGODB_DB=db_name,
        BEACON_BUDGET_ANONYMOUS="4",
        BEACON_BUDGET_WINDOW=DAY,
        BEACON_UNDECLARED_DATASETS="public",
    )
    statuses = await asyncio.to_thread(_two_processes, env, 6)
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert await db[c.BUDGETS].count_documents({}) == 1
