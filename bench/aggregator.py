"""Aggregator latency over 3, 10 and 50 nodes beside the slowest healthy node, and throughput.

Three processes, so that no two of them share an event loop: the nodes, the aggregator
(``beacon-aggregator serve``, response cache off), and this client. Per scenario, in rounds:
the client sends the query straight to every node at once (as the aggregator would) and records
each node's latency, then sends it once to the aggregator. Reported: the aggregator's p50/p99
beside the slowest node's (the node with the highest p50, and the highest p99 of any node), as
a ratio and as a difference, whether it meets the target (aggregator p99 <= the slowest node's
p99 + 10 ms), and, from the aggregator's ``Server-Timing`` header, its fan-out time minus the
slowest node's answer time as the aggregator itself measured them ("in-agg": queueing and
sending inside the aggregator).

``--compare REF`` also serves the aggregator of a git revision (its ``aggregator`` and
``beacon`` packages exported from the repository into a temporary directory) over the same
nodes, asked in the same rounds, in alternating order: a before/after in the same conditions.

Nodes:

* ``real x3``: three real node apps (``beacon serve``, one process each) over the embedded
  engine, holding the checklist fixture (ds1, ds2, both); record-level variant query.
* ``fake xN`` (3, 10, 50): one process serving N lightweight fake nodes on N ports, each
  answering a record-level response (one result set of 3 variants) after a fixed delay spread
  from 10 to 50 ms. Fakes because 50 node processes with their own database cannot run on a
  2-core machine without measuring the machine instead of the aggregator; the fixed delays
  stand in for each node's database time and make "the slowest node" well defined.

Throughput: concurrent clients against the aggregator over the 10 fake nodes, cache off
(every request fans out) and cache on (hits). Prints a table, writes bench-results/
aggregator.json. Not a test: absolute numbers vary with the machine; ratios are the result.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench-results"
BIN = Path(sys.executable).parent
CHECKLIST = ROOT / "tests" / "data" / "checklist"
QUERY = "/g_variants?referenceName=17&start=7577120&alternateBases=A&requestedGranularity=record"
#: The target: the network's p99 within this many milliseconds of the slowest node's p99.
TARGET_MS = 10.0
CURRENT = "current"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the fake nodes' process --------------------------------------------------------------------


def serve_fakes(delays_ms: list[float]) -> None:
    """Serve one fake node per delay, each on its own port; print their URLs, run forever."""
    from aiohttp import web

    from beacon.protocol import entry_types as et
    from beacon.protocol import framework
    from beacon.protocol import response as r
    from beacon.protocol.granularity import Granularity

    def node_app(index: int, delay_s: float) -> web.Application:
        beacon_id = f"fake{index}.example.beacon"
        records = tuple(
            {
                "variantInternalId": f"v{index}-{k}",
                "variation": {"variantType": "SNP", "referenceBases": "G", "alternateBases": "A"},
            }
            for k in range(3)
        )
        meta = r.response_meta(
            beacon_id, r.fallback_summary(Granularity.RECORD), Granularity.RECORD, et.G_VARIANTS
        )
        answer = r.data_response(
            meta,
            Granularity.RECORD,
            True,
            3,
            [r.ResultSet("ds1", "dataset", True, 3, records)],
        )
        payload = json.dumps(answer).encode()

        async def metadata(request: web.Request) -> web.Response:
            name = request.path.rsplit("/", 1)[1]
            base = f"http://{request.host}/api"
            response: dict[str, Any] = {
                "info": {"id": beacon_id, "name": beacon_id, "updateDateTime": "2026-01-01"},
                "map": framework.map_document(base),
                "configuration": framework.configuration_document("test", {}),
                "entry_types": framework.configuration_document("test", {}),
                "filtering_terms": {"filteringTerms": [], "resources": []},
            }[name]
            body = {"meta": r.informational_meta(beacon_id), "response": response}
            return web.json_response(body)

        async def data(request: web.Request) -> web.Response:
            await request.read()
            await asyncio.sleep(delay_s)
            return web.Response(body=payload, content_type="application/json")

        app = web.Application()
        for name in ("info", "map", "configuration", "entry_types", "filtering_terms"):
            app.router.add_get(f"/api/{name}", metadata)
        app.router.add_route("*", "/api/{tail:.+}", data)
        return app

    async def run() -> None:
        urls = []
        for index, delay in enumerate(delays_ms):
            runner = web.AppRunner(node_app(index, delay / 1000), access_log=None)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            urls.append(f"http://127.0.0.1:{port}/api")
        print(json.dumps(urls), flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


@contextmanager
def fakes(delays_ms: list[float]) -> Iterator[list[str]]:
    spec = ",".join(str(d) for d in delays_ms)
    proc = subprocess.Popen(
        [sys.executable, __file__, "fakes", spec], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait()


# -- the real nodes -------------------------------------------------------------------------------


@contextmanager
def real_nodes(tmp: Path) -> Iterator[list[str]]:
    """Three ``beacon serve`` processes over one embedded engine, with different data."""
    engine_dir = tmp / "engine"
    env = {**os.environ, "BEACON_ENGINE_DIR": str(engine_dir)}
    env.pop("MONGODB_URI", None)
    started = subprocess.run(
        [BIN / "beacon", "db", "start"], env=env, capture_output=True, text=True, check=True
    )
    uri = started.stdout.split("'")[1]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for i, datasets in enumerate((("ds1",), ("ds2",), ("ds1", "ds2"))):
            node_env = {
                **env,
                "MONGODB_URI": uri,
                "MONGODB_DB": f"bench_agg_{os.getpid()}_{i}",
                "BEACON_ID": f"real{i}.example.beacon",
                "BEACON_UNDECLARED_DATASETS": "public",
                "BEACON_BUDGET_ANONYMOUS": "0",
                "BEACON_INGEST_SWAP_GRACE": "0",
            }
            for ds in datasets:
                subprocess.run(
                    [
                        str(BIN / "beacon-ingest"),
                        "bff",
                        str(CHECKLIST / ds),
                        *("--dataset", ds, "--assembly", "GRCh38"),
                    ],
                    env=node_env,
                    capture_output=True,
                    check=True,
                )
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [BIN / "beacon", "serve", "--port", str(port)],
                    env=node_env,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}/api")
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
        subprocess.run([BIN / "beacon", "db", "stop"], env=env, capture_output=True)


# -- the aggregator ---------------------------------------------------------------------------


@contextmanager
def aggregator(
    tmp: Path, urls: list[str], cache_ttl: float = 0.0, source: Path | None = None
) -> Iterator[str]:
    """``beacon-aggregator serve`` over ``urls``; from ``source`` (an exported tree) if given."""
    config = tmp / f"network-{len(urls)}-{cache_ttl}-{source.name if source else 'current'}.toml"
    lines = ["[aggregator]", "deadline_s = 5.0", "node_timeout_s = 4.0"]
    lines += ["max_connections = 1000", "max_connections_per_node = 64"]
    for i, url in enumerate(urls):
        lines += ["[[aggregator.nodes]]", f'id = "n{i}"', f'url = "{url}"']
    config.write_text("\n".join(lines) + "\n")
    port = free_port()
    env = {**os.environ, "AGGREGATOR_CACHE_TTL": str(cache_ttl)}
    serve = ["serve", "--config", str(config), "--port", str(port)]
    command: list[str | Path] = [BIN / "beacon-aggregator", *serve]
    if source is not None:  # its packages first on the path, ahead of this checkout's
        env["PYTHONPATH"] = str(source)
        command = [sys.executable, "-c", "from aggregator.cli import main; main()", *serve]
    proc = subprocess.Popen(command, env=env, cwd=source, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        proc.terminate()
        proc.wait()


@contextmanager
def exported(ref: str | None, tmp: Path) -> Iterator[Path | None]:
    """The ``aggregator`` and ``beacon`` packages of git revision ``ref``, in ``tmp``."""
    if ref is None:
        yield None
        return
    target = tmp / f"rev-{ref.replace('/', '_')}"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "aggregator", "beacon"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    yield target


async def wait_ready(session: aiohttp.ClientSession, urls: list[str], path: str = "/info") -> None:
    """Until every URL answers 200 at ``path`` (a minute at most)."""
    deadline = time.monotonic() + 60
    for url in urls:
        while True:
            try:
                async with session.get(f"{url}{path}") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not start")
            await asyncio.sleep(0.1)


async def timed_get(
    session: aiohttp.ClientSession, url: str, timings: list[float] | None = None
) -> float:
    """Milliseconds of one GET; with ``timings``, also the aggregator's own overhead."""
    began = time.perf_counter()
    async with session.get(url) as response:
        await response.read()
        assert response.status == 200, await response.text()
        server_timing = response.headers.get("Server-Timing", "")
    if timings is not None and server_timing:
        parts = dict(p.strip().split(";dur=") for p in server_timing.split(","))
        timings.append(float(parts["fanout"]) - float(parts["slowest-node"]))
    return (time.perf_counter() - began) * 1000


