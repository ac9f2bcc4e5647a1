"""Re-identification: the Shringarpure & Bustamante membership attack against a node.

A simulated cohort (the project's simulator: one country, msprime) of ``2 x --people``
people: the first half is in the beacon (one dataset, answered yes/no to anonymous callers),
the second half is outside it and is the reference population the attacker knows allele
frequencies from. Every person, inside and outside, is a victim in turn: the attacker holds
their genome and asks the node, one allele at a time, about the alleles they carry, rarest in
the reference first (the most telling), and computes the likelihood-ratio statistic of
Shringarpure & Bustamante (2015) after each number of queries. An outside victim's own
genome is left out of the reference frequencies used against them (the attacker's reference
never holds the person asked about). The attack's power is the share of inside victims whose
statistic beats the 95th percentile of the outside victims' (a 5 % false-positive rate), for:

* ``none``: no defence (a beacon answering every allele);
* ``rare alleles``: alleles carried fewer than ``access.rare_allele_count`` times answered as
  absent;
* ``risk budget``: each 'yes' charged by what it tells, ``access.risk_budget_bits`` a day;
* ``default``: both, as the node ships.

Answers come from the node over HTTP. An answer depends on the allele only, so each allele
is asked once, by a caller without a risk budget, and shared by the victims' attackers. With a
budget each attacker is one caller (its own client address) whose budget runs out by the
answers it got: the replay for every victim uses the node's own cost of each answer, and is
checked against the node itself for ``--checked`` victims, each asking as its own caller until
the node says 429. A budget that runs out sooner for people inside is itself an answer, so
the report also gives the power of the attacker who reads only how many queries were answered.
Prints power against the number of queries, writes bench-results/privacy.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
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
from bench.cohorts import synthetic
from ingest import pipeline
from ingest.vcf.load import run_vcf
from ingest.vcf.read import VcfReader

DATASET = "cohort"
QUERIES = (10, 30, 100, 300, 1000, 3000, 10_000)
DELTA = 1e-6  # the sequencing error rate of the attack's model
SCENARIOS: dict[str, dict[str, str]] = {
    "none": {"BEACON_RARE_ALLELE_COUNT": "0", "BEACON_RISK_BUDGET": "0"},
    "rare alleles": {"BEACON_RISK_BUDGET": "0"},
    "risk budget": {"BEACON_RARE_ALLELE_COUNT": "0"},
    "default": {},
}


@dataclass(frozen=True)
class Genotypes:
    """Every ALT of the cohort (symbolic ones left out) and each person's copies of it."""

    sites: list[tuple[int, str, str]]  # 1-based VCF position on chr22, REF, ALT
    copies: Any  # numpy int8, people x alleles

    def beacon_counts(self, people: int) -> Any:
        """Allele counts inside the beacon (its first ``people`` samples)."""
        return self.copies[:people].sum(axis=0, dtype=np.int64)


@dataclass(frozen=True)
class Victim:
    inside: bool
    queries: Any  # numpy int64: allele indices in the order asked
    f_ref: Any  # numpy float64: their reference frequencies, as the attacker knows them


def cohort(people: int, length_kb: int) -> tuple[Path, Path]:
    made = synthetic(2 * people, length_kb, country="DE", seed=3, prefix="privacy-cohort")
    return made.vcf, made.metadata


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


def genotypes(vcf: Path) -> Genotypes:
    sites: list[tuple[int, str, str]] = []
    rows: list[Any] = []
    with VcfReader(vcf) as reader:
        for record in reader.records():
            if record.gt is None:
                continue
            gt = np.asarray(record.gt)
            for k, alt in enumerate(record.alts, start=1):
                if alt.startswith("<"):
                    continue  # symbolic: not an allele a genome holder would ask about
                sites.append((record.pos, record.ref, alt))
                rows.append((gt == k).sum(axis=1).astype(np.int8))
    return Genotypes(sites, np.ascontiguousarray(np.array(rows).T))


def victims(g: Genotypes, people: int, most: int) -> list[Victim]:
    """Every person of the cohort as a victim: their carried alleles, rarest first."""
    outside = g.copies[people:]
    ref_copies = outside.sum(axis=0, dtype=np.int64)
    found = []
    for person in range(g.copies.shape[0]):
        own = g.copies[person]
        carried = np.nonzero(own)[0]
        inside = person < people
        if inside:
            f = ref_copies[carried] / (2 * len(outside))
        else:  # their own genome is not part of the reference used against them
            f = (ref_copies[carried] - own[carried]) / (2 * (len(outside) - 1))
        order = np.lexsort((carried, f))[:most]
        found.append(Victim(inside, carried[order], f[order]))
    return found


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


def params(site: tuple[int, str, str]) -> dict[str, str]:
    pos, ref, alt = site
    return {
        "referenceName": "22",
        "start": str(pos - 1),
        "referenceBases": ref,
        "alternateBases": alt,
        "requestedGranularity": "boolean",
    }


