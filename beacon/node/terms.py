"""What the node knows about filter ids: read from the filtering terms and ontology closures.

Both read through the executor (its time limit, metrics and slow-query log):

* ``term_index`` builds the planner's ``TermIndex`` for the filters of one request — which
  entry types carry each term, in which fields, its descendants present in the data (the
  ontology closure is one indexed lookup, ``ancestors`` = term) — and the filterable fields.
* ``listing`` assembles ``/filtering_terms``: the terms of the datasets in scope, the ancestors
  of those terms from loaded ontologies (so a parent term is a known filter), and one
  ``resources`` entry per CURIE prefix.
* ``view`` is what a caller sees (``listing`` for each visible dataset's tier), built once per
  view and kept: a page of ``/filtering_terms`` is then a slice of it, with one small read of
  the ontologies to know that none was loaded since (docs/design.md, filtering terms).
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any

from beacon.node import frequencies
from beacon.node.execute import Executor
from beacon.node.query_filters import AGE_ALIASES, AGE_FIELDS, KnownTerm, TermIndex
from beacon.protocol.filters import Filter, TermFilter
from beacon.protocol.ontologies import prefix_of, resource
from beacon.store import collections as c
from beacon.store.catalog import DatasetEntry


def load_ids(datasets: Iterable[DatasetEntry]) -> list[str]:
    return sorted({load for d in datasets for load in d.loads.values()})


def by_id(load: str, ids: Iterable[str]) -> c.Condition:
    """The stored terms of one load with these ids. Each read is one load's, with no field
    outside its index: the engine scans the collection for ``$in`` on two fields, and for
    any field outside the index."""
    return {c.FT_LOAD: load, "id": {"$in": sorted(ids)}}


def by_type(load: str, kind: str = "alphanumeric") -> c.Condition:
    """The stored terms of one load of one type (one indexed read, as ``by_id``)."""
    return {c.FT_LOAD: load, "type": kind}


async def _rows(
    executor: Executor, conditions: list[c.Condition], projection: dict[str, int]
) -> list[dict[str, Any]]:
    found = await asyncio.gather(
        *(
            executor.find("filtering terms", c.FILTERING_TERMS, flt, projection)
            for flt in conditions
        )
    )
    return [doc for docs in found for doc in docs]


async def term_index(
    executor: Executor, datasets: list[DatasetEntry], filters: tuple[Filter, ...]
) -> TermIndex:
    """What the data in scope and the loaded ontologies say about these filters' ids."""
    loads = load_ids(datasets)
    ids = sorted({f.id for f in filters})
    below: dict[str, set[str]] = {}
    known = {"_id": {"$in": ids}}
    in_ontology = set(await executor.distinct("ontology", c.ONTOLOGY_TERMS, "_id", known))
    for flt in filters:
        if isinstance(flt, TermFilter) and flt.include_descendants and flt.id in in_ontology:
            under = {c.OT_ANCESTORS: flt.id}
            below[flt.id] = set(await executor.distinct("ontology", c.ONTOLOGY_TERMS, "_id", under))
    wanted = set(ids).union(*below.values()) if below else set(ids)
    occurrences: dict[str, dict[str, set[str]]] = {}
    fields: dict[tuple[str, str], str] = {}
    projection = {"id": 1, "type": 1, c.FT_SCOPE: 1, c.FT_FIELDS: 1}
    for doc in await _rows(executor, [by_id(load, wanted) for load in loads], projection):
        if doc.get("type") == "ontologyTerm":
            scopes = occurrences.setdefault(doc["id"], {})
            scopes.setdefault(doc[c.FT_SCOPE], set()).update(doc.get(c.FT_FIELDS, []))
    projection = {"id": 1, c.FT_SCOPE: 1, c.FT_KIND: 1}
    for doc in await _rows(executor, [by_type(load) for load in loads], projection):
        fields[(doc[c.FT_SCOPE], doc["id"])] = doc.get(c.FT_KIND, "string")
    terms: dict[str, KnownTerm] = {}
    for term in ids:
        family = {term} | below.get(term, set())
        present = {t for t in family if t in occurrences}
        merged: dict[str, set[str]] = {}
        for t in present:
            for scope, paths in occurrences[t].items():
                merged.setdefault(scope, set()).update(paths)
        if present or term in in_ontology:
            terms[term] = KnownTerm(
                id=term,
                in_ontology=term in in_ontology,
                descendants=frozenset(present - {term}),
                fields={s: frozenset(p) for s, p in merged.items()},
            )
    return TermIndex(terms=terms, fields=fields)


