"""Visa evaluation, the pure core: conditions as GA4GH Passport v1.2 defines them, self-asserted
grants, bona fide status, expiry. (The HTTP tests in ``test_grants.py`` see it applied.)"""

from __future__ import annotations

import math
from typing import Any

import pytest

from beacon.node.visas import Grant, Visa, claim_matches, evaluate, glob

BONA_FIDE = "https://doi.org/10.1038/s41431-018-0219-y"
DAC = "https://dac.test"
VALUE = "https://dac.test/datasets/ds2"


def visa(
    kind: str = "ControlledAccessGrants",
    value: str = VALUE,
    source: str = DAC,
    by: str = "dac",
    expires: float = 1000.0,
    conditions: Any = None,
    issuer: str = DAC,
) -> Visa:
    return Visa(issuer, kind, value, source, by, expires, conditions)


AFFILIATION = visa("AffiliationAndRole", "faculty@uni.example", "https://uni.example", "so", 500.0)
GRANT = Grant(VALUE, DAC, DAC)


def grants(*visas: Visa) -> frozenset[Grant]:
    return evaluate(visas, (BONA_FIDE,), (BONA_FIDE,)).grants


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("faculty@*", "faculty@uni.example", True),
        ("faculty@*", "staff@uni.example", False),
        ("*", "", True),
        ("", "", True),
        ("", "x", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "aXXbYY", False),
        ("*@*.example", "x@uni.example", True),
        ("A*", "a", False),  # case-sensitive
        ("[ab]", "a", False),  # no character classes: "[" is a literal
        ("[ab]", "[ab]", True),
        ("a**", "a", True),
        ("*" * 40 + "b", "a" * 2000, False),  # no catastrophic backtracking
    ],
)
def test_glob(pattern: str, text: str, expected: bool) -> None:
    assert glob(pattern, text) is expected


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ("const:so", "so", True),
        ("const:so", "system", False),
        ("const:", "", True),
        ("pattern:faculty@*", "faculty@x", True),
        ("split_pattern:123,https:%2F%2Fexample?.org", "001,a;123,https:%2F%2Fexample2.org", True),
        ("split_pattern:999,*", "001,a;123,b", False),
        ("regex:.*", "anything", False),  # an unknown prefix matches nothing
        ("so", "so", False),  # no prefix at all
        ("const:so", None, False),  # the claim is absent
    ],
)
def test_condition_claims(spec: str, value: str | None, expected: bool) -> None:
    assert claim_matches(spec, value) is expected


def clause(**claims: str) -> dict[str, str]:
    return {"type": "AffiliationAndRole", **claims}


@pytest.mark.parametrize(
    ("conditions", "granted"),
    [
        pytest.param([[clause(value="const:faculty@uni.example")]], True, id="const"),
        pytest.param([[clause(value="pattern:faculty@*", by="const:so")]], True, id="pattern"),
        pytest.param([[clause(value="pattern:staff@*")]], False, id="no-match"),
        pytest.param(
            [[clause(value="pattern:faculty@*", by="const:system")]],
            False,
            id="every-claim-on-one-visa",
        ),
        pytest.param(
            [[clause(value="pattern:staff@*")], [clause(source="const:https://uni.example")]],
            True,
            id="or",
        ),
        pytest.param(
            [[clause(value="pattern:faculty@*"), {"type": "ResearcherStatus", "value": "const:x"}]],
            False,
            id="and-needs-both",
        ),
        pytest.param([[{"value": "const:faculty@uni.example"}]], False, id="clause-without-type"),
        pytest.param([[{"type": "AffiliationAndRole"}]], False, id="clause-with-type-only"),
        pytest.param([[clause(asserted="const:1")]], False, id="timestamp-claim"),
        pytest.param([[clause(conditions="const:x")]], False, id="nested-conditions"),
        pytest.param([[clause(value="regex:faculty.*")]], False, id="unknown-prefix"),
        pytest.param([clause(value="const:faculty@uni.example")], False, id="not-two-levels"),
        pytest.param("const:faculty", False, id="not-a-list"),
        pytest.param([[]], False, id="empty-and"),
        pytest.param([[clause(value="const:x")]] * 17, False, id="too-many"),
        pytest.param([], True, id="empty-means-none"),
    ],
)
def test_conditions(conditions: Any, granted: bool) -> None:
    found = grants(visa(conditions=conditions), AFFILIATION)
    assert (GRANT in found) is granted


def test_conditions_are_matched_only_by_visas_without_conditions() -> None:
    conditioned_affiliation = visa(
        "AffiliationAndRole",
        "faculty@uni.example",
        conditions=[[{"type": "ResearcherStatus", "value": "const:x"}]],
    )
    wanted = [[clause(value="const:faculty@uni.example")]]
    assert grants(visa(conditions=wanted), conditioned_affiliation) == frozenset()


def test_a_conditional_grant_expires_with_the_visa_it_rests_on() -> None:
    wanted = [[clause(value="pattern:faculty@*")]]
    result = evaluate([visa(conditions=wanted, expires=900.0), AFFILIATION], (), ())
    assert result.grants == {GRANT}
    assert result.until == 500.0  # the affiliation's expiry, not the grant's
    alone = evaluate([visa(expires=900.0)], (), ())
    assert alone.until == 900.0
    assert evaluate([AFFILIATION], (), ()).until == math.inf  # nothing counts: nothing expires


def test_self_asserted_or_sourceless_grants_open_nothing() -> None:
    assert grants(visa(by="self")) == frozenset()
    assert grants(visa(source="")) == frozenset()
    assert grants(visa(by="so"), visa(by="")) == {GRANT}


def test_bona_fide_needs_both_visas_and_no_self_asserted_status() -> None:
    terms = visa("AcceptedTermsAndPolicies", BONA_FIDE, by="self", expires=300.0)
    status = visa("ResearcherStatus", BONA_FIDE, by="so", expires=700.0)
    found = evaluate([terms, status], (BONA_FIDE,), (BONA_FIDE,))
    assert found.bona_fide
    assert found.until == 300.0
    assert not evaluate([terms], (BONA_FIDE,), (BONA_FIDE,)).bona_fide
    selfish = visa("ResearcherStatus", BONA_FIDE, by="self")
    ignored = evaluate([terms, selfish], (BONA_FIDE,), (BONA_FIDE,))
    assert not ignored.bona_fide
    assert [why for _, why in ignored.ignored] == [
        "a self-asserted researcher status is not bona fide"
    ]
    other_terms = visa("AcceptedTermsAndPolicies", "https://other.terms", by="self")
    assert not evaluate([other_terms, status], (BONA_FIDE,), (BONA_FIDE,)).bona_fide
