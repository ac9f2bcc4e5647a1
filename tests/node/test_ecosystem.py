"""What the ecosystem's clients send a node, answered as they expect (issue 12).

The GDI User Portal calls ``{base}/v2.0.0/individuals``; the EGA UI and validators ask
``/info?requestedSchema=`` and POST to every ``/filtering_terms``; a second listening port (the
demo's 8060 for browsers) advertises itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from beacon.protocol.entry_types import SPEC_VERSION
from tests.conftest import Client


async def body_of(api: Client, method: str, path: str, status: int = 200, **kw: Any) -> Any:
    response = await api.request(method, path, **kw)
    body = await response.json()
    assert response.status == status, body
    return body


@pytest.mark.parametrize("version", ["v2.0.0", SPEC_VERSION])
async def test_the_versioned_prefix_answers_as_the_plain_paths(api: Client, version: str) -> None:
    question = {"meta": {"apiVersion": "2.0"}, "query": {"requestedGranularity": "count"}}
    for method, path, payload in [
        ("GET", "/individuals?requestedGranularity=count", None),
        ("POST", "/individuals", question),
        ("GET", "/datasets/ds1/individuals?requestedGranularity=count", None),
        ("POST", "/g_variants", {**question, "query": {"requestedGranularity": "count"}}),
    ]:
        plain = await body_of(api, method, f"/api{path}", json=payload)
        aliased = await body_of(api, method, f"/api/{version}{path}", json=payload)
        assert aliased["responseSummary"] == plain["responseSummary"], path
        assert aliased["responseSummary"]["numTotalResults"] > 0
    for path in ("", "/info", "/map", "/filtering_terms", "/individuals/filtering_terms"):
        plain = await body_of(api, "GET", f"/api{path}")
        assert await body_of(api, "GET", f"/api/{version}{path}") == plain, path
    # /map names the plain paths, the ones every client knows.
    urls = (await body_of(api, "GET", f"/api/{version}/map"))["response"]["endpointSets"]
    assert all(f"/{version}/" not in s["rootUrl"] for s in urls.values())
    await body_of(api, "GET", "/api/v1.0.0/individuals", status=404)


async def test_info_takes_requested_schema(api: Client) -> None:
    info = await body_of(api, "GET", "/api/info")
    for value in ("", "beacon-info-v2.0.0", "https://example.org/beaconInfoResponse.json"):
        assert await body_of(api, "GET", f"/api/info?requestedSchema={value}") == info
    service = await body_of(api, "GET", "/api/info?requestedSchema=ga4gh-service-info-v1.0")
    assert service["type"]["artifact"] == "beacon"
    assert service == await body_of(api, "GET", "/api/service-info")
    await body_of(api, "GET", "/api/info?colour=red", status=400)


@pytest.mark.parametrize(
    "path",
    [
        "/api/filtering_terms",
        "/api/individuals/filtering_terms",
        "/api/datasets/ds1/filtering_terms",
        "/api/cohorts/co1/filtering_terms",
    ],
)
async def test_every_filtering_terms_endpoint_answers_post(api: Client, path: str) -> None:
    listed = await body_of(api, "GET", path)
    assert listed["response"]["filteringTerms"], path
    assert await body_of(api, "POST", path) == listed
    assert await body_of(api, "POST", path, json={"meta": {"apiVersion": "v2.0.0"}}) == listed
    paged = await body_of(
        api, "POST", path, json={"meta": {}, "query": {"pagination": {"skip": 1, "limit": 1}}}
    )
    assert paged["response"]["filteringTerms"] == listed["response"]["filteringTerms"][1:2]
    # What a filtering-terms request cannot mean is refused, naming it.
    refused = await body_of(
        api, "POST", path, status=400, json={"query": {"filters": [{"id": "HP:0001250"}]}}
    )
    assert "filters" in refused["error"]["errorMessage"]


async def test_the_individuals_terms_are_not_an_individual(api: Client) -> None:
    """``POST /individuals/filtering_terms`` was answered as the individual with id
    ``filtering_terms``."""
    body = await body_of(api, "POST", "/api/individuals/filtering_terms", json={})
    assert "filteringTerms" in body["response"]
    assert "resultSets" not in body["response"]


async def test_urls_name_the_port_the_request_arrived_on(api: Client) -> None:
    """Without server.base_url, a beacon listening on a second port (the demo's 8060: browsers
    refuse 5060) names that port to whoever asked on it; the host stays the configured one."""
    port = api.server.port
    info = (await body_of(api, "GET", "/api/info"))["response"]
    assert info["alternativeUrl"] == f"http://127.0.0.1:{port}/api"
    assert info["organization"]["logoUrl"] == f"http://127.0.0.1:{port}/static/logo.svg"
    sets = (await body_of(api, "GET", "/api/map"))["response"]["endpointSets"]
    assert sets["individual"]["rootUrl"] == f"http://127.0.0.1:{port}/api/individuals"
    lying = await body_of(api, "GET", "/api/info", headers={"Host": "evil.example:1"})
    assert lying["response"]["alternativeUrl"] == f"http://127.0.0.1:{port}/api"


async def test_a_dataset_counted_in_answers_is_listed_in_datasets(
    checklist: Any, node: Any, tmp_path: Any
) -> None:
    """Whoever sees a dataset counted sees it named in result sets: /datasets lists its record
    for that caller too. One seen only as yes/no is named nowhere, and stays unlisted."""
    listed = {}
    for level in ("count", "boolean"):
        config = tmp_path / f"{level}.toml"
        config.write_text(
            f'[[access.datasets]]\nid = "ds1"\nsecurity_level = "REGISTERED"\npublic = "{level}"\n'
            '\n[[access.datasets]]\nid = "ds2"\nsecurity_level = "PUBLIC"\n'
        )
        api = await node(BEACON_CONFIG=str(config), BEACON_UNDECLARED_DATASETS="hidden")
        question = "?requestedGranularity=record&includeResultsetResponses=ALL"
        answered = await body_of(api, "GET", f"/api/individuals{question}")
        named = sorted(s["id"] for s in answered["response"]["resultSets"])
        datasets = await body_of(api, "GET", "/api/datasets?requestedGranularity=record")
        listed[level] = (named, sorted(d["id"] for d in datasets["response"]["collections"]))
        if level == "count":
            one = await body_of(api, "GET", "/api/datasets/ds1?requestedGranularity=record")
            records = [r["id"] for s in one["response"]["resultSets"] for r in s["results"]]
            assert records == ["ds1"]
            # The records of its people stay out of reach.
            path = "/api/datasets/ds1/individuals?requestedGranularity=record"
            people = await body_of(api, "GET", path)
            assert people["meta"]["returnedGranularity"] == "count"
    assert listed == {"count": (["ds1", "ds2"], ["ds1", "ds2"]), "boolean": (["ds2"], ["ds2"])}
