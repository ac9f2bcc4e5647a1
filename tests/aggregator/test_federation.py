"""Three real nodes with different data behind one network: merged answers, checked exactly."""

from __future__ import annotations

import aiohttp
import pytest

from beacon.config import NodeEntry
from tests.aggregator.conftest import (
    FakeNode,
    Network,
    RealNode,
    get_json,
    post_json,
    qualified,
    statuses,
)
from tests.conftest import Client

SNV1 = "referenceName=17&start=7577120&alternateBases=A"


@pytest.fixture
async def federation(real_node: RealNode, network: Network) -> Client:
    urls = [(node_id, await real_node(node_id)) for node_id in ("se", "fi", "dk")]
    return await network(urls)


async def test_record_query_merges_one_result_set_per_node_and_dataset(
    federation: Client,
) -> None:
    body = await get_json(federation, f"/api/g_variants?{SNV1}&requestedGranularity=record")
    assert body["meta"]["beaconId"] == "org.example.network"
    assert body["meta"]["returnedGranularity"] == "record"
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}
    sets = body["response"]["resultSets"]
    assert [(qualified(s), s["exists"], s["resultsCount"]) for s in sets] == [
        ("se:ds1", True, 1),
        ("dk:ds1", True, 1),
    ]
    # The dataset's own id (what catalogues match), the beacon it comes from beside it.
    assert [(s["beaconId"], s["id"]) for s in sets] == [
        ("se.example.beacon", "ds1"),
        ("dk.example.beacon", "ds1"),
    ]
    assert [s["info"]["beaconId"] for s in sets] == ["se.example.beacon", "dk.example.beacon"]
    assert [s["results"][0]["variantInternalId"] for s in sets] == ["17-7577121-G-A"] * 2
    assert statuses(body) == {"se": ("ok", ""), "fi": ("ok", ""), "dk": ("ok", "")}
    nodes = {n["nodeId"]: n for n in body["info"]["nodes"]}
    assert nodes["fi"]["exists"] is False
    assert nodes["fi"]["numTotalResults"] == 0
    assert body["info"]["countIsLowerBound"] is False


async def test_counts_are_summed_over_nodes(federation: Client) -> None:
    body = await get_json(federation, "/api/individuals?requestedGranularity=count")
    # se: ind1, ind3; fi: ind2; dk: ind1, ind3, ind2
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 6}
    assert "response" not in body
    per_node = {n["nodeId"]: n["numTotalResults"] for n in body["info"]["nodes"]}
    assert per_node == {"se": 2, "fi": 1, "dk": 3}


async def test_no_hit_anywhere_is_exists_false(federation: Client) -> None:
    body = await get_json(
        federation,
        "/api/g_variants?referenceName=17&start=7577120&alternateBases=C&requestedGranularity=count",
    )
    assert body["responseSummary"] == {"exists": False, "numTotalResults": 0}


async def test_include_all_lists_misses_per_node(federation: Client) -> None:
    body = await get_json(
        federation,
        f"/api/g_variants?{SNV1}&requestedGranularity=record&includeResultsetResponses=ALL",
    )
    ids = [(qualified(s), s["exists"]) for s in body["response"]["resultSets"]]
    assert ids == [
        ("se:ds1", True),
        ("fi:ds2", False),
        ("dk:ds1", True),
        ("dk:ds2", False),
    ]


async def test_get_and_post_give_the_same_answer(federation: Client) -> None:
    got = await get_json(federation, f"/api/g_variants?{SNV1}&requestedGranularity=record")
    posted = await post_json(
        federation,
        "/api/g_variants",
        {
            "meta": {"apiVersion": "v2.0.0"},
            "query": {
                "requestParameters": {
                    "referenceName": "17",
                    "start": [7577120],
                    "alternateBases": "A",
                },
                "requestedGranularity": "record",
            },
        },
    )
    assert got["responseSummary"] == posted["responseSummary"]
    assert got["response"] == posted["response"]


