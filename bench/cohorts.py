"""Synthetic cohorts for the benchmarks, from the project's one simulator (``ingest.simulate``).

A cohort is one simulated country (msprime, seeded) over windows of GRCh38 chr22: a VCF and
its BFF metadata, cached in ``bench-results/`` because simulating many people is slow.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ingest.simulate.cohort import Plan, generate

RESULTS = Path(__file__).parents[1] / "bench-results"
ASSEMBLY = "GRCh38"
SEED = 42


@dataclass(frozen=True)
class Cohort:
    vcf: Path
    metadata: Path
    samples: int


def synthetic(samples: int, length_kb: int = 1000) -> Cohort:
    """One country of ``samples`` people over about ``length_kb`` kilobases (cached)."""
    out = RESULTS / f"cohort_{samples}x{length_kb}kb"
    manifest = out / "manifest.json"
    if not manifest.exists():
        print(f"simulating {samples} people over {length_kb} kb ...", file=sys.stderr)
        generate(out, Plan(("FI",), samples, length_kb, SEED))
    entry = next(iter(json.loads(manifest.read_text())["files"].values()))
    return Cohort(out / entry["vcf"], out / entry["metadata"], samples)
