"""The lean stored variant renders back to exactly the record the whole stored one was.

Before issue 15 a variant document stored its Beacon record whole; now it stores compact typed
fields and the node renders the record (``beacon/node/render.py``). The oracle is the old
builder itself, kept in ``tests/ingest/legacy``: every variant of a real file is loaded the new
way into the engine, read back, rendered, and compared with what the old builder stored for the
same row (its ``_``-prefixed helper fields removed, as the node removed them), key order
included, as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from beacon.node import render
from beacon.store import catalog, documents
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import bff, pipeline
from ingest.report import IngestReport
from ingest.vcf.check import Samples
from ingest.vcf.load import open_checked, run_vcf
from tests import official
from tests.ingest.legacy.build import Builder as LegacyBuilder
from tests.ingest.legacy.documents import Counts, variant_document

VCF = official.DATA / "vcf"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not VCF.is_dir(), reason=f"the shared test data ({VCF}) is not here"),
]
FILES = [
    # ANN + ClinVar, missing genotypes, CNV symbolic alleles, 2,504 samples
    ("cineca_uk1_chr22_5002v.ann_clinvar.vcf.gz", "GRCh37"),
    # SnpEff ANN, super-population frequencies in INFO
    ("test_1000G.norm.ann.vcf.gz", "GRCh37"),
    # multi-allelic rows, not normalised
    ("hapmap_exome_chr22.vcf.gz", "GRCh37"),
    # breakends with mates, DEL/DUP/INS with END/SVLEN, sites only (no GT)
    ("colo829_somatic_manta.vcf", "GRCh37"),
    # VEP CSQ on structural variants
    ("test_trio.SV.vcf.gz", "GRCh37"),
    # chr-prefixed contigs on GRCh38
    ("test_1000G_hg38.vcf.gz", "GRCh38"),
]


def legacy_records(path: Path, dataset_id: str, assembly: str) -> dict[int, dict[str, Any]]:
    """What the old builder stored for each allele of the file, as the node served it."""
    ctx = open_checked(path, assembly, Samples())
    try:
        report = IngestReport(dataset_id, "variants", [])
        builder = LegacyBuilder(dataset_id, assembly, report)
        return {
            doc["_id"]: {k: v for k, v in doc.items() if not k.startswith("_")}
            for out in builder.batches(ctx, ctx.reader.records(), 500)
            for doc in out.variants
        }
    finally:
        ctx.reader.close()


@pytest.mark.parametrize(("name", "assembly"), FILES, ids=[f for f, _ in FILES])
async def test_every_stored_variant_renders_as_the_old_record(
    db: Database, run_options: pipeline.RunOptions, name: str, assembly: str
) -> None:
    path = VCF / name
    dataset_id = "render"
    await run_vcf(db, dataset_id, [path], assembly, run_options)
    entry = await catalog.get(db, dataset_id)
    assert entry is not None
    assert entry.assembly == assembly
    coll = db[str(entry.collection(c.Role.G_VARIANTS))]
    stored = {doc["_id"]: doc async for doc in coll.find({})}
    expected = legacy_records(path, dataset_id, assembly)
    assert stored.keys() == expected.keys()
    for key, doc in stored.items():
        assert not any(k in doc for k in ("variation", "identifiers", "datasetId")), doc
        rendered = render.variant(doc, dataset_id, assembly)
        assert json.dumps(rendered) == json.dumps(expected[key]), doc[c.VARIANT_INTERNAL_ID]


CHECKLIST = Path(__file__).parents[1] / "data" / "checklist"
BFF = [
    (CHECKLIST / "ds1" / "genomicVariations.json", "GRCh38"),
    (CHECKLIST / "ds2" / "genomicVariations.json", "GRCh38"),
    # vcf2bff's output for test_1000G.norm.ann: effects, genes, quality, symbolic alleles
    (official.DATA / "bff" / "test_1000G" / "genomicVariationsVcf.json.gz", "GRCh37"),
]


def legacy_bff_records(path: Path, dataset_id: str, assembly: str) -> dict[int, dict[str, Any]]:
    """What the old builder stored for each record of a genomicVariations file."""
    found: dict[int, dict[str, Any]] = {}
    for i, record in enumerate(bff.read_records(path)):
        allele = bff.variant_allele(record, f"{path}[{i}]")
        groups: dict[str, list[int]] = {"het": [], "hom": [], "hemi": []}
        for call in record.get("caseLevelData") or []:
            groups[bff.zygosity(call)].append(0)
        counts = Counts(**{k: len(v) for k, v in groups.items()})
        doc = variant_document(dataset_id, assembly, allele, counts, bff.annotation(record))
        found.setdefault(doc["_id"], {k: v for k, v in doc.items() if not k.startswith("_")})
    return found


@pytest.mark.parametrize(("path", "assembly"), BFF, ids=[p.parent.name for p, _ in BFF])
async def test_every_bff_variant_renders_as_the_old_record(
    db: Database, run_options: pipeline.RunOptions, path: Path, assembly: str
) -> None:
    await pipeline.run_bff_variants(db, "render", path, assembly, run_options)
    entry = await catalog.get(db, "render")
    assert entry is not None
    coll = db[str(entry.collection(c.Role.G_VARIANTS))]
    stored = {doc["_id"]: doc async for doc in coll.find({})}
    expected = legacy_bff_records(path, "render", assembly)
    assert stored
    assert stored.keys() <= expected.keys()
    for key, doc in stored.items():
        rendered = render.variant(doc, "render", assembly)
        assert json.dumps(rendered) == json.dumps(expected[key]), doc[c.VARIANT_INTERNAL_ID]


@pytest.mark.parametrize(
    "block",
    [
        {"source": "s", "sourceReference": "s", "frequencies": [{"population": "A"}]},
        {
            "source": "s",
            "sourceReference": "r",
            "frequencies": [
                {"population": "A", "alleleFrequency": 0.5, "alleleCountHemizygous": 1},
                {"population": "B", "alleleNumber": 10},
            ],
        },
        # not the canonical shape: kept as given
        {"source": "s", "frequencies": [{"population": "A", "alleleFrequency": 0.1}]},
        {"sourceReference": "s", "source": "s", "frequencies": []},
        {"source": "s", "sourceReference": "s", "frequencies": [{"alleleFrequency": 0.1}]},
        {
            "source": "s",
            "sourceReference": "s",
            "frequencies": [{"population": "A", "alleleCount": 1, "alleleFrequency": 0.1}],
        },
        {"source": "s", "sourceReference": "s", "frequencies": [{"population": "A", "x": 1}]},
        {"source": "s", "sourceReference": "s", "frequencies": [{"population": None}]},
        {"source": "a\tb", "sourceReference": "s", "frequencies": [{"population": "A"}]},
        {"source": "s", "sourceReference": "", "frequencies": [{"population": "A"}]},
        {"source": "s", "sourceReference": "s", "frequencies": [{"population": "A B"}]},
        {"source": "s", "sourceReference": "s", "frequencies": [{"population": ""}]},
        {
            "source": "s t",
            "sourceReference": "s",
            "frequencies": [
                {"population": "A", "alleleFrequency": 1e-07, "alleleCount": 2.0},
                {"population": "B", "alleleFrequency": 1, "alleleNumber": -3},
                {"population": "C", "alleleFrequency": True},
                {"population": "D", "alleleFrequency": "0.1"},
            ],
        },
        {
            "source": "s",
            "sourceReference": "s",
            "frequencies": [{"population": "A", "alleleFrequency": 1e-07, "alleleCount": 2.0}],
        },
    ],
)
def test_a_population_block_is_stored_in_a_form_that_says_it_exactly(
    block: dict[str, Any],
) -> None:
    stored = documents.compact_block(block)
    assert json.dumps(documents.population_block(stored)) == json.dumps(block)
    labels = [str(f.get("population", "")) for f in block["frequencies"]]
    assert documents.population_labels(stored) == labels


@pytest.mark.parametrize(
    "effects",
    [
        [{"id": "SO:0001583", "label": "missense_variant"}, {"id": "SO:1", "label": "x"}],
        [{"label": "missense_variant", "id": "SO:0001583"}],
        [{"id": "SO:0001583"}],
        [],
    ],
)
def test_molecular_effects_are_stored_in_a_form_that_says_them_exactly(
    effects: list[dict[str, Any]],
) -> None:
    stored = documents.compact_effects(effects)
    assert json.dumps(documents.molecular_effects(stored)) == json.dumps(effects)
