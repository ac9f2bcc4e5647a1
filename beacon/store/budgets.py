"""Counters per caller and time window, shared by every process of a node.

One document per (scope, key, window) in ``budgets``: ``_id`` is
``<scope>:<SHA-256 of the key>:<window number>``, ``n`` the amount counted so far and
``expires`` the end of the window, which a TTL index uses to remove it. One
``find_one_and_update`` with ``$inc`` and upsert adds to the counter and reads the new total in
a single atomic step, on MongoDB and the embedded engine alike, so two processes behind a load
balancer can never both spend the last unit. Keys are hashed: the database holds no client
addresses or subjects. Scopes keep different budgets apart (the query budget of identities,
that of addresses, any later budget of another kind).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from beacon.store import collections as c
from beacon.store.client import Database


def counter_id(scope: str, key: str, window: int) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{scope}:{digest}:{window}"


async def add(
    db: Database,
    scope: str,
    key: str,
    window: int,
    ends: dt.datetime,
    timeout_ms: int,
    amount: float = 1,
) -> float:
    """Add ``amount`` to ``key``'s counter for ``window`` (ending at ``ends``); the new total."""
    selector = {"_id": counter_id(scope, key, window)}
    update = {"$inc": {c.B_COUNT: amount}, "$setOnInsert": {c.B_EXPIRES: ends}}
    for attempt in (1, 2):
        try:
            doc = await db[c.BUDGETS].find_one_and_update(
                selector,
                update,
                upsert=True,
                return_document=ReturnDocument.AFTER,
                maxTimeMS=timeout_ms,
            )
        except DuplicateKeyError:
            # Two first uses of a counter at once: one insert wins, the other adds to it.
            if attempt == 2:
                raise
            continue
        assert doc is not None  # upsert with ReturnDocument.AFTER always returns one
        total: float = doc[c.B_COUNT]
        return total
    raise AssertionError("unreachable")


async def ensure_indexes(db: Database) -> None:
    """The TTL index that removes the counters of windows that are over."""
    await db[c.BUDGETS].create_indexes(
        [IndexModel([(c.B_EXPIRES, ASCENDING)], name="budget_expiry", expireAfterSeconds=0)]
    )
