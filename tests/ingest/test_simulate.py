"""The synthetic cohorts: reproducible, internally consistent, loadable, and free of surprises.

Small sizes (tens of people, the minimum background), so each generation takes about a second.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest import ontology
from ingest.errors import PlanError
from ingest.schemas import problems
from ingest.simulate import cohort as sim
from ingest.simulate import people as sp
from ingest.vcf.read import VcfReader

PLAN = sim.Plan(("FI", "DE", "ES"), samples=24, length_kb=100, seed=3, controlled=("ES",))
#: dataset id -> (country, individuals)
DATASETS = {
    "synthetic-fi": ("FI", 24),
    "synthetic-de": ("DE", 24),
    "synthetic-es": ("ES", 16),
    "synthetic-es-controlled": ("ES", 8),
}


def vcf(folder: Path, dataset: str) -> Path:
    return folder / dataset / f"{dataset}.vcf.gz"


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cohorts")
    sim.generate(out, PLAN)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rows(path: Path, keys: tuple[str, ...]) -> list[Any]:
    with VcfReader(path, info_keys=keys) as reader:
        return list(reader.records())


def _keys(code: str) -> tuple[str, ...]:
    groups = (code, f"{code}_M", f"{code}_F")
    per_group = [f"{k}_{g}" for g in groups for k in ("AC", "AN", "AF")]
    return ("ANN", "SVTYPE", "END", "SVLEN", *per_group, *(f"nhomalt_{g}" for g in groups))


def test_the_same_arguments_write_the_same_files(cohorts: Path, tmp_path: Path) -> None:
    sim.generate(tmp_path / "again", PLAN)
    assert _digest(tmp_path / "again") == _digest(cohorts)
    sim.generate(tmp_path / "other", sim.Plan(PLAN.countries, 24, 100, seed=4))
    other = _digest(tmp_path / "other")
    name = "synthetic-fi/synthetic-fi.vcf.gz"
    assert other[name] != _digest(cohorts)[name]


def test_manifest_lists_what_was_written(cohorts: Path) -> None:
    manifest = json.loads((cohorts / "manifest.json").read_text())
    assert manifest["plan"]["seed"] == 3
    assert set(manifest["files"]) == set(DATASETS)
    for dataset, (code, individuals) in DATASETS.items():
        entry = manifest["files"][dataset]
        assert entry["country"] == code
        assert entry["controlled"] == dataset.endswith("-controlled")
        assert entry["individuals"] == individuals
        assert entry["variants"] == len(_rows(cohorts / entry["vcf"], ()))
        assert entry["variants"] > 300
    for path in manifest["ontologies"]:
        assert (cohorts / path).is_file()


@pytest.mark.parametrize("dataset", DATASETS)
def test_vcf_counts_agree_with_the_genotypes(cohorts: Path, dataset: str) -> None:
    code, individuals = DATASETS[dataset]
    rows = _rows(vcf(cohorts, dataset), _keys(code))
    people = json.loads((cohorts / dataset / "individuals.json").read_text())
    female = np.array([p["sex"]["id"] == sp.FEMALE["id"] for p in people])
    assert [r.pos for r in rows] == sorted(r.pos for r in rows)
    assert {r.chrom for r in rows} == {"chr22"}
    for row in rows:
        gt = row.gt
        assert gt is not None
        assert gt.shape == (individuals, 2)
        for k, _ in enumerate(row.alts, start=1):

            def count(mask: Any, k: int = k, gt: Any = gt) -> int:
                return int(np.count_nonzero(gt[mask] == k))

            for label, mask in ((code, slice(None)), (f"{code}_F", female), (f"{code}_M", ~female)):
                ac = row.info[f"AC_{label}"]
                value = ac[k - 1] if isinstance(ac, tuple) else ac
                assert value == count(mask), (row.pos, label)
            assert count(slice(None)) > 0, "an allele nobody carries is never written"
        assert row.info[f"AN_{code}_F"] == 2 * int(female.sum())


def test_every_country_has_the_readme_variant(cohorts: Path) -> None:
    for dataset in ("synthetic-fi", "synthetic-de", "synthetic-es"):
        rows = _rows(vcf(cohorts, dataset), ())
        assert [(r.ref, r.alts) for r in rows if r.pos == sim.ANCHOR[0]] == [("A", ["G"])]


def test_genes_and_structural_variants_are_annotated(cohorts: Path) -> None:
    genes: dict[str, int] = {}
    svs = []
    for dataset, (code, _) in DATASETS.items():
        for row in _rows(vcf(cohorts, dataset), _keys(code)):
            entries = [e.split("|") for e in str(row.info.get("ANN", "")).split(",") if e]
            assert len(entries) == len(row.alts), row.pos
            for alt, entry in zip(row.alts, entries, strict=True):
                assert entry[0] == alt
                if entry[3]:
                    genes[entry[3]] = genes.get(entry[3], 0) + 1
                    gene = next(g for g in sim.GENES if g.symbol == entry[3])
                    assert gene.start - sim.FLANK <= row.pos <= gene.end + sim.FLANK
            if row.alts[0].startswith("<"):
                svs.append(row)
    assert set(genes) == {g.symbol for g in sim.GENES}
    assert svs, "the cohorts carry structural variants"
    for row in svs:
        assert row.alts[0] in ("<DEL>", "<DUP>")
        assert row.info["SVTYPE"] == row.alts[0][1:-1]
        assert row.info["END"] - row.pos == abs(row.info["SVLEN"]) > 0


def test_metadata_is_valid_and_matches_the_vcf(cohorts: Path) -> None:
    seen: set[str] = set()
    for dataset, (code, _) in DATASETS.items():
        folder = cohorts / dataset
        files = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
        assert [d["id"] for d in files["datasets"]] == [dataset]
        for entity, records in files.items():
            for record in records:
                assert not list(problems(entity, record)), (entity, record["id"])
        with VcfReader(vcf(cohorts, dataset)) as reader:
            samples = reader.header.samples
        assert samples == [b["id"] for b in files["biosamples"]]
        assert [b["individualId"] for b in files["biosamples"]] == [
            i["id"] for i in files["individuals"]
        ]
        origin = {i["geographicOrigin"]["id"] for i in files["individuals"]}
        assert origin == {sim.COUNTRIES[code].gaz}
        ids = {i["id"] for i in files["individuals"]}
        assert not ids & seen, "a person belongs to one dataset"
        seen |= ids


def test_terms_come_from_the_ontology_slices(cohorts: Path) -> None:
    read = {path.name: ontology.read(path) for path in (cohorts / "ontologies").glob("*.obo")}
    known = {t["_id"]: t for o in read.values() for t in o.terms}
    assert {o.prefix for o in read.values()} == {"HP", "ICD10", "NCIT"}
    assert "HP:0001626" in known["HP:0000822"]["ancestors"]  # hypertension: cardiovascular
    assert "ICD10:I00-I99" in known["ICD10:I21"]["ancestors"]
    used: set[str] = set()
    for dataset in DATASETS:
        for person in json.loads((cohorts / dataset / "individuals.json").read_text()):
            used.add(person["sex"]["id"])
            used.update(d["diseaseCode"]["id"] for d in person.get("diseases", []))
            used.update(f["featureType"]["id"] for f in person.get("phenotypicFeatures", []))
    assert used <= set(known)
    assert any(u.startswith("ICD10:") for u in used)
    assert any(u.startswith("HP:") for u in used)


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (sim.Plan(("FI", "XX"), 5, 100, 1), "unknown country XX"),
        (sim.Plan(("FI", "FI"), 5, 100, 1), "each country once"),
        (sim.Plan(("FI",), 5, 100, 1, controlled=("DE",)), "needs its country"),
    ],
)
def test_bad_plans_are_refused(tmp_path: Path, plan: sim.Plan, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        sim.generate(tmp_path, plan)
