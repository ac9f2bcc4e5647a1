"""Hypothesis over the request parser: whatever a caller sends, the answer is a BeaconError
(a 4xx naming the parameter) or a request understood, never another exception.

Names are drawn from the parameters the parser knows (and some it does not), values from
text, numbers of any size, and nested JSON; bodies from the shapes ``parse_post`` accepts and
from arbitrary JSON. Derandomised: the same examples on every run.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from beacon.protocol import entry_types as et
from beacon.protocol.errors import BeaconError
from beacon.protocol.request import BY_NAME, RequestLimits, Route, parse_get, parse_post
from beacon.protocol.understand import understand

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)
ROUTES = st.sampled_from(
    [Route(e) for e in et.ENTRY_TYPES]
    + [
        Route(et.G_VARIANTS, record_id="x"),
        Route(et.INDIVIDUALS, source=et.G_VARIANTS, source_id="1"),
    ]
)
NAMES = st.sampled_from([*BY_NAME, "geneid", "allele", "bogus", "", "start ", "meta"])
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**62, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
)
TEXT = st.one_of(
    st.text(max_size=30),
    NUMBERS.map(str),
    st.lists(st.integers(-5, 10**20).map(str), max_size=4).map(",".join),
    st.sampled_from(["22", "chr22", "NC_000022.11", "A", "ACGTN", "DEL", "%", "HP:0001", "P70Y"]),
    st.text(alphabet="%a:<>=!", max_size=40),
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
PARAMETER_VALUES = st.one_of(TEXT, NUMBERS, st.lists(NUMBERS, max_size=3), JSON)


def accepted_or_refused(parse: Any, *args: Any) -> None:
    refused: BeaconError | None = None
    try:
        understand(parse(*args))
    except BeaconError as exc:
        refused = exc
    if refused is not None:
        assert 400 <= refused.status < 500
        assert refused.message


@SETTINGS
@given(ROUTES, st.lists(st.tuples(NAMES, TEXT), max_size=8))
def test_any_query_string(route: Route, pairs: list[tuple[str, str]]) -> None:
    accepted_or_refused(parse_get, route, pairs, RequestLimits())


@SETTINGS
@given(
    ROUTES,
    st.fixed_dictionaries(
        {"meta": st.one_of(JSON, st.just({"apiVersion": "2.0"}))},
        optional={
            "query": st.one_of(
                JSON,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "requestParameters": st.dictionaries(NAMES, PARAMETER_VALUES, max_size=6),
                        "filters": st.lists(st.one_of(JSON, st.text(max_size=20)), max_size=4),
                        "pagination": st.dictionaries(
                            st.sampled_from(["skip", "limit"]), PARAMETER_VALUES
                        ),
                        "requestedGranularity": JSON,
                        "includeResultsetResponses": JSON,
                        "testMode": JSON,
                    },
                ),
            )
        },
    ),
)
def test_any_post_body(route: Route, body: dict[str, Any]) -> None:
    accepted_or_refused(parse_post, route, body, RequestLimits())


@SETTINGS
@given(ROUTES, JSON)
def test_any_json_as_a_body(route: Route, body: Any) -> None:
    accepted_or_refused(parse_post, route, body, RequestLimits())
