"""Beacon filters as the request carries them: parsing, classification and validation only.

Three kinds exist (docs/design.md §4). The schema's ``anyOf`` cannot tell them apart, so this
module classifies them itself: ``operator`` or ``value`` makes an alphanumeric filter, anything
else is a term filter (an ontology CURIE or a custom term), resolved later against what the node
knows. What a filter *matches* is decided in the node's query planner, not here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from beacon.protocol.errors import BadRequest

OPERATORS = ("=", "<", ">", "!", ">=", "<=")
SIMILARITIES = ("exact", "high", "medium", "low")
# ``ID:OPvalue`` as in ``PATO:0000011:>P70Y`` or ``age:<=P65Y``: the id is the shortest prefix
# followed by a colon and an operator, so CURIE ids keep their own colon.
_GET_ALPHANUMERIC = re.compile(r"^(?P<id>.+?):(?P<op>>=|<=|=|<|>|!)(?P<value>.*)$")

FILTER_KEYS = ("id", "operator", "value", "scope", "includeDescendantTerms", "similarity")


@dataclass(frozen=True)
class TermFilter:
    """An ontology or custom term: matches records annotated with it (and, by default, below it)."""

    id: str
    scope: str | None = None
    include_descendants: bool = True
    similarity: str = "exact"

    def summary(self) -> str:
        return self.id


@dataclass(frozen=True)
class AlphanumericFilter:
    """A comparison of a field (or a term's value) with a value: ``id operator value``."""

    id: str
    operator: str
    value: str
    scope: str | None = None

    def summary(self) -> str:
        return f"{self.id}:{self.operator}{self.value}"


Filter = TermFilter | AlphanumericFilter


def parse_get_filter(text: str) -> Filter:
    """One comma-separated item of the GET ``filters`` parameter."""
    item = text.strip()
    if not item:
        raise BadRequest("parameter 'filters': empty filter id", parameter="filters")
    match = _GET_ALPHANUMERIC.match(item)
    if match:
        return AlphanumericFilter(match["id"], match["op"], match["value"].replace("+", " "))
    return TermFilter(item)


def parse_post_filter(raw: Any, index: int) -> Filter:
    """One element of ``query.filters`` in a POST body."""
    where = f"filters[{index}]"
    if isinstance(raw, str):
        return parse_get_filter(raw)
    if not isinstance(raw, dict):
        raise BadRequest(
            f"parameter '{where}': a filter is an object with an 'id'", parameter=where
        )
    unknown = sorted(set(raw) - set(FILTER_KEYS))
    if unknown:
        raise BadRequest(
            f"parameter '{where}': unknown key '{unknown[0]}'; a filter accepts "
            + ", ".join(FILTER_KEYS),
            parameter=where,
        )
    fid = raw.get("id")
    if not isinstance(fid, str) or not fid.strip():
        raise BadRequest(f"parameter '{where}.id': required, a non-empty string", parameter=where)
    scope = raw.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise BadRequest(f"parameter '{where}.scope': expected a string", parameter=where)
    if "operator" in raw or "value" in raw:
        op, value = raw.get("operator"), raw.get("value")
        if op is None or value is None:
            raise BadRequest(
                f"parameter '{where}': an alphanumeric filter needs both 'operator' and 'value'",
                parameter=where,
            )
        if op not in OPERATORS:
            raise BadRequest(
                f"parameter '{where}.operator': {op!r} is not one of " + ", ".join(OPERATORS),
                parameter=where,
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise BadRequest(
                f"parameter '{where}.value': expected a string or a number", parameter=where
            )
        for key in ("includeDescendantTerms", "similarity"):
            if key in raw:
                raise BadRequest(
                    f"parameter '{where}.{key}': only ontology filters take it, "
                    "not alphanumeric ones",
                    parameter=where,
                )
        return AlphanumericFilter(fid.strip(), op, str(value), scope)
    include = raw.get("includeDescendantTerms", True)
    if not isinstance(include, bool):
        raise BadRequest(
            f"parameter '{where}.includeDescendantTerms': expected true or false", parameter=where
        )
    similarity = raw.get("similarity", "exact")
    if similarity not in SIMILARITIES:
        raise BadRequest(
            f"parameter '{where}.similarity': {similarity!r} is not one of "
            + ", ".join(SIMILARITIES),
            parameter=where,
        )
    return TermFilter(fid.strip(), scope, include, similarity)


def finite_number(text: str) -> float | None:
    """``text`` as a number, if it is a finite one (``nan`` and ``inf`` are not numbers here)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def listed_as(flt: Filter) -> tuple[str, ...]:
    """The ids under which a beacon's ``/filtering_terms`` may list a filter: its own id and,
    for a custom ``field:value`` term, the field it compares."""
    if isinstance(flt, TermFilter) and ":" in flt.id:
        return (flt.id, flt.id.rpartition(":")[0])
    return (flt.id,)


def term_ids(term_id: str) -> tuple[str, ...]:
    """The ids filters can name a stored term by. GET filters are comma-separated, so a term id
    holding commas (several ids written as one, e.g. ``DUO:0000019,DUO:0000020``) can be named
    by none: it stands for each of its parts instead."""
    if "," not in term_id:
        return (term_id,)
    return tuple(dict.fromkeys(p.strip() for p in term_id.split(",") if p.strip()))
