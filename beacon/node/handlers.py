"""Thin handlers: parse -> authorise -> plan -> execute -> respond. No Mongo, no dict surgery.

Each entry endpoint handler is made by :func:`entry_handler` for one URL shape (list, one
record, or related records), so routes read like ``/map``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

from aiohttp import web

from beacon import __version__
from beacon.node import (
    caller,
    frequencies,
    privacy,
    query,
    query_filters,
    respond,
    scope,
    terms,
    tiers,
)
from beacon.node.execute import Executor, Results
from beacon.node.keys import CATALOG, EXECUTOR, REFERENCES, SETTINGS
from beacon.protocol import entry_types as et
from beacon.protocol.entry_types import EntryType
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import INT64_MAX, BeaconRequest, RequestLimits, Route
from beacon.protocol.understand import Understood, is_population, understand
from beacon.protocol.variants import left_aligned
from beacon.store import collections as c
from beacon.store.catalog import DatasetEntry
from beacon.store.documents import variant_key
from beacon.web import info
from beacon.web.keys import STARTED
from beacon.web.requests import (
    Handler,
    entry_handlers,
    json_response,
    no_parameters,
    public_server,
    read_paging,
    read_request,
)


async def _rare_filters(
    executor: Executor,
    parsed: BeaconRequest,
    dataset: DatasetEntry,
    index: query_filters.TermIndex,
    threshold: int,
) -> frozenset[int]:
    """The filters that, alone, select fewer than ``threshold`` records of the dataset, counted
    among the records they filter (people for a term of individuals, whatever is asked)."""
    rare = set()
    for i, flt in enumerate(parsed.filters):
        if is_population(flt):
            continue
        alone = query_filters.build(parsed.filters, parsed.route.entry, index, only=frozenset({i}))
        if parsed.route.entry.per_dataset:
            await _cohorts_as_members(executor, alone, dataset)
        for filtered, parts in alone.conditions.items():
            entry = et.BY_ID[filtered]
            if not entry.per_dataset:
                continue  # datasets and cohorts: the collections are counted, not people
            own = query_filters.FilterPlan(conditions={filtered: parts})
            plan = query.plan(BeaconRequest(Route(entry)), dataset, None, False, filters=own)
            if (await executor.run(plan, dataset)).count < threshold:
                rare.add(i)
    return frozenset(rare)


async def _cohorts_as_members(
    executor: Executor, filters: query_filters.FilterPlan, dataset: DatasetEntry
) -> None:
    """Filters on cohorts, for records of a dataset's people: the members of the dataset's
    cohorts that match (a cohort covers the individuals it lists, or all of its dataset's), as
    a condition on the individuals, which the plan follows to their biosamples, runs,
    analyses and variants. The EGA UI sends a term listed for cohorts with scope ``cohort``
    whatever the entry type searched."""
    parts = filters.conditions.pop(et.COHORTS.id, None)
    if parts is None:
        return
    mine = {c.DATASET_ID: dataset.id}
    found = await executor.distinct("cohort filter", c.COHORTS, "_id", {"$and": [mine, *parts]})
    filters.add(et.INDIVIDUALS.id, {c.COHORT_IDS: {"$in": sorted(found)}})


async def _frequencies(
    executor: Executor, dataset: DatasetEntry, records: list[dict[str, Any]]
) -> None:
    """Each variant's frequencies per country and sex, from its genotypes and the dataset's
    people (``beacon/node/frequencies.py``), in place of the dataset's own block."""
    groups = await executor.groups(dataset)
    if groups is None or not groups.masks:
        return
    keys = {variant_key(r["variantInternalId"]): r for r in records if "variantInternalId" in r}
    found = await executor.genotypes(dataset, list(keys))
    for key, record in keys.items():
        if key in found:
            frequencies.merge(record, dataset.id, frequencies.rows(groups, found[key]))


async def _per_dataset(
    request: web.Request,
    parsed: BeaconRequest,
    understood: Understood,
    datasets: list[DatasetEntry],
    decisions: dict[str, tiers.Decision],
    index: query_filters.TermIndex | None,
) -> list[respond.DatasetAnswer]:
    """Each dataset answered at its own granularity, its count protected by its own policy.

    Where a dataset's counts are protected (a threshold, below record level), every filter is
    also counted alone, and one that selects fewer records than the threshold counts as
    matching nothing: an alternative of a property drops out, a property none of whose
    alternatives is left matches nothing. So no OR of a rare term with others, and no AND with
    it, says anything about the rare term (``docs/access-control.md``).
    """
    executor = request.app[EXECUTOR]
    access = request.app[SETTINGS].access
    role = c.ROLE_OF_PATH[parsed.route.entry.path]
    entry = parsed.route.entry
    population = understood.population
    variant = understood.variant
    evidence: list[float] = []

    async def one(dataset: DatasetEntry) -> Results:
        decision = decisions[dataset.id]
        records = decision.granularity is Granularity.RECORD
        rare_alleles = privacy.rare_allele_floor(access, decision)
        filters = None
        if index is not None:
            rare: frozenset[int] = frozenset()
            if privacy.protected(decision.policy, decision.capped):
                threshold = decision.policy.min_count
                rare = await _rare_filters(executor, parsed, dataset, index, threshold)
            filters = query_filters.build(parsed.filters, entry, index, population, exclude=rare)
            await _cohorts_as_members(executor, filters, dataset)
        plan = query.plan(
            parsed, dataset, variant, records, filters=filters, min_allele_count=rare_alleles
        )
        result = await executor.run(plan, dataset, dataset.count(role))
        if records and entry is et.G_VARIANTS and result.records:
            await _frequencies(executor, dataset, result.records)
        if result.count and privacy.charged(access, decision, variant):
            assert variant is not None
            alone = query.plan(
                BeaconRequest(Route(et.G_VARIANTS)),
                dataset,
                variant,
                False,
                min_allele_count=rare_alleles,
            )
            for counts in await executor.allele_counts(alone, dataset):
                ac, an = counts.get("ac", 0), counts.get("an", 0)
                evidence.append(privacy.evidence_bits(ac, an, rare_alleles))
        return result

    results = await asyncio.gather(*(one(d) for d in datasets))
    if evidence:
        await caller.spend_risk(request, sum(evidence))
    answers = []
    for dataset, result in zip(datasets, results, strict=True):
        decision = decisions[dataset.id]
        shown = privacy.report(
            result.count,
            decision.policy,
            decision.granularity,
            decision.capped,
            of_people=entry is not et.G_VARIANTS,
        )
        records = frequencies.select(result.records, population) if shown.records_allowed else []
        answers.append(
            respond.DatasetAnswer(
                dataset.id,
                "dataset",
                shown.exists,
                shown.count,
                records,
                decision.granularity,
                shown.info,
            )
        )
    return answers


async def _collections(
    request: web.Request,
    parsed: BeaconRequest,
    datasets: list[DatasetEntry],
    decisions: dict[str, tiers.Decision],
    filters: query_filters.FilterPlan | None,
) -> list[tuple[Granularity, Results]]:
    """/datasets and /cohorts records, queried once per granularity among the datasets.

    They count collections, not people, so no count threshold applies; records come only from
    the datasets answered at record level.
    """
    groups: dict[Granularity, list[str]] = {}
    for dataset in datasets:
        groups.setdefault(decisions[dataset.id].granularity, []).append(dataset.id)

    async def one(granularity: Granularity, ids: list[str]) -> Results:
        records = granularity is Granularity.RECORD
        plan = query.plan(parsed, None, None, records, scope_ids=tuple(ids), filters=filters)
        return await request.app[EXECUTOR].run(plan, None)

    found = await asyncio.gather(*(one(g, ids) for g, ids in sorted(groups.items())))
    return list(zip(sorted(groups), found, strict=True))


async def _aligned(request: web.Request, understood: Understood) -> Understood:
    """A sequence query also left-aligned against the node's reference genomes, if it has any."""
    variant = understood.variant
    references = request.app[REFERENCES]
    if variant is None or variant.allele is None or variant.chrom is None or not references:
        return understood
    chrom = variant.chrom
    fetchers = {a: f for a, r in references.items() if (f := r.fetcher(chrom)) is not None}
    # A few small reads of an indexed FASTA: off the event loop all the same.
    aligned = await asyncio.to_thread(left_aligned, variant, fetchers)
    return dataclasses.replace(understood, variant=aligned)


async def answer(request: web.Request, route: Route) -> web.Response:
    """Answer one entry request, from parsing to the response body."""
    parsed = await read_request(request, route)
    understood = understand(parsed)  # every check of the request alone, before any dataset
    understood = await _aligned(request, understood)
    variant = understood.variant
    await caller.spend(request)
    settings = request.app[SETTINGS]
    catalog = await request.app[CATALOG].get(request.app[EXECUTOR])
    default = Granularity(settings.server.default_granularity)
    requested = parsed.requested_granularity or default
    entry = route.entry
    decisions = tiers.decide(
        settings, catalog, caller.identity(request), entry, requested, parsed.test_mode
    )
    # Datasets the caller may not see leave the catalog before selection: naming one is the
    # same 400 as naming a dataset that does not exist.
    datasets = scope.select({k: catalog[k] for k in decisions}, parsed, variant)
    chosen = {d.id: decisions[d.id] for d in datasets}
    if entry is et.DATASETS:
        chosen = {k: tiers.describable(d, requested) for k, d in chosen.items()}
    returned = tiers.returned_granularity(settings, requested, list(chosen.values()))
    beacon_id = settings.server.id
    filters = None
    index = None
    if parsed.filters:
        index = await terms.term_index(request.app[EXECUTOR], datasets, parsed.filters)
        filters = query_filters.build(parsed.filters, entry, index, understood.population)
    if entry.per_dataset:
        answers = await _per_dataset(request, parsed, understood, datasets, chosen, index)
        body = respond.entries(beacon_id, parsed, answers, returned, default)
    else:
        found = await _collections(request, parsed, datasets, chosen, filters)
        if route.record_id is None and route.source is None:
            body = respond.collections(beacon_id, parsed, found, returned, default)
        else:
            set_type = "dataset" if entry is et.DATASETS else "cohort"
            one = respond.found_record(route.record_id or "", set_type, found, returned)
            body = respond.entries(beacon_id, parsed, [one], returned, default)
    caller.audit(
        request,
        "answered",
        datasets={k: d.granularity for k, d in chosen.items()},
        returned=returned,
    )
    return json_response(body)


entry_handler = entry_handlers(answer)


async def root(request: web.Request) -> web.StreamResponse:
    """``/`` and ``/info``: who the beacon is, or service-info when that schema is requested
    (``requestedSchema=ga4gh-service-info-v1.0``)."""
    no_parameters(request, ("requestedSchema",))
    if info.wants_service_info(request.query.get("requestedSchema", "")):
        return await service_info(request)
    updated = await _data_updated(request)
    software = {"software": {"name": "beacon-gdi", "version": __version__}}
    return json_response(info.info_response(public_server(request), updated, software))


async def _data_updated(request: web.Request) -> dt.datetime:
    """When the data last changed (the latest published load), else when the node started.

    Networks read /info updateDateTime as the node's data version, e.g. to key caches.
    """
    catalog = await request.app[CATALOG].get(request.app[EXECUTOR])
    loads = [d.updated for d in catalog.values() if d.updated is not None]
    return max(loads) if loads else request.app[STARTED]


beacon_info = root


async def service_info(request: web.Request) -> web.StreamResponse:
    no_parameters(request, ("requestedSchema",))
    updated = await _data_updated(request)
    return json_response(info.service_info(public_server(request), updated))


async def configuration(request: web.Request) -> web.StreamResponse:
    no_parameters(request)
    settings = request.app[SETTINGS]
    security = tiers.security_attributes(settings)
    return json_response(info.configuration(settings.server, security))


async def beacon_map(request: web.Request) -> web.StreamResponse:
    no_parameters(request)
    return json_response(info.beacon_map(public_server(request)))


async def entry_types(request: web.Request) -> web.StreamResponse:
    no_parameters(request)
    return json_response(info.entry_types_response(request.app[SETTINGS].server))


def filtering_terms_handler(entry: EntryType | None = None, per_record: bool = False) -> Handler:
    """``/filtering_terms``, ``/{entry}/filtering_terms`` or ``/{datasets|cohorts}/{id}/...``.

    The terms of the datasets the caller may see (anonymous callers: those open to the public
    tier), with the ancestors of those terms in the loaded ontologies. All terms by default;
    ``skip`` and ``limit`` page through them.
    """

    async def handler(request: web.Request) -> web.StreamResponse:
        settings = request.app[SETTINGS]
        every = RequestLimits(1_000_000, 1_000_000, max_offset=INT64_MAX)
        parsed = await read_paging(request, every)
        catalog = await request.app[CATALOG].get(request.app[EXECUTOR])
        target = entry or et.INDIVIDUALS
        visible = tiers.decide(
            settings, catalog, caller.identity(request), target, Granularity.RECORD, False
        )
        datasets = [catalog[k] for k in sorted(visible) if not catalog[k].test]
        scope_id: str | None = entry.id if entry is not None else None
        if per_record and entry is not None:
            scope_id = None
            record_id = request.match_info["id"]
            if entry is et.DATASETS:
                datasets = [d for d in datasets if d.id == record_id]
            else:
                owners = await request.app[EXECUTOR].cohort_datasets(record_id)
                datasets = [d for d in datasets if d.id in owners]
        # Below record level, a dataset lists only terms held by at least min_count records.
        rare_below = {
            load: visible[d.id].policy.min_count
            for d in datasets
            if visible[d.id].granularity is not Granularity.RECORD
            for load in d.loads.values()
        }
        full = {d.id for d in datasets if visible[d.id].granularity is Granularity.RECORD}
        found, resources = await terms.view(
            request.app[EXECUTOR], datasets, scope_id, rare_below, full
        )
        page = found[parsed.offset : parsed.offset + parsed.limit]
        return json_response(info.filtering_terms_response(settings.server, page, resources))

    return handler


async def health(request: web.Request) -> web.StreamResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    ok = await request.app[EXECUTOR].ping()
    body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"}
    return json_response(body, status=200 if ok else 503)
