"""Node bodies are read into typed answers, or rejected with a reason naming the problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aggregator.answers import error_message, read_answer
from aggregator.errors import InvalidAnswer
from beacon.protocol import entry_types as et
from beacon.protocol.granularity import Granularity

META = {
    "beaconId": "se.beacon",
    "apiVersion": "v2.1.1",
    "returnedSchemas": [{"entityType": "genomicVariant", "schema": "x"}],
    "returnedGranularity": "record",
    "receivedRequestSummary": {},
}
RECORD: dict[str, Any] = {
    "meta": META,
    "responseSummary": {"exists": True, "numTotalResults": 1},
    "response": {
        "resultSets": [
            {
                "id": "ds1",
                "setType": "dataset",
                "exists": True,
                "resultsCount": 1,
                "results": [{"variantInternalId": "v1", "variation": {}}],
            }
        ]
    },
}


def with_(path: str, value: Any, base: dict[str, Any] = RECORD) -> dict[str, Any]:
    body = copy.deepcopy(base)
    *parents, last = path.split(".")
    holder: Any = body
    for key in parents:
        holder = holder[int(key)] if isinstance(holder, list) else holder[key]
    if value is DELETE:
        del holder[last]
    elif isinstance(holder, list):
        holder[int(last)] = value
    else:
        holder[last] = value
    return body


DELETE = object()


def test_a_record_answer() -> None:
    answer = read_answer(RECORD, et.G_VARIANTS)
    assert answer.beacon_id == "se.beacon"
    assert answer.granularity is Granularity.RECORD
    assert (answer.exists, answer.count) == (True, 1)
    (only,) = answer.result_sets
    assert (only.id, only.count, len(only.results)) == ("ds1", 1, 1)


def test_a_beacon_2_2_result_set_without_results_or_count() -> None:
    body = with_("response.resultSets.0.results", DELETE)
    body = with_("response.resultSets.0.resultsCount", DELETE, body)
    (only,) = read_answer(body, et.G_VARIANTS).result_sets
    assert (only.count, only.results) == (None, ())


def test_a_boolean_answer_carries_no_count() -> None:
    body = with_("meta.returnedGranularity", "boolean")
    answer = read_answer(body, et.G_VARIANTS)
    assert answer.count is None
    assert answer.result_sets == ()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "body: expected an object"),
        (with_("meta", DELETE), "meta: expected an object"),
        (with_("meta.beaconId", DELETE), "meta.beaconId: required"),
        (with_("meta.returnedGranularity", "all"), "meta.returnedGranularity"),
        (with_("meta.returnedSchemas", [{"entityType": "individual"}]), "answers a query for"),
        (with_("responseSummary.exists", "yes"), "responseSummary.exists"),
        (with_("responseSummary.numTotalResults", -1), "numTotalResults"),
        (with_("response", DELETE), "response: expected an object"),
        (with_("response.resultSets", {}), "resultSets: expected an array"),
        (with_("response.resultSets.0.id", 7), "resultSets[0].id"),
        (with_("response.resultSets.0.results", [{"id": "x"}]), "variantInternalId"),
        (with_("response", {"collections": []}), "not collections"),
    ],
)
def test_invalid_answers_say_why(body: Any, problem: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        read_answer(body, et.G_VARIANTS)
    assert problem in str(caught.value)


def test_the_ega_network_answer_shape_is_read() -> None:
    """The EGA Beacon Network API declares no granularity and no schemas, tags each set with
    its member's beaconId and lists a member that did not answer as an id-less "no"."""
    body = with_("meta", {"beaconId": "es.crg.global-beacon-network", "apiVersion": "v2.0.0"})
    body["response"]["resultSets"][0]["beaconId"] = "org.example.member"
    body["response"]["resultSets"].append({"beaconId": "org.example.down", "exists": False})
    answer = read_answer(body, et.G_VARIANTS)
    assert answer.granularity is Granularity.RECORD
    (only,) = answer.result_sets
    assert (only.id, only.beacon_id) == ("ds1", "org.example.member")
    counted = with_("response.resultSets", [{"beaconId": "b", "exists": False}], body)
    assert read_answer(counted, et.G_VARIANTS).granularity is Granularity.COUNT
    yes_no = with_("responseSummary", {"exists": True}, counted)
    assert read_answer(yes_no, et.G_VARIANTS).granularity is Granularity.BOOLEAN
    # A set that claims something still needs its id.
    shown = with_(
        "response.resultSets.0", {"exists": True, "results": [{"variantInternalId": "v"}]}, body
    )
    with pytest.raises(InvalidAnswer, match=r"resultSets\[0\]\.id"):
        read_answer(shown, et.G_VARIANTS)


def test_count_answer_needs_a_count() -> None:
    body = with_("meta.returnedGranularity", "count")
    body = with_("responseSummary.numTotalResults", DELETE, body)
    with pytest.raises(InvalidAnswer, match="required in a count response"):
        read_answer(body, et.G_VARIANTS)


def test_error_message() -> None:
    assert error_message({"error": {"errorCode": 400, "errorMessage": "bad"}}) == "bad"
    assert error_message("nonsense") == ""
