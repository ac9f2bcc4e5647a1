"""Synthetic cohorts for the benchmarks, from the project's one simulator (``ingest.simulate``).

A cohort is one simulated country (msprime, seeded) over windows of GRCh38 chr22: a VCF and
its BFF metadata, cached in ``bench-results/`` because simulating many people is slow. The
cache is keyed by the simulator's own source, so a change to the simulator (a field the
schemas now require, say) simulates afresh instead of benchmarking stale records.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ingest import simulate
from ingest.simulate.cohort import Plan, generate

RESULTS = Path(__file__).parents[1] / "bench-results"
ASSEMBLY = "GRCh38"
SEED = 42


@dataclass(frozen=True)
class Cohort:
    vcf: Path
    metadata: Path
    samples: int


def simulator_digest() -> str:
    """A short digest of the simulator's source: the cache key's last part."""
    digest = hashlib.sha256()
    for path in sorted(Path(simulate.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def synthetic(
    samples: int,
    length_kb: int = 1000,
    *,
    country: str = "FI",
    seed: int = SEED,
    prefix: str = "cohort",
) -> Cohort:
    """One country of ``samples`` people over about ``length_kb`` kilobases (cached)."""
    out = RESULTS / f"{prefix}_{samples}x{length_kb}kb_{country}{seed}_{simulator_digest()}"
    manifest = out / "manifest.json"
    if not manifest.exists():
        print(f"simulating {samples} people over {length_kb} kb ...", file=sys.stderr)
        generate(out, Plan((country,), samples, length_kb, seed))
    entry = next(iter(json.loads(manifest.read_text())["files"].values()))
    return Cohort(out / entry["vcf"], out / entry["metadata"], samples)
