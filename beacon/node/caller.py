"""Who is calling: who the caller is (bearer token -> Identity), their query budget, the audit log.

``authenticate`` is the innermost middleware: a request without ``Authorization`` is anonymous;
one with a bearer token is verified (``passport.py``) and a token that does not verify is a 401,
on every endpoint, so a client learns at once that its credential is bad. ``/health`` ignores
credentials. Data handlers call ``spend`` (informational endpoints are never budgeted: networks
crawl them) and ``audit``: one JSON line per data request on the ``beacon.audit`` logger —
who (subject and issuer, or "anonymous" and the client address), what (path, query), which
datasets were answered at which granularity. Tokens never reach the log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Mapping

from aiohttp import web

from beacon.node.keys import BUDGETS, IDENTITY, SETTINGS, VERIFIER
from beacon.node.tiers import ANONYMOUS, Identity
from beacon.protocol import errors
from beacon.protocol.granularity import Granularity
from beacon.protocol.response import echo_parameters
from beacon.web.keys import PARSED, REQUEST_ID
from beacon.web.requests import Handler

audit_log = logging.getLogger("beacon.audit")

#: Liveness probes carry no user; a stale token in a load balancer must not fail them.
_CREDENTIAL_FREE = ("/health", "/api/health")


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set the request's Identity from its bearer token (or anonymous without one)."""
    header = request.headers.get("Authorization")
    if header is None or request.path in _CREDENTIAL_FREE:
        request[IDENTITY] = ANONYMOUS
        return await handler(request)
    scheme, _, token = header.strip().partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.Unauthorized(
                "the Authorization header must be 'Bearer <token>' (an access token or a "
                "GA4GH Passport JWT)"
            )
        request[IDENTITY] = await request.app[VERIFIER].identity(token.strip())
    except errors.Unauthorized as exc:
        audit(request, "rejected", reason=exc.message)
        raise
    return await handler(request)


def identity(request: web.Request) -> Identity:
    found: Identity = request.get(IDENTITY, ANONYMOUS)
    return found


def client_address(request: web.Request) -> str:
    """The client's address: the proxy's header when configured (its last entry, the one the
    nearest proxy added), else the connection's peer."""
    header = request.app[SETTINGS].access.client_ip_header
    if header:
        last = request.headers.get(header, "").split(",")[-1].strip()
        if last:
            return last
    return request.remote or "unknown"


def spend(request: web.Request) -> None:
    """Take one data query from the caller's budget; 429 with Retry-After when it is spent."""
    access = request.app[SETTINGS].access
    budgets = request.app[BUDGETS]
    who = identity(request)
    address = client_address(request)
    if address in access.budget_exempt:
        return  # an aggregator asks for a whole network of users: its callers are limited there
    if who.anonymous:
        wait = budgets.addresses.spend(address)
        limit, per = access.budget_per_ip, "client address (anonymous)"
    else:
        wait = budgets.identities.spend(f"{who.issuer} {who.subject}")
        limit, per = access.budget_per_identity, "user"
    if wait > 0:
        retry = max(1, math.ceil(wait))
        message = (
            f"query budget exhausted: {limit} data queries per {access.budget_window_s:g} s per "
            f"{per}; retry in {retry} s"
        )
        audit(request, "throttled", reason=message)
        raise errors.TooManyRequests(message, retry_after=retry)


def audit(
    request: web.Request,
    outcome: str,
    *,
    datasets: Mapping[str, Granularity] | None = None,
    returned: Granularity | None = None,
    reason: str | None = None,
) -> None:
    """One JSON line: who asked what, and what they were given."""
    who = identity(request)
    entry: dict[str, object] = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "requestId": request.get(REQUEST_ID, "-"),
        "outcome": outcome,
        "method": request.method,
        "path": request.path,
    }
    if who.anonymous:
        entry.update(subject="anonymous", address=client_address(request))
    else:
        entry.update(subject=who.subject, issuer=who.issuer)
    parsed = request.get(PARSED)
    if parsed is not None:
        entry["testMode"] = parsed.test_mode
        if parsed.filters:
            entry["filters"] = [f.summary() for f in parsed.filters]
        parameters = echo_parameters(parsed.variant, parsed.dataset_ids)
        if parameters:
            entry["requestParameters"] = parameters
    if datasets is not None:
        entry["datasets"] = {k: g.value for k, g in sorted(datasets.items())}
    if returned is not None:
        entry["returnedGranularity"] = returned.value
    if reason:
        entry["reason"] = reason
    audit_log.info(json.dumps(entry, separators=(",", ":"), default=str))
