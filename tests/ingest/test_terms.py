"""Terms and filterable fields found in records (pure)."""

from __future__ import annotations

from beacon.protocol.durations import days
from ingest.terms import TermCollector, annotate, field_label, walk_scalars, walk_terms

PERSON = {
    "id": "p1",
    "sex": {"id": "NCIT:C16576", "label": "female"},
    "diseases": [
        {
            "diseaseCode": {"id": "HP:0007359", "label": "Focal-onset seizure"},
            "ageOfOnset": {"iso8601duration": "P72Y"},
        },
        {"diseaseCode": {"id": "ICD10:J40"}},
    ],
    "measures": [
        {"assayCode": {"id": "LOINC:39156-5", "label": "BMI"}, "measurementValue": {"value": 31.2}}
    ],
    "info": {"free": {"id": "NOT:0001"}},
    "_position": {"id": "X:1"},
}


def test_terms_and_their_fields() -> None:
    assert sorted(walk_terms(PERSON)) == [
        ("diseases.diseaseCode", "HP:0007359", "Focal-onset seizure"),
        ("diseases.diseaseCode", "ICD10:J40", None),
        ("measures.assayCode", "LOINC:39156-5", "BMI"),
        ("sex", "NCIT:C16576", "female"),
    ]


def test_scalars_skip_ids_terms_and_info() -> None:
    assert sorted(walk_scalars(PERSON)) == [
        ("diseases.ageOfOnset.iso8601duration", "P72Y"),
        ("measures.measurementValue.value", 31.2),
    ]


def test_annotate() -> None:
    helpers = annotate(PERSON)
    assert helpers["_terms"] == ["HP:0007359", "ICD10:J40", "LOINC:39156-5", "NCIT:C16576"]
    assert helpers["_durations"] == [
        {"p": "diseases.ageOfOnset.iso8601duration", "d": days("P72Y")}
    ]


def test_collector_documents() -> None:
    collector = TermCollector("individual")
    collector.add(PERSON)
    collector.add({"id": "p2", "sex": {"id": "NCIT:C16576"}, "karyotypicSex": "XX"})
    docs = {d["id"]: d for d in collector.documents("ds", "L1")}
    assert docs["NCIT:C16576"]["_count"] == 2
    assert docs["NCIT:C16576"]["label"] == "female"
    assert docs["NCIT:C16576"]["_fields"] == ["sex"]
    assert docs["karyotypicSex"]["values"] == ["XX"]
    assert docs["karyotypicSex"]["_kind"] == "string"
    assert docs["measures.measurementValue.value"]["_kind"] == "number"
    assert docs["diseases.ageOfOnset.iso8601duration"]["_kind"] == "duration"
    assert all(d["_load"] == "L1" and d["_scope"] == "individual" for d in docs.values())


def test_field_labels() -> None:
    assert field_label("diseases.ageOfOnset.iso8601duration") == "diseases / age of onset"
    assert field_label("libraryStrategy") == "library strategy"


def test_durations_compare_as_durations() -> None:
    assert days("P9Y") < days("P10Y")
    assert days("P1Y") == days("P12M")
    assert days("P40Y1M1D") > days("P40Y")
    assert days("PT12H") == 0.5
