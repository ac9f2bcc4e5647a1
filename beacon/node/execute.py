"""QueryPlan -> Results: the only node module that awaits MongoDB, for every read it makes.

Every operation is bounded twice: the server is told the time left (``maxTimeMS``), and the
client stops waiting when it runs out (``asyncio.timeout``), because a server may ignore
``maxTimeMS`` (the embedded engine does) or not answer at all (stopped, partitioned). The node
opens one :meth:`Executor.deadline` per request, so all operations of a request share
``mongodb.query_timeout_ms``; server selection keeps its own, shorter bound
(``mongodb.server_timeout_ms``). A query that runs out of time, and a
database that cannot be reached, become a 503 with a reason; a query the database refuses
because of what it asks (an unsupported construct, say) a 400. Relations are resolved step by
step (see ``query.py``).

Every operation is timed into the database metrics; one slower than ``mongodb.slow_query_ms``
is logged (``beacon.slow_query``) with its collection and the *shape* of its filter (field
names and operators, never the values asked for), with the request id of the query.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import datetime as dt
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Histogram
from pymongo.errors import (
    ConnectionFailure,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from beacon.node import frequencies, render, windows
from beacon.node.frequencies import Genotypes, Groups, carried_by, stored_observed
from beacon.node.query import (
    CarriersOf,
    FieldValues,
    Match,
    QueryPlan,
    Relation,
    SampleField,
    SamplesWhere,
    VariantsCarriedBy,
)
from beacon.node.windows import Span
from beacon.protocol.errors import BadRequest, QueryTimeout, UpstreamUnavailable
from beacon.store import bins as stored_bins
from beacon.store import budgets, catalog
from beacon.store import carriers as packed
from beacon.store import collections as c
from beacon.store.catalog import DatasetEntry
from beacon.store.client import Database
from beacon.web.metrics import BUCKETS

Values: TypeAlias = "list[Any] | np.ndarray[Any, Any] | Labels"
#: Seconds /health waits for the database before saying it is unavailable.
HEALTH_S = 2.0
#: When the current request's database time runs out (monotonic seconds), if in a request.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)
slow_log = logging.getLogger("beacon.slow_query")
budget_log = logging.getLogger("beacon.budget")


class DatabaseMetrics:
    """Time spent in the database per operation (``count``, ``record``, ``variant`` ...)."""

    def __init__(self, registry: CollectorRegistry, namespace: str = "beacon") -> None:
        self.latency = Histogram(
            "db_operation_duration_seconds",
            "Time of one database operation (a count, or a cursor read to its end)",
            ["operation"],
            namespace=namespace,
            registry=registry,
            buckets=BUCKETS,
        )
        self.slow = Counter(
            "db_slow_operations_total",
            "Database operations slower than mongodb.slow_query_ms",
            ["operation"],
            namespace=namespace,
            registry=registry,
        )
        self.errors = Counter(
            "db_errors_total",
            "Database operations that failed, by operation and error class",
            ["operation", "error"],
            namespace=namespace,
            registry=registry,
        )


@dataclass(frozen=True)
class Results:
    count: int
    records: list[dict[str, Any]]


#: Server error codes that mean the query itself cannot be run: BadValue, FailedToParse,
#: TypeMismatch, InvalidLength, InvalidOptions, and the invalid-regex family.
QUERY_ERRORS = frozenset({2, 9, 14, 16, 22, 51091, 51108, 51111, 51156})


@contextlib.asynccontextmanager
async def driver_errors(what: str) -> AsyncIterator[None]:
    """Translate driver failures into Beacon errors with a useful message."""
    try:
        yield
    except ExecutionTimeout:
        raise QueryTimeout(
            f"the {what} query ran out of time; narrow it (a smaller region, more filters)"
        ) from None
    except OperationFailure as exc:
        if exc.code == 50:  # MaxTimeMSExpired reported as a plain failure by some servers
            raise QueryTimeout(f"the {what} query ran out of time; narrow it") from None
        if exc.code in QUERY_ERRORS:
            reason = str(exc.details.get("errmsg", exc) if exc.details else exc)[:160]
            raise BadRequest(f"the database cannot run this {what} query: {reason}") from None
        raise UpstreamUnavailable(f"the database failed the {what} query; try again") from None
    except TimeoutError:
        raise QueryTimeout(
            f"the database did not answer the {what} query in time; try again shortly, "
            "or narrow the query"
        ) from None
    except (ServerSelectionTimeoutError, ConnectionFailure):
        raise UpstreamUnavailable("the database is not reachable; try again shortly") from None
    except PyMongoError:
        raise UpstreamUnavailable(f"the database failed the {what} query; try again") from None


class CatalogCache:
    """The catalog, re-read at most every ``ttl`` seconds (ingest waits longer before drops)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, DatasetEntry] = {}
        self._at = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self, executor: Executor) -> dict[str, DatasetEntry]:
        if time.monotonic() - self._at < self.ttl:
            return self._entries
        async with self._lock:
            if time.monotonic() - self._at >= self.ttl:
                self._entries = await executor.catalog()
                self._at = time.monotonic()
        return self._entries


