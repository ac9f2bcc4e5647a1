"""Thin handlers: parse -> cache -> fan out -> merge -> respond, and the informational ones.

Entry requests are parsed by the same protocol parser as the node's, so a request the network
accepts is one every node understands, and a bad one is a 400 before any node is asked.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from aggregator import cache as c
from aggregator import info, via
from aggregator.client import Limits, fetch
from aggregator.dialect import NodeCall
from aggregator.errors import NodeFailure
from aggregator.fanout import Network, Path, fan_out
from aggregator.keys import CACHE, NETWORK, SETTINGS
from aggregator.merge import merge
from aggregator.outcome import NodeOutcome
from beacon.config import public_base_url
from beacon.protocol.entry_types import EntryType
from beacon.protocol.errors import BadRequest, LoopDetected, Unauthorized, UpstreamUnavailable
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import INT64_MAX, BeaconRequest, RequestLimits, Route
from beacon.protocol.understand import understand
from beacon.web import info as beacon_info_docs
from beacon.web.keys import REQUEST_ID, SERVER, STARTED
from beacon.web.requests import (
    Handler,
    entry_handlers,
    json_response,
    no_parameters,
    public_server,
    read_paging,
    read_request,
)

_TERMS_LIMITS = RequestLimits(default=1000, maximum=10000, max_offset=INT64_MAX)


async def parse_request(request: web.Request, route: Route) -> BeaconRequest:
    """GET query string or POST body -> BeaconRequest (remembered for error summaries)."""
    parsed = await read_request(request, route)
    understand(parsed)  # the node's own checks of the request: a 400 here, not at every node
    return parsed


def caller_token(request: web.Request) -> str | None:
    """The caller's bearer token, if any (forwarded only to nodes whose policy accepts it)."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("only 'Authorization: Bearer <token>' is accepted")
    return token.strip()


def _versions(net: Network) -> tuple[tuple[str, str], ...]:
    known = net.discovery.known
    return tuple((n.id, known[n.id].version if n.id in known else "") for n in net.registry.nodes)


async def settle(request: web.Request) -> None:
    """Let the first discoveries of the members finish (within the deadline) before answering
    from what is known of them; not for a request from another network (``Via``), which may
    be that network's own discovery, waiting on ours: networks listing each other would wait
    for each other until the deadline."""
    if "Via" not in request.headers:
        await request.app[NETWORK].discovery.first_round(request.app[SETTINGS].deadline_s)


def check_filters_known(request: web.Request, net: Network, parsed: BeaconRequest) -> None:
    """A filter no member lists is a typo or a term of another network: a 400 naming it, as
    each node would answer, never a network-wide "no"."""
    unknown = net.discovery.unlisted(parsed.filters)
    if unknown:
        i = unknown[0]
        terms = f"{public_base_url(public_server(request))}/filtering_terms"
        raise BadRequest(
            f"parameter 'filters[{i}]': unknown filter {parsed.filters[i].id!r}: no member of "
            f"this network lists it; the terms the network knows are at {terms}",
            parameter="filters",
        )


def check_token_accepted(net: Network, token: str | None, outcomes: Sequence[NodeOutcome]) -> None:
    """A node the caller's token was forwarded to refused it as invalid: the caller's answer is
    that 401, never a quieter answer from the nodes that did not need the token."""
    if token is None:
        return
    refused = [
        o
        for o in outcomes
        if o.http_status == 401
        and (node := net.registry.by_id.get(o.node_id)) is not None
        and node.authorization(token) != node.authorization(None)
    ]
    if refused:
        reasons = "; ".join(f"node {o.node_id}: {o.reason}" for o in refused)
        raise Unauthorized(f"the bearer token was refused by {reasons}")


def request_path(request: web.Request, own_id: str) -> Path:
    """Where the request has been (``Via``), or 508 when this network is already on it."""
    header = request.headers.get("Via")
    networks = via.path_of(header)
    if via.on_path(own_id, networks) or len(header or "") > via.MAX_VIA:
        shown = (header or "")[:200]
        raise LoopDetected(
            f"this network ({own_id}) is already on the request's path (Via: {shown}): a "
            "network it belongs to is also its member; it does not answer twice"
        )
    return Path(via.forwarded(header, own_id), networks | {via.name_of(own_id)})


