"""``/filtering_terms`` latency and throughput on the CINECA UK1 metadata, beside the driver.

Loads the CINECA UK1 metadata (``../shared/data/bff/cineca_uk1``: 2,504 individuals and their
biosamples, runs and analyses) into the embedded engine as one dataset, starts the node on a
real socket (open data, no query budget) and times, in the same run and against the same
engine:

* ``GET /api/filtering_terms`` whole (the default: every term) and one page of it
  (``skip``/``limit``), sequentially: p50/p99;
* the driver reading the same page of stored documents from the ``filtering_terms``
  collection, the floor any node pays for that page;
* the page under 8 concurrent clients: requests a second.

Prints a table and writes bench-results/terms.json. Not a test: absolute numbers vary with the
machine; the ratios to the driver are what we compare (target: a page's HTTP p50 <= 10 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from beacon.config import IngestSettings
from beacon.store import client as store_client
from beacon.store import collections as c
from beacon.store import engine
from bench.aggregator import percentile
from bench.query import serve, timed
from ingest.pipeline import RunOptions, run_metadata

CINECA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bff" / "cineca_uk1"
RESULTS = Path(__file__).resolve().parents[1] / "bench-results"
DATASET = "CINECA_synthetic_cohort_EUROPE_UK1"


def stats(name: str, values: list[float]) -> dict[str, Any]:
    return {
        "what": name,
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 3),
        "p99_ms": round(percentile(values, 0.99), 3),
    }


async def throughput(
    call: Callable[[], Awaitable[Any]], clients: int, seconds: float
) -> dict[str, Any]:
    done: list[float] = []
    stop = time.monotonic() + seconds

    async def client() -> None:
        while time.monotonic() < stop:
            began = time.perf_counter()
            await call()
            done.append((time.perf_counter() - began) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.monotonic() - began
    return {
        "clients": clients,
        "requests": len(done),
        "requests_per_s": round(len(done) / elapsed, 1),
        "p50_ms": round(percentile(done, 0.5), 2),
        "p99_ms": round(percentile(done, 0.99), 2),
    }


async def run(n: int, clients: int, seconds: float, skip: int, limit: int) -> dict[str, Any]:
    if not CINECA.is_dir():
        sys.exit(f"the benchmark needs {CINECA} (the shared test data beside the checkout)")
    work = Path(tempfile.mkdtemp(prefix="beacon-bench-terms-"))
    state = engine.start(work / "engine", cache_size="1G")
    try:
        client = store_client.connect(state.uri)
        db = client["bench_terms"]
        options = RunOptions(IngestSettings(batch_size=2000, swap_grace_s=0.0))
        began = time.perf_counter()
        await run_metadata(db, DATASET, [CINECA], options)
        load_s = time.perf_counter() - began
        runner, port = await serve(state.uri, "bench_terms")
        base = f"http://127.0.0.1:{port}/api/filtering_terms"
        page_url = f"{base}?skip={skip}&limit={limit}"
        results: dict[str, Any] = {"load_s": round(load_s, 2), "skip": skip, "limit": limit}
        async with aiohttp.ClientSession() as session:

            async def get(url: str) -> Any:
                async with session.get(url) as response:
                    body = await response.json()
                    assert response.status == 200, body
                    return body

            whole = await get(base)
            results["terms"] = len(whole["response"]["filteringTerms"])
            page = await get(page_url)
            offset = skip * limit  # skip counts pages
            assert (
                page["response"]["filteringTerms"]
                == (whole["response"]["filteringTerms"][offset : offset + limit])
            )
            collection = db[c.FILTERING_TERMS]
            results["stored_documents"] = await collection.count_documents({})

            async def driver_page(_: int) -> None:
                cursor = collection.find({}).sort("id", 1).skip(offset).limit(limit)
                docs = [d async for d in cursor]
                assert len(docs) == limit

            rows = [
                stats("HTTP whole listing", await timed(n, lambda _: get(base))),
                stats("HTTP page", await timed(n, lambda _: get(page_url))),
                stats("driver page", await timed(n, driver_page)),
            ]
            results["latency"] = rows
            results["throughput_page"] = await throughput(lambda: get(page_url), clients, seconds)
            results["throughput_whole"] = await throughput(lambda: get(base), clients, seconds)
        await runner.cleanup()
        await client.close()
        return results
    finally:
        engine.stop(work / "engine")


def report(results: dict[str, Any]) -> str:
    page = f"skip={results['skip']}&limit={results['limit']}"
    lines = [
        f"/filtering_terms on CINECA UK1 metadata: {results['terms']} terms listed, "
        f"{results['stored_documents']} stored documents; page = {page}",
        f"{'what':<20} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    rows = {r["what"]: r for r in results["latency"]}
    for row in results["latency"]:
        lines.append(f"{row['what']:<20} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}")
    driver = rows["driver page"]["p50_ms"]
    lines.append(f"HTTP page / driver page (p50): {rows['HTTP page']['p50_ms'] / driver:.1f}x")
    for key, label in (("throughput_page", "page"), ("throughput_whole", "whole listing")):
        t = results[key]
        lines.append(
            f"throughput, {label}, {t['clients']} clients: {t['requests_per_s']} req/s "
            f"(p50 {t['p50_ms']} ms, p99 {t['p99_ms']} ms)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="sequential requests per measurement")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run length")
    parser.add_argument("--skip", type=int, default=2, help="the page's skip (in pages)")
    parser.add_argument("--limit", type=int, default=10, help="the page's limit")
    args = parser.parse_args()
    results = asyncio.run(run(args.n, args.clients, args.seconds, args.skip, args.limit))
    print(report(results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "terms.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS / 'terms.json'}")


if __name__ == "__main__":
    main()
