"""Verified visas -> what they grant: the pure core of passport evaluation (GA4GH Passport v1.2).

Every visa here has already passed its signature, issuer and subject checks (``passport.py``).
What remains is policy, decided without I/O:

* A visa with ``conditions`` counts only when they are met, as the specification defines them:
  an OR of AND-lists of condition clauses, each clause matched by one other valid visa of the
  passport that has no conditions itself; claim values are ``const:``, ``pattern:`` (``?`` one
  character, ``*`` any run, full-string and case-sensitive) or ``split_pattern:`` (the pattern
  against each ``;``-separated part). A clause that is malformed, names a claim that is not a
  string visa claim, or uses an unknown prefix matches nothing, so its visa counts for nothing.
* A ``ControlledAccessGrants`` asserted ``by: "self"`` never grants anything, nor does a
  self-asserted ``ResearcherStatus`` make anyone bona fide.
* What counts expires with the earliest visa it rests on (the visa, or a visa matching one of
  its conditions): ``until`` says when the result must be worked out again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

GRANT = "ControlledAccessGrants"
TERMS = "AcceptedTermsAndPolicies"
STATUS = "ResearcherStatus"
#: The string claims of a visa object a condition clause may match (``type`` is always const).
CLAUSE_CLAIMS = ("value", "source", "by")
#: Bounds on the work one visa's conditions may cause.
MAX_GROUPS = 16
MAX_CLAUSES = 16
MAX_PATTERN = 1000


@dataclass(frozen=True)
class Visa:
    """One verified visa: who signed it, what it asserts, until when."""

    issuer: str
    type: str
    value: str
    source: str
    by: str
    expires: float
    conditions: Any = None  # as signed; None when absent

    def claim(self, name: str) -> str | None:
        found: str | None = getattr(self, name) if name in CLAUSE_CLAIMS else None
        return found if found != "" or name == "value" else None


@dataclass(frozen=True)
class Grant:
    """A ControlledAccessGrants visa that counts: its value, and the DAC that gave it."""

    value: str
    issuer: str
    source: str


@dataclass(frozen=True)
class Granted:
    """What a passport's visas give: grants, bona fide status, and until when."""

    grants: frozenset[Grant] = frozenset()
    bona_fide: bool = False
    until: float = math.inf
    #: visas that count for nothing, and why (logged by the caller, never returned)
    ignored: tuple[tuple[Visa, str], ...] = field(default=(), compare=False)


def glob(pattern: str, text: str) -> bool:
    """Full-string match with ``?`` (one character) and ``*`` (any run); no escapes.

    Greedy two-pointer matching with one remembered star: linear space, and at worst
    len(pattern) x len(text) steps, whatever the pattern (no regex backtracking).
    """
    p = t = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] in ("?", text[t]) and pattern[p] != "*":
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def claim_matches(spec: str, value: str | None) -> bool:
    """One condition clause claim (``const:``, ``pattern:``, ``split_pattern:``) on a value."""
    kind, sep, wanted = spec.partition(":")
    if not sep or value is None or len(wanted) > MAX_PATTERN:
        return False
    if kind == "const":
        return value == wanted
    if kind == "pattern":
        return glob(wanted, value)
    if kind == "split_pattern":
        return any(glob(wanted, part) for part in value.split(";"))
    return False  # an unknown prefix matches nothing


def _clause(raw: Any) -> dict[str, str] | None:
    """A well-formed condition clause, or None."""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return None
    claims = {k: v for k, v in raw.items() if k != "type"}
    if not claims or any(
        k not in CLAUSE_CLAIMS or not isinstance(v, str) for k, v in claims.items()
    ):
        return None
    return {"type": raw["type"], **claims}


def _groups(conditions: Any) -> list[list[dict[str, str]]] | None:
    """The DNF of ``conditions`` with every clause checked first, or None if malformed."""
    if not isinstance(conditions, list) or len(conditions) > MAX_GROUPS:
        return None
    groups = []
    for group in conditions:
        if not isinstance(group, list) or not group or len(group) > MAX_CLAUSES:
            return None
        clauses = [_clause(c) for c in group]
        if any(c is None for c in clauses):
            return None
        groups.append([c for c in clauses if c is not None])
    return groups


def _matching(clause: dict[str, str], plain: Sequence[Visa]) -> float:
    """The latest expiry among the unconditioned visas matching ``clause`` (-inf: none)."""
    best = -math.inf
    for visa in plain:
        if visa.type != clause["type"]:
            continue
        if all(claim_matches(v, visa.claim(k)) for k, v in clause.items() if k != "type"):
            best = max(best, visa.expires)
    return best


def conditions_until(visa: Visa, plain: Sequence[Visa]) -> float | str:
    """Until when ``visa``'s conditions are met (its expiry folded in), or why they are not."""
    if visa.conditions is None or visa.conditions == []:
        return visa.expires
    groups = _groups(visa.conditions)
    if groups is None:
        return "its conditions are malformed or too many"
    best = -math.inf
    for group in groups:
        best = max(best, min(_matching(clause, plain) for clause in group))
    if best == -math.inf:
        return "its conditions are not met by the other visas of the passport"
    return min(visa.expires, best)


def _accepted(value: str, accepted: tuple[str, ...]) -> bool:
    return not accepted or value in accepted


def evaluate(visas: Iterable[Visa], terms: tuple[str, ...], statuses: tuple[str, ...]) -> Granted:
    """What the verified ``visas`` of one passport grant."""
    visas = list(visas)
    # Conditions are matched only by visas without conditions (no nesting, no loops).
    plain = [v for v in visas if v.conditions is None or v.conditions == []]
    ignored: list[tuple[Visa, str]] = []
    grants: dict[Grant, float] = {}
    terms_until = status_until = -math.inf
    for visa in visas:
        until = conditions_until(visa, plain)
        if isinstance(until, str):
            ignored.append((visa, until))
            continue
        if visa.type == GRANT:
            if visa.by == "self":
                ignored.append((visa, "a self-asserted grant (by: self) opens nothing"))
            elif not visa.source:
                ignored.append((visa, "a grant without a source names no DAC"))
            else:
                grant = Grant(visa.value, visa.issuer, visa.source)
                grants[grant] = max(grants.get(grant, -math.inf), until)
        elif visa.type == TERMS and _accepted(visa.value, terms):
            terms_until = max(terms_until, until)
        elif visa.type == STATUS and _accepted(visa.value, statuses):
            if visa.by == "self":
                ignored.append((visa, "a self-asserted researcher status is not bona fide"))
            else:
                status_until = max(status_until, until)
    bona_fide = terms_until > -math.inf and status_until > -math.inf
    expiries = list(grants.values()) + ([min(terms_until, status_until)] if bona_fide else [])
    return Granted(
        grants=frozenset(grants),
        bona_fide=bona_fide,
        until=min(expiries, default=math.inf),
        ignored=tuple(ignored),
    )
