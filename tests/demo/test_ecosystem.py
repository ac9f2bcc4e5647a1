"""The demo network read by the ecosystem's clients: the GDI User Portal's requests replayed
and its answers read the way its discovery service reads them, and the EGA UI's network mode.

What the clients send and read is written from their source (docs: ``ECOSYSTEM.md`` of the
project's reference notes); nothing of their code is here. Expected values come from the
generated files or from the nodes themselves, never from a copied answer.
"""

from __future__ import annotations

import re
from typing import Any

from beacon.demo import plan as demo
from tests.demo.conftest import Federation, Loaded, get_ok, node_of, people_of

#: The demo's catalogue, as the portal's would list the datasets (their own identifiers).
CATALOGUE = {d for n in demo.NODES for d in n.datasets}
VARIANT = {"referenceName": "22", "start": "16050074", "referenceBases": "A", "alternateBases": "G"}


def portal_body(filters: list[dict[str, Any]], parameters: dict[str, Any] | None) -> dict[str, Any]:
    """The discovery service's individuals request: record, HIT, limit 1, no test mode."""
    query: dict[str, Any] = {
        "includeResultsetResponses": "HIT",
        "requestedGranularity": "record",
        "testMode": False,
        "pagination": {"skip": 0, "limit": 1},
        "filters": filters,
    }
    if parameters:
        query["requestParameters"] = parameters
    return {"meta": {"apiVersion": "2.0"}, "query": query}


def read_as_the_portal(body: dict[str, Any]) -> dict[str, int]:
    """``resultSets`` of type dataset with a count, by id, intersected with the catalogue."""
    sets = (body.get("response") or {}).get("resultSets") or []
    found = {
        s["id"]: s["resultsCount"]
        for s in sets
        if s.get("setType") == "dataset" and s.get("id") and (s.get("resultsCount") or 0) > 0
    }
    return {k: v for k, v in found.items() if k in CATALOGUE}


