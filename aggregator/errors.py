"""The aggregator's error family: what went wrong asking one node, under one root.

These never reach a caller as such: a failure becomes that node's ``NodeOutcome`` (its status
and reason, on /api/nodes and in ``info.nodes``), while the caller's answer is built from the
other nodes. What the caller did wrong is a ``BeaconError`` (``beacon.protocol.errors``).
"""

from __future__ import annotations

from aggregator.outcome import Status


class NetworkError(Exception):
    """Something about one member of the network."""


class NodeFailure(NetworkError):
    """A request to a node that did not give a usable answer: why, and its HTTP status."""

    def __init__(
        self,
        status: Status,
        reason: str,
        http_status: int | None = None,
        *,
        unreachable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.http_status = http_status
        self.unreachable = unreachable


class InvalidAnswer(NetworkError):
    """The body is not a Beacon data response we can merge; the message says why."""
