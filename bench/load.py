"""Load: 64 concurrent clients against one node, then against the network over three nodes.

Four processes: three nodes (``beacon serve``, each over its own database of a simulated
country, on the embedded engine or ``MONGODB_URI``) and the aggregator
(``beacon-aggregator serve``, its cache off, so every query fans out), plus this client. For a
bounded time per phase, ``--clients`` workers send a mix of the queries users make (an exact
variant, a 50 kb range, a gene, filters on people: each asked for a count) as fast as the
answers come back. Reported per phase: requests per second, p50 and p99 latency, answers by
status (any 5xx, and any 503 from the network while every node is healthy, is a failure of the
target), and each server's resident memory before and after; and the network's throughput as
a ratio of one node's, measured in the same run. Prints a table, writes bench-results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bench.aggregator import BIN, RESULTS, free_port, percentile, wait_ready
from bench.cohorts import simulator_digest
from ingest.simulate.cohort import BACKGROUND, GENES, Plan, generate

COUNTRIES = ("FI", "DE", "ES")
FILTERS = (
    "NCIT:C16576",  # female
    "HP:0001626",  # cardiovascular abnormality, and its descendants
    "LOINC:39156-5:>30",  # BMI over 30
    "NCIT:C16576,ICD10:I10",
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cohorts(samples: int, length_kb: int) -> Path:
    out = RESULTS / f"load-cohorts_{samples}x{length_kb}kb_{simulator_digest()}"
    if not (out / "manifest.json").exists():
        print(f"simulating {len(COUNTRIES)} countries x {samples} people ...", file=sys.stderr)
        generate(out, Plan(COUNTRIES, samples, length_kb, 5))
    return out


@contextmanager
def database(tmp: Path) -> Iterator[str]:
    given = os.environ.get("MONGODB_URI")
    if given:
        yield given
        return
    env = {**os.environ, "BEACON_ENGINE_DIR": str(tmp / "engine")}
    done = subprocess.run(
        [BIN / "beacon", "db", "start"], env=env, capture_output=True, text=True, check=True
    )
    try:
        yield done.stdout.split("'")[1]
    finally:
        subprocess.run([BIN / "beacon", "db", "stop"], env=env, capture_output=True, check=False)


def load(uri: str, data: Path, country: str, db_name: str) -> None:
    manifest = json.loads((data / "manifest.json").read_text())
    env = {**os.environ, "MONGODB_URI": uri, "MONGODB_DB": db_name}
    ingest = str(BIN / "beacon-ingest")
    commands = [[ingest, "ontology", *(str(data / p) for p in manifest["ontologies"])]]
    for dataset, entry in manifest["files"].items():
        if entry["country"] == country:
            commands.append(
                [ingest, "metadata", str(data / entry["metadata"]), "--dataset", dataset]
            )
            commands.append(
                [
                    ingest,
                    "vcf",
                    str(data / entry["vcf"]),
                    "--dataset",
                    dataset,
                    "--assembly",
                    "GRCh38",
                ]
            )
    for command in commands:
        subprocess.run(command, env=env, capture_output=True, check=True)


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)


def node_config(tmp: Path, country: str, port: int) -> Path:
    path = tmp / f"node-{country}.toml"
    path.write_text(
        "\n".join(
            [
                "[server]",
                f'id = "bench.{country.lower()}.beacon"',
                f"port = {port}",
                'log_format = "json"',
                "[access]",
                'undeclared_datasets = "public"',
                "budget_per_ip = 0  # every query comes from one address: the client or network",
            ]
        )
        + "\n"
    )
    return path


def network_config(tmp: Path, port: int, urls: list[str]) -> Path:
    lines = ["[server]", f"port = {port}", "[aggregator]", "cache_ttl_s = 0.0"]
    lines += ["max_connections = 512", "max_connections_per_node = 128"]
    for country, url in zip(COUNTRIES, urls, strict=True):
        lines += ["[[aggregator.nodes]]", f'id = "{country.lower()}"', f'url = "{url}"']
        lines.append(f'country = "{country}"')
    path = tmp / "network.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


async def variants(session: aiohttp.ClientSession, node: str) -> list[dict[str, str]]:
    """Exact queries for variants the data holds (from one record page)."""
    params = {
        "referenceName": "22",
        "start": str(BACKGROUND[0]),
        "end": str(BACKGROUND[0] + 400_000),
    }
    async with session.get(f"{node}/g_variants", params={**params, "limit": "200"}) as response:
        body = await response.json()
    found = []
    for result_set in body["response"]["resultSets"]:
        for record in result_set.get("results", []):
            v = record["variation"]
            if v.get("referenceBases") and v.get("alternateBases", "N") != "N":
                start = v["location"]["interval"]["start"]["value"]
                found.append(
                    {
                        "referenceName": "22",
                        "start": str(start),
                        "referenceBases": v["referenceBases"],
                        "alternateBases": v["alternateBases"],
                    }
                )
    return found


def query(rng: random.Random, exact: list[dict[str, str]]) -> tuple[str, str, dict[str, str]]:
    kind = rng.choice(("exact", "range", "gene", "filtered"))
    count = {"requestedGranularity": "count"}
    if kind == "exact":
        return kind, "/g_variants", {**rng.choice(exact), **count}
    if kind == "range":
        start = BACKGROUND[0] + rng.randrange(0, 350_000)
        window = {"referenceName": "22", "start": str(start), "end": str(start + 50_000)}
        return kind, "/g_variants", {**window, **count}
    if kind == "gene":
        return kind, "/g_variants", {"geneId": rng.choice(GENES).symbol, **count}
    return kind, "/individuals", {"filters": rng.choice(FILTERS), **count}


async def phase(
    base: str, clients: int, seconds: float, exact: list[dict[str, str]], seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        stop = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < stop:
                kind, path, params = query(rng, exact)
                began = time.perf_counter()
                try:
                    async with session.get(base + path, params=params) as response:
                        await response.read()
                        statuses[response.status] += 1
                except (aiohttp.ClientError, TimeoutError):
                    statuses[0] += 1  # no answer at all
                latencies.append((time.perf_counter() - began) * 1000)
                kinds[kind] += 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.monotonic() - began
    ok = statuses.get(200, 0)
    return {
        "requests": sum(statuses.values()),
        "seconds": round(elapsed, 2),
        "requestsPerSecond": round(sum(statuses.values()) / elapsed, 1),
        "p50Ms": round(statistics.median(latencies), 1),
        "p99Ms": round(percentile(latencies, 0.99), 1),
        "byStatus": {str(k): v for k, v in sorted(statuses.items())},
        "errors": sum(v for k, v in statuses.items() if k != 200),
        "ok": ok,
        "kinds": dict(kinds),
    }


async def measure(
    node_urls: list[str], network: str, pids: dict[str, int], clients: int, seconds: float
) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        await wait_ready(session, [*node_urls, network])
        exact = await variants(session, node_urls[0])
        # warm both paths: connections, caches of loads, capabilities of the nodes
        for base in (node_urls[0], network):
            for i in range(20):
                _, path, params = query(random.Random(i), exact)
                async with session.get(base + path, params=params) as response:
                    await response.read()
    results: dict[str, Any] = {}
    for name, base in (("one node", node_urls[0]), ("network of 3", network)):
        before = {k: round(rss_mb(p), 1) for k, p in pids.items()}
        print(f"{name}: {clients} clients for {seconds:g} s ...", file=sys.stderr)
        result = await phase(base, clients, seconds, exact, seed=len(results))
        result["rssMbBefore"] = before
        result["rssMbAfter"] = {k: round(rss_mb(p), 1) for k, p in pids.items()}
        results[name] = result
    ratio = results["network of 3"]["requestsPerSecond"] / results["one node"]["requestsPerSecond"]
    return {"phases": results, "networkToNodeThroughput": round(ratio, 2)}


def report(outcome: dict[str, Any]) -> str:
    head = (
        f"{'phase':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7} "
        f"{'503':>5}  status counts"
    )
    lines = [head, "-" * len(head)]
    for name, r in outcome["phases"].items():
        lines.append(
            f"{name:14} {r['requestsPerSecond']:>8.1f} {r['p50Ms']:>8.1f} {r['p99Ms']:>8.1f} "
            f"{r['requests']:>9} {r['errors']:>7} {r['byStatus'].get('503', 0):>5}  "
            f"{r['byStatus']}"
        )
    lines.append("")
    lines.append("resident memory (MB), before -> after each phase:")
    for name, r in outcome["phases"].items():
        parts = [
            f"{k} {r['rssMbBefore'][k]:.0f}->{r['rssMbAfter'][k]:.0f}" for k in r["rssMbBefore"]
        ]
        lines.append(f"  {name:14} " + ", ".join(parts))
    lines.append("")
    lines.append(
        f"network throughput / one node's: {outcome['networkToNodeThroughput']:.2f}x "
        f"(each network query is answered by all three nodes)"
    )
    target = all(r["errors"] == 0 for r in outcome["phases"].values())
    lines.append(f"target (no errors, no 503, every node healthy): {'met' if target else 'MISSED'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--samples", type=int, default=300, help="people per country")
    parser.add_argument("--length-kb", type=int, default=1000)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    data = cohorts(args.samples, args.length_kb)
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        tmp = Path(scratch)
        uri = stack.enter_context(database(tmp))
        pids: dict[str, int] = {}
        urls = []
        for country in COUNTRIES:
            db_name = f"bench_load_{country.lower()}_{os.getpid()}"
            print(f"loading {country} ...", file=sys.stderr)
            load(uri, data, country, db_name)
            port = free_port()
            env = {**os.environ, "MONGODB_URI": uri, "MONGODB_DB": db_name}
            command = [
                str(BIN / "beacon"),
                "serve",
                "--config",
                str(node_config(tmp, country, port)),
            ]
            pids[f"node {country}"] = stack.enter_context(process(command, env)).pid
            urls.append(f"http://127.0.0.1:{port}/api")
        port = free_port()
        command = [
            str(BIN / "beacon-aggregator"),
            "serve",
            "--config",
            str(network_config(tmp, port, urls)),
        ]
        pids["network"] = stack.enter_context(process(command, dict(os.environ))).pid
        network = f"http://127.0.0.1:{port}/api"
        outcome = asyncio.run(measure(urls, network, pids, args.clients, args.seconds))
    outcome.update(
        time=time.time(), clients=args.clients, seconds=args.seconds, samples=args.samples
    )
    (RESULTS / "load.json").write_text(json.dumps(outcome, indent=2) + "\n")
    print(report(outcome))
    print(f"wrote {RESULTS / 'load.json'}")


if __name__ == "__main__":
    main()