async def ask(
    session: aiohttp.ClientSession,
    url: str,
    site: tuple[int, str, str],
    caller: str = "10.0.0.1",
) -> bool | None:
    """The node's answer: True, False, or None once the caller's budget is spent (429)."""
    async with session.get(url, params=params(site), headers={"X-Forwarded-For": caller}) as r:
        body = await r.json()
        if r.status == 429:
            return None
        assert r.status == 200, body
        found: bool = body["responseSummary"]["exists"]
        return found


async def answers(url: str, g: Genotypes, wanted: Iterable[int]) -> Any:
    """Each allele asked once, by a caller with no risk budget: a boolean per allele."""
    todo = sorted({int(i) for i in wanted})
    found = np.zeros(len(g.sites), dtype=bool)
    connector = aiohttp.TCPConnector(limit=32)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(share: list[int]) -> None:
            for i in share:
                answer = await ask(session, url, g.sites[i])
                assert answer is not None
                found[i] = answer

        await asyncio.gather(*(worker(todo[k::32]) for k in range(32)))
    return found


def costs(counts: Any, found: Any, an: int, floor: int) -> Any:
    """The node's charge for each allele's answer: a 'yes' costs its evidence."""
    by_count = {int(c): evidence_bits(int(c), an, floor) for c in np.unique(counts[found])}
    charge = np.zeros(len(counts))
    for c, bits in by_count.items():
        charge[found & (counts == c)] = bits
    return charge


def replay(victim: Victim, charge: Any, budget: float) -> int:
    """How many of the victim's queries the node answers before the budget is spent."""
    if not budget:
        return len(victim.queries)
    over = np.nonzero(np.cumsum(charge[victim.queries]) > budget)[0]
    return int(over[0]) if len(over) else len(victim.queries)


async def checked(url: str, victim: Victim, g: Genotypes, number: int) -> int:
    """The victim's attacker as its own caller, asking in order until the node says 429."""
    caller = f"10.1.{number // 250}.{number % 250}"
    async with aiohttp.ClientSession() as session:
        for n, i in enumerate(victim.queries):
            if await ask(session, url, g.sites[int(i)], caller=caller) is None:
                return n
    return len(victim.queries)


def statistic(victim: Victim, found: Any, answered: int, people: int) -> list[float]:
    """The likelihood-ratio statistic after each number of queries in ``QUERIES``."""
    f = np.maximum(victim.f_ref, 1 / (4 * people))
    absent_all = (1 - f) ** (2 * people)
    absent_others = (1 - f) ** (2 * people - 2)
    yes = found[victim.queries]
    with np.errstate(divide="ignore"):  # both branches are computed; a 'no' to a common
        llr = np.where(  # allele is log(0) only where the 'yes' branch is taken
            yes,
            np.log((1 - DELTA * absent_others) / (1 - absent_all)),
            np.log(DELTA * absent_others / absent_all),
        )
    llr[answered:] = 0.0  # refused queries tell the statistic nothing
    running = np.cumsum(llr)
    return [float(running[min(q, len(running)) - 1]) if len(running) else 0.0 for q in QUERIES]


def power(inside: list[list[float]], outside: list[list[float]]) -> list[float]:
    """The share of inside victims above the outside victims' 95th percentile, per column."""
    found = []
    for q in range(len(QUERIES)):
        threshold = float(np.quantile([s[q] for s in outside], 0.95))
        found.append(sum(s[q] > threshold for s in inside) / len(inside))
    return found