async def test_datasets_are_listed_with_their_beacon(federation: Client) -> None:
    body = await get_json(federation, "/api/datasets?requestedGranularity=record")
    ids = [qualified(d) for d in body["response"]["collections"]]
    assert ids == ["se:ds1", "fi:ds2", "dk:ds1", "dk:ds2"]
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 4}
    first = body["response"]["collections"][0]
    assert (first["id"], first["beaconId"]) == ("ds1", "se.example.beacon")
    assert first["info"]["beaconId"] == "se.example.beacon"


async def test_network_ids_route_to_one_node(federation: Client) -> None:
    body = await get_json(federation, "/api/datasets/dk:ds2/g_variants?requestedGranularity=record")
    sets = body["response"]["resultSets"]
    assert [qualified(s) for s in sets] == ["dk:ds2"]
    found = sorted(v["variantInternalId"] for v in sets[0]["results"])
    assert len(found) == 2  # INS1 and CNV1
    assert statuses(body)["se"] == ("skipped", "the id names node dk")


async def test_dataset_ids_split_between_nodes(federation: Client) -> None:
    body = await get_json(
        federation,
        "/api/individuals?requestedGranularity=record&datasetIds=se:ds1,dk:ds2",
    )
    sets = body["response"]["resultSets"]
    assert [(qualified(s), s["resultsCount"]) for s in sets] == [("se:ds1", 2), ("dk:ds2", 1)]
    assert statuses(body)["fi"] == ("skipped", "holds none of the datasetIds")


async def test_pagination_is_per_node(federation: Client) -> None:
    body = await get_json(federation, "/api/individuals?requestedGranularity=record&limit=1&skip=1")
    sets = {qualified(s): s for s in body["response"]["resultSets"]}
    # Each node pages its own result sets: the second record of se:ds1 is ind3.
    assert [r["id"] for r in sets["se:ds1"]["results"]] == ["ind3"]
    assert sets["se:ds1"]["resultsCount"] == 2
    assert sets["fi:ds2"]["results"] == []
    assert body["responseSummary"]["numTotalResults"] == 6


async def test_a_count_only_node_lowers_the_network_granularity(
    real_node: RealNode, network: Network
) -> None:
    se = await real_node("se")
    fi = await real_node("fi", BEACON_MAX_GRANULARITY="count", BEACON_DEFAULT_GRANULARITY="count")
    client = await network([("se", se), ("fi", fi)])
    body = await get_json(client, "/api/individuals?requestedGranularity=record")
    assert body["meta"]["returnedGranularity"] == "count"
    assert "response" not in body
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 3}


async def test_node_dialects_reach_the_same_answer(real_node: RealNode, network: Network) -> None:
    se = await real_node("se")
    dialects = [
        NodeEntry(id="post", url=se),
        NodeEntry(id="get", url=se, method="GET"),
        NodeEntry(id="flat", url=se, parameters="flat"),
    ]
    client = await network(dialects)
    body = await get_json(client, f"/api/g_variants?{SNV1}&requestedGranularity=record")
    assert [qualified(s) for s in body["response"]["resultSets"]] == [
        "post:ds1",
        "get:ds1",
        "flat:ds1",
    ]
    assert body["responseSummary"]["numTotalResults"] == 3


async def test_unsupported_filter_leaves_the_node_out(federation: Client) -> None:
    body = await get_json(federation, "/api/individuals?filters=NCIT:C16576&limit=5")
    # fi holds only ds2, whose individuals are male: it does not list the female term, so it
    # is left out rather than asked without the filter (which would count all its people).
    assert statuses(body) == {
        "se": ("ok", ""),
        "fi": ("skipped", "unsupported filter NCIT:C16576"),
        "dk": ("ok", ""),
    }
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}
    assert [qualified(s) for s in body["response"]["resultSets"]] == ["se:ds1", "dk:ds1"]


