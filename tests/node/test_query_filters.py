"""Filters -> conditions, with AND across properties and OR within one (pure, no database)."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.node.query_filters import KnownTerm, TermIndex, build
from beacon.protocol import entry_types as et
from beacon.protocol.durations import days
from beacon.protocol.errors import BadRequest
from beacon.protocol.filters import AlphanumericFilter, Filter, TermFilter

INDEX = TermIndex(
    terms={
        "NCIT:C16576": KnownTerm("NCIT:C16576", fields={"individual": frozenset({"sex"})}),
        "NCIT:C20197": KnownTerm("NCIT:C20197", fields={"individual": frozenset({"sex"})}),
        "HP:0001250": KnownTerm(
            "HP:0001250",
            in_ontology=True,
            descendants=frozenset({"HP:0007359"}),
            fields={"individual": frozenset({"diseases.diseaseCode"})},
        ),
        "HP:0000118": KnownTerm(
            "HP:0000118",
            in_ontology=True,
            descendants=frozenset({"HP:0007359", "HP:0001250", "HP:0001627"}),
            fields={"individual": frozenset({"diseases.diseaseCode"})},
        ),
        "HP:0000001": KnownTerm("HP:0000001", in_ontology=True),
        "UBERON:0000178": KnownTerm(
            "UBERON:0000178", fields={"biosample": frozenset({"sampleOriginType"})}
        ),
        "LOINC:39156-5": KnownTerm(
            "LOINC:39156-5", fields={"individual": frozenset({"measures.assayCode"})}
        ),
    },
    fields={
        ("individual", "diseases.ageOfOnset.iso8601duration"): "duration",
        ("individual", "measures.measurementValue.value"): "number",
        ("biosample", "collectionMoment"): "duration",
        ("run", "libraryStrategy"): "string",
        ("individual", "karyotypicSex"): "string",
    },
)
IND = et.INDIVIDUALS


def conditions(
    filters: list[Filter], target: et.EntryType = IND
) -> dict[str, list[dict[str, Any]]]:
    return build(tuple(filters), target, INDEX).conditions


def test_descendants_by_default() -> None:
    assert conditions([TermFilter("HP:0001250")]) == {
        "individual": [{"_terms": {"$in": ["HP:0001250", "HP:0007359"]}}]
    }


def test_exact_term_only() -> None:
    assert conditions([TermFilter("HP:0001250", include_descendants=False)]) == {
        "individual": [{"_terms": "HP:0001250"}]
    }


def test_same_property_is_or_different_properties_and() -> None:
    assert conditions([TermFilter("NCIT:C16576"), TermFilter("NCIT:C20197")]) == {
        "individual": [{"_terms": {"$in": ["NCIT:C16576", "NCIT:C20197"]}}]
    }
    assert conditions([TermFilter("NCIT:C16576"), TermFilter("HP:0001250")]) == {
        "individual": [
            {"_terms": "NCIT:C16576"},
            {"_terms": {"$in": ["HP:0001250", "HP:0007359"]}},
        ]
    }


def test_ontology_term_without_data_matches_nothing_but_is_valid() -> None:
    assert conditions([TermFilter("HP:0000001")]) == {"individual": [{"_terms": "HP:0000001"}]}


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (TermFilter("HP:9999999"), "not known to this beacon"),
        (AlphanumericFilter("height", ">", "2"), "neither a field nor a measured term"),
        (AlphanumericFilter("measures.measurementValue.value", ">", "heavy"), "not a finite"),
        (AlphanumericFilter("measures.measurementValue.value", ">", "nan"), "not a finite"),
        (AlphanumericFilter("measures.measurementValue.value", "<", "-inf"), "not a finite"),
        (AlphanumericFilter("age", ">", "seventy"), r"not one \(e.g. P70Y\)"),
        (AlphanumericFilter("age", ">", "P" + "9" * 400 + "Y"), r"not one \(e.g. P70Y\)"),
        (AlphanumericFilter("LOINC:39156-5", ">", "x"), "not a finite number"),
        (AlphanumericFilter("LOINC:39156-5", ">", "Infinity"), "not a finite number"),
    ],
)
def test_refused(flt: Filter, message: str) -> None:
    target = et.G_VARIANTS if flt.id.startswith("sex") else IND
    with pytest.raises(BadRequest, match=message):
        conditions([flt], target)


def test_alphanumeric_number_and_measurement() -> None:
    assert conditions([AlphanumericFilter("measures.measurementValue.value", ">=", "25")]) == {
        "individual": [{"measures.measurementValue.value": {"$gte": 25.0}}]
    }
    assert conditions([AlphanumericFilter("LOINC:39156-5", ">", "30")]) == {
        "individual": [
            {
                "measures": {
                    "$elemMatch": {
                        "assayCode.id": "LOINC:39156-5",
                        "measurementValue.value": {"$gt": 30.0},
                    }
                }
            }
        ]
    }


def test_age_is_a_duration() -> None:
    expected = {
        "_durations": {
            "$elemMatch": {"p": "diseases.ageOfOnset.iso8601duration", "d": {"$gt": days("P70Y")}}
        }
    }
    assert conditions([AlphanumericFilter("age", ">", "P70Y")]) == {"individual": [expected]}
    assert conditions([AlphanumericFilter("PATO:0000011", ">", "P70Y")]) == {
        "individual": [expected]
    }


def test_wildcards_and_negation() -> None:
    assert conditions([AlphanumericFilter("libraryStrategy", "=", "W%S")], et.RUNS) == {
        "run": [{"libraryStrategy": {"$regex": "^W.*S$", "$options": "i"}}]
    }
    assert conditions([AlphanumericFilter("karyotypicSex", "!", "XX")]) == {
        "individual": [{"karyotypicSex": {"$exists": True, "$ne": "XX"}}]
    }


def test_custom_field_value_term() -> None:
    assert conditions([TermFilter("libraryStrategy:WGS")], et.RUNS) == {
        "run": [{"libraryStrategy": {"$eq": "WGS"}}]
    }


def test_filters_reach_other_entry_types() -> None:
    # no scope: the term lives on biosamples, so it applies there
    assert conditions([TermFilter("UBERON:0000178")]) == {
        "biosample": [{"_terms": "UBERON:0000178"}]
    }
    # explicit scope, plural or singular
    assert conditions(
        [AlphanumericFilter("collectionMoment", "<", "P20Y", scope="biosamples")]
    ) == {
        "biosample": [
            {"_durations": {"$elemMatch": {"p": "collectionMoment", "d": {"$lt": days("P20Y")}}}}
        ]
    }
