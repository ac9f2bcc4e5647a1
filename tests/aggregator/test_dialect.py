"""Each node gets the request in its own dialect, and what the node parses back is the request."""

from __future__ import annotations

import json

import pytest

from aggregator.dialect import NodeCall, path_of, translate
from aggregator.registry import Dialect
from beacon.protocol import entry_types as et
from beacon.protocol.filters import AlphanumericFilter, TermFilter
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, Route, parse_get, parse_post

VARIANTS = Route(et.G_VARIANTS)
QUERY = [
    ("referenceName", "17"),
    ("start", "5000000,5000100"),
    ("end", "5099900,5100100"),
    ("variantType", "DEL"),
    ("skip", "2"),
    ("limit", "5"),
    ("filters", "NCIT:C16576,PATO:0000011:>P70Y"),
    ("datasetIds", "ds1,ds2"),
]
ASKED = parse_get(VARIANTS, QUERY)


def reparse(call: NodeCall, route: Route = VARIANTS) -> BeaconRequest:
    """What a spec-following node understands from the call."""
    if call.method == "GET":
        return parse_get(route, call.query)
    assert call.body is not None
    return parse_post(route, json.loads(call.body))


@pytest.mark.parametrize(
    "dialect",
    [Dialect(), Dialect(nested=False), Dialect(method="GET")],
    ids=["post-nested", "post-flat", "get"],
)
def test_every_dialect_round_trips(dialect: Dialect) -> None:
    call = translate(ASKED, VARIANTS, ASKED.dataset_ids, Granularity.COUNT, dialect)
    assert call.method == dialect.method
    understood = reparse(call)
    assert understood.variant == ASKED.variant
    assert understood.filters == ASKED.filters
    assert understood.dataset_ids == ("ds1", "ds2")
    assert (understood.skip, understood.limit) == (2, 5)
    assert understood.requested_granularity is Granularity.COUNT


def test_nested_and_flat_bodies() -> None:
    nested = json.loads(translate(ASKED, VARIANTS, None, Granularity.COUNT, Dialect()).body or b"")
    flat = json.loads(
        translate(ASKED, VARIANTS, None, Granularity.COUNT, Dialect(nested=False)).body or b""
    )
    assert nested["query"]["requestParameters"]["g_variant"]["start"] == [5000000, 5000100]
    assert "g_variant" not in flat["query"]["requestParameters"]
    assert flat["query"]["requestParameters"]["variantType"] == "DEL"


def test_get_sends_lists_comma_separated() -> None:
    call = translate(ASKED, VARIANTS, ("ds1",), Granularity.RECORD, Dialect(method="GET"))
    query = dict(call.query)
    assert query["start"] == "5000000,5000100"
    assert query["datasetIds"] == "ds1"
    assert len([k for k, _ in call.query if k == "start"]) == 1


def test_skip_as_records() -> None:
    call = translate(ASKED, VARIANTS, None, Granularity.RECORD, Dialect(skip_pages=False))
    body = json.loads(call.body or b"")
    assert body["query"]["pagination"] == {"skip": 10, "limit": 5}


def test_get_falls_back_to_post_when_it_would_lose_a_filter_option() -> None:
    asked = BeaconRequest(
        route=VARIANTS,
        filters=(
            TermFilter("HP:0001", include_descendants=False),
            AlphanumericFilter("a", "=", "b"),
        ),
    )
    call = translate(asked, VARIANTS, None, Granularity.BOOLEAN, Dialect(method="GET"))
    assert call.method == "POST"
    body = json.loads(call.body or b"")
    assert body["query"]["filters"] == [
        {"id": "HP:0001", "includeDescendantTerms": False},
        {"id": "a", "operator": "=", "value": "b"},
    ]
    assert reparse(call).filters == asked.filters


@pytest.mark.parametrize(
    ("route", "path"),
    [
        (Route(et.INDIVIDUALS), "/individuals"),
        (Route(et.INDIVIDUALS, record_id="ind/1"), "/individuals/ind%2F1"),
        (Route(et.G_VARIANTS, source=et.DATASETS, source_id="ds1"), "/datasets/ds1/g_variants"),
    ],
)
def test_paths(route: Route, path: str) -> None:
    assert path_of(route) == path
