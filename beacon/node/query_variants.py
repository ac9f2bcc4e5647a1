"""VariantQuery -> MongoDB filter on a dataset's variant collection: one builder per query kind.

Semantics (docs/design.md §1): coordinates are 0-based, half-open. A range matches any variant that
overlaps it (``v.start < q.end and v.end > q.start``); the index range on ``_start`` is bounded
on the left by the dataset's longest variant, so the scan stays tight. A bracket matches
``start[0] <= v.start < start[1]`` and ``end[0] <= v.end < end[1]``. ``N`` in bases matches any
one base. A sequence query is first put in the stored form (``beacon.protocol.alleles``:
shared bases trimmed, so the untrimmed ``GA>GAA`` of a split multi-allelic row finds the stored
``G>GA``); the maximally trimmed form of an indel (``alternateBases`` or ``referenceBases``
empty) also finds the VCF-style record stored with its padding base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from beacon.protocol.variants import SV_LENGTH, QueryKind, Size, TypeClass, VariantQuery
from beacon.store import collections as c
from beacon.store.collections import Condition

_ANY_BASE = "[ACGTN]"


def _bases(field: str, bases: str) -> Condition:
    """Equality, or an anchored pattern when ``N`` (any one base) is present."""
    if "N" not in bases:
        return {field: bases}
    return {field: {"$regex": "^" + bases.replace("N", _ANY_BASE) + "$"}}


def _padded(field: str, bases: str) -> Condition:
    pattern = "".join(_ANY_BASE if b == "N" else re.escape(b) for b in bases)
    return {field: {"$regex": f"^{_ANY_BASE}{pattern}$"}}


_SYMBOLIC: Condition = {c.V_ALT: {"$regex": "^<"}}
_SIZES: dict[Size, Condition] = {
    Size.ANY: {},
    Size.SMALL: {c.V_LENGTH: {"$lt": SV_LENGTH}, c.V_ALT: {"$not": {"$regex": "^<"}}},
    Size.STRUCTURAL: {"$or": [{c.V_LENGTH: {"$gte": SV_LENGTH}}, _SYMBOLIC]},
}


def _types(classes: tuple[TypeClass, ...]) -> Condition:
    """Stored types, each within its size class: ``_type`` and, where needed, ``_len``/``_alt``."""
    by_size: dict[Size, list[str]] = {}
    for item in classes:
        by_size.setdefault(item.size, []).append(item.type)
    parts: list[Condition] = []
    for size, types in by_size.items():
        part: Condition = {c.V_TYPE: types[0] if len(types) == 1 else {"$in": types}}
        parts.append({**part, **_SIZES[size]})
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _aminoacid(q: VariantQuery) -> Condition:
    """Any stored spelling of the queried protein change (``V600E`` finds ``Val600Glu``)."""
    forms = list(q.aminoacid)
    return {c.AMINOACID_CHANGES: forms[0] if len(forms) == 1 else {"$in": forms}}


def _modifiers(q: VariantQuery, skip_alt: bool = False) -> list[Condition]:
    p = q.params
    extra: list[Condition] = []
    if q.types:
        extra.append(_types(q.types))
    if p.alternate_bases and not skip_alt:
        extra.append(_bases(c.V_ALT, p.alternate_bases))
    if p.variant_min_length is not None or p.variant_max_length is not None:
        bounds: dict[str, int] = {}
        if p.variant_min_length is not None:
            bounds["$gte"] = p.variant_min_length
        if p.variant_max_length is not None:
            bounds["$lte"] = p.variant_max_length
        extra.append({c.V_LENGTH: bounds})
    if q.mate is not None:
        extra.append({c.V_MATE: q.mate})
    if q.aminoacid and q.kind is not QueryKind.AMINOACID:  # there it leads
        extra.append(_aminoacid(q))
    return extra


# Each builder returns (lead, rest): ``lead`` holds only fields of one index, so every server
# answers it from that index; ``rest`` filters what the lead found (see query.Match).


def _forms(start: int, ref: str, alt: str, given_ref: bool) -> list[Condition]:
    """Conditions (each with its ``_start``) that one allele's stored forms meet."""
    exact: Condition = {c.V_START: start, **_bases(c.V_ALT, alt)}
    if ref:
        exact.update(_bases(c.V_REF, ref))
    if (alt == "" or ref == "") and start > 0:
        # The trimmed form: the stored VCF-style record starts one base earlier, with the
        # padding base in front of both alleles.
        padded: Condition = {c.V_START: start - 1, **_padded(c.V_ALT, alt)}
        if given_ref:
            padded.update(_padded(c.V_REF, ref))
        return [exact, padded]
    return [exact]


