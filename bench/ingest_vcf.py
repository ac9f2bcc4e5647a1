"""VCF ingest throughput beside ``bcftools view`` decoding the same file, in the same run.

For each file: ``bcftools view FILE > /dev/null`` (best of three), the ingester's stages alone
(cyvcf2 decoding; decoding plus building documents, no database) and the whole load
(``run_vcf`` into a fresh database of the embedded engine, or ``MONGODB_URI``), then the stored
size per variant: variant documents, their indexes, and the sample-first index.

The floor of a load, measured in the same run: cyvcf2 decoding (genotypes included) plus a
plain ``insert_many`` of the very documents the load writes (built beforehand, untimed) into
scratch collections of the same engine, without indexes. A load can approach it but not beat
it; ``x floor`` says how close it comes.

Files: the 1000 Genomes chr22 slice (190k rows x 99 samples) and the CINECA slice (5,002 rows x
2,504 samples) from ../shared/data, plus a synthetic cohort from the project's simulator (20,000
people by default; cached in bench-results/). Prints a table and writes
bench-results/ingest.json. Not a test: absolute times vary with the machine and its load, the
ratio to bcftools is what we compare (target: within 4x).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from beacon.config import IngestSettings
from beacon.protocol import genome
from beacon.store import catalog, engine
from beacon.store import client as store_client
from beacon.store import collections as c
from bench.cohorts import ASSEMBLY, RESULTS, synthetic
from ingest.pipeline import RunOptions
from ingest.report import IngestReport
from ingest.samples import SampleIndex
from ingest.vcf.build import Builder
from ingest.vcf.check import Samples
from ingest.vcf.load import no_cyclic_gc, open_checked, run_vcf

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "vcf"
REAL = ["1kg_phase3_chr22_99samples.vcf.gz", "cineca_uk1_chr22_5002v.ann_clinvar.vcf.gz"]


def bcftools_view(path: Path, runs: int = 3) -> float | None:
    """Best wall time of ``bcftools view`` decoding the file to VCF text (None: no bcftools)."""
    binary = shutil.which("bcftools")
    if binary is None:
        return None
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([binary, "view", str(path)], stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - began)
    return best


def stages(path: Path, assembly: str) -> dict[str, float]:
    """Seconds to decode with cyvcf2 alone, and to decode and build every document."""
    samples = Samples()
    ctx = open_checked(path, assembly, samples)
    began = time.perf_counter()
    for _ in ctx.reader.records():
        pass
    decode = time.perf_counter() - began
    ctx.reader.close()
    ctx = open_checked(path, assembly, Samples())
    index = SampleIndex("bench", len(samples.biosamples))
    builder = Builder("bench", assembly, IngestReport("bench", "variants", []), index)
    began = time.perf_counter()
    with no_cyclic_gc():  # as run_vcf does
        for _ in builder.batches(ctx, ctx.reader.records(), 2000):
            pass
        index.drain()
    build = time.perf_counter() - began
    ctx.reader.close()
    return {"decodeSeconds": decode, "buildSeconds": build}


async def insert_floor(uri: str, path: Path, assembly: str, rows: int = 2000) -> float:
    """Seconds of plain ``insert_many`` calls writing the load's documents (variants, carrier
    chunks, sample-first runs), batch by batch as the load does, into scratch collections
    without indexes; building the documents is not timed."""
    ctx = open_checked(path, assembly, Samples())
    index = SampleIndex("bench", len(ctx.reader.header.samples), budget=2_000_000)
    builder = Builder("bench", assembly, IngestReport("bench", "variants", []), index)
    client = store_client.connect(uri)
    spent = 0.0
    try:
        db = client["bench_floor"]
        await client.drop_database(db.name)

        async def write(role: c.Role, docs: list[dict[str, Any]]) -> None:
            nonlocal spent
            for at in range(0, len(docs), rows):
                part = docs[at : at + rows]
                began = time.perf_counter()
                await db[f"floor.{role.value}"].insert_many(part, ordered=False)
                spent += time.perf_counter() - began

        with no_cyclic_gc():
            for out in builder.batches(ctx, ctx.reader.records(), rows):
                await write(c.Role.G_VARIANTS, out.variants)
                await write(c.Role.CARRIERS, out.carriers)
                await write(c.Role.SAMPLE_VARIANTS, out.runs)
            await write(c.Role.SAMPLE_VARIANTS, index.drain())
        await client.drop_database(db.name)
    finally:
        ctx.reader.close()
        await client.close()
    return spent


async def sizes(db: Any, dataset: str) -> dict[str, Any]:
    """Stored bytes of the dataset's variant load, per variant document."""
    entry = await catalog.get(db, dataset)
    assert entry is not None
    variants = max(1, entry.count(c.Role.G_VARIANTS))
    out: dict[str, Any] = {"variants": variants}
    for role in (c.Role.G_VARIANTS, c.Role.SAMPLE_VARIANTS, c.Role.SAMPLES):
        stats = await db.command("collStats", entry.collection(role))
        out[role.value] = {
            "documents": int(stats.get("count", 0)),
            "dataBytesPerVariant": round(stats.get("size", 0) / variants, 1),
            "storageBytesPerVariant": round(stats.get("storageSize", 0) / variants, 1),
            "indexBytesPerVariant": round(stats.get("totalIndexSize", 0) / variants, 1),
        }
    return out


