"""The middlewares both apps wrap every request in: request ids and the HTTP log, CORS, and
the one place errors become the spec's error envelope.

Order (outermost first): request id and HTTP log, metrics, CORS, errors, then the program's
own (the node authenticates callers innermost, so a refused token is an envelope too). Error
responses echo the request as understood when it was parsed, and report ``boolean``: an error
returns no data. The HTTP log has method, path, status and time: never headers, so never a
token.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web

from beacon.config import ServerSettings
from beacon.protocol import errors
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest
from beacon.web import logs
from beacon.web.keys import PARSED, REQUEST_ID, SERVER
from beacon.web.requests import Handler, json_response

#: The logger of one line per request.
HTTP_LOG = "beacon.http"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_HTTP_ERRORS: dict[int, type[errors.BeaconError]] = {
    400: errors.BadRequest,
    404: errors.NotFound,
    413: errors.PayloadTooLarge,
    415: errors.UnsupportedMediaType,
}
#: The header a network (the aggregator) identifies itself with to a node: the network's own
#: token, which a node uses for its budget and audit, never for a caller's tier.
NETWORK_HEADER = "X-Beacon-Network"
#: Response headers a browser page may read, and request headers it may send.
CORS_EXPOSE = ("X-Request-Id", "Retry-After", "WWW-Authenticate", "X-Aggregator-Cache")
CORS_ALLOW = ("Authorization", "Content-Type", "X-Request-Id", "Cache-Control")

http_log = logging.getLogger(HTTP_LOG)
error_log = logging.getLogger("beacon.error")


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every request an id (the caller's ``X-Request-Id`` when plain), log it when done."""
    given = request.headers.get("X-Request-Id", "")
    rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    request[REQUEST_ID] = rid
    logs.REQUEST_ID.set(rid)  # every log line of this request carries it
    began = time.perf_counter()
    response = await handler(request)
    response.headers["X-Request-Id"] = rid
    ms = (time.perf_counter() - began) * 1000
    http_log.info(
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
    allowed = request.app[SERVER].cors_origins
    origin = request.headers.get("Origin")
    if not origin or not ("*" in allowed or origin in allowed):
        return {}
    value = "*" if "*" in allowed else origin
    headers = {
        "Access-Control-Allow-Origin": value,
        "Access-Control-Expose-Headers": ", ".join(CORS_EXPOSE),
    }
    if value != "*":
        headers["Vary"] = "Origin"
    return headers


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let browser UIs call the API: answer preflights, label every response (errors too)."""
    headers = _cors_headers(request)
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        preflight = web.Response(status=204)
        preflight.headers.update(headers)
        if headers:
            preflight.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            preflight.headers["Access-Control-Allow-Headers"] = ", ".join(CORS_ALLOW)
            preflight.headers["Access-Control-Max-Age"] = "600"
        return preflight
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(headers)
        raise
    response.headers.update(headers)
    return response


def envelope(
    server: ServerSettings,
    status: int,
    message: str,
    parsed: BeaconRequest | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The spec's error envelope, echoing what was understood of the request (if anything)."""
    default = Granularity(server.default_granularity)
    summary = r.request_summary(parsed, default) if parsed else r.fallback_summary(default)
    # An error returns no data at all: the least granularity says so.
    entry = parsed.route.entry if parsed else None
    meta = r.response_meta(server.id, summary, Granularity.BOOLEAN, entry)
    meta["returnedSchemas"] = []
    return json_response(r.error_response(meta, status, message), status, headers)


def error_response(request: web.Request, exc: errors.BeaconError) -> web.Response:
    """The error envelope of ``exc`` for ``request``."""
    parsed = request.get(PARSED)
    return envelope(request.app[SERVER], exc.status, exc.message, parsed, dict(exc.headers))


@web.middleware
async def beacon_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every ``BeaconError`` and aiohttp HTTP error as the spec's error envelope; anything else
    a 500 with the request id, its traceback logged and never shown."""
    try:
        return await handler(request)
    except errors.BeaconError as exc:
        return error_response(request, exc)
    except web.HTTPMethodNotAllowed as exc:
        allowed = tuple(sorted(exc.allowed_methods))
        message = f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
        return error_response(request, errors.MethodNotAllowed(message, allowed=allowed))
    except web.HTTPNotFound:
        message = f"no endpoint at {request.path}; the endpoints are listed at /api/map"
        return error_response(request, errors.NotFound(message))
    except web.HTTPRequestEntityTooLarge as exc:
        return error_response(
            request, errors.PayloadTooLarge(f"the request body is too large: {exc.text}")
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        fallback = errors.BadRequest if exc.status < 500 else errors.InternalError
        return error_response(request, _HTTP_ERRORS.get(exc.status, fallback)(exc.reason))
    except Exception:
        rid = request.get(REQUEST_ID, "-")
        error_log.exception("unhandled error, request id %s", rid)
        return error_response(request, errors.InternalError(f"internal error; request id {rid}"))