def shape(value: Any) -> Any:
    """A filter with its values replaced by their type: what a slow-query line may say."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return [shape(v) for v in value]
        return f"<{len(value)} values>"
    if isinstance(value, np.ndarray):
        return f"<{value.size} values>"
    return f"<{type(value).__name__}>"


@dataclass(frozen=True)
class SampleTable:
    """A load's samples table in memory: sample index <-> biosample and individual ids.

    A sample's individual is the one its variants load names (a sample map, or the
    ``individualId`` of a BFF call); otherwise the one the dataset's current biosamples name,
    so the link holds whichever of the variants and the metadata is loaded first. Both loads
    never change once published, so the table is read once per pair of loads; relations
    between variants and people then cost a lookup instead of a query with thousands of ids.
    """

    biosample: list[str | None]
    individual: list[str | None]
    by_field: dict[str, dict[str, list[int]]]
    #: Per field: the distinct values, sorted, and each sample's position among them (-1 for
    #: none), so the values of 100,000 carriers are one numpy pass, not 100,000 lookups.
    names: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    codes: dict[str, np.ndarray[Any, Any]] = dataclasses.field(default_factory=dict)
    #: (field, collection) -> which names are records of that (immutable, per-load) collection.
    present: dict[tuple[str, str], np.ndarray[Any, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def build(
        cls, docs: list[dict[str, Any]], individuals: dict[str, str] | None = None
    ) -> SampleTable:
        """``docs`` of the samples table; ``individuals``: biosampleId -> individualId."""
        size = max((int(d["_id"]) for d in docs), default=-1) + 1
        biosample: list[str | None] = [None] * size
        individual: list[str | None] = [None] * size
        by_field: dict[str, dict[str, list[int]]] = {c.S_BIOSAMPLE: {}, c.S_INDIVIDUAL: {}}
        linked = individuals or {}
        for doc in docs:
            index = int(doc["_id"])
            sample = doc.get(c.S_BIOSAMPLE)
            person = doc.get(c.S_INDIVIDUAL)
            if not isinstance(person, str) and isinstance(sample, str):
                person = linked.get(sample)
            for field, column, value in (
                (c.S_BIOSAMPLE, biosample, sample),
                (c.S_INDIVIDUAL, individual, person),
            ):
                if isinstance(value, str):
                    column[index] = value
                    by_field[field].setdefault(value, []).append(index)
        names: dict[str, list[str]] = {}
        codes: dict[str, np.ndarray[Any, Any]] = {}
        for name, column in ((c.S_BIOSAMPLE, biosample), (c.S_INDIVIDUAL, individual)):
            names[name] = sorted(_interned(v) for v in by_field[name])
            position = {value: i for i, value in enumerate(names[name])}
            codes[name] = np.fromiter(
                (-1 if v is None else position[v] for v in column), dtype=np.int64, count=size
            )
        return cls(biosample, individual, by_field, names, codes)

    def indices(self, field: str, values: Iterable[Any]) -> np.ndarray[Any, Any]:
        found = [i for v in values for i in self.by_field[field].get(str(v), ())]
        return np.unique(np.asarray(found, dtype=np.uint32))

    def values(self, field: str, indices: Iterable[Any]) -> list[str]:
        """The distinct values of ``field`` of the samples at ``indices``, sorted."""
        return self.labels(field, indices).names()

    def labels(self, field: str, indices: Iterable[Any]) -> Labels:
        """:meth:`values` as codes, names looked up only when needed."""
        codes = self.codes[field]
        at = np.asarray(indices if isinstance(indices, np.ndarray) else list(indices))
        at = at.astype(np.int64, copy=False)
        seen = np.zeros(len(self.names[field]) + 1, dtype=np.bool_)
        seen[codes[at[(at >= 0) & (at < codes.size)]]] = True  # code -1 marks the last slot
        return Labels(self, field, np.flatnonzero(seen[:-1]))


@dataclass(frozen=True)
class Labels:
    """Distinct values of a samples-table field (biosample or individual ids), sorted, as
    codes into the table's names: 100,000 carriers' ids are filtered and counted in numpy."""

    table: SampleTable
    field: str
    codes: np.ndarray[Any, Any]

    def __len__(self) -> int:
        return int(self.codes.size)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def names(self) -> list[str]:
        names = self.table.names[self.field]
        return [names[i] for i in self.codes.tolist()]

    def __getitem__(self, part: slice) -> list[str]:
        names = self.table.names[self.field]
        return [names[i] for i in self.codes[part].tolist()]

    def existing(self, coll: str, ids: frozenset[Any]) -> Labels:
        """Those that are ids of records of ``coll`` (``ids``: all of them), still sorted."""
        key = (self.field, coll)
        mask = self.table.present.get(key)
        if mask is None:
            names = self.table.names[self.field]
            mask = np.fromiter((n in ids for n in names), dtype=np.bool_, count=len(names))
            self.table.present[key] = mask
        return Labels(self.table, self.field, self.codes[mask[self.codes]])


@dataclass(frozen=True)
class Order:
    """A variants load's order table: the ordinals (sorted) whose genomic rank is not their
    own, and those ranks. Most loads move only the few alleles normalisation shifted."""

    moved: np.ndarray[Any, Any]
    ranks: np.ndarray[Any, Any]

    @classmethod
    def build(cls, moved: list[np.ndarray[Any, Any]], ranks: list[np.ndarray[Any, Any]]) -> Order:
        if not moved:
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        ordinals, rank = np.concatenate(moved), np.concatenate(ranks)
        by = np.argsort(ordinals, kind="stable")
        return cls(ordinals[by], rank[by])


def genomic_order(ordinals: np.ndarray[Any, Any], order: Order) -> np.ndarray[Any, Any]:
    """Sorted, unique ordinals of one load -> the same ordinals in genomic order."""
    if order.moved.size == 0 or ordinals.size < 2:
        return ordinals
    at = np.minimum(np.searchsorted(order.moved, ordinals), order.moved.size - 1)
    hit = order.moved[at] == ordinals
    if not hit.any():
        return ordinals
    ranks = ordinals.copy()
    ranks[hit] = order.ranks[at[hit]]
    return ordinals[np.argsort(ranks, kind="stable")]


class LoadCache:
    """Per-load, read-once data: samples tables and the ids of metadata collections."""

    MAX_LOADS = 32
    MAX_IDS = 2_000_000

    def __init__(self) -> None:
        self.samples: dict[str, SampleTable] = {}
        self.ids: dict[str, frozenset[Any] | None] = {}
        self.groups: dict[str, Groups] = {}
        self.bins: dict[str, stored_bins.ChromBins | None] = {}
        self.orders: dict[str, Order] = {}

    @staticmethod
    def trim(store: dict[str, Any]) -> None:
        while len(store) > LoadCache.MAX_LOADS:
            store.pop(next(iter(store)))


def clean(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document as a Beacon record: helper fields (``_``-prefixed) removed."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class Executor:
    """Runs plans against one database with one time limit."""

    def __init__(
        self,
        db: Database,
        timeout_ms: int,
        metrics: DatabaseMetrics | None = None,
        slow_ms: int = 0,
    ) -> None:
        self.db = db
        self.timeout_ms = timeout_ms
        self.cache = LoadCache()
        self.metrics = metrics
        self.slow_ms = slow_ms

    @contextlib.asynccontextmanager
    async def _timed(self, what: str, coll: str, flt: Any) -> AsyncIterator[None]:
        """``driver_errors`` plus the time of the operation: metrics, and the slow-query log."""
        began = time.perf_counter()
        try:
            async with driver_errors(what), asyncio.timeout(self.left_ms() / 1000):
                yield
        except Exception as exc:
            if self.metrics is not None:
                self.metrics.errors.labels(what, type(exc).__name__).inc()
            raise
        finally:
            seconds = time.perf_counter() - began
            if self.metrics is not None:
                self.metrics.latency.labels(what).observe(seconds)
            if self.slow_ms and seconds * 1000 >= self.slow_ms:
                if self.metrics is not None:
                    self.metrics.slow.labels(what).inc()
                slow_log.warning(
                    "slow %s query on %s: %.0f ms",
                    what,
                    coll,
                    seconds * 1000,
                    extra={
                        "operation": what,
                        "collection": coll,
                        "filter": shape(flt),
                        "ms": round(seconds * 1000, 1),
                    },
                )

    def _collection(
        self, dataset: DatasetEntry | None, role: c.Role | None, name: str | None
    ) -> str | None:
        if role is None:
            return name
        assert dataset is not None
        return dataset.collection(role)

    async def _aggregate(
        self, coll: str, pipeline: list[dict[str, Any]]
    ) -> AsyncIterator[dict[str, Any]]:
        cursor = await self.db[coll].aggregate(pipeline, maxTimeMS=self.left_ms())
        async for doc in cursor:
            yield doc

    async def _distinct(self, coll: str, field: str, match: Match) -> list[Any]:
        """Distinct values of ``field`` among the documents ``match`` selects."""
        pipeline = [*match.stages(), {"$group": {"_id": f"${field}"}}]
        async with self._timed("lookup", coll, match.lead):
            values = [doc["_id"] async for doc in self._aggregate(coll, pipeline)]
        return [v for v in values if v is not None]

    async def _step(self, dataset: DatasetEntry, step: object, incoming: Values) -> Values:
        if isinstance(step, FieldValues):
            coll = dataset.collection(step.role)
            return await self._distinct(coll, step.field, step.match) if coll else []
        if isinstance(step, SamplesWhere):
            table = await self._sample_table(dataset)
            if table is None:
                return np.zeros(0, dtype=np.uint32)
            return table.indices(step.field, incoming)
        if isinstance(step, CarriersOf):
            return await self._carriers(dataset, step.match)
        if isinstance(step, SampleField):
            table = await self._sample_table(dataset)
            return table.labels(step.field, incoming) if table is not None else []
        if isinstance(step, VariantsCarriedBy):
            return await self._carried_ordinals(dataset, incoming)
        raise TypeError(f"unknown step {step!r}")

    async def _sample_table(self, dataset: DatasetEntry) -> SampleTable | None:
        coll = dataset.collection(c.Role.SAMPLES)
        if not coll:
            return None
        biosamples = dataset.collection(c.Role.BIOSAMPLES)
        key = f"{coll} {biosamples}"  # a new load of either gives a new table
        table = self.cache.samples.get(key)
        if table is None:
            projection = {c.S_BIOSAMPLE: 1, c.S_INDIVIDUAL: 1}
            async with self._timed("sample", coll, {}):
                cursor = self.db[coll].find({}, projection, max_time_ms=self.left_ms())
                docs = [doc async for doc in cursor]
            individuals: dict[str, str] = {}
            if biosamples:
                async with self._timed("sample", biosamples, {}):
                    cursor = self.db[biosamples].find(
                        {}, {c.INDIVIDUAL_ID: 1}, max_time_ms=self.timeout_ms
                    )
                    async for doc in cursor:
                        if isinstance(doc.get(c.INDIVIDUAL_ID), str):
                            individuals[doc["_id"]] = doc[c.INDIVIDUAL_ID]
            table = self.cache.samples[key] = SampleTable.build(docs, individuals)
            LoadCache.trim(self.cache.samples)
        return table

    async def groups(self, dataset: DatasetEntry) -> Groups | None:
        """The dataset's populations (country, country and sex, sex) over the samples of its
        variants load: from the samples table and the current individuals' sex and country,
        read once per pair of loads."""
        table = await self._sample_table(dataset)
        if table is None:
            return None
        individuals = dataset.collection(c.Role.INDIVIDUALS)
        key = f"{dataset.collection(c.Role.SAMPLES)} {dataset.collection(c.Role.BIOSAMPLES)}"
        key += f" {individuals}"
        found = self.cache.groups.get(key)
        if found is None:
            people: dict[str, tuple[str | None, str | None]] = {}
            if individuals:
                projection = {"sex": 1, "geographicOrigin": 1}
                async with self._timed("individual", individuals, {}):
                    cursor = self.db[individuals].find({}, projection, max_time_ms=self.left_ms())
                    async for doc in cursor:
                        people[str(doc["_id"])] = (
                            frequencies.sex_of(doc),
                            frequencies.country_of(doc),
                        )
            found = self.cache.groups[key] = Groups.build(table.individual, people)
            LoadCache.trim(self.cache.groups)
        return found

    async def genotypes(self, dataset: DatasetEntry, keys: list[int]) -> dict[int, Genotypes]:
        """Carriers, partial calls and allele number of the alleles with these keys."""
        coll = dataset.collection(c.Role.G_VARIANTS)
        if not coll or not keys:
            return {}
        projection = {c.V_CARRIERS: 1, c.V_SPILLED: 1, c.V_CALLS: 1, c.V_COUNTS: 1}
        docs: list[dict[str, Any]] = []
        flt = {"_id": {"$in": keys}}
        async with self._timed("variant", coll, flt):
            cursor = self.db[coll].find(flt, projection, max_time_ms=self.left_ms())
            docs = [doc async for doc in cursor]
        return await self._genotypes_of(dataset, docs)

    async def _genotypes_of(
        self, dataset: DatasetEntry, docs: list[dict[str, Any]]
    ) -> dict[int, Genotypes]:
        parts: dict[int, dict[str, list[np.ndarray[Any, Any]]]] = {}
        spilled = []
        for doc in docs:
            groups = parts.setdefault(doc["_id"], {"het": [], "hom": [], "hemi": []})
            if doc.get(c.V_SPILLED):
                spilled.append(doc["_id"])
            for name, blob in (doc.get(c.V_CARRIERS) or {}).items():
                if name in groups:
                    groups[name].append(packed.decode_indices(blob))
        chunks = dataset.collection(c.Role.CARRIERS)
        if spilled and chunks:
            flt = {c.C_VARIANT: {"$in": spilled}}
            async with self._timed("carrier", chunks, flt):
                async for doc in self.db[chunks].find(flt, max_time_ms=self.left_ms()):
                    for name, found in parts[doc[c.C_VARIANT]].items():
                        if doc.get(name):
                            found.append(packed.decode_indices(doc[name]))
        result = {}
        for doc in docs:
            groups = parts[doc["_id"]]
            calls = doc.get(c.V_CALLS)
            one = none = None
            if isinstance(calls, dict):
                one = packed.decode_indices(calls.get("one", b""))
                none = packed.decode_indices(calls.get("none", b""))
            counts = doc.get(c.V_COUNTS) or {}
            result[doc["_id"]] = Genotypes(
                packed.union(groups["het"]),
                packed.union(groups["hom"]),
                packed.union(groups["hemi"]),
                one=one,
                none=none,
                an=counts.get("an") if isinstance(counts.get("an"), int) else None,
            )
        return result

    async def _observed(
        self, coll: str, plan: QueryPlan, match: Match, dataset: DatasetEntry
    ) -> Results:
        """A variant plan with a population filter: the matching variants observed in the
        population, by their genotypes (a carrier among its samples) or by a row a VCF's INFO
        gave for it; counted over every match, paged as asked."""
        assert plan.population is not None
        groups = await self.groups(dataset)
        mask = groups.mask(groups.chosen(plan.population)) if groups else None
        projection = {c.V_CARRIERS: 1, c.V_SPILLED: 1, c.V_COUNTS: 1, c.V_POPULATIONS: 1}
        pipeline = [*match.stages(), {"$sort": dict(plan.sort)}, {"$project": projection}]
        kept: list[int] = []
        batch: list[dict[str, Any]] = []

        async def judge() -> None:
            found = await self._genotypes_of(dataset, batch) if mask is not None else {}
            for doc in batch:
                floor = plan.population_floor
                seen = mask is not None and carried_by(mask, found[doc["_id"]], floor)
                rows = render.populations(doc, dataset.id)
                if seen or stored_observed(rows, plan.population, floor):  # type: ignore[arg-type]
                    kept.append(doc["_id"])
            batch.clear()
            self.left_ms()  # the request's time bounds the scan too

        async with self._timed("variant", coll, match.lead):
            async for doc in self._aggregate(coll, pipeline):
                batch.append(doc)
                if len(batch) >= 1000:
                    await judge()
            await judge()
        page = kept[plan.skip : plan.skip + plan.limit]
        if not plan.records or not page:
            return Results(len(kept), [])
        flt = {"_id": {"$in": page}}
        async with self._timed("record", coll, flt):
            cursor = self.db[coll].find(flt, plan.projection or None, max_time_ms=self.left_ms())
            found_docs = {doc["_id"]: clean(doc) async for doc in cursor}
        return Results(len(kept), [found_docs[k] for k in page if k in found_docs])

    async def _all_ids(self, coll: str) -> frozenset[Any] | None:
        """Every _id of a (per-load, immutable) metadata collection; None when too many."""
        if coll not in self.cache.ids:
            ids: frozenset[Any] | None = None
            async with self._timed("lookup", coll, {}):
                count = await self.db[coll].estimated_document_count(maxTimeMS=self.left_ms())
                if count <= LoadCache.MAX_IDS:
                    cursor = self.db[coll].find({}, {"_id": 1}, max_time_ms=self.left_ms())
                    # Interned, as the samples table's names are: membership of the same
                    # string object is a pointer comparison (4x faster at 100,000 ids).
                    ids = frozenset([_interned(doc["_id"]) async for doc in cursor])
            self.cache.ids[coll] = ids
            LoadCache.trim(self.cache.ids)
        return self.cache.ids[coll]

    async def _carriers(self, dataset: DatasetEntry, match: Match) -> Values:
        coll = dataset.collection(c.Role.G_VARIANTS)
        if not coll:
            return np.zeros(0, dtype=np.uint32)
        found: list[np.ndarray[Any, Any]] = []
        spilled: list[int] = []
        projection = {c.V_CARRIERS: 1, c.V_SPILLED: 1}
        pipeline = [*match.stages(), {"$project": projection}]
        async with self._timed("variant", coll, match.lead):
            async for doc in self._aggregate(coll, pipeline):
                if doc.get(c.V_SPILLED):
                    spilled.append(doc["_id"])
                for blob in (doc.get(c.V_CARRIERS) or {}).values():
                    found.append(packed.decode_indices(blob))
        if spilled:
            chunks = dataset.collection(c.Role.CARRIERS)
            assert chunks is not None
            spilled_filter = {c.C_VARIANT: {"$in": spilled}}
            async with self._timed("carrier", chunks, spilled_filter):
                cursor = self.db[chunks].find(spilled_filter, max_time_ms=self.left_ms())
                async for doc in cursor:
                    for key in ("het", "hom", "hemi"):
                        if doc.get(key):
                            found.append(packed.decode_indices(doc[key]))
        return packed.union(found)

    async def _carried_ordinals(self, dataset: DatasetEntry, samples: Values) -> Values:
        """Ordinals of the variants the samples carry, in genomic order, without duplicates."""
        coll = dataset.collection(c.Role.SAMPLE_VARIANTS)
        if not coll or len(samples) == 0:
            return np.zeros(0, dtype=np.int64)
        blocks: list[tuple[int, np.ndarray[Any, Any]]] = []
        sample_filter = {c.SV_SAMPLE: {"$in": _ints(samples)}}
        projection = {c.SV_BASE: 1, c.SV_ORDINALS: 1, "_id": 0}
        async with self._timed("sample", coll, sample_filter):
            cursor = self.db[coll].find(sample_filter, projection, max_time_ms=self.left_ms())
            async for doc in cursor:
                base = int(doc[c.SV_BASE])
                blocks.append((base, packed.decode_ordinals(doc[c.SV_ORDINALS]) + base))
        if not blocks:
            return np.zeros(0, dtype=np.int64)
        blocks.sort(key=lambda b: b[0])
        ordinals = np.concatenate([b[1] for b in blocks])
        if len(samples) > 1:
            ordinals = np.unique(ordinals)
        return genomic_order(ordinals, await self._order(coll))

    async def _order(self, coll: str) -> Order:
        """The load's order table (the ordinals not at their genomic rank), read once."""
        found = self.cache.orders.get(coll)
        if found is None:
            moved: list[np.ndarray[Any, Any]] = []
            ranks: list[np.ndarray[Any, Any]] = []
            order_filter = {c.SV_SAMPLE: c.SV_ORDER}
            async with self._timed("sample", coll, order_filter):
                cursor = self.db[coll].find(order_filter, max_time_ms=self.left_ms())
                async for doc in cursor:
                    ordinals = packed.decode_ordinals(doc[c.SV_ORDINALS]) + int(doc[c.SV_BASE])
                    moved.append(ordinals)
                    ranks.append(packed.decode_signed(doc[c.SV_RANKS]) + ordinals)
            found = Order.build(moved, ranks)
            self.cache.orders[coll] = found
            LoadCache.trim(self.cache.orders)
        return found

    async def _relation(self, dataset: DatasetEntry, relation: Relation) -> Values:
        values: Values = list(relation.start)
        for step in relation.steps:
            values = await self._step(dataset, step, values)
            if len(values) == 0:
                break
        return values

    @contextlib.contextmanager
    def deadline(self) -> Iterator[None]:
        """One request's time: every operation inside shares ``timeout_ms`` in all."""
        token = _DEADLINE.set(time.monotonic() + self.timeout_ms / 1000)
        try:
            yield
        finally:
            _DEADLINE.reset(token)

    def left_ms(self) -> int:
        """Milliseconds left to the current request (``timeout_ms`` outside any request); an
        exhausted budget is a ``QueryTimeout`` before the database is asked anything."""
        deadline = _DEADLINE.get()
        if deadline is None:
            return self.timeout_ms
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0:
            raise QueryTimeout(
                f"the request used its {self.timeout_ms} ms of database time; narrow the query"
            )
        return left

    async def ping(self) -> bool:
        """Does the database answer a ping now (within a second or two)?"""
        try:
            async with asyncio.timeout(min(self.timeout_ms / 1000, HEALTH_S)):
                await self.db.command("ping")
        except Exception:
            return False
        return True

    async def catalog(self) -> dict[str, DatasetEntry]:
        """Every dataset and its published loads."""
        async with self._timed("catalog", c.CATALOG, {}):
            return await catalog.read(self.db, self.left_ms())

    async def allele_counts(
        self, plan: QueryPlan, dataset: DatasetEntry, most: int = 3
    ) -> list[dict[str, Any]]:
        """The stored counts (``ac``, ``an`` ...) of the first variants a variant plan matches."""
        coll = dataset.collection(c.Role.G_VARIANTS)
        if not coll:
            return []
        stages = [*plan.match.stages(), {"$limit": most}, {"$project": {c.V_COUNTS: 1}}]
        async with self._timed("variant", coll, plan.match.lead):
            found = [doc async for doc in self._aggregate(coll, stages)]
        return [doc.get(c.V_COUNTS) or {} for doc in found]

    async def count_in_window(
        self, scope: str, key: str, window: int, ends: dt.datetime, amount: float = 1
    ) -> float:
        """Add to a caller's counter of one budget window (shared by every node process)."""
        try:
            async with self._timed("budget", c.BUDGETS, {}):
                return await budgets.add(self.db, scope, key, window, ends, self.left_ms(), amount)
        except OperationFailure as exc:  # e.g. a database user that may not write
            budget_log.error("query budget not counted: database error %s", exc.code)
            raise UpstreamUnavailable(
                "the query budget cannot be counted in the database; try again shortly"
            ) from None

    async def find(
        self, what: str, coll: str, flt: dict[str, Any], projection: dict[str, int] | None = None
    ) -> list[dict[str, Any]]:
        """Every document of ``coll`` matching ``flt`` (small global collections only)."""
        async with self._timed(what, coll, flt):
            cursor = self.db[coll].find(flt, projection, max_time_ms=self.left_ms())
            return [doc async for doc in cursor]

    async def distinct(self, what: str, coll: str, field: str, flt: dict[str, Any]) -> list[Any]:
        async with self._timed(what, coll, flt):
            return list(await self.db[coll].distinct(field, flt, maxTimeMS=self.left_ms()))

    async def cohort_datasets(self, cohort_id: str) -> set[str]:
        """The datasets a cohort was loaded with."""
        async with self._timed("cohort", c.COHORTS, {"_id": cohort_id}):
            doc = await self.db[c.COHORTS].find_one(
                {"_id": cohort_id}, {c.DATASET_ID: 1}, max_time_ms=self.left_ms()
            )
        return {doc[c.DATASET_ID]} if doc else set()

    async def _existing(
        self, coll: str, role: c.Role | None, relation: Relation, values: Values
    ) -> Values | None:
        """The related ids that are records of ``coll``, in the plan's order, found without
        sending thousands of ids to the server; None when only the server can tell."""
        if role is c.Role.G_VARIANTS and _ordered_keys(relation) and not isinstance(values, Labels):
            return values  # the sample index holds ordinals of this load, in genomic order
        if role in c.METADATA_ROLES:
            ids = await self._all_ids(coll)
            if ids is not None and isinstance(values, Labels):
                return values.existing(coll, ids)
            if ids is not None:
                kept = [v for v in _plain(values) if v in ids]
                kept.sort()  # values often come sorted: then this is one pass
                return kept
        return None

    async def _page(
        self,
        coll: str,
        plan: QueryPlan,
        ordered: Values,
        field: str = "_id",
    ) -> Results:
        """Count and page from an ordered list of matching ids (or other values of ``field``,
        unique in ``coll`` and indexed: variant ordinals)."""
        if not plan.records or len(ordered) == 0 or plan.skip >= len(ordered):
            return Results(len(ordered), [])
        page = _plain(ordered[plan.skip : plan.skip + plan.limit])
        return Results(len(ordered), await self._by_ids(coll, plan.projection, page, field))

    async def _by_ids(
        self, coll: str, projection: dict[str, int], ids: list[Any], field: str = "_id"
    ) -> list[dict[str, Any]]:
        """The records with these values of ``field`` (unique in ``coll``), in the order given."""
        stages: list[dict[str, Any]] = [{"$match": {field: {"$in": ids}}}]
        if projection:
            projection = dict(projection)
            if any(projection.values()):  # an inclusion: keep the field the page is keyed by
                projection[field] = 1
            stages.append({"$project": projection})
        async with self._timed("record", coll, {field: ids}):
            found = {doc[field]: clean(doc) async for doc in self._aggregate(coll, stages)}
        return [found[i] for i in ids if i in found]

    async def run(
        self, plan: QueryPlan, dataset: DatasetEntry | None, total_hint: int | None = None
    ) -> Results:
        """Count the matches and, for record plans, fetch one page of them: variants leave
        as the Beacon records their lean documents stand for (``render.py``)."""
        found = await self._run(plan, dataset, total_hint)
        if plan.role is c.Role.G_VARIANTS and found.records and dataset is not None:
            assert dataset.assembly is not None  # every variant load has one
            shown = [render.variant(d, dataset.id, dataset.assembly) for d in found.records]
            return Results(found.count, shown)
        return found

    async def _run(
        self, plan: QueryPlan, dataset: DatasetEntry | None, total_hint: int | None = None
    ) -> Results:
        coll = self._collection(dataset, plan.role, plan.collection)
        if coll is None:
            return Results(0, [])
        match = plan.match
        for relation in plan.relations:
            assert dataset is not None
            values = await self._relation(dataset, relation)
            if len(values) == 0:
                return Results(0, [])
            if match.empty and len(plan.relations) == 1 and relation.target_field in _KEYED:
                ordered = await self._existing(coll, plan.role, relation, values)
                if ordered is not None:
                    return await self._page(coll, plan, ordered, relation.target_field)
            match = match.with_condition({relation.target_field: {"$in": _plain(values)}})
        if plan.population is not None and dataset is not None:
            return await self._observed(coll, plan, match, dataset)
        if plan.window is not None and dataset is not None and not plan.relations:
            windowed = await self._windowed(coll, plan, dataset)
            if windowed is not None:
                return windowed
        if plan.unfiltered and total_hint is not None:
            async with self._timed("count", coll, match.lead):  # the catalog's count
                count = total_hint
        elif plan.records and plan.skip == 0 and plan.few:
            # The page first: a page shorter than the limit is every match, so its length is
            # the count, and a lookup of one variant costs one query instead of two.
            records = await self._records(coll, match, plan, plan.skip, plan.limit)
            if len(records) < plan.limit:
                return Results(len(records), records)
            return Results(await self._count(coll, match), records)
        elif plan.records:
            # Count and page side by side: the page does not depend on the count (a skip past
            # the last match reads an empty page).
            count, records = await asyncio.gather(
                self._count(coll, match), self._records(coll, match, plan, plan.skip, plan.limit)
            )
            return Results(count, records if count else [])
        else:
            count = await self._count(coll, match)
        if not plan.records or count == 0 or plan.skip >= count:
            return Results(count, [])
        return Results(count, await self._records(coll, match, plan, plan.skip, plan.limit))

    async def _count(self, coll: str, match: Match) -> int:
        async with self._timed("count", coll, match.lead):
            counted = [d async for d in self._aggregate(coll, [*match.stages(), {"$count": "n"}])]
        return int(counted[0]["n"]) if counted else 0

    async def _records(
        self, coll: str, match: Match, plan: QueryPlan, skip: int, limit: int
    ) -> list[dict[str, Any]]:
        """Records ``skip .. skip + limit - 1`` of the matches, in the plan's order."""
        pipeline = [*match.stages(), {"$sort": dict(plan.sort)}]
        if skip:
            pipeline.append({"$skip": skip})
        pipeline.append({"$limit": limit})
        if plan.projection:
            pipeline.append({"$project": plan.projection})
        async with self._timed("record", coll, match.lead):
            return [clean(doc) async for doc in self._aggregate(coll, pipeline)]

    async def _bins(self, dataset: DatasetEntry, chrom: str) -> stored_bins.ChromBins | None:
        """One chromosome's bins in the dataset's variants load, read once per load; None for
        a load without them (made before bins, or a chromosome they cannot count)."""
        coll = dataset.collection(c.Role.BINS)
        if not coll:
            return None
        key = f"{coll} {chrom}"
        if key not in self.cache.bins:
            found = None
            async with self._timed("bins", coll, {c.BIN_CHROM: chrom}):
                meta = await self.db[coll].find_one(
                    {"_id": stored_bins.META_ID}, max_time_ms=self.left_ms()
                )
                if meta and chrom in (meta.get(c.BIN_CHROMS) or []):
                    cursor = self.db[coll].find({c.BIN_CHROM: chrom}, max_time_ms=self.left_ms())
                    docs = [doc async for doc in cursor]
                    found = stored_bins.decode(docs, int(meta[c.BIN_AC_CLASSES]))
            self.cache.bins[key] = found
            LoadCache.trim(self.cache.bins)
        return self.cache.bins[key]

    async def _windowed(self, coll: str, plan: QueryPlan, dataset: DatasetEntry) -> Results | None:
        """A range query counted from the load's bins and read at its edges only
        (``windows.py``); None when the bins cannot answer it exactly."""
        window = plan.window
        assert window is not None
        bins = await self._bins(dataset, window.chrom)
        if bins is None:
            return None
        cut = windows.cut(bins, window.start, window.end, window.floor)
        if cut is None:
            return None

        def within(span: Span) -> Match:
            lead = {c.V_CHROM: window.chrom, c.V_START: {"$gte": span.lo, "$lt": span.hi}}
            return Match(lead, plan.match.rest)

        async def left(span: Span) -> list[Any]:
            stages = [*within(span).stages(), {"$sort": dict(plan.sort)}, {"$project": {"_id": 1}}]
            async with self._timed("count", coll, within(span).lead):
                return [doc["_id"] async for doc in self._aggregate(coll, stages)]

        async def right() -> int:
            if cut.right is None:
                return 0
            if window.floor:
                return await self._count(coll, within(cut.right))
            # Everything starting in the right edge overlaps the window: the index counts it.
            lead = within(cut.right).lead
            async with self._timed("count", coll, lead):
                return int(await self.db[coll].count_documents(lead, maxTimeMS=self.left_ms()))

        lefts, right_count = await asyncio.gather(
            asyncio.gather(*(left(span) for span in cut.left)), right()
        )
        left_ids = [key for found in lefts for key in found]
        count = len(left_ids) + cut.whole + right_count
        if not plan.records or count == 0 or plan.skip >= count:
            return Results(count, [])
        first = left_ids[plan.skip : plan.skip + plan.limit]
        need = plan.limit - len(first)
        after = windows.page_span(bins, cut, window.floor, max(0, plan.skip - len(left_ids)), need)

        async def of_left() -> list[dict[str, Any]]:
            return await self._by_ids(coll, plan.projection, first) if first else []

        async def of_bins() -> list[dict[str, Any]]:
            if after is None:
                return []
            span, skip = after
            return await self._records(coll, within(span), plan, skip, need)

        head, tail = await asyncio.gather(of_left(), of_bins())
        return Results(count, head + tail)


#: Target fields a relation's values can page by directly: record ids, variant ordinals.
_KEYED = ("_id", c.V_ORDINAL)


def _ordered_keys(relation: Relation) -> bool:
    return bool(relation.steps) and isinstance(relation.steps[-1], VariantsCarriedBy)


def _interned(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


def _ints(values: Iterable[Any]) -> list[int]:
    return [int(v) for v in values]


def _plain(values: Values) -> list[Any]:
    if isinstance(values, Labels):
        return values.names()
    if isinstance(values, np.ndarray):
        out: list[Any] = values.tolist()  # ints from integer arrays, strings from object ones
        return out
    return list(values)
