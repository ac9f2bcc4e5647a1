"""Reading requests and writing JSON, the same way in both apps.

GET query strings and POST bodies become one ``BeaconRequest`` (``beacon.protocol.request``);
informational endpoints refuse parameters they do not take; entry handlers are made per URL
shape (list, one record, related records) so that route tables read like ``/map``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from beacon.protocol import errors
from beacon.protocol.entry_types import EntryType
from beacon.protocol.request import BeaconRequest, PageLimits, Route, parse_get, parse_post
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


def page_limits(request: web.Request) -> PageLimits:
    server = request.app[SERVER]
    return PageLimits(server.default_limit, server.max_limit)


async def read_request(request: web.Request, route: Route) -> BeaconRequest:
    """GET query string or POST body -> BeaconRequest, remembered so that error responses
    can echo what was understood."""
    limits = page_limits(request)
    if request.method == "POST":
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else None
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.BadRequest(
                f"the request body is not valid JSON: {exc}", parameter="body"
            ) from None
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
