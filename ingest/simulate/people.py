"""Synthetic people for the simulated cohorts: BFF metadata and the ontology slice it needs.

Pure functions of a seeded ``numpy`` generator: individuals (sex, ancestry, country, diseases
with an age of onset, phenotypes, a BMI measurement), one blood biosample each (collected at a
given age), its sequencing run and analysis, the dataset and cohort records, and the small
slices of HPO, ICD-10 and NCIT that the terms come from, written as OBO so that ``beacon-ingest
ontology`` can load them and descendant filters work (``HP:0001626``, abnormality of the
cardiovascular system, finds hypertension and myocardial infarction). Disease prevalence grows
with age, and phenotypes follow the diseases, so filters give plausible, varied counts. Each
slice keeps a term's path to the root only through terms it keeps: a parent written here is
always a true ancestor in the source ontology. No real person's data is involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FEMALE = {"id": "NCIT:C16576", "label": "female"}
MALE = {"id": "NCIT:C20197", "label": "male"}
EUROPEAN = {"id": "HANCESTRO:0005", "label": "European"}
BMI = {"id": "LOINC:39156-5", "label": "Body mass index (BMI) [Ratio]"}
BMI_UNIT = {"id": "NCIT:C49671", "label": "Kilogram per Square Meter"}
BLOOD = {"id": "UBERON:0000178", "label": "blood"}
REFERENCE_SAMPLE = {"id": "EFO:0009654", "label": "reference sample"}
GENOMIC_SOURCE = {"id": "GENEPIO:0001966", "label": "genomic source"}
NOVASEQ = {"id": "OBI:0002630", "label": "Illumina NovaSeq 6000"}
#: A DUO term of a dataset's data use conditions names the DUO release it is from.
GENERAL_RESEARCH_USE = {
    "id": "DUO:0000042",
    "label": "general research use",
    "version": "2021-02-23",
}
OBESE_BMI = 30.0


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    parents: tuple[str, ...] = ()


#: The ontology slices: each term's parents are its nearest ancestors kept here.
HPO = (
    Term("HP:0000001", "All"),
    Term("HP:0000118", "Phenotypic abnormality", ("HP:0000001",)),
    Term("HP:0001626", "Abnormality of the cardiovascular system", ("HP:0000118",)),
    Term("HP:0000822", "Hypertension", ("HP:0001626",)),
    Term("HP:0001658", "Myocardial infarction", ("HP:0001626",)),
    Term("HP:0000818", "Abnormality of the endocrine system", ("HP:0000118",)),
    Term("HP:0000819", "Diabetes mellitus", ("HP:0000818",)),
    Term("HP:0001939", "Abnormality of metabolism/homeostasis", ("HP:0000118",)),
    Term("HP:0003077", "Hyperlipidemia", ("HP:0001939",)),
    Term("HP:0003124", "Hypercholesterolemia", ("HP:0003077",)),
    Term("HP:0002086", "Abnormality of the respiratory system", ("HP:0000118",)),
    Term("HP:0002099", "Asthma", ("HP:0002086",)),
    Term("HP:0000707", "Abnormality of the nervous system", ("HP:0000118",)),
    Term("HP:0001250", "Seizure", ("HP:0000707",)),
    Term("HP:0002315", "Headache", ("HP:0000707",)),
    Term("HP:0002076", "Migraine", ("HP:0002315",)),
    Term("HP:0000708", "Behavioral abnormality", ("HP:0000707",)),
    Term("HP:0000716", "Depressivity", ("HP:0000708",)),
    Term("HP:0001507", "Growth abnormality", ("HP:0000118",)),
    Term("HP:0004324", "Increased body weight", ("HP:0001507",)),
    Term("HP:0001513", "Obesity", ("HP:0004324",)),
)
ICD10 = (
    Term("ICD10:I00-I99", "Diseases of the circulatory system"),
    Term("ICD10:I10-I15", "Hypertensive diseases", ("ICD10:I00-I99",)),
    Term("ICD10:I10", "Essential (primary) hypertension", ("ICD10:I10-I15",)),
    Term("ICD10:I20-I25", "Ischaemic heart diseases", ("ICD10:I00-I99",)),
    Term("ICD10:I21", "Acute myocardial infarction", ("ICD10:I20-I25",)),
    Term("ICD10:E00-E90", "Endocrine, nutritional and metabolic diseases"),
    Term("ICD10:E10-E14", "Diabetes mellitus", ("ICD10:E00-E90",)),
    Term("ICD10:E11", "Type 2 diabetes mellitus", ("ICD10:E10-E14",)),
    Term("ICD10:E70-E90", "Metabolic disorders", ("ICD10:E00-E90",)),
    Term(
        "ICD10:E78",
        "Disorders of lipoprotein metabolism and other lipidaemias",
        ("ICD10:E70-E90",),
    ),
    Term("ICD10:J00-J99", "Diseases of the respiratory system"),
    Term("ICD10:J40-J47", "Chronic lower respiratory diseases", ("ICD10:J00-J99",)),
    Term("ICD10:J45", "Asthma", ("ICD10:J40-J47",)),
    Term("ICD10:F00-F99", "Mental and behavioural disorders"),
    Term("ICD10:F30-F39", "Mood [affective] disorders", ("ICD10:F00-F99",)),
    Term("ICD10:F32", "Depressive episode", ("ICD10:F30-F39",)),
    Term("ICD10:G00-G99", "Diseases of the nervous system"),
    Term("ICD10:G40-G47", "Episodic and paroxysmal disorders", ("ICD10:G00-G99",)),
    Term("ICD10:G40", "Epilepsy", ("ICD10:G40-G47",)),
    Term("ICD10:G43", "Migraine", ("ICD10:G40-G47",)),
    Term("ICD10:C00-D48", "Neoplasms"),
    Term("ICD10:C50", "Malignant neoplasm of breast", ("ICD10:C00-D48",)),
)
NCIT = (
    Term(FEMALE["id"], FEMALE["label"]),
    Term(MALE["id"], MALE["label"]),
    Term(BMI_UNIT["id"], BMI_UNIT["label"]),
)
ONTOLOGIES = {"hp.obo": ("hp", HPO), "icd10.obo": ("icd10", ICD10), "ncit.obo": ("ncit", NCIT)}


@dataclass(frozen=True)
class Disease:
    """A disease, the phenotype it shows as, and its prevalence: ``base + per_year * age``."""

    icd10: str
    hpo: str | None
    base: float
    per_year: float
    min_age: int = 0
    sex: str | None = None  # "F": women only


DISEASES = (
    Disease("ICD10:I10", "HP:0000822", -0.05, 0.006, min_age=25),
    Disease("ICD10:E11", "HP:0000819", -0.03, 0.0025, min_age=30),
    Disease("ICD10:E78", "HP:0003124", 0.0, 0.003, min_age=20),
    Disease("ICD10:I21", "HP:0001658", -0.04, 0.0012, min_age=40),
    Disease("ICD10:J45", "HP:0002099", 0.07, 0.0),
    Disease("ICD10:F32", "HP:0000716", 0.08, 0.0005),
    Disease("ICD10:G40", "HP:0001250", 0.012, 0.0),
    Disease("ICD10:G43", "HP:0002076", 0.06, 0.0, sex=None),
    Disease("ICD10:C50", None, -0.02, 0.0009, min_age=35, sex="F"),
)
LABELS = {t.id: t.label for t in (*HPO, *ICD10, *NCIT)}


@dataclass(frozen=True)
class Person:
    """One simulated individual: ids, sex and age; the VCF writer needs the sex too."""

    id: str
    biosample: str
    female: bool
    age: int  # years, at sample collection


def people(code: str, n: int, rng: np.random.Generator) -> list[Person]:
    """``n`` adults of one country: ids ``FI00001``..., sex 50/50, ages 18-90."""
    female = rng.random(n) < 0.5
    ages = np.clip(rng.normal(52, 17, n).round(), 18, 90).astype(int)
    return [
        Person(f"{code}{i + 1:05d}", f"{code}{i + 1:05d}-B1", bool(female[i]), int(ages[i]))
        for i in range(n)
    ]


def _term(term_id: str) -> dict[str, str]:
    return {"id": term_id, "label": LABELS[term_id]}


def _age(years: int) -> dict[str, str]:
    return {"iso8601duration": f"P{years}Y"}


def individual(person: Person, country: dict[str, str], rng: np.random.Generator) -> dict[str, Any]:
    """The individual's BFF record: diseases drawn by age and sex, their phenotypes, a BMI."""
    diseases = []
    features = []
    for disease in DISEASES:
        if person.age < disease.min_age or (disease.sex == "F" and not person.female):
            continue
        if rng.random() >= disease.base + disease.per_year * person.age:
            continue
        onset = int(rng.integers(min(disease.min_age, person.age - 1), person.age + 1))
        diseases.append({"diseaseCode": _term(disease.icd10), "ageOfOnset": _age(max(onset, 1))})
        if disease.hpo:
            features.append({"featureType": _term(disease.hpo), "onset": _age(max(onset, 1))})
    bmi = round(float(rng.normal(26.5, 4.5)), 1)
    if bmi >= OBESE_BMI:
        features.append({"featureType": _term("HP:0001513")})
    record: dict[str, Any] = {
        "id": person.id,
        "sex": dict(FEMALE if person.female else MALE),
        "karyotypicSex": "XX" if person.female else "XY",
        "ethnicity": dict(EUROPEAN),
        "geographicOrigin": dict(country),
        "measures": [
            {
                "assayCode": dict(BMI),
                "measurementValue": {"value": bmi, "unit": dict(BMI_UNIT)},
                "observationMoment": _age(person.age),
            }
        ],
    }
    if diseases:
        record["diseases"] = diseases
    if features:
        record["phenotypicFeatures"] = features
    return record


