"""The merge rules, table by table, over hand-made outcomes: no network, no database."""

from __future__ import annotations

from typing import Any

import pytest

from aggregator.merge import merge
from aggregator.outcome import NODE_DOWN, AnswerSet, NodeAnswer, NodeOutcome, Status, skipped
from beacon.protocol import entry_types as et
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, IncludeResultsets, Route

B, C, R = Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD
VARIANTS = Route(et.G_VARIANTS)


def ok(
    node: str,
    granularity: Granularity,
    exists: bool,
    count: int | None = None,
    sets: tuple[AnswerSet, ...] = (),
) -> NodeOutcome:
    answer = NodeAnswer(f"{node}.beacon", granularity, exists, count, sets)
    return NodeOutcome(node, Status.OK, answer=answer, elapsed_ms=5.0)


def failed(node: str, status: Status = Status.TIMEOUT) -> NodeOutcome:
    return NodeOutcome(node, status, "it broke", elapsed_ms=9.0)


def variant_set(set_id: str, count: int | None, n: int | None = None) -> AnswerSet:
    size = n if n is not None else count or 0
    records = tuple({"variantInternalId": f"v{i}"} for i in range(size))
    return AnswerSet(set_id, "dataset", bool(count if count is not None else n), count, records)


def request(granularity: Granularity | None = R, route: Route = VARIANTS) -> BeaconRequest:
    return BeaconRequest(route=route, requested_granularity=granularity)


def run(outcomes: list[NodeOutcome], req: BeaconRequest | None = None) -> tuple[int, Any]:
    merged = merge(req or request(), outcomes, "net.beacon", Granularity.RECORD)
    return merged.status, merged.body


@pytest.mark.parametrize(
    ("outcomes", "requested", "granularity", "summary", "lower"),
    [
        # exists is an OR; counts add up
        ([ok("a", C, True, 2), ok("b", C, False, 0)], C, "count", (True, 2), False),
        ([ok("a", C, False, 0), ok("b", C, False, 0)], C, "count", (False, 0), False),
        ([ok("a", C, True, 2), ok("b", C, True, 5)], C, "count", (True, 7), False),
        # the lowest contributing node caps the answer...
        ([ok("a", C, True, 2), ok("b", B, True)], C, "boolean", (True, None), True),
        # ...but a node saying "no" contributes nothing, so it does not lower a "yes"
        ([ok("a", C, True, 2), ok("b", B, False)], C, "count", (True, 2), False),
        # when nobody has a hit, every answering node counts
        ([ok("a", C, False, 0), ok("b", B, False)], C, "boolean", (False, None), False),
        # never above what was asked
        ([ok("a", C, True, 2)], B, "boolean", (True, None), False),
        # failed nodes are reported, never read as "no" or "yes"
        ([ok("a", C, True, 2), failed("b")], C, "count", (True, 2), False),
        ([ok("a", C, True, 2), skipped("b", "unsupported filter X")], C, "count", (True, 2), False),
    ],
)
def test_summary_rules(
    outcomes: list[NodeOutcome],
    requested: Granularity,
    granularity: str,
    summary: tuple[bool, int | None],
    lower: bool,
) -> None:
    status, body = run(outcomes, request(requested))
    assert status == 200
    assert body["meta"]["returnedGranularity"] == granularity
    expected: dict[str, Any] = {"exists": summary[0]}
    if summary[1] is not None:
        expected["numTotalResults"] = summary[1]
    assert body["responseSummary"] == expected
    assert body["info"]["countIsLowerBound"] is lower
    assert [n["nodeId"] for n in body["info"]["nodes"]] == [o.node_id for o in outcomes]


def test_counts_survive_in_info_when_a_boolean_node_lowers_the_answer() -> None:
    _, body = run([ok("a", C, True, 4), ok("b", B, True)], request(C))
    assert body["info"]["numTotalResults"] == 5  # b's hit counts as at least one
    assert body["info"]["countIsLowerBound"] is True


def test_record_answers_become_one_set_per_node_and_dataset() -> None:
    a = ok("se", R, True, 3, (variant_set("ds1", 2), variant_set("ds2", 1)))
    b = ok("fi", R, True, 1, (variant_set("ds1", 1),))
    _, body = run([a, b])
    sets = body["response"]["resultSets"]
    # Each set keeps its dataset's own id; (beaconId, id) is what is unique in the network.
    assert [(s["beaconId"], s["id"], s["resultsCount"], len(s["results"])) for s in sets] == [
        ("se.beacon", "ds1", 2, 2),
        ("se.beacon", "ds2", 1, 1),
        ("fi.beacon", "ds1", 1, 1),
    ]
    assert sets[2]["info"] == {"beaconId": "fi.beacon", "nodeId": "fi"}
    assert list(sets[2])[:2] == ["id", "beaconId"]
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 4}


def test_records_are_dropped_when_another_node_answers_count_only() -> None:
    a = ok("se", R, True, 2, (variant_set("ds1", 2),))
    b = ok("fi", C, True, 1)
    _, body = run([a, b])
    assert body["meta"]["returnedGranularity"] == "count"
    assert "response" not in body
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 3}


