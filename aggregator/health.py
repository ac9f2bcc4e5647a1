"""Whether to ask a node: judged by the node itself, never by one caller's request.

A node is ``up``, ``suspect`` or ``down``. A data request that fails at the HTTP level (a 5xx, a
timeout, an answer that is not a Beacon response) says something about that request, perhaps
about the node: the node becomes *suspect* and is still asked, while its ``/health`` is probed
in the background. Only two things take a node out of the network (*down*, skipped with the
reason): connections to it failing ``aggregator.breaker_failures`` times in a row (refused,
reset, unreachable), or its own ``/health`` saying it cannot serve. A 4xx, or a 429 (the node
shedding load), is about the request and changes nothing. A down node is probed every
``aggregator.health_probe_s`` and is back as soon as ``/health`` answers 200, so a restarted node
returns within a probe interval. Probes use their own connections, so a queue of slow data
requests cannot make a healthy node look dead.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from aggregator.outcome import NodeOutcome, Status

log = logging.getLogger("aggregator.health")
Clock = Callable[[], float]


class State(enum.Enum):
    UP = "up"
    SUSPECT = "suspect"  # a request failed: still asked, /health probed
    DOWN = "down"  # unreachable, or /health says so: skipped until /health answers


class NodeHealth:
    """One node's state, as data requests and /health probes report it."""

    def __init__(self, node_id: str, failures: int, clock: Clock = time.monotonic) -> None:
        self.node_id = node_id
        self.threshold = failures
        self.clock = clock
        self.state = State.UP
        self.connection_failures = 0
        self.reason = ""
        self.since = clock()
        self.probes = 0

    def _move(self, state: State, reason: str) -> None:
        if state is not self.state:
            log.info("node %s is %s: %s", self.node_id, state.value, reason or "it answers")
            self.since = self.clock()
        self.state, self.reason = state, reason

    @property
    def usable(self) -> bool:
        return self.state is not State.DOWN

    @property
    def needs_probe(self) -> bool:
        return self.state is not State.UP

    def report(self, outcome: NodeOutcome) -> None:
        """What one data request to the node showed."""
        if outcome.status is Status.SKIPPED or outcome.request_specific:
            return
        if outcome.status is Status.OK:
            self.connection_failures = 0
            if self.state is State.SUSPECT:
                self._move(State.UP, "")
            return
        if outcome.unreachable:
            self.connection_failures += 1
            if self.connection_failures >= self.threshold:
                self._move(State.DOWN, outcome.reason)
                return
        if self.state is State.UP:
            self._move(State.SUSPECT, outcome.reason)

    def probed(self, ok: bool, reason: str = "") -> None:
        """What the node's /health said."""
        self.probes += 1
        if ok:
            self.connection_failures = 0
            self._move(State.UP, "")
        else:
            self._move(State.DOWN, f"/health: {reason}")

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "state": self.state.value,
            "sinceSeconds": round(self.clock() - self.since, 1),
        }
        if self.reason:
            body["reason"] = self.reason
        if self.connection_failures:
            body["connectionFailures"] = self.connection_failures
        return body


def health_url(api_root: str) -> str:
    return api_root.rstrip("/") + "/health"


async def probe(session: aiohttp.ClientSession, api_root: str, timeout_s: float) -> str:
    """'' when the node says it can serve (``/health``, else ``/info``, answers 200), or why not."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        for path in (health_url(api_root), api_root.rstrip("/") + "/info"):
            async with session.get(path, timeout=timeout, allow_redirects=False) as response:
                if response.status == 200:
                    return ""
                if response.status not in (404, 405):  # no /health here: ask /info instead
                    return f"HTTP {response.status}"
        return "HTTP 404 on /health and /info"
    except TimeoutError:
        return f"no answer within {timeout_s:g} s"
    except aiohttp.ClientError as exc:
        return type(exc).__name__


async def watch(nodes: list[tuple[str, NodeHealth]], interval_s: float, timeout_s: float) -> None:
    """Probe every node (API root, health) that is not up, every ``interval_s``, until
    cancelled."""
    connector = aiohttp.TCPConnector(limit=max(4, len(nodes)), force_close=True)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        while True:
            due = [(url, health) for url, health in nodes if health.needs_probe]
            if due:
                found = await asyncio.gather(*(probe(session, url, timeout_s) for url, _ in due))
                for (_, health), problem in zip(due, found, strict=True):
                    health.probed(not problem, problem)
            await asyncio.sleep(interval_s)
