"""The demo, end to end at a small size: simulate, load, three nodes, the network, the answers.

The expected counts are computed from the generated files, not copied from an answer.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from beacon.demo import plan as demo
from tests.demo.conftest import Loaded, get_ok, node_of, people_of

CARDIOVASCULAR = {"HP:0001626", "HP:0000822", "HP:0001658"}  # the term and its descendants


def info_counts(loaded: Loaded, dataset: str, position: int) -> dict[str, dict[str, int]]:
    """The simulator's own per-population counts of a site (its VCF's INFO), by label."""
    manifest = json.loads((loaded.cohorts / "manifest.json").read_text())
    vcf = loaded.cohorts / manifest["files"][dataset]["vcf"]
    with gzip.open(vcf, "rt") as text:
        line = next(r for r in text if not r.startswith("#") and r.split("\t")[1] == str(position))
    info = dict(f.split("=", 1) for f in line.split("\t")[7].split(";") if "=" in f)
    found: dict[str, dict[str, int]] = {}
    for key, value in info.items():
        kind, _, label = key.partition("_")
        if kind in ("AC", "AN", "nhomalt") and label:
            found.setdefault(label, {})[kind] = int(value)
    return found


async def test_every_country_answers_with_its_frequencies(network: Any, loaded: Loaded) -> None:
    body = await get_ok(network, f"/api{demo.EXAMPLES[0][0]}")
    assert body["responseSummary"]["exists"] is True
    per_node = {n["nodeId"]: n for n in body["info"]["nodes"]}
    assert set(per_node) == {"fi", "de", "es"}
    assert {n["country"] for n in per_node.values()} == {"FI", "DE", "ES"}
    # Through the network each set keeps its dataset's id, with the beacon it comes from.
    sets = {s["id"]: s for s in body["response"]["resultSets"]}
    assert all(s["beaconId"] == f"org.example.demo.{node_of(k)}" for k, s in sets.items())
    for dataset in ("synthetic-fi", "synthetic-de", "synthetic-es"):
        result = sets[dataset]["results"][0]
        assert result["variantInternalId"] == "22-16050075-A-G"
        # One block, the dataset's own, computed from its genotypes and its people: the
        # simulator's INFO gives the same populations with the same counts, so they are not
        # listed twice.
        (block,) = result["frequencyInPopulations"]
        by_label = {f["population"]: f for f in block["frequencies"]}
        code = dataset.split("-")[1].upper()
        assert list(by_label) == [code, f"{code}_F", f"{code}_M"]
        expected = info_counts(loaded, dataset, 16050075)
        for label, row in by_label.items():
            assert set(row) == {
                "population",
                "alleleFrequency",
                "alleleCount",
                "alleleNumber",
                "alleleCountHomozygous",
                "alleleCountHeterozygous",
                "alleleCountHemizygous",
            }
            assert row["alleleCount"] == expected[label]["AC"], (dataset, label)
            assert row["alleleNumber"] == expected[label]["AN"], (dataset, label)
            assert row["alleleCountHomozygous"] == expected[label]["nhomalt"], (dataset, label)
            assert (
                row["alleleCount"]
                == row["alleleCountHeterozygous"] + 2 * row["alleleCountHomozygous"]
            )
            assert row["alleleFrequency"] == round(row["alleleCount"] / row["alleleNumber"], 8)
        men, women = by_label[f"{code}_M"], by_label[f"{code}_F"]
        assert men["alleleCount"] + women["alleleCount"] == by_label[code]["alleleCount"]
        people = people_of(loaded.cohorts)[dataset]
        assert women["alleleNumber"] == 2 * sum(1 for p in people if p["sex"]["label"] == "female")
    controlled = sets.get("synthetic-es-controlled")
    if controlled is not None:  # the controlled cohort shows a count, never records
        assert controlled["results"] == []
        assert controlled["info"]["returnedGranularity"] == "count"


@pytest.mark.parametrize(
    ("filters", "labels"),
    [
        ("sexFilter:F", {"FI": ["FI_F"], "DE": ["DE_F"], "ES": ["ES_F"]}),
        ("countryFilter:FI", {"FI": ["FI"]}),
        ("sexFilter:M,countryFilter:ES", {"ES": ["ES_M"]}),
    ],
)
async def test_population_filters_alone_or_together(
    network: Any, filters: str, labels: dict[str, list[str]]
) -> None:
    """The GDI portal's sexFilter and countryFilter: alone or together, through the network,
    the variant is found where the population carries it, with that population's rows."""
    body = await get_ok(network, f"/api{demo.EXAMPLES[0][0]}&filters={filters}")
    found = {
        s["id"].split("-")[1].upper(): [
            f["population"] for b in r["frequencyInPopulations"] for f in b["frequencies"]
        ]
        for s in body["response"]["resultSets"]
        for r in s["results"]
    }
    assert found == labels
    by_node = {n["nodeId"]: n for n in body["info"]["nodes"]}
    for node in demo.NODES:
        if node.country not in labels:
            assert by_node[node.id]["status"] in ("ok", "skipped")


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