def biosample(person: Person, collected: str) -> dict[str, Any]:
    return {
        "id": person.biosample,
        "individualId": person.id,
        "biosampleStatus": dict(REFERENCE_SAMPLE),
        "sampleOriginType": dict(BLOOD),
        "collectionDate": collected,
        "collectionMoment": f"P{person.age}Y",
    }


def run(person: Person, date: str) -> dict[str, Any]:
    return {
        "id": f"{person.biosample}-R1",
        "biosampleId": person.biosample,
        "individualId": person.id,
        "runDate": date,
        "libraryLayout": "PAIRED",
        "librarySelection": "RANDOM",
        "librarySource": dict(GENOMIC_SOURCE),
        "libraryStrategy": "WGS",
        "platform": "Illumina",
        "platformModel": dict(NOVASEQ),
    }


def analysis(person: Person, date: str, pipeline: str) -> dict[str, Any]:
    return {
        "id": f"{person.biosample}-A1",
        "runId": f"{person.biosample}-R1",
        "biosampleId": person.biosample,
        "individualId": person.id,
        "analysisDate": date,
        "pipelineName": pipeline,
        "variantCaller": "none: genotypes simulated with msprime",
    }


def metadata(
    code: str,
    country_name: str,
    country: dict[str, str],
    dataset_id: str,
    persons: list[Person],
    rng: np.random.Generator,
    pipeline: str,
    controlled: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Every BFF metadata file of one country's dataset, by entity name."""
    kind = "clinical cohort" if controlled else "population cohort"
    access = " Controlled access: a data access committee grants it." if controlled else ""
    dates = [f"2024-{int(m):02d}-{int(d):02d}" for m, d in rng.integers(1, [13, 29], (2, 2))]
    people = [individual(p, country, rng) for p in persons]
    return {
        "individuals": people,
        "biosamples": [biosample(p, dates[0]) for p in persons],
        "runs": [run(p, dates[1]) for p in persons],
        "analyses": [analysis(p, dates[1], pipeline) for p in persons],
        "datasets": [
            {
                "id": dataset_id,
                "name": f"Synthetic {kind}, {country_name}",
                "description": (
                    f"{len(persons)} simulated adults from {country_name} (msprime genomes of "
                    "chromosome 22 windows, simulated phenotypes): demonstration data, no real "
                    f"person's data.{access}"
                ),
                "createDateTime": f"{dates[0]}T00:00:00Z",
                "version": "1",
                "dataUseConditions": {"duoDataUse": [dict(GENERAL_RESEARCH_USE)]},
            }
        ],
        "cohorts": [
            {
                "id": f"{dataset_id}-cohort",
                "name": f"Synthetic {kind}, {country_name}",
                "cohortType": "study-defined",
                "cohortSize": len(persons),
                "inclusionCriteria": {
                    "locations": [dict(country)],
                    "ageRange": {"start": _age(18), "end": _age(90)},
                },
                "collectionEvents": [collection_event(people, country, dates[0])],
                "info": {"country": code},
            }
        ],
    }


def _tally(labels: list[str]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for label in labels:
        counted[label] = counted.get(label, 0) + 1
    return dict(sorted(counted.items()))


def collection_event(
    people: list[dict[str, Any]], country: dict[str, str], collected: str
) -> dict[str, Any]:
    """The cohort's one collection event: its size and how its members divide by sex,
    disease and place (what the EGA UI's cohort table shows)."""
    diseases = [d["diseaseCode"]["label"] for p in people for d in p.get("diseases", [])]
    return {
        "eventNum": 1,
        "eventDate": f"{collected}T00:00:00Z",
        "eventSize": len(people),
        "eventGenders": {
            "availability": True,
            "availabilityCount": len(people),
            "distribution": {"genders": _tally([p["sex"]["label"] for p in people])},
        },
        "eventDiseases": {
            "availability": bool(diseases),
            "availabilityCount": sum(1 for p in people if p.get("diseases")),
            "distribution": {"diseases": _tally(diseases)},
        },
        "eventLocations": {
            "availability": True,
            "availabilityCount": len(people),
            "distribution": {"locations": {country["label"]: len(people)}},
        },
    }


def obo(name: str, terms: tuple[Term, ...], version: str) -> str:
    """One ontology slice as OBO 1.2 text."""
    lines = ["format-version: 1.2", f"data-version: {version}", f"ontology: {name}", ""]
    for term in terms:
        lines += ["[Term]", f"id: {term.id}", f"name: {term.label}"]
        lines += [f"is_a: {parent} ! {LABELS[parent]}" for parent in term.parents]
        lines.append("")
    return "\n".join(lines)
