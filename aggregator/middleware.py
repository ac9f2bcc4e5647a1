"""Request ids, CORS, and the one place errors become the spec's error envelope.

The same behaviour as the node's middleware, with the network's beaconId: every
``BeaconError`` and aiohttp's own HTTP errors (unknown path, wrong method, body too large)
become ``beaconErrorResponse`` with HTTP status = ``errorCode``; anything else is a 500 carrying
the request id, the traceback logged and never shown. The access log has method, path, status and
time: never headers, so never a token.
"""

from __future__ import annotations

from aiohttp import web

from aggregator.keys import PARSED, REQUEST_ID, SETTINGS
from beacon import web as shared
from beacon.protocol import errors
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity
from beacon.web import Handler, json_response

__all__ = ["Handler", "beacon_errors", "cors", "error_response", "json_response", "request_id"]


def error_response(request: web.Request, exc: errors.BeaconError) -> web.Response:
    settings = request.app[SETTINGS]
    default = Granularity(settings.default_granularity)
    parsed = request.get(PARSED)
    summary = r.request_summary(parsed, default) if parsed else r.fallback_summary(default)
    meta = r.response_meta(settings.id, summary, default, None)
    response = json_response(r.error_response(meta, exc.status, exc.message), exc.status)
    response.headers.update(exc.headers)
    return response


request_id = shared.request_ids(REQUEST_ID, "aggregator.access")
cors = shared.cors(
    lambda request: request.app[SETTINGS].cors_origins,
    expose=("X-Request-Id", "X-Aggregator-Cache"),
    allow=("Authorization", "Content-Type", "X-Request-Id", "Cache-Control"),
)
beacon_errors = shared.beacon_errors(error_response, REQUEST_ID, "aggregator.error", "/api/map")