def by_group(values: list[list[float]], people: list[Victim]) -> list[float]:
    inside = [v for v, p in zip(values, people, strict=True) if p.inside]
    outside = [v for v, p in zip(values, people, strict=True) if not p.inside]
    return power(inside, outside)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    vcf, metadata = cohort(args.people, args.length_kb)
    defaults = load_settings(None, {}).access
    floor_default = defaults.rare_allele_count
    budget_default = defaults.risk_budget_bits
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        subset, folder, _ = split(vcf, metadata, args.people, tmp)
        print("reading genotypes ...", file=sys.stderr)
        g = genotypes(vcf)
        counts = g.beacon_counts(args.people)
        an = 2 * args.people
        people = victims(g, args.people, max(QUERIES))
        wanted = np.unique(np.concatenate([v.queries for v in people]))
        state = engine.start(tmp / "engine", cache_size="1G")
        try:
            db_name = "privacy"
            print(f"loading {args.people} people ...", file=sys.stderr)
            await load(state.uri, db_name, subset, folder)
            config = policy(tmp)
            found_by_floor: dict[int, Any] = {}
            results: dict[str, Any] = {}
            scenarios = dict(SCENARIOS)
            for floor in args.also_floors:
                scenarios[f"floor {floor}"] = {
                    "BEACON_RARE_ALLELE_COUNT": str(floor),
                    "BEACON_RISK_BUDGET": "0",
                }
            for name, env in scenarios.items():
                settings = load_settings(config, env).access
                floor, budget = settings.rare_allele_count, settings.risk_budget_bits
                runner, url = await serve(state.uri, db_name, config, env)
                try:
                    if floor not in found_by_floor:
                        print(f"{name}: asking {len(wanted):,} alleles ...", file=sys.stderr)
                        began = time.monotonic()
                        quiet = {**env, "BEACON_RISK_BUDGET": "0"}
                        free_runner, free_url = await serve(state.uri, db_name, config, quiet)
                        try:
                            found_by_floor[floor] = await answers(free_url, g, wanted)
                        finally:
                            await free_runner.cleanup()
                        print(f"  {time.monotonic() - began:.0f} s", file=sys.stderr)
                    found = found_by_floor[floor]
                    charge = costs(counts, found, an, floor)
                    answered = [replay(v, charge, budget) for v in people]
                    mismatches = 0
                    if budget:
                        for k in range(args.checked):
                            # alternately an inside and an outside victim
                            who = k // 2 if k % 2 == 0 else args.people + k // 2
                            node = await checked(url, people[who], g, k + len(results) * 1000)
                            mismatches += node != answered[who]
                finally:
                    await runner.cleanup()
                stats = [
                    statistic(v, found, n, args.people)
                    for v, n in zip(people, answered, strict=True)
                ]
                exhausted = [[-float(min(n, q)) for q in QUERIES] for n in answered]
                results[name] = {
                    "rareAlleleCount": floor,
                    "riskBudgetBits": budget,
                    "power": dict(zip(map(str, QUERIES), by_group(stats, people), strict=True)),
                    "powerFromTheBudgetsEnd": (
                        dict(zip(map(str, QUERIES), by_group(exhausted, people), strict=True))
                        if budget
                        else None
                    ),
                    "answeredMedianInside": float(
                        np.median([n for n, v in zip(answered, people, strict=True) if v.inside])
                    ),
                    "checkedAgainstTheNode": args.checked if budget else 0,
                    "replayMismatches": mismatches,
                    "beaconAllelesAnsweredAbsent": float(
                        ((counts > 0) & (counts < max(1, floor))).sum() / max(1, (counts > 0).sum())
                    ),
                }
        finally:
            engine.stop(tmp / "engine")
    return {
        "people": args.people,
        "victims": len(people),
        "queriesPerVictimMedian": float(np.median([len(v.queries) for v in people])),
        "alleles": len(g.sites),
        "queries": list(QUERIES),
        "defaults": {"rareAlleleCount": floor_default, "riskBudgetBits": budget_default},
        "scenarios": results,
        "maxEvidenceBits": MAX_EVIDENCE_BITS,
    }


def report(outcome: dict[str, Any]) -> str:
    queries = outcome["queries"]
    head = f"{'policy':30}" + "".join(f"{q:>7}" for q in queries) + "  answered"
    lines = [
        f"{outcome['people']} people in the beacon and {outcome['people']} outside, each a "
        f"victim in turn; a victim is asked about up to {outcome['queriesPerVictimMedian']:.0f} "
        "alleles (median), rarest first",
        "",
        "attack power at a 5% false-positive rate, by number of queries:",
        head,
        "-" * len(head),
    ]
    for name, r in outcome["scenarios"].items():
        label = f"{name} ({r['rareAlleleCount']}, {r['riskBudgetBits']:g} bits)"
        cells = "".join(f"{r['power'][str(q)]:>7.3f}" for q in queries)
        lines.append(f"{label:30}{cells}  {r['answeredMedianInside']:>8.0f}")
        if r["powerFromTheBudgetsEnd"]:
            cells = "".join(f"{r['powerFromTheBudgetsEnd'][str(q)]:>7.3f}" for q in queries)
            lines.append(f"{'  ... from when it ran out':30}{cells}")
    lines.append("")
    for name, r in outcome["scenarios"].items():
        lines.append(
            f"{name}: {r['beaconAllelesAnsweredAbsent']:.0%} of the beacon's alleles answered "
            "absent to anonymous callers"
        )
        if r["checkedAgainstTheNode"]:
            lines.append(
                f"{name}: the replay of the budget agreed with the node for "
                f"{r['checkedAgainstTheNode'] - r['replayMismatches']} of "
                f"{r['checkedAgainstTheNode']} attackers asking as their own callers"
            )
    default = outcome["scenarios"]["default"]
    last = str(queries[-1])
    worst = max(default["power"][last], (default["powerFromTheBudgetsEnd"] or {}).get(last, 0))
    lines.append(
        f"target (default policy, {queries[-1]:,} queries, power <= 0.1): "
        f"{'met' if worst <= 0.1 else 'MISSED'} ({worst:.3f})"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000, help="people in the beacon")
    parser.add_argument("--length-kb", type=int, default=25_000)
    parser.add_argument("--checked", type=int, default=4, help="victims checked against the node")
    parser.add_argument(
        "--also-floors",
        type=lambda text: [int(x) for x in text.split(",") if x],
        default=[],
        help="other rare-allele floors to measure alone, e.g. 5,10",
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    outcome = asyncio.run(run(args))
    outcome["time"] = time.time()
    (RESULTS / "privacy.json").write_text(json.dumps(outcome, indent=2) + "\n")
    print(report(outcome))


if __name__ == "__main__":
    main()
