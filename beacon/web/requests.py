"""Reading requests and writing JSON, the same way in both apps.

GET query strings and POST bodies become one ``BeaconRequest`` (``beacon.protocol.request``);
informational endpoints refuse parameters they do not take; entry handlers are made per URL
shape (list, one record, related records) so that route tables read like ``/map``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from beacon.config import ServerSettings
from beacon.protocol import entry_types as et
from beacon.protocol import errors
from beacon.protocol.entry_types import EntryType
from beacon.protocol.request import BeaconRequest, RequestLimits, Route, parse_get, parse_post
from beacon.web.keys import PARSED, SERVER

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Answer = Callable[[web.Request, Route], Awaitable[web.StreamResponse]]


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), default=str)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        text=dumps(body), status=status, content_type="application/json", headers=headers
    )


def public_server(request: web.Request) -> ServerSettings:
    """The server settings the URLs of this request's answer are built from.

    Without ``server.base_url``, the URLs name the port the request arrived on (with the
    configured host, never the caller's ``Host`` header): a beacon that also listens on a
    second port (``--also-port``, as the demo's 8060 for browsers) advertises that port to the
    callers who use it.
    """
    server = request.app[SERVER]
    if server.base_url or request.transport is None:
        return server
    sockname = request.transport.get_extra_info("sockname")
    port = sockname[1] if isinstance(sockname, tuple) and len(sockname) >= 2 else server.port
    return server if port == server.port else dataclasses.replace(server, port=port)


def no_parameters(request: web.Request, allowed: tuple[str, ...] = ()) -> None:
    """Refuse query parameters an informational endpoint does not take."""
    for name in request.query:
        if name not in allowed:
            accepted = ", ".join(allowed) if allowed else "none"
            raise errors.BadRequest(
                f"unknown parameter '{name}' for {request.path}; accepted: {accepted}",
                parameter=name,
            )


def entry_handlers(answer: Answer) -> Callable[..., Handler]:
    """Makes the handlers of ``/{entry}``, ``/{entry}/{id}`` and ``/{source}/{id}/{entry}``."""

    def make(
        entry: EntryType, *, with_id: bool = False, source: EntryType | None = None
    ) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            if source is not None:
                route = Route(entry, source=source, source_id=request.match_info["id"])
            elif with_id:
                route = Route(entry, record_id=request.match_info["id"])
            else:
                route = Route(entry)
            return await answer(request, route)

        return handler

    return make


def request_limits(request: web.Request) -> RequestLimits:
    server = request.app[SERVER]
    return RequestLimits(
        server.default_limit,
        server.max_limit,
        max_offset=server.max_offset,
        max_filters=server.max_filters,
        max_filter_chars=server.max_filter_chars,
        max_wildcards=server.max_wildcards,
        max_bases=server.max_bases,
    )


#: Content encodings of request bodies that are decoded (aiohttp decodes them as it reads).
DECODED = ("identity", "gzip", "x-gzip", "deflate")
#: Nesting of objects and arrays a request body may have (a Beacon request needs five).
MAX_JSON_DEPTH = 32


def json_depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests, counting no further than ``limit + 1``."""
    depth, level = 0, [value]
    while level and depth <= limit:
        depth += 1
        level = [
            item
            for node in level
            if isinstance(node, dict | list)
            for item in (node.values() if isinstance(node, dict) else node)
            if isinstance(item, dict | list)
        ]
    return depth


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def read_body(request: web.Request) -> Any:
    """The POST body as JSON, or a 4xx naming what is wrong with it (``body``)."""
    encodings = [e.strip().lower() for e in request.headers.get("Content-Encoding", "").split(",")]
    unknown = [e for e in encodings if e and e not in DECODED]
    if unknown:
        raise errors.UnsupportedMediaType(
            f"the request body's Content-Encoding {unknown[0]!r} is not accepted; use "
            + ", ".join(DECODED),
            parameter="Content-Encoding",
        )
    try:
        raw = await request.read()
    except web.RequestPayloadError:
        raise errors.UnsupportedMediaType(
            "the request body could not be decoded as its Content-Encoding says",
            parameter="Content-Encoding",
        ) from None
    try:
        body = json.loads(raw, parse_constant=_not_json) if raw.strip() else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.BadRequest(
            f"the request body is not valid JSON: {str(exc)[:200]}", parameter="body"
        ) from None
    except RecursionError:  # nested too deeply for the parser itself
        body = None
        deep = True
    else:
        deep = json_depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH
    if deep:
        raise errors.BadRequest(
            f"the request body nests more than {MAX_JSON_DEPTH} levels of objects and arrays",
            parameter="body",
        )
    return body


async def read_paging(request: web.Request, limits: RequestLimits) -> BeaconRequest:
    """``skip`` and ``limit`` of a ``/filtering_terms`` request: GET query string, or a POST
    body (``meta`` and ``query.pagination``; no body at all is the first page). Anything else
    such a request could carry (filters, request parameters) is refused, naming it."""
    if request.method != "POST":
        no_parameters(request, ("skip", "limit"))
        return parse_get(Route(et.DATASETS), request.query.items(), limits)
    no_parameters(request)
    body = await read_body(request)
    parsed = parse_post(Route(et.DATASETS), {} if body is None else body, limits)
    for name, given in (
        ("filters", parsed.filters),
        ("requestParameters", not parsed.variant.is_empty() or parsed.dataset_ids is not None),
    ):
        if given:
            raise errors.BadRequest(
                f"parameter '{name}': {request.path} takes only pagination (skip, limit)",
                parameter=name,
            )
    return parsed


async def read_request(request: web.Request, route: Route) -> BeaconRequest:
    """GET query string or POST body -> BeaconRequest, remembered so that error responses
    can echo what was understood."""
    limits = request_limits(request)
    if request.method == "POST":
        body = await read_body(request)
        if body is None:
            raise errors.BadRequest(
                'a POST needs a JSON body with at least {"meta": {"apiVersion": "v2.0.0"}}',
                parameter="body",
            )
        parsed = parse_post(route, body, limits)
    else:
        parsed = parse_get(route, request.query.items(), limits)
    request[PARSED] = parsed
    return parsed
