"""Privacy protections over HTTP: thresholds and rounding, query budgets, the audit log.

Checklist counts used below: individuals ds1 = 2 (ind1, ind3), ds2 = 1 (ind2).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from beacon.store.client import Database
from tests.auth import DAC, Issuers, bearer, grant_value
from tests.conftest import Client
from tests.node.conftest import Configured


def policies(ds1: str, ds2: str) -> str:
    return f"""
[[access.datasets]]
id = "ds1"
security_level = "PUBLIC"
{ds1}

[[access.datasets]]
id = "ds2"
security_level = "CONTROLLED"
visa_values = ["{grant_value("ds2")}"]
visa_issuers = ["{DAC}"]
public = "count"
{ds2}
"""


async def get(api: Client, path: str, token: str | None = None, **params: str) -> Any:
    headers = bearer(token) if token else {}
    response = await api.get(path, params=params, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    return body


def result_sets(body: dict[str, Any]) -> dict[str, Any]:
    return {
        s["id"]: (s["exists"], s["resultsCount"], [r["id"] for r in s["results"]], s.get("info"))
        for s in body["response"]["resultSets"]
    }


# -- thresholds and rounding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ds1", "ds2", "granularity", "summary"),
    [
        # ds1's 2 individuals are under its threshold of 3: not reported at all
        ("min_count = 3", "", "count", {"exists": True, "numTotalResults": 1}),
        ("min_count = 3", "", "boolean", {"exists": True}),
        ("min_count = 3", "min_count = 3", "boolean", {"exists": False}),
        ("min_count = 3", "min_count = 3", "count", {"exists": False, "numTotalResults": 0}),
        # as a range: "fewer than 3", reported as 3
        (
            'min_count = 3\nsmall_counts = "range"',
            "",
            "count",
            {"exists": True, "numTotalResults": 4},
        ),
        # a caller who may see the records, asking for a count: rounded up to multiples of 5
        ("round_to = 5", "round_to = 5", "count", {"exists": True, "numTotalResults": 10}),
        # ds2's one individual is under its threshold of 2 for a caller capped at count
        (
            "min_count = 2\nround_to = 5",
            "min_count = 2",
            "count",
            {"exists": True, "numTotalResults": 5},
        ),
    ],
)
async def test_counts_are_thresholded_and_rounded_per_dataset(
    checklist: Database,
    configured: Configured,
    schemas: Any,
    ds1: str,
    ds2: str,
    granularity: str,
    summary: dict[str, Any],
) -> None:
    api = await configured(policies(ds1, ds2))
    body = await get(api, "/api/individuals", requestedGranularity=granularity)
    schemas.assert_response(body)
    assert body["responseSummary"] == summary


async def test_suppressed_counts_never_come_with_records(
    checklist: Database, configured: Configured, issuers: Issuers, schemas: Any
) -> None:
    api = await configured(policies("min_count = 3", 'min_count = 3\nsmall_counts = "range"'))
    token = issuers.login.passport(issuers.grant("ds2"))
    body = await get(
        api,
        "/api/individuals",
        token,
        requestedGranularity="record",
        includeResultsetResponses="ALL",
    )
    schemas.assert_response(body)
    imprecise = {"countPrecision": "imprecise", "countAdjustedTo": [3]}
    assert result_sets(body) == {
        "ds1": (False, 0, [], None),
        "ds2": (True, 3, [], imprecise),
    }
    # the same protection on a single-record endpoint and at boolean level
    one = await get(api, "/api/individuals/ind1", requestedGranularity="record")
    assert one["responseSummary"] == {"exists": False, "numTotalResults": 0}


async def test_rounding_applies_below_record_level_only(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(policies("round_to = 5", 'round_to = 5\nregistered = "count"'))
    token = issuers.login.passport(*issuers.bona_fide())
    body = await get(api, "/api/individuals", token, requestedGranularity="record", limit="0")
    # ds1 answered at record level: exact, with its records; ds2 at count level: rounded
    assert result_sets(body) == {
        "ds1": (True, 2, ["ind1", "ind3"], None),
        "ds2": (True, 5, [], {"countPrecision": "rounded", "returnedGranularity": "count"}),
    }
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 7}


# -- budgets ---------------------------------------------------------------------------------


async def test_budget_exhaustion_is_429_and_informational_endpoints_stay_open(
    checklist: Database, configured: Configured, issuers: Issuers, schemas: Any
) -> None:
    api = await configured(
        policies("", ""), BEACON_BUDGET_ANONYMOUS="3", BEACON_BUDGET_IDENTITY="2"
    )
    for _ in range(3):
        assert (await api.get("/api/individuals")).status == 200
    refused = await api.post("/api/g_variants", json={"meta": {"apiVersion": "v2.0.0"}})
    body = await refused.json()
    assert refused.status == 429, body
    schemas.assert_response(body)
    assert int(refused.headers["Retry-After"]) >= 1
    assert "3 data queries per 60 s per client address" in body["error"]["errorMessage"]
    for path in ("/api/info", "/api/map", "/api/configuration", "/api/filtering_terms"):
        assert (await api.get(path)).status != 429, path
    # an authenticated caller has a budget of their own
    token = bearer(issuers.login.passport())
    assert [(await api.get("/api/runs", headers=token)).status for _ in range(3)] == [200, 200, 429]


async def test_budget_per_client_address_behind_a_proxy(
    checklist: Database, configured: Configured
) -> None:
    api = await configured(
        policies("", ""), BEACON_BUDGET_ANONYMOUS="1", BEACON_CLIENT_IP_HEADER="X-Forwarded-For"
    )

    async def status(forwarded: str) -> int:
        response = await api.get("/api/runs", headers={"X-Forwarded-For": forwarded})
        return response.status

    # the last entry is the one the proxy added; a client cannot choose it
    assert await status("1.1.1.1, 10.0.0.1") == 200
    assert await status("2.2.2.2, 10.0.0.1") == 429
    assert await status("10.0.0.2") == 200


async def test_the_proxy_header_is_believed_only_from_trusted_proxies(
    checklist: Database, configured: Configured
) -> None:
    header = {"BEACON_CLIENT_IP_HEADER": "X-Forwarded-For", "BEACON_BUDGET_ANONYMOUS": "1"}
    elsewhere = await configured(policies("", ""), BEACON_TRUSTED_PROXIES="10.0.0.0/8", **header)
    # The test client (127.0.0.1) is no trusted proxy: rotating the header buys nothing.
    statuses = []
    for n in range(2):
        response = await elsewhere.get("/api/runs", headers={"X-Forwarded-For": f"10.9.9.{n}"})
        statuses.append(response.status)
    assert statuses == [200, 429]
    proxied = await configured(policies("", ""), BEACON_TRUSTED_PROXIES="127.0.0.0/8", **header)
    for n in range(2):
        response = await proxied.get("/api/runs", headers={"X-Forwarded-For": f"10.9.9.{n}"})
        assert response.status == 200


# -- audit -----------------------------------------------------------------------------------


async def test_audit_log_says_who_asked_what_and_never_logs_tokens(
    checklist: Database,
    configured: Configured,
    issuers: Issuers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    api = await configured(policies("", ""), BEACON_BUDGET_ANONYMOUS="1")
    token = issuers.login.passport(issuers.grant("ds2"), issuers.grant("ds2", lifetime=-60))
    await get(
        api, "/api/g_variants", token, referenceName="17", start="7577120", alternateBases="A"
    )
    await get(api, "/api/individuals", requestedGranularity="record")
    expired = issuers.login.passport(lifetime=-60)
    assert (await api.get("/api/individuals", headers=bearer(expired))).status == 401
    assert (await api.get("/api/individuals")).status == 429
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "beacon.audit"]
    assert [line["outcome"] for line in lines] == ["answered", "answered", "rejected", "throttled"]
    authed, anonymous, rejected, throttled = lines
    assert authed["subject"] == "researcher@example.org"
    assert authed["issuer"] == "https://login.test"
    assert authed["datasets"] == {"ds1": "record", "ds2": "record"}
    assert authed["requestParameters"]["g_variant"]["referenceName"] == "17"
    assert "address" not in authed
    assert anonymous["subject"] == "anonymous"
    assert anonymous["address"] == "127.0.0.1"
    assert anonymous["datasets"] == {"ds1": "record", "ds2": "count"}
    assert anonymous["returnedGranularity"] == "record"
    assert "has expired" in rejected["reason"]
    assert "budget" in throttled["reason"]
    for line in lines:
        assert line["requestId"]
        assert line["path"].startswith("/api/")
    for secret in (token, expired, token.split(".")[2], expired.split(".")[2]):
        assert secret not in caplog.text


async def test_count_answers_say_their_total_is_not_exact(
    checklist: Database, configured: Configured
) -> None:
    api = await configured(policies("round_to = 5", "round_to = 5"))
    rounded = await get(api, "/api/individuals", requestedGranularity="count")
    assert rounded["responseSummary"] == {"exists": True, "numTotalResults": 10}
    assert rounded["info"] == {"countPrecision": "rounded"}
    exact = await get(
        await configured(policies("", "")), "/api/individuals", requestedGranularity="count"
    )
    assert "info" not in exact


async def test_budget_exempt_addresses(checklist: Database, configured: Configured) -> None:
    api = await configured(
        policies("", ""), BEACON_BUDGET_ANONYMOUS="1", BEACON_BUDGET_EXEMPT="127.0.0.1"
    )
    for _ in range(3):
        assert (await api.get("/api/individuals")).status == 200
    limited = await configured(policies("", ""), BEACON_BUDGET_ANONYMOUS="1")
    assert (await limited.get("/api/individuals")).status == 200
    assert (await limited.get("/api/individuals")).status == 429
