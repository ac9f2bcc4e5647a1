"""Prometheus metrics of the node and the aggregator, served at ``/metrics`` in text format.

Each app owns one registry (tests build many apps in one process; a process-wide registry would
mix them). Shared by both programs: request latency per endpoint (the route's path pattern,
``/api/individuals/{id}``, never the raw path, so the label set stays small), method and status,
requests in progress, and error responses. The node adds database time per operation and its
slow operations (``beacon/node/execute.py``); the aggregator adds per-node latency and outcomes
(``aggregator/metrics.py``).
"""

from __future__ import annotations

import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from beacon.web.requests import Handler

#: Seconds: from a cached lookup to a query at the edge of its time limit.
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """One app's registry and its HTTP metrics."""

    def __init__(self, namespace: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer a request, by endpoint (route pattern), method and status",
            ["endpoint", "method", "status"],
            namespace=namespace,
            registry=self.registry,
            buckets=BUCKETS,
        )
        self.errors = Counter(
            "http_errors_total",
            "Error responses (status 400 and up), by endpoint and status",
            ["endpoint", "status"],
            namespace=namespace,
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "http_requests_in_progress",
            "Requests being answered",
            namespace=namespace,
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


HTTP_METRICS = web.AppKey("http_metrics", HttpMetrics)


def endpoint(request: web.Request) -> str:
    """The route pattern that matched (``/api/g_variants/{id}``), or ``unmatched``."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Time every request; count the error responses."""
    metrics = request.app[HTTP_METRICS]
    began = time.perf_counter()
    status = 500
    metrics.in_progress.inc()
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics.in_progress.dec()
        where = endpoint(request)
        metrics.latency.labels(where, request.method, str(status)).observe(
            time.perf_counter() - began
        )
        if status >= 400:
            metrics.errors.labels(where, str(status)).inc()


async def serve_metrics(request: web.Request) -> web.StreamResponse:
    """``GET /metrics``: the app's metrics in the Prometheus text format."""
    body = request.app[HTTP_METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def routes() -> list[web.RouteDef]:
    return [web.get("/metrics", serve_metrics)]
