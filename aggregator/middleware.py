"""Request ids, CORS, and the one place errors become the spec's error envelope.

The same behaviour as the node's middleware, with the network's beaconId: every
``BeaconError`` and aiohttp's own HTTP errors (unknown path, wrong method, body too large)
become ``beaconErrorResponse`` with HTTP status = ``errorCode``; anything else is a 500 carrying
the request id, the traceback logged and never shown. The access log has method, path, status and
time: never headers, so never a token.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from aggregator.keys import PARSED, REQUEST_ID, SETTINGS
from beacon import logs
from beacon.protocol import errors
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

log = logging.getLogger("aggregator.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    text = json.dumps(body, separators=(",", ":"), default=str)
    return web.Response(text=text, status=status, content_type="application/json", headers=headers)


@web.middleware
async def request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get("X-Request-Id", "")
    rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    request[REQUEST_ID] = rid
    logs.REQUEST_ID.set(rid)  # every log line of this request (node failures too) carries it
    began = time.perf_counter()
    response = await handler(request)
    response.headers["X-Request-Id"] = rid
    ms = (time.perf_counter() - began) * 1000
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


def _cors_headers(request: web.Request) -> dict[str, str]:
    allowed = request.app[SETTINGS].cors_origins
    origin = request.headers.get("Origin")
    if not origin or not ("*" in allowed or origin in allowed):
        return {}
    value = "*" if "*" in allowed else origin
    headers = {
        "Access-Control-Allow-Origin": value,
        "Access-Control-Expose-Headers": "X-Request-Id, X-Aggregator-Cache",
    }
    if value != "*":
        headers["Vary"] = "Origin"
    return headers


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let browser UIs call the network: answer preflights, label every response."""
    headers = _cors_headers(request)
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        preflight = web.Response(status=204)
        preflight.headers.update(headers)
        if headers:
            preflight.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            preflight.headers["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, X-Request-Id, Cache-Control"
            )
            preflight.headers["Access-Control-Max-Age"] = "600"
        return preflight
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(headers)
        raise
    response.headers.update(headers)
    return response


def error_response(request: web.Request, exc: errors.BeaconError) -> web.Response:
    settings = request.app[SETTINGS]
    default = Granularity(settings.default_granularity)
    parsed = request.get(PARSED)
    summary = r.request_summary(parsed, default) if parsed else r.fallback_summary(default)
    meta = r.response_meta(settings.id, summary, default, None)
    response = json_response(r.error_response(meta, exc.status, exc.message), exc.status)
    response.headers.update(exc.headers)
    return response


_HTTP_ERRORS: dict[int, type[errors.BeaconError]] = {
    400: errors.BadRequest,
    404: errors.NotFound,
    413: errors.PayloadTooLarge,
    415: errors.UnsupportedMediaType,
}


@web.middleware
async def beacon_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.BeaconError as exc:
        return error_response(request, exc)
    except web.HTTPMethodNotAllowed as exc:
        allowed = tuple(sorted(exc.allowed_methods))
        message = f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
        return error_response(request, errors.MethodNotAllowed(message, allowed=allowed))
    except web.HTTPNotFound:
        message = f"no endpoint at {request.path}; the network's endpoints are listed at /api/map"
        return error_response(request, errors.NotFound(message))
    except web.HTTPRequestEntityTooLarge as exc:
        message = f"the request body is too large: {exc.text}"
        return error_response(request, errors.PayloadTooLarge(message))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = _HTTP_ERRORS.get(
            exc.status, errors.BadRequest if exc.status < 500 else errors.InternalError
        )
        return error_response(request, kind(exc.reason))
    except Exception:
        rid = request.get(REQUEST_ID, "-")
        logging.getLogger("aggregator.error").exception("unhandled error, request id %s", rid)
        return error_response(request, errors.InternalError(f"internal error; request id {rid}"))
