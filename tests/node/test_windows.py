"""Range queries counted and paged from a load's bins (``beacon/node/windows.py``) answer
exactly what the index alone answers, for every window, page, floor and caller.

The cohort is random but seeded: variants on chromosome 1 at clustered positions (many rows
share a start), SNVs, indels and long deletions (so windows have variants that start before
them and overlap them), carried by a varying number of 30 people (allele counts 0 to 60, so
every rare-allele floor cuts somewhere). The same requests are asked of a node that reads the
bins and of one over the same load with its bins taken away (as a load made before bins):
the answers must be identical.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from beacon.store import bins as stored_bins
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import bins as ingest_bins
from ingest import pipeline
from ingest.vcf.load import run_vcf
from tests.auth import DAC, Issuers, bearer, grant_value
from tests.conftest import Client, metric_samples
from tests.ingest.test_vcf_load import HEADER, write_vcf
from tests.node.conftest import Configured

PEOPLE = 30
ROWS = 4000
SPAN = 400_000
POLICY = f"""
[[access.datasets]]
id = "win"
security_level = "CONTROLLED"
visa_values = ["{grant_value("win")}"]
visa_issuers = ["{DAC}"]
public = "count"
"""


def rows(rng: random.Random) -> list[str]:
    found = []
    positions = sorted(rng.randrange(1, SPAN) for _ in range(ROWS // 3))
    for i in range(ROWS):
        pos = rng.choice(positions) if rng.random() < 0.5 else rng.randrange(1, SPAN)
        kind = rng.random()
        if kind < 0.05:
            length = rng.choice([50, 500, 5_000, 40_000])
            ref, alt, info = "N", "<DEL>", f"SVTYPE=DEL;END={pos + length};SVLEN=-{length}"
        elif kind < 0.2:
            ref, alt, info = "AT", "A", "."
        elif kind < 0.3:
            ref, alt, info = "A", "ATT", "."
        else:
            ref, alt, info = "A", rng.choice("CGT"), "."
        frequency = rng.choice([0.0, 0.02, 0.05, 0.1, 0.3, 0.6, 0.95])
        calls = "\t".join(
            f"{int(rng.random() < frequency)}/{int(rng.random() < frequency)}"
            for _ in range(PEOPLE)
        )
        found.append(f"1\t{pos}\tv{i}\t{ref}\t{alt}\t.\tPASS\t{info}\tGT\t{calls}")
    return found


@pytest.fixture
async def cohort(db: Database, tmp_path: Path, run_options: pipeline.RunOptions) -> Database:
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t"
    columns += "\t".join(f"p{i:02d}" for i in range(PEOPLE)) + "\n"
    path = write_vcf(tmp_path / "win.vcf", rows(random.Random(15)), HEADER, columns)
    await run_vcf(db, "win", [path], "GRCh37", run_options)
    return db


def windows(rng: random.Random, n: int) -> list[tuple[int, int]]:
    found = [
        (0, 249_250_621),
        (0, SPAN),
        (SPAN // 2, SPAN // 2 + 1),
        (SPAN + 10, SPAN + 99),
        (10 * SPAN, 10 * SPAN + 99),
    ]
    for _ in range(n):
        width = rng.choice([1, 10, 100, 1_000, 5_000, 20_000, 100_000, 300_000])
        start = rng.randrange(0, SPAN)
        found.append((start, start + width))
    return found


async def answers(api: Client, cases: list[dict[str, str]], token: str | None) -> list[Any]:
    headers = bearer(token) if token else {}
    found = []
    for params in cases:
        response = await api.get("/api/g_variants", params=params, headers=headers)
        body = await response.json()
        assert response.status == 200, body
        summary = body["responseSummary"]
        sets = body.get("response", {}).get("resultSets", [])
        found.append((summary, [s.get("resultsCount") for s in sets], [s["results"] for s in sets]))
    return found


def cases(rng: random.Random, n: int) -> list[dict[str, str]]:
    found = []
    for start, end in windows(rng, n):
        limit = rng.choice([1, 3, 10, 100])
        found.append(
            {
                "referenceName": "1",
                "start": str(start),
                "end": str(end),
                "limit": str(limit),
                "skip": str(rng.choice([0, 0, 0, 1, 2, 7, 40])),
                "requestedGranularity": rng.choice(["record", "record", "count", "boolean"]),
            }
        )
    return found


async def without_bins(db: Database) -> None:
    """The load as one made before bins existed: no ``meta`` document."""
    entry = await catalog.get(db, "win")
    assert entry is not None
    name = entry.collection(c.Role.BINS)
    assert name is not None
    removed = await db[name].delete_one({"_id": stored_bins.META_ID})
    assert removed.deleted_count == 1


@pytest.mark.parametrize("floor", [5, 40])  # 40: above the bins' classes, the slow path
async def test_bins_answer_what_the_index_answers(
    cohort: Database, configured: Configured, issuers: Issuers, floor: int
) -> None:
    extra = f"rare_allele_count = {floor}\nrisk_budget_bits = 0"
    rng = random.Random(floor)
    asked = cases(rng, 70)
    token = issuers.login.passport(issuers.grant("win"))
    unlimited = {"BEACON_BUDGET_ANONYMOUS": "0", "BEACON_BUDGET_IDENTITY": "0"}
    fast = await configured(POLICY, extra=extra, **unlimited)
    by_bins = [await answers(fast, asked, None), await answers(fast, asked, token)]
    metrics = await (await fast.get("/metrics")).text()
    operations = metric_samples(metrics, "beacon_db_operation_duration_seconds_count")
    assert '{operation="bins"}' in operations
    await without_bins(cohort)
    slow = await configured(POLICY, extra=extra, **unlimited)
    by_index = [await answers(slow, asked, None), await answers(slow, asked, token)]
    assert by_bins == by_index
    counted = [a[0]["numTotalResults"] for a in by_index[1] if "numTotalResults" in a[0]]
    assert max(counted) > 2000
    assert 0 in counted
    pages = [r for a in by_index[1] for s in a[2] for r in s]
    assert len(pages) > 100


async def test_a_whole_chromosome_is_counted_without_reading_its_variants(
    cohort: Database, node: Any
) -> None:
    """A window over every bin is counted from the bins (read once per load) and paged from
    the first bin, GET and POST alike, in genomic order."""
    api = await node()
    params = {"referenceName": "1", "start": "0", "end": "249250621", "limit": "10"}
    response = await api.get("/api/g_variants", params=params)
    body = await response.json()
    assert response.status == 200, body
    entry = await catalog.get(cohort, "win")
    assert entry is not None
    total = body["responseSummary"]["numTotalResults"]
    assert total == entry.count(c.Role.G_VARIANTS)
    records = body["response"]["resultSets"][0]["results"]
    assert len(records) == 10
    starts = [r["variation"]["location"]["interval"]["start"]["value"] for r in records]
    assert starts == sorted(starts)
    coll = cohort[entry.collection(c.Role.G_VARIANTS) or ""]
    first = [
        d[c.VARIANT_INTERNAL_ID]
        async for d in coll.find({}, {c.VARIANT_INTERNAL_ID: 1}).sort(
            [(c.V_CHROM, 1), (c.V_START, 1), (c.V_END, 1), ("_id", 1)]
        )
    ][:10]
    assert [r["variantInternalId"] for r in records] == first
    request = {"referenceName": "1", "start": [0], "end": [249250621]}
    asked = {
        "meta": {"apiVersion": "v2.0.0"},
        "query": {
            "requestParameters": {"g_variant": request},
            "pagination": {"skip": 0, "limit": 10},
            "requestedGranularity": "record",
        },
    }
    posted = await (await api.post("/api/g_variants", json=asked)).json()
    assert posted["responseSummary"] == body["responseSummary"]
    assert posted["response"]["resultSets"][0]["results"] == records
    metrics = await (await api.get("/metrics")).text()
    operations = metric_samples(metrics, "beacon_db_operation_duration_seconds_count")
    assert operations['{operation="bins"}'] == 1  # read once for both requests


def test_bins_close_between_different_starts_only() -> None:
    rng = np.random.default_rng(3)
    starts = np.sort(rng.integers(0, 2_000, size=5_000)).astype(np.int64)
    ends = starts + rng.integers(0, 300, size=starts.size)
    classes = rng.integers(0, stored_bins.AC_CLASSES + 1, size=starts.size).astype(np.uint8)
    bins = ingest_bins.cut(starts, ends, classes, size=64)
    assert int(bins.classes.sum()) == starts.size
    bounds = bins.starts.tolist()
    assert bounds == sorted(set(bounds))  # a start is in one bin only
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] if i + 1 < len(bounds) else 1 << 62
        inside = (starts >= lo) & (starts < hi)
        assert int(inside.sum()) == int(bins.classes[i].sum())
        assert int(ends[inside].max()) == int(bins.max_ends[i])
        assert int(inside.sum()) >= 64 or i == len(bounds) - 1
    for floor in (0, 1, 7, stored_bins.AC_CLASSES):
        assert int(bins.cumulative(floor)[-1]) == int((classes >= floor).sum())
    docs = list(stored_bins.encode("1", bins))
    again = stored_bins.decode(reversed(docs))
    assert np.array_equal(again.starts, bins.starts)
    assert np.array_equal(again.classes, bins.classes)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (None, 0),
        ({}, 0),
        ({"ac": None}, 0),
        ({"ac": "25"}, 0),
        ({"ac": True}, 0),
        ({"ac": 2.5}, 2),
        ({"ac": -3}, 0),
        ({"ac": 31}, 31),
        ({"ac": 32}, 32),
        ({"ac": 10**9}, 32),
        ({"ac": float("inf")}, 32),
    ],
)
def test_allele_count_classes_follow_what_gte_matches(counts: Any, expected: int) -> None:
    assert ingest_bins.ac_class(counts) == expected


def test_a_chromosome_with_an_unbinnable_variant_has_no_bins() -> None:
    collected = ingest_bins.Bins()
    for start in range(100):
        collected.add({c.V_CHROM: "2", c.V_START: start, c.V_END: start + 1, c.V_COUNTS: {}})
        collected.add({c.V_CHROM: "3", c.V_START: start, c.V_END: start + 1})
    collected.add({c.V_CHROM: "3", c.V_START: 5, c.V_END: 6, c.V_COUNTS: {"ac": [1, 2]}})
    docs = list(collected.documents())
    assert docs[-1][c.BIN_CHROMS] == ["2"]
    assert {d[c.BIN_CHROM] for d in docs[:-1]} == {"2"}
