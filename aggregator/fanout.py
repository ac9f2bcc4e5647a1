"""One understood request -> one ``NodeOutcome`` per node, within one global deadline.

Per node, in order: route network ids (``"<nodeId>:<id>"`` names one node), leave out a member
already on the request's path (``aggregator/via.py``: networks of networks never loop), check
what the node serves and which filters it knows (a node that cannot apply a filter is skipped
and reported, never asked without it), skip it if it is down (``health.py``), translate the
request into the node's dialect, and send it with the node's timeout, cut to what is left of the
deadline. All nodes run concurrently over the one shared session, whose connector bounds the
open connections in total and per node. When the deadline passes, the stragglers are cancelled
and reported as timeouts: a slow node never holds the answer back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import aiohttp

from aggregator import client, via
from aggregator.dialect import NodeCall, translate
from aggregator.discovery import Capabilities, Discovery
from aggregator.errors import NodeFailure
from aggregator.outcome import NODE_DOWN, NodeOutcome, Status, skipped
from aggregator.registry import Dialect, Node, Registry
from beacon.config import AggregatorSettings
from beacon.protocol.errors import Busy
from beacon.protocol.filters import listed_as
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, Route


@dataclass
class Network:
    """Everything a fan-out needs, built once by the app."""

    settings: AggregatorSettings
    registry: Registry
    discovery: Discovery
    session: aiohttp.ClientSession
    #: Told of every finished fan-out: (entry type, outcomes, seconds); the app's metrics.
    observe: Callable[[str, Sequence[NodeOutcome], float], None] | None = None
    #: Fan-outs running at once (``aggregator.max_in_flight``); more wait, then are refused.
    slots: asyncio.Semaphore | None = None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A place among the fan-outs in flight, or ``Busy`` after ``queue_wait_s``."""
        if self.slots is None:
            self.slots = asyncio.Semaphore(self.settings.max_in_flight)
        try:
            async with asyncio.timeout(self.settings.queue_wait_s):
                await self.slots.acquire()
        except TimeoutError:
            raise Busy(
                f"the network is answering {self.settings.max_in_flight} queries already; "
                "retry in a second",
                retry_after=1,
            ) from None
        try:
            yield
        finally:
            self.slots.release()


@dataclass(frozen=True)
class Target:
    """What one node is asked: the route with its own ids, and its share of ``datasetIds``."""

    node: Node
    route: Route
    dataset_ids: tuple[str, ...] | None


def targets(
    registry: Registry,
    request: BeaconRequest,
    holdings: Mapping[str, frozenset[str] | None] | None = None,
) -> tuple[list[Target], list[NodeOutcome]]:
    """Split network ids between nodes: who is asked about what, who is left out and why.

    A ``<nodeId>:<id>`` goes to that node. A plain dataset id goes to the nodes whose
    ``/datasets`` list it (``holdings``: node id -> the ids it lists, None when unknown), so a
    node is never sent a dataset it lacks (it would refuse the whole request); an id no node
    lists goes to every node, which each answer for it or refuse it.
    """
    holdings = holdings or {}
    route = request.route
    owner: Node | None = None
    if route.record_id is not None:
        owner, local = registry.split_id(route.record_id)
        route = replace(route, record_id=local)
    elif route.source_id is not None:
        owner, local = registry.split_id(route.source_id)
        route = replace(route, source_id=local)
    shares: dict[str, list[str]] = {n.id: [] for n in registry.nodes}
    if request.dataset_ids is not None:
        for value in request.dataset_ids:
            node, local = registry.split_id(value)
            holders = [n for n, held in holdings.items() if held is not None and local in held]
            for share_of in [node.id] if node else holders or list(shares):
                shares[share_of].append(local)
    asked: list[Target] = []
    left_out: list[NodeOutcome] = []
    for node in registry.nodes:
        if owner is not None and node is not owner:
            left_out.append(skipped(node.id, f"the id names node {owner.id}", node.country))
        elif request.dataset_ids is not None and not shares[node.id]:
            left_out.append(skipped(node.id, "holds none of the datasetIds", node.country))
        else:
            ids = tuple(shares[node.id]) if request.dataset_ids is not None else None
            asked.append(Target(node, route, ids))
    return asked, left_out


@dataclass(frozen=True)
class Path:
    """Where the request has been: the ``Via`` to send the members, and the names of the
    networks on the path (this one included), none of which is asked again."""

    via: str = ""
    networks: frozenset[str] = frozenset()

    def loops_through(self, beacon_id: str) -> bool:
        return bool(self.networks) and via.on_path(beacon_id, self.networks)


class _Calls:
    """Translate once per distinct (dialect, route, datasets): most nodes share one call."""

    def __init__(self, request: BeaconRequest, granularity: Granularity, path: Path) -> None:
        self.request = request
        self.granularity = granularity
        self.headers = (("Via", path.via),) if path.via else ()
        self.made: dict[tuple[Dialect, Route, tuple[str, ...] | None], NodeCall] = {}

    def get(self, target: Target, dialect: Dialect) -> NodeCall:
        key = (dialect, target.route, target.dataset_ids)
        call = self.made.get(key)
        if call is None:
            call = translate(
                self.request, target.route, target.dataset_ids, self.granularity, key[0]
            )
            call = replace(call, headers=self.headers)
            self.made[key] = call
        return call


