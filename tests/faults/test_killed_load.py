"""A load killed half way (SIGKILL) leaves nothing behind after the next load, or ``gc``.

Queries never see the partial load (it was never published); its collections and filtering
terms are removed by the next load of any dataset, or by ``beacon-ingest gc``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from tests.conftest import Client
from tests.ingest.test_vcf_load import ROWS, write_vcf

BIN = Path(sys.executable).parent


def big_vcf(path: Path, rows: int) -> Path:
    body = [
        f"1\t{1000 + 10 * i}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/0\t1/1\t0|1" for i in range(rows)
    ]
    return write_vcf(path, body)


def _env(mongo_uri: str, db_name: str) -> dict[str, str]:
    return {
        **os.environ,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "BEACON_INGEST_BATCH_SIZE": "500",
    }


def start(mongo_uri: str, db_name: str, *args: str) -> subprocess.Popen[bytes]:
    """``beacon-ingest`` in the background (to be killed)."""
    command = [str(BIN / "beacon-ingest"), *args]
    return subprocess.Popen(
        command, env=_env(mongo_uri, db_name), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run(mongo_uri: str, db_name: str, *args: str) -> str:
    """``beacon-ingest`` to the end: its standard output (it must succeed)."""
    command = [str(BIN / "beacon-ingest"), *args]
    done = subprocess.run(command, env=_env(mongo_uri, db_name), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


async def load_collections(db: Database) -> list[str]:
    return sorted(n for n in await db.list_collection_names() if c.load_of(n))


async def test_a_killed_load_leaves_nothing_after_the_next_load(
    db: Database,
    db_name: str,
    mongo_uri: str,
    tmp_path: Path,
    node: Callable[..., Awaitable[Client]],
) -> None:
    small = str(write_vcf(tmp_path / "small.vcf", ROWS))
    run(mongo_uri, db_name, "vcf", small, "--dataset", "ds", "--assembly", "GRCh37")
    published = await load_collections(db)
    api = await node()
    count = "/api/g_variants?requestedGranularity=count&datasetIds=ds"
    before = await (await api.get(count)).json()

    big = str(big_vcf(tmp_path / "big.vcf", 200_000))
    process = start(mongo_uri, db_name, "vcf", big, "--dataset", "ds", "--assembly", "GRCh37")
    deadline = time.monotonic() + 60
    while True:  # kill it once it has written part of its new load
        partial = [n for n in await load_collections(db) if n not in published]
        variants = [n for n in partial if f".{c.Role.G_VARIANTS.value}." in n]
        if variants and await db[variants[0]].estimated_document_count() > 2000:
            break
        assert process.poll() is None, "the load ended before it could be killed"
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    # Queries never saw the partial load, and still do not.
    after = await (await api.get(count)).json()
    assert after["responseSummary"] == before["responseSummary"]
    assert set(partial) <= set(await load_collections(db))  # left behind, for now

    # The next load, of another dataset, removes it.
    run(mongo_uri, db_name, "vcf", small, "--dataset", "other", "--assembly", "GRCh37")
    entries = await catalog.read(db)
    active = {name for e in entries.values() for role in c.Role if (name := e.collection(role))}
    assert set(await load_collections(db)) <= active
    assert not set(partial) & set(await db.list_collection_names())
    loads = sorted({load for e in entries.values() for load in e.loads.values()})
    assert await db[c.FILTERING_TERMS].count_documents({c.FT_LOAD: {"$nin": loads}}) == 0
    assert await db[c.LOADS].count_documents({}) == 0
    assert (await (await api.get(count)).json())["responseSummary"] == before["responseSummary"]


async def test_gc_keeps_a_load_being_written_and_removes_a_dead_one(
    db: Database, db_name: str, mongo_uri: str, tmp_path: Path
) -> None:
    big = str(big_vcf(tmp_path / "big.vcf", 100_000))
    process = start(mongo_uri, db_name, "vcf", big, "--dataset", "ds", "--assembly", "GRCh37")
    deadline = time.monotonic() + 60
    while not await load_collections(db):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert await catalog.gc(db) == []  # its process lives: kept
    process.send_signal(signal.SIGKILL)
    process.wait()
    removed = json.loads(run(mongo_uri, db_name, "gc"))["removed"]
    assert removed
    assert await load_collections(db) == []
