"""The node's middlewares: request ids, CORS, and the one place errors become the error envelope.

Order (outermost first): request id and access log, CORS, errors (the plumbing is shared with
the aggregator in ``beacon/web.py``). Error responses echo the request as understood when it
was parsed, and report ``boolean``: an error returns no data.
"""

from __future__ import annotations

from aiohttp import web

from beacon import web as shared
from beacon.keys import PARSED, REQUEST_ID, SETTINGS
from beacon.protocol import errors
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity


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
    body = r.error_response(meta, exc.status, exc.message)
    return shared.json_response(body, exc.status, dict(exc.headers))


request_id = shared.request_ids(REQUEST_ID, "beacon.access")
cors = shared.cors(
    lambda request: request.app[SETTINGS].beacon.cors_origins,
    expose=("X-Request-Id", "Retry-After", "WWW-Authenticate"),
    allow=("Authorization", "Content-Type", "X-Request-Id"),
)
beacon_errors = shared.beacon_errors(_error, REQUEST_ID, "beacon.error", "/api/map")