async def post_ok(client: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    answer: dict[str, Any] = await response.json()
    assert response.status == 200, answer
    return answer


async def test_the_portal_finds_the_datasets_of_its_catalogue(network: Any, loaded: Loaded) -> None:
    """Women (an ontology filter with scope individual), then carriers of the demo variant
    (requestParameters as a flat map of strings), through {base}/v2.0.0/individuals."""
    women = await post_ok(
        network,
        "/api/v2.0.0/individuals",
        portal_body([{"id": "NCIT:C16576", "scope": "individual"}], None),
    )
    expected = {
        dataset: sum(1 for p in people if p["sex"]["id"] == "NCIT:C16576")
        for dataset, people in people_of(loaded.cohorts).items()
        if dataset in ("synthetic-fi", "synthetic-de", "synthetic-es")  # record level to all
    }
    found = read_as_the_portal(women)
    assert {k: v for k, v in found.items() if k in expected} == expected
    # Every dataset the portal matched is one the network answered for, by its own id.
    assert set(found) <= CATALOGUE
    assert all(
        s["beaconId"] == f"org.example.demo.{node_of(s['id'])}"
        for s in women["response"]["resultSets"]
    )
    carriers = await post_ok(network, "/api/v2.0.0/individuals", portal_body([], VARIANT))
    assert set(read_as_the_portal(carriers)) >= {"synthetic-fi", "synthetic-de", "synthetic-es"}
    # An alphanumeric filter, as the portal's free-text facets send it.
    aged = await post_ok(
        network,
        "/api/v2.0.0/individuals",
        portal_body([{"id": "age", "operator": ">", "value": "P30Y", "scope": "individual"}], None),
    )
    assert read_as_the_portal(aged)


async def test_the_ega_ui_network_mode_reads_beacons_and_their_datasets(
    network: Any, federation: Federation
) -> None:
    """The EGA UI groups result sets by their top-level beaconId (one row per member beacon,
    its datasets inside, Details from their records) and finds each member's logo and
    contact in ``GET {apiUrl}`` -> ``responses``."""
    body = await post_ok(
        network,
        "/api/individuals",
        {
            "meta": {"apiVersion": "2.0"},
            "query": {
                "filters": [{"id": "NCIT:C16576", "scope": "individual"}],
                "requestParameters": {},
                "includeResultsetResponses": "HIT",
                "pagination": {"skip": 0, "limit": 100},
                "testMode": False,
                "requestedGranularity": "record",
            },
        },
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in body["response"]["resultSets"]:
        assert item.get("beaconId"), item  # without it the UI lists every set as a beacon
        groups.setdefault(item["beaconId"], []).append(item)
    assert set(groups) == {f"org.example.demo.{n.id}" for n in demo.NODES}
    for beacon_id, items in groups.items():
        node = beacon_id.rsplit(".", 1)[1]
        assert {i["id"] for i in items} <= set(next(n for n in demo.NODES if n.id == node).datasets)
        assert any(i["results"] for i in items), beacon_id  # Details has records to show
    members = (await get_ok(network, "/api"))["responses"]
    by_id = {m["meta"]["beaconId"]: m for m in members}
    assert set(by_id) == set(groups)
    for member in members:
        assert member["response"]["organization"]["logoUrl"]
        assert member["response"]["name"].startswith("Synthetic Beacon")


async def test_a_cohort_term_selects_its_members_records(network: Any) -> None:
    """The EGA UI sends a term listed for cohorts with scope cohort whatever it searches: on
    individuals, biosamples and variants it selects the records of the cohort's members (a
    country's cohort covers every individual of its dataset)."""
    for node, place in (("fi", "GAZ:00002937"), ("de", "GAZ:00002646")):
        cohort = f"{node}:synthetic-{node}-cohort"
        for entry in ("individuals", "biosamples", "g_variants"):
            body = await post_ok(
                network,
                f"/api/{entry}",
                {
                    "query": {
                        "filters": [{"id": place, "scope": "cohort"}],
                        "requestedGranularity": "count",
                    }
                },
            )
            path = f"/api/cohorts/{cohort}/{entry}?requestedGranularity=count"
            response = await network.get(path)  # the id names one node: the others skipped
            members = (await response.json())["responseSummary"]["numTotalResults"]
            assert body["responseSummary"]["numTotalResults"] == members > 0, (node, entry)
            per_node = {n["nodeId"]: n for n in body["info"]["nodes"]}
            assert per_node[node]["status"] == "ok"
            assert all(
                n["status"] == "skipped" or n.get("numTotalResults") == 0
                for k, n in per_node.items()
                if k != node
            )


async def test_the_cohorts_have_collection_events(network: Any, loaded: Loaded) -> None:
    """The EGA UI's cohort table reads collectionEvents[0].eventGenders and eventDiseases."""
    body = await get_ok(network, "/api/cohorts?requestedGranularity=record")
    people = people_of(loaded.cohorts)
    for cohort in body["response"]["collections"]:
        dataset = cohort["id"].removesuffix("-cohort")
        (event,) = cohort["collectionEvents"]
        genders = event["eventGenders"]["distribution"]["genders"]
        assert sum(genders.values()) == event["eventSize"] == len(people[dataset])
        women = sum(1 for p in people[dataset] if p["sex"]["label"] == "female")
        assert genders.get("female", 0) == women
        assert event["eventDiseases"]["distribution"]["diseases"]


#: How the portal parses a population label: an ISO country with an optional sex, or a sex.
PORTAL_LABEL = re.compile(r"^(?:([A-Z]{2})(?:_([MF]))?|([MF]))$")
FIELDS = (
    "alleleFrequency",
    "alleleCount",
    "alleleNumber",
    "alleleCountHomozygous",
    "alleleCountHeterozygous",
)


def read_frequencies_as_the_portal(body: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (result set, variant, frequency), with the set's beaconId and id."""
    found = []
    for result_set in (body.get("response") or {}).get("resultSets") or []:
        for result in result_set.get("results") or []:
            for block in result.get("frequencyInPopulations") or []:
                for item in block.get("frequencies") or []:
                    found.append(
                        {
                            "beacon": result_set.get("beaconId"),
                            "datasetId": result_set.get("id"),
                            **{k: item.get(k) for k in ("population", *FIELDS)},
                            "alleleCountHemizygous": item.get("alleleCountHemizygous"),
                        }
                    )
    return found


def gvariants_body(filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "meta": {"apiVersion": "2.0"},
        "query": {
            "filters": filters,
            "requestParameters": {
                "alternateBases": "G",
                "referenceBases": "A",
                "start": [16050074],
                "referenceName": "22",
                "assemblyId": "GRCh38",
            },
            "includeResultsetResponses": "HIT",
            "pagination": {"skip": 0, "limit": 10},
            "testMode": False,
            "requestedGranularity": "record",
        },
    }


async def test_the_portal_reads_every_countrys_frequencies(network: Any) -> None:
    """Genome of Europe: POST {base}/v2.0.0/g_variants with the variant; every row has the
    beacon and dataset it is from, a label the portal parses, and all its fields."""
    rows = read_frequencies_as_the_portal(
        await post_ok(network, "/api/v2.0.0/g_variants", gvariants_body([]))
    )
    assert {r["datasetId"] for r in rows} == {"synthetic-fi", "synthetic-de", "synthetic-es"}
    for found in rows:
        assert PORTAL_LABEL.match(found["population"]), found
        assert all(found[k] is not None for k in FIELDS), found
        assert found["beacon"] == f"org.example.demo.{node_of(found['datasetId'])}"
    labels = sorted(r["population"] for r in rows)
    assert labels == sorted(f"{c}{s}" for c in ("FI", "DE", "ES") for s in ("", "_F", "_M"))
    # The older portal sends the population as filters: sex alone, country alone, both.
    for filters, wanted in (
        (
            [{"id": "sexFilter", "operator": "=", "value": "F", "scope": "population"}],
            {"FI_F", "DE_F", "ES_F"},
        ),
        ([{"id": "countryFilter", "operator": "=", "value": "DE", "scope": "population"}], {"DE"}),
        (
            [
                {"id": "sexFilter", "operator": "=", "value": "M", "scope": "population"},
                {"id": "countryFilter", "operator": "=", "value": "ES", "scope": "population"},
            ],
            {"ES_M"},
        ),
    ):
        body = await post_ok(network, "/api/v2.0.0/g_variants", gvariants_body(filters))
        assert {r["population"] for r in read_frequencies_as_the_portal(body)} == wanted
