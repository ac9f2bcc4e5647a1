"""Synthetic country cohorts for demos and tests: genomes simulated with msprime, plus metadata.

One coalescent simulation (msprime, seeded) of several European populations that split from a
common ancestral population ``SPLIT_GENERATIONS`` ago and still exchange a few migrants, over
windows of GRCh38 chromosome 22: a stretch of background sequence and a handful of real genes
at their approximate coordinates, with free recombination between windows. Allele frequencies,
their differences between countries and the linkage within a window are therefore those of a
population-genetic model, not of independent coin flips.

Each country gets one VCF of the sites polymorphic among its individuals, with per-population
INFO frequencies (``AF_FI``, ``AF_FI_M``, ``AF_FI_F`` ...: the labels the GDI portal parses),
SnpEff-style ``ANN`` gene annotations, and a few structural variants (``<DEL>``, ``<DUP>``)
that take over the genealogy of a rare simulated site. The README's example variant
(chr22:16050075 A>G) is the common background site the window is placed on, so the example
queries answer in every country. Metadata and the ontology slices come from
``people.py``. Every draw comes from the seed: the same arguments write the same files.
No real person's data is involved.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import msprime
import numpy as np
import tskit

from ingest.errors import PlanError
from ingest.simulate import people as sp
from ingest.simulate.vcf import RowWriter, Site, header

SPLIT_GENERATIONS = 600
ANCESTRAL_SIZE = 10_000
MIGRATION = 1e-4
RECOMBINATION = 1e-8
MUTATION = 1.25e-8
FLANK = 5_000
#: Background sequence is placed in this stretch, which holds none of the genes below.
BACKGROUND = (15_950_000, 19_700_000)
#: Further gene-free stretches of chr22, used in order when more background is asked for
#: than the first holds (the privacy benchmark needs tens of megabases).
MORE_BACKGROUND = (
    (20_000_000, 28_600_000),
    (28_800_000, 29_550_000),
    (29_750_000, 36_200_000),
    (36_450_000, 42_050_000),
    (42_200_000, 43_850_000),
    (44_000_000, 50_700_000),
)
ANCHOR = (16_050_075, "A", "G")
ANCHOR_SPAN = 100_000  # the anchor site is looked for in the first bases of the background
MIN_BACKGROUND = 120_000


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2: also the population label
    name: str
    gaz: str  # Gazetteer term of the country
    size: int  # effective population size since the split


COUNTRIES = {
    c.code: c
    for c in (
        Country("FI", "Finland", "GAZ:00002937", 3_000),  # the Finnish bottleneck
        Country("DE", "Germany", "GAZ:00002646", 9_000),
        Country("ES", "Spain", "GAZ:00003936", 8_000),
        Country("SE", "Sweden", "GAZ:00002729", 6_000),
        Country("NL", "Netherlands", "GAZ:00002946", 7_000),
        Country("PT", "Portugal", "GAZ:00004126", 6_000),
        Country("PL", "Poland", "GAZ:00002939", 8_000),
    )
}


@dataclass(frozen=True)
class Gene:
    symbol: str
    start: int  # GRCh38, 1-based, approximate
    end: int
    protein_length: int


GENES = (
    Gene("TBX1", 19_756_703, 19_783_593, 398),
    Gene("COMT", 19_941_740, 19_969_975, 271),
    Gene("CHEK2", 28_687_743, 28_742_422, 543),
    Gene("NF2", 29_603_556, 29_698_600, 595),
    Gene("APOL1", 36_253_071, 36_267_530, 398),
    Gene("MYH9", 36_281_280, 36_388_018, 1960),
    Gene("CYP2D6", 42_126_499, 42_130_881, 497),
    Gene("PNPLA3", 43_923_739, 43_947_582, 481),
)


@dataclass(frozen=True)
class Window:
    start: int  # chr22 position (1-based) of the window's first simulated base
    length: int
    gene: Gene | None = None


def windows(length_bp: int) -> list[Window]:
    """Gene windows (each gene and its flanks) plus background up to ``length_bp`` in all
    (the first background window always; more from ``MORE_BACKGROUND`` if asked for)."""
    genes = [Window(g.start - FLANK, g.end - g.start + 1 + 2 * FLANK, g) for g in GENES]
    room = BACKGROUND[1] - BACKGROUND[0] - ANCHOR_SPAN
    wanted = max(length_bp - sum(w.length for w in genes), MIN_BACKGROUND)
    background = min(wanted, room)
    layout = [Window(BACKGROUND[0], background), *genes]
    left = wanted - background
    for start, end in MORE_BACKGROUND:
        if left <= 0:
            break
        length = min(left, end - start)
        layout.append(Window(start, length))
        left -= length
    return layout


@dataclass(frozen=True)
class Plan:
    """What to simulate: the arguments that fully determine the output."""

    countries: tuple[str, ...]
    samples: int  # individuals per country
    length_kb: int
    seed: int
    #: Countries whose people are split: a third form a controlled-access clinical cohort.
    controlled: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cohort:
    """One dataset of the simulation: a country's people, or a part of them."""

    code: str
    dataset_id: str
    persons: list[sp.Person]
    controlled: bool = False

    @property
    def folder(self) -> str:
        return self.dataset_id

    @property
    def vcf(self) -> str:
        return f"{self.folder}/{self.dataset_id}.vcf.gz"


