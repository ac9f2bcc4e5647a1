"""Filters over HTTP: ontology hierarchies, ages, measurements, scopes, AND/OR, filtering terms."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from beacon.store.client import Database
from ingest import ontology, pipeline
from ingest.metadata import MetadataError
from tests import official
from tests.conftest import HERE, Client

FILTERS = HERE / "data" / "filters"
ONTOLOGIES = HERE / "data" / "ontologies"
CINECA = official.DATA / "bff" / "cineca_uk1"


@pytest.fixture
async def fdb(db: Database, run_options: pipeline.RunOptions) -> Database:
    for name in ("mini_hp.obo", "mini_uberon.json", "mini_ncit.owl"):
        await ontology.load(db, ONTOLOGIES / name)
    await pipeline.run_metadata(db, "dsf", [FILTERS], run_options)
    await pipeline.run_bff_variants(
        db, "dsf", FILTERS / "genomicVariations.json", "GRCh38", run_options
    )
    return db


@pytest.fixture
async def fapi(fdb: Database, node: Callable[..., Awaitable[Client]]) -> Client:
    return await node()


async def found(api: Client, path: str, filters: list[Any] | str, **extra: Any) -> list[str]:
    """Ids returned for a filtered request (POST when filters are objects)."""
    if isinstance(filters, str):
        params = {"filters": filters, "requestedGranularity": "record", "limit": "0", **extra}
        response = await api.get(path, params=params)
    else:
        query = {"filters": filters, "requestedGranularity": "record", "pagination": {"limit": 0}}
        if extra:
            query["requestParameters"] = extra
        response = await api.post(path, json={"meta": {"apiVersion": "v2.0.0"}, "query": query})
    body = await response.json()
    assert response.status == 200, body
    if official.available():
        official.assert_response(body)
    return sorted(
        r.get("id") or r["variantInternalId"]
        for s in body["response"]["resultSets"]
        for r in s["results"]
    )


CASES: list[tuple[str, str, list[Any] | str, list[str]]] = [
    ("descendants by default", "/api/individuals", "HP:0001250", ["p1", "p3"]),
    (
        "exact term only",
        "/api/individuals",
        [{"id": "HP:0001250", "includeDescendantTerms": False}],
        ["p3"],
    ),
    ("a grandparent term", "/api/individuals", "HP:0000118", ["p1", "p2", "p3"]),
    ("a parent with no data of its own", "/api/individuals", "HP:0000707", ["p1", "p3"]),
    ("unloaded ontology matches exactly", "/api/individuals", "ICD10:J40", ["p5"]),
    ("one sex", "/api/individuals", "NCIT:C16576", ["p1", "p2"]),
    (
        "two values of one property: OR",
        "/api/individuals",
        "NCIT:C16576,NCIT:C20197",
        ["p1", "p2", "p3", "p4"],
    ),
    ("two properties: AND", "/api/individuals", "NCIT:C16576,HP:0001250", ["p1"]),
    ("AND with nobody", "/api/individuals", "NCIT:C20197,HP:0001627", []),
    ("the sex parent term", "/api/individuals", "NCIT:C28421", ["p1", "p2", "p3", "p4"]),
    ("age above", "/api/individuals", "age:>P70Y", ["p1"]),
    ("age at least", "/api/individuals", "age:>=P70Y", ["p1", "p5"]),
    ("age in months", "/api/individuals", "age:<P120M", ["p3"]),
    (
        "PATO age",
        "/api/individuals",
        [{"id": "PATO:0000011", "operator": "<=", "value": "P45Y"}],
        ["p2", "p3"],
    ),
    ("age range: AND of two bounds", "/api/individuals", "age:>P10Y,age:<P71Y", ["p2", "p5"]),
    (
        "measured term",
        "/api/individuals",
        [{"id": "LOINC:39156-5", "operator": ">", "value": "25"}],
        ["p1", "p3"],
    ),
    ("number field", "/api/individuals", "measures.measurementValue.value:<20", ["p4"]),
    (
        "not equal",
        "/api/individuals",
        [{"id": "LOINC:39156-5", "operator": "!", "value": "22"}],
        ["p1", "p3", "p4"],
    ),
    (
        "biosample term reaches individuals",
        "/api/individuals",
        "UBERON:0000178",
        ["p1", "p3", "p5"],
    ),
    ("biosample parent term", "/api/individuals", "UBERON:0000463", ["p1", "p2", "p3", "p4", "p5"]),
    (
        "scoped on biosamples",
        "/api/biosamples",
        [{"id": "UBERON:0000178", "scope": "biosamples"}],
        ["b1", "b3", "b5"],
    ),
    ("biosample age", "/api/biosamples", "collectionMoment:<P35Y", ["b3", "b4"]),
    ("individual filter on biosamples", "/api/biosamples", "NCIT:C16576", ["b1", "b2"]),
    ("individual filter on runs", "/api/runs", "HP:0001250", ["r1", "r3"]),
    ("individual filter on analyses", "/api/analyses", "NCIT:C20197", ["a3", "a4"]),
    ("custom field:value", "/api/runs", "libraryStrategy:WGS", ["r1", "r3", "r5"]),
    (
        "wildcard",
        "/api/runs",
        [{"id": "libraryStrategy", "operator": "=", "value": "w%"}],
        ["r1", "r2", "r3", "r4", "r5"],
    ),
    ("run filter on individuals", "/api/individuals", "libraryStrategy:WES", ["p2", "p4"]),
    ("variants carried by women", "/api/g_variants", "NCIT:C16576", ["1-1001-A-G", "1-2001-C-T"]),
    (
        "variant effect term",
        "/api/g_variants",
        "SO:0001583",
        ["1-1001-A-G", "1-2001-C-T", "1-3001-G-A"],
    ),
    (
        "individuals carrying a missense variant",
        "/api/individuals",
        [{"id": "SO:0001583", "scope": "genomicVariant"}],
        ["p1", "p2", "p3", "p4", "p5"],
    ),
    ("filtered cross endpoint", "/api/datasets/dsf/individuals", "NCIT:C20197", ["p3", "p4"]),
]


@pytest.mark.parametrize(("name", "path", "filters", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_filter(
    fapi: Client, name: str, path: str, filters: list[Any] | str, expected: list[str]
) -> None:
    assert await found(fapi, path, filters) == expected


async def test_variant_and_phenotype_combined(fapi: Client) -> None:
    carriers = {"referenceName": "1", "start": "1000", "alternateBases": "G"}
    response = await fapi.get(
        "/api/individuals", params={**carriers, "requestedGranularity": "count"}
    )
    assert (await response.json())["responseSummary"]["numTotalResults"] == 2  # p1 and p3
    both = await found(fapi, "/api/individuals", "NCIT:C16576", **carriers)
    assert both == ["p1"]
    posted = await found(
        fapi,
        "/api/individuals",
        [{"id": "HP:0000707"}],
        referenceName="1",
        start=[1000],
        alternateBases="G",
    )
    assert posted == ["p1", "p3"]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ("HP:9999999", "not known to this beacon"),
        ("nonsense", "not known to this beacon"),
        ([{"id": "HP:0001250", "similarity": "high"}], "similarity 'high' is not supported"),
        ("age:>tomorrow", "not one"),
        ("NCIT:C16576,colour:blue", "'colour:blue' is not known"),
    ],
)
async def test_unknown_or_unsupported_filters_are_400(
    fapi: Client, filters: Any, message: str
) -> None:
    if isinstance(filters, str):
        response = await fapi.get("/api/individuals", params={"filters": filters})
    else:
        response = await fapi.post(
            "/api/individuals", json={"meta": {"apiVersion": "v2"}, "query": {"filters": filters}}
        )
    body = await response.json()
    assert response.status == 400, body
    assert message in body["error"]["errorMessage"]
    assert "filters" in body["error"]["errorMessage"]


async def test_filtering_terms(fapi: Client, schemas: Any) -> None:
    response = await fapi.get("/api/filtering_terms")
    body = await response.json()
    schemas.assert_valid(body, schemas.RESPONSE_SCHEMAS["filtering_terms"])
    terms = {t["id"]: t for t in body["response"]["filteringTerms"]}
    # data terms, with ontology labels, and their ancestors from the loaded ontologies
    assert terms["HP:0001250"]["label"] == "Seizure"
    assert terms["HP:0000118"] == {
        "type": "ontologyTerm",
        "id": "HP:0000118",
        "label": "Phenotypic abnormality",
        "scopes": ["individual"],
    }
    assert terms["UBERON:0000463"]["scopes"] == ["biosample"]
    assert terms["NCIT:C28421"]["label"] == "Sex"
    assert terms["libraryStrategy"]["type"] == "alphanumeric"
    assert terms["libraryStrategy"]["values"] == ["WES", "WGS"]
    assert terms["libraryStrategy"]["label"] == "library strategy"
    assert terms["SO:0001583"]["scopes"] == ["genomicVariant"]
    assert terms["age"]["scopes"] == ["biosample", "individual"]
    assert terms["PATO:0000011"]["type"] == "alphanumeric"
    prefixes = {r["nameSpacePrefix"]: r for r in body["response"]["resources"]}
    assert {"HP", "NCIT", "UBERON", "ICD10", "LOINC", "SO", "EFO"} <= set(prefixes)
    assert prefixes["HP"]["version"] == "fixture/2026-11-01"
    assert prefixes["HP"]["iriPrefix"] == "http://purl.obolibrary.org/obo/HP_"
    # every listed term works as a filter on its scopes (checklist 23)
    for term in body["response"]["filteringTerms"]:
        if term["type"] != "ontologyTerm":
            continue
        for scope in term["scopes"]:
            path = {
                "individual": "individuals",
                "biosample": "biosamples",
                "run": "runs",
                "analysis": "analyses",
                "genomicVariant": "g_variants",
                "dataset": "datasets",
                "cohort": "cohorts",
            }[scope]
            checked = await fapi.get(f"/api/{path}", params={"filters": term["id"]})
            assert checked.status == 200, (term, await checked.text())


async def test_filtering_terms_paging_and_scopes(fapi: Client) -> None:
    everything = await (await fapi.get("/api/filtering_terms")).json()
    total = len(everything["response"]["filteringTerms"])
    first = await (await fapi.get("/api/filtering_terms?skip=0&limit=1")).json()
    assert len(first["response"]["filteringTerms"]) == 1
    second = await (await fapi.get("/api/filtering_terms?skip=1&limit=1")).json()
    assert second["response"]["filteringTerms"][0] == everything["response"]["filteringTerms"][1]
    zero = await (await fapi.get("/api/filtering_terms?limit=0")).json()
    assert len(zero["response"]["filteringTerms"]) == total
    biosample = await (await fapi.get("/api/biosamples/filtering_terms")).json()
    assert {s for t in biosample["response"]["filteringTerms"] for s in t["scopes"]} == {
        "biosample"
    }
    per_dataset = await (await fapi.get("/api/datasets/dsf/filtering_terms")).json()
    assert len(per_dataset["response"]["filteringTerms"]) == total
    other = await (await fapi.get("/api/datasets/nope/filtering_terms")).json()
    assert other["response"]["filteringTerms"] == []


async def test_ontology_loaded_after_the_data(
    db: Database, run_options: pipeline.RunOptions, node: Any
) -> None:
    await pipeline.run_metadata(db, "dsf", [FILTERS], run_options)
    api = await node()
    before = await api.get("/api/individuals", params={"filters": "HP:0000707"})
    assert before.status == 400  # nobody knows this parent term yet
    await ontology.load(db, ONTOLOGIES / "mini_hp.obo")
    assert await found(api, "/api/individuals", "HP:0000707") == ["p1", "p3"]


async def test_invalid_metadata_is_refused_whole(
    db: Database, run_options: pipeline.RunOptions, tmp_path: Path
) -> None:
    bad = [
        {"id": "x1", "sex": {"id": "NCIT:C16576"}},
        {"id": "x2"},
        {"id": "x3", "sex": {"id": "female"}},
        {"id": "x1", "sex": {"id": "NCIT:C20197"}},
    ]
    (tmp_path / "individuals.json").write_text(json.dumps(bad))
    with pytest.raises(MetadataError) as caught:
        await pipeline.run_metadata(db, "bad", [tmp_path], run_options)
    message = str(caught.value)
    assert "3 problem(s) in the input; nothing was loaded" in message
    assert "individuals.json[1] (id x2): (record): 'sex' is a required property" in message
    assert "individuals.json[2] (id x3): sex.id: 'female' does not match" in message
    assert "individuals.json[3] (id x1): id: duplicate id" in message
    assert await db.list_collection_names() in ([], ["filtering_terms"])


def test_json_lines_are_read(tmp_path: Path) -> None:
    from ingest import bff

    path = tmp_path / "individuals.jsonl"
    path.write_text(
        '{"id": "a", "sex": {"id": "NCIT:C16576"}}\n\n{"id": "b", "sex": {"id": "NCIT:C20197"}}\n'
    )
    assert [r["id"] for r in bff.read_records(path)] == ["a", "b"]


# -- the CINECA UK1 metadata, counted independently from the source JSON ------------------------


def _cineca(name: str) -> list[dict[str, Any]]:
    path = CINECA / f"{name}.json.gz"
    if path.exists():
        raw = gzip.decompress(path.read_bytes())
    else:
        raw = (CINECA / f"{name}.json").read_bytes()
    records: list[dict[str, Any]] = json.loads(raw)
    return records


@pytest.mark.shared_data
async def test_cineca_counts(db: Database, run_options: pipeline.RunOptions, node: Any) -> None:
    if not CINECA.is_dir():
        pytest.skip("../shared/data/bff/cineca_uk1 is not beside this checkout")
    await pipeline.run_metadata(db, "CINECA_synthetic_cohort_EUROPE_UK1", [CINECA], run_options)
    api = await node()
    people = _cineca("individuals")

    def count(predicate: Callable[[dict[str, Any]], bool]) -> int:
        return sum(1 for p in people if predicate(p))

    def diseases(p: dict[str, Any]) -> set[str]:
        return {d["diseaseCode"]["id"] for d in p.get("diseases", [])}

    async def total(filters: str) -> int:
        response = await api.get(
            "/api/individuals", params={"filters": filters, "requestedGranularity": "count"}
        )
        body = await response.json()
        assert response.status == 200, body
        return int(body["responseSummary"]["numTotalResults"])

    assert await total("NCIT:C16576") == count(lambda p: p["sex"]["id"] == "NCIT:C16576")
    assert await total("ICD10:J40") == count(lambda p: "ICD10:J40" in diseases(p))
    assert await total("ICD10:J40,ICD10:G35") == count(
        lambda p: bool({"ICD10:J40", "ICD10:G35"} & diseases(p))
    )
    assert await total("NCIT:C16576,ICD10:G35") == count(
        lambda p: p["sex"]["id"] == "NCIT:C16576" and "ICD10:G35" in diseases(p)
    )
    assert await total("GAZ:00002641") == count(
        lambda p: p.get("geographicOrigin", {}).get("id") == "GAZ:00002641"
    )
    heavy = count(
        lambda p: any(
            m["assayCode"]["id"] == "LOINC:3141-9" and m["measurementValue"]["value"] > 100
            for m in p["measures"]
        )
    )
    assert await total("LOINC:3141-9:>100") == heavy
    samples = _cineca("biosamples")
    years = [int(re.match(r"^P(\d+)Y", s["collectionMoment"]).group(1)) for s in samples]  # type: ignore[union-attr]
    old = {s["individualId"] for s, y in zip(samples, years, strict=True) if y >= 60}
    assert await total("collectionMoment:>=P60Y") == len(old)
