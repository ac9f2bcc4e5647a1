"""Query latency through HTTP beside the raw driver round trip for the same lookup.

Loads the real 1000 Genomes chr22 slice (190k variants x 99 samples) and the annotated CINECA
slice (gene queries) into the embedded engine, starts the node on a real socket, and times, in
the same run and against the same engine:

* sequence, range and gene queries through ``GET /api/g_variants`` (count granularity, the
  answer a network asks for most), and the same filter sent straight through PyMongo;
* the record-level page of the same queries;
* a whole chromosome (``start=0&end=51304566``): count and first page, beside the best the
  driver can do for the same answer (an index-only ``count_documents``, and a sorted ``find``
  with ``limit``), both timed fewer times since the driver takes seconds;
* throughput of sequence queries under concurrent clients, in one process and then through
  ``beacon serve --workers N`` for N = 1, 2, 4 (``--workers``).

Prints a table and writes bench-results/query.json. Not a test: absolute numbers vary with the
machine; the ratios are what we compare (target: HTTP p50 within 2x of the driver's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from beacon.config import IngestSettings, load_settings
from beacon.node.app import create_app
from beacon.node.query import Match
from beacon.node.query_variants import build
from beacon.protocol import entry_types as et
from beacon.protocol.request import Route, parse_get
from beacon.protocol.variants import VariantParams, classify
from beacon.store import catalog, engine
from beacon.store import client as store_client
from beacon.store import collections as c
from bench.aggregator import BIN, free_port, percentile, wait_ready
from bench.cohorts import ASSEMBLY, synthetic
from ingest.pipeline import RunOptions, run_metadata
from ingest.simulate.cohort import BACKGROUND
from ingest.vcf.load import run_vcf

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "vcf"
KG = SHARED / "1kg_phase3_chr22_99samples.vcf.gz"
CINECA = SHARED / "cineca_uk1_chr22_5002v.ann_clinvar.vcf.gz"
RESULTS = Path(__file__).resolve().parents[1] / "bench-results"


async def serve(uri: str, database: str) -> tuple[web.AppRunner, int]:
    """The node over ``database`` on a real socket: open data, no query budget."""
    settings = load_settings(
        None,
        {
            "MONGODB_DB": database,
            "BEACON_UNDECLARED_DATASETS": "public",
            "BEACON_CATALOG_TTL": "5",
            "BEACON_BUDGET_ANONYMOUS": "0",
        },
    )
    runner = web.AppRunner(create_app(settings, uri), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port: int = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


def latencies(
    http_count: list[float],
    driver_count: list[float],
    http_record: list[float],
    driver_page: list[float],
) -> dict[str, float]:
    """One row of the table: p50 and p99 of each timing, HTTP beside the driver."""
    timings = {
        "http_count": http_count,
        "driver_count": driver_count,
        "http_record": http_record,
        "driver_page": driver_page,
    }
    row: dict[str, float] = {}
    for name, values in timings.items():
        row[f"{name}_p50"] = statistics.median(values)
        row[f"{name}_p99"] = percentile(values, 0.99)
    return row


async def timed(n: int, call: Callable[[int], Awaitable[Any]], warm: int = 20) -> list[float]:
    """Milliseconds of ``n`` sequential calls (after a short warm-up)."""
    for i in range(min(warm, n)):
        await call(i)
    out = []
    for i in range(n):
        began = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - began) * 1000)
    return out


async def main(
    n: int, clients: int, with_scale: bool, workers: tuple[int, ...] = ()
) -> dict[str, Any]:
    if not KG.exists() or not CINECA.exists():
        sys.exit(f"the benchmark needs {SHARED} (the shared test data beside the checkout)")
    work = Path(tempfile.mkdtemp(prefix="beacon-bench-"))
    state = engine.start(work / "engine", cache_size="1G")
    try:
        result = await _run(state.uri, n, clients)
        if workers:
            result["workers"] = await _workers(state.uri, workers, clients, n)
        if with_scale:
            result["scale"] = await scale(state.uri, n)
        return result
    finally:
        engine.stop(work / "engine")


async def _run(uri: str, n: int, clients: int) -> dict[str, Any]:
    client = store_client.connect(uri)
    db = client["bench"]
    options = RunOptions(IngestSettings(batch_size=2000, swap_grace_s=0.0))
    began = time.perf_counter()
    await run_vcf(db, "kg", [KG], "GRCh37", options)
    await run_vcf(db, "cineca", [CINECA], "GRCh37", options)
    load_s = time.perf_counter() - began
    entries = await catalog.read(db)
    kg, cineca = entries["kg"], entries["cineca"]
    kg_coll = db[kg.collection(c.Role.G_VARIANTS) or ""]
    cineca_coll = db[cineca.collection(c.Role.G_VARIANTS) or ""]
    rng = random.Random(7)
    snvs = [
        d
        async for d in kg_coll.find(
            {c.V_TYPE: "SNP"}, {c.V_START: 1, c.V_REF: 1, c.V_ALT: 1}
        ).limit(5000)
    ]
    picks = [rng.choice(snvs) for _ in range(n)]
    windows = [rng.randrange(16_050_000, 51_000_000) for _ in range(n)]
    genes = sorted(
        {g async for d in cineca_coll.find({}, {c.GENE_IDS: 1}) for g in d.get(c.GENE_IDS, [])}
    )[:200]
    gene_picks = [rng.choice(genes) for _ in range(n)]

    def sequence(i: int) -> dict[str, str]:
        p = picks[i]
        return {
            "referenceName": "22",
            "start": str(p[c.V_START]),
            "referenceBases": p[c.V_REF],
            "alternateBases": p[c.V_ALT],
        }

    def region(i: int) -> dict[str, str]:
        return {"referenceName": "22", "start": str(windows[i]), "end": str(windows[i] + 100_000)}

    def gene(i: int) -> dict[str, str]:
        return {"geneId": gene_picks[i]}

    kinds = {"sequence": (sequence, kg), "range 100 kb": (region, kg), "gene": (gene, cineca)}
    runner, port = await serve(uri, "bench")
    base = f"http://127.0.0.1:{port}/api/g_variants"
    rows: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession() as http:
            for name, (params, dataset) in kinds.items():
                coll = db[dataset.collection(c.Role.G_VARIANTS) or ""]
                extra = {"datasetIds": dataset.id}

                async def over_http(
                    i: int, granularity: str, params: Any = params, extra: Any = extra
                ) -> None:
                    query = {**params(i), **extra, "requestedGranularity": granularity}
                    async with http.get(base, params=query) as response:
                        body = await response.json()
                        assert response.status == 200, body

                # The driver is given the same two-stage match the node sends (query.Match).
                async def raw_count(
                    i: int, params: Any = params, coll: Any = coll, dataset: Any = dataset
                ) -> None:
                    built = build(classify(variant_params(params(i))), dataset.max_length)
                    stages = Match(built.lead, built.rest).stages()
                    cursor = await coll.aggregate([*stages, {"$count": "n"}])
                    await cursor.to_list()

                async def raw_page(
                    i: int, params: Any = params, coll: Any = coll, dataset: Any = dataset
                ) -> None:
                    built = build(classify(variant_params(params(i))), dataset.max_length)
                    order = {c.V_CHROM: 1, c.V_START: 1, c.V_END: 1, "_id": 1}
                    pipeline = [
                        *Match(built.lead, built.rest).stages(),
                        {"$sort": order},
                        {"$limit": 10},
                    ]
                    cursor = await coll.aggregate([*pipeline, {"$project": {c.V_CARRIERS: 0}}])
                    await cursor.to_list()

                http_count = await timed(n, lambda i: over_http(i, "count"))
                driver_count = await timed(n, raw_count)
                http_record = await timed(n, lambda i: over_http(i, "record"))
                driver_page = await timed(n, raw_page)
                rows[name] = latencies(http_count, driver_count, http_record, driver_page)
            rows["whole chromosome 22"] = await _whole_chromosome(http, base, kg, kg_coll, n)
            throughput = await _throughput(http, base, sequence, clients, n)
    finally:
        await runner.cleanup()
        await client.close()
    return {"load_seconds": load_s, "queries": rows, "throughput": throughput, "n": n}


WHOLE = {"referenceName": "22", "start": "0", "end": "51304566"}
#: Driver queries of a whole chromosome take seconds on the embedded engine: timed this often.
DRIVER_WHOLE_N = 3


async def _whole_chromosome(
    http: aiohttp.ClientSession, base: str, dataset: catalog.DatasetEntry, coll: Any, n: int
) -> dict[str, float]:
    """A whole chromosome's count and first page through HTTP, and the driver's best for the
    same answers: ``count_documents`` on the position index alone (every variant starting on
    the chromosome overlaps the window from 0), and the sorted ``find`` with ``limit``."""
    extra = {"datasetIds": dataset.id}

    async def over_http(i: int, granularity: str) -> None:
        query = {**WHOLE, **extra, "requestedGranularity": granularity, "limit": "10"}
        async with http.get(base, params=query) as response:
            body = await response.json()
            assert response.status == 200, body

    lead = {c.V_CHROM: "22", c.V_START: {"$gte": 0, "$lt": int(WHOLE["end"])}}
    order = [(c.V_CHROM, 1), (c.V_START, 1), (c.V_END, 1), ("_id", 1)]

    async def raw_count(i: int) -> None:
        await coll.count_documents(lead)

    async def raw_page(i: int) -> None:
        cursor = coll.find(lead, {c.V_CARRIERS: 0}).sort(order).limit(10)
        await cursor.to_list()

    http_count = await timed(n, lambda i: over_http(i, "count"))
    http_record = await timed(n, lambda i: over_http(i, "record"))
    driver_count = await timed(DRIVER_WHOLE_N, raw_count, warm=1)
    driver_page = await timed(DRIVER_WHOLE_N, raw_page, warm=0)
    return latencies(http_count, driver_count, http_record, driver_page)


async def _workers(
    uri: str, counts: tuple[int, ...], clients: int, n: int
) -> list[dict[str, float]]:
    """Sequence-query throughput through ``beacon serve --workers N`` as a real process."""
    db = store_client.connect(uri)
    entry = (await catalog.read(db["bench"]))["kg"]
    coll = db["bench"][entry.collection(c.Role.G_VARIANTS) or ""]
    picks = [d async for d in coll.find({c.V_TYPE: "SNP"}, {c.V_START: 1, c.V_ALT: 1}).limit(500)]
    await db.close()

    def sequence(i: int) -> dict[str, str]:
        p = picks[i % len(picks)]
        return {
            "referenceName": "22",
            "start": str(p[c.V_START]),
            "alternateBases": p[c.V_ALT],
            "datasetIds": "kg",
        }

    rows = []
    for workers in counts:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BEACON_", "MONGODB_"))},
            "MONGODB_URI": uri,
            "MONGODB_DB": "bench",
            "BEACON_UNDECLARED_DATASETS": "public",
            "BEACON_BUDGET_ANONYMOUS": "0",
            "BEACON_CATALOG_TTL": "5",
            "BEACON_LOG_FORMAT": "text",
        }
        command = [str(BIN / "beacon"), "serve", "--port", str(port)]
        command += ["--workers", str(workers)]
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}/api/g_variants"
            async with aiohttp.ClientSession() as http:
                await wait_ready(http, [f"http://127.0.0.1:{port}"], "/health")
                await _throughput(http, base, sequence, clients, min(n, 200))  # warm caches
                found = await _throughput(http, base, sequence, clients, max(n, 1000))
            rows.append({"workers": workers, **found})
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
    return rows


def variant_params(params: dict[str, str]) -> VariantParams:
    """The typed parameters of a GET query (as the node's parser makes them)."""
    return parse_get(Route(et.G_VARIANTS), params.items()).variant


async def _throughput(
    http: aiohttp.ClientSession,
    base: str,
    params: Callable[[int], dict[str, str]],
    clients: int,
    n: int,
) -> dict[str, float]:
    done = 0
    latencies: list[float] = []

    async def worker(offset: int) -> None:
        nonlocal done
        for i in range(offset, n, clients):
            began = time.perf_counter()
            async with http.get(
                base, params={**params(i), "requestedGranularity": "count"}
            ) as response:
                await response.read()
            latencies.append((time.perf_counter() - began) * 1000)
            done += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "queries_per_s": done / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
    }