def cohorts(plan: Plan, rng: np.random.Generator) -> list[Cohort]:
    """The datasets of ``plan``: ``synthetic-fi``..., and ``synthetic-es-controlled``."""
    found = []
    for code in plan.countries:
        persons = sp.people(code, plan.samples, rng)
        dataset = f"synthetic-{code.lower()}"
        if code in plan.controlled and len(persons) > 1:
            cut = len(persons) - max(1, len(persons) // 3)
            found.append(Cohort(code, dataset, persons[:cut]))
            found.append(Cohort(code, f"{dataset}-controlled", persons[cut:], controlled=True))
        else:
            found.append(Cohort(code, dataset, persons))
    return found


def _seeds(seed: int, n: int) -> list[int]:
    state = np.random.SeedSequence(seed).generate_state(n)
    return [int(s) % (2**31 - 2) + 1 for s in state]


def simulate(plan: Plan, layout: list[Window]) -> tskit.TreeSequence:
    """The genealogies and mutations of every country's individuals (diploid)."""
    demography = msprime.Demography()
    demography.add_population(name="EUR", initial_size=ANCESTRAL_SIZE)
    for code in plan.countries:
        demography.add_population(name=code, initial_size=COUNTRIES[code].size)
    demography.add_population_split(
        time=SPLIT_GENERATIONS, derived=list(plan.countries), ancestral="EUR"
    )
    if len(plan.countries) > 1:
        demography.set_symmetric_migration_rate(list(plan.countries), MIGRATION)
    # Windows are unlinked: a recombination rate of 1/2 over the base at each junction.
    ends = np.cumsum([w.length for w in layout]).tolist()
    positions, rates = [0.0], []
    for end in ends[:-1]:
        positions += [end, end + 1]
        rates += [RECOMBINATION, 0.5]
    positions.append(ends[-1])
    rates.append(RECOMBINATION)
    ancestry_seed, mutation_seed = _seeds(plan.seed, 2)
    ts = msprime.sim_ancestry(
        samples=dict.fromkeys(plan.countries, plan.samples),
        demography=demography,
        recombination_rate=msprime.RateMap(position=positions, rate=rates),
        random_seed=ancestry_seed,
    )
    return msprime.sim_mutations(ts, rate=MUTATION, random_seed=mutation_seed)


def _pooled_frequency(genotypes: np.ndarray[Any, Any]) -> float:
    return float(np.count_nonzero(genotypes)) / genotypes.size


def sites(ts: tskit.TreeSequence, layout: list[Window], rng: np.random.Generator) -> list[Site]:
    """Every simulated site placed on chr22, with its annotation and structural-variant role."""
    offsets = np.cumsum([0] + [w.length for w in layout]).tolist()
    raw = []
    for variant in ts.variants():
        x = int(variant.site.position)
        w = int(np.searchsorted(offsets, x, side="right")) - 1
        alleles = [str(a) for a in variant.alleles]
        raw.append((w, x - offsets[w], alleles, _pooled_frequency(variant.genotypes)))
    # Place the background so that a common site lands on the README's example variant.
    layout = list(layout)
    anchor = _anchor(raw)
    if anchor is not None:
        shift = ANCHOR[0] - (layout[0].start + raw[anchor][1])
        layout[0] = replace(layout[0], start=layout[0].start + shift)
    placed = []
    for i, (w, rel, alleles, freq) in enumerate(raw):
        window = layout[w]
        if i == anchor:
            alleles = [ANCHOR[1], ANCHOR[2]]
        placed.append(Site(i, window.start + rel, alleles[0], alleles[1:], window.gene, freq))
    _structural(placed, rng)
    for site in placed:
        site.annotate(rng)
    return placed


def _anchor(raw: list[tuple[int, int, list[str], float]]) -> int | None:
    """The biallelic background site nearest a 15% frequency, early in the window."""
    best, best_gap = None, math.inf
    for i, (w, rel, alleles, freq) in enumerate(raw):
        if w != 0 or rel >= ANCHOR_SPAN or len(alleles) != 2:
            continue
        gap = abs(freq - 0.15)
        if gap < best_gap:
            best, best_gap = i, gap
    return best


def _structural(placed: list[Site], rng: np.random.Generator) -> None:
    """Turn a few rare biallelic sites into deletions and duplications of 300 bp to 20 kb."""
    candidates = [s for s in placed if len(s.alts) == 1 and 0 < s.frequency <= 0.1]
    candidates = [s for s in candidates if (s.pos, s.ref) != ANCHOR[:2]]
    if not candidates:
        return
    wanted = min(len(candidates), max(4, len(placed) // 600))
    chosen = rng.choice(len(candidates), size=wanted, replace=False)
    for k in sorted(chosen.tolist()):
        site = candidates[k]
        kind = "DEL" if rng.random() < 0.7 else "DUP"
        site.sv = (kind, int(math.exp(rng.uniform(math.log(300), math.log(20_000)))))
    # The CYP2D6*5 pattern: one whole-gene deletion, when a rare upstream site allows it.
    cyp = next(g for g in GENES if g.symbol == "CYP2D6")
    upstream = [s for s in candidates if s.gene is cyp and s.pos < cyp.start and s.sv is None]
    if upstream:
        site = upstream[int(rng.integers(len(upstream)))]
        site.sv = ("DEL", cyp.end + 500 - site.pos)


@dataclass(frozen=True)
class Manifest:
    """What was written, and with which arguments: ``manifest.json`` beside the files."""

    plan: dict[str, Any]
    sites: int
    files: dict[str, dict[str, Any]]  # dataset id -> country, VCF, metadata folder, counts
    ontologies: list[str]

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")


def generate(out: Path, plan: Plan) -> Manifest:
    """Simulate and write every dataset's VCF and metadata, and the ontology slices."""
    unknown = [c for c in (*plan.countries, *plan.controlled) if c not in COUNTRIES]
    if unknown:
        raise PlanError(f"unknown country {unknown[0]}; known: {', '.join(COUNTRIES)}")
    if len(set(plan.countries)) != len(plan.countries) or plan.samples < 1:
        raise PlanError("give each country once and at least one sample")
    if not set(plan.controlled) <= set(plan.countries):
        raise PlanError("a controlled cohort needs its country among the countries")
    layout = windows(plan.length_kb * 1000)
    people_seed, site_seed = _seeds(plan.seed + 7, 2)
    people_rng = np.random.default_rng(people_seed)
    ts = simulate(plan, layout)
    placed = sites(ts, layout, np.random.default_rng(site_seed))
    out.mkdir(parents=True, exist_ok=True)
    (out / "ontologies").mkdir(exist_ok=True)
    ontologies = []
    for filename, (name, terms) in sp.ONTOLOGIES.items():
        (out / "ontologies" / filename).write_text(sp.obo(name, terms, "beacon-gdi-demo"))
        ontologies.append(f"ontologies/{filename}")
    pipeline = f"beacon-gdi simulate (msprime {msprime.__version__}, seed {plan.seed})"
    datasets = cohorts(plan, people_rng)
    files: dict[str, dict[str, Any]] = {}
    for cohort in datasets:
        country = COUNTRIES[cohort.code]
        folder = out / cohort.folder
        folder.mkdir(exist_ok=True)
        records = sp.metadata(
            cohort.code,
            country.name,
            {"id": country.gaz, "label": country.name},
            cohort.dataset_id,
            cohort.persons,
            people_rng,
            pipeline,
            controlled=cohort.controlled,
        )
        for entity, items in records.items():
            (folder / f"{entity}.json").write_text(json.dumps(items, indent=1) + "\n")
        files[cohort.dataset_id] = {
            "country": cohort.code,
            "controlled": cohort.controlled,
            "metadata": cohort.folder,
            "vcf": cohort.vcf,
            "individuals": len(cohort.persons),
        }
    rows = _write_vcfs(out, ts, placed, plan.seed, datasets)
    for dataset_id, count in rows.items():
        files[dataset_id]["variants"] = count
    manifest = Manifest(asdict(plan), len(placed), files, ontologies)
    manifest.dump(out / "manifest.json")
    return manifest


def _haplotypes(ts: tskit.TreeSequence, code: str) -> tuple[np.ndarray[Any, Any], ...]:
    """Indices (into a variant's genotypes) of the two haplotypes of each of a country's people."""
    population = next(p.id for p in ts.populations() if p.metadata["name"] == code)
    samples = ts.samples()
    nodes = np.array([ind.nodes for ind in ts.individuals() if ind.population == population])
    index = np.searchsorted(samples, nodes)
    return index[:, 0], index[:, 1]


def _gzip_text(path: Path, stack: contextlib.ExitStack) -> io.TextIOWrapper:
    """A gzip text file without a timestamp or name in its header: reproducible bytes."""
    raw = stack.enter_context(path.open("wb"))
    packed = stack.enter_context(gzip.GzipFile("", "wb", compresslevel=3, fileobj=raw, mtime=0))
    return io.TextIOWrapper(packed, encoding="ascii", newline="\n")


def _write_vcfs(
    out: Path, ts: tskit.TreeSequence, placed: list[Site], seed: int, datasets: list[Cohort]
) -> dict[str, int]:
    writers: dict[str, RowWriter] = {}
    with contextlib.ExitStack() as stack:
        haplotypes = {code: _haplotypes(ts, code) for code in {c.code for c in datasets}}
        taken: dict[str, int] = {}
        for cohort in datasets:
            # A country's people take its simulated individuals in order, dataset by dataset.
            first = taken.get(cohort.code, 0)
            taken[cohort.code] = last = first + len(cohort.persons)
            a, b = (h[first:last] for h in haplotypes[cohort.code])
            female = np.array([p.female for p in cohort.persons], dtype=bool)
            handle = stack.enter_context(_gzip_text(out / cohort.vcf, stack))
            writer = RowWriter(handle, cohort.code, a, b, female)
            handle.write(header(writer.groups, [p.biosample for p in cohort.persons], seed))
            writers[cohort.dataset_id] = writer
        for site, variant in zip(placed, ts.variants(), strict=True):
            for writer in writers.values():
                writer.write(site, variant.genotypes)
    return {dataset_id: w.rows for dataset_id, w in writers.items()}
