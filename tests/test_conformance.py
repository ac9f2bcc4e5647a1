"""Every endpoint x granularity x method, and the error paths, against the official schemas.

The endpoint list is taken from the node's own ``/map``, so a route added there is tested here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from beacon.protocol.entry_types import ENTRY_TYPES
from tests.conftest import Client

KNOWN_IDS = {
    "analysis": "an1",
    "biosample": "bs1",
    "cohort": "co1",
    "dataset": "ds1",
    "genomicVariant": "17-7577121-G-A",
    "individual": "ind1",
    "run": "run1",
}
GRANULARITIES = ("boolean", "count", "record")


async def get_json(api: Client, path: str, status: int = 200, **kw: Any) -> dict[str, Any]:
    response = await api.get(path, **kw)
    body = await response.json()
    assert response.status == status, body
    assert response.content_type == "application/json"
    return body  # type: ignore[no-any-return]


async def post_json(api: Client, path: str, payload: Any, status: int = 200) -> dict[str, Any]:
    response = await api.post(path, json=payload)
    body = await response.json()
    assert response.status == status, body
    return body  # type: ignore[no-any-return]


def local(url: str) -> str:
    """An absolute URL from /map as a path on the test server."""
    return re.sub(r"^https?://[^/]+", "", url)


async def map_urls(api: Client) -> list[tuple[str, str]]:
    """(path with a known id substituted, entry type id it returns) for every /map URL."""
    body = await get_json(api, "/api/map")
    urls = []
    for entry_id, endpoint_set in body["response"]["endpointSets"].items():
        urls.append((local(endpoint_set["rootUrl"]), entry_id))
        one = endpoint_set["singleEntryUrl"].replace("{id}", KNOWN_IDS[entry_id])
        urls.append((local(one), entry_id))
        for endpoint in endpoint_set.get("endpoints", {}).values():
            path = endpoint["url"].replace("{id}", KNOWN_IDS[entry_id])
            urls.append((local(path), endpoint["returnedEntryType"]))
    return urls


# -- informational endpoints ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api", "info"),
        ("/api/", "info"),
        ("/api/info", "info"),
        ("/api/service-info", "service-info"),
        ("/api/?requestedSchema=ga4gh-service-info-v1.0", "service-info"),
        ("/api/configuration", "configuration"),
        ("/api/map", "map"),
        ("/api/entry_types", "entry_types"),
        ("/api/filtering_terms", "filtering_terms"),
        ("/api/individuals/filtering_terms", "filtering_terms"),
        ("/api/datasets/ds1/filtering_terms", "filtering_terms"),
    ],
)
async def test_informational_endpoints_are_schema_valid(
    api: Client, schemas: Any, path: str, kind: str
) -> None:
    body = await get_json(api, path)
    schemas.assert_valid(body, schemas.RESPONSE_SCHEMAS[kind])
    if kind == "service-info":
        assert "meta" not in body
        assert body["type"] == {
            "group": "org.ga4gh",
            "artifact": "beacon",
            "version": "v2.1.1",
        }
        assert body["id"] == "org.example.beacon"
    else:
        assert body["meta"]["beaconId"] == "org.example.beacon"


async def test_info_identity_and_links(api: Client) -> None:
    info = await get_json(api, "/api/info")
    root = await get_json(api, "/api")
    assert info["response"]["id"] == info["meta"]["beaconId"]
    assert info["response"]["apiVersion"] == info["meta"]["apiVersion"]
    assert re.match(r"^v\d+\.\d+(\.\d+)?$", info["meta"]["apiVersion"])
    assert root["response"]["id"] == info["response"]["id"]
    for key in ("welcomeUrl", "alternativeUrl"):
        assert info["response"][key].startswith("http://")
    assert info["response"]["organization"]["logoUrl"].startswith("http://")


async def test_configuration_and_entry_types_agree(api: Client) -> None:
    configuration = await get_json(api, "/api/configuration")
    entry_types = await get_json(api, "/api/entry_types")
    declared = configuration["response"]["entryTypes"]
    assert declared == entry_types["response"]["entryTypes"]
    assert set(declared) == {e.id for e in ENTRY_TYPES}
    for key, definition in declared.items():
        assert definition["id"] == key
        assert definition["defaultSchema"]["referenceToSchemaDefinition"].startswith(
            "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/v2.1.1/"
        )
    assert declared["dataset"]["aCollectionOf"] == [
        {"id": "genomicVariant", "name": "Genomic Variants"}
    ]
    assert declared["cohort"]["aCollectionOf"] == [{"id": "individual", "name": "Individual"}]
    security = configuration["response"]["securityAttributes"]
    assert security["defaultGranularity"] in GRANULARITIES


async def test_map_urls_use_the_public_base_url(node: Any, checklist: Any) -> None:
    api = await node(BEACON_BASE_URL="https://beacon.example.org/prefix/api")
    body = await get_json(api, "/api/map")
    configuration = await get_json(api, "/api/configuration")
    known = set(configuration["response"]["entryTypes"])
    for endpoint_set in body["response"]["endpointSets"].values():
        assert endpoint_set["rootUrl"].startswith("https://beacon.example.org/prefix/api/")
        assert endpoint_set["entryType"] in known
        for endpoint in endpoint_set["endpoints"].values():
            assert endpoint["returnedEntryType"] in known
            assert "{id}" in endpoint["url"]


# -- every data endpoint, GET and POST, every granularity ------------------------------------


@pytest.mark.parametrize("granularity", GRANULARITIES)
async def test_every_map_endpoint_answers_get_and_post(
    api: Client, schemas: Any, granularity: str
) -> None:
    for path, entry_id in await map_urls(api):
        got = await get_json(api, f"{path}?requestedGranularity={granularity}")
        posted = await post_json(
            api,
            path,
            {"meta": {"apiVersion": "v2.0.0"}, "query": {"requestedGranularity": granularity}},
        )
        for body in (got, posted):
            schemas.assert_response(body)
            assert body["meta"]["returnedGranularity"] == granularity, path
            assert body["meta"]["returnedSchemas"][0]["entityType"] == entry_id, path
        assert got["responseSummary"] == posted["responseSummary"], path


async def test_known_records_exist_at_their_single_entry_urls(api: Client) -> None:
    for entry in ENTRY_TYPES:
        body = await get_json(
            api, f"/api/{entry.path}/{KNOWN_IDS[entry.id]}?requestedGranularity=record"
        )
        assert body["responseSummary"] == {"exists": True, "numTotalResults": 1}, entry.path
        (result_set,) = body["response"]["resultSets"]
        (record,) = result_set["results"]
        key = "variantInternalId" if entry.id == "genomicVariant" else "id"
        assert record[key] == KNOWN_IDS[entry.id]
        assert not any(k.startswith("_") for k in record), "helper fields leaked"


async def test_unknown_record_is_a_no_hit_not_an_error(api: Client, schemas: Any) -> None:
    for entry in ENTRY_TYPES:
        body = await get_json(api, f"/api/{entry.path}/does-not-exist?requestedGranularity=record")
        schemas.assert_response(body)
        assert body["responseSummary"]["exists"] is False


@pytest.mark.parametrize("include", ["HIT", "MISS", "ALL", "NONE"])
async def test_include_resultset_responses(api: Client, schemas: Any, include: str) -> None:
    body = await get_json(
        api,
        "/api/g_variants?referenceName=17&start=7577120&alternateBases=A"
        f"&requestedGranularity=record&includeResultsetResponses={include}",
    )
    schemas.assert_response(body)
    ids = [(r["id"], r["exists"]) for r in body["response"]["resultSets"]]
    expected = {
        "HIT": [("ds1", True)],
        "MISS": [("ds2", False)],
        "ALL": [("ds1", True), ("ds2", False)],
        "NONE": [],
    }[include]
    assert ids == expected
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 1}


async def test_collections_list_datasets_and_cohorts(api: Client, schemas: Any) -> None:
    datasets = await get_json(api, "/api/datasets?requestedGranularity=record")
    schemas.assert_response(datasets)
    assert [d["id"] for d in datasets["response"]["collections"]] == ["ds1", "ds2"]
    cohorts = await get_json(api, "/api/cohorts?requestedGranularity=record")
    schemas.assert_response(cohorts)
    assert [d["id"] for d in cohorts["response"]["collections"]] == ["co1"]


# -- errors ----------------------------------------------------------------------------------


ERRORS: list[tuple[str, str, Any, int, str]] = [
    ("GET", "/api/individuals?colour=blue", None, 400, "colour"),
    ("GET", "/api/individuals?limit=ten", None, 400, "limit"),
    ("GET", "/api/individuals?skip=-1", None, 400, "skip"),
    ("GET", "/api/individuals?requestedGranularity=everything", None, 400, "requestedGranularity"),
    (
        "GET",
        "/api/individuals?includeResultsetResponses=SOME",
        None,
        400,
        "includeResultsetResponses",
    ),
    ("GET", "/api/individuals?testMode=maybe", None, 400, "testMode"),
    ("GET", "/api/g_variants?start=5", None, 400, "referenceName"),
    ("GET", "/api/g_variants?referenceName=17&start=5", None, 400, "alternateBases"),
    ("GET", "/api/g_variants?referenceName=17&start=5,6&end=9", None, 400, "start"),
    ("GET", "/api/g_variants?referenceName=chr99&start=5&end=9", None, 400, "referenceName"),
    ("GET", "/api/g_variants?referenceName=17&start=9&end=5", None, 400, "end"),
    (
        "GET",
        "/api/g_variants?referenceName=17&start=1&alternateBases=XYZ",
        None,
        400,
        "alternateBases",
    ),
    ("GET", "/api/g_variants?assemblyId=GRCh99", None, 400, "assemblyId"),
    ("GET", "/api/g_variants?datasetIds=nope", None, 400, "datasetIds"),
    ("GET", "/api/info?x=1", None, 400, "x"),
    ("GET", "/api/no_such_thing", None, 404, "/api/map"),
    ("DELETE", "/api/individuals", None, 405, "GET"),
    ("POST", "/api/info", {}, 405, "GET"),
    ("POST", "/api/individuals", "not json", 400, "JSON"),
    ("POST", "/api/individuals", {"meta": []}, 400, "meta"),
    ("POST", "/api/individuals", [1, 2], 400, "object"),
    ("POST", "/api/individuals", {"meta": {"apiVersion": " "}}, 400, "apiVersion"),
    (
        "POST",
        "/api/individuals",
        {"meta": {"apiVersion": "v2"}, "query": {"colour": 1}},
        400,
        "query.colour",
    ),
    (
        "POST",
        "/api/individuals",
        {"meta": {"apiVersion": "v2"}, "query": {"pagination": {"limit": "x"}}},
        400,
        "limit",
    ),
    (
        "POST",
        "/api/individuals",
        {"meta": {"apiVersion": "v2"}, "query": {"filters": [{"operator": "="}]}},
        400,
        "filters[0]",
    ),
    (
        "POST",
        "/api/individuals",
        {"meta": {"apiVersion": "v2"}, "query": {"filters": [{"id": "age", "value": "P70Y"}]}},
        400,
        "operator",
    ),
    (
        "POST",
        "/api/g_variants",
        {
            "meta": {"apiVersion": "v2"},
            "query": {"requestParameters": {"g_variant": {"start": [1, 2, 3]}}},
        },
        400,
        "start",
    ),
    (
        "POST",
        "/api/individuals",
        {
            "meta": {
                "apiVersion": "v2",
                "requestedSchemas": [{"entityType": "individual", "schema": "other"}],
            }
        },
        400,
        "requestedSchemas",
    ),
]


@pytest.mark.parametrize(("method", "path", "payload", "status", "mention"), ERRORS)
async def test_errors_are_beacon_error_responses(
    api: Client, schemas: Any, method: str, path: str, payload: Any, status: int, mention: str
) -> None:
    if isinstance(payload, str):
        response = await api.request(
            method, path, data=payload, headers={"Content-Type": "application/json"}
        )
    elif payload is not None:
        response = await api.request(method, path, json=payload)
    else:
        response = await api.request(method, path)
    body = await response.json()
    assert response.status == status, body
    schemas.assert_response(body)
    assert body["error"]["errorCode"] == status
    assert mention in body["error"]["errorMessage"]


async def test_oversized_body_is_413(node: Any, checklist: Any, schemas: Any) -> None:
    api = await node(BEACON_MAX_BODY_BYTES="1000")
    response = await api.post(
        "/api/individuals", json={"meta": {"apiVersion": "v2"}, "pad": "x" * 5000}
    )
    body = await response.json()
    assert response.status == 413
    schemas.assert_response(body)
