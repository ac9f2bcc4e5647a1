"""Beacon filters -> MongoDB conditions, per entry type, with the spec's AND/OR semantics.

Pure. The planner gets a ``TermIndex``: what the datasets in scope know about each filter id
(which entry types carry the term and in which fields, its descendants present in the data,
whether a loaded ontology knows it) and which alphanumeric fields exist. Then:

* an ontology/custom term matches records carrying it — or, by default, any descendant — via
  the indexed ``_terms``; ``similarity`` other than ``exact`` is refused;
* an alphanumeric filter compares a field (numbers as numbers, ISO 8601 durations as
  durations, ``%`` as a wildcard), or a measurement's value when its id is an assay term;
* filters on the same property are ORed, different properties ANDed (the spec's FAQ);
* a filter on another entry type than the one requested reaches it through the links between
  records (``scope``), and an id nobody knows is a 400 — never dropped, which would widen the
  answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from beacon.protocol import entry_types as et
from beacon.protocol.durations import days
from beacon.protocol.filters import Filter, TermFilter, finite_number
from beacon.protocol.understand import Population, bad_filter, is_population
from beacon.store import collections as c
from beacon.store.collections import Condition

AGE_ALIASES = ("age", "PATO:0000011")
#: Where an age lives, per entry type, most relevant first (docs/design.md §4).
AGE_FIELDS: dict[str, tuple[str, ...]] = {
    "individual": (
        "diseases.ageOfOnset.iso8601duration",
        "diseases.ageOfOnset.age.iso8601duration",
        "phenotypicFeatures.onset.iso8601duration",
        "phenotypicFeatures.onset.age.iso8601duration",
    ),
    "biosample": ("collectionMoment",),
}
_OPS = {"=": "$eq", "<": "$lt", ">": "$gt", "<=": "$lte", ">=": "$gte", "!": "$ne"}


@dataclass(frozen=True)
class KnownTerm:
    """What the data and the loaded ontologies say about one term id."""

    id: str
    in_ontology: bool = False
    #: Terms below it that occur in the data (descendants through the loaded ontologies).
    descendants: frozenset[str] = frozenset()
    #: Entry type id -> fields where the term or a descendant occurs.
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TermIndex:
    terms: Mapping[str, KnownTerm] = field(default_factory=dict)
    #: (entry type id, field path) -> kind: number, string, duration, boolean.
    fields: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def field_scopes(self, path: str) -> list[str]:
        return sorted(scope for scope, p in self.fields if p == path)


@dataclass
class FilterPlan:
    """Conditions per entry type id (ANDed), and the population selection if any."""

    conditions: dict[str, list[Condition]] = field(default_factory=dict)
    population: Population | None = None
    #: Every alternative of some property was left out (``exclude``): nothing can match.
    matches_nothing: bool = False

    def add(self, scope: str, condition: Condition) -> None:
        self.conditions.setdefault(scope, []).append(condition)


def _scope_of(flt: Filter, index: int, target: et.EntryType, known: list[str]) -> str:
    """The entry type a filter applies to: its ``scope``, else where the data has it."""
    if flt.scope is not None:
        entry = et.lookup_id(flt.scope)
        assert entry is not None  # understood: protocol.understand refused unknown scopes
        return entry.id
    if not known or target.id in known:
        return target.id
    for preferred in ("individual", "biosample", "run", "analysis", "genomicVariant"):
        if preferred in known:
            return preferred
    return known[0]


def _like(value: str) -> Condition:
    pattern = ".*".join(re.escape(part) for part in value.split("%"))
    return {"$regex": f"^{pattern}$", "$options": "i"}


def _compare(path: str, kind: str, op: str, value: str, index: int) -> Condition:
    if kind == "duration":
        try:
            length = days(value)
        except ValueError:
            message = f"{path} holds ISO 8601 durations; {value[:40]!r} is not one (e.g. P70Y)"
            raise bad_filter(index, message) from None
        return {c.DURATIONS: {"$elemMatch": {"p": path, "d": {_OPS[op]: length}}}}
    if kind == "number":
        number = finite_number(value)
        if number is None:
            raise bad_filter(index, f"{path} holds numbers; {value[:40]!r} is not a finite one")
        return {path: _present(op, number)}
    if kind == "boolean":
        if value.lower() not in ("true", "false") or op not in ("=", "!"):
            raise bad_filter(index, f"{path} is true or false; compare it with = or !")
        return {path: _present(op, value.lower() == "true")}
    if "%" in value and op in ("=", "!"):
        return (
            {path: _like(value)} if op == "=" else {path: {"$exists": True, "$not": _like(value)}}
        )
    return {path: _present(op, value)}


def _present(op: str, value: Any) -> Condition:
    """A comparison; ``!`` means "has the field, with another value", not "lacks it"."""
    if op == "!":
        return {"$exists": True, "$ne": value}
    return {_OPS[op]: value}


def _measurement(term: KnownTerm, scope: str, op: str, value: str, index: int) -> Condition | None:
    """``LOINC:35925-4 > 25``: a measurement whose assay is the term, compared by value."""
    arrays = [
        f.removesuffix(".assayCode") for f in term.fields.get(scope, ()) if f.endswith(".assayCode")
    ]
    if not arrays:
        return None
    number = finite_number(value)
    if number is None:
        raise bad_filter(
            index, f"{term.id} is a measurement; {value[:40]!r} is not a finite number"
        )
    match = {"assayCode.id": term.id, "measurementValue.value": {_OPS[op]: number}}
    either = [{array: {"$elemMatch": match}} for array in arrays]
    return either[0] if len(either) == 1 else {"$or": either}


def build(
    filters: tuple[Filter, ...],
    target: et.EntryType,
    index: TermIndex,
    population: Population | None = None,
    *,
    only: frozenset[int] | None = None,
    exclude: frozenset[int] = frozenset(),
) -> FilterPlan:
    """Group the filters by property and turn them into conditions per entry type (population
    filters were understood already: ``population``).

    ``only`` keeps just the filters at those positions; ``exclude`` leaves those out as if they
    matched nothing: an alternative of a property drops out of its OR, and a property whose
    every alternative is excluded makes the whole plan match nothing (``matches_nothing``).
    """
    plan = FilterPlan(population=population)
    groups: dict[tuple[str, frozenset[str], int], list[Condition | set[str]]] = {}
    excluded: set[tuple[str, frozenset[str], int]] = set()
    for i, flt in enumerate(filters):
        if only is not None and i not in only:
            continue
        # Equalities on one property are alternatives (the FAQ's OR); comparisons are bounds,
        # so each stands alone and they AND (age > P10Y and age < P71Y is a range).
        alone = -1 if isinstance(flt, TermFilter) or flt.operator == "=" else i
        if is_population(flt):
            continue
        if isinstance(flt, TermFilter):
            term = index.terms.get(flt.id)
            if term is not None and (term.fields or term.in_ontology):
                scope = _scope_of(flt, i, target, sorted(term.fields))
                ids = {flt.id} | (set(term.descendants) if flt.include_descendants else set())
                key = (scope, term.fields.get(scope, frozenset({flt.id})), alone)
                _member(groups, excluded, i in exclude, key, ids)
                continue
            path, _, value = flt.id.rpartition(":")
            scopes = index.field_scopes(path) if path else []
            if not scopes or not value:
                raise bad_filter(
                    i,
                    f"filter {flt.id!r} is not known to this beacon; see /filtering_terms for the "
                    "terms and fields it can filter on",
                )
            scope = _scope_of(flt, i, target, scopes)
            kind = index.fields.get((scope, path), "string")
            _member(
                groups,
                excluded,
                i in exclude,
                (scope, frozenset({path}), alone),
                _compare(path, kind, "=", value, i),
            )
            continue
        if flt.id in AGE_ALIASES:
            scope = _scope_of(flt, i, target, sorted(AGE_FIELDS))
            paths = [p for p in AGE_FIELDS.get(scope, ()) if (scope, p) in index.fields]
            if not paths:
                raise bad_filter(i, f"no age is recorded for {scope} records in this beacon")
            either = [_compare(p, "duration", flt.operator, flt.value, i) for p in paths]
            _member(
                groups,
                excluded,
                i in exclude,
                (scope, frozenset(paths), alone),
                either[0] if len(either) == 1 else {"$or": either},
            )
            continue
        term = index.terms.get(flt.id)
        if term is not None:
            scope = _scope_of(flt, i, target, sorted(term.fields))
            measured = _measurement(term, scope, flt.operator, flt.value, i)
            if measured is not None:
                _member(
                    groups, excluded, i in exclude, (scope, frozenset({flt.id}), alone), measured
                )
                continue
        scopes = index.field_scopes(flt.id)
        if not scopes:
            raise bad_filter(
                i,
                f"filter {flt.id!r} is neither a field nor a measured term of this beacon; see "
                "/filtering_terms",
            )
        scope = _scope_of(flt, i, target, scopes)
        field_kind = index.fields.get((scope, flt.id))
        if field_kind is None:
            raise bad_filter(i, f"{scope} records have no field {flt.id}")
        _member(
            groups,
            excluded,
            i in exclude,
            (scope, frozenset({flt.id}), alone),
            _compare(flt.id, field_kind, flt.operator, flt.value, i),
        )
    plan.matches_nothing = bool(excluded - set(groups))
    for (scope, _fields, _alone), members in groups.items():
        plan.add(scope, _or_group(members))
    return plan


def _member(
    groups: dict[tuple[str, frozenset[str], int], list[Condition | set[str]]],
    excluded: set[tuple[str, frozenset[str], int]],
    leave_out: bool,
    key: tuple[str, frozenset[str], int],
    member: Condition | set[str],
) -> None:
    """One alternative of the property ``key``, unless it is left out."""
    if leave_out:
        excluded.add(key)
    else:
        groups.setdefault(key, []).append(member)


def _or_group(members: list[Condition | set[str]]) -> Condition:
    """Filters on one property: any of them (term ids merge into one indexed $in)."""
    ids: set[str] = set()
    others: list[Condition] = []
    for member in members:
        if isinstance(member, set):
            ids |= member
        else:
            others.append(member)
    if ids:
        others.insert(0, {c.TERMS: next(iter(ids)) if len(ids) == 1 else {"$in": sorted(ids)}})
    return others[0] if len(others) == 1 else {"$or": others}
