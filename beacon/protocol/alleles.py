"""The canonical form of a sequence allele, one rule for stored alleles and queried ones.

Pure. Coordinates are Beacon's: ``start`` is 0-based. Ingest stores every simple allele in this
form and the node puts a queried allele in the same form before matching, so the forms tools
write for the same allele (``bcftools norm -m-`` keeps a multi-allelic row's shared bases:
``GA>GAA`` for the stored ``G>GA``) all find it.

* ``trim``: strip the shared last bases, then the shared first bases, keeping one base on each
  side (the VCF padding base of an indel stays).
* ``left_align``: given the reference (``fetch(start, end)`` of the chromosome), shift an indel
  as far left as it goes, the way ``bcftools norm`` and ``vt normalize`` do: drop a shared last
  base, extend on the left with the reference when an allele runs empty, repeat, then trim the
  shared first bases (one padding base kept).

In a query, ``N`` (and any other IUPAC code) stands for a base not known: it is never trimmed,
since two unknown bases need not be the same base.
"""

from __future__ import annotations

from collections.abc import Callable

#: The reference of one chromosome: ``fetch(start, end)`` -> bases (0-based, half-open).
Fetch = Callable[[int, int], str]

_KNOWN = frozenset("ACGT")


def _same(a: str, b: str, wildcards: bool) -> bool:
    return a == b and (not wildcards or a in _KNOWN)


def trim(start: int, ref: str, alt: str, *, wildcards: bool = False) -> tuple[int, str, str]:
    """Minimal representation: strip the shared suffix, then the shared prefix (one base kept).

    With ``wildcards`` (a query), only known bases (A, C, G, T) count as shared.
    """
    while len(ref) > 1 and len(alt) > 1 and _same(ref[-1], alt[-1], wildcards):
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and _same(ref[0], alt[0], wildcards):
        ref, alt = ref[1:], alt[1:]
        start += 1
    return start, ref, alt


class TooFar(Exception):
    """Left-alignment went further than its bound (a query in a long repeat)."""


def left_align(
    start: int, ref: str, alt: str, fetch: Fetch, max_steps: int | None = None
) -> tuple[int, str, str]:
    """Left-align and trim an indel against the reference (``start`` is 0-based); with
    ``max_steps``, raise ``TooFar`` rather than shift further."""
    steps = 0
    while True:
        steps += 1
        if max_steps is not None and steps > max_steps:
            raise TooFar(f"left-alignment shifted more than {max_steps} bases")
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
            changed = True
        if not ref or not alt:
            if start == 0:  # nothing to the left: fall back to trimming what is left
                return trim(
                    start,
                    ref + fetch(start + len(ref), start + len(ref) + 1),
                    alt + fetch(start + len(ref), start + len(ref) + 1),
                )
            base = fetch(start - 1, start).upper()
            ref, alt, start = base + ref, base + alt, start - 1
            changed = True
        if not changed:
            break
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, start = ref[1:], alt[1:], start + 1
    return start, ref, alt
