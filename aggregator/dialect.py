"""One understood request -> the HTTP request one node expects (its dialect).

The aggregator parses every client request with the shared protocol parser into a
``BeaconRequest`` and re-emits it per node: POST with ``requestParameters`` nested under
``g_variant`` (the schema's shape) or flat (what the reference implementation sends), or GET
with comma-separated lists; ``skip`` as pages (the spec) or as records. Nothing is dropped on
the way: a request GET cannot express faithfully (filter options, several requested schemas)
goes as POST, whatever the node's preferred method.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aggregator.registry import Dialect
from beacon.protocol.entry_types import SPEC_VERSION
from beacon.protocol.filters import AlphanumericFilter, Filter, TermFilter
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, Route
from beacon.protocol.response import echo_parameters


@dataclass(frozen=True)
class NodeCall:
    """A request ready to send: method, path under the node's API root, query, body bytes, and
    the headers it adds (``Via``: the networks the request went through)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


def path_of(route: Route) -> str:
    """``/{entry}``, ``/{entry}/{id}`` or ``/{source}/{id}/{entry}``, ids URL-quoted."""
    if route.source is not None and route.source_id is not None:
        return f"/{route.source.path}/{quote(route.source_id, safe='')}/{route.entry.path}"
    if route.record_id is not None:
        return f"/{route.entry.path}/{quote(route.record_id, safe='')}"
    return f"/{route.entry.path}"


def filter_json(item: Filter) -> dict[str, Any]:
    """A filter as a POST body carries it, with only non-default options spelled out."""
    if isinstance(item, AlphanumericFilter):
        body: dict[str, Any] = {"id": item.id, "operator": item.operator, "value": item.value}
    else:
        body = {"id": item.id}
        if not item.include_descendants:
            body["includeDescendantTerms"] = False
        if item.similarity != "exact":
            body["similarity"] = item.similarity
    if item.scope:
        body["scope"] = item.scope
    return body


def _get_filter(item: Filter) -> str | None:
    """The GET spelling of a filter, or None when GET would lose something."""
    if item.scope:
        return None
    if isinstance(item, TermFilter):
        if not item.include_descendants or item.similarity != "exact" or "," in item.id:
            return None
        return item.id
    if "," in item.value or "+" in item.value or "," in item.id:
        return None
    return item.summary().replace(" ", "+")


def _skip(request: BeaconRequest, dialect: Dialect) -> int:
    return request.skip if dialect.skip_pages else request.skip * request.limit


def _parameters(
    request: BeaconRequest, dataset_ids: tuple[str, ...] | None, nested: bool
) -> dict[str, Any]:
    echoed = echo_parameters(request.variant, dataset_ids)
    if nested:
        return echoed
    flat: dict[str, Any] = {}
    for group in echoed.values():
        flat.update(group)
    return flat


def _post(
    request: BeaconRequest,
    route: Route,
    dataset_ids: tuple[str, ...] | None,
    granularity: Granularity,
    dialect: Dialect,
) -> NodeCall:
    query: dict[str, Any] = {
        "requestedGranularity": granularity.value,
        "includeResultsetResponses": request.include.value,
        "pagination": {"skip": _skip(request, dialect), "limit": request.limit},
        "testMode": request.test_mode,
    }
    parameters = _parameters(request, dataset_ids, dialect.nested)
    if parameters:
        query["requestParameters"] = parameters
    if request.filters:
        query["filters"] = [filter_json(f) for f in request.filters]
    meta: dict[str, Any] = {"apiVersion": SPEC_VERSION}
    if request.requested_schemas:
        meta["requestedSchemas"] = [
            {"entityType": r.entity_type or route.entry.id, "schema": r.schema}
            for r in request.requested_schemas
        ]
    body = json.dumps({"meta": meta, "query": query}, separators=(",", ":"))
    return NodeCall("POST", path_of(route), (), body.encode())


def _get(
    request: BeaconRequest,
    route: Route,
    dataset_ids: tuple[str, ...] | None,
    granularity: Granularity,
    dialect: Dialect,
) -> NodeCall | None:
    if len(request.requested_schemas) > 1:
        return None
    filters = [_get_filter(f) for f in request.filters]
    if any(f is None for f in filters):
        return None
    query: list[tuple[str, str]] = [
        ("requestedGranularity", granularity.value),
        ("includeResultsetResponses", request.include.value),
        ("skip", str(_skip(request, dialect))),
        ("limit", str(request.limit)),
    ]
    if request.test_mode:
        query.append(("testMode", "true"))
    if request.requested_schemas:
        query.append(("requestedSchema", request.requested_schemas[0].schema))
    if filters:
        query.append(("filters", ",".join(f for f in filters if f is not None)))
    for name, value in _parameters(request, dataset_ids, nested=False).items():
        # Lists travel comma-separated (docs/design.md §2), never as repeated keys.
        text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        query.append((name, text))
    return NodeCall("GET", path_of(route), tuple(query))


def translate(
    request: BeaconRequest,
    route: Route,
    dataset_ids: tuple[str, ...] | None,
    granularity: Granularity,
    dialect: Dialect,
) -> NodeCall:
    """The call that asks a node ``request`` for ``route`` in the node's dialect."""
    if dialect.method == "GET":
        call = _get(request, route, dataset_ids, granularity, dialect)
        if call is not None:
            return call
    return _post(request, route, dataset_ids, granularity, dialect)
