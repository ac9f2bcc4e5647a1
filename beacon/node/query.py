"""(BeaconRequest, dataset) -> QueryPlan: pure planning of what to ask MongoDB.

A plan targets one collection role of one dataset (or a global collection). Its ``filter``
holds the direct conditions. Conditions that depend on other entities — the biosamples of a
variant's carriers, the variants an individual carries, individuals carrying a variant — are
``Relation``s: short chains of lookup steps that ``execute.py`` runs in order, ending in an
``$in`` on one field of the target. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beacon.node import query_variants
from beacon.node.query_filters import FilterPlan
from beacon.protocol import entry_types as et
from beacon.protocol.entry_types import EntryType
from beacon.protocol.errors import BadRequest
from beacon.protocol.request import BeaconRequest
from beacon.protocol.understand import Population, check_scope
from beacon.protocol.variants import QueryKind, VariantQuery
from beacon.store import collections as c
from beacon.store.catalog import DatasetEntry
from beacon.store.collections import Condition
from beacon.store.documents import variant_key


@dataclass(frozen=True)
class Match:
    """A filter in two stages: ``lead`` alone selects through an index, ``rest`` then filters
    what it found.

    Sent as two ``$match`` stages. MongoDB merges them and plans as usual; the embedded engine
    only uses an index when a match holds nothing but that index's fields, and otherwise scans
    the collection, so the split keeps every query on an index there too.
    """

    lead: Condition = field(default_factory=dict)
    rest: Condition = field(default_factory=dict)

    def stages(self) -> list[dict[str, Any]]:
        out = [{"$match": self.lead}]
        if self.rest:
            out.append({"$match": self.rest})
        return out

    def with_condition(self, condition: Condition) -> Match:
        """Add a condition: it leads if nothing does yet, else it filters."""
        if not self.lead:
            return Match(condition, self.rest)
        return Match(self.lead, _and([self.rest, condition]))

    @property
    def empty(self) -> bool:
        return not self.lead and not self.rest


def _and(conditions: list[Condition]) -> Condition:
    parts = [c for c in conditions if c]
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


#: Fields that lead a match on their own, in order of preference: each has its own index.
LEADS = (
    "_id",
    "individualId",
    "biosampleId",
    "runId",
    "_cohortIds",
    "_terms",
    "_durations",
    "datasetId",
)


def split(conditions: list[Condition], lead: Condition | None = None) -> Match:
    """The conditions as a two-stage match, led by ``lead`` or the most selective indexed one."""
    rest = [c for c in conditions if c]
    if not lead:
        for key in LEADS:
            found = next((c for c in rest if _leads_with(c, key)), None)
            if found is not None:
                rest.remove(found)
                lead = {key: found[key]}
                if len(found) > 1:
                    rest.append({k: v for k, v in found.items() if k != key})
                break
    return Match(lead or {}, _and(rest))


def _leads_with(condition: Condition, key: str) -> bool:
    return key in condition and not key.startswith("$")


@dataclass(frozen=True)
class FieldValues:
    """Values of ``field`` in the documents of ``role`` matching ``match``."""

    role: c.Role
    match: Match
    field: str


@dataclass(frozen=True)
class SamplesWhere:
    """Sample indices whose ``field`` (biosampleId / individualId) is among the incoming values."""

    field: str


@dataclass(frozen=True)
class CarriersOf:
    """Sample indices carrying any variant that matches ``match``."""

    match: Match


@dataclass(frozen=True)
class SampleField:
    """Incoming sample indices -> the values of ``field`` in the samples table."""

    field: str


@dataclass(frozen=True)
class VariantsCarriedBy:
    """Incoming sample indices -> ordinals of the variants they carry (the sample-first index)."""


Step = FieldValues | SamplesWhere | CarriersOf | SampleField | VariantsCarriedBy


@dataclass(frozen=True)
class Relation:
    """A chain of lookups whose final values must contain the target's ``target_field``."""

    steps: tuple[Step, ...]
    target_field: str
    start: tuple[str, ...] = ()  # fixed values fed into the first step, if any


@dataclass(frozen=True)
class Window:
    """A range query whose whole condition is the overlap of ``[start, end)`` on ``chrom``
    (and the rare-allele ``floor``): counted and paged from the load's bins."""

    chrom: str
    start: int
    end: int
    floor: int = 0


@dataclass(frozen=True)
class QueryPlan:
    role: c.Role | None  # None: a global collection (datasets, cohorts)
    collection: str | None  # the global collection's name
    match: Match
    relations: tuple[Relation, ...] = ()
    sort: tuple[tuple[str, int], ...] = (("_id", 1),)
    skip: int = 0
    limit: int = 10
    records: bool = False
    projection: dict[str, int] = field(default_factory=dict)
    #: The whole collection matches: the catalog's document count answers the count.
    unfiltered: bool = False
    #: /g_variants of a population (the GDI portal's filters): only the variants observed in
    #: it, judged by the executor from the genotypes (``beacon/node/frequencies.py``).
    population: Population | None = None
    #: The rare-allele floor within that population (its allele count, not the dataset's).
    population_floor: int = 0
    #: The match is exactly this window (``match`` says the same, for the slow path).
    window: Window | None = None
    #: Matches a handful at most (one allele, one record): read the page before any count.
    few: bool = False


