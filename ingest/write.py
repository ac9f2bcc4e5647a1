"""Stage 4: batches of documents -> a new load of a dataset, published atomically.

A ``Load`` writes into fresh collections with unordered bulk inserts (no per-record round
trips), builds the indexes once at the end, then publishes itself in the catalog in one
single-document update. Until then queries keep reading the previous load; afterwards the
previous load's collections are dropped once running queries had time to finish. If anything
fails, the new collections are dropped and the previous load stays as it was: nothing is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from types import TracebackType
from typing import Any

from pymongo import ReplaceOne
from pymongo.errors import BulkWriteError

from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from beacon.store.documents import new_load_id
from beacon.store.indexes import ensure_global_indexes, ensure_indexes
from ingest.bins import Bins
from ingest.errors import DatasetError, IngestError
from ingest.terms import VariantTerms

log = logging.getLogger("ingest.write")
#: Seconds between two heartbeats of a load being written (see catalog.gc).
HEARTBEAT_S = 30.0
#: Seconds a replaced load stays protected from gc beyond the grace period.
GRACE_MARGIN_S = 60.0


class WriteError(IngestError):
    """The database refused documents; the message names how many and why."""


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Fixed-size batches of an iterable; the last one may be shorter."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Load:
    """One load of one group (variants or metadata) of one dataset."""

    def __init__(self, db: Database, dataset_id: str, group: str, *, grace_s: float = 5.0) -> None:
        if not c.is_valid_dataset_id(dataset_id):  # the loads check first (dataset.check_id)
            raise DatasetError(f"dataset id {dataset_id!r} is not valid")
        self.db = db
        self.dataset_id = dataset_id
        self.group = group
        self.grace_s = grace_s
        self.load_id = new_load_id()
        self.counts: dict[str, int] = {}
        self.published = False
        self.variant_terms = VariantTerms()
        self.bins = Bins()
        self._beat = 0.0

    @property
    def roles(self) -> tuple[c.Role, ...]:
        return c.VARIANT_ROLES if self.group == "variants" else c.METADATA_ROLES

    def collection_name(self, role: c.Role) -> str:
        if role not in self.roles:
            raise ValueError(f"{role.value} is not part of a {self.group} load")
        return c.collection_name(self.dataset_id, role, self.load_id)

    async def insert(self, role: c.Role, docs: list[dict[str, Any]]) -> int:
        if role is c.Role.G_VARIANTS:
            for doc in docs:
                self.variant_terms.add(doc, self.dataset_id)
                self.bins.add(doc)
        return await self._insert(role, docs)

    async def _insert(self, role: c.Role, docs: list[dict[str, Any]]) -> int:
        """Insert one batch (unordered); duplicate keys within a load are an input error."""
        if not docs:
            return 0
        try:
            result = await self.db[self.collection_name(role)].insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            details = exc.details.get("writeErrors", [])
            first = details[0].get("errmsg", "") if details else ""
            raise WriteError(
                f"{len(details)} {role.value} document(s) were refused, e.g.: {first[:300]}"
            ) from None
        written = len(result.inserted_ids)
        self.counts[role.value] = self.counts.get(role.value, 0) + written
        if time.monotonic() - self._beat > HEARTBEAT_S:
            self._beat = time.monotonic()
            await catalog.heartbeat(self.db, self.load_id)
        return written

    async def publish(
        self,
        *,
        sources: list[str],
        assembly: str | None = None,
        max_length: int | None = None,
        test: bool | None = None,
    ) -> None:
        """Index the new collections, make them the dataset's active load, retire the old one."""
        if c.Role.BINS in self.roles:
            await self._insert(c.Role.BINS, list(self.bins.documents()))
        for role in self.roles:  # creating the indexes also creates empty collections
            await ensure_indexes(self.db, self.collection_name(role), role)
        terms = self.variant_terms.documents(self.dataset_id, self.load_id)
        if terms:
            await self.db[c.FILTERING_TERMS].insert_many(terms, ordered=False)
        await ensure_global_indexes(self.db)
        counts = {role.value: self.counts.get(role.value, 0) for role in self.roles}
        # The load this one replaces stays readable for the grace period, even to a gc run
        # by another process: say so before it stops being the published one.
        current = await catalog.get(self.db, self.dataset_id)
        replaced = current.loads.get(self.group) if current else None
        if replaced:
            until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.grace_s + GRACE_MARGIN_S)
            await catalog.retire_load(self.db, replaced, until)
        previous = await catalog.publish(
            self.db,
            self.dataset_id,
            self.group,
            self.load_id,
            counts=counts,
            sources=sources,
            assembly=assembly,
            max_length=max_length,
            test=test,
        )
        self.published = True
        await catalog.forget_load(self.db, self.load_id)
        if previous:
            # Queries that looked the catalog up before the switch may still be reading the old
            # collections: give them time before dropping.
            await asyncio.sleep(self.grace_s)
            await catalog.drop_load(self.db, self.dataset_id, self.group, previous)
            await catalog.forget_load(self.db, previous)

    async def abandon(self) -> None:
        await catalog.drop_load(self.db, self.dataset_id, self.group, self.load_id)
        await catalog.forget_load(self.db, self.load_id)

    async def __aenter__(self) -> Load:
        # What earlier loads left behind when they were killed goes first; then this load
        # says it is being written, so no other process's gc takes it.
        dropped = await catalog.gc(self.db)
        if dropped:
            log.warning("removed %d collection(s) left by loads that died", len(dropped))
        await catalog.register_load(self.db, self.dataset_id, self.group, self.load_id)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.published:
            log.warning("load %s of %s abandoned; nothing changed", self.load_id, self.dataset_id)
            await self.abandon()


async def upsert_records(db: Database, collection: str, docs: list[dict[str, Any]]) -> int:
    """Replace global records (datasets, cohorts) by ``_id``, inserting new ones."""
    if docs:
        requests = [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs]
        await db[collection].bulk_write(requests, ordered=False)
    return len(docs)
