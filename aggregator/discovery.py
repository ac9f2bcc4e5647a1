"""What each node can answer: its /info, /map, /configuration, /entry_types and
/filtering_terms, fetched concurrently, cached with a TTL and refreshed in the background.

A query goes only to nodes whose ``/map`` (and configuration) serve the entry type, the single-
record or cross-entry endpoint asked for, and whose ``/filtering_terms`` list every filter of the
query. Cached capabilities are used even when stale while a refresh runs (a node that was fine a
minute ago is still worth asking); only a node never seen is discovered inline, inside the
query's deadline. The data version that keys the response cache is the node's ``/info``
``updateDateTime`` together with its ``version``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp

from aggregator import dialect as dialects
from aggregator.client import Limits, fetch
from aggregator.dialect import NodeCall
from aggregator.errors import NodeFailure
from aggregator.outcome import Status
from aggregator.registry import DIALECT_PARTS, Dialect, Node, Registry
from beacon.protocol import entry_types as et
from beacon.protocol.filters import Filter, listed_as
from beacon.protocol.request import Route

log = logging.getLogger("aggregator.discovery")

_TERMS_PAGE = 1000
#: Entry types a method probe asks, the first the node serves.
_PROBED = (et.INDIVIDUALS, et.G_VARIANTS, et.BIOSAMPLES, et.DATASETS)
_TERMS_MAX_PAGES = 100


@dataclass(frozen=True)
class Capabilities:
    beacon_id: str
    entry_types: frozenset[str]  # entry type ids with an endpoint set
    single: frozenset[str]  # entry type ids with a singleEntryUrl
    cross: frozenset[tuple[str, str]]  # (source id, returned entry type id)
    filters: frozenset[str] | None  # known filter ids; None when /filtering_terms failed
    terms: tuple[dict[str, Any], ...]
    resources: tuple[dict[str, Any], ...]
    version: str
    info: dict[str, Any]  # the ``response`` of the node's /info
    default_granularity: str | None
    fetched_at: float
    #: The node's whole /info answer (meta and response), as the network lists it.
    info_document: dict[str, Any] = field(default_factory=dict)
    #: The dialect the node is asked in, and where each part of it comes from.
    dialect: Dialect = Dialect()
    dialect_sources: dict[str, str] = field(default_factory=dict)

    def refusal(self, route: Route, filter_ids: tuple[tuple[str, ...], ...]) -> str | None:
        """Why this node cannot answer ``route`` with these filters, or None if it can."""
        entry = route.entry
        if route.source is not None:
            if (route.source.id, entry.id) not in self.cross:
                return f"does not serve /{route.source.path}/{{id}}/{entry.path}"
        elif entry.id not in self.entry_types:
            return f"does not serve /{entry.path}"
        elif route.record_id is not None and entry.id not in self.single:
            return f"does not serve /{entry.path}/{{id}}"
        if filter_ids and self.filters is None:
            return "its filtering terms are unavailable, so filters cannot be checked"
        for names in filter_ids:  # a filter and the other ids it may be listed under
            if self.filters is not None and not any(n in self.filters for n in names):
                return f"unsupported filter {names[0]}"
        return None


def _response(body: Any, endpoint: str) -> dict[str, Any]:
    response = body.get("response") if isinstance(body, dict) else None
    if not isinstance(response, dict):
        raise NodeFailure(Status.INVALID, f"{endpoint}: no 'response' object")
    return response


def _read_map(body: Any) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    sets = _response(body, "/map").get("endpointSets")
    if not isinstance(sets, dict):
        raise NodeFailure(Status.INVALID, "/map: response.endpointSets is not an object")
    served: set[str] = set()
    single: set[str] = set()
    cross: set[tuple[str, str]] = set()
    for key, endpoint_set in sets.items():
        if not isinstance(endpoint_set, dict):
            continue
        entry = et.lookup_id(str(endpoint_set.get("entryType", key)))
        if entry is None or not endpoint_set.get("rootUrl"):
            continue
        served.add(entry.id)
        if endpoint_set.get("singleEntryUrl"):
            single.add(entry.id)
        endpoints = endpoint_set.get("endpoints")
        for endpoint in endpoints.values() if isinstance(endpoints, dict) else ():
            if not isinstance(endpoint, dict) or not endpoint.get("url"):
                continue
            target = et.lookup_id(str(endpoint.get("returnedEntryType", "")))
            if target is not None:
                cross.add((entry.id, target.id))
    return served, single, cross


class Discovery:
    """The capability cache of every node, and the background task that keeps it fresh."""

    def __init__(
        self,
        registry: Registry,
        session: aiohttp.ClientSession,
        limits: Limits,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
        via: str = "",
    ) -> None:
        self.registry = registry
        #: The ``Via`` header of every metadata request (this network), so that a member that
        #: is itself a network knows it is asked by one (``aggregator/via.py``).
        self.headers = (("Via", via),) if via else ()
        self.session = session
        self.limits = limits
        self.ttl_s = ttl_s
        self.clock = clock
        self.known: dict[str, Capabilities] = {}
        self.problems: dict[str, str] = {}
        self._holdings: dict[str, tuple[float, frozenset[str] | None]] = {}
        #: What each node showed of its dialect, with the data version it was learnt at.
        self.learnt: dict[str, tuple[str, dialects.Learnt]] = {}
        self._inflight: dict[str, asyncio.Task[Capabilities]] = {}

    async def _get(self, node: Node, path: str, query: tuple[tuple[str, str], ...] = ()) -> Any:
        call = NodeCall("GET", path, query, headers=self.headers)
        reply = await fetch(self.session, node, call, self.limits)
        return reply.body

    async def _terms(
        self, node: Node, skip_pages: bool
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every filtering term, page by page (the node may cap the page size below ours)."""
        terms: list[dict[str, Any]] = []
        resources: list[dict[str, Any]] = []
        seen: set[str] = set()
        size = _TERMS_PAGE
        for page in range(_TERMS_MAX_PAGES):
            skip = page if skip_pages else page * size
            query = (("skip", str(skip)), ("limit", str(size)))
            response = _response(
                await self._get(node, "/filtering_terms", query), "/filtering_terms"
            )
            batch = response.get("filteringTerms") or []
            if page == 0 and isinstance(response.get("resources"), list):
                resources = [r for r in response["resources"] if isinstance(r, dict)]
            fresh = [
                t
                for t in batch
                if isinstance(t, dict) and isinstance(t.get("id"), str) and t["id"] not in seen
            ]
            terms += fresh
            seen.update(t["id"] for t in fresh)
            if not fresh or len(batch) < size:
                break
            size = len(batch)  # the node's real page size, for the next pages
        return terms, resources

    async def _status(self, node: Node, call: NodeCall) -> tuple[int | None, Any]:
        """(HTTP status, body) of one probe; no status when the node could not be reached."""
        call = replace(call, headers=self.headers)
        try:
            reply = await fetch(self.session, node, call, self.limits)
        except NodeFailure as failure:
            return failure.http_status, None
        return reply.status, reply.body

    async def _exists(self, node: Node, call: NodeCall) -> tuple[int | None, bool | None]:
        status, body = await self._status(node, call)
        summary = body.get("responseSummary") if isinstance(body, dict) else None
        exists = summary.get("exists") if isinstance(summary, dict) else None
        return status, exists if isinstance(exists, bool) else None

    async def _term_ids(self, node: Node, skip: int, limit: int) -> list[str]:
        query = (("skip", str(skip)), ("limit", str(limit)))
        _, body = await self._status(node, NodeCall("GET", "/filtering_terms", query))
        response = body.get("response") if isinstance(body, dict) else None
        listed = response.get("filteringTerms") if isinstance(response, dict) else None
        return [str(t.get("id")) for t in listed or [] if isinstance(t, dict)]

    async def _datasets(self, node: Node) -> frozenset[str] | None:
        """The ids of the datasets the node lists to anyone, or None when it cannot say."""
        query = (("requestedGranularity", "record"), ("limit", "0"))
        status, body = await self._status(node, NodeCall("GET", "/datasets", query))
        response = body.get("response") if status == 200 and isinstance(body, dict) else None
        if not isinstance(response, dict):
            return None
        records = response.get("collections")
        if not isinstance(records, list):
            sets = response.get("resultSets")
            records = [r for s in sets or [] if isinstance(s, dict) for r in s.get("results") or []]
        return frozenset(str(r["id"]) for r in records if isinstance(r, dict) and "id" in r)

    async def holdings(self, timeout_s: float) -> dict[str, frozenset[str] | None]:
        """Each node's dataset ids as its /datasets lists them to anyone (None: unknown), read
        when a query first names datasets by their plain ids, then kept for the TTL."""
        now = self.clock()
        due = [
            n
            for n in self.registry.nodes
            if n.id not in self._holdings or now - self._holdings[n.id][0] >= self.ttl_s
        ]
        if due:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    found = await asyncio.gather(*(self._datasets(n) for n in due))
                    for node, held in zip(due, found, strict=True):
                        self._holdings[node.id] = (now, held)
        return {n.id: self._holdings.get(n.id, (0.0, None))[1] for n in self.registry.nodes}

    async def _learn(self, node: Node, info: dict[str, Any], served: set[str]) -> dialects.Learnt:
        """What ``node`` shows of the parts of its dialect the registry does not declare."""
        own = dialects.from_info(info)
        if own is not None:
            return own
        wanted = set(DIALECT_PARTS) - node.declared
        method: str | None = None
        nested = skip_pages = None
        entry = next((e for e in _PROBED if e.id in served), None)
        if "method" in wanted and entry is not None:
            post, _ = await self._status(node, dialects.method_probe(entry.path, "POST"))
            get = None
            if post != 200:
                get, _ = await self._status(node, dialects.method_probe(entry.path, "GET"))
            method = dialects.method_from(post, get)
        posts = (node.dialect.method if "method" in node.declared else method) != "GET"
        if "parameters" in wanted and et.G_VARIANTS.id in served and posts:
            nested = dialects.nesting_from(
                await self._exists(node, dialects.nesting_probe(nested=True)),
                await self._exists(node, dialects.nesting_probe(nested=False)),
            )
        if "skip" in wanted:
            first, second = await asyncio.gather(
                self._term_ids(node, 0, 4), self._term_ids(node, 1, 2)
            )
            skip_pages = dialects.skip_from(first, second)
        return dialects.Learnt(method, nested, skip_pages, "probes")

    def dialect_of(self, node: Node) -> Dialect:
        """The dialect ``node`` is asked in: declared, else learnt, else the spec's."""
        known = self.known.get(node.id)
        return known.dialect if known is not None else node.dialect

    async def discover(self, node: Node) -> Capabilities:
        """Fetch the five metadata documents of ``node`` now and cache what they say, and
        learn its dialect (once per data version of the node)."""
        previous = self.learnt.get(node.id)
        hint = previous[1] if previous is not None else dialects.Learnt()
        # /filtering_terms paged as last time (or the spec's way), beside the other documents;
        # asked again only if the node turns out to page otherwise.
        assumed = hint.resolve(node.dialect, node.declared).skip_pages
        found = await asyncio.gather(
            self._get(node, "/info"),
            self._get(node, "/map"),
            self._get(node, "/configuration"),
            self._get(node, "/entry_types"),
            self._terms(node, assumed),
            return_exceptions=True,
        )
        info, beacon_map, configuration, entry_types, terms = found
        for item in (info, beacon_map):
            if isinstance(item, BaseException):
                raise item
        info_response = _response(info, "/info")
        served, single, cross = _read_map(beacon_map)
        version = f"{info_response.get('updateDateTime', '')}|{info_response.get('version', '')}"
        learnt = hint
        if previous is None or previous[0] != version:
            learnt = await self._learn(node, info_response, served)
            self.learnt[node.id] = (version, learnt)
        in_use = learnt.resolve(node.dialect, node.declared)
        if in_use.skip_pages != assumed:
            again = self._terms(node, in_use.skip_pages)
            terms = (await asyncio.gather(again, return_exceptions=True))[0]
        default_granularity = None
        declared: set[str] | None = None
        for name, document in (("/configuration", configuration), ("/entry_types", entry_types)):
            if isinstance(document, BaseException):
                continue
            with contextlib.suppress(NodeFailure):  # optional documents: /map decides alone
                response = _response(document, name)
                types = response.get("entryTypes")
                if isinstance(types, dict):
                    ids = {e.id for k in types if (e := et.lookup_id(str(k))) is not None}
                    declared = ids if declared is None else declared | ids
                security = response.get("securityAttributes")
                if isinstance(security, dict) and isinstance(
                    security.get("defaultGranularity"), str
                ):
                    default_granularity = security["defaultGranularity"]
        if declared is not None:
            # /map and the configuration must agree: serve only what both declare.
            served &= declared
        filters: frozenset[str] | None = None
        term_list: list[dict[str, Any]] = []
        resources: list[dict[str, Any]] = []
        if isinstance(terms, BaseException):
            self.problems[node.id] = f"/filtering_terms: {terms}"
        else:
            term_list, resources = terms
            filters = frozenset(t["id"] for t in term_list)
        meta = info.get("meta") if isinstance(info, dict) else None
        beacon_id = info_response.get("id") or (meta or {}).get("beaconId") or node.id
        capabilities = Capabilities(
            beacon_id=str(beacon_id),
            entry_types=frozenset(served),
            single=frozenset(single & served),
            cross=frozenset((s, t) for s, t in cross if s in served),
            filters=filters,
            terms=tuple(term_list),
            resources=tuple(resources),
            version=version,
            info=info_response,
            default_granularity=default_granularity,
            fetched_at=self.clock(),
            info_document=info if isinstance(info, dict) else {},
            dialect=in_use,
            dialect_sources={**learnt.sources(node.declared), "how": learnt.how},
        )
        self.known[node.id] = capabilities
        if filters is not None:
            self.problems.pop(node.id, None)
        return capabilities

    async def _discover_logged(self, node: Node) -> Capabilities:
        try:
            return await self.discover(node)
        except NodeFailure as failure:
            self.problems[node.id] = failure.reason
            log.warning("node %s: metadata %s (%s)", node.id, failure.status.value, failure.reason)
            raise

    def refresh(self, node: Node) -> asyncio.Task[Capabilities]:
        """Start (or join) a discovery of ``node``; concurrent callers share one."""
        task = self._inflight.get(node.id)
        if task is None or task.done():
            task = asyncio.ensure_future(self._discover_logged(node))
            self._inflight[node.id] = task
            task.add_done_callback(_quiet)
        return task

    async def ensure(self, node: Node) -> Capabilities:
        """Cached capabilities (starting a background refresh when stale), else discover now."""
        known = self.known.get(node.id)
        if known is not None:
            if self.clock() - known.fetched_at >= self.ttl_s:
                self.refresh(node)
            return known
        return await asyncio.shield(self.refresh(node))

    async def first_round(self, timeout_s: float) -> None:
        """Wait (at most ``timeout_s``) for discoveries of nodes not known yet."""
        pending = [
            task
            for node_id, task in self._inflight.items()
            if node_id not in self.known and not task.done()
        ]
        if pending:
            await asyncio.wait(pending, timeout=timeout_s)

    def unlisted(self, filters: tuple[Filter, ...]) -> list[int]:
        """The positions of the filters no member lists, when every member's terms are known
        (otherwise none: a member not read yet may list them, and the fan-out decides)."""
        known = [self.known.get(n.id) for n in self.registry.nodes]
        lists = [k.filters for k in known if k is not None and k.filters is not None]
        if not filters or not known or len(lists) < len(known):
            return []
        return [
            i
            for i, flt in enumerate(filters)
            if not any(name in listed for listed in lists for name in listed_as(flt))
        ]

    def is_stale(self, node: Node) -> bool:
        known = self.known.get(node.id)
        return known is None or self.clock() - known.fetched_at >= self.ttl_s

    async def refresh_all(self) -> None:
        tasks = [self.refresh(n) for n in self.registry.nodes]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run(self, interval_s: float) -> None:
        """Forever: refresh every node whose capabilities are older than the TTL."""
        await self.refresh_all()
        while True:
            await asyncio.sleep(interval_s)
            stale = [self.refresh(n) for n in self.registry.nodes if self.is_stale(n)]
            await asyncio.gather(*stale, return_exceptions=True)

    async def close(self) -> None:
        for task in self._inflight.values():
            task.cancel()
        for task in self._inflight.values():
            with contextlib.suppress(BaseException):
                await task


def _quiet(task: asyncio.Task[Capabilities]) -> None:
    """Retrieve a background discovery's exception so asyncio does not warn about it."""
    if not task.cancelled():
        task.exception()