async def answer(request: web.Request, route: Route) -> web.Response:
    """Answer one entry request over the network."""
    parsed = await parse_request(request, route)
    server = request.app[SERVER]
    path = request_path(request, server.id)
    net = request.app[NETWORK]
    store = request.app[CACHE]
    default = Granularity(server.default_granularity)
    token = caller_token(request)
    if parsed.filters:
        await settle(request)
        check_filters_known(request, net, parsed)
    wants = c.directives(request.headers.get("Cache-Control"))
    # An answer asked through another network may leave members out (those on its path).
    usable = store.enabled and "Via" not in request.headers
    caller = c.caller_key(token)
    state = "bypass"
    fanned = 0.0
    lookup = usable and wants.lookup
    hit = store.get(c.cache_key(parsed, _versions(net), caller)) if lookup else None
    if hit is not None:
        outcomes, age = hit
        state = "hit"
    else:
        granularity = parsed.requested_granularity or default
        async with net.slot():
            began = time.perf_counter()
            outcomes = tuple(
                await fan_out(net, parsed, granularity, token, request[REQUEST_ID], path)
            )
            fanned = (time.perf_counter() - began) * 1000
        age = 0.0
        if usable and wants.store and c.storable(outcomes):
            store.put(c.cache_key(parsed, _versions(net), caller), outcomes)
            state = "miss"
    check_token_accepted(net, token, outcomes)
    if parsed.filters:
        # Members first read during the fan-out (their discovery had not finished, or had
        # failed, when the request came) skip a filter they do not list: once every member's
        # terms are known, a filter none lists is still the caller's typo, never a "no".
        check_filters_known(request, net, parsed)
    merged = merge(parsed, outcomes, server.id, default, {"cache": state})
    headers = {"X-Aggregator-Cache": state}
    if hit is None:
        # Server-Timing: the whole fan-out beside the slowest node's own answer time, so the
        # aggregator's overhead can be read from any response.
        slowest = max((o.elapsed_ms for o in outcomes), default=0.0)
        headers["Server-Timing"] = f"fanout;dur={fanned:.1f}, slowest-node;dur={slowest:.1f}"
    if state == "bypass":
        headers["Cache-Control"] = "private, no-store" if token else "no-store"
    else:
        scope = "private" if token else "public"  # a token's answer is for its holder alone
        headers["Cache-Control"] = f"{scope}, max-age={max(0, int(store.ttl_s - age))}"
        headers["Age"] = str(int(age))
    return json_response(merged.body, merged.status, headers)


entry_handler = entry_handlers(answer)


async def root(request: web.Request) -> web.StreamResponse:
    """``/`` and ``/info``: the network's own document with its members' /info answers, or
    service-info when that schema is requested."""
    no_parameters(request, ("requestedSchema",))
    if beacon_info_docs.wants_service_info(request.query.get("requestedSchema", "")):
        return await service_info(request)
    app = request.app
    net = app[NETWORK]
    await settle(request)
    return json_response(info.info_response(public_server(request), app[STARTED], net))


beacon_info = root


async def service_info(request: web.Request) -> web.StreamResponse:
    no_parameters(request, ("requestedSchema",))
    server = public_server(request)
    return json_response(beacon_info_docs.service_info(server, request.app[STARTED]))


async def configuration(request: web.Request) -> web.StreamResponse:
    no_parameters(request)
    return json_response(info.configuration(request.app[SERVER], request.app[NETWORK].registry))


async def beacon_map(request: web.Request) -> web.StreamResponse:
    no_parameters(request)
    return json_response(beacon_info_docs.beacon_map(public_server(request)))


async def entry_types(request: web.Request) -> web.StreamResponse:
    no_parameters(request)
    return json_response(beacon_info_docs.entry_types_response(request.app[SERVER]))


async def _node_terms(net: Network, node_id: str, path: str) -> dict[str, Any]:
    """One node's own /{entry}/{id}/filtering_terms, fetched now."""
    node = net.registry.by_id[node_id]
    settings = net.settings
    limits = Limits(node.timeout_s, settings.connect_timeout_s, settings.max_response_bytes)
    try:
        call = NodeCall("GET", path, headers=net.discovery.headers)
        reply = await fetch(net.session, node, call, limits)
    except NodeFailure as failure:
        raise UpstreamUnavailable(f"node {node_id}: {failure.reason}") from None
    response = reply.body.get("response") if isinstance(reply.body, dict) else None
    if not isinstance(response, dict):
        raise UpstreamUnavailable(f"node {node_id}: not a filtering terms response")
    return response


def filtering_terms_handler(entry: EntryType | None = None, per_record: bool = False) -> Handler:
    """``/filtering_terms``, ``/{entry}/filtering_terms`` or ``/{entry}/{id}/filtering_terms``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        net = request.app[NETWORK]
        parsed = await read_paging(request, _TERMS_LIMITS)
        node, local = (None, "")
        if per_record and entry is not None:
            node, local = net.registry.split_id(request.match_info["id"])
        if node is not None and entry is not None:
            own = await _node_terms(net, node.id, f"/{entry.path}/{local}/filtering_terms")
            terms = [t for t in own.get("filteringTerms") or [] if isinstance(t, dict)]
            resources = [x for x in own.get("resources") or [] if isinstance(x, dict)]
        else:
            await settle(request)
            terms, resources = info.union_terms(
                net.registry, net.discovery, entry.id if entry else None
            )
        page = terms[parsed.offset : parsed.offset + parsed.limit]
        server = request.app[SERVER]
        return json_response(beacon_info_docs.filtering_terms_response(server, page, resources))

    return handler


async def nodes(request: web.Request) -> web.StreamResponse:
    """The operator's view of every node (not a Beacon endpoint)."""
    no_parameters(request)
    net = request.app[NETWORK]
    body = info.nodes_view(net.registry, net.discovery)
    store = request.app[CACHE]
    body["cache"] = {"entries": len(store), "hits": store.hits, "misses": store.misses}
    return json_response(body)


async def health(request: web.Request) -> web.StreamResponse:
    """200 while at least one node is known and not cut off by its breaker (or none exist)."""
    net = request.app[NETWORK]
    usable = [
        n.id
        for n in net.registry.nodes
        if n.id in net.discovery.known and net.registry.health[n.id].usable
    ]
    ok = bool(usable) or not net.registry.nodes
    body = {
        "status": "ok" if ok else "unavailable",
        "nodes": len(net.registry.nodes),
        "usable": len(usable),
    }
    return json_response(body, 200 if ok else 503)