def _sequence(q: VariantQuery, assembly: str | None) -> tuple[Condition, list[Condition]]:
    assert q.allele is not None  # classify puts every sequence query in the stored form
    given_ref = q.params.reference_bases is not None
    forms = _forms(*q.allele, given_ref)
    aligned = q.allele_for(assembly)
    if aligned is not None and aligned != q.allele:
        # Left-aligned against the reference as a load with --reference stored it; a load
        # without one stored it where the VCF wrote it, which the trimmed form finds.
        forms += _forms(*aligned, given_ref)
    if len(forms) == 1:
        (exact,) = forms
        lead: Condition = {c.V_CHROM: q.chrom, c.V_START: exact[c.V_START]}
        return lead, [{k: v for k, v in exact.items() if k != c.V_START}]
    starts = sorted({f[c.V_START] for f in forms})
    either: Condition = {c.V_CHROM: q.chrom, c.V_START: {"$in": starts}}
    return either, [{"$or": forms}]


def _range(q: VariantQuery, max_length: int) -> tuple[Condition, list[Condition]]:
    start, end = q.params.start[0], q.params.end[0]
    # Overlap of half-open intervals; the left bound keeps the index scan tight: no stored
    # variant is longer than max_length, so none starting before start - max_length can reach.
    lead = {c.V_CHROM: q.chrom, c.V_START: {"$gte": max(0, start - max(max_length, 1)), "$lt": end}}
    return lead, [{c.V_END: {"$gt": start}}]


def _bracket(q: VariantQuery) -> tuple[Condition, list[Condition]]:
    (s0, s1), (e0, e1) = q.params.start, q.params.end
    lead = {c.V_CHROM: q.chrom, c.V_START: {"$gte": s0, "$lt": s1}}
    return lead, [{c.V_END: {"$gte": e0, "$lt": e1}}]


def window(q: VariantQuery) -> tuple[str, int, int] | None:
    """(chromosome, start, end) of a range query asking nothing else of its variants: one
    whose matches a load's bins can count (``beacon/node/windows.py``)."""
    if q.kind is not QueryKind.RANGE or q.chrom is None or _modifiers(q):
        return None
    return q.chrom, q.params.start[0], q.params.end[0]


@dataclass(frozen=True)
class VariantFilter:
    """A variant filter in two stages: ``lead`` on one index, ``rest`` on what it finds."""

    lead: Condition
    rest: Condition


def build(q: VariantQuery, max_length: int, assembly: str | None = None) -> VariantFilter:
    """The filter for one dataset; ``max_length`` is its longest stored variant, ``assembly``
    its assembly (a sequence query may be left-aligned differently on each)."""
    p = q.params
    rest: list[Condition]
    if q.kind is QueryKind.SEQUENCE:
        lead, rest = _sequence(q, assembly)
        rest += _modifiers(q, skip_alt=True)
    elif q.kind is QueryKind.RANGE:
        lead, rest = _range(q, max_length)
        rest += _modifiers(q)
    elif q.kind is QueryKind.BRACKET:
        lead, rest = _bracket(q)
        rest += _modifiers(q)
    elif q.kind is QueryKind.GENE:
        lead, rest = {c.GENE_IDS: p.gene_id}, _modifiers(q)
    elif q.kind is QueryKind.AMINOACID:
        lead, rest = _aminoacid(q), _modifiers(q)
    elif q.kind is QueryKind.HGVS:
        forms = list(q.hgvs)
        lead, rest = {c.HGVS_ID: forms[0] if len(forms) == 1 else {"$in": forms}}, []
    else:  # ASSEMBLY: the dataset scope does the work
        lead, rest = {}, []
    rest = [r for r in rest if r]
    return VariantFilter(lead, rest[0] if len(rest) == 1 else ({"$and": rest} if rest else {}))