def test_a_set_without_a_count_is_a_lower_bound() -> None:
    a = ok("se", R, True, None, (variant_set("ds1", None, n=2),))
    _, body = run([a])
    (only,) = body["response"]["resultSets"]
    assert only["resultsCount"] == 2
    assert only["info"]["resultsCountIsLowerBound"] is True
    assert body["responseSummary"]["numTotalResults"] == 2


def test_a_positive_record_node_without_any_count_makes_a_lower_bound() -> None:
    a = ok("se", R, True, None, (AnswerSet("ds1", "dataset", True, None, ()),))
    _, body = run([a])
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 1}
    assert body["info"]["countIsLowerBound"] is True


def test_collections_keep_their_ids_with_provenance() -> None:
    listing = request(R, Route(et.DATASETS))
    a = NodeOutcome(
        "se",
        Status.OK,
        answer=NodeAnswer("se.beacon", R, True, 1, collections=({"id": "ds1", "name": "x"},)),
    )
    _, body = run([a], listing)
    (record,) = body["response"]["collections"]
    assert record == {
        "id": "ds1",
        "name": "x",
        "beaconId": "se.beacon",
        "info": {"beaconId": "se.beacon", "nodeId": "se"},
    }


def test_a_member_network_keeps_the_origin_of_its_sets() -> None:
    """A member that is itself a network (ours or the EGA one) answers with its own beaconId
    in meta and the origin's on each set: the origin is kept, and the node path grows so that
    ``<nodeId>:<its nodeId>:<datasetId>`` reaches the dataset through both networks."""
    inner = AnswerSet(
        "ds1",
        "dataset",
        True,
        1,
        variant_set("ds1", 1).results,
        {"beaconId": "fi.beacon", "nodeId": "fi"},
        beacon_id="fi.beacon",
    )
    facade = AnswerSet("ds9", "dataset", True, 1, variant_set("ds9", 1).results, {}, "es.beacon")
    own = variant_set("ds2", 1)
    a = NodeOutcome(
        "eu",
        Status.OK,
        answer=NodeAnswer("eu.network", R, True, 3, result_sets=(inner, facade, own)),
    )
    _, body = run([a])
    sets = body["response"]["resultSets"]
    assert [(s["beaconId"], s["id"], s["info"]["nodeId"]) for s in sets] == [
        ("fi.beacon", "ds1", "eu:fi"),
        ("es.beacon", "ds9", "eu"),  # a network that names no node: reached through it alone
        ("eu.network", "ds2", "eu"),
    ]
    assert [s["info"]["beaconId"] for s in sets] == ["fi.beacon", "es.beacon", "eu.network"]


def test_no_node_answering_is_a_503_listing_every_node() -> None:
    status, body = run([failed("a"), failed("b", Status.INVALID), skipped("c", NODE_DOWN)])
    assert status == 503
    assert body["error"]["errorCode"] == 503
    assert "a: timeout" in body["error"]["errorMessage"]
    assert [n["status"] for n in body["info"]["nodes"]] == ["timeout", "invalid", "skipped"]


def test_every_node_left_out_by_design_is_a_plain_no() -> None:
    status, body = run([skipped("a", "does not serve /runs")], request(C))
    assert status == 200
    assert body["responseSummary"] == {"exists": False, "numTotalResults": 0}


@pytest.mark.parametrize("include", list(IncludeResultsets))
def test_result_sets_are_taken_as_the_nodes_filtered_them(include: IncludeResultsets) -> None:
    # Nodes apply includeResultsetResponses themselves; the merge keeps what they sent.
    a = ok("se", R, True, 1, (variant_set("ds1", 1),))
    req = BeaconRequest(route=VARIANTS, requested_granularity=R, include=include)
    _, body = run([a], req)
    assert [(s["beaconId"], s["id"]) for s in body["response"]["resultSets"]] == [
        ("se.beacon", "ds1")
    ]


def test_node_status_json() -> None:
    outcome = ok("se", C, True, 3)
    assert outcome.as_json() == {
        "nodeId": "se",
        "status": "ok",
        "beaconId": "se.beacon",
        "returnedGranularity": "count",
        "exists": True,
        "numTotalResults": 3,
        "ms": 5.0,
    }
    assert skipped("x", "why", "SE").as_json() == {
        "nodeId": "x",
        "country": "SE",
        "status": "skipped",
        "reason": "why",
    }


def test_every_node_refusing_the_request_is_the_clients_error() -> None:
    refused = [
        NodeOutcome(n, Status.ERROR, "HTTP 403: no grant", http_status=403) for n in ("a", "b")
    ]
    status, body = run(refused)
    assert status == 403
    assert body["error"]["errorMessage"].startswith("every node refused the request")
    status, _ = run([refused[0], failed("c")])
    assert status == 503


def test_a_node_saying_yes_with_zero_counted_is_a_lower_bound() -> None:
    _, body = run([ok("a", C, True, 0), ok("b", C, True, 2)], request(C))
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 3}
    assert body["info"]["countIsLowerBound"] is True


def test_rounded_node_counts_make_the_sum_imprecise() -> None:
    rounded = AnswerSet("ds1", "dataset", True, 10, (), {"countPrecision": "rounded"})
    _, body = run([ok("a", R, True, 10, (rounded,)), ok("b", R, True, 0, ())], request(R))
    assert body["info"]["countPrecision"] == "imprecise"
    _, body = run([ok("a", C, True, 3)], request(C))
    assert "countPrecision" not in body["info"]
