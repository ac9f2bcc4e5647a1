"""100,000 genomes: ingest and queries of a simulated 100k-person cohort, beside their floors.

Simulates one country of 100,000 people (``bench.cohorts.synthetic``, msprime, cached in
bench-results/) over a short stretch of chr22, then in the same run:

* ``bcftools view FILE > /dev/null`` (best of two): the yardstick of the load;
* the load itself (``run_metadata`` of the people's ids and links, then the timed ``run_vcf``,
  in a child process so its peak RSS is the load's alone) into a fresh embedded engine, whose
  own memory (a separate process) is read from ``/proc``: its peak (VmHWM), its resident size
  sampled during the load and after it;
* stored bytes per variant: the variant documents, their indexes, the carriers spill and the
  sample-first index (``collStats``), and the engine's files on disk;
* p50/p99 through HTTP of a sequence count, a 100 kb range count, the carriers of the most
  common variant (biosamples and individuals, count), the variants one person carries (count
  and a record page), each beside the best driver query for the same answer.

Prints a table and writes bench-results/scale.json (``--out`` to name another file). Not a
test: absolute times vary with the machine and its load; the ratios are what we compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

from beacon.config import IngestSettings
from beacon.node.query import Match
from beacon.node.query_variants import build
from beacon.protocol.variants import classify
from beacon.store import carriers as packed
from beacon.store import catalog, engine
from beacon.store import client as store_client
from beacon.store import collections as c
from bench.aggregator import percentile
from bench.cohorts import ASSEMBLY, RESULTS, Cohort, synthetic
from bench.ingest_vcf import bcftools_view
from bench.query import serve, timed, variant_params
from ingest.pipeline import RunOptions, run_metadata
from ingest.vcf.load import run_vcf

DATABASE = "bench_scale"


def _proc_kb(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` size (VmRSS, VmHWM) in kB; 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def people(cohort: Cohort) -> Path:
    """The cohort's biosamples and individuals reduced to what the queries read: ids, links,
    sex and country (the whole simulated metadata takes the engine half an hour to index at
    100,000 people, and no query here filters on it). Cached beside the simulation."""
    out = cohort.metadata.parent / "scale-people"
    if not (out / "individuals.json").exists():
        out.mkdir(exist_ok=True)
        keep = {
            "biosamples": ("id", "individualId", "biosampleStatus", "sampleOriginType"),
            "individuals": ("id", "sex", "geographicOrigin"),
        }
        for name, fields in keep.items():
            records = json.loads((cohort.metadata / f"{name}.json").read_text())
            reduced = [{k: r[k] for k in fields if k in r} for r in records]
            (out / f"{name}.json").write_text(json.dumps(reduced))
    return out


def _load(uri: str, cohort: Cohort, dataset: str, queue: Any) -> None:
    """The child process: metadata then variants; reports seconds and its own peak RSS."""

    async def go() -> dict[str, Any]:
        client = store_client.connect(uri)
        try:
            db = client[DATABASE]
            options = RunOptions(IngestSettings(batch_size=2000, swap_grace_s=0.0))
            began = time.perf_counter()
            await run_metadata(db, dataset, [people(cohort)], options)
            metadata_s = time.perf_counter() - began
            began = time.perf_counter()
            report = await run_vcf(db, dataset, [cohort.vcf], ASSEMBLY, options)
            return {
                "metadataSeconds": metadata_s,
                "ingestSeconds": time.perf_counter() - began,
                "rows": report.records_read,
                "alleles": report.alleles_written,
                "samples": report.samples,
            }
        finally:
            await client.close()

    result = asyncio.run(go())
    result["ingestPeakRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    queue.put(result)


def load_in_child(uri: str, cohort: Cohort, dataset: str, engine_pid: int) -> dict[str, Any]:
    """Run the load in a fresh process, sampling the engine's resident size meanwhile."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_load, args=(uri, cohort, dataset, queue))
    child.start()
    peak = 0
    while child.is_alive():
        peak = max(peak, _proc_kb(engine_pid, "VmRSS"))
        child.join(0.5)
    if child.exitcode != 0:
        sys.exit(f"the load failed (exit code {child.exitcode})")
    result: dict[str, Any] = queue.get()
    result["engineSampledPeakRssMB"] = peak // 1024
    return result