VARIANT_SORT = ((c.V_CHROM, 1), (c.V_START, 1), (c.V_END, 1), ("_id", 1))
#: What a variant record page reads: everything but its carriers.
VARIANT_PROJECTION = {c.V_CARRIERS: 0, c.V_SPILLED: 0, c.V_CALLS: 0}

_SAMPLE_FIELD = {et.BIOSAMPLES.path: c.S_BIOSAMPLE, et.INDIVIDUALS.path: c.S_INDIVIDUAL}


def id_filter(entry: EntryType, record_id: str) -> Condition:
    """How one record is found by the id in its URL (variants: by the hash of the id, checked)."""
    if entry is et.G_VARIANTS:
        return {"_id": variant_key(record_id), c.VARIANT_INTERNAL_ID: record_id}
    return {"_id": record_id}


def _carriers_to(target: EntryType, match: Match) -> Relation:
    """Records of ``target`` linked to the carriers of the matching variants."""
    carriers = CarriersOf(match)
    if target in (et.BIOSAMPLES, et.INDIVIDUALS):
        return Relation((carriers, SampleField(_SAMPLE_FIELD[target.path])), "_id")
    # runs and analyses are linked to the carriers through their biosamples
    return Relation((carriers, SampleField(c.S_BIOSAMPLE)), c.BIOSAMPLE_ID)


def _variants_of_samples(first: tuple[Step, ...], start: tuple[str, ...] = ()) -> Relation:
    return Relation((*first, VariantsCarriedBy()), c.V_ORDINAL, start)


def cross_relation(
    source: EntryType, source_id: str, target: EntryType
) -> tuple[Condition, Relation | None]:
    """The direct filter and/or relation for ``/{source}/{source_id}/{target}``."""
    s, t = source.path, target.path
    if s == "g_variants":
        return {}, _carriers_to(target, split([id_filter(source, source_id)]))
    if t == "g_variants":
        if s in ("biosamples", "individuals"):
            return {}, _variants_of_samples((SamplesWhere(_SAMPLE_FIELD[s]),), (source_id,))
        if s in ("runs", "analyses"):
            role = c.ROLE_OF_PATH[s]
            first = (
                FieldValues(role, Match({"_id": source_id}), c.BIOSAMPLE_ID),
                SamplesWhere(c.S_BIOSAMPLE),
            )
            return {}, _variants_of_samples(first)
        if s == "cohorts":
            first = (
                FieldValues(c.Role.INDIVIDUALS, Match({c.COHORT_IDS: source_id}), "_id"),
                SamplesWhere(c.S_INDIVIDUAL),
            )
            return {}, _variants_of_samples(first)
    if s == "individuals":
        return {c.INDIVIDUAL_ID: source_id}, None
    if s == "biosamples":
        return {c.BIOSAMPLE_ID: source_id}, None
    if s == "runs":
        return {c.RUN_ID: source_id}, None
    if s == "cohorts":
        if t == "individuals":
            return {c.COHORT_IDS: source_id}, None
        members = FieldValues(c.Role.INDIVIDUALS, Match({c.COHORT_IDS: source_id}), "_id")
        return {}, Relation((members,), c.INDIVIDUAL_ID)
    if s == "datasets":
        return {}, None  # the dataset scope does the work
    raise BadRequest(f"/{s}/{{id}}/{t} is not an endpoint of this beacon", parameter="path")


#: (filtered entry type, target) -> (field read from the filtered records, target field matched).
_LINK_TABLE: dict[tuple[str, str], tuple[str, str]] = {
    ("biosample", "individual"): (c.INDIVIDUAL_ID, "_id"),
    ("run", "individual"): (c.INDIVIDUAL_ID, "_id"),
    ("analysis", "individual"): (c.INDIVIDUAL_ID, "_id"),
    ("individual", "biosample"): ("_id", c.INDIVIDUAL_ID),
    ("run", "biosample"): (c.BIOSAMPLE_ID, "_id"),
    ("analysis", "biosample"): (c.BIOSAMPLE_ID, "_id"),
    ("individual", "run"): ("_id", c.INDIVIDUAL_ID),
    ("biosample", "run"): ("_id", c.BIOSAMPLE_ID),
    ("analysis", "run"): (c.RUN_ID, "_id"),
    ("individual", "analysis"): ("_id", c.INDIVIDUAL_ID),
    ("biosample", "analysis"): ("_id", c.BIOSAMPLE_ID),
    ("run", "analysis"): ("_id", c.RUN_ID),
}
_ROLE_OF_ID = {et.BY_PATH[path].id: role for path, role in c.ROLE_OF_PATH.items()}