async def ingest(
    uri: str, path: Path, dataset: str, assembly: str
) -> tuple[IngestReport, dict[str, Any]]:
    client = store_client.connect(uri)
    try:
        db = client[f"bench_{dataset}"]
        await client.drop_database(db.name)
        options = RunOptions(IngestSettings(batch_size=2000, swap_grace_s=0.0))
        report = await run_vcf(db, dataset, [path], assembly, options)
        stored = await sizes(db, dataset)
        await client.drop_database(db.name)
        return report, stored
    finally:
        await client.close()


def measure(uri: str, path: Path, name: str, assembly: str) -> dict[str, Any]:
    print(f"{name}: bcftools view ...", file=sys.stderr)
    view = bcftools_view(path)
    print(f"{name}: stages ...", file=sys.stderr)
    parts = stages(path, assembly)
    print(f"{name}: floor (plain insert_many of the same documents) ...", file=sys.stderr)
    inserts = asyncio.run(insert_floor(uri, path, assembly))
    floor = parts["decodeSeconds"] + inserts
    print(f"{name}: ingest ...", file=sys.stderr)
    dataset = "".join(ch if ch.isalnum() else "_" for ch in name)[:60]
    report, stored = asyncio.run(ingest(uri, path, dataset, assembly))
    return {
        "file": name,
        "rows": report.records_read,
        "alleles": report.alleles_written,
        "samples": report.samples,
        "bcftoolsViewSeconds": view,
        **parts,
        "ingestSeconds": report.elapsed_s,
        "rowsPerSecond": report.records_read / report.elapsed_s,
        "ratioToBcftools": report.elapsed_s / view if view else None,
        "floorInsertSeconds": inserts,
        "floorSeconds": floor,
        "ratioToFloor": report.elapsed_s / floor,
        "stored": stored,
        # the process's peak so far (decoding, building and loading run one after another)
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'file':44} {'rows':>8} {'samples':>7} {'bcftools s':>10} {'decode s':>8} "
        f"{'build s':>8} {'floor s':>8} {'ingest s':>8} {'rows/s':>8} {'x bcftools':>10} "
        f"{'x floor':>7} "
        f"{'doc B/v':>8} {'idx B/v':>8} {'carr B/v':>8} {'RSS MB':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        view = f"{r['bcftoolsViewSeconds']:.2f}" if r["bcftoolsViewSeconds"] else "-"
        ratio = f"{r['ratioToBcftools']:.1f}" if r["ratioToBcftools"] else "-"
        g, sv = r["stored"]["g_variants"], r["stored"]["sample_variants"]
        carriers = sv["dataBytesPerVariant"] + sv["indexBytesPerVariant"]
        lines.append(
            f"{r['file'][:44]:44} {r['rows']:>8} {r['samples']:>7} {view:>10} "
            f"{r['decodeSeconds']:>8.2f} {r['buildSeconds']:>8.2f} {r['floorSeconds']:>8.2f} "
            f"{r['ingestSeconds']:>8.2f} {r['rowsPerSecond']:>8.0f} {ratio:>10} "
            f"{r['ratioToFloor']:>7.2f} {g['dataBytesPerVariant']:>8.0f} "
            f"{g['indexBytesPerVariant']:>8.0f} {carriers:>8.0f} {r['peakRssMB']:>7}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale-samples", type=int, default=20_000)
    parser.add_argument("--scale-length-kb", type=int, default=1000, help="simulated kb")
    parser.add_argument("--no-scale", action="store_true", help="skip the synthetic cohort")
    parser.add_argument("--only", default="", help="measure only files whose name has this")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    files = [(SHARED / n, n, genome.GRCH37) for n in REAL if (SHARED / n).exists()]
    if not files:
        print(f"note: {SHARED} is absent; only the synthetic cohort is measured", file=sys.stderr)
    if not args.no_scale:
        cohort = synthetic(args.scale_samples, args.scale_length_kb)
        files.append((cohort.vcf, f"synthetic {cohort.samples} people", ASSEMBLY))
    files = [f for f in files if args.only in f[1]]
    given = os.environ.get("MONGODB_URI")
    with tempfile.TemporaryDirectory() as scratch:
        uri = given or engine.start(scratch, cache_size="1G").uri
        try:
            rows = [measure(uri, path, name, assembly) for path, name, assembly in files]
        finally:
            if not given:
                engine.stop(scratch)
    print(table(rows))
    print(
        "floor = cyvcf2 decode + plain insert_many of the same documents (no indexes); "
        "B/v = bytes per stored variant: doc = variant documents (BSON), idx = their indexes, "
        "carr = the sample-first index (data + index)."
    )
    out = RESULTS / "ingest.json"
    out.write_text(json.dumps({"time": time.time(), "results": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
