"""The part of both app factories that is the same: limits, the middleware stack, metrics.

Request limits belong to the application, so that every way of serving it (``web.run_app``,
the test server, ``--get``) applies them: the body size, the request line and the header
size (a GA4GH Passport in ``Authorization`` is tens of KB; aiohttp's default is 8 KB).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import Gauge

from beacon.config import ServerSettings
from beacon.web import metrics, middleware
from beacon.web.keys import SERVER, STARTED


def application(
    server: ServerSettings, namespace: str, inner: Sequence[Middleware] = ()
) -> web.Application:
    """A Beacon app with ``server``'s limits, the shared middlewares and then ``inner``."""
    app = web.Application(
        client_max_size=server.max_body_bytes,
        handler_args={
            "max_field_size": server.max_header_bytes,
            "max_line_size": server.max_line_bytes,
        },
        # Request ids and the HTTP log wrap everything; metrics time everything inside them,
        # error envelopes included; CORS headers must reach error responses too, so CORS sits
        # outside the error renderer.
        middlewares=[
            middleware.request_ids,
            metrics.measure,
            middleware.cors,
            middleware.beacon_errors,
            *inner,
        ],
    )
    app[SERVER] = server
    app[STARTED] = dt.datetime.now(dt.UTC)
    app[metrics.HTTP_METRICS] = metrics.HttpMetrics(namespace)
    # Each worker (server.workers) has its own metrics: this says which one a scrape reached.
    Gauge(
        "worker_pid",
        "The process that answered this scrape (one of server.workers)",
        namespace=namespace,
        registry=app[metrics.HTTP_METRICS].registry,
    ).set(os.getpid())
    return app