async def latency(
    name: str, urls: list[str], nets: dict[str, str], rounds: int
) -> list[dict[str, Any]]:
    """Per round: every node directly (at once), then each aggregator in turn (the order
    alternating between rounds); one row per aggregator."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_ready(session, [*urls, *nets.values()])
        per_node: list[list[float]] = [[] for _ in urls]
        network: dict[str, list[float]] = {label: [] for label in nets}
        overhead: dict[str, list[float]] = {label: [] for label in nets}
        order = list(nets)
        for i in range(rounds + 10):
            direct = await asyncio.gather(*(timed_get(session, u + QUERY) for u in urls))
            measured = i >= 10  # warm-up: connections, discovery, first-request costs
            for label in order if i % 2 else order[::-1]:
                timings = overhead[label] if measured else None
                merged = await timed_get(session, nets[label] + QUERY, timings)
                if measured:
                    network[label].append(merged)
            if measured:
                for node, ms in zip(per_node, direct, strict=True):
                    node.append(ms)
    slow50 = max(percentile(v, 0.5) for v in per_node)
    slow99 = max(percentile(v, 0.99) for v in per_node)
    rows = []
    for label in nets:
        agg50, agg99 = percentile(network[label], 0.5), percentile(network[label], 0.99)
        rows.append(
            {
                "scenario": name,
                "aggregator": label,
                "nodes": len(urls),
                "rounds": rounds,
                "slowest_node_p50_ms": round(slow50, 2),
                "slowest_node_p99_ms": round(slow99, 2),
                "aggregator_p50_ms": round(agg50, 2),
                "aggregator_p99_ms": round(agg99, 2),
                "ratio_p50": round(agg50 / slow50, 3),
                "ratio_p99": round(agg99 / slow99, 3),
                "over_slowest_p50_ms": round(agg50 - slow50, 2),
                "over_slowest_p99_ms": round(agg99 - slow99, 2),
                # Inside the aggregator: fan-out time minus the slowest node's answer time.
                "fanout_over_slowest_p50_ms": round(percentile(overhead[label], 0.5), 2),
                "fanout_over_slowest_p99_ms": round(percentile(overhead[label], 0.99), 2),
                "target_p99_met": agg99 <= slow99 + TARGET_MS,
            }
        )
    return rows


async def throughput(name: str, net: str, clients: int, seconds: float) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_ready(session, [net])
        for _ in range(5):
            await timed_get(session, net + QUERY)
        done: list[float] = []
        stop = time.monotonic() + seconds

        async def client() -> None:
            while time.monotonic() < stop:
                done.append(await timed_get(session, net + QUERY))

        began = time.monotonic()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.monotonic() - began
    return {
        "scenario": name,
        "clients": clients,
        "requests": len(done),
        "requests_per_s": round(len(done) / elapsed, 1),
        "p50_ms": round(percentile(done, 0.5), 2),
        "p99_ms": round(percentile(done, 0.99), 2),
    }


def spread(n: int) -> list[float]:
    return [10 + 40 * i / max(1, n - 1) for i in range(n)]


def run(
    rounds: int,
    clients: int,
    seconds: float,
    real: bool,
    sizes: list[int],
    tput: bool,
    compare: str | None = None,
) -> dict[str, Any]:
    results: dict[str, Any] = {"latency": [], "throughput": [], "compare": compare}
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        tmp = Path(name)
        base = stack.enter_context(exported(compare, tmp))

        def networks(urls: list[str], scenario: ExitStack) -> dict[str, str]:
            nets = {CURRENT: scenario.enter_context(aggregator(tmp, urls))}
            if base is not None:
                nets[compare or ""] = scenario.enter_context(aggregator(tmp, urls, source=base))
            return nets

        scenarios: list[tuple[str, Callable[[], AbstractContextManager[list[str]]]]] = []
        if real:
            scenarios.append(("real x3", functools.partial(real_nodes, tmp)))
        for n in sizes:
            scenarios.append((f"fake x{n}", functools.partial(fakes, spread(n))))
        for label, nodes in scenarios:
            with ExitStack() as scenario:
                urls = scenario.enter_context(nodes())
                nets = networks(urls, scenario)
                results["latency"] += asyncio.run(latency(label, urls, nets, rounds))
        if not tput:
            return results
        with fakes(spread(10)) as urls:
            for ttl, label in ((0.0, "fake x10, cache off"), (60.0, "fake x10, cache hits")):
                with aggregator(tmp, urls, ttl) as net:
                    results["throughput"].append(
                        asyncio.run(throughput(label, net, clients, seconds))
                    )
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        "aggregator latency vs the slowest healthy node (ms; target: agg p99 <= slowest p99 "
        f"+ {TARGET_MS:g} ms)",
        f"{'scenario':<12} {'aggregator':<10} {'slow p50':>9} {'agg p50':>8} {'ratio':>6} "
        f"{'diff':>6} {'slow p99':>9} {'agg p99':>8} {'ratio':>6} {'diff':>6}  target  "
        "in-agg p50/p99",
    ]
    for row in results["latency"]:
        lines.append(
            f"{row['scenario']:<12} {row['aggregator']:<10} {row['slowest_node_p50_ms']:>9.1f} "
            f"{row['aggregator_p50_ms']:>8.1f} {row['ratio_p50']:>6.2f} "
            f"{row['over_slowest_p50_ms']:>+6.1f} {row['slowest_node_p99_ms']:>9.1f} "
            f"{row['aggregator_p99_ms']:>8.1f} {row['ratio_p99']:>6.2f} "
            f"{row['over_slowest_p99_ms']:>+6.1f}  {'yes' if row['target_p99_met'] else 'NO':<6}  "
            f"{row['fanout_over_slowest_p50_ms']:>5.1f}/{row['fanout_over_slowest_p99_ms']:.1f}"
        )
    lines.append("")
    lines.append("throughput (concurrent clients)")
    for row in results["throughput"]:
        lines.append(
            f"{row['scenario']:<22} {row['clients']:>3} clients {row['requests_per_s']:>8.1f} req/s"
            f"  p50 {row['p50_ms']:.1f} ms  p99 {row['p99_ms']:.1f} ms"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100, help="measured rounds per scenario")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run length")
    parser.add_argument("--no-real", action="store_true", help="skip the real-node scenario")
    parser.add_argument("--sizes", default="3,10,50", help="fake network sizes")
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput runs")
    parser.add_argument(
        "--compare", metavar="REF", help="also serve the aggregator of this git revision"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    results = run(
        args.rounds,
        args.clients,
        args.seconds,
        not args.no_real,
        sizes,
        not args.no_throughput,
        args.compare,
    )
    results["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    print(report(results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "aggregator.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS / 'aggregator.json'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fakes":
        serve_fakes([float(d) for d in sys.argv[2].split(",")])
    else:
        main()
