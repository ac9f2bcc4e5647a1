"""One request to one node over the shared session: timeout, size cap, JSON, checks, credentials.

:func:`fetch` is the single place the aggregator talks HTTP to a node. It sends the node only
the credentials its policy allows, reads at most ``max_bytes`` of body, and turns every way a
request can fail into a :class:`NodeFailure` with a status and a reason. :func:`query` wraps it
for data requests and always returns a ``NodeOutcome``. Retries happen only where they are
safe and useful: every Beacon query is a read (POST included), and the failure is at the
connection level (refused or reset, or a kept-alive connection the node had already closed),
with time left. Timeouts and HTTP error answers are never retried: the node is slow or
struggling, and a retry would only spend the deadline.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from yarl import URL

from aggregator.answers import error_message, read_answer
from aggregator.dialect import NodeCall
from aggregator.errors import InvalidAnswer, NodeFailure
from aggregator.outcome import NodeOutcome, Status
from aggregator.registry import Node
from beacon.protocol.entry_types import EntryType
from beacon.web.middleware import NETWORK_HEADER

log = logging.getLogger("aggregator.client")

_RETRYABLE = (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError)
_NO_STORE = ("no-store", "private", "no-cache")


@dataclass(frozen=True)
class Limits:
    """How long and how much: per-node timeout, connect timeout, body cap, retries."""

    timeout_s: float
    connect_s: float
    max_bytes: int
    retries: int = 0
    #: The largest count a node may claim (``aggregator.max_node_count``).
    max_count: int = 10**12


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    cacheable: bool


def _headers(
    node: Node, token: str | None, request_id: str | None, call: NodeCall
) -> dict[str, str]:
    headers = {"Accept": "application/json", **dict(call.headers)}
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    if request_id:
        headers["X-Request-Id"] = request_id
    authorization = node.authorization(token)
    if authorization:
        headers["Authorization"] = authorization
    if node.network_token is not None:
        headers[NETWORK_HEADER] = node.network_token.reveal()
    return headers


async def _read(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise NodeFailure(
            Status.INVALID, f"body of {declared} bytes is over the {max_bytes}-byte cap"
        )
    if declared is not None:  # the common case: one read of a known, allowed size
        return await response.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65536):
        size += len(chunk)
        if size > max_bytes:
            raise NodeFailure(Status.INVALID, f"body is over the {max_bytes}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


@functools.lru_cache(maxsize=4096)
def _url(base: str, path: str, query: tuple[tuple[str, str], ...]) -> URL:
    """Parsed once per node, path and query: most fan-outs repeat them."""
    url = URL(base + path)
    return url.with_query(query) if query else url


async def _once(
    session: aiohttp.ClientSession,
    node: Node,
    call: NodeCall,
    headers: dict[str, str],
    limits: Limits,
) -> Reply:
    timeout = aiohttp.ClientTimeout(total=limits.timeout_s, sock_connect=limits.connect_s)
    async with session.request(
        call.method,
        _url(node.url, call.path, call.query),
        data=call.body,
        headers=headers,
        timeout=timeout,
        # A redirect would be a misconfigured registry URL, and following it could carry the
        # credentials somewhere else: report it instead.
        allow_redirects=False,
    ) as response:
        raw = await _read(response, limits.max_bytes)
        cache_control = response.headers.get("Cache-Control", "").lower()
        cacheable = not any(d in cache_control for d in _NO_STORE)
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
            if response.status == 200:
                raise NodeFailure(Status.INVALID, "body is not JSON", response.status) from None
        if response.status != 200:
            message = error_message(body)
            reason = f"HTTP {response.status}" + (f": {message}" if message else "")
            if 300 <= response.status < 400:
                reason += f" (redirect to {response.headers.get('Location', '?')})"
            raise NodeFailure(Status.ERROR, reason, response.status)
        return Reply(response.status, body, cacheable)


async def fetch(
    session: aiohttp.ClientSession,
    node: Node,
    call: NodeCall,
    limits: Limits,
    token: str | None = None,
    request_id: str | None = None,
) -> Reply:
    """Send ``call`` to ``node``; a 200 JSON reply, or a NodeFailure saying what went wrong."""
    headers = _headers(node, token, request_id, call)
    deadline = time.monotonic() + limits.timeout_s
    attempt = 0
    while True:
        try:
            return await _once(session, node, call, headers, limits)
        except NodeFailure:
            raise
        except _RETRYABLE as exc:
            attempt += 1
            left = deadline - time.monotonic()
            if attempt > limits.retries or left <= 0:
                raise NodeFailure(
                    Status.ERROR, f"cannot reach the node: {_describe(exc)}", unreachable=True
                ) from None
            limits = replace(limits, timeout_s=left, connect_s=min(limits.connect_s, left))
        except aiohttp.ConnectionTimeoutError:
            raise NodeFailure(
                Status.TIMEOUT,
                f"no connection within {limits.connect_s:g} s",
                unreachable=True,
            ) from None
        except TimeoutError:
            raise NodeFailure(
                Status.TIMEOUT, f"no complete answer within {limits.timeout_s:g} s"
            ) from None
        except aiohttp.ClientPayloadError as exc:
            raise NodeFailure(Status.INVALID, f"broken body: {_describe(exc)}") from None
        except aiohttp.ClientError as exc:
            raise NodeFailure(Status.ERROR, f"HTTP client error: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    # The class and the OS-level message say enough; never the request (it holds headers).
    text = str(exc.__cause__ or exc) if not isinstance(exc, aiohttp.ClientConnectorError) else ""
    name = type(exc).__name__
    if isinstance(exc, aiohttp.ClientConnectorError):
        text = str(exc.os_error)
    return f"{name}: {text}"[:200] if text else name


def redact(text: str, token: str | None) -> str:
    """Whatever a node echoes back, the caller's token never reaches a log or a body."""
    return text.replace(token, "[redacted]") if token else text


async def query(
    session: aiohttp.ClientSession,
    node: Node,
    call: NodeCall,
    entry: EntryType,
    limits: Limits,
    token: str | None = None,
    request_id: str | None = None,
) -> NodeOutcome:
    """Ask one node one data query; every ending is a NodeOutcome."""
    began = time.perf_counter()
    try:
        reply = await fetch(session, node, call, limits, token, request_id)
        answer = read_answer(reply.body, entry, reply.cacheable, limits.max_count)
    except NodeFailure as failure:
        outcome = NodeOutcome(
            node.id,
            failure.status,
            redact(failure.reason, token),
            elapsed_ms=(time.perf_counter() - began) * 1000,
            http_status=failure.http_status,
            country=node.country,
            unreachable=failure.unreachable,
        )
        log.info("node %s: %s (%s)", node.id, outcome.status.value, outcome.reason)
        return outcome
    except InvalidAnswer as problem:
        reason = redact(f"not a valid Beacon response: {problem}", token)
        log.info("node %s: invalid (%s)", node.id, reason)
        return NodeOutcome(
            node.id,
            Status.INVALID,
            reason,
            elapsed_ms=(time.perf_counter() - began) * 1000,
            http_status=200,
            country=node.country,
        )
    return NodeOutcome(
        node.id,
        Status.OK,
        answer=answer,
        elapsed_ms=(time.perf_counter() - began) * 1000,
        http_status=200,
        country=node.country,
    )
