"""create_app(settings) -> web.Application: keys, the database context, middlewares, routes.

It only assembles (``beacon.web.app`` gives what both apps share: limits, middlewares,
metrics). The database client is opened, pinged and closed by one cleanup context (which also
makes sure the budget counters expire), the HTTP session that asks the token issuers (keys,
OpenID configuration, userinfo, introspection) by another; tests build their apps with this
same factory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import aiohttp
from aiohttp import web

from beacon.config import Settings
from beacon.node import caller, routes, scope
from beacon.node.execute import CatalogCache, DatabaseMetrics, Executor
from beacon.node.jwks import JwksCache
from beacon.node.keys import (
    BUDGETS,
    CATALOG,
    CLIENT,
    DB,
    EXECUTOR,
    REFERENCES,
    SETTINGS,
    VERIFIER,
)
from beacon.node.oidc import IssuerClient, client_secrets
from beacon.node.passport import Verifier
from beacon.node.privacy import Budgets
from beacon.protocol import genome
from beacon.store import budgets, catalog
from beacon.store import client as store_client
from beacon.store.reference import Reference
from beacon.web import metrics
from beacon.web.app import application
from beacon.web.requests import Handler

log = logging.getLogger("beacon")


@web.middleware
async def database_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every database operation of the request within ``mongodb.query_timeout_ms`` in all."""
    with request.app[EXECUTOR].deadline():
        return await handler(request)


def references(settings: Settings) -> dict[str, Reference]:
    """The reference genomes the settings name, opened and checked (``FastaError`` if not)."""
    given = {
        genome.GRCH37: settings.node.reference_grch37,
        genome.GRCH38: settings.node.reference_grch38,
    }
    return {assembly: Reference(Path(path), assembly) for assembly, path in given.items() if path}


def create_app(
    settings: Settings, uri: str, environ: Mapping[str, str] | None = None
) -> web.Application:
    """The node app over the MongoDB at ``uri`` (resolve the embedded engine before calling);
    client secrets are read from ``environ`` (default: the process environment), and one
    that is missing is a ``ConfigError`` here, before anything starts."""
    secrets = client_secrets(settings.access, os.environ if environ is None else environ)
    # Authentication is inside the error renderer, so a rejected token gets the spec's error
    # envelope; every database operation of a request shares one deadline.
    app = application(settings.server, "beacon", inner=[caller.authenticate, database_deadline])
    app[SETTINGS] = settings
    app[CATALOG] = CatalogCache(settings.node.catalog_ttl_s)
    database_metrics = DatabaseMetrics(app[metrics.HTTP_METRICS].registry)

    async def database(app: web.Application) -> AsyncIterator[None]:
        wait = settings.mongodb.server_timeout_ms
        client = store_client.connect(uri, serverSelectionTimeoutMS=wait, connectTimeoutMS=wait)
        app[CLIENT] = client
        app[DB] = client[settings.mongodb.db]
        app[EXECUTOR] = Executor(
            app[DB],
            settings.mongodb.query_timeout_ms,
            database_metrics,
            settings.mongodb.slow_query_ms,
        )
        try:
            log.info("database: %s", await store_client.server_kind(client))
            await budgets.ensure_indexes(app[DB])
            for dataset in (await catalog.read(app[DB])).values():
                if problem := scope.stale_load(dataset):
                    log.error("%s; its queries answer 503 until then", problem)
        except Exception as exc:  # the node still starts; /health reports the outage
            log.warning("database not ready at startup: %s", type(exc).__name__)
        yield
        await client.close()

    app[BUDGETS] = Budgets.from_settings(
        settings.access.budget_window_s,
        settings.access.budget_per_identity,
        settings.access.budget_per_ip,
    )
    if caller.audit_log.level == logging.NOTSET:  # audited even when other logs are quiet
        caller.audit_log.setLevel(logging.INFO)

    async def issuers(app: web.Application) -> AsyncIterator[None]:
        # One session for every request to an issuer; TLS verification stays on.
        access = settings.access
        async with aiohttp.ClientSession(headers={"User-Agent": "beacon-gdi"}) as session:
            ttl, every = access.jwks_ttl_s, access.jwks_min_refresh_s
            timeout = access.jwks_timeout_s
            keys = JwksCache(session, ttl=ttl, min_refresh=every, timeout=timeout)
            endpoints = IssuerClient(
                session, ttl=ttl, min_refresh=every, timeout=timeout, secrets=secrets
            )
            app[VERIFIER] = Verifier(access, keys, endpoints)
            yield

    app[REFERENCES] = references(settings)

    async def close_references(app: web.Application) -> None:
        for reference in app[REFERENCES].values():
            reference.close()

    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(issuers)
    app.on_cleanup.append(close_references)
    app.add_routes(routes.routes())
    return app
