"""The GDI portal's population filters on /g_variants, and how /filtering_terms lists them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beacon.store.client import Database
from ingest import pipeline
from ingest.vcf.load import run_vcf
from tests.conftest import Client

VCF = """##fileformat=VCFv4.2
##contig=<ID=chr22,length=50818468>
##INFO=<ID=AF_FI,Number=A,Type=Float,Description="AF in FI">
##INFO=<ID=AC_FI,Number=A,Type=Integer,Description="AC in FI">
##INFO=<ID=AN_FI,Number=1,Type=Integer,Description="AN in FI">
##INFO=<ID=AF_FI_M,Number=A,Type=Float,Description="AF in FI men">
##INFO=<ID=AC_FI_M,Number=A,Type=Integer,Description="AC in FI men">
##INFO=<ID=AN_FI_M,Number=1,Type=Integer,Description="AN in FI men">
##INFO=<ID=AF_FI_F,Number=A,Type=Float,Description="AF in FI women">
##INFO=<ID=AC_FI_F,Number=A,Type=Integer,Description="AC in FI women">
##INFO=<ID=AN_FI_F,Number=1,Type=Integer,Description="AN in FI women">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
chr22\t16050075\t.\tA\tG\t.\tPASS\tAF_FI=0.25;AC_FI=5;AN_FI=20;AF_FI_M=0.5;AC_FI_M=5;AN_FI_M=10;AF_FI_F=0;AC_FI_F=0;AN_FI_F=10
chr22\t16050200\t.\tC\tT\t.\tPASS\tAF_FI=0.1;AC_FI=2;AN_FI=20;AF_FI_M=0;AC_FI_M=0;AN_FI_M=10;AF_FI_F=0.2;AC_FI_F=2;AN_FI_F=10
"""


@pytest.fixture
async def papi(db: Database, run_options: pipeline.RunOptions, node: Any, tmp_path: Path) -> Client:
    path = tmp_path / "fi.vcf"
    path.write_text(VCF)
    await run_vcf(db, "fi", [path], "GRCh38", run_options)
    client: Client = await node()
    return client


async def variants(api: Client, *filters: dict[str, str]) -> dict[str, list[str]]:
    body = {
        "meta": {"apiVersion": "v2.0.0"},
        "query": {
            "requestParameters": {"referenceName": "22", "start": [16050000], "end": [16051000]},
            "filters": [{**f, "operator": "=", "scope": "population"} for f in filters],
            "requestedGranularity": "record",
        },
    }
    response = await api.post("/api/g_variants", json=body)
    answer = await response.json()
    assert response.status == 200, answer
    return {
        r["variantInternalId"]: [
            f["population"] for b in r.get("frequencyInPopulations", []) for f in b["frequencies"]
        ]
        for s in answer["response"]["resultSets"]
        for r in s["results"]
    }


async def test_population_filters_select_frequencies(papi: Client) -> None:
    everything = await variants(papi)
    assert set(everything) == {"22-16050075-A-G", "22-16050200-C-T"}
    assert {"FI", "FI_M", "FI_F"} <= set(everything["22-16050075-A-G"])
    # men of Finland: only the variant seen in them, only their frequencies
    assert await variants(
        papi, {"id": "sexFilter", "value": "M"}, {"id": "countryFilter", "value": "FI"}
    ) == {"22-16050075-A-G": ["FI_M"]}
    assert await variants(
        papi, {"id": "sexFilter", "value": "female"}, {"id": "countryFilter", "value": "fi"}
    ) == {"22-16050200-C-T": ["FI_F"]}
    assert set(await variants(papi, {"id": "countryFilter", "value": "FI"})) == set(everything)
    assert await variants(papi, {"id": "countryFilter", "value": "SE"}) == {}


async def test_population_filters_are_listed(papi: Client) -> None:
    body = await (await papi.get("/api/g_variants/filtering_terms")).json()
    terms = {t["id"]: t for t in body["response"]["filteringTerms"]}
    assert terms["sexFilter"]["values"] == ["F", "M"]
    assert terms["countryFilter"]["values"] == ["FI"]
    assert terms["countryFilter"]["type"] == "custom"
    assert terms["countryFilter"]["scopes"] == ["genomicVariant"]
