"""Ontology terms and filterable fields, found in records and summarised as filtering terms.

Pure. Each stored record gets ``_terms`` (every ontology term id it carries, wherever it sits)
and ``_durations`` (every ISO 8601 duration as days, with its field path), both indexed. Per
load and entry type, a ``TermCollector`` gathers which terms occur in which fields and which
scalar fields exist, with their kind and a few values: the dataset's filtering terms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from beacon.protocol.durations import days, is_duration
from beacon.protocol.filters import term_ids
from beacon.store import collections as c
from beacon.store.documents import molecular_effects, population_labels
from ingest.documents import EFFECTS_FIELD, variant_term_fields

CURIE = re.compile(r"^\w[^:\s]+:\S.*$")
#: Links between records and free-form blocks: not filter targets.
SKIPPED = {"id", "individualId", "biosampleId", "runId", "analysisId", "datasetId", "info"}
MAX_VALUES = 25
#: Population labels the GDI portal parses: ``FI``, ``FI_M``, ``F``.
POPULATION = re.compile(r"^(?:(?P<country>[A-Z]{2})(?:_(?P<sex>[MF]))?|(?P<only_sex>[MF]))$")


def _is_term(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and bool(CURIE.match(value["id"]))
    )


def listed_ids(term_id: str) -> list[str]:
    """The filter ids of a term (``term_ids``: each part of an id written with commas)."""
    return [t for t in term_ids(term_id) if CURIE.match(t)]


def walk_terms(value: Any, path: str = "") -> Iterator[tuple[str, str, str | None]]:
    """(field path, term id, label) for every ontology term inside a record."""
    if isinstance(value, list):
        for item in value:
            yield from walk_terms(item, path)
    elif isinstance(value, dict):
        if path and _is_term(value):
            label = value.get("label")
            for term in listed_ids(value["id"]):
                yield path, term, label if isinstance(label, str) else None
            return
        for key, item in value.items():
            if key.startswith("_") or (not path and key in SKIPPED) or key == "info":
                continue
            yield from walk_terms(item, f"{path}.{key}" if path else key)


def walk_lists(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, term id) for every term id written with commas inside a record."""
    if isinstance(value, list):
        for item in value:
            yield from walk_lists(item, path)
    elif isinstance(value, dict):
        if path and _is_term(value):
            if len(term_ids(value["id"])) > 1:
                yield path, value["id"]
            return
        for key, item in value.items():
            if key.startswith("_") or (not path and key in SKIPPED) or key == "info":
                continue
            yield from walk_lists(item, f"{path}.{key}" if path else key)


def walk_scalars(value: Any, path: str = "") -> Iterator[tuple[str, str | float | bool]]:
    """(field path, value) for every string, number or boolean outside ontology terms."""
    if isinstance(value, list):
        for item in value:
            yield from walk_scalars(item, path)
    elif isinstance(value, dict):
        if path and _is_term(value):
            return
        for key, item in value.items():
            if key.startswith("_") or (not path and key in SKIPPED) or key == "info":
                continue
            yield from walk_scalars(item, f"{path}.{key}" if path else key)
    elif isinstance(value, bool | int | float | str) and path:
        yield path, value