async def scale(uri: str, n: int, samples: int = 20_000) -> dict[str, Any]:
    """Queries over a simulated cohort of ``samples`` people (``bench.cohorts``, as the ingest
    benchmark loads it): variant lookups, the carriers of a variant, the variants of a person."""
    cohort = synthetic(samples)
    client = store_client.connect(uri)
    db = client["bench_scale"]
    options = RunOptions(IngestSettings(batch_size=2000, swap_grace_s=0.0))
    dataset = cohort.metadata.name  # the simulated dataset's own id (its metadata says it)
    await run_metadata(db, dataset, [cohort.metadata], options)
    ids = [b["id"] for b in json.loads((cohort.metadata / "biosamples.json").read_text())]
    began = time.perf_counter()
    report = await run_vcf(db, dataset, [cohort.vcf], ASSEMBLY, options)
    load_s = time.perf_counter() - began
    entry = (await catalog.read(db))[dataset]
    coll = db[entry.collection(c.Role.G_VARIANTS) or ""]
    common = [
        d
        async for d in coll.find({}, {c.V_START: 1, c.V_REF: 1, c.V_ALT: 1, c.V_COUNTS: 1})
        .sort(f"{c.V_COUNTS}.ac", -1)  # the most copies: the most carriers, near enough
        .limit(50)
    ]
    runner, port = await serve(uri, "bench_scale")
    base = f"http://127.0.0.1:{port}/api"
    rows: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession() as http:

            def allele(i: int) -> dict[str, str]:
                d = common[i % len(common)]
                return {
                    "referenceName": "22",
                    "start": str(d[c.V_START]),
                    "referenceBases": d[c.V_REF],
                    "alternateBases": d[c.V_ALT],
                }

            def women(i: int) -> dict[str, str]:
                return {**allele(i), "filters": "sexFilter:F"}

            cases: dict[str, tuple[str, Callable[[int], dict[str, str]]]] = {
                "variant (sequence), count": ("/g_variants", allele),
                # The record adds its frequencies per country and sex, computed from its
                # carriers and the people's sex and country at query time.
                "variant (sequence), record with frequencies": ("/g_variants", allele),
                "variant (sequence), record, sexFilter=F": ("/g_variants", women),
                "range 100 kb, count": (
                    "/g_variants",
                    lambda i: {
                        "referenceName": "22",
                        "start": str(BACKGROUND[0] + i % 5 * 100_000),
                        "end": str(BACKGROUND[0] + i % 5 * 100_000 + 100_000),
                    },
                ),
                "biosamples carrying a common variant, count": ("/biosamples", allele),
                "variants one person carries, count": (
                    "/biosamples/{id}/g_variants",
                    lambda i: {},
                ),
            }
            for name, (path_template, params) in cases.items():

                async def call(
                    i: int,
                    path_template: str = path_template,
                    params: Any = params,
                    name: str = name,
                ) -> None:
                    path = path_template.replace("{id}", ids[(i * 7919) % samples])
                    level = "record" if "record" in name else "count"
                    query = {**params(i), "requestedGranularity": level}
                    async with http.get(base + path, params=query) as response:
                        body = await response.json()
                        assert response.status == 200, body

                latencies = await timed(min(n, 100), call)
                rows[name] = {
                    "p50": statistics.median(latencies),
                    "p99": percentile(latencies, 0.99),
                }
    finally:
        await runner.cleanup()
        await client.drop_database("bench_scale")
        await client.close()
    carriers = max(sum(d[c.V_COUNTS].get(z, 0) for z in ("het", "hom", "hemi")) for d in common)
    return {
        "samples": samples,
        "alleles": report.alleles_written,
        "load_seconds": load_s,
        "most_carriers": carriers,
        "queries": rows,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"data loaded in {result['load_seconds']:.1f} s; {result['n']} queries per kind",
        "",
        "| query | HTTP count p50 / p99 | driver count p50 / p99 | ratio p50 "
        "| HTTP record p50 / p99 | driver page p50 / p99 | ratio p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in result["queries"].items():
        lines.append(
            f"| {name} | {row['http_count_p50']:.2f} / {row['http_count_p99']:.2f} ms"
            f" | {row['driver_count_p50']:.2f} / {row['driver_count_p99']:.2f} ms"
            f" | {row['http_count_p50'] / row['driver_count_p50']:.3g}x"
            f" | {row['http_record_p50']:.2f} / {row['http_record_p99']:.2f} ms"
            f" | {row['driver_page_p50']:.2f} / {row['driver_page_p99']:.2f} ms"
            f" | {row['http_record_p50'] / row['driver_page_p50']:.3g}x |"
        )
    if "scale" in result:
        sc = result["scale"]
        lines += [
            "",
            f"scale: {sc['samples']:,} simulated people, {sc['alleles']:,} alleles loaded in "
            f"{sc['load_seconds']:.1f} s (the most common variant has {sc['most_carriers']:,} "
            "carriers)",
            "",
            "| query | p50 | p99 |",
            "|---|---|---|",
        ]
        for name, row in sc["queries"].items():
            lines.append(f"| {name} | {row['p50']:.1f} ms | {row['p99']:.1f} ms |")
    t = result["throughput"]
    lines.append("")
    lines.append(
        f"throughput, sequence queries, {t['clients']} concurrent clients: "
        f"{t['queries_per_s']:.0f} queries/s"
        f" (p50 {t['p50_ms']:.2f} ms, p99 {t['p99_ms']:.2f} ms)"
    )
    if result.get("workers"):
        lines += [
            "",
            "| beacon serve --workers | clients | queries/s | p50 | p99 |",
            "|---|---|---|---|---|",
        ]
        for row in result["workers"]:
            lines.append(
                f"| {row['workers']} | {row['clients']} | {row['queries_per_s']:.0f}"
                f" | {row['p50_ms']:.2f} ms | {row['p99_ms']:.2f} ms |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="queries per kind")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput")
    parser.add_argument("--no-scale", action="store_true", help="skip the 20,000-person cohort")
    parser.add_argument(
        "--workers",
        default="1,2,4",
        help="worker counts of `beacon serve --workers` to measure throughput at ('' skips)",
    )
    args = parser.parse_args()
    counts = tuple(int(w) for w in args.workers.split(",") if w.strip())
    outcome = asyncio.run(main(args.n, args.clients, not args.no_scale, counts))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "query.json").write_text(json.dumps(outcome, indent=2))
    print(report(outcome))
