"""Request ids, CORS, and the one place errors become the spec's error envelope.

Order (outermost first): request id and access log, CORS, errors. The error middleware turns
every ``BeaconError`` and aiohttp's own HTTP errors (unknown path, wrong method, body too large)
into ``beaconErrorResponse``; anything else is a 500 carrying the request id, with the traceback
logged and never shown to the client.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web

from beacon import logs
from beacon.handlers import Handler, json_response
from beacon.keys import PARSED, REQUEST_ID, SETTINGS
from beacon.protocol import errors
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity

log = logging.getLogger("beacon.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


@web.middleware
async def request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get("X-Request-Id", "")
    rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    request[REQUEST_ID] = rid
    logs.REQUEST_ID.set(rid)  # every log line of this request carries it
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
    allowed = request.app[SETTINGS].beacon.cors_origins
    origin = request.headers.get("Origin")
    if not origin:
        return {}
    if "*" in allowed:
        value = "*"
    elif origin in allowed:
        value = origin
    else:
        return {}
    headers = {
        "Access-Control-Allow-Origin": value,
        "Access-Control-Expose-Headers": "X-Request-Id, Retry-After, WWW-Authenticate",
    }
    if value != "*":
        headers["Vary"] = "Origin"
    return headers


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let browser UIs call the API: answer preflights, label every response."""
    headers = _cors_headers(request)
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        preflight = web.Response(status=204)
        preflight.headers.update(headers)
        if headers:
            preflight.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            preflight.headers["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, X-Request-Id"
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


def _error(request: web.Request, exc: errors.BeaconError) -> web.Response:
    settings = request.app[SETTINGS]
    default = Granularity(settings.beacon.default_granularity)
    parsed = request.get(PARSED)
    if parsed is not None:
        summary = r.request_summary(parsed, default)
        entry = parsed.route.entry
    else:
        summary = r.fallback_summary(default)
        entry = None
    # An error returns no data at all: the least granularity says so.
    meta = r.response_meta(settings.beacon.id, summary, Granularity.BOOLEAN, entry)
    meta["returnedSchemas"] = []
    response = json_response(r.error_response(meta, exc.status, exc.message), status=exc.status)
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
        return _error(request, exc)
    except web.HTTPMethodNotAllowed as exc:
        allowed = tuple(sorted(exc.allowed_methods))
        message = f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
        return _error(request, errors.MethodNotAllowed(message, allowed=allowed))
    except web.HTTPNotFound:
        message = (
            f"no endpoint at {request.path}; the endpoints of this beacon are listed at /api/map"
        )
        return _error(request, errors.NotFound(message))
    except web.HTTPRequestEntityTooLarge as exc:
        return _error(request, errors.PayloadTooLarge(f"the request body is too large: {exc.text}"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = _HTTP_ERRORS.get(
            exc.status, errors.BadRequest if exc.status < 500 else errors.InternalError
        )
        error = kind(exc.reason)
        return _error(request, error)
    except Exception:
        rid = request.get(REQUEST_ID, "-")
        logging.getLogger("beacon.error").exception("unhandled error, request id %s", rid)
        return _error(request, errors.InternalError(f"internal error; request id {rid}"))
