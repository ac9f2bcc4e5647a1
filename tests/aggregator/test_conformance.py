"""The network is a Beacon: every endpoint of its own /map, every granularity, GET and POST,
and its errors pass the same official-schema checks as the node's (checklist item 114)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from beacon.protocol.entry_types import ENTRY_TYPES
from tests.aggregator.conftest import get_json, post_json
from tests.conftest import Client
from tests.test_conformance import GRANULARITIES, local

#: Known ids as the network names them: collections carry the node prefix.
NETWORK_IDS = {
    "analysis": "an1",
    "biosample": "bs1",
    "cohort": "se:co1",
    "dataset": "dk:ds1",
    "genomicVariant": "17-7577121-G-A",
    "individual": "ind1",
    "run": "run1",
}


@pytest.fixture
async def federation(
    real_node: Callable[..., Awaitable[str]], network: Callable[..., Awaitable[Client]]
) -> Client:
    urls = [(node_id, await real_node(node_id)) for node_id in ("se", "fi", "dk")]
    return await network(urls)


async def map_urls(client: Client) -> list[tuple[str, str]]:
    body = await get_json(client, "/api/map")
    urls = []
    for entry_id, endpoint_set in body["response"]["endpointSets"].items():
        urls.append((local(endpoint_set["rootUrl"]), entry_id))
        urls.append(
            (local(endpoint_set["singleEntryUrl"].replace("{id}", NETWORK_IDS[entry_id])), entry_id)
        )
        for endpoint in endpoint_set["endpoints"].values():
            path = endpoint["url"].replace("{id}", NETWORK_IDS[entry_id])
            urls.append((local(path), endpoint["returnedEntryType"]))
    return urls


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api", "info"),
        ("/api/info", "info"),
        ("/api/service-info", "service-info"),
        ("/api/?requestedSchema=ga4gh-service-info-v1.0", "service-info"),
        ("/api/configuration", "configuration"),
        ("/api/map", "map"),
        ("/api/entry_types", "entry_types"),
        ("/api/filtering_terms", "filtering_terms"),
        ("/api/individuals/filtering_terms", "filtering_terms"),
        ("/api/datasets/se:ds1/filtering_terms", "filtering_terms"),
    ],
)
async def test_informational_endpoints_are_schema_valid(
    federation: Client, schemas: Any, path: str, kind: str
) -> None:
    body = await get_json(federation, path)
    schemas.assert_valid(body, schemas.RESPONSE_SCHEMAS[kind])
    if kind == "service-info":
        assert body["id"] == "org.example.network"
    else:
        assert body["meta"]["beaconId"] == "org.example.network"


async def test_info_describes_the_network(federation: Client) -> None:
    body = await get_json(federation, "/api/info")
    assert body["response"]["id"] == body["meta"]["beaconId"] == "org.example.network"
    network = body["response"]["info"]["network"]
    assert [(m["nodeId"], m["beaconId"]) for m in network] == [
        ("se", "se.example.beacon"),
        ("fi", "fi.example.beacon"),
        ("dk", "dk.example.beacon"),
    ]
    assert body["response"]["info"]["isAggregator"] is True


async def test_filtering_terms_are_the_union_of_the_nodes(federation: Client) -> None:
    body = await get_json(federation, "/api/filtering_terms")
    ids = [t["id"] for t in body["response"]["filteringTerms"]]
    assert len(ids) == len(set(ids))
    assert {"NCIT:C16576", "NCIT:C20197"} <= set(ids)  # female (se, dk) and male (all)


@pytest.mark.parametrize("granularity", GRANULARITIES)
async def test_every_map_endpoint_answers_get_and_post(
    federation: Client, schemas: Any, granularity: str
) -> None:
    for path, entry_id in await map_urls(federation):
        got = await get_json(federation, f"{path}?requestedGranularity={granularity}")
        posted = await post_json(
            federation,
            path,
            {"meta": {"apiVersion": "v2.0.0"}, "query": {"requestedGranularity": granularity}},
        )
        for body in (got, posted):
            schemas.assert_response(body)
            assert body["meta"]["returnedGranularity"] == granularity, path
            assert body["meta"]["returnedSchemas"][0]["entityType"] == entry_id, path
            assert {n["status"] for n in body["info"]["nodes"]} <= {"ok", "skipped"}, path
        assert got["responseSummary"] == posted["responseSummary"], path


async def test_known_records_exist_through_the_network(federation: Client) -> None:
    for entry in ENTRY_TYPES:
        body = await get_json(
            federation, f"/api/{entry.path}/{NETWORK_IDS[entry.id]}?requestedGranularity=record"
        )
        assert body["responseSummary"]["exists"] is True, entry.path
        sets = body["response"]["resultSets"]
        assert sets, entry.path
        # The dataset's own id, and the beacon it comes from beside it.
        assert all(":" not in s["id"] and s["beaconId"].endswith(".example.beacon") for s in sets)


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "mention"),
    [
        ("GET", "/api/individuals?colour=blue", None, 400, "colour"),
        ("GET", "/api/g_variants?referenceName=17&start=5", None, 400, "alternateBases"),
        ("GET", "/api/info?x=1", None, 400, "x"),
        ("GET", "/api/no_such_thing", None, 404, "/api/map"),
        ("DELETE", "/api/individuals", None, 405, "GET"),
        ("POST", "/api/individuals", {"meta": []}, 400, "meta"),
        ("POST", "/api/individuals", "not json", 400, "JSON"),
    ],
)
async def test_errors_are_beacon_error_responses(
    federation: Client,
    schemas: Any,
    method: str,
    path: str,
    payload: Any,
    status: int,
    mention: str,
) -> None:
    if isinstance(payload, str):
        response = await federation.request(
            method, path, data=payload, headers={"Content-Type": "application/json"}
        )
    else:
        response = await federation.request(method, path, json=payload)
    body = await response.json()
    assert response.status == status, body
    schemas.assert_response(body)
    assert body["error"]["errorCode"] == status
    assert mention in body["error"]["errorMessage"]


async def test_all_nodes_down_is_a_valid_503(
    network: Callable[..., Awaitable[Client]], down_url: str, schemas: Any
) -> None:
    client = await network([("down", down_url)])
    body = await get_json(client, "/api/individuals", status=503)
    schemas.assert_response(body)
    assert body["info"]["nodes"][0]["status"] == "error"
