"""``/filtering_terms`` is built once per view and paged from it: what it depends on.

A view is the whole listing one caller sees on one endpoint (beacon/node/terms.py ``view``).
These tests check, over HTTP, that a page costs no read of the stored terms once its view is
built, and that every input of a view still shows at once: the caller's tier, a new load of
the data, an ontology loaded after the data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from beacon.store.client import Database
from ingest import ontology, pipeline
from tests.auth import Issuers, bearer
from tests.conftest import HERE, Client, metric_samples
from tests.node.conftest import Configured
from tests.node.test_privacy import policies

FILTERS = HERE / "data" / "filters"
ONTOLOGIES = HERE / "data" / "ontologies"
DB_OPERATIONS = "beacon_db_operation_duration_seconds_count"


async def listed(api: Client, path: str = "/api/filtering_terms", **headers: str) -> Any:
    response = await api.get(path, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    return body["response"]


async def term_reads(api: Client) -> float:
    """Reads of the stored filtering terms so far (the executor's metrics)."""
    text = await (await api.get("/metrics")).text()
    return metric_samples(text, DB_OPERATIONS).get('{operation="filtering terms"}', 0.0)


async def test_a_page_reads_no_stored_terms_once_its_view_is_built(
    db: Database, run_options: pipeline.RunOptions, node: Callable[..., Awaitable[Client]]
) -> None:
    for name in ("mini_hp.obo", "mini_uberon.json", "mini_ncit.owl"):
        await ontology.load(db, ONTOLOGIES / name)
    await pipeline.run_metadata(db, "dsf", [FILTERS], run_options)
    api = await node()
    whole = await listed(api)
    built = await term_reads(api)
    assert built > 0
    for skip in (0, 1, 2, 1):
        page = await listed(api, f"/api/filtering_terms?skip={skip}&limit=3")
        assert page["filteringTerms"] == whole["filteringTerms"][skip * 3 : skip * 3 + 3]
        assert page["resources"] == whole["resources"]
    assert await listed(api) == whole
    assert await term_reads(api) == built
    # another endpoint is another view, built once too
    individuals = await listed(api, "/api/individuals/filtering_terms")
    assert {s for t in individuals["filteringTerms"] for s in t["scopes"]} == {"individual"}
    again = await term_reads(api)
    assert again > built
    assert await listed(api, "/api/individuals/filtering_terms?skip=1&limit=2") == {
        "filteringTerms": individuals["filteringTerms"][2:4],
        "resources": individuals["resources"],
    }
    assert await term_reads(api) == again


async def test_an_ontology_loaded_after_the_data_is_listed_at_once(
    db: Database, run_options: pipeline.RunOptions, node: Callable[..., Awaitable[Client]]
) -> None:
    await pipeline.run_metadata(db, "dsf", [FILTERS], run_options)
    api = await node()
    before = {t["id"]: t for t in (await listed(api))["filteringTerms"]}
    assert "HP:0000118" not in before  # no ontology: no ancestors
    await ontology.load(db, ONTOLOGIES / "mini_hp.obo")
    after = {t["id"]: t for t in (await listed(api))["filteringTerms"]}
    assert after["HP:0000118"] == {
        "type": "ontologyTerm",
        "id": "HP:0000118",
        "label": "Phenotypic abnormality",
        "scopes": ["individual"],
    }
    assert after["HP:0001250"]["label"] == "Seizure"
    # and what a node started afresh lists
    assert await listed(await node()) == await listed(api)


async def test_a_new_load_of_the_data_is_listed_at_once(
    db: Database, run_options: pipeline.RunOptions, node: Callable[..., Awaitable[Client]]
) -> None:
    await pipeline.run_metadata(db, "dsf", [FILTERS / "individuals.json"], run_options)
    api = await node()
    before = await listed(api, "/api/biosamples/filtering_terms")
    assert before["filteringTerms"] == []
    await pipeline.run_metadata(db, "dsf", [FILTERS], run_options)
    after = await listed(api, "/api/biosamples/filtering_terms")
    assert after["filteringTerms"]
    assert after == await listed(await node(), "/api/biosamples/filtering_terms")


async def test_each_caller_sees_the_view_of_their_own_tier(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    """ds2 is seen at count level by anonymous callers, whose listing leaves out its terms
    held by fewer than 3 records and its fields' values; a ds2 grant sees them all. Asked in
    turn of one node, each gets what a node started afresh gives them."""
    config = policies("", "min_count = 3")
    granted = bearer(issuers.login.passport(issuers.grant("ds2")))
    paths = ("/api/filtering_terms", "/api/individuals/filtering_terms")
    fresh = {}
    for path in paths:
        for who, headers in (("anonymous", {}), ("granted", granted)):
            fresh[(path, who)] = await listed(await configured(config), path, **headers)
    assert fresh[(paths[0], "anonymous")] != fresh[(paths[0], "granted")]
    api = await configured(config)
    for _ in range(2):
        for path in paths:
            for who, headers in (("granted", granted), ("anonymous", {})):
                assert await listed(api, path, **headers) == fresh[(path, who)], (path, who)
