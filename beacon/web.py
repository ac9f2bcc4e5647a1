"""The HTTP plumbing the node and the aggregator share: middlewares, JSON bodies, handlers.

Both programs are Beacons and must behave the same at the edges: request ids and access logs,
CORS for browser UIs, aiohttp's own errors turned into the spec's error envelope, unknown
parameters refused, one request answered in-process for ``--get``. Each program supplies only
what differs (its settings, its error body, its keys).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.typedefs import Middleware

from beacon import logs
from beacon.protocol import entry_types as et
from beacon.protocol import errors
from beacon.protocol.entry_types import EntryType
from beacon.protocol.request import BeaconRequest, PageLimits, Route, parse_get, parse_post

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Answer = Callable[[web.Request, Route], Awaitable[web.StreamResponse]]
ErrorRenderer = Callable[[web.Request, errors.BeaconError], web.Response]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_HTTP_ERRORS: dict[int, type[errors.BeaconError]] = {
    400: errors.BadRequest,
    404: errors.NotFound,
    413: errors.PayloadTooLarge,
    415: errors.UnsupportedMediaType,
}


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), default=str)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        text=dumps(body), status=status, content_type="application/json", headers=headers
    )


def request_ids(key: web.RequestKey[str], access_log: str) -> Middleware:
    """Give every request an id (the caller's ``X-Request-Id`` when plain), log it when done."""
    log = logging.getLogger(access_log)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.headers.get("X-Request-Id", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request[key] = rid
        logs.REQUEST_ID.set(rid)  # every log line of this request carries it
        began = time.perf_counter()
        response = await handler(request)
        response.headers["X-Request-Id"] = rid
        ms = (time.perf_counter() - began) * 1000
        # method, path, status and time: never headers, so never a token
        log.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status,
            ms,
            extra={
                "request_id": rid,
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "ms": round(ms, 1),
            },
        )
        return response

    return middleware


def cors(
    origins: Callable[[web.Request], tuple[str, ...]],
    expose: tuple[str, ...],
    allow: tuple[str, ...],
) -> Middleware:
    """Let browser UIs call the API: answer preflights, label every response (errors too)."""

    def headers_for(request: web.Request) -> dict[str, str]:
        allowed = origins(request)
        origin = request.headers.get("Origin")
        if not origin or not ("*" in allowed or origin in allowed):
            return {}
        value = "*" if "*" in allowed else origin
        headers = {
            "Access-Control-Allow-Origin": value,
            "Access-Control-Expose-Headers": ", ".join(expose),
        }
        if value != "*":
            headers["Vary"] = "Origin"
        return headers

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        headers = headers_for(request)
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            preflight = web.Response(status=204)
            preflight.headers.update(headers)
            if headers:
                preflight.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                preflight.headers["Access-Control-Allow-Headers"] = ", ".join(allow)
                preflight.headers["Access-Control-Max-Age"] = "600"
            return preflight
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(headers)
            raise
        response.headers.update(headers)
        return response

    return middleware


def beacon_errors(
    render: ErrorRenderer, key: web.RequestKey[str], error_log: str, map_path: str
) -> Middleware:
    """Every ``BeaconError`` and aiohttp HTTP error as the spec's error envelope; anything else
    a 500 with the request id, its traceback logged and never shown."""
    log = logging.getLogger(error_log)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except errors.BeaconError as exc:
            return render(request, exc)
        except web.HTTPMethodNotAllowed as exc:
            allowed = tuple(sorted(exc.allowed_methods))
            message = f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
            return render(request, errors.MethodNotAllowed(message, allowed=allowed))
        except web.HTTPNotFound:
            message = f"no endpoint at {request.path}; the endpoints are listed at {map_path}"
            return render(request, errors.NotFound(message))
        except web.HTTPRequestEntityTooLarge as exc:
            return render(
                request, errors.PayloadTooLarge(f"the request body is too large: {exc.text}")
            )
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            fallback = errors.BadRequest if exc.status < 500 else errors.InternalError
            return render(request, _HTTP_ERRORS.get(exc.status, fallback)(exc.reason))
        except Exception:
            rid = request.get(key, "-")
            log.exception("unhandled error, request id %s", rid)
            return render(request, errors.InternalError(f"internal error; request id {rid}"))

    return middleware


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


async def read_request(
    request: web.Request, route: Route, limits: PageLimits, key: web.RequestKey[BeaconRequest]
) -> BeaconRequest:
    """GET query string or POST body -> BeaconRequest, remembered under ``key`` so error
    responses can echo what was understood."""
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
    request[key] = parsed
    return parsed


@dataclass(frozen=True)
class Endpoints:
    """The handlers a Beacon (node or network) serves; ``routes`` lays them out under /api."""

    root: Handler
    info: Handler
    service_info: Handler
    configuration: Handler
    map: Handler
    entry_types: Handler
    health: Handler
    filtering_terms: Callable[..., Handler]  # (entry=None, per_record=False)
    entry: Callable[..., Handler]  # (entry, with_id=False, source=None)


def _get_post(path: str, handler: Handler) -> list[web.RouteDef]:
    return [web.get(path, handler), web.post(path, handler)]


def routes(endpoints: Endpoints, api: str, extra: list[web.RouteDef]) -> list[web.RouteDef]:
    """Every Beacon path and its handler, in one list that reads like /map."""
    e = endpoints
    table = [
        web.get(api, e.root),
        web.get(f"{api}/", e.root),
        web.get(f"{api}/info", e.info),
        web.get(f"{api}/service-info", e.service_info),
        web.get(f"{api}/configuration", e.configuration),
        web.get(f"{api}/map", e.map),
        web.get(f"{api}/entry_types", e.entry_types),
        web.get(f"{api}/filtering_terms", e.filtering_terms()),
        web.get(f"{api}/health", e.health),
        web.get("/health", e.health),
        *extra,
    ]
    # Static paths before the {id} patterns they would otherwise match.
    for entry in et.ENTRY_TYPES:
        table.append(web.get(f"{api}/{entry.path}/filtering_terms", e.filtering_terms(entry)))
    for entry in (et.DATASETS, et.COHORTS):
        path = f"{api}/{entry.path}/{{id}}/filtering_terms"
        table.append(web.get(path, e.filtering_terms(entry, per_record=True)))
    for entry in et.ENTRY_TYPES:
        root = f"{api}/{entry.path}"
        table += _get_post(root, e.entry(entry))
        table += _get_post(f"{root}/{{id}}", e.entry(entry, with_id=True))
        for target in et.CROSS_TARGETS.get(entry.path, ()):
            table += _get_post(f"{root}/{{id}}/{target}", e.entry(et.BY_PATH[target], source=entry))
    return table


async def request_once(app: web.Application, path: str) -> tuple[int, Any]:
    """Answer one GET in-process (``--get``): the status and the body, parsed when JSON."""
    async with TestClient(TestServer(app)) as client:
        response = await client.get(path)
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text