def _age_aliases(merged: dict[tuple[str, str], dict[str, Any]]) -> None:
    """List ``age`` and ``PATO:0000011`` where an age field exists: filters accept them."""
    scopes = sorted(
        scope
        for scope, paths in AGE_FIELDS.items()
        if any(
            ("alphanumeric", p) in merged and scope in merged[("alphanumeric", p)]["scopes"]
            for p in paths
        )
    )
    if scopes:
        for alias in AGE_ALIASES:
            merged[("alphanumeric", alias)] = {
                "type": "alphanumeric",
                "id": alias,
                "label": "age (ISO 8601 duration, e.g. P70Y)",
                "scopes": scopes,
            }


#: The GDI portal's population filters, as /filtering_terms lists them.
POPULATION_TERMS = (
    ("sexFilter", "population by sex (M or F)"),
    ("countryFilter", "population by country (ISO 3166 code)"),
)


async def _population_terms(
    executor: Executor, datasets: list[DatasetEntry], merged: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """``sexFilter`` and ``countryFilter`` with the sexes and countries of the datasets'
    people, whose frequencies the node computes from the genotypes (any VCF gives them)."""
    sexes: set[str] = set()
    countries: set[str] = set()
    for dataset in datasets:
        groups = await executor.groups(dataset)
        for label in groups.masks if groups else ():
            found = frequencies.LABEL.match(label)
            if found:
                countries.update(x for x in (found["country"],) if x)
                sexes.update(x for x in (found["sex"], found["only"]) if x)
    for (name, label), values in zip(POPULATION_TERMS, (sexes, countries), strict=True):
        if not values:
            continue
        entry = merged.setdefault(
            ("custom", name), {"type": "custom", "id": name, "label": label, "scopes": []}
        )
        if "genomicVariant" not in entry["scopes"]:
            entry["scopes"].append("genomicVariant")
        entry["values"] = sorted(set(entry.get("values", [])) | values)


async def listing(
    executor: Executor,
    datasets: list[DatasetEntry],
    scope: str | None,
    rare_below: Mapping[str, int] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``/filtering_terms``: (terms sorted by id, resources). ``rare_below`` maps a load to
    the fewest records a term must hold in it to be listed from it (the dataset's
    ``min_count`` for callers who see it below record level): a term held by one person would
    otherwise name that person's condition to anyone, although querying it says nothing."""
    thresholds = rare_below or {}
    query: dict[str, Any] = {c.FT_LOAD: {"$in": load_ids(datasets)}}
    if scope:
        query[c.FT_SCOPE] = scope
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in await executor.find("filtering terms", c.FILTERING_TERMS, query):
        if doc["type"] == "ontologyTerm" and doc.get(c.FT_COUNT, 0) < thresholds.get(
            doc[c.FT_LOAD], 0
        ):
            continue
        key = (doc["type"], doc["id"])
        entry = merged.setdefault(key, {"type": doc["type"], "id": doc["id"], "scopes": []})
        if doc.get("label") and "label" not in entry:
            entry["label"] = doc["label"]
        if doc[c.FT_SCOPE] not in entry["scopes"]:
            entry["scopes"].append(doc[c.FT_SCOPE])
        if doc.get("values"):
            entry["values"] = sorted(set(entry.get("values", [])) | set(doc["values"]))
    if scope in (None, "genomicVariant"):
        await _population_terms(executor, datasets, merged)
    data_terms = {tid: e for (kind, tid), e in merged.items() if kind == "ontologyTerm"}
    closures = {"_id": {"$in": sorted(data_terms)}}
    ancestor_scopes: dict[str, set[str]] = {}
    for doc in await executor.find("ontology", c.ONTOLOGY_TERMS, closures, {c.OT_ANCESTORS: 1}):
        for ancestor in doc.get(c.OT_ANCESTORS, []):
            if ancestor not in data_terms:
                ancestor_scopes.setdefault(ancestor, set()).update(data_terms[doc["_id"]]["scopes"])
    labels: dict[str, str] = {}
    wanted = {"_id": {"$in": sorted(set(data_terms) | set(ancestor_scopes))}}
    for doc in await executor.find("ontology", c.ONTOLOGY_TERMS, wanted, {c.OT_LABEL: 1}):
        if doc.get(c.OT_LABEL):
            labels[doc["_id"]] = doc[c.OT_LABEL]
    ontologies = {doc["_id"]: doc for doc in await executor.find("ontology", c.ONTOLOGIES, {})}
    for term, entry in data_terms.items():
        if term in labels:
            entry["label"] = labels[term]
    _age_aliases(merged)
    for term, scopes in ancestor_scopes.items():
        entry = {"type": "ontologyTerm", "id": term, "scopes": sorted(scopes)}
        if term in labels:
            entry["label"] = labels[term]
        merged[("ontologyTerm", term)] = entry
    terms = [merged[k] for k in sorted(merged, key=lambda k: (k[1], k[0]))]
    for entry in terms:
        entry["scopes"] = sorted(entry["scopes"])
    prefixes = sorted({prefix_of(t["id"]) for t in terms if t["type"] == "ontologyTerm"})
    resources = [resource(p, ontologies.get(p)) for p in prefixes]
    return terms, resources


Terms = tuple[list[dict[str, Any]], list[dict[str, Any]]]

#: Views kept per node (an LRU): each is one caller tier's or one endpoint's whole listing.
VIEWS_KEPT = 32


class Views:
    """Whole listings by what they are made of; a view is built once even when many callers
    ask for it at the same time, and a failed build is not kept."""

    def __init__(self, size: int = VIEWS_KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], asyncio.Future[Terms]] = OrderedDict()

    async def get(self, key: tuple[Any, ...], build: Callable[[], Awaitable[Terms]]) -> Terms:
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = asyncio.ensure_future(build())
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(key)
        try:
            return await asyncio.shield(found)
        except BaseException:
            if found.done() and self._kept.get(key) is found:
                del self._kept[key]
            raise


_VIEWS: weakref.WeakKeyDictionary[Executor, Views] = weakref.WeakKeyDictionary()


async def _ontologies_stamp(executor: Executor) -> tuple[tuple[Any, ...], ...]:
    """What says the loaded ontologies changed: each one's prefix, version, size and load time
    (``beacon-ingest ontology`` writes its document last, after the terms)."""
    fields = {"version": 1, "terms": 1, "loaded": 1}
    docs = await executor.find("ontology", c.ONTOLOGIES, {}, fields)
    return tuple(sorted((str(d["_id"]), *(str(d.get(f)) for f in fields)) for d in docs))


async def _compose(
    executor: Executor,
    datasets: list[DatasetEntry],
    scope: str | None,
    rare_below: Mapping[str, int],
    full: Collection[str],
) -> Terms:
    found, resources = await listing(executor, datasets, scope, rare_below)
    whole = [d for d in datasets if d.id in full]
    if len(whole) < len(datasets):
        # Term ids say no more than boolean answers do, but the values listed for a field
        # are record contents: only datasets the caller may see at record level give them.
        valued, _ = await listing(executor, whole, scope)
        values = {(t["type"], t["id"]): t["values"] for t in valued if "values" in t}
        for term in found:
            term.pop("values", None)
            if (term["type"], term["id"]) in values:
                term["values"] = values[(term["type"], term["id"])]
    return found, resources


async def view(
    executor: Executor,
    datasets: list[DatasetEntry],
    scope: str | None,
    rare_below: Mapping[str, int],
    full: Collection[str],
) -> Terms:
    """The whole ``/filtering_terms`` of a caller: the terms of ``datasets`` in ``scope``,
    those below ``rare_below`` left out, values only from the datasets in ``full`` (those seen
    at record level). Built once per view: its datasets with their loads (a load's terms never
    change), the thresholds, the record-level datasets, the scope and the loaded ontologies.
    The lists returned are shared: callers must not change them."""
    key = (
        tuple((d.id, tuple(sorted(d.loads.items()))) for d in datasets),
        scope,
        tuple(sorted(rare_below.items())),
        tuple(sorted(d.id for d in datasets if d.id in full)),
        await _ontologies_stamp(executor),
    )
    views = _VIEWS.get(executor)
    if views is None:
        views = _VIEWS[executor] = Views()
    return await views.get(key, lambda: _compose(executor, datasets, scope, rare_below, full))
