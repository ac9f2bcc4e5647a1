"""Entry endpoints over the checklist fixture: cross-entry links, pagination, scope, test mode."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.store.client import Database
from ingest import pipeline
from tests.conftest import CHECKLIST, Client

SNV1 = "17-7577121-G-A"


async def ids(api: Client, path: str, **params: str) -> list[str]:
    """Ids of all records a path returns (record granularity, all pages in one)."""
    query = {"requestedGranularity": "record", "limit": "0", **params}
    response = await api.get(path, params=query)
    body = await response.json()
    assert response.status == 200, body
    found = []
    for result_set in body["response"]["resultSets"]:
        for record in result_set["results"]:
            found.append(record.get("id") or record.get("variantInternalId"))
    return sorted(found)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/api/g_variants/{SNV1}/biosamples", ["bs1"]),
        (f"/api/g_variants/{SNV1}/individuals", ["ind1"]),
        (f"/api/g_variants/{SNV1}/runs", ["run1"]),
        (f"/api/g_variants/{SNV1}/analyses", ["an1"]),
        ("/api/individuals/ind2/g_variants", ["17-2000-C-CTT", "17-5000001-DEL-5100000"]),
        ("/api/biosamples/bs1/g_variants", ["17-1000-AT-A", SNV1]),
        ("/api/runs/run1/g_variants", ["17-1000-AT-A", SNV1]),
        ("/api/analyses/an2/g_variants", ["17-2000-C-CTT", "17-5000001-DEL-5100000"]),
        ("/api/individuals/ind3/g_variants", []),
        ("/api/datasets/ds2/g_variants", ["17-2000-C-CTT", "17-5000001-DEL-5100000"]),
        ("/api/datasets/ds1/individuals", ["ind1", "ind3"]),
        ("/api/datasets/ds1/biosamples", ["bs1", "bs3"]),
        ("/api/datasets/ds2/runs", ["run2"]),
        ("/api/datasets/ds2/analyses", ["an2"]),
        ("/api/cohorts/co1/individuals", ["ind1"]),
        ("/api/cohorts/co1/biosamples", ["bs1"]),
        ("/api/cohorts/co1/runs", ["run1"]),
        ("/api/cohorts/co1/analyses", ["an1"]),
        ("/api/cohorts/co1/g_variants", ["17-1000-AT-A", SNV1]),
        ("/api/individuals/ind1/biosamples", ["bs1"]),
        ("/api/individuals/ind1/runs", ["run1"]),
        ("/api/individuals/ind1/analyses", ["an1"]),
        ("/api/biosamples/bs1/runs", ["run1"]),
        ("/api/biosamples/bs1/analyses", ["an1"]),
        ("/api/runs/run2/analyses", ["an2"]),
        ("/api/individuals/nobody/g_variants", []),
        ("/api/datasets/nope/individuals", []),
    ],
)
async def test_cross_entry_endpoints(api: Client, path: str, expected: list[str]) -> None:
    assert await ids(api, path) == expected


async def test_pagination_skip_counts_pages(api: Client) -> None:
    everything = await ids(api, "/api/g_variants", assemblyId="GRCh38")
    assert len(everything) == 4
    pages = []
    for page in range(4):
        response = await api.get(
            "/api/g_variants",
            params={
                "assemblyId": "GRCh38",
                "requestedGranularity": "record",
                "limit": "1",
                "skip": str(page),
                "includeResultsetResponses": "ALL",
            },
        )
        body = await response.json()
        assert body["responseSummary"]["numTotalResults"] == 4  # never depends on the page
        assert body["meta"]["receivedRequestSummary"]["pagination"] == {"skip": page, "limit": 1}
        pages.append(
            [r["variantInternalId"] for s in body["response"]["resultSets"] for r in s["results"]]
        )
    # One page per dataset result set: each set holds its own page of one.
    flat = sorted(v for page in pages for v in page)
    assert flat == everything


async def test_limit_zero_means_all_and_is_echoed(api: Client) -> None:
    response = await api.get(
        "/api/individuals", params={"limit": "0", "requestedGranularity": "record"}
    )
    body = await response.json()
    assert body["meta"]["receivedRequestSummary"]["pagination"] == {"skip": 0, "limit": 1000}
    assert sum(len(s["results"]) for s in body["response"]["resultSets"]) == 3


async def test_dataset_ids_restrict_the_scope(api: Client) -> None:
    assert await ids(api, "/api/individuals", datasetIds="ds2") == ["ind2"]
    posted = await api.post(
        "/api/individuals",
        json={
            "meta": {"apiVersion": "v2.0.0"},
            "query": {
                "requestParameters": {"datasets": {"datasetIds": ["ds1"]}},
                "requestedGranularity": "count",
            },
        },
    )
    assert (await posted.json())["responseSummary"] == {"exists": True, "numTotalResults": 2}


async def test_granularity_default_and_cap(node: Any, checklist: Database) -> None:
    api = await node(BEACON_DEFAULT_GRANULARITY="boolean", BEACON_MAX_GRANULARITY="count")
    default = await (await api.get("/api/individuals")).json()
    assert default["meta"]["returnedGranularity"] == "boolean"
    assert default["responseSummary"] == {"exists": True}
    capped = await (await api.get("/api/individuals?requestedGranularity=record")).json()
    assert capped["meta"]["returnedGranularity"] == "count"
    assert "response" not in capped
    assert capped["meta"]["receivedRequestSummary"]["requestedGranularity"] == "record"


async def test_test_mode_answers_from_test_datasets_only(
    api: Client, db: Database, run_options: pipeline.RunOptions
) -> None:
    options = pipeline.RunOptions(run_options.settings, test=True)
    await pipeline.run_metadata(db, "dsTest", [CHECKLIST / "ds2" / "individuals.json"], options)
    normal = await ids(api, "/api/individuals")
    assert normal == ["ind1", "ind2", "ind3"]
    response = await api.get(
        "/api/individuals", params={"testMode": "true", "requestedGranularity": "record"}
    )
    body = await response.json()
    assert body["meta"]["testMode"] is True
    assert [s["id"] for s in body["response"]["resultSets"]] == ["dsTest"]


async def test_reload_replaces_atomically(
    api: Client, db: Database, run_options: pipeline.RunOptions
) -> None:
    before = await db.list_collection_names()
    await pipeline.run_metadata(db, "ds1", [CHECKLIST / "ds1"], run_options)
    after = await db.list_collection_names()
    assert len(after) == len(before), "the replaced load's collections were not dropped"
    assert await ids(api, "/api/individuals", datasetIds="ds1") == ["ind1", "ind3"]


async def test_cors_preflight_and_headers(api: Client) -> None:
    preflight = await api.options(
        "/api/individuals",
        headers={"Origin": "https://ui.example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    got = await api.get("/api/info", headers={"Origin": "https://ui.example.org"})
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    error = await api.get("/api/nowhere", headers={"Origin": "https://ui.example.org"})
    assert error.status == 404
    assert error.headers["Access-Control-Allow-Origin"] == "*"


async def test_cors_allowlist(node: Any, checklist: Database) -> None:
    api = await node(BEACON_CORS_ORIGINS="https://ok.example.org")
    ok = await api.get("/api/info", headers={"Origin": "https://ok.example.org"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://ok.example.org"
    other = await api.get("/api/info", headers={"Origin": "https://evil.example.org"})
    assert "Access-Control-Allow-Origin" not in other.headers


async def test_health_and_request_ids(api: Client) -> None:
    response = await api.get("/health", headers={"X-Request-Id": "abc-123"})
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["X-Request-Id"] == "abc-123"
    generated = await api.get("/api/info")
    assert len(generated.headers["X-Request-Id"]) == 32


async def test_health_reports_an_unreachable_database(
    aiohttp_client: Any, make_settings: Any
) -> None:
    from beacon.node.app import create_app

    app = create_app(make_settings(BEACON_DB_TIMEOUT_MS="300"), "mongodb://127.0.0.1:9/")
    api = await aiohttp_client(app)
    response = await api.get("/api/health")
    assert response.status == 503
    query = await api.get("/api/individuals")
    body = await query.json()
    assert query.status == 503
    assert "database is not reachable" in body["error"]["errorMessage"]


async def test_info_update_time_is_the_data_version(
    api: Client, db: Database, run_options: pipeline.RunOptions
) -> None:
    import datetime as dt

    from beacon.store import catalog

    entries = await catalog.read(db)
    latest = max(e.updated for e in entries.values() if e.updated)
    info = await (await api.get("/api/info")).json()
    assert info["response"]["updateDateTime"] == latest.strftime("%Y-%m-%dT%H:%M:%SZ")
    await pipeline.run_metadata(db, "ds2", [CHECKLIST / "ds2"], run_options)
    again = await (await api.get("/api/info")).json()
    assert again["response"]["updateDateTime"] >= info["response"]["updateDateTime"]
    service = await (await api.get("/api/service-info")).json()
    assert service["updatedAt"] == again["response"]["updateDateTime"]
    assert dt.datetime.strptime(service["updatedAt"], "%Y-%m-%dT%H:%M:%SZ")


async def test_related_records_page_in_order(api: Client) -> None:
    """Relations answered from the sample index page like any other query."""
    seen = []
    for page in range(3):
        response = await api.get(
            "/api/biosamples/bs1/g_variants",
            params={"requestedGranularity": "record", "limit": "1", "skip": str(page)},
        )
        body = await response.json()
        assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}
        seen += [
            r["variantInternalId"] for s in body["response"]["resultSets"] for r in s["results"]
        ]
    assert seen == ["17-1000-AT-A", "17-7577121-G-A"]  # genomic order, each once


def test_sample_table_maps_both_ways() -> None:
    from beacon.node.execute import SampleTable

    table = SampleTable.build(
        [
            {"_id": 0, "biosampleId": "b0", "individualId": "p0"},
            {"_id": 2, "biosampleId": "b2"},
            {"_id": 1, "biosampleId": "b1", "individualId": "p0"},
        ]
    )
    assert table.indices("individualId", ["p0", "nobody"]).tolist() == [0, 1]
    assert table.values("biosampleId", [2, 0, 7]) == ["b0", "b2"]
    assert table.values("individualId", [2]) == []