async def test_a_filter_no_node_lists_is_a_400_naming_it(
    federation: Client, real_node: RealNode
) -> None:
    """A typo is not "nobody has it": every node answers 400, and so does the network, before
    any node is asked, pointing at the terms it knows."""
    for method, path, payload in [
        ("GET", "/api/individuals?filters=NCIT:C16576,XYZ:1&requestedGranularity=count", None),
        (
            "POST",
            "/api/individuals",
            {"query": {"filters": [{"id": "NCIT:C16576"}, {"id": "XYZ:1"}]}},
        ),
        ("GET", "/api/v2.0.0/g_variants?filters=XYZ:1", None),
    ]:
        response = await federation.request(method, path, json=payload)
        body = await response.json()
        assert response.status == 400, body
        message = body["error"]["errorMessage"]
        assert message.startswith(f"parameter 'filters[{0 if 'v2.0.0' in path else 1}]'")
        assert "unknown filter 'XYZ:1'" in message
        assert "/api/filtering_terms" in message
    async with aiohttp.ClientSession() as session:
        url = f"{await real_node('se')}/individuals?filters=XYZ:1"
        async with session.get(url) as response:
            assert response.status == 400  # what each node says too


async def test_a_filter_no_node_lists_is_a_400_when_the_nodes_are_first_read_in_the_fan_out(
    fake_node: FakeNode, network: Network
) -> None:
    """A request that does not wait for the first discovery (one from another network, or one
    after the first round failed) reads the members inline: once their terms are known and
    none lists the filter, the answer is still the 400, not every node "skipped"."""
    nodes = [await fake_node(terms=("NCIT:C16576",), metadata_delay_s=0.3) for _ in range(2)]
    client = await network([(f"n{i}", url) for i, (url, _) in enumerate(nodes)])
    headers = {"Via": "1.1 org.example.other"}
    path = "/api/individuals?filters=XYZ:1"
    response = await client.get(path, headers=headers)
    body = await response.json()
    assert response.status == 400, body
    assert "unknown filter 'XYZ:1'" in body["error"]["errorMessage"]
    assert all(not fake.seen for _, fake in nodes)  # skipped by their terms, never asked
    known = await get_json(client, "/api/individuals?filters=NCIT:C16576", headers=headers)
    assert known["responseSummary"]["exists"] is True


async def test_nodes_endpoint_reports_each_node(federation: Client) -> None:
    await get_json(federation, "/api/individuals")
    body = await get_json(federation, "/api/nodes")
    listed = {n["nodeId"]: n for n in body["nodes"]}
    assert set(listed) == {"se", "fi", "dk"}
    assert listed["se"]["capabilities"]["beaconId"] == "se.example.beacon"
    assert listed["se"]["lastOutcome"]["status"] == "ok"
    assert listed["se"]["health"]["state"] == "up"


async def test_a_node_answering_boolean_for_its_data_makes_the_network_boolean(
    real_node: RealNode, network: Network
) -> None:
    se = await real_node("se")
    policy = '[[access.datasets]]\nid = "ds2"\nsecurity_level = "PUBLIC"\npublic = "boolean"\n'
    fi = await real_node("fi", config=policy)
    client = await network([("se", se), ("fi", fi)])
    body = await get_json(client, "/api/individuals?requestedGranularity=count")
    assert body["meta"]["returnedGranularity"] == "boolean"
    assert body["responseSummary"] == {"exists": True}
    # se counted 2; fi only says yes: the network knows of at least 3.
    assert body["info"]["numTotalResults"] == 3
    assert body["info"]["countIsLowerBound"] is True


async def test_rounded_node_counts_are_summed_as_given(
    real_node: RealNode, network: Network
) -> None:
    policy = '[[access.datasets]]\nid = "ds1"\nsecurity_level = "PUBLIC"\nround_to = 10\n'
    se = await real_node("se", config=policy)
    client = await network([("se", se), ("fi", await real_node("fi"))])
    body = await get_json(client, "/api/individuals?requestedGranularity=count")
    # se rounds its 2 up to 10; fi has 1. (The node's count answer does not carry its
    # countPrecision marker, so the network cannot flag the sum: see test_merge for the rule.)
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 11}


async def test_custom_field_value_filters_reach_nodes_listing_the_field(federation: Client) -> None:
    # Nodes list "libraryStrategy" as an alphanumeric field; "libraryStrategy:WGS" compares it.
    body = await get_json(
        federation, "/api/runs?filters=libraryStrategy:WGS&requestedGranularity=count"
    )
    assert {s for s, _ in statuses(body).values()} == {"ok"}
    assert body["responseSummary"]["exists"] is True
