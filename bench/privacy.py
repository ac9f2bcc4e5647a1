"""Re-identification: the Shringarpure & Bustamante membership attack against a node.

A simulated cohort (the project's simulator: one country, msprime) of ``2 x --people``
people: the first half is in the beacon (one dataset, answered yes/no to anonymous callers),
the second half is the reference population the attacker knows frequencies from and the
"outside" victims. For each victim the attacker holds the genome and asks the node, one allele
at a time, about the alleles the victim carries, rarest first (the most telling), and computes
the likelihood-ratio statistic of Shringarpure & Bustamante (2015) after each number of
queries. The attack's power is the share of inside victims whose statistic beats the 95th
percentile of the outside victims' (a 5 % false-positive rate), for:

* ``none``: no defence (the node as before, a beacon answering every allele);
* ``rare alleles``: alleles carried fewer than ``access.rare_allele_count`` (5) times answered
  as absent;
* ``risk budget``: each 'yes' charged by what it tells, ``access.risk_budget_bits`` (16) a day;
* ``default``: both, as the node ships.

Answers come from the node over HTTP. Without a budget an answer depends on the allele only, so
each allele is asked once and shared by the victims' attackers. With a budget each attacker is
one caller (its own client address) whose budget runs out by the answers it got: the replay
for every victim uses the node's own cost of each answer, and is checked against the node
itself for ``--checked`` victims, each asking as its own caller until the node says 429.
Prints power against the number of queries, writes bench-results/privacy.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
from aiohttp import web

from beacon.config import IngestSettings, load_settings
from beacon.node.app import create_app
from beacon.node.privacy import MAX_EVIDENCE_BITS, evidence_bits
from beacon.store import client as store_client
from beacon.store import engine
from beacon.web.parsing import BeaconRunner
from bench.aggregator import RESULTS, free_port
from ingest import pipeline
from ingest.simulate.cohort import Plan, generate
from ingest.vcf.load import run_vcf
from ingest.vcf.read import VcfReader

DATASET = "cohort"
QUERIES = (10, 30, 100, 300, 1000, 3000, 10_000)
DELTA = 1e-6  # the sequencing error rate of the attack's model
SCENARIOS: dict[str, dict[str, str]] = {
    "none": {"BEACON_RARE_ALLELE_COUNT": "0", "BEACON_RISK_BUDGET": "0"},
    "rare alleles": {"BEACON_RARE_ALLELE_COUNT": "5", "BEACON_RISK_BUDGET": "0"},
    "risk budget": {"BEACON_RARE_ALLELE_COUNT": "0", "BEACON_RISK_BUDGET": "16"},
    "default": {"BEACON_RARE_ALLELE_COUNT": "5", "BEACON_RISK_BUDGET": "16"},
}


@dataclass(frozen=True)
class Allele:
    pos: int  # 1-based VCF position on chr22
    ref: str
    alt: str
    f_ref: float  # frequency among the reference (outside) people
    ac: int  # allele count inside the beacon
    an: int


@dataclass
class Victim:
    person: str
    inside: bool
    alleles: list[int] = field(default_factory=list)  # indices into the allele table


def cohort(people: int, length_kb: int) -> tuple[Path, Path]:
    out = RESULTS / f"privacy-cohort_{2 * people}x{length_kb}kb"
    if not (out / "manifest.json").exists():
        print(f"simulating {2 * people} people over {length_kb} kb ...", file=sys.stderr)
        generate(out, Plan(("DE",), 2 * people, length_kb, 3))
    entry = next(iter(json.loads((out / "manifest.json").read_text())["files"].values()))
    return out / entry["vcf"], out / entry["metadata"]


def split(vcf: Path, metadata: Path, people: int, tmp: Path) -> tuple[Path, Path, list[str]]:
    """The beacon's half: a VCF of the first ``people`` samples and their metadata."""
    with VcfReader(vcf) as reader:
        samples = list(reader.header.samples)
    inside = samples[:people]
    bcftools = shutil.which("bcftools")
    if bcftools is None:
        raise SystemExit("bcftools is needed to split the cohort: apt-get install bcftools")
    (tmp / "inside.txt").write_text("\n".join(inside) + "\n")
    subset = tmp / "inside.vcf.gz"
    subprocess.run(
        [bcftools, "view", "-S", str(tmp / "inside.txt"), "-Oz", "-o", str(subset), str(vcf)],
        check=True,
    )
    folder = tmp / "metadata"
    folder.mkdir()
    biosamples = [b for b in _records(metadata, "biosamples") if b["id"] in set(inside)]
    people_in = {b["individualId"] for b in biosamples}
    kept = {
        "biosamples": biosamples,
        "individuals": [r for r in _records(metadata, "individuals") if r["id"] in people_in],
        "runs": [r for r in _records(metadata, "runs") if r.get("biosampleId") in set(inside)],
        "analyses": [
            r for r in _records(metadata, "analyses") if r.get("biosampleId") in set(inside)
        ],
        "datasets": [{**d, "id": DATASET} for d in _records(metadata, "datasets")][:1],
    }
    for name, records in kept.items():
        (folder / f"{name}.json").write_text(json.dumps(records))
    return subset, folder, samples