def _values(scope: str, parts: list[Condition], out: str) -> FieldValues:
    return FieldValues(_ROLE_OF_ID[scope], split(parts), out)


def filter_relation(scope: str, parts: list[Condition], target: EntryType) -> Relation:
    """How records of entry type ``scope`` matching all ``parts`` select records of ``target``."""
    t = target.id
    if scope == "genomicVariant":
        carriers = CarriersOf(split(parts))
        if t in ("individual", "biosample"):
            return Relation((carriers, SampleField(_SAMPLE_FIELD[target.path])), "_id")
        return Relation((carriers, SampleField(c.S_BIOSAMPLE)), c.BIOSAMPLE_ID)
    if t == "genomicVariant":
        if scope == "individual":
            first: tuple[Step, ...] = (_values(scope, parts, "_id"), SamplesWhere(c.S_INDIVIDUAL))
        elif scope == "biosample":
            first = (_values(scope, parts, "_id"), SamplesWhere(c.S_BIOSAMPLE))
        else:
            first = (_values(scope, parts, c.BIOSAMPLE_ID), SamplesWhere(c.S_BIOSAMPLE))
        return _variants_of_samples(first)
    link = _LINK_TABLE.get((scope, t))
    if link is not None:
        read, match = link
        return Relation((_values(scope, parts, read),), match)
    raise BadRequest(f"filters on {scope} records cannot select {target.path}", parameter="filters")


def plan(
    request: BeaconRequest,
    dataset: DatasetEntry | None,
    variant: VariantQuery | None,
    records: bool,
    scope_ids: tuple[str, ...] = (),
    filters: FilterPlan | None = None,
    min_allele_count: int = 0,
) -> QueryPlan:
    """The query for one dataset (or, for datasets/cohorts, the global collection limited to
    the datasets in ``scope_ids``). With ``min_allele_count``, alleles carried fewer times
    than that do not match the variant part (they are answered as absent)."""
    route = request.route
    entry = route.entry
    conditions: list[Condition] = []
    lead: Condition | None = None
    if not entry.per_dataset:
        scope_field = "_id" if entry is et.DATASETS else c.DATASET_ID
        conditions.append({scope_field: {"$in": list(scope_ids)}})
    relations: list[Relation] = []
    if route.record_id is not None:
        conditions.append(id_filter(entry, route.record_id))
    if route.source is not None and route.source_id is not None:
        direct, relation = cross_relation(route.source, route.source_id, entry)
        if direct:
            conditions.append(direct)
        if relation:
            relations.append(relation)
    if variant is not None:  # understood: variants only reach per-dataset entry types
        built = query_variants.build(
            variant, dataset.max_length if dataset else 0, dataset.assembly if dataset else None
        )
        seen = {f"{c.V_COUNTS}.ac": {"$gte": min_allele_count}} if min_allele_count else {}
        if entry is et.G_VARIANTS:
            lead = built.lead
            conditions.extend([built.rest, seen])
        else:
            rest = _and([built.rest, seen])
            relations.append(_carriers_to(entry, Match(built.lead, rest)))
    if filters and filters.matches_nothing:
        conditions.append({"_id": {"$in": []}})  # a property none of whose terms may count
    for scope, parts in filters.conditions.items() if filters else ():
        check_scope(et.BY_ID[scope], entry)  # the scope may come from the data
        if scope == entry.id:
            conditions.extend(parts)  # separately, so one of them can lead
        else:
            relations.append(filter_relation(scope, parts, entry))
    match = split(conditions, lead)
    is_variant = entry is et.G_VARIANTS
    window = None
    if (
        is_variant
        and variant is not None
        and route.record_id is None
        and route.source is None
        and not relations
        and not (filters and (filters.conditions or filters.matches_nothing or filters.population))
    ):
        found = query_variants.window(variant)
        if found is not None:
            window = Window(*found, floor=min_allele_count)
    # Only variants observed in the chosen population answer for it.
    population = filters.population if filters and is_variant else None
    if entry.per_dataset:
        role: c.Role | None = c.ROLE_OF_PATH[entry.path]
        collection = None
    else:
        role = None
        collection = c.DATASETS if entry is et.DATASETS else c.COHORTS
    return QueryPlan(
        role=role,
        collection=collection,
        match=match,
        relations=tuple(relations),
        sort=VARIANT_SORT if is_variant else (("_id", 1),),
        skip=request.offset,
        limit=request.limit,
        records=records,
        projection=VARIANT_PROJECTION if is_variant else {},
        unfiltered=entry.per_dataset and match.empty and not relations and population is None,
        population=population,
        population_floor=min_allele_count if population is not None else 0,
        window=window,
        few=route.record_id is not None
        or (variant is not None and variant.kind in (QueryKind.SEQUENCE, QueryKind.HGVS)),
    )
