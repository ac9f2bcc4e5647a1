"""GET and POST parse to the same BeaconRequest; every bad input is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.protocol import entry_types as et
from beacon.protocol.errors import BadRequest
from beacon.protocol.filters import AlphanumericFilter, TermFilter
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import (
    PARAMETERS,
    IncludeResultsets,
    RequestLimits,
    Route,
    parse_get,
    parse_post,
)
from beacon.protocol.response import request_summary

ROUTE = Route(et.G_VARIANTS)
META = {"apiVersion": "v2.0.0"}


DEFAULT_LIMITS = RequestLimits()


def get(query: str, limits: RequestLimits = DEFAULT_LIMITS) -> Any:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    return parse_get(ROUTE, pairs, limits)  # type: ignore[arg-type]


def post(query: dict[str, Any], **root: Any) -> Any:
    return parse_post(ROUTE, {"meta": META, "query": query, **root})


SAME = [
    # (GET query string, POST query) pairs that must mean the same thing
    (
        "referenceName=17&start=7577120&referenceBases=G&alternateBases=A",
        {
            "requestParameters": {
                "g_variant": {
                    "referenceName": "17",
                    "start": [7577120],
                    "referenceBases": "G",
                    "alternateBases": "A",
                }
            }
        },
    ),
    (
        "referenceName=17&start=7577120&referenceBases=G&alternateBases=A",
        {
            "requestParameters": {
                "referenceName": "17",
                "start": [7577120],
                "referenceBases": "G",
                "alternateBases": "A",
            }
        },
    ),
    (
        "start=5000000,5000100&end=5099900,5100100&referenceName=17",
        {
            "requestParameters": {
                "referenceName": "17",
                "start": [5000000, 5000100],
                "end": [5099900, 5100100],
            }
        },
    ),
    (
        "start=5000000&start=5000100&end=5099900&end=5100100&referenceName=17",
        {
            "requestParameters": [
                {"referenceName": "17", "start": [5000000, 5000100], "end": [5099900, 5100100]}
            ]
        },
    ),
    ("geneid=TP53", {"requestParameters": {"geneId": "TP53"}}),
    (
        "allele=NC_000017.11:g.7577121G>A",
        {"requestParameters": {"genomicAlleleShortForm": "NC_000017.11:g.7577121G>A"}},
    ),
    (
        "filters=NCIT:C16576,PATO:0000011:>P70Y",
        {
            "filters": [
                {"id": "NCIT:C16576"},
                {"id": "PATO:0000011", "operator": ">", "value": "P70Y"},
            ]
        },
    ),
    (
        "requestedGranularity=count&skip=2&limit=5&includeResultsetResponses=ALL&testMode=true",
        {
            "requestedGranularity": "count",
            "pagination": {"skip": 2, "limit": 5},
            "includeResultsetResponses": "ALL",
            "testMode": True,
        },
    ),
    ("datasetIds=ds1,ds2", {"requestParameters": {"datasets": {"datasetIds": ["ds1", "ds2"]}}}),
    ("datasetIds=ds1&datasetIds=ds2", {"requestParameters": {"datasetIds": ["ds1", "ds2"]}}),
]


@pytest.mark.parametrize(("query", "body"), SAME)
def test_get_and_post_agree(query: str, body: dict[str, Any]) -> None:
    a, b = get(query), post(body)
    assert a.variant == b.variant
    assert a.filters == b.filters
    assert (a.skip, a.limit, a.include, a.test_mode) == (b.skip, b.limit, b.include, b.test_mode)
    assert a.dataset_ids == b.dataset_ids
    assert request_summary(a, Granularity.BOOLEAN) == {
        **request_summary(b, Granularity.BOOLEAN),
        "apiVersion": a.api_version,
    }


def test_docs_style_root_placement_is_honoured() -> None:
    body = {
        "meta": META,
        "requestedGranularity": "record",
        "pagination": {"skip": 1, "limit": 3},
        "query": {"requestParameters": {"geneId": "TP53"}},
    }
    parsed = parse_post(ROUTE, body)
    assert parsed.requested_granularity is Granularity.RECORD
    assert (parsed.skip, parsed.limit, parsed.offset) == (1, 3, 3)


def test_query_placement_wins_over_root() -> None:
    parsed = post({"requestedGranularity": "count"}, requestedGranularity="record")
    assert parsed.requested_granularity is Granularity.COUNT


def test_defaults_and_limits() -> None:
    parsed = get("")
    assert (parsed.skip, parsed.limit, parsed.include) == (0, 10, IncludeResultsets.HIT)
    assert parsed.requested_granularity is None
    assert get("limit=0", RequestLimits(10, 50)).limit == 50
    assert get("limit=500", RequestLimits(10, 50)).limit == 50
    assert get("skip=3&limit=4").offset == 12


def test_empty_alternate_bases_is_a_value() -> None:
    assert get("alternateBases=").variant.alternate_bases == ""
    assert post({"requestParameters": {"alternateBases": ""}}).variant.alternate_bases == ""


def test_bases_are_upper_cased() -> None:
    assert get("referenceBases=gt").variant.reference_bases == "GT"


def test_filters_are_classified() -> None:
    parsed = post(
        {
            "filters": [
                {"id": "HP:0001250", "includeDescendantTerms": False},
                {"id": "age", "operator": "<=", "value": "P65Y", "scope": "individual"},
                "NCIT:C16576",
            ]
        }
    )
    assert parsed.filters == (
        TermFilter("HP:0001250", None, False, "exact"),
        AlphanumericFilter("age", "<=", "P65Y", "individual"),
        TermFilter("NCIT:C16576"),
    )
    assert [f.summary() for f in parsed.filters] == ["HP:0001250", "age:<=P65Y", "NCIT:C16576"]


def test_get_filter_forms() -> None:
    assert get("filters=age:<=P65Y").filters == (AlphanumericFilter("age", "<=", "P65Y"),)
    assert get("filters=HP_0032443:!unknown+history").filters == (
        AlphanumericFilter("HP_0032443", "!", "unknown history"),
    )
    assert get("filters=demographic.ethnicity:asian").filters == (
        TermFilter("demographic.ethnicity:asian"),
    )


BAD_GET = [
    ("colour=blue", "colour"),
    ("skip=-1", "skip"),
    ("skip=1.5", "skip"),
    ("limit=", "limit"),
    ("start=1,2,3", "start"),
    ("start=x", "start"),
    ("end=0", "end"),
    ("requestedGranularity=all", "requestedGranularity"),
    ("testMode=1", "testMode"),
    ("referenceBases=XYZ", "referenceBases"),
    ("geneId=", "geneId"),
    ("skip=1&skip=2", "skip"),
    ("filters=", "filters"),
    ("variantMinLength=-4", "variantMinLength"),
]


@pytest.mark.parametrize(("query", "parameter"), BAD_GET)
def test_bad_get_is_400_naming_the_parameter(query: str, parameter: str) -> None:
    with pytest.raises(BadRequest) as caught:
        get(query)
    assert caught.value.parameter == parameter
    assert f"'{parameter}'" in caught.value.message


BAD_POST: list[tuple[Any, str]] = [
    ([], "body"),
    ({"meta": 3}, "meta"),
    ({"meta": {"apiVersion": ""}}, "meta.apiVersion"),
    ({"meta": {"apiVersion": 2}}, "meta.apiVersion"),
    ({"meta": META, "extra": 1}, "extra"),
    ({"meta": {**META, "foo": 1}}, "meta.foo"),
    ({"meta": META, "query": []}, "query"),
    ({"meta": META, "query": {"pagination": 3}}, "pagination"),
    ({"meta": META, "query": {"pagination": {"skip": True}}}, "skip"),
    ({"meta": META, "query": {"filters": {"id": "x"}}}, "filters"),
    ({"meta": META, "query": {"filters": [{"id": "x", "bogus": 1}]}}, "filters[0]"),
    ({"meta": META, "query": {"filters": [{"id": "x", "similarity": "vague"}]}}, "filters[0]"),
    (
        {"meta": META, "query": {"filters": [{"id": "x", "operator": "~", "value": "1"}]}},
        "filters[0]",
    ),
    ({"meta": META, "query": {"requestParameters": {"skip": 1}}}, "skip"),
    ({"meta": META, "query": {"requestParameters": {"g_variant": 3}}}, "requestParameters"),
    ({"meta": META, "query": {"requestParameters": [{}, {}]}}, "requestParameters"),
    ({"meta": META, "query": {"requestParameters": {"start": "abc"}}}, "start"),
    (
        {
            "meta": META,
            "query": {"requestParameters": {"geneId": "A", "g_variant": {"geneId": "B"}}},
        },
        "geneId",
    ),
    ({"meta": {**META, "requestedSchemas": "x"}}, "meta.requestedSchemas"),
]


@pytest.mark.parametrize(("body", "parameter"), BAD_POST)
def test_bad_post_is_400_naming_the_parameter(body: Any, parameter: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_post(ROUTE, body)
    assert caught.value.parameter == parameter


def test_the_bodies_real_clients_send_are_read() -> None:
    """The spec's own example carries ``meta.$schema``; ai4gh sends no ``meta``; clients
    generated from the OpenAPI (the GDI portal's) send ``null`` members and
    ``requestParameters: []``. Each is the request it plainly means."""
    plain = parse_post(ROUTE, {"meta": META, "query": {"requestedGranularity": "count"}})
    variants = [
        {"$schema": "beaconRequestBody.json", "meta": {**META, "$schema": "x.json"}},
        {"query": {"requestParameters": {}}},
        {"meta": {}},
        {
            "meta": {"apiVersion": "2.0", "requestedSchemas": None},
            "query": {
                "filters": None,
                "requestParameters": [],
                "pagination": {"skip": None, "limit": None, "currentPage": None},
                "testMode": None,
            },
        },
    ]
    for body in variants:
        parsed = parse_post(ROUTE, body)
        assert (parsed.filters, parsed.variant, parsed.skip, parsed.limit) == (
            plain.filters,
            plain.variant,
            plain.skip,
            plain.limit,
        ), body
    assert parse_post(ROUTE, {}).api_version == et.SPEC_VERSION
    assert parse_post(ROUTE, {"meta": {"apiVersion": "2.0"}}).api_version == "2.0"
    strings = {"start": "16050074", "referenceName": "22"}
    flat = parse_post(ROUTE, {"meta": META, "query": {"requestParameters": strings}})
    assert flat.variant.start == (16050074,)
    # An empty filter list is no filter; a list with a null in it is still refused.
    with pytest.raises(BadRequest):
        parse_post(ROUTE, {"meta": META, "query": {"filters": [None]}})


def test_requested_schema_must_be_served() -> None:
    ok = parse_post(
        ROUTE,
        {
            "meta": {
                **META,
                "requestedSchemas": [
                    {"entityType": "genomicVariant", "schema": et.G_VARIANTS.schema_url}
                ],
            }
        },
    )
    assert ok.requested_schemas[0].schema == et.G_VARIANTS.schema_url
    with pytest.raises(BadRequest, match="ga4gh-beacon-variant"):
        get("requestedSchema=ga4gh-beacon-variant-v9")


def test_every_parameter_is_documented() -> None:
    for param in PARAMETERS:
        assert param.help, param.name
        assert param.name[0].islower(), param.name


def test_filters_are_listed_under_their_id_or_field() -> None:
    from beacon.protocol.filters import listed_as

    assert listed_as(TermFilter("HP:0001250")) == ("HP:0001250", "HP")
    assert listed_as(TermFilter("libraryStrategy:WGS")) == (
        "libraryStrategy:WGS",
        "libraryStrategy",
    )
    assert listed_as(AlphanumericFilter("age", ">", "P70Y")) == ("age",)
