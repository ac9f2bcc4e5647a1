"""One ``AsyncMongoClient`` per process, pointed at ``MONGODB_URI`` or the embedded engine.

The URI is never logged: it may carry credentials.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from beacon.config import MongoSettings
from beacon.store import engine

Database = AsyncDatabase[dict[str, Any]]
Client = AsyncMongoClient[dict[str, Any]]


@contextlib.contextmanager
def database_uri(settings: MongoSettings) -> Iterator[str]:
    """The URI to use: ``MONGODB_URI`` if set, else the embedded engine.

    An engine that is already running (``beacon db start``) is reused and left running; one
    started here is stopped again on exit.
    """
    if settings.uri is not None:
        yield settings.uri.reveal()
        return
    if not settings.embedded:
        raise engine.EngineError(
            "MONGODB_URI is not set and the embedded engine is disabled "
            "(mongodb.embedded = false): point MONGODB_URI at the database"
        )
    running = engine.status(settings.engine_dir)
    if running:
        yield running.uri
        return
    state = engine.start(settings.engine_dir)
    try:
        yield state.uri
    finally:
        engine.stop(settings.engine_dir)


def connect(uri: str, **options: Any) -> Client:
    """A client with sane timeouts; connecting is lazy, :func:`ping` checks it."""
    opts: dict[str, Any] = {
        "serverSelectionTimeoutMS": 5000,
        "connectTimeoutMS": 5000,
        "tz_aware": True,
    }
    opts.update(options)
    return AsyncMongoClient(uri, **opts)


async def ping(client: Client) -> None:
    await client.admin.command("ping")


async def server_kind(client: Client) -> str:
    """``embedded engine <version>`` or ``MongoDB <version>``, for the startup log line."""
    info = await client.admin.command("buildInfo")
    if "secantusVersion" in info:
        return f"embedded engine SecantusDB {info['secantusVersion']} (not for production data)"
    return f"MongoDB {info.get('version', '?')}"
