"""Nothing of a controlled dataset reaches a caller without its grant, on any endpoint.

The proof is a comparison: the node holding ds1 and the controlled ds2 must answer an
unauthorised caller exactly as a node that never loaded ds2 answers — every endpoint of /map
with ds1's and ds2's record ids, GET and POST, every granularity, plus the informational
endpoints and a few targeted queries. When ds2 is configured boolean-only for the public, its
share of ``exists`` may show, and nothing else: no id, no record, no count.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from beacon.store import client as store_client
from beacon.store.client import Database
from ingest import pipeline
from tests.auth import DAC, Issuers, access_toml, bearer, grant_value, write_config
from tests.conftest import CHECKLIST, Client, ClientFactory

IDS = {
    "ds1": {
        "analysis": "an1",
        "biosample": "bs1",
        "cohort": "co1",
        "dataset": "ds1",
        "genomicVariant": "17-7577121-G-A",
        "individual": "ind1",
        "run": "run1",
    },
    "ds2": {
        "analysis": "an2",
        "biosample": "bs2",
        "cohort": "co1",
        "dataset": "ds2",
        "genomicVariant": "17-2000-C-CTT",
        "individual": "ind2",
        "run": "run2",
    },
}
INFORMATIONAL = [
    "/api",
    "/api/info",
    "/api/service-info",
    "/api/configuration",
    "/api/map",
    "/api/entry_types",
    "/api/filtering_terms",
    "/api/individuals/filtering_terms",
    "/api/datasets/ds1/filtering_terms",
    "/api/datasets/ds2/filtering_terms",
]
QUERIES = [
    "/api/g_variants?referenceName=17&start=1999&referenceBases=C&alternateBases=CTT",
    "/api/g_variants?referenceName=17&start=1000&end=6000000",
    "/api/g_variants?datasetIds=ds2",
    "/api/individuals?datasetIds=ds1,ds2",
    "/api/biosamples?testMode=true",
]


def policies(public: str) -> str:
    return f"""
[[access.datasets]]
id = "ds1"
security_level = "PUBLIC"

[[access.datasets]]
id = "ds2"
security_level = "CONTROLLED"
visa_values = ["{grant_value("ds2")}"]
visa_issuers = ["{DAC}"]
public = "{public}"
registered = "{public}"
"""


@pytest.fixture
async def baseline_db(mongo_uri: str, run_options: pipeline.RunOptions) -> AsyncIterator[str]:
    """A second database holding ds1 alone: what a node that never had ds2 knows."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    client = store_client.connect(mongo_uri)
    db = client[name]
    await pipeline.run_metadata(db, "ds1", [CHECKLIST / "ds1"], run_options)
    await pipeline.run_bff_variants(
        db, "ds1", CHECKLIST / "ds1" / "genomicVariations.json", "GRCh38", run_options
    )
    try:
        yield name
    finally:
        await client.drop_database(name)
        await client.close()