def _records(folder: Path, name: str) -> list[dict[str, Any]]:
    path = folder / f"{name}.json"
    found: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    return found


def alleles(vcf: Path, samples: list[str], people: int, victims: list[Victim]) -> list[Allele]:
    """Every ALT of the cohort with its reference frequency and beacon counts, and for each
    victim the alleles they carry."""
    column = {p: i for i, p in enumerate(samples)}
    picked = [(v, column[v.person]) for v in victims]
    table: list[Allele] = []
    with VcfReader(vcf) as reader:
        for record in reader.records():
            if record.gt is None:
                continue
            gt = np.asarray(record.gt)
            for k, alt in enumerate(record.alts, start=1):
                if alt.startswith("<"):
                    continue  # symbolic: not an allele a genome holder would ask about
                copies = (gt == k).sum(axis=1)
                inside, outside = copies[:people], copies[people:]
                f_ref = float(outside.sum()) / (2 * len(outside))
                table.append(
                    Allele(record.pos, record.ref, alt, f_ref, int(inside.sum()), 2 * people)
                )
                index = len(table) - 1
                for victim, col in picked:
                    if copies[col] > 0:
                        victim.alleles.append(index)
    for victim in victims:
        victim.alleles.sort(key=lambda i: (table[i].f_ref, i))  # rarest first
        del victim.alleles[max(QUERIES) :]
    return table


async def load(uri: str, db_name: str, subset: Path, metadata: Path) -> None:
    client = store_client.connect(uri)
    options = pipeline.RunOptions(IngestSettings(batch_size=2000, swap_grace_s=0.0))
    try:
        db = client[db_name]
        await pipeline.run_metadata(db, DATASET, [metadata], options)
        await run_vcf(db, DATASET, [subset], "GRCh38", options)
    finally:
        await client.close()


def policy(tmp: Path) -> Path:
    path = tmp / "privacy.toml"
    path.write_text(
        "\n".join(
            [
                "[access]",
                'client_ip_header = "X-Forwarded-For"',
                'trusted_proxies = ["127.0.0.1"]',
                "budget_per_ip = 0",
                "[[access.datasets]]",
                f'id = "{DATASET}"',
                'security_level = "CONTROLLED"',
                'public = "boolean"',
                'visa_values = ["https://dac.example/cohort"]',
                'visa_issuers = ["https://dac.example"]',
            ]
        )
        + "\n"
    )
    return path


