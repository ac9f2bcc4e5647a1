"""Samples of a dataset's variants link to individuals whichever load comes first.

The samples table of a variants load names biosamples; the individual of each is the one a
``--sample-map`` names, else the one the dataset's *current* biosamples name, looked up when
the node reads the table. So loading the metadata after the VCF, or reloading it with other
links, changes who carries what on ``/individuals`` without reloading the variants.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from beacon.store.client import Database
from ingest import pipeline
from ingest.vcf.load import run_vcf
from tests.conftest import ClientFactory
from tests.ingest.test_vcf_load import write_vcf

# s1 and s3 carry the SNV, s2 and s3 the deletion.
ROWS = [
    "1\t1000\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t1/1\t0/0",
    "1\t2000\t.\tAT\tA\t.\tPASS\t.\tGT\t0/0\t0/1\t0/1\t0/0",
]
SNV = "1-1000-A-G"
FEMALE = {"id": "NCIT:C16576", "label": "female"}
BLOOD = {"id": "UBERON:0000178", "label": "blood"}
STATUS = {"id": "EFO:0009654", "label": "reference sample"}


def metadata(folder: Path, people: dict[str, str]) -> Path:
    """BFF biosamples (biosampleId -> individualId) and their individuals."""
    folder.mkdir(exist_ok=True)
    biosamples = [
        {"id": b, "individualId": p, "biosampleStatus": STATUS, "sampleOriginType": BLOOD}
        for b, p in people.items()
    ]
    individuals = [{"id": p, "sex": FEMALE} for p in sorted(set(people.values()))]
    (folder / "biosamples.json").write_text(json.dumps(biosamples))
    (folder / "individuals.json").write_text(json.dumps(individuals))
    return folder


async def ids(api: Any, path: str, **params: str) -> list[str]:
    query = {"requestedGranularity": "record", "limit": "0", **params}
    response = await api.get(path, params=query)
    body = await response.json()
    assert response.status == 200, body
    return sorted(r["id"] for s in body["response"]["resultSets"] for r in s["results"])


async def test_metadata_after_the_vcf_links_carriers(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    vcf = write_vcf(tmp_path / "small.vcf", ROWS)
    people = {"s1": "p1", "s2": "p2", "s3": "p3", "s4": "p4"}
    first = await run_vcf(db, "ds", [vcf], "GRCh37", run_options)
    assert first.links == {
        "samples": 4, "namedByVariants": 0, "throughBiosamples": 0, "unlinked": 4
    }  # fmt: skip
    assert "0 of 4 samples link to individuals; 4 link to none until biosamples" in first.notes[0]
    api = await node()
    assert await ids(api, f"/api/g_variants/{SNV}/individuals") == []
    later = await pipeline.run_metadata(db, "ds", [metadata(tmp_path / "m", people)], run_options)
    assert later.links == {
        "samples": 4, "namedByVariants": 0, "throughBiosamples": 4, "unlinked": 0
    }  # fmt: skip
    assert later.notes[0].startswith("4 of 4 samples link to individuals (0 named by the")
    assert await ids(api, f"/api/g_variants/{SNV}/individuals") == ["p1", "p3"]
    assert await ids(api, f"/api/g_variants/{SNV}/biosamples") == ["s1", "s3"]
    query = {"referenceName": "1", "start": "999", "referenceBases": "A", "alternateBases": "G"}
    assert await ids(api, "/api/individuals", **query) == ["p1", "p3"]
    carried = "/api/individuals/p2/g_variants"
    response = await api.get(carried, params={"requestedGranularity": "record"})
    body = await response.json()
    found = [r["variantInternalId"] for s in body["response"]["resultSets"] for r in s["results"]]
    assert found == ["1-2000-AT-A"]
    # The metadata is reloaded with s3 now from p9: the variants follow, not reloaded.
    moved = {**people, "s3": "p9"}
    await pipeline.run_metadata(db, "ds", [metadata(tmp_path / "m2", moved)], run_options)
    assert await ids(api, f"/api/g_variants/{SNV}/individuals") == ["p1", "p9"]


async def test_a_sample_map_names_individuals_before_the_biosamples(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    vcf = write_vcf(tmp_path / "small.vcf", ROWS)
    mapping = tmp_path / "map.tsv"
    mapping.write_text("s1\ts1\tmapped1\ns2\ts2\ns3\ts3\ns4\ts4\n")
    people = {"s1": "p1", "s2": "p2", "s3": "p3", "s4": "p4"}
    await pipeline.run_metadata(db, "ds", [metadata(tmp_path / "m", people)], run_options)
    report = await run_vcf(db, "ds", [vcf], "GRCh37", run_options, sample_map=mapping)
    assert report.links == {
        "samples": 4, "namedByVariants": 1, "throughBiosamples": 3, "unlinked": 0
    }  # fmt: skip
    api = await node()
    assert await ids(api, f"/api/g_variants/{SNV}/individuals") == ["p3"]  # mapped1: no record
    response = await api.get(
        "/api/individuals/mapped1/g_variants", params={"requestedGranularity": "count"}
    )
    assert (await response.json())["responseSummary"]["numTotalResults"] == 1
