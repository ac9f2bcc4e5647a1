"""The network's own metrics: per-node latency, outcomes and errors, and fan-out totals.

Registered in the app's registry beside the HTTP metrics of ``beacon.metrics`` and served at
``/metrics``. ``fan_out`` reports each finished fan-out here (``Network.observe``): one latency
sample per node that was asked, one outcome per node (``ok``, ``timeout``, ``error``,
``invalid``, ``skipped``), one error per node that failed, and the fan-out's own duration.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram

from aggregator.outcome import NodeOutcome, Status
from beacon.web.metrics import BUCKETS


class NetworkMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.node_latency = Histogram(
            "aggregator_node_request_duration_seconds",
            "Time one node took to answer its part of a query, by node and outcome",
            ["node", "status"],
            registry=registry,
            buckets=BUCKETS,
        )
        self.node_outcomes = Counter(
            "aggregator_node_outcomes_total",
            "How each node's part of a query ended: ok, timeout, error, invalid or skipped",
            ["node", "status"],
            registry=registry,
        )
        self.node_errors = Counter(
            "aggregator_node_errors_total",
            "Node failures (timeouts, errors, invalid answers, open circuits), by node",
            ["node", "status"],
            registry=registry,
        )
        self.fanouts = Counter(
            "aggregator_fanouts_total",
            "Queries sent out to the nodes, by entry type",
            ["entry_type"],
            registry=registry,
        )
        self.fanout_latency = Histogram(
            "aggregator_fanout_duration_seconds",
            "Time from sending a query to the nodes to having every outcome, by entry type",
            ["entry_type"],
            registry=registry,
            buckets=BUCKETS,
        )

    def observe(self, entry_type: str, outcomes: Sequence[NodeOutcome], seconds: float) -> None:
        """Record one finished fan-out."""
        self.fanouts.labels(entry_type).inc()
        self.fanout_latency.labels(entry_type).observe(seconds)
        for outcome in outcomes:
            status = outcome.status.value
            self.node_outcomes.labels(outcome.node_id, status).inc()
            if outcome.status is not Status.SKIPPED:
                self.node_latency.labels(outcome.node_id, status).observe(outcome.elapsed_ms / 1000)
            if outcome.failed:
                self.node_errors.labels(outcome.node_id, status).inc()


NETWORK_METRICS = web.AppKey("network_metrics", NetworkMetrics)
