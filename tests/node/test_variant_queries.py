"""The genomic variant query language (docs/design.md §1) over the checklist fixture (§9)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client

SNV1, DEL1 = "17-7577121-G-A", "17-1000-AT-A"
INS1, CNV1 = "17-2000-C-CTT", "17-5000001-DEL-5100000"


async def hits(api: Client, **params: str) -> list[str]:
    """variantInternalIds matching a GET query (all datasets, all pages)."""
    query = {"requestedGranularity": "record", "limit": "0", **params}
    response = await api.get("/api/g_variants", params=query)
    body = await response.json()
    assert response.status == 200, body
    return sorted(
        r["variantInternalId"] for s in body["response"]["resultSets"] for r in s["results"]
    )


SNV_QUERY = {
    "referenceName": "NC_000017.11",
    "start": "7577120",
    "referenceBases": "G",
    "alternateBases": "A",
}

CASES: list[tuple[str, dict[str, str], list[str]]] = [
    ("64 sequence query", SNV_QUERY, [SNV1]),
    ("65 VCF POS by mistake", {**SNV_QUERY, "start": "7577121"}, []),
    ("66 other alternate", {**SNV_QUERY, "alternateBases": "C"}, []),
    ("67 plain name", {**SNV_QUERY, "referenceName": "17", "assemblyId": "GRCh38"}, [SNV1]),
    ("67 chr name", {**SNV_QUERY, "referenceName": "chr17"}, [SNV1]),
    ("67 refseq CURIE", {**SNV_QUERY, "referenceName": "refseq:NC_000017.11"}, [SNV1]),
    ("68 other assembly", {**SNV_QUERY, "referenceName": "17", "assemblyId": "GRCh37"}, []),
    ("69 N alternate", {**SNV_QUERY, "alternateBases": "N"}, [SNV1]),
    (
        "70 without referenceBases",
        {k: v for k, v in SNV_QUERY.items() if k != "referenceBases"},
        [SNV1],
    ),
    ("72 range on the base", {"referenceName": "17", "start": "7577120", "end": "7577121"}, [SNV1]),
    (
        "72 range ending on the base",
        {"referenceName": "17", "start": "7577000", "end": "7577121"},
        [SNV1],
    ),
    ("72 range after the base", {"referenceName": "17", "start": "7577121", "end": "7577200"}, []),
    ("73 range over indels", {"referenceName": "17", "start": "0", "end": "10000"}, [DEL1, INS1]),
    (
        "73 range narrowed by alternate",
        {"referenceName": "17", "start": "0", "end": "10000", "alternateBases": "CTT"},
        [INS1],
    ),
    (
        "74 range with variantType DEL",
        {"referenceName": "17", "start": "4900000", "end": "5200000", "variantType": "DEL"},
        [CNV1],
    ),
    (
        "74 range inside a long CNV",
        {"referenceName": "17", "start": "5050000", "end": "5050001"},
        [CNV1],
    ),
    (
        "75 min length keeps the CNV",
        {"referenceName": "17", "start": "4900000", "end": "5200000", "variantMinLength": "50000"},
        [CNV1],
    ),
    (
        "75 max length drops it",
        {"referenceName": "17", "start": "4900000", "end": "5200000", "variantMaxLength": "1000"},
        [],
    ),
    (
        "76 bracket",
        {
            "referenceName": "17",
            "start": "4990000,5010000",
            "end": "5090000,5110000",
            "variantType": "DEL",
        },
        [CNV1],
    ),
    (
        "77 bracket missing",
        {"referenceName": "17", "start": "5010000,5020000", "end": "5090000,5110000"},
        [],
    ),
    (
        "78 EFO loss term: structural deletions only",
        {"referenceName": "17", "start": "0", "end": "6000000", "variantType": "EFO:0030067"},
        [CNV1],
    ),
    (
        "78 DEL: every deletion",
        {"referenceName": "17", "start": "0", "end": "6000000", "variantType": "DEL"},
        [CNV1, DEL1],
    ),
    (
        "CNV: copy-number variants, not a 1-base deletion",
        {"referenceName": "17", "start": "0", "end": "6000000", "variantType": "CNV"},
        [CNV1],
    ),
    (
        "INDEL: small insertions and deletions, not a 100 kb <DEL>",
        {"referenceName": "17", "start": "0", "end": "6000000", "variantType": "INDEL"},
        [DEL1, INS1],
    ),
    (
        "SV: structural variants",
        {"referenceName": "17", "start": "0", "end": "6000000", "variantType": "SO:0001537"},
        [CNV1],
    ),
    (
        "78 VRS lower-case efo",
        {"referenceName": "17", "start": "4900000", "end": "5200000", "variantType": "efo:0030067"},
        [CNV1],
    ),
    (
        "78 EFO gain term",
        {"referenceName": "17", "start": "0", "end": "6000000", "variantType": "EFO:0030070"},
        [],
    ),
    (
        "79 VCF-style deletion",
        {"referenceName": "17", "start": "999", "referenceBases": "AT", "alternateBases": "A"},
        [DEL1],
    ),
    (
        "79 trimmed deletion",
        {"referenceName": "17", "start": "1000", "referenceBases": "T", "alternateBases": ""},
        [DEL1],
    ),
    (
        "79 trimmed insertion",
        {"referenceName": "17", "start": "2000", "referenceBases": "", "alternateBases": "TT"},
        [INS1],
    ),
    ("80 gene", {"geneId": "TP53"}, [SNV1]),
    ("81 amino acid with gene", {"aminoacidChange": "R273H", "geneId": "TP53"}, [SNV1]),
    ("81 amino acid alone", {"aminoacidChange": "R273H"}, [SNV1]),
    ("81 amino acid, three letters", {"aminoacidChange": "Arg273His"}, [SNV1]),
    ("81 amino acid, HGVS", {"aminoacidChange": "p.(Arg273His)"}, [SNV1]),
    ("81 amino acid of another residue", {"aminoacidChange": "R273C"}, []),
    (
        "amino acid narrows a range",
        {"referenceName": "17", "start": "0", "end": "90000000", "aminoacidChange": "R273H"},
        [SNV1],
    ),
    (
        "amino acid narrows a range to nothing",
        {"referenceName": "17", "start": "0", "end": "90000000", "aminoacidChange": "R273C"},
        [],
    ),
    ("82 HGVS", {"genomicAlleleShortForm": "NC_000017.11:g.7577121G>A"}, [SNV1]),
    ("82 HGVS with a plain chromosome", {"genomicAlleleShortForm": "17:g.7577121G>A"}, [SNV1]),
    ("82 HGVS of the other build", {"genomicAlleleShortForm": "NC_000017.10:g.7577121G>A"}, []),
    ("82 HGVS deletion", {"genomicAlleleShortForm": "NC_000017.11:g.1001del"}, [DEL1]),
    ("82 HGVS insertion", {"genomicAlleleShortForm": "NC_000017.11:g.2000_2001insTT"}, [INS1]),
    (
        "91 datasetIds",
        {"referenceName": "17", "start": "0", "end": "90000000", "datasetIds": "ds2"},
        [INS1, CNV1],
    ),
    ("assembly only", {"assemblyId": "hg38"}, sorted([SNV1, DEL1, INS1, CNV1])),
]


@pytest.mark.parametrize(("name", "params", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_variant_query(
    api: Client, name: str, params: dict[str, str], expected: list[str]
) -> None:
    assert await hits(api, **params) == sorted(expected)


async def test_get_and_post_give_the_same_summary(api: Client) -> None:
    for _, params, _expected in CASES:
        got = await (
            await api.get("/api/g_variants", params={**params, "requestedGranularity": "count"})
        ).json()
        request: dict[str, Any] = {}
        for key, value in params.items():
            if key in ("start", "end"):
                request[key] = [int(v) for v in value.split(",")]
            elif key == "datasetIds":
                request[key] = value.split(",")
            elif key in ("variantMinLength", "variantMaxLength"):
                request[key] = int(value)
            else:
                request[key] = value
        body = {
            "meta": {"apiVersion": "v2.0.0"},
            "query": {"requestParameters": {"g_variant": request}, "requestedGranularity": "count"},
        }
        posted = await (await api.post("/api/g_variants", json=body)).json()
        assert got["responseSummary"] == posted["responseSummary"], params


async def test_snv_record_shape(api: Client, schemas: Any) -> None:
    response = await api.get("/api/g_variants/" + SNV1, params={"requestedGranularity": "record"})
    body = await response.json()
    schemas.assert_response(body)
    (record,) = body["response"]["resultSets"][0]["results"]
    location = record["variation"]["location"]
    assert location["sequence_id"] == "refseq:NC_000017.11"
    assert location["interval"]["start"] == {"type": "Number", "value": 7577120}
    assert location["interval"]["end"] == {"type": "Number", "value": 7577121}
    assert record["identifiers"]["genomicHGVSId"] == "NC_000017.11:g.7577121G>A"


async def test_cnv_record_is_valid_and_not_symbolic(api: Client, schemas: Any) -> None:
    response = await api.get("/api/g_variants/" + CNV1, params={"requestedGranularity": "record"})
    body = await response.json()
    schemas.assert_response(body)
    (record,) = body["response"]["resultSets"][0]["results"]
    assert record["variation"]["variantType"] == "DEL"
    assert record["variation"]["alternateBases"] == "N"
    assert record["variation"]["location"]["interval"]["end"]["value"] == 5100000


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/api/individuals", SNV_QUERY, ["ind1"]),
        ("/api/biosamples", SNV_QUERY, ["bs1"]),
        ("/api/runs", SNV_QUERY, ["run1"]),
        ("/api/analyses", SNV_QUERY, ["an1"]),
        (
            "/api/individuals",
            {"referenceName": "17", "start": "0", "end": "90000000"},
            ["ind1", "ind2"],
        ),
        ("/api/individuals", {"geneId": "BRCA2"}, []),
        (
            "/api/biosamples/bs1/g_variants",
            {"referenceName": "17", "start": "0", "end": "5000"},
            [DEL1],
        ),
        (
            "/api/individuals/ind2/g_variants",
            {"variantType": "DEL", "referenceName": "17", "start": "0", "end": "90000000"},
            [CNV1],
        ),
    ],
)
async def test_variant_parameters_on_other_entry_types(
    api: Client, path: str, params: dict[str, str], expected: list[str]
) -> None:
    response = await api.get(
        path, params={**params, "requestedGranularity": "record", "limit": "0"}
    )
    body = await response.json()
    assert response.status == 200, body
    found = sorted(
        r.get("id") or r["variantInternalId"]
        for s in body["response"]["resultSets"]
        for r in s["results"]
    )
    assert found == expected


async def test_variant_parameters_do_not_apply_to_datasets(api: Client) -> None:
    response = await api.get("/api/datasets", params={"geneId": "TP53"})
    assert response.status == 400
