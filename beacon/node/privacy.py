"""Privacy protections: what a count may say about few people, and how often one may ask.

``report`` turns a dataset's true count into the count it may report: counts under the
dataset's ``min_count`` are reported as zero (exists false) or as the threshold, marked
imprecise; counts answered below record level are rounded up to a multiple of ``round_to``.
A suppressed count never comes with records. ``QueryBudget`` is a token bucket per caller
(per subject, or per client address for anonymous callers): N data queries per window,
refilled continuously, so a caller who runs out learns exactly when to retry.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from beacon.config import DatasetPolicy
from beacon.protocol.granularity import Granularity


@dataclass(frozen=True)
class Reported:
    """A count as it may be reported, and whether records may accompany it."""

    exists: bool
    count: int
    records_allowed: bool
    info: dict[str, Any] = field(default_factory=dict)


def protected(policy: DatasetPolicy, granularity: Granularity) -> bool:
    """Are this dataset's counts protected for this caller (a threshold, below record level)?"""
    return policy.min_count > 1 and granularity is not Granularity.RECORD


def report(count: int, policy: DatasetPolicy, granularity: Granularity) -> Reported:
    """The reportable form of a dataset's true ``count`` answered at ``granularity``.

    Below record level a dataset with a threshold reports its counts rounded down to a
    multiple of ``min_count`` (to a multiple of ``round_to`` made a multiple of ``min_count``,
    when that is larger, but never under ``min_count``): every answer is a multiple of the
    threshold, so the difference of any two is 0 or at least the threshold, and no subtraction
    of allowed answers gives a count the threshold suppresses (``docs/access-control.md``).
    """
    if count <= 0:
        return Reported(False, 0, True)
    if count < policy.min_count:
        # Records would give the suppressed count away, so they are never shown with it.
        if policy.small_counts == "range":
            info = {"countPrecision": "imprecise", "countAdjustedTo": [policy.min_count]}
            return Reported(True, policy.min_count, False, info)
        return Reported(False, 0, False)
    # At record level the caller may count the records themselves: a rounded count beside
    # them would hide nothing and only disagree with them.
    # Every count of a rounding dataset is marked rounded, even one that was already a
    # multiple: marking only the changed ones would tell which counts are exact.
    if protected(policy, granularity):
        k = policy.min_count
        unit = k * max(1, math.ceil(policy.round_to / k))
        return Reported(True, max(k, count // unit * unit), False, {"countPrecision": "rounded"})
    if policy.round_to > 1 and granularity is not Granularity.RECORD:
        rounded = math.ceil(count / policy.round_to) * policy.round_to
        return Reported(True, rounded, False, {"countPrecision": "rounded"})
    return Reported(True, count, True)


Clock = Callable[[], float]


class QueryBudget:
    """Token buckets by caller key: ``capacity`` queries per ``window`` seconds."""

    def __init__(self, capacity: int, window: float, clock: Clock = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = capacity / window if capacity else 0.0
        self.window = window
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._swept = clock()

    def spend(self, key: str) -> float:
        """Take one query from ``key``'s budget: 0 if granted, else seconds until one is."""
        if not self.capacity:
            return 0.0
        now = self.clock()
        self._sweep(now)
        tokens, at = self._buckets.get(key, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0

    def _sweep(self, now: float) -> None:
        # A bucket untouched for a whole window is full again: forgetting it changes nothing,
        # and keeps memory bounded by the callers of the last window.
        if now - self._swept < self.window:
            return
        self._swept = now
        stale = [k for k, (_, at) in self._buckets.items() if now - at >= self.window]
        for key in stale:
            del self._buckets[key]


@dataclass(frozen=True)
class Budgets:
    """The two budgets of a node: per authenticated subject, per anonymous client address."""

    identities: QueryBudget
    addresses: QueryBudget

    @classmethod
    def from_settings(cls, window: float, per_identity: int, per_ip: int) -> Budgets:
        return cls(QueryBudget(per_identity, window), QueryBudget(per_ip, window))