def kind_of(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "duration" if is_duration(value) else "string"


def annotate(record: dict[str, Any]) -> dict[str, Any]:
    """The helper fields a stored record gets: its terms and its durations."""
    helpers: dict[str, Any] = {c.TERMS: sorted({term for _, term, _ in walk_terms(record)})}
    durations = [
        {"p": path, "d": days(value)}
        for path, value in walk_scalars(record)
        if isinstance(value, str) and is_duration(value)
    ]
    if durations:
        helpers[c.DURATIONS] = durations
    return helpers


def field_label(path: str) -> str:
    """``diseases.ageOfOnset.iso8601duration`` -> ``diseases / age of onset``."""
    parts = [p for p in path.split(".") if p != "iso8601duration"]
    words = [re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", p).lower() for p in parts]
    return " / ".join(words)


@dataclass
class _Term:
    label: str | None = None
    fields: set[str] = field(default_factory=set)
    count: int = 0


@dataclass
class _Field:
    kinds: Counter[str] = field(default_factory=Counter)
    values: Counter[str] = field(default_factory=Counter)
    too_many: bool = False


class TermCollector:
    """What one entry type's records of one load contain, for ``/filtering_terms``."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.terms: dict[str, _Term] = {}
        self.fields: dict[str, _Field] = {}
        #: Term ids written with commas (several ids as one), with a field they sit in.
        self.lists: dict[str, str] = {}

    def add(self, record: dict[str, Any]) -> None:
        seen: set[str] = set()
        for path, term in walk_lists(record):
            self.lists.setdefault(term, path)
        for path, term, label in walk_terms(record):
            entry = self.terms.setdefault(term, _Term())
            entry.fields.add(path)
            if label and not entry.label:
                entry.label = label
            if term not in seen:
                entry.count += 1
                seen.add(term)
        for path, value in walk_scalars(record):
            info = self.fields.setdefault(path, _Field())
            kind = kind_of(value)
            info.kinds[kind] += 1
            if kind == "string" and not info.too_many:
                info.values[str(value)] += 1
                if len(info.values) > MAX_VALUES:
                    info.too_many = True
                    info.values.clear()

    def documents(self, dataset_id: str, load_id: str) -> list[dict[str, Any]]:
        """Filtering-term documents of this load (ontology terms, then alphanumeric fields)."""
        docs: list[dict[str, Any]] = []
        for term, info in sorted(self.terms.items()):
            doc: dict[str, Any] = {
                "_id": f"{load_id}|{self.scope}|{term}",
                c.DATASET_ID: dataset_id,
                c.FT_LOAD: load_id,
                c.FT_SCOPE: self.scope,
                "type": "ontologyTerm",
                "id": term,
                c.FT_FIELDS: sorted(info.fields),
                c.FT_COUNT: info.count,
            }
            if info.label:
                doc["label"] = info.label
            docs.append(doc)
        for path, found in sorted(self.fields.items()):
            kind = found.kinds.most_common(1)[0][0]
            doc = {
                "_id": f"{load_id}|{self.scope}|{path}",
                c.DATASET_ID: dataset_id,
                c.FT_LOAD: load_id,
                c.FT_SCOPE: self.scope,
                "type": "alphanumeric",
                "id": path,
                "label": field_label(path),
                c.FT_FIELDS: [path],
                c.FT_KIND: kind,
            }
            if kind == "string" and not found.too_many and found.values:
                doc["values"] = sorted(found.values)
            docs.append(doc)
        return docs


class VariantTerms:
    """The effect and clinical terms of a variant load, counted from the stored documents."""

    scope = "genomicVariant"

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.labels: dict[str, str] = {}
        self.fields: dict[str, set[str]] = {}
        self.countries: set[str] = set()
        self.sexes: set[str] = set()
        self.seen: set[str] = set()  # population labels already looked at

    def add(self, doc: dict[str, Any], dataset_id: str) -> None:
        """Count the terms of a stored (lean) variant document of ``dataset_id``."""
        labels = [dataset_id] if (doc.get(c.V_COUNTS) or {}).get("an") else []  # its own block
        for block in doc.get(c.V_POPULATIONS, ()):
            labels += population_labels(block)
        for label in labels:
            if label in self.seen:
                continue
            self.seen.add(label)
            match = POPULATION.match(label)
            if match:
                self.countries.update(g for g in (match["country"],) if g)
                self.sexes.update(g for g in (match["sex"], match["only_sex"]) if g)
        terms = doc.get(c.TERMS)
        if not terms:
            return
        self.counts.update(terms)
        for term, paths in variant_term_fields(doc).items():
            self.fields.setdefault(term, set()).update(paths)
        clinical = doc.get(c.V_CLINICAL, [])
        effects = molecular_effects(doc.get(c.V_EFFECTS, []))
        for effect in [*effects, *(i.get("effect") or {} for i in clinical)]:
            if effect.get("label") and effect.get("id") not in self.labels:
                self.labels[effect["id"]] = effect["label"]

    def documents(self, dataset_id: str, load_id: str) -> list[dict[str, Any]]:
        docs = []
        for term, count in sorted(self.counts.items()):
            doc: dict[str, Any] = {
                "_id": f"{load_id}|{self.scope}|{term}",
                c.DATASET_ID: dataset_id,
                c.FT_LOAD: load_id,
                c.FT_SCOPE: self.scope,
                "type": "ontologyTerm",
                "id": term,
                c.FT_FIELDS: sorted(self.fields.get(term) or {EFFECTS_FIELD}),
                c.FT_COUNT: count,
            }
            if term in self.labels:
                doc["label"] = self.labels[term]
            docs.append(doc)
        # The GDI portal's population filters, with the populations this load reports.
        for name, label, values in (
            ("sexFilter", "population by sex (M or F)", self.sexes),
            ("countryFilter", "population by country (ISO 3166 code)", self.countries),
        ):
            if values:
                docs.append(
                    {
                        "_id": f"{load_id}|{self.scope}|{name}",
                        c.DATASET_ID: dataset_id,
                        c.FT_LOAD: load_id,
                        c.FT_SCOPE: self.scope,
                        "type": "custom",
                        "id": name,
                        "label": label,
                        "values": sorted(values),
                        c.FT_FIELDS: ["frequencyInPopulations.frequencies.population"],
                    }
                )
        return docs
