"""Frequencies per country and sex from the genotypes and the metadata (issue 12).

A VCF with no population INFO at all, four samples, a missing call and chrX hemizygous calls;
metadata saying each sample's individual, sex and country. Whichever is loaded first, the node
answers the GDI portal's seven fields per population, computed here by hand from the rows, and
its ``sexFilter`` / ``countryFilter`` alone or together.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from beacon.node import frequencies
from beacon.protocol.understand import Population
from beacon.store.client import Database
from ingest import pipeline
from ingest.vcf.load import run_vcf
from tests.conftest import ClientFactory
from tests.ingest.test_vcf_load import write_vcf

ROWS = [
    # s2's call is missing; EUR_AF is an outside population, kept under the file's source.
    "1\t1000\t.\tA\tG\t.\tPASS\tEUR_AF=0.3\tGT\t0/1\t./.\t1/1\t0/0",
    # chrX: the men's calls are haploid; s2 carries the ALT (hemizygous).
    "X\t5000\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\t1\t0/0\t0",
]
PEOPLE = {  # biosample -> (individual, sex, country)
    "s1": ("p1", "female", "Finland"),
    "s2": ("p2", "male", "Finland"),
    "s3": ("p3", "female", "Spain"),
    "s4": ("p4", "male", "Spain"),
}
SEX = {"female": "NCIT:C16576", "male": "NCIT:C20197"}
PLACE = {"Finland": "GAZ:00002937", "Spain": "GAZ:00003936"}


def row(label: str, ac: int, an: int, hom: int = 0, het: int = 0, hemi: int = 0) -> Any:
    found: dict[str, Any] = {"population": label, "alleleFrequency": round(ac / an, 8)}
    found |= {
        "alleleCount": ac,
        "alleleNumber": an,
        "alleleCountHomozygous": hom,
        "alleleCountHeterozygous": het,
        "alleleCountHemizygous": hemi,
    }
    return found


#: By hand from ROWS and PEOPLE.
EXPECTED = {
    "1-1000-A-G": [
        row("ES", 2, 4, hom=1),
        row("ES_F", 2, 2, hom=1),
        row("ES_M", 0, 2),
        row("FI", 1, 2, het=1),  # s2 not called: FI's AN is s1's two alleles
        row("FI_F", 1, 2, het=1),
        # FI_M: its one man was not called: no allele number, no frequency, no row.
        row("F", 3, 4, hom=1, het=1),
        row("M", 0, 2),
    ],
    "X-5000-C-T": [
        row("ES", 0, 3),
        row("ES_F", 0, 2),
        row("ES_M", 0, 1),
        row("FI", 2, 3, het=1, hemi=1),
        row("FI_F", 1, 2, het=1),
        row("FI_M", 1, 1, hemi=1),
        row("F", 1, 4, het=1),
        row("M", 1, 2, hemi=1),
    ],
}


def metadata(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    biosamples = [
        {
            "id": b,
            "individualId": p,
            "biosampleStatus": {"id": "EFO:0009654", "label": "reference sample"},
            "sampleOriginType": {"id": "UBERON:0000178", "label": "blood"},
        }
        for b, (p, _, _) in PEOPLE.items()
    ]
    individuals = [
        {
            "id": p,
            "sex": {"id": SEX[sex], "label": sex},
            "geographicOrigin": {"id": PLACE[place], "label": place},
        }
        for p, sex, place in PEOPLE.values()
    ]
    (folder / "biosamples.json").write_text(json.dumps(biosamples))
    (folder / "individuals.json").write_text(json.dumps(individuals))
    return folder


async def records(api: Any, schemas: Any = None, **params: str) -> dict[str, Any]:
    query = {"requestedGranularity": "record", "referenceName": "1", "start": "0", "end": "9999"}
    found = {}
    for chrom in ("1", "X"):
        response = await api.get(
            "/api/g_variants", params={**query, "referenceName": chrom, **params}
        )
        body = await response.json()
        assert response.status == 200, body
        for s in body["response"]["resultSets"]:
            for r in s["results"]:
                found[r["variantInternalId"]] = r["frequencyInPopulations"]
                if schemas is not None:
                    schemas.assert_valid(r, schemas.ENTITY_SCHEMAS["genomicVariant"])
    return found


@pytest.mark.parametrize("metadata_first", [True, False])
async def test_frequencies_whichever_load_comes_first(
    db: Database,
    tmp_path: Path,
    run_options: pipeline.RunOptions,
    node: ClientFactory,
    metadata_first: bool,
    schemas: Any,
) -> None:
    vcf = write_vcf(tmp_path / "small.vcf", ROWS)
    folder = metadata(tmp_path / "m")
    api = await node()
    if metadata_first:
        await pipeline.run_metadata(db, "ds", [folder], run_options)
        await run_vcf(db, "ds", [vcf], "GRCh37", run_options)
    else:
        await run_vcf(db, "ds", [vcf], "GRCh37", run_options)
        # Before the metadata: no sex or country known; the dataset's own row only.
        (snv,) = (await records(api))["1-1000-A-G"][:1]
        assert snv["source"] == frequencies.own_source("ds")
        assert [f["population"] for f in snv["frequencies"]] == ["ds"]
        await pipeline.run_metadata(db, "ds", [folder], run_options)
    found = await records(api, schemas)
    for variant, expected in EXPECTED.items():
        own, *others = found[variant]
        assert own["source"] == frequencies.own_source("ds")
        assert own["frequencies"] == expected, variant
        for item in own["frequencies"]:
            assert frequencies.LABEL.match(item["population"]), item  # the portal's pattern
        if variant == "1-1000-A-G":  # INFO's outside population, under its own source
            assert [(b["frequencies"][0]["population"]) for b in others] == ["EUR"]
        else:
            assert others == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ("sexFilter:F", {"1-1000-A-G": ["F"], "X-5000-C-T": ["F"]}),
        ("sexFilter:M", {"X-5000-C-T": ["M"]}),  # no man carries the SNV
        ("countryFilter:ES", {"1-1000-A-G": ["ES"]}),
        ("countryFilter:FI,sexFilter:M", {"X-5000-C-T": ["FI_M"]}),
    ],
)
async def test_population_filters_alone_or_together(
    db: Database,
    tmp_path: Path,
    run_options: pipeline.RunOptions,
    node: ClientFactory,
    filters: str,
    expected: dict[str, list[str]],
) -> None:
    await run_vcf(db, "ds", [write_vcf(tmp_path / "small.vcf", ROWS)], "GRCh37", run_options)
    await pipeline.run_metadata(db, "ds", [metadata(tmp_path / "m")], run_options)
    api = await node()
    found = await records(api, filters=filters)
    labels = {k: [f["population"] for b in v for f in b["frequencies"]] for k, v in found.items()}
    assert labels == expected
    response = await api.get(
        "/api/g_variants",
        params={
            "referenceName": "1",
            "start": "0",
            "end": "9999",
            "filters": filters,
            "requestedGranularity": "count",
        },
    )
    body = await response.json()
    assert body["responseSummary"]["numTotalResults"] == sum(
        1 for k in expected if k.startswith("1-")
    )
    # The node lists the populations it can answer for.
    terms = await (await api.get("/api/filtering_terms")).json()
    listed = {t["id"]: t.get("values") for t in terms["response"]["filteringTerms"]}
    assert listed["sexFilter"] == ["F", "M"]
    assert listed["countryFilter"] == ["ES", "FI"]


def test_a_dataset_of_one_country_has_no_sex_only_rows() -> None:
    """Its women are its country's women: ``F`` would say ``FI_F`` again. ``sexFilter=F``
    alone then selects the country's rows of that sex."""
    groups = frequencies.Groups.build(["p1", "p2"], {"p1": ("F", "FI"), "p2": ("M", "FI")})
    assert list(groups.masks) == ["FI", "FI_F", "FI_M"]
    assert groups.chosen(Population(sex="F")) == {"FI_F"}
    assert frequencies.iso_code("Finland") == "FI"
    assert frequencies.iso_code("ISO3166:es") == "ES"
    assert frequencies.iso_code("GAZ:00002937") is None
    assert frequencies.country_of({"geographicOrigin": {"id": "GAZ:00002937", "label": "Spain"}})
