"""create_app(settings) -> web.Application: keys, the network context, middlewares, routes.

It only assembles. One cleanup context owns the one ``ClientSession`` (its connector bounds the
connections to all nodes and to each node) and the background task that keeps every node's
capabilities fresh; both are closed on shutdown. Tests build their apps with this same factory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping

import aiohttp
from aiohttp import web

from aggregator import health, routes, via
from aggregator.cache import ResponseCache
from aggregator.client import Limits
from aggregator.discovery import Discovery
from aggregator.fanout import Network
from aggregator.keys import CACHE, NETWORK, SETTINGS
from aggregator.metrics import NETWORK_METRICS, NetworkMetrics
from aggregator.registry import Registry
from beacon.config import Settings
from beacon.web import metrics
from beacon.web.app import application


def create_app(full: Settings, environ: Mapping[str, str] | None = None) -> web.Application:
    """The network app over ``aggregator.nodes`` (service tokens are read from ``environ``)."""
    settings = full.aggregator
    registry = Registry.from_settings(settings, os.environ if environ is None else environ)
    app = application(full.server, "aggregator")
    app[SETTINGS] = settings
    app[CACHE] = ResponseCache(settings.cache_ttl_s, settings.cache_entries)
    app[NETWORK_METRICS] = network_metrics = NetworkMetrics(app[metrics.HTTP_METRICS].registry)

    async def network(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(
            limit=settings.max_connections,
            limit_per_host=settings.max_connections_per_node,
            ttl_dns_cache=300,
        )
        # No cookie jar: the session is shared by every caller, so a cookie one node sets must
        # never ride along on someone else's request.
        session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        limits = Limits(
            settings.node_timeout_s,
            settings.connect_timeout_s,
            settings.max_response_bytes,
            settings.retries,
        )
        discovery = Discovery(
            registry,
            session,
            limits,
            settings.metadata_ttl_s,
            via=via.forwarded(None, full.server.id),
        )
        app[NETWORK] = Network(settings, registry, discovery, session, network_metrics.observe)
        refresher = asyncio.ensure_future(discovery.run(max(0.05, settings.metadata_ttl_s / 2)))
        watched = [(n.url, registry.health[n.id]) for n in registry.nodes]
        prober = asyncio.ensure_future(
            health.watch(watched, settings.health_probe_s, settings.connect_timeout_s)
        )
        yield
        for task in (refresher, prober):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await discovery.close()
        await session.close()

    app.cleanup_ctx.append(network)
    app.add_routes(routes.routes())
    return app
