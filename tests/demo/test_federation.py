"""The demo, end to end at a small size: simulate, load, three nodes, the network, the answers.

The expected counts are computed from the generated files, not copied from an answer.
"""

from __future__ import annotations

from typing import Any

from beacon.demo import plan as demo
from tests.demo.conftest import Loaded, get_ok, node_of, people_of

CARDIOVASCULAR = {"HP:0001626", "HP:0000822", "HP:0001658"}  # the term and its descendants


async def test_every_country_answers_with_its_frequencies(network: Any, loaded: Loaded) -> None:
    body = await get_ok(network, f"/api{demo.EXAMPLES[0][0]}")
    assert body["responseSummary"]["exists"] is True
    per_node = {n["nodeId"]: n for n in body["info"]["nodes"]}
    assert set(per_node) == {"fi", "de", "es"}
    assert {n["country"] for n in per_node.values()} == {"FI", "DE", "ES"}
    # Through the network each set keeps its dataset's id, with the beacon it comes from.
    sets = {s["id"]: s for s in body["response"]["resultSets"]}
    assert {s["beaconId"] for s in sets.values()} <= {
        f"org.example.demo.{n.id}" for n in demo.NODES
    }
    assert all(s["beaconId"] == f"org.example.demo.{node_of(k)}" for k, s in sets.items())
    for dataset in ("synthetic-fi", "synthetic-de", "synthetic-es"):
        result = sets[dataset]["results"][0]
        assert result["variantInternalId"] == "22-16050075-A-G"
        blocks = result["frequencyInPopulations"]
        own = blocks[0]["frequencies"][0]
        by_label = {f["population"]: f for b in blocks[1:] for f in b["frequencies"]}
        code = dataset.split("-")[1].upper()
        assert set(by_label) == {code, f"{code}_M", f"{code}_F"}
        assert by_label[code]["alleleCount"] == own["alleleCount"] > 0
        assert by_label[code]["alleleNumber"] == own["alleleNumber"]
        men, women = by_label[f"{code}_M"], by_label[f"{code}_F"]
        assert men["alleleCount"] + women["alleleCount"] == own["alleleCount"]
        assert men["alleleNumber"] + women["alleleNumber"] == own["alleleNumber"]
    controlled = sets.get("synthetic-es-controlled")
    if controlled is not None:  # the controlled cohort shows a count, never records
        assert controlled["results"] == []
        assert controlled["info"]["returnedGranularity"] == "count"


async def test_phenotype_counts_per_country_match_the_generated_people(
    network: Any, loaded: Loaded
) -> None:
    body = await get_ok(network, f"/api{demo.EXAMPLES[4][0]}")
    expected: dict[str, int] = {}
    for dataset, people in people_of(loaded.cohorts).items():
        hits = sum(
            1
            for p in people
            if CARDIOVASCULAR & {f["featureType"]["id"] for f in p.get("phenotypicFeatures", [])}
        )
        node = node_of(dataset)
        expected[node] = expected.get(node, 0) + hits
    per_node = {n["nodeId"]: n["numTotalResults"] for n in body["info"]["nodes"]}
    assert per_node == expected
    assert body["responseSummary"]["numTotalResults"] == sum(expected.values()) > 0


async def test_hgvs_and_gene_queries_reach_every_node(network: Any) -> None:
    by_position = await get_ok(
        network,
        "/api/g_variants?referenceName=22&start=16050074&referenceBases=A&alternateBases=G"
        "&requestedGranularity=count",
    )
    by_hgvs = await get_ok(network, f"/api{demo.EXAMPLES[1][0]}")
    assert by_hgvs["responseSummary"] == by_position["responseSummary"]
    gene = await get_ok(network, f"/api{demo.EXAMPLES[2][0]}")
    assert all(n["numTotalResults"] > 0 for n in gene["info"]["nodes"])


async def test_every_example_query_answers(network: Any) -> None:
    for path, _ in demo.EXAMPLES:
        await get_ok(network, f"/api{path}")


async def test_the_network_knows_the_ontology_terms(network: Any) -> None:
    body = await get_ok(network, "/api/filtering_terms")
    terms = {t["id"]: t for t in body["response"]["filteringTerms"]}
    assert terms["HP:0001626"]["label"] == "Abnormality of the cardiovascular system"
    assert {"ICD10:I10", "NCIT:C16576", "HP:0000822"} <= set(terms)
