"""Every check of the request alone happens in protocol.understand, before any data is seen."""

from __future__ import annotations

import pytest

from beacon.protocol import entry_types as et
from beacon.protocol.errors import BadRequest
from beacon.protocol.filters import AlphanumericFilter, TermFilter
from beacon.protocol.request import Route, parse_get
from beacon.protocol.understand import Population, Understood, understand
from beacon.protocol.variants import TypeClass


def understood(path: str, query: str) -> Understood:
    pairs = [(k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p)]
    return understand(parse_get(Route(et.BY_PATH[path]), pairs))


@pytest.mark.parametrize(
    ("path", "query", "parameter", "message"),
    [
        (
            "g_variants",
            "referenceName=1&start=100&end=200&variantType=NOT_A_TYPE",
            "variantType",
            "not a known variant type",
        ),
        (
            "g_variants",
            "referenceName=1&start=100&end=200&mateName=chrQ",
            "mateName",
            "not a chromosome",
        ),
        (
            "g_variants",
            "genomicAlleleShortForm=chr17-7577121-G-A",
            "genomicAlleleShortForm",
            "not a genomic HGVS expression",
        ),
        (
            "g_variants",
            "genomicAlleleShortForm=chrQ:g.1A>G",
            "genomicAlleleShortForm",
            "not a chromosome or RefSeq accession",
        ),
        (
            "g_variants",
            "referenceName=1&start=1&end=9&variantMinLength=5&variantMaxLength=2",
            "variantMinLength",
            "above variantMaxLength",
        ),
        (
            "datasets",
            "referenceName=1&start=1&alternateBases=A",
            "requestParameters",
            "do not apply to /datasets",
        ),
        ("g_variants", "filters=sexFilter:X", "filters", "sexFilter is M or F"),
        ("individuals", "filters=sexFilter:F", "filters", "of /g_variants only"),
        ("g_variants", "filters=countryFilter:Finland", "filters", "ISO 3166"),
    ],
)
def test_refused_before_any_data(path: str, query: str, parameter: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message) as caught:
        understood(path, query)
    assert caught.value.parameter == parameter


def test_filter_scope_and_similarity_are_checked() -> None:
    route = Route(et.INDIVIDUALS)
    bad_scope = parse_get(route, [])
    for flt, message in (
        (TermFilter("HP:1", scope="planet"), "not an entry type"),
        (TermFilter("HP:1", scope="dataset"), "do not apply to /individuals"),
        (TermFilter("HP:1", similarity="high"), "similarity 'high' is not supported"),
    ):
        request = type(bad_scope)(route=route, filters=(flt,))
        with pytest.raises(BadRequest, match=message):
            understand(request)


def test_population_filters_are_understood() -> None:
    request = parse_get(Route(et.G_VARIANTS), [])
    filters = (
        AlphanumericFilter("sexFilter", "=", "male", scope="population"),
        AlphanumericFilter("countryFilter", "=", "fi", scope="population"),
    )
    found = understand(type(request)(route=request.route, filters=filters)).population
    assert found == Population("M", "FI")
    assert found.label == "FI_M"


def test_resolved_names() -> None:
    variant = understood(
        "g_variants", "referenceName=1&start=5&end=9&variantType=DEL&mateName=chrX"
    )
    assert variant.variant is not None
    assert variant.variant.types == (TypeClass("DEL"),)
    assert variant.variant.mate == "X"
    hgvs = understood("g_variants", "genomicAlleleShortForm=17:g.7577121G>A").variant
    assert hgvs is not None
    assert hgvs.hgvs == ("NC_000017.10:g.7577121G>A", "NC_000017.11:g.7577121G>A")
