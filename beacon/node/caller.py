"""Who is calling: who the caller is (bearer token -> Identity), their query budget, the audit log.

``authenticate`` is the innermost middleware: a request without ``Authorization`` is anonymous;
one with a bearer token is verified (``passport.py``) and a token that does not verify is a 401,
on every endpoint, so a client learns at once that its credential is bad. ``/health`` ignores
credentials.

A network (an aggregator) may say who it is with ``X-Beacon-Network``: a token whose SHA-256 is
that of an ``[[access.networks]]`` entry (any other is a 401). It never decides a tier — the
tier comes from the real caller's ``Authorization`` alone, so a network can never give its
callers more than they would get asking the node themselves. It only spares anonymous callers
the per-address budget (they all arrive from the network's address) and names the network in
the audit log.

Data handlers call ``spend`` (informational endpoints are never budgeted: networks crawl them)
and ``audit``: one JSON line per data request on the ``beacon.audit`` logger — who (subject and
issuer, or "anonymous" and the client address; and the network it came through), what (path,
query), which datasets were answered at which granularity. Tokens never reach the log.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import math
from collections.abc import Mapping

from aiohttp import web

from beacon.config import AccessSettings, NetworkSettings
from beacon.node.keys import BUDGETS, EXECUTOR, IDENTITY, NETWORK, SETTINGS, VERIFIER
from beacon.node.tiers import ANONYMOUS, Identity
from beacon.protocol import errors
from beacon.protocol.granularity import Granularity
from beacon.protocol.response import echo_parameters
from beacon.web.keys import PARSED, REQUEST_ID
from beacon.web.middleware import NETWORK_HEADER
from beacon.web.requests import Handler

audit_log = logging.getLogger("beacon.audit")

#: Liveness probes carry no user; a stale token in a load balancer must not fail them.
_CREDENTIAL_FREE = ("/health", "/api/health")


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set the request's Identity from its bearer token (or anonymous without one), and the
    network it came through."""
    header = request.headers.get("Authorization")
    request[IDENTITY] = ANONYMOUS
    if request.path in _CREDENTIAL_FREE:
        return await handler(request)
    try:
        network = _network(request.app[SETTINGS].access, request.headers.get(NETWORK_HEADER))
        if network is not None:
            request[NETWORK] = network
        if header is not None:
            scheme, _, token = header.strip().partition(" ")
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


def _network(access: AccessSettings, token: str | None) -> NetworkSettings | None:
    """The network whose token this is; None without one; a 401 for one nobody configured."""
    if token is None:
        return None
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    for network in access.networks:
        if hmac.compare_digest(digest, network.token_sha256):
            return network
    raise errors.Unauthorized(
        f"the {NETWORK_HEADER} token is not that of a network this beacon knows "
        "([[access.networks]])"
    )


def identity(request: web.Request) -> Identity:
    found: Identity = request.get(IDENTITY, ANONYMOUS)
    return found


def network(request: web.Request) -> NetworkSettings | None:
    found: NetworkSettings | None = request.get(NETWORK)
    return found


@functools.lru_cache(maxsize=16)
def _proxies(
    listed: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in listed)


def _from_proxy(peer: str | None, listed: tuple[str, ...]) -> bool:
    if not listed:
        return True  # no list: every peer is believed (beacon check warns where that is unsafe)
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    return any(address in network for network in _proxies(listed))


def client_address(request: web.Request) -> str:
    """The client's address: the proxy's header when configured and sent by a trusted proxy
    (its last entry, the one the nearest proxy added), else the connection's peer."""
    access = request.app[SETTINGS].access
    header = access.client_ip_header
    if header and _from_proxy(request.remote, access.trusted_proxies):
        last = request.headers.get(header, "").split(",")[-1].strip()
        if last:
            return last
    return request.remote or "unknown"


async def spend(request: web.Request) -> None:
    """Take one data query from the caller's budget; 429 with Retry-After when it is spent."""
    access = request.app[SETTINGS].access
    budgets = request.app[BUDGETS]
    who = identity(request)
    address = client_address(request)
    if address in access.budget_exempt:
        return  # an aggregator asks for a whole network of users: its callers are limited there
    if who.anonymous:
        through = network(request)
        if through is not None and through.budget_exempt:
            return  # every anonymous caller of the network arrives from its address
        budget, key = budgets.addresses, address
        limit, per = access.budget_per_ip, "client address (anonymous)"
    else:
        budget, key = budgets.identities, f"{who.issuer} {who.subject}"
        limit, per = access.budget_per_identity, "user"
    wait = await budget.spend(request.app[EXECUTOR], key, budgets.clock())
    if wait > 0:
        retry = max(1, math.ceil(wait))
        message = (
            f"query budget exhausted: {limit} data queries per {access.budget_window_s:g} s per "
            f"{per}; retry in {retry} s"
        )
        audit(request, "throttled", reason=message)
        raise errors.TooManyRequests(message, retry_after=retry)


async def spend_risk(request: web.Request, bits: float) -> None:
    """Charge what the answer tells about who is in the data to the caller's risk budget;
    429 with the reason once the window's budget is spent (the answer is then not given)."""
    access = request.app[SETTINGS].access
    if access.risk_budget_bits <= 0 or bits <= 0:
        return
    who = identity(request)
    address = client_address(request)
    through = network(request)
    if address in access.budget_exempt or (through is not None and through.budget_exempt):
        return  # a network answers for many people: its own limits apply
    key = address if who.anonymous else f"{who.issuer} {who.subject}"
    now = request.app[BUDGETS].clock()
    window = int(now // access.risk_window_s)
    ends = (window + 1) * access.risk_window_s
    total = await request.app[EXECUTOR].count_in_window(
        "risk", key, window, dt.datetime.fromtimestamp(ends, dt.UTC), bits
    )
    if total > access.risk_budget_bits:
        retry = max(1, math.ceil(ends - now))
        message = (
            f"privacy budget spent: the answers to this caller's single-allele queries tell "
            f"{total:.1f} bits about who is in this beacon's data, more than the "
            f"{access.risk_budget_bits:g} allowed per {access.risk_window_s:g} s; retry in "
            f"{retry} s"
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
    through = network(request)
    if through is not None:
        entry["network"] = through.id
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
