"""Privacy protections: what a count may say about few people, and how often one may ask.

``report`` turns a dataset's true count into the count it may report: counts under the
dataset's ``min_count`` are reported as zero (exists false) or as the threshold, marked
imprecise; counts answered below record level are rounded up to a multiple of ``round_to``.
A suppressed count never comes with records. ``WindowBudget`` limits each caller (per subject,
or per client address for anonymous callers) to N data queries per window, counted in the
database so that every process of the node shares one budget (each process reserving a share
at a time); a caller who runs out learns when the next window starts.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from beacon.config import AccessSettings, DatasetPolicy
from beacon.node.tiers import Decision, Tier
from beacon.protocol.granularity import Granularity
from beacon.protocol.variants import QueryKind, VariantQuery

#: The most one answer may cost of the risk budget: what naming a person outright would.
MAX_EVIDENCE_BITS = 20.0


@dataclass(frozen=True)
class Reported:
    """A count as it may be reported, and whether records may accompany it."""

    exists: bool
    count: int
    records_allowed: bool
    info: dict[str, Any] = field(default_factory=dict)


def rare_allele_floor(access: AccessSettings, decision: Decision) -> int:
    """The fewest times an allele must be carried to be found by this caller in this dataset:
    ``access.rare_allele_count`` for public and registered callers who may not see its
    records, else 0 (every allele)."""
    if decision.capped and decision.tier is not Tier.CONTROLLED:
        return access.rare_allele_count
    return 0


def charged(access: AccessSettings, decision: Decision, variant: VariantQuery | None) -> bool:
    """Does a 'yes' of this dataset to this query cost the caller risk budget? (A public or
    registered caller who may not see its records, asking about one allele.)"""
    single = variant is not None and variant.kind in (QueryKind.SEQUENCE, QueryKind.HGVS)
    return (
        single
        and access.risk_budget_bits > 0
        and decision.capped
        and (decision.tier is not Tier.CONTROLLED)
    )


def evidence_bits(ac: int, an: int, floor: int = 0) -> float:
    """What a 'yes' about an allele seen ``ac`` times in ``an`` tells about whether a given
    carrier is in the dataset (the likelihood ratio of Shringarpure & Bustamante, in bits): how
    unlikely the 'yes' would be without the carrier, when the others' copies must reach
    ``floor`` (the rare-allele floor, or one) for the node to say yes. Common alleles tell
    almost nothing; one only one person carries, or one just at the floor, a great deal."""
    if an <= 2 or ac <= 0:
        return MAX_EVIDENCE_BITS
    others, f, need = an - 2, min(1.0, ac / an), max(1, floor)
    if f >= 1.0:
        return 0.0
    # P(the others' copies < need), a binomial tail summed in log space
    below = 0.0
    for j in range(min(need, others + 1)):
        log_term = (
            math.lgamma(others + 1)
            - math.lgamma(j + 1)
            - math.lgamma(others - j + 1)
            + j * math.log(f)
            + (others - j) * math.log1p(-f)
        )
        below += math.exp(log_term)
    yes_without = 1.0 - min(below, 1.0)
    if yes_without <= 2.0**-MAX_EVIDENCE_BITS:
        return MAX_EVIDENCE_BITS
    return min(MAX_EVIDENCE_BITS, -math.log2(yes_without))


def protected(policy: DatasetPolicy, capped: bool) -> bool:
    """Are this dataset's counts protected for this caller: it has a threshold, and the
    caller may not see its records (a caller who may, and asks for a count, learns nothing
    the records would not tell)?"""
    return policy.min_count > 1 and capped


def report(
    count: int,
    policy: DatasetPolicy,
    granularity: Granularity,
    capped: bool = True,
    of_people: bool = True,
) -> Reported:
    """The reportable form of a dataset's true ``count`` answered at ``granularity``.

    Below record level a dataset with a threshold reports its counts rounded down to a
    multiple of ``min_count`` (to a multiple of ``round_to`` made a multiple of ``min_count``,
    when that is larger, but never under ``min_count``): every answer is a multiple of the
    threshold, so the difference of any two is 0 or at least the threshold, and no subtraction
    of allowed answers gives a count the threshold suppresses (``docs/access-control.md``).
    """
    if count <= 0:
        return Reported(False, 0, True)
    if not of_people:
        # A count of variants says how many variants, not how many people: the people behind
        # them are protected by the rare-allele floor and the risk budget instead.
        policy = replace(policy, min_count=0)
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
    if protected(policy, capped):
        k = policy.min_count
        unit = k * max(1, math.ceil(policy.round_to / k))
        return Reported(True, max(k, count // unit * unit), False, {"countPrecision": "rounded"})
    if policy.round_to > 1 and granularity is not Granularity.RECORD:
        rounded = math.ceil(count / policy.round_to) * policy.round_to
        return Reported(True, rounded, False, {"countPrecision": "rounded"})
    return Reported(True, count, True)


Clock = Callable[[], float]


class WindowCounter(Protocol):
    """Where budget windows are counted: the node's database (``Executor.count_in_window``)."""

    async def count_in_window(
        self, scope: str, key: str, window: int, ends: dt.datetime, amount: float = 1
    ) -> float: ...


