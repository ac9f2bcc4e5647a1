"""The catalog: which datasets exist and which collections hold their active loads.

A load (of variants, or of metadata) is written to fresh collections and then *published* by
one single-document update here; readers that look the catalog up after that see the complete
new load, readers that looked it up before keep using the old collections, which are dropped
only after a grace period. The catalog's ``version`` numbers change on every publish, so they
also serve as the node's data version for caches.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from beacon.store import collections as c
from beacon.store.client import Database


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset as the catalog describes it."""

    id: str
    assembly: str | None = None
    test: bool = False
    version: int = 0
    loads: Mapping[str, str] = field(default_factory=dict)  # group -> load id
    counts: Mapping[str, int] = field(default_factory=dict)  # role -> documents in the load
    max_length: int = 0
    updated: dt.datetime | None = None  # when a load of this dataset was last published

    def collection(self, role: c.Role) -> str | None:
        load = self.loads.get(role.group)
        return c.collection_name(self.id, role, load) if load else None

    def count(self, role: c.Role) -> int:
        return self.counts.get(role.value, 0)


def _entry(doc: Mapping[str, Any]) -> DatasetEntry:
    loads = doc.get(c.CAT_LOADS) or {}
    counts: dict[str, int] = {}
    for info in loads.values():
        counts.update(info.get("counts") or {})
    return DatasetEntry(
        id=doc["_id"],
        assembly=doc.get(c.CAT_ASSEMBLY),
        test=bool(doc.get(c.CAT_TEST, False)),
        version=int(doc.get(c.CAT_VERSION, 0)),
        loads={group: info["id"] for group, info in loads.items() if info and "id" in info},
        counts=counts,
        max_length=int(doc.get(c.CAT_MAX_LENGTH, 0)),
        updated=doc.get(c.CAT_UPDATED),
    )


async def read(db: Database, max_time_ms: int | None = None) -> dict[str, DatasetEntry]:
    """Every dataset in the catalog, by id."""
    entries: dict[str, DatasetEntry] = {}
    async for doc in db[c.CATALOG].find({}, max_time_ms=max_time_ms):
        entry = _entry(doc)
        entries[entry.id] = entry
    return entries


async def get(db: Database, dataset_id: str) -> DatasetEntry | None:
    doc = await db[c.CATALOG].find_one({"_id": dataset_id})
    return _entry(doc) if doc else None


async def publish(
    db: Database,
    dataset_id: str,
    group: str,
    load_id: str,
    *,
    counts: Mapping[str, int],
    sources: list[str],
    assembly: str | None = None,
    max_length: int | None = None,
    test: bool | None = None,
) -> str | None:
    """Make ``load_id`` the active ``group`` load of the dataset; return the load it replaced."""
    now = dt.datetime.now(dt.UTC)
    updates: dict[str, Any] = {
        f"{c.CAT_LOADS}.{group}": {
            "id": load_id,
            "loaded": now,
            "sources": sources,
            "counts": dict(counts),
        },
        c.CAT_UPDATED: now,
    }
    if assembly is not None:
        updates[c.CAT_ASSEMBLY] = assembly
    if max_length is not None:
        updates[c.CAT_MAX_LENGTH] = max_length
    if test is not None:
        updates[c.CAT_TEST] = test
    before = await db[c.CATALOG].find_one_and_update(
        {"_id": dataset_id},
        {"$set": updates, "$inc": {c.CAT_VERSION: 1}},
        upsert=True,
    )
    if not before:
        return None
    previous = (before.get(c.CAT_LOADS) or {}).get(group) or {}
    old: str | None = previous.get("id")
    return old if old != load_id else None


async def drop_load(db: Database, dataset_id: str, group: str, load_id: str) -> None:
    """Drop the collections of one load (after it was replaced or abandoned)."""
    roles = c.VARIANT_ROLES if group == "variants" else c.METADATA_ROLES
    for role in roles:
        await db.drop_collection(c.collection_name(dataset_id, role, load_id))
    await db[c.FILTERING_TERMS].delete_many({c.FT_LOAD: load_id})


async def drop_orphans(db: Database, dataset_id: str) -> list[str]:
    """Drop collections of ``dataset_id`` that no catalog entry points at (failed loads)."""
    entry = await get(db, dataset_id)
    active = set()
    if entry:
        active = {entry.collection(role) for role in c.Role}
    prefix = f"d.{dataset_id}."
    dropped = []
    for name in await db.list_collection_names():
        if name.startswith(prefix) and name not in active:
            await db.drop_collection(name)
            dropped.append(name)
    loads = list(entry.loads.values()) if entry else []
    await db[c.FILTERING_TERMS].delete_many({c.DATASET_ID: dataset_id, c.FT_LOAD: {"$nin": loads}})
    return dropped


async def remove(db: Database, dataset_id: str, grace_s: float = 0.0) -> bool:
    """Remove a dataset: unpublish it, wait for running queries, then drop its collections."""
    doc = await db[c.CATALOG].find_one_and_delete({"_id": dataset_id})
    await db[c.DATASETS].delete_one({"_id": dataset_id})
    await db[c.COHORTS].delete_many({c.DATASET_ID: dataset_id})
    if grace_s > 0 and doc:
        await asyncio.sleep(grace_s)
    await drop_orphans(db, dataset_id)
    return doc is not None
