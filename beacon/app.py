"""create_app(settings) -> web.Application: keys, the database context, middlewares, routes.

It only assembles. The database client is opened, pinged and closed by one cleanup context;
tests build their apps with this same factory.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from beacon import middleware, routes
from beacon.config import Settings
from beacon.execute import CatalogCache, Executor
from beacon.keys import CATALOG, CLIENT, DB, EXECUTOR, SETTINGS, STARTED
from beacon.store import client as store_client

log = logging.getLogger("beacon")


def create_app(settings: Settings, uri: str) -> web.Application:
    """The node app over the MongoDB at ``uri`` (resolve the embedded engine before calling)."""
    app = web.Application(
        client_max_size=settings.beacon.max_body_bytes,
        # request ids and the access log wrap everything; CORS headers must reach error
        # responses too, so CORS sits outside the error renderer.
        middlewares=[middleware.request_id, middleware.cors, middleware.beacon_errors],
    )
    app[SETTINGS] = settings
    app[STARTED] = dt.datetime.now(dt.UTC)
    app[CATALOG] = CatalogCache(settings.beacon.catalog_ttl_s)

    async def database(app: web.Application) -> AsyncIterator[None]:
        wait = settings.mongodb.server_timeout_ms
        client = store_client.connect(uri, serverSelectionTimeoutMS=wait, connectTimeoutMS=wait)
        app[CLIENT] = client
        app[DB] = client[settings.mongodb.db]
        app[EXECUTOR] = Executor(app[DB], settings.mongodb.query_timeout_ms)
        try:
            log.info("database: %s", await store_client.server_kind(client))
        except Exception as exc:  # the node still starts; /health reports the outage
            log.warning("database not reachable at startup: %s", type(exc).__name__)
        yield
        await client.close()

    app.cleanup_ctx.append(database)
    app.add_routes(routes.routes())
    return app