async def serve(uri: str, db_name: str, config: Path, env: dict[str, str]) -> tuple[Any, str]:
    settings = load_settings(config, {"MONGODB_DB": db_name, "BEACON_CATALOG_TTL": "60", **env})
    runner = BeaconRunner(create_app(settings, uri), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/api/g_variants"


def params(a: Allele) -> dict[str, str]:
    return {
        "referenceName": "22",
        "start": str(a.pos - 1),
        "referenceBases": a.ref,
        "alternateBases": a.alt,
        "requestedGranularity": "boolean",
    }


async def ask(
    session: aiohttp.ClientSession, url: str, a: Allele, caller: str = "10.0.0.1"
) -> bool | None:
    """The node's answer: True, False, or None once the caller's budget is spent (429)."""
    async with session.get(url, params=params(a), headers={"X-Forwarded-For": caller}) as r:
        body = await r.json()
        if r.status == 429:
            return None
        assert r.status == 200, body
        found: bool = body["responseSummary"]["exists"]
        return found


async def answers(url: str, table: list[Allele], wanted: Iterable[int]) -> dict[int, bool]:
    """Each allele asked once, by callers that never run out (no risk budget here)."""
    todo = sorted(set(wanted))
    found: dict[int, bool] = {}
    connector = aiohttp.TCPConnector(limit=32)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(share: list[int]) -> None:
            for i in share:
                answer = await ask(session, url, table[i])
                assert answer is not None
                found[i] = answer

        shares = [todo[k::32] for k in range(32)]
        await asyncio.gather(*(worker(s) for s in shares))
    return found


def replay(victim: Victim, table: list[Allele], found: dict[int, bool], budget: float) -> int:
    """How many of the victim's queries the node answers before the budget is spent."""
    spent = 0.0
    for n, i in enumerate(victim.alleles):
        if budget and found[i]:
            a = table[i]
            cost = evidence_bits(a.ac, a.an)
            if cost > 0:
                spent += cost
                if spent > budget:
                    return n
    return len(victim.alleles)


async def checked(url: str, victim: Victim, table: list[Allele], number: int) -> int:
    """The victim's attacker as its own caller, asking in order until the node says 429."""
    async with aiohttp.ClientSession() as session:
        for n, i in enumerate(victim.alleles):
            if (
                await ask(session, url, table[i], caller=f"10.1.{number // 250}.{number % 250}")
                is None
            ):
                return n
    return len(victim.alleles)


def statistic(
    victim: Victim, table: list[Allele], found: dict[int, bool], answered: int, people: int
) -> list[float]:
    """The likelihood-ratio statistic after each number of queries in ``QUERIES``."""
    totals, running, steps = [], 0.0, iter(QUERIES)
    goal = next(steps)
    for n, i in enumerate(victim.alleles, start=1):
        if n <= answered:
            f = max(table[i].f_ref, 1 / (4 * people))
            absent_all = (1 - f) ** (2 * people)
            absent_others = (1 - f) ** (2 * people - 2)
            if found[i]:
                running += math.log((1 - DELTA * absent_others) / (1 - absent_all))
            else:
                running += math.log(DELTA * absent_others / absent_all)
        if n == goal:
            totals.append(running)
            goal = next(steps, -1)
    while len(totals) < len(QUERIES):
        totals.append(running)  # fewer alleles than queries: the statistic stays
    return totals


def power(inside: list[list[float]], outside: list[list[float]]) -> list[float]:
    found = []
    for q in range(len(QUERIES)):
        threshold = float(np.quantile([s[q] for s in outside], 0.95))
        found.append(sum(s[q] > threshold for s in inside) / len(inside))
    return found


async def run(args: argparse.Namespace) -> dict[str, Any]:
    vcf, metadata = cohort(args.people, args.length_kb)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        subset, folder, samples = split(vcf, metadata, args.people, tmp)
        inside_ids, outside_ids = samples[: args.people], samples[args.people :]
        victims = [Victim(p, True) for p in rng.sample(inside_ids, args.victims)]
        victims += [Victim(p, False) for p in rng.sample(outside_ids, args.victims)]
        print("reading genotypes ...", file=sys.stderr)
        table = alleles(vcf, samples, args.people, victims)
        carried = [len(v.alleles) for v in victims]
        state = engine.start(tmp / "engine", cache_size="1G")
        try:
            db_name = "privacy"
            print(f"loading {args.people} people ...", file=sys.stderr)
            await load(state.uri, db_name, subset, folder)
            config = policy(tmp)
            found_by_floor: dict[str, dict[int, bool]] = {}
            results: dict[str, Any] = {}
            wanted = [i for v in victims for i in v.alleles]
            for name, env in SCENARIOS.items():
                floor = env["BEACON_RARE_ALLELE_COUNT"]
                budget = float(env["BEACON_RISK_BUDGET"])
                runner, url = await serve(state.uri, db_name, config, env)
                try:
                    if floor not in found_by_floor:
                        print(f"{name}: asking {len(set(wanted)):,} alleles ...", file=sys.stderr)
                        began = time.monotonic()
                        quiet = {**env, "BEACON_RISK_BUDGET": "0"}
                        free_runner, free_url = await serve(state.uri, db_name, config, quiet)
                        try:
                            found_by_floor[floor] = await answers(free_url, table, wanted)
                        finally:
                            await free_runner.cleanup()
                        print(f"  {time.monotonic() - began:.0f} s", file=sys.stderr)
                    found = found_by_floor[floor]
                    answered = [replay(v, table, found, budget) for v in victims]
                    mismatches = 0
                    if budget:
                        for k, victim in enumerate(victims[: args.checked]):
                            node = await checked(url, victim, table, k + len(results) * 1000)
                            mismatches += node != answered[k]
                finally:
                    await runner.cleanup()
                stats = [
                    statistic(v, table, found, n, args.people)
                    for v, n in zip(victims, answered, strict=True)
                ]
                inside = [s for s, v in zip(stats, victims, strict=True) if v.inside]
                outside = [s for s, v in zip(stats, victims, strict=True) if not v.inside]
                results[name] = {
                    "power": dict(zip(map(str, QUERIES), power(inside, outside), strict=True)),
                    "answeredMedian": float(np.median(answered)),
                    "checkedAgainstTheNode": args.checked if budget else 0,
                    "replayMismatches": mismatches,
                }
        finally:
            engine.stop(tmp / "engine")
    exact = [a for a in table if a.ac >= 5]
    return {
        "people": args.people,
        "victims": args.victims,
        "allelesPerVictimMedian": float(np.median(carried)),
        "alleles": len(table),
        "allelesAtOrAboveFloor": len(exact),
        "queries": list(QUERIES),
        "scenarios": results,
        "maxEvidenceBits": MAX_EVIDENCE_BITS,
    }


def report(outcome: dict[str, Any]) -> str:
    head = f"{'policy':14}" + "".join(f"{q:>8}" for q in outcome["queries"]) + "   answered"
    lines = [
        f"{outcome['people']} people in the beacon; {outcome['victims']} victims inside and "
        f"{outcome['victims']} outside; a victim carries {outcome['allelesPerVictimMedian']:.0f} "
        "alleles (median), asked rarest first",
        "",
        "attack power at a 5% false-positive rate, by number of queries:",
        head,
        "-" * len(head),
    ]
    for name, r in outcome["scenarios"].items():
        cells = "".join(f"{r['power'][str(q)]:>8.2f}" for q in outcome["queries"])
        lines.append(f"{name:14}{cells}   {r['answeredMedian']:>8.0f}")
    lines.append("")
    for name, r in outcome["scenarios"].items():
        if r["checkedAgainstTheNode"]:
            lines.append(
                f"{name}: the replay of the budget agreed with the node for "
                f"{r['checkedAgainstTheNode'] - r['replayMismatches']} of "
                f"{r['checkedAgainstTheNode']} attackers asking as their own callers"
            )
    default = outcome["scenarios"]["default"]["power"][str(outcome["queries"][-1])]
    lines.append(
        f"target (default policy, {outcome['queries'][-1]:,} queries, power <= 0.1): "
        f"{'met' if default <= 0.1 else 'MISSED'} ({default:.2f})"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000, help="people in the beacon")
    parser.add_argument("--victims", type=int, default=100, help="victims inside (and outside)")
    parser.add_argument("--length-kb", type=int, default=25_000)
    parser.add_argument("--checked", type=int, default=4, help="victims checked against the node")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    outcome = asyncio.run(run(args))
    outcome["time"] = time.time()
    (RESULTS / "privacy.json").write_text(json.dumps(outcome, indent=2) + "\n")
    print(report(outcome))


if __name__ == "__main__":
    main()
