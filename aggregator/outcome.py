"""What asking one node produced, as plain typed values: the only thing ``merge`` ever sees.

Every node ends a fan-out as exactly one :class:`NodeOutcome`: ``ok`` with the node's answer
already read and checked (:class:`NodeAnswer`), or ``timeout``, ``error``, ``invalid`` or
``skipped`` with a reason a person can act on. Exceptions never cross this boundary.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from beacon.protocol.granularity import Granularity


class Status(enum.Enum):
    OK = "ok"
    TIMEOUT = "timeout"  # no complete answer within the node timeout or the global deadline
    ERROR = "error"  # refused connection, HTTP error status, a Beacon error body
    INVALID = "invalid"  # answered, but not JSON, not a Beacon response, or too big
    SKIPPED = "skipped"  # not asked: the reason says why


#: The reason a node that is down is not asked (``aggregator/health.py``); other reasons for
#: skipping say nothing about the node's health (the answer follows from its capabilities).
NODE_DOWN = "node down"


@dataclass(frozen=True)
class AnswerSet:
    """One result set of a node's record-level answer (one dataset or cohort)."""

    id: str
    set_type: str
    exists: bool
    count: int | None  # None: the node did not say (allowed from Beacon 2.2)
    results: tuple[dict[str, Any], ...] = ()
    info: dict[str, Any] = field(default_factory=dict)
    #: The set's own top-level ``beaconId``: where it comes from when the member is itself a
    #: network (its origin), None when the member answered for itself.
    beacon_id: str | None = None


@dataclass(frozen=True)
class NodeAnswer:
    """A node's data response, read and checked."""

    beacon_id: str
    granularity: Granularity
    exists: bool
    count: int | None  # numTotalResults; None for boolean answers or when omitted
    result_sets: tuple[AnswerSet, ...] = ()
    #: The records of a collections response (/datasets, /cohorts), or None for other shapes.
    collections: tuple[dict[str, Any], ...] | None = None
    #: False when the node said its answer must not be stored (Cache-Control: no-store...).
    cacheable: bool = True
    #: The response-level ``info`` of the node, if any.
    info: dict[str, Any] = field(default_factory=dict)

    def imprecise(self) -> bool:
        """Did the node round or adjust any count it gave (``countPrecision``, Beacon 2.2)?"""
        sources = [self.info, *(s.info for s in self.result_sets)]
        return any(i.get("countPrecision", "exact") != "exact" for i in sources)

    def total(self) -> tuple[int, bool]:
        """(the node's total, whether it is exact): numTotalResults when given, else what the
        result sets show, and at least 1 when the node says a match exists."""
        if self.count is not None:
            if self.exists and self.count == 0:
                # A match exists that the node may not count for this caller: at least one.
                return 1, False
            return self.count, True
        if not self.exists:
            return 0, True
        if self.collections is not None:
            return max(len(self.collections), 1), False
        seen = sum(
            s.count if s.count is not None else max(len(s.results), int(s.exists))
            for s in self.result_sets
        )
        exact = seen > 0 and all(s.count is not None for s in self.result_sets)
        return max(seen, 1), exact


@dataclass(frozen=True)
class NodeOutcome:
    """How one node's part of a query ended."""

    node_id: str
    status: Status
    reason: str = ""
    answer: NodeAnswer | None = None
    elapsed_ms: float = 0.0
    http_status: int | None = None
    country: str = ""
    #: The node could not be reached at all (refused, reset, no connection in time).
    unreachable: bool = False

    @property
    def failed(self) -> bool:
        """Did the node fail (as opposed to answering, or being left out by design)?"""
        if self.status is Status.SKIPPED:
            return self.reason.startswith(NODE_DOWN)
        return self.status is not Status.OK

    @property
    def request_specific(self) -> bool:
        """A 4xx answer is about this request, not the node's health; so is a 429 (the node
        shedding load, which is its health working)."""
        code = self.http_status
        return self.status is Status.ERROR and code is not None and 400 <= code < 500

    def as_json(self) -> dict[str, Any]:
        """The per-node status reported in the response ``info`` and at /api/nodes."""
        body: dict[str, Any] = {"nodeId": self.node_id}
        if self.country:
            body["country"] = self.country
        body["status"] = self.status.value
        if self.reason:
            body["reason"] = self.reason
        if self.answer is not None:
            answer = self.answer
            body["beaconId"] = answer.beacon_id
            body["returnedGranularity"] = answer.granularity.value
            body["exists"] = answer.exists
            if answer.granularity is not Granularity.BOOLEAN:
                total, exact = answer.total()
                body["numTotalResults"] = total
                if not exact:
                    body["countIsLowerBound"] = True
        if self.http_status is not None and self.status is not Status.OK:
            body["httpStatus"] = self.http_status
        if self.status is not Status.SKIPPED:
            body["ms"] = round(self.elapsed_ms, 1)
        return body


def skipped(node_id: str, reason: str, country: str = "") -> NodeOutcome:
    return NodeOutcome(node_id, Status.SKIPPED, reason, country=country)