async def sizes(db: Any, dataset: str) -> dict[str, Any]:
    """Stored bytes of the dataset's variant load per variant document, role by role."""
    entry = await catalog.get(db, dataset)
    assert entry is not None
    variants = max(1, entry.count(c.Role.G_VARIANTS))
    out: dict[str, Any] = {"variants": variants}
    samples = db[entry.collection(c.Role.SAMPLES) or ""]
    cursor = await samples.aggregate([{"$group": {"_id": None, "n": {"$sum": f"${c.S_VARIANTS}"}}}])
    out["calls"] = int((await cursor.to_list())[0]["n"])  # non-reference calls, all samples
    for role in (c.Role.G_VARIANTS, c.Role.CARRIERS, c.Role.SAMPLE_VARIANTS, c.Role.SAMPLES):
        name = entry.collection(role)
        if not name:
            continue
        stats = await db.command("collStats", name)
        out[role.value] = {
            "documents": int(stats.get("count", 0)),
            "dataBytesPerVariant": round(stats.get("size", 0) / variants, 1),
            "storageBytesPerVariant": round(stats.get("storageSize", 0) / variants, 1),
            "indexBytesPerVariant": round(stats.get("totalIndexSize", 0) / variants, 1),
        }
    return out


def disk_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


async def person_keys(coll: Any, sample: int) -> np.ndarray[Any, Any]:
    """The driver floor of "variants of one person": the sample's index documents, decoded."""
    found = []
    async for doc in coll.find({c.SV_SAMPLE: sample}, {c.SV_BASE: 1, c.SV_ORDINALS: 1}):
        found.append(packed.decode_ordinals(doc[c.SV_ORDINALS]) + doc[c.SV_BASE])
    return np.concatenate(found) if found else np.zeros(0, np.int64)


CARRIED = ("het", "hom", "hemi")


