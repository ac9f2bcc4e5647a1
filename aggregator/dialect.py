"""One understood request -> the HTTP request one node expects (its dialect).

The aggregator parses every client request with the shared protocol parser into a
``BeaconRequest`` and re-emits it per node: POST with ``requestParameters`` nested under
``g_variant`` (the schema's shape) or flat (what the reference implementation sends), or GET
with comma-separated lists; ``skip`` as pages (the spec) or as records. Nothing is dropped on
the way: a request GET cannot express faithfully (filter options, several requested schemas)
goes as POST, whatever the node's preferred method.

A node's dialect is learnt, not only declared (``Learnt``, read by ``aggregator/discovery.py``):
this project's nodes name their software in /info; any other node is asked a few questions
whose answers tell (a POST that is or is not taken, an impossible variant that is or is not
found when nested, two pages of /filtering_terms). A part of the dialect the registry declares
is used as declared; a part that cannot be told is the spec's choice.
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


# -- learning a node's dialect ----------------------------------------------------------------

#: The software whose dialect is known from its /info (this project's node and network).
OWN_SOFTWARE = "beacon-gdi"
#: A variant no dataset holds (0-based position 0 of chromosome 1 is an N in every assembly):
#: a node that applies it finds nothing, a node that ignores how it was sent finds everything.
PROBE_VARIANT = {"referenceName": "1", "start": [0], "referenceBases": "A", "alternateBases": "T"}
#: Statuses that say "not this method here" (as opposed to "not for you" or "not now").
_NO_SUCH_METHOD = (404, 405, 501)


@dataclass(frozen=True)
class Learnt:
    """What a node showed of its dialect: each part, or None when it could not be told."""

    method: str | None = None
    nested: bool | None = None
    skip_pages: bool | None = None
    how: str = ""

    def resolve(self, declared: Dialect, parts: frozenset[str]) -> Dialect:
        """The dialect to use: the declaration's parts, then what was learnt, then the spec's
        choice (``declared`` holds it for the parts not declared)."""
        return Dialect(
            declared.method if "method" in parts or self.method is None else self.method,
            declared.nested if "parameters" in parts or self.nested is None else self.nested,
            declared.skip_pages if "skip" in parts or self.skip_pages is None else self.skip_pages,
        )

    def sources(self, parts: frozenset[str]) -> dict[str, str]:
        """Where each part of the dialect in use comes from: declared, learnt or default."""
        found = {"method": self.method, "parameters": self.nested, "skip": self.skip_pages}
        return {
            part: "declared" if part in parts else "default" if value is None else "learnt"
            for part, value in found.items()
        }


def from_info(info: dict[str, Any]) -> Learnt | None:
    """This project's nodes and networks say who they are in /info: their dialect is known."""
    software = info.get("info", {}).get("software") if isinstance(info.get("info"), dict) else None
    name = software.get("name") if isinstance(software, dict) else None
    if isinstance(name, str) and name.startswith(OWN_SOFTWARE):
        return Learnt("POST", True, True, f"its /info names {name}")
    return None


def method_probe(entry_path: str, method: str) -> NodeCall:
    """The smallest question of ``/{entry}``: does it exist (boolean), by ``method``."""
    if method == "GET":
        query = (("requestedGranularity", "boolean"), ("limit", "1"))
        return NodeCall("GET", f"/{entry_path}", query)
    body = {
        "meta": {"apiVersion": SPEC_VERSION},
        "query": {"requestedGranularity": "boolean", "pagination": {"skip": 0, "limit": 1}},
    }
    return NodeCall("POST", f"/{entry_path}", (), json.dumps(body).encode())


def method_from(post: int | None, get: int | None) -> str | None:
    """POST when the node answers it; GET when it has no POST there but answers GET."""
    if post == 200:
        return "POST"
    if post in _NO_SUCH_METHOD and get == 200:
        return "GET"
    return None


def nesting_probe(nested: bool) -> NodeCall:
    """``PROBE_VARIANT`` to /g_variants, nested under ``g_variant`` or flat."""
    parameters = {"g_variant": PROBE_VARIANT} if nested else PROBE_VARIANT
    body = {
        "meta": {"apiVersion": SPEC_VERSION},
        "query": {
            "requestedGranularity": "boolean",
            "requestParameters": parameters,
            "pagination": {"skip": 0, "limit": 1},
        },
    }
    return NodeCall("POST", "/g_variants", (), json.dumps(body).encode())


def nesting_from(
    nested: tuple[int | None, bool | None], flat: tuple[int | None, bool | None]
) -> bool | None:
    """(status, exists) of the nested and the flat probe -> nested (True), flat (False), or
    None. A node that finds the impossible variant when it is nested, and not when it is flat,
    ignored the nesting (it would widen every answer): flat. One that refuses the nesting and
    takes the flat form: flat. Finding nothing either way: nested, the schema's shape."""
    (n_status, n_exists), (f_status, f_exists) = nested, flat
    if n_status == 200 and f_status == 200:
        if n_exists is False:
            return True
        if n_exists is True and f_exists is False:
            return False
        return None
    if n_status == 200 and n_exists is False:
        return True
    if f_status == 200 and f_exists is False and n_status is not None and 400 <= n_status < 500:
        return False
    return None


def skip_from(first: list[str], second: list[str]) -> bool | None:
    """Term ids of ``/filtering_terms?skip=0&limit=4`` and ``?skip=1&limit=2``: pages (True)
    when the second is the first's third and fourth, records (False) when its second and
    third, None when the node has too few terms to tell (or pages in some other way)."""
    if len(first) < 4 or len(second) != 2:
        return None
    if second == first[2:4]:
        return True
    if second == first[1:3]:
        return False
    return None
