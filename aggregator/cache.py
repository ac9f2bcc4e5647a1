"""The response cache: node outcomes reused for a normalised request while no node's data
version has changed and the TTL has not run out.

The key is the request as understood (``BeaconRequest``: GET and POST of the same query are the
same key; the client's ``apiVersion`` is left out because only the echo depends on it) plus every
node's data version from discovery (``/info`` ``updateDateTime`` and ``version``), so a node that
announces new data misses the old entries at once. What is stored is the outcomes, not the body:
each hit is merged again, so the echo in ``receivedRequestSummary`` is always this request's.

Answers are keyed by who asked, too: every anonymous caller sees what the nodes show anyone,
so they share one entry, while a caller with a token is answered at the tiers that token gives
at each node, so their entries are theirs alone (keyed by the token's SHA-256; the token itself
is never kept). An answer given to one tier is never served to another.

Only complete answers are stored: not when a node failed or was skipped as down,
not when a node said ``Cache-Control: no-store``/``private``/``no-cache``. Request
``Cache-Control: no-cache`` (or ``max-age=0``) skips the lookup and stores the fresh answer;
``no-store`` does neither.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace

from aggregator.outcome import NodeOutcome, Status
from beacon.protocol.request import BeaconRequest


@dataclass(frozen=True)
class Directives:
    """What the client's ``Cache-Control`` allows."""

    lookup: bool = True
    store: bool = True


def directives(header: str | None) -> Directives:
    if not header:
        return Directives()
    parts = {p.strip().lower() for p in header.split(",")}
    if "no-store" in parts:
        return Directives(lookup=False, store=False)
    if "no-cache" in parts or "max-age=0" in parts:
        return Directives(lookup=False, store=True)
    return Directives()


ANONYMOUS = "anonymous"


def caller_key(token: str | None) -> str:
    """Whose answer it is: one key for every anonymous caller, one per bearer token."""
    if token is None:
        return ANONYMOUS
    return "bearer:" + hashlib.sha256(token.encode()).hexdigest()


def cache_key(
    request: BeaconRequest, versions: Sequence[tuple[str, str]], caller: str = ANONYMOUS
) -> Hashable:
    # apiVersion and whether the limit was explicit change only the echo, not the answer.
    return (replace(request, api_version="", limit_requested=None), tuple(versions), caller)


def storable(outcomes: Sequence[NodeOutcome]) -> bool:
    """A complete answer: nobody failed, and every node that answered allows storing it."""
    for outcome in outcomes:
        if outcome.failed:
            return False
        if outcome.status is Status.OK and outcome.answer and not outcome.answer.cacheable:
            return False
    return True


@dataclass(frozen=True)
class Entry:
    outcomes: tuple[NodeOutcome, ...]
    stored_at: float


class ResponseCache:
    """A TTL + LRU map of request keys to node outcomes."""

    def __init__(
        self, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0 and self.max_entries > 0

    def get(self, key: Hashable) -> tuple[tuple[NodeOutcome, ...], float] | None:
        """(outcomes, age in seconds), or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        age = self.clock() - entry.stored_at
        if age >= self.ttl_s:
            del self._entries[key]
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry.outcomes, age

    def put(self, key: Hashable, outcomes: Sequence[NodeOutcome]) -> None:
        self._entries[key] = Entry(tuple(outcomes), self.clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