async def queries(uri: str, dataset: str, n: int) -> dict[str, Any]:
    client = store_client.connect(uri)
    db = client[DATABASE]
    entry = (await catalog.read(db))[dataset]
    variants = db[entry.collection(c.Role.G_VARIANTS) or ""]
    chunks = db[entry.collection(c.Role.CARRIERS) or ""]
    index = db[entry.collection(c.Role.SAMPLE_VARIANTS) or ""]
    shown = {c.V_START: 1, c.V_REF: 1, c.V_ALT: 1, c.V_COUNTS: 1}
    every = [d async for d in variants.find({}, shown)]
    rng = random.Random(7)
    picks = [rng.choice(every) for _ in range(n)]
    # the carriers total is not stored (design §5): het + hom + hemi, a zero left out
    common = max(every, key=lambda d: sum(int(d[c.V_COUNTS].get(k, 0)) for k in CARRIED))
    lo, hi = min(d[c.V_START] for d in every), max(d[c.V_START] for d in every)
    windows = [rng.randrange(lo, max(lo + 1, hi - 100_000)) for _ in range(n)]
    samples = int(entry.count(c.Role.SAMPLES))
    biosample = {
        d["_id"]: d[c.S_BIOSAMPLE]
        async for d in db[entry.collection(c.Role.SAMPLES) or ""].find({}, {c.S_BIOSAMPLE: 1})
    }
    people = [rng.randrange(samples) for _ in range(n)]

    def allele(d: dict[str, Any]) -> dict[str, str]:
        return {
            "referenceName": "22",
            "start": str(d[c.V_START]),
            "referenceBases": d[c.V_REF],
            "alternateBases": d[c.V_ALT],
        }

    def region(i: int) -> dict[str, str]:
        return {"referenceName": "22", "start": str(windows[i]), "end": str(windows[i] + 100_000)}

    async def count(params: dict[str, str]) -> None:
        built = build(classify(variant_params(params)), entry.max_length)
        cursor = await variants.aggregate(
            [*Match(built.lead, built.rest).stages(), {"$count": "n"}]
        )
        await cursor.to_list()

    async def carriers(params: dict[str, str]) -> int:
        built = build(classify(variant_params(params)), entry.max_length)
        stages = [*Match(built.lead, built.rest).stages(), {"$project": {c.V_CARRIERS: 1}}]
        found: list[np.ndarray[Any, Any]] = []
        keys = []
        async for doc in await variants.aggregate(stages):
            keys.append(doc["_id"])
            found += [packed.decode_indices(b) for b in (doc.get(c.V_CARRIERS) or {}).values()]
        async for doc in chunks.find({c.C_VARIANT: {"$in": keys}}):
            found += [packed.decode_indices(doc[k]) for k in ("het", "hom", "hemi") if doc.get(k)]
        return int(packed.union(found).size)

    async def page(sample: int) -> None:
        ordinals = (await person_keys(index, sample))[:10]
        await variants.find({c.V_ORDINAL: {"$in": [int(k) for k in ordinals]}}).to_list()

    runner, port = await serve(uri, DATABASE)
    base = f"http://127.0.0.1:{port}/api"
    driver: dict[str, Callable[[int], Awaitable[Any]]] = {
        "sequence, count": lambda i: count(allele(picks[i])),
        "range 100 kb, count": lambda i: count(region(i)),
        "biosamples carrying the most common variant, count": lambda i: carriers(allele(common)),
        "individuals carrying the most common variant, count": lambda i: carriers(allele(common)),
        "variants of one person, count": lambda i: person_keys(index, people[i]),
        "variants of one person, record page": lambda i: page(people[i]),
    }
    over_http: dict[str, tuple[Callable[[int], str], Callable[[int], dict[str, str]]]] = {
        "sequence, count": (lambda i: "/g_variants", lambda i: allele(picks[i])),
        "range 100 kb, count": (lambda i: "/g_variants", region),
        "biosamples carrying the most common variant, count": (
            lambda i: "/biosamples",
            lambda i: allele(common),
        ),
        "individuals carrying the most common variant, count": (
            lambda i: "/individuals",
            lambda i: allele(common),
        ),
        "variants of one person, count": (
            lambda i: f"/biosamples/{biosample[people[i]]}/g_variants",
            lambda i: {},
        ),
        "variants of one person, record page": (
            lambda i: f"/biosamples/{biosample[people[i]]}/g_variants",
            lambda i: {"requestedGranularity": "record", "limit": "10"},
        ),
    }
    rows: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession() as http:
            for name, (path, params) in over_http.items():

                async def call(
                    i: int,
                    path: Callable[[int], str] = path,
                    params: Callable[[int], dict[str, str]] = params,
                ) -> None:
                    query = {"requestedGranularity": "count", "datasetIds": dataset, **params(i)}
                    async with http.get(base + path(i), params=query) as response:
                        body = await response.json()
                        assert response.status == 200, body

                http_ms = await timed(n, call)
                driver_ms = await timed(n, driver[name])
                rows[name] = {
                    "http_p50": statistics.median(http_ms),
                    "http_p99": percentile(http_ms, 0.99),
                    "driver_p50": statistics.median(driver_ms),
                    "driver_p99": percentile(driver_ms, 0.99),
                }
        found = await carriers(allele(common))
    finally:
        await runner.cleanup()
        await client.close()
    return {"n": n, "mostCarriers": found, "queries": rows}