def _refusal(
    known: Capabilities, target: Target, filter_ids: tuple[tuple[str, ...], ...], path: Path
) -> str | None:
    if path.loops_through(known.beacon_id):
        return (
            f"its beaconId {known.beacon_id} is already on this request's path (Via): "
            "asking it would loop"
        )
    return known.refusal(target.route, filter_ids)


async def _ask(
    net: Network,
    target: Target,
    calls: _Calls,
    deadline: float,
    token: str | None,
    request_id: str | None,
    path: Path,
) -> NodeOutcome:
    node = target.node
    filter_ids = tuple(listed_as(f) for f in calls.request.filters)
    known = net.discovery.known.get(node.id)
    if known is not None and (why := _refusal(known, target, filter_ids, path)):
        return skipped(node.id, why, node.country)
    health = net.registry.health[node.id]
    if not health.usable:
        return skipped(node.id, f"{NODE_DOWN}: {health.reason}", node.country)
    began = time.perf_counter()
    if known is None:  # never seen: discover inline, inside the deadline
        try:
            known = await net.discovery.ensure(node)
        except NodeFailure as failure:
            return NodeOutcome(
                node.id,
                failure.status,
                f"metadata: {failure.reason}",
                elapsed_ms=(time.perf_counter() - began) * 1000,
                http_status=failure.http_status,
                country=node.country,
                unreachable=failure.unreachable,
            )
        if why := _refusal(known, target, filter_ids, path):
            return skipped(node.id, why, node.country)
    settings = net.settings
    left = deadline - time.monotonic()
    limits = client.Limits(
        timeout_s=max(0.001, min(node.timeout_s, left)),
        connect_s=min(settings.connect_timeout_s, node.timeout_s),
        max_bytes=settings.max_response_bytes,
        retries=settings.retries,
        max_count=settings.max_node_count,
    )
    outcome = await client.query(
        net.session,
        node,
        calls.get(target, net.discovery.dialect_of(node)),
        target.route.entry,
        limits,
        token,
        request_id,
    )
    if outcome.status is Status.TIMEOUT and limits.timeout_s < node.timeout_s:
        # The node's own timeout was cut short by the deadline: say which limit it hit.
        reason = f"no answer before the network deadline of {settings.deadline_s:g} s"
        outcome = replace(outcome, reason=reason)
    return outcome


async def fan_out(
    net: Network,
    request: BeaconRequest,
    granularity: Granularity,
    token: str | None = None,
    request_id: str | None = None,
    path: Path = Path(),
) -> list[NodeOutcome]:
    """Ask every node that can answer; one outcome per registered node, in registry order.
    A node whose beaconId is on the request's ``path`` (a network it went through, or this
    one) is not asked."""
    deadline_s = net.settings.deadline_s
    deadline = time.monotonic() + deadline_s
    holdings = None
    if any(net.registry.split_id(d)[0] is None for d in request.dataset_ids or ()):
        # Plain dataset ids: which node holds which (each node's /datasets, kept a while).
        holdings = await net.discovery.holdings(deadline_s / 2)
    asked, left_out = targets(net.registry, request, holdings)
    calls = _Calls(request, granularity, path)
    # Sending 50 requests takes the event loop a few milliseconds: the slowest nodes go first,
    # so their wait overlaps the sending of the others instead of starting after it.
    asked.sort(key=lambda t: -net.registry.latency_ms[t.node.id])
    tasks: dict[str, asyncio.Future[NodeOutcome]] = {}
    began = time.perf_counter()
    pending: set[asyncio.Future[NodeOutcome]] = set()
    try:
        for t in asked:
            tasks[t.node.id] = asyncio.ensure_future(
                _ask(net, t, calls, deadline, token, request_id, path)
            )
            await asyncio.sleep(0)
        if tasks:
            _, pending = await asyncio.wait(tasks.values(), timeout=deadline_s)
    finally:
        for task in tasks.values():
            task.cancel()  # a no-op for finished tasks; stops stragglers (or all, if we are)
    outcomes: dict[str, NodeOutcome] = {o.node_id: o for o in left_out}
    for node_id, task in tasks.items():
        if task not in pending:
            outcomes[node_id] = task.result()
            continue
        node = net.registry.by_id[node_id]
        outcomes[node_id] = NodeOutcome(
            node_id,
            Status.TIMEOUT,
            f"no answer before the network deadline of {deadline_s:g} s",
            elapsed_ms=(time.perf_counter() - began) * 1000,
            country=node.country,
        )
    if pending:
        # Let the cancelled requests release their connections before answering.
        await asyncio.gather(*pending, return_exceptions=True)
    ordered = [outcomes[n.id] for n in net.registry.nodes]
    # Each node's health and latency and the metrics are the network's bookkeeping, not the
    # answer (at 50 nodes about 0.7 ms of it): they are recorded at the event loop's next turn,
    # after the answer is sent and before the loop reads anything new.
    seconds = time.perf_counter() - began
    asyncio.get_running_loop().call_soon(_account, net, request.route.entry.path, ordered, seconds)
    return ordered


def _account(net: Network, entry: str, outcomes: list[NodeOutcome], seconds: float) -> None:
    for outcome in outcomes:
        net.registry.record(outcome)
    if net.observe is not None:
        net.observe(entry, outcomes, seconds)


def failures(outcomes: Sequence[NodeOutcome]) -> list[NodeOutcome]:
    return [o for o in outcomes if o.failed]
