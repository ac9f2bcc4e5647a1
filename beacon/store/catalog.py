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
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from beacon.store import collections as c
from beacon.store.client import Database

#: Seconds without a heartbeat after which another host's load counts as dead.
STALE_LOAD_S = 300.0


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
    layouts: Mapping[str, int] = field(default_factory=dict)  # group -> its load's layout

    def collection(self, role: c.Role) -> str | None:
        load = self.loads.get(role.group)
        return c.collection_name(self.id, role, load) if load else None

    def stale(self) -> dict[str, int]:
        """The groups whose published load is not of the layout this code reads, with the
        layout it is of (0: written before loads were stamped)."""
        return {
            group: self.layouts.get(group, 0)
            for group in self.loads
            if self.layouts.get(group, 0) != c.LAYOUTS.get(group, 0)
        }

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
        layouts={
            group: int(info.get(c.CAT_LAYOUT, 0))
            for group, info in loads.items()
            if info and "id" in info
        },
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
            c.CAT_LAYOUT: c.LAYOUTS[group],
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def register_load(db: Database, dataset_id: str, group: str, load_id: str) -> None:
    """Say that ``load_id`` is being written (by this process), so gc leaves it alone."""
    now = dt.datetime.now(dt.UTC)
    await db[c.LOADS].replace_one(
        {"_id": load_id},
        {
            "_id": load_id,
            c.DATASET_ID: dataset_id,
            "group": group,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": now,
            "heartbeat": now,
        },
        upsert=True,
    )


async def heartbeat(db: Database, load_id: str) -> None:
    await db[c.LOADS].update_one({"_id": load_id}, {"$set": {"heartbeat": dt.datetime.now(dt.UTC)}})


async def retire_load(db: Database, load_id: str, until: dt.datetime) -> None:
    """A replaced load: running queries may read it until ``until``; gc drops it after."""
    await db[c.LOADS].update_one(
        {"_id": load_id}, {"$set": {"retiring": True, "until": until}}, upsert=True
    )


async def forget_load(db: Database, load_id: str) -> None:
    await db[c.LOADS].delete_one({"_id": load_id})


def _in_use(doc: Mapping[str, Any], now: dt.datetime, host: str, stale_s: float) -> bool:
    """Is this registry entry a load still being written, or a replaced one still readable?"""
    stamp = doc.get("until") if doc.get("retiring") else doc.get("heartbeat")
    if isinstance(stamp, dt.datetime) and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    if not isinstance(stamp, dt.datetime):
        return False
    if doc.get("retiring"):
        return stamp > now
    if doc.get("host") == host and isinstance(doc.get("pid"), int):
        return _alive(doc["pid"])
    return (now - stamp).total_seconds() < stale_s


async def gc(db: Database, stale_s: float = STALE_LOAD_S) -> list[str]:
    """Drop every per-load collection (and filtering terms) that no published load, no load
    being written and no replaced load still in its grace period holds: what a load killed at
    any point (SIGKILL, power loss) left behind. A load counts as being written while its
    process lives (same host) or its heartbeat is younger than ``stale_s`` (another host)."""
    now = dt.datetime.now(dt.UTC)
    host = socket.gethostname()
    keep: set[str] = set()
    # The loads registry before the catalog: a load that publishes (and leaves the registry)
    # in between is then seen in the catalog, never missed by both.
    async for doc in db[c.LOADS].find({}):
        if _in_use(doc, now, host, stale_s):
            keep.add(doc["_id"])
        else:
            await db[c.LOADS].delete_one({"_id": doc["_id"]})
    for entry in (await read(db)).values():
        keep.update(entry.loads.values())
    names = sorted(await db.list_collection_names())
    # A load registers before it creates anything: one that started since the first read is
    # in the registry now, so a collection listed above is never a load that just began.
    keep.update([doc["_id"] async for doc in db[c.LOADS].find({}, {"_id": 1})])
    dropped = []
    for name in names:
        found = c.load_of(name)
        if found is not None and found[1] not in keep:
            await db.drop_collection(name)
            dropped.append(name)
    await db[c.FILTERING_TERMS].delete_many({c.FT_LOAD: {"$nin": sorted(keep)}})
    return dropped


async def remove(db: Database, dataset_id: str, grace_s: float = 0.0) -> bool:
    """Remove a dataset: unpublish it, wait for running queries, then drop its collections."""
    doc = await db[c.CATALOG].find_one_and_delete({"_id": dataset_id})
    await db[c.DATASETS].delete_one({"_id": dataset_id})
    await db[c.COHORTS].delete_many({c.DATASET_ID: dataset_id})
    if grace_s > 0 and doc:
        await asyncio.sleep(grace_s)
    prefix = f"d.{dataset_id}."
    for name in await db.list_collection_names():
        if name.startswith(prefix):
            await db.drop_collection(name)
    await db[c.FILTERING_TERMS].delete_many({c.DATASET_ID: dataset_id})
    return doc is not None