def run(samples: int, length_kb: int, n: int) -> dict[str, Any]:
    RESULTS.mkdir(exist_ok=True)
    cohort = synthetic(samples, length_kb)
    dataset = cohort.metadata.name
    print("bcftools view ...", file=sys.stderr)
    view = bcftools_view(cohort.vcf, runs=2)
    with tempfile.TemporaryDirectory(dir=RESULTS, prefix="scale-engine-") as scratch:
        state = engine.start(scratch, cache_size="1G")
        try:
            print("load ...", file=sys.stderr)
            loaded = load_in_child(state.uri, cohort, dataset, state.pid)
            loaded["engineAfterLoadRssMB"] = _proc_kb(state.pid, "VmRSS") // 1024
            loaded["enginePeakRssMB"] = _proc_kb(state.pid, "VmHWM") // 1024
            stored = asyncio.run(_sizes(state.uri, dataset))
            stored["diskBytesPerVariant"] = round(
                disk_bytes(Path(scratch)) / max(1, stored["variants"]), 1
            )
            print("queries ...", file=sys.stderr)
            asked = asyncio.run(queries(state.uri, dataset, n))
            loaded["engineAfterQueriesRssMB"] = _proc_kb(state.pid, "VmRSS") // 1024
        finally:
            engine.stop(scratch)
    return {
        "time": time.time(),
        "load": os.getloadavg(),
        "samples": samples,
        "lengthKb": length_kb,
        "bcftoolsViewSeconds": view,
        **loaded,
        "ratioToBcftools": loaded["ingestSeconds"] / view if view else None,
        "stored": stored,
        **asked,
    }


async def _sizes(uri: str, dataset: str) -> dict[str, Any]:
    client = store_client.connect(uri)
    try:
        return await sizes(client[DATABASE], dataset)
    finally:
        await client.close()


def report(r: dict[str, Any]) -> str:
    view = r["bcftoolsViewSeconds"]
    ratio = f"{r['ratioToBcftools']:.1f}x" if r["ratioToBcftools"] else "-"
    lines = [
        f"{r['samples']:,} people over {r['lengthKb']} kb: {r['rows']:,} rows, "
        f"{r['alleles']:,} alleles; load average {r['load'][0]:.1f}",
        "",
        "| ingest | seconds | x bcftools view | ingest peak RSS | engine peak RSS "
        "(sampled during the loads) | engine RSS after load |",
        "|---|---|---|---|---|---|",
        f"| run_vcf | {r['ingestSeconds']:.1f} (bcftools {view or 0:.1f}) | {ratio} "
        f"| {r['ingestPeakRssMB']} MB | {r['enginePeakRssMB']} MB "
        f"({r['engineSampledPeakRssMB']} MB) | {r['engineAfterLoadRssMB']} MB |",
        f"\n(the people's ids and links loaded first in {r['metadataSeconds']:.1f} s)",
        "",
        "| stored, per variant | documents | data B | index B | storage B |",
        "|---|---|---|---|---|",
    ]
    stored = r["stored"]
    for role in ("g_variants", "carriers", "sample_variants", "samples"):
        if role in stored:
            s = stored[role]
            lines.append(
                f"| {role} | {s['documents']:,} | {s['dataBytesPerVariant']:,.0f} "
                f"| {s['indexBytesPerVariant']:,.0f} | {s['storageBytesPerVariant']:,.0f} |"
            )
    index = stored["sample_variants"]
    per_call = 8 * (index["dataBytesPerVariant"] + index["indexBytesPerVariant"])
    per_call /= max(1, stored["calls"]) / stored["variants"]
    lines += [
        f"| engine files on disk | | | | {stored['diskBytesPerVariant']:,.0f} |",
        f"\nthe sample-first index: {per_call:.2f} bits per call (data and index; "
        f"{stored['calls']:,} calls)",
        "",
        f"| query ({r['n']} each) | HTTP p50 / p99 | driver p50 / p99 | ratio p50 |",
        "|---|---|---|---|",
    ]
    for name, q in r["queries"].items():
        lines.append(
            f"| {name} | {q['http_p50']:.2f} / {q['http_p99']:.2f} ms "
            f"| {q['driver_p50']:.2f} / {q['driver_p99']:.2f} ms "
            f"| {q['http_p50'] / q['driver_p50']:.2f}x |"
        )
    lines.append(f"\nthe most common variant has {r['mostCarriers']:,} carriers")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--length-kb", type=int, default=1000, help="simulated kb of chr22")
    parser.add_argument("-n", type=int, default=100, help="queries per kind")
    parser.add_argument("--out", default="scale.json", help="file name in bench-results/")
    args = parser.parse_args()
    result = run(args.samples, args.length_kb, args.n)
    out = RESULTS / args.out
    out.write_text(json.dumps(result, indent=2))
    print(report(result))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