def local(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


async def walk(api: Client) -> list[str]:
    """Every /map URL with ds1's and ds2's ids, then the extra queries."""
    response = await api.get("/api/map")
    endpoint_sets = (await response.json())["response"]["endpointSets"]
    urls: list[str] = []
    for ids in IDS.values():
        for entry_id, endpoint_set in endpoint_sets.items():
            templates = [endpoint_set["rootUrl"], endpoint_set["singleEntryUrl"]]
            templates += [e["url"] for e in endpoint_set.get("endpoints", {}).values()]
            urls += [local(t).replace("{id}", ids[entry_id]) for t in templates]
    return sorted(set(urls)) + QUERIES


async def answers(api: Client, urls: list[str], headers: dict[str, str]) -> list[Any]:
    """(request, status, body) for every URL: GET and POST at every granularity."""
    found = []
    for n, path in enumerate(urls):
        for granularity in ("boolean", "count", "record"):
            # a fixed request id, so that even error bodies compare equal
            sent = {**headers, "X-Request-Id": f"walk-{n}-{granularity}"}
            separator = "&" if "?" in path else "?"
            got = await api.get(
                f"{path}{separator}requestedGranularity={granularity}", headers=sent
            )
            found.append((("GET", path, granularity), got.status, await got.json()))
            if "?" in path:
                continue  # GET-only queries: their POST forms are covered by the map walk
            body = {
                "meta": {"apiVersion": "v2.0.0"},
                "query": {"requestedGranularity": granularity},
            }
            posted = await api.post(path, json=body, headers=sent)
            found.append((("POST", path, granularity), posted.status, await posted.json()))
    for n, path in enumerate(INFORMATIONAL):
        got = await api.get(path, headers={**headers, "X-Request-Id": f"info-{n}"})
        found.append((("GET", path, ""), got.status, await got.json()))
    return found


DS2_IDS = ("ds2", "ind2", "bs2", "run2", "an2", "17-2000-C-CTT", "x1999", "17-5000001", "x5000000")


def terms(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = body["response"]["filteringTerms"]
    return found


def boolean_only_leaks(found: list[Any], expected: list[Any]) -> list[Any]:
    """What a boolean-only ds2 shows beyond its share of ``exists``: ids, records or counts.

    Its existence may change the shape (a scope of ds2 alone answers at boolean level, and
    ``datasetIds=ds2`` becomes valid), so this checks what the answer carries, not its shape.
    """
    leaks: list[Any] = []
    for (request, status, body), (_, base_status, base) in zip(found, expected, strict=True):
        carried = {k: v for k, v in body.items() if k != "meta"}
        named = [i for i in DS2_IDS if i in str(carried)]
        if named:
            leaks.append((request, "names", named))
        if status != 200 or base_status != 200:
            continue
        total = body.get("responseSummary", {}).get("numTotalResults")
        if total is not None and total != base["responseSummary"].get("numTotalResults"):
            leaks.append((request, "counts", total))
        if "filtering_terms" in request[1]:
            # the term ids of a boolean-visible dataset are public; the values of its fields not
            known = {(t["type"], t["id"]): t.get("values", []) for t in terms(base)}
            for key, values in {(t["type"], t["id"]): t.get("values") for t in terms(body)}.items():
                if values and not set(values) <= set(known.get(key, [])):
                    leaks.append((request, "values", key))
        elif "response" in body and body["response"] != base.get("response"):
            leaks.append((request, "records", body["response"]))
    return leaks


def differences(a: list[Any], b: list[Any]) -> list[Any]:
    return [(x[0], x[1], y[1]) for x, y in zip(a, b, strict=True) if x != y]


async def test_no_endpoint_shows_a_controlled_dataset_without_its_grant(
    checklist: Database,
    baseline_db: str,
    node: ClientFactory,
    issuers: Issuers,
    tmp_path: Path,
) -> None:
    common = {
        "BEACON_UNDECLARED_DATASETS": "hidden",
        "BEACON_BUDGET_ANONYMOUS": "0",
        "BEACON_BUDGET_IDENTITY": "0",
        "BEACON_UPDATED": "2026-01-02T00:00:00Z",
        # Both nodes name the same URLs (without it, each names the port it listens on).
        "BEACON_BASE_URL": "http://beacon.test/api",
    }
    hidden = write_config(tmp_path, access_toml(issuers, policies("none")))
    boolean = write_config(tmp_path, access_toml(issuers, policies("boolean")))
    baseline = await node(BEACON_CONFIG=hidden, MONGODB_DB=baseline_db, **common)
    urls = await walk(baseline)
    expected = await answers(baseline, urls, {})

    unauthorised = {
        "anonymous": {},
        "bona fide, no grant": bearer(issuers.login.passport(*issuers.bona_fide())),
        "grant for another dataset": bearer(issuers.login.passport(issuers.grant("ds9"))),
    }
    api = await node(BEACON_CONFIG=hidden, **common)
    for caller, headers in unauthorised.items():
        assert differences(await answers(api, urls, headers), expected) == [], caller

    # ds2 boolean-only for the public: its share of `exists` and nothing else
    api = await node(BEACON_CONFIG=boolean, **common)
    for caller in ("anonymous", "grant for another dataset"):
        found = await answers(api, urls, unauthorised[caller])
        assert boolean_only_leaks(found, expected) == [], caller

    # The walk does reach ds2: with its grant, or with no policy at all, answers differ.
    granted = bearer(issuers.login.passport(issuers.grant("ds2")))
    api = await node(BEACON_CONFIG=hidden, **common)
    assert len(differences(await answers(api, urls, granted), expected)) > 100
    opened_ds2 = write_config(tmp_path, access_toml(issuers, ""))
    open_node = {**common, "BEACON_UNDECLARED_DATASETS": "public"}
    opened = await node(BEACON_CONFIG=opened_ds2, **open_node)
    assert len(differences(await answers(opened, urls, {}), expected)) > 100
