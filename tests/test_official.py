"""The yardstick itself: the offline schema checks reject what the spec forbids."""

from __future__ import annotations

import copy
from typing import Any

import pytest

SNV = {
    "variantInternalId": "17-7577121-G-A",
    "variation": {
        "variantType": "SNP",
        "referenceBases": "G",
        "alternateBases": "A",
        "location": {
            "type": "SequenceLocation",
            "sequence_id": "refseq:NC_000017.11",
            "interval": {
                "type": "SequenceInterval",
                "start": {"type": "Number", "value": 7577120},
                "end": {"type": "Number", "value": 7577121},
            },
        },
    },
}
META: dict[str, Any] = {
    "beaconId": "b",
    "apiVersion": "v2.1.1",
    "returnedSchemas": [{"entityType": "genomicVariant", "schema": "x"}],
    "returnedGranularity": "count",
    "receivedRequestSummary": {
        "apiVersion": "v2",
        "requestedSchemas": [],
        "pagination": {},
        "requestedGranularity": "count",
    },
}


def test_valid_examples_pass(schemas: Any) -> None:
    schemas.assert_valid(SNV, schemas.ENTITY_SCHEMAS["genomicVariant"])
    schemas.assert_response(
        {"meta": META, "responseSummary": {"exists": True, "numTotalResults": 1}}
    )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["variation"]["location"].__setitem__("sequence_id", "chr17"),
        lambda d: d["variation"]["location"].__setitem__("extra", 1),
        lambda d: d["variation"].__setitem__("alternateBases", "<DEL>"),
        lambda d: d["variation"].pop("alternateBases"),
        lambda d: d.__setitem__("identifiers", {"clinvarVariantId": None}),
    ],
)
def test_bad_records_fail(schemas: Any, mutate: Any) -> None:
    record = copy.deepcopy(SNV)
    mutate(record)
    assert schemas.errors(record, schemas.ENTITY_SCHEMAS["genomicVariant"])


@pytest.mark.parametrize(
    "body",
    [
        {"meta": META, "responseSummary": {"exists": True, "numTotalResults": "1"}},
        {
            "meta": {
                **META,
                "receivedRequestSummary": {
                    **META["receivedRequestSummary"],
                    "filters": [{"id": "x"}],
                },
            },
            "responseSummary": {"exists": True, "numTotalResults": 1},
        },
        {
            "meta": {k: v for k, v in META.items() if k != "beaconId"},
            "responseSummary": {"exists": True, "numTotalResults": 1},
        },
        {"meta": META, "error": {"errorCode": "400", "errorMessage": "x"}},
    ],
)
def test_bad_responses_fail(schemas: Any, body: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        schemas.assert_response(body)