#: A process reserves at most this share of what is left of a caller's budget at a time.
LEASE_SHARE = 8


@dataclass
class _Lease:
    """What this process holds of one caller's budget in the current window."""

    left: int = 0  # units reserved here and not yet spent
    total: float = 0.0  # the shared counter after this process's last reservation
    spent: bool = False  # the whole budget is gone: no need to ask the database again


class WindowBudget:
    """``capacity`` data queries per ``window`` seconds per caller key, in fixed windows
    (aligned on the epoch, so every process agrees on them) counted in the database.

    A process does not write the shared counter for every query: it reserves a share of what
    it last saw left of the caller's budget (an eighth, at least one) and spends it locally,
    so a caller who makes many queries costs a database write every few queries (46 writes
    for a budget of 800), and the grants of all processes together never exceed the capacity:
    each reservation is granted from the counter's atomic total. Shares shrink as the budget
    runs out; still, a caller who moves to another process may be refused while the first
    holds part of a share unspent (at most an eighth of the budget per process). Once the
    counter is past the capacity the window is spent for everyone, and this process stops
    asking until the next window.
    """

    def __init__(self, scope: str, capacity: int, window: float) -> None:
        self.scope = scope
        self.capacity = capacity
        self.window = window
        self._number = -1  # the window the leases belong to
        self._leases: dict[str, _Lease] = {}

    async def spend(self, counter: WindowCounter, key: str, now: float) -> float:
        """Take one query from ``key``'s budget: 0 if granted, else seconds until the next
        window. ``now`` is wall-clock time, the same in every process."""
        if not self.capacity:
            return 0.0
        number = int(now // self.window)
        ends = (number + 1) * self.window
        if number != self._number:  # a new window: every lease of the last one is void
            self._number, self._leases = number, {}
        lease = self._leases.setdefault(key, _Lease())
        if lease.left > 0:
            lease.left -= 1
            return 0.0
        if lease.spent:
            return ends - now
        chunk = max(1, int(self.capacity - lease.total) // LEASE_SHARE)
        total = await counter.count_in_window(
            self.scope, key, number, dt.datetime.fromtimestamp(ends, dt.UTC), chunk
        )
        granted = min(chunk, int(self.capacity - (total - chunk)))
        lease.total = total
        if granted <= 0:
            lease.spent = True
            return ends - now
        lease.left = granted - 1
        lease.spent = total >= self.capacity
        return 0.0


@dataclass(frozen=True)
class Budgets:
    """The two budgets of a node: per authenticated subject, per anonymous client address."""

    identities: WindowBudget
    addresses: WindowBudget
    clock: Clock = time.time

    @classmethod
    def from_settings(cls, window: float, per_identity: int, per_ip: int) -> Budgets:
        return cls(
            WindowBudget("identity", per_identity, window), WindowBudget("address", per_ip, window)
        )
