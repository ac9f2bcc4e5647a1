"""The network's members at run time: who they are, how they speak, and whether to ask them.

Built once from ``aggregator.nodes`` (and the registry file). Each :class:`Node` carries its
request dialect and credentials policy; each has a ``NodeHealth`` (``aggregator/health.py``):
a node that is down is skipped (reported ``skipped: node down``) until its /health answers.

Credentials never raise a caller's tier: a node gets the caller's own bearer token (``forward``)
or none; the network's own token, when it has one for the node, travels apart, as
``X-Beacon-Network``, which the node uses for its budget and audit and never for a tier.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aggregator.health import NodeHealth
from aggregator.outcome import NodeOutcome, Status
from beacon.config import AggregatorSettings, ConfigError, NodeEntry, Secret, check_credentials

Clock = Callable[[], float]


@dataclass(frozen=True)
class Dialect:
    """How a node wants its queries (docs/design.md §6: nodes disagree on all three)."""

    method: str = "POST"  # POST bodies, or GET query strings with comma lists
    nested: bool = True  # requestParameters nested under g_variant (schema) or flat
    skip_pages: bool = True  # skip counts pages (spec) or records


#: The three parts of a dialect, as the registry names them.
DIALECT_PARTS = ("method", "parameters", "skip")


@dataclass(frozen=True)
class Node:
    id: str
    url: str  # the API root, without a trailing slash
    country: str
    credentials: str  # none | forward
    dialect: Dialect  # as declared, the spec's choice where nothing is (docs/design.md §6)
    timeout_s: float
    #: the network's own token at this node (X-Beacon-Network), never sent as a caller's
    network_token: Secret | None = None
    #: The parts of the dialect the registry declares (the others are learnt from the node).
    declared: frozenset[str] = frozenset(DIALECT_PARTS)

    def authorization(self, caller_token: str | None) -> str | None:
        """The Authorization header this node gets: the caller's own token if it accepts it,
        else none — never a token of the network's, so the node sees the caller's tier."""
        if self.credentials == "forward" and caller_token:
            return f"Bearer {caller_token}"
        return None


def node_from_entry(
    entry: NodeEntry, settings: AggregatorSettings, environ: Mapping[str, str]
) -> Node:
    check_credentials(entry, f"node {entry.id}")  # also for settings built in code
    token = None
    if entry.token_env:
        value = environ.get(entry.token_env, "")
        if not value:
            raise ConfigError(
                f"node {entry.id}: the network token variable ${entry.token_env} is not set"
            )
        token = Secret(value)
    return Node(
        id=entry.id,
        url=entry.url.rstrip("/"),
        country=entry.country,
        credentials=entry.credentials,
        dialect=Dialect(
            "GET" if entry.method == "GET" else "POST",
            entry.parameters != "flat",
            entry.skip != "records",
        ),
        timeout_s=entry.timeout_s or settings.node_timeout_s,
        network_token=token,
        declared=frozenset(part for part in DIALECT_PARTS if getattr(entry, part) != "auto"),
    )


class Registry:
    """The nodes in declaration order, their breakers and what each last did."""

    def __init__(
        self, nodes: tuple[Node, ...], settings: AggregatorSettings, clock: Clock = time.monotonic
    ) -> None:
        self.nodes = nodes
        self.by_id = {n.id: n for n in nodes}
        self.health = {n.id: NodeHealth(n.id, settings.breaker_failures, clock) for n in nodes}
        self.last: dict[str, NodeOutcome] = {}
        #: Moving average of each node's answer time (ms), to ask the slowest nodes first.
        self.latency_ms: dict[str, float] = {n.id: 0.0 for n in nodes}
        self.counters: dict[str, dict[str, int]] = {n.id: {} for n in nodes}

    @classmethod
    def from_settings(
        cls, settings: AggregatorSettings, environ: Mapping[str, str], clock: Clock = time.monotonic
    ) -> Registry:
        nodes = tuple(node_from_entry(e, settings, environ) for e in settings.nodes)
        return cls(nodes, settings, clock)

    def record(self, outcome: NodeOutcome) -> None:
        """Feed an outcome to the node's health and statistics."""
        counts = self.counters[outcome.node_id]
        counts[outcome.status.value] = counts.get(outcome.status.value, 0) + 1
        if outcome.status is Status.SKIPPED:
            return  # not asked: says nothing about the node's health
        previous = self.latency_ms[outcome.node_id]
        self.latency_ms[outcome.node_id] = (
            outcome.elapsed_ms if previous == 0 else 0.8 * previous + 0.2 * outcome.elapsed_ms
        )
        self.health[outcome.node_id].report(outcome)
        self.last[outcome.node_id] = outcome

    def split_id(self, value: str) -> tuple[Node | None, str]:
        """``"<nodeId>:<id>"`` -> (that node, ``id``); any other id -> (None, id)."""
        prefix, sep, rest = value.partition(":")
        if sep and rest and prefix in self.by_id:
            return self.by_id[prefix], rest
        return None, value
