"""Stage 2: alleles to their canonical form — trimmed, typed, with an exact span and length.

Pure functions over plain values (no cyvcf2 objects). Coordinates are Beacon's: ``start`` is
0-based, ``end`` exclusive; a VCF record at ``POS`` starts at ``POS - 1``.

* Simple alleles are trimmed to their minimal representation: the common suffix, then the common
  prefix, keeping one base on each side (the VCF padding base of an indel stays); the rule is
  ``beacon.protocol.alleles``, which the node applies to queried alleles too.
* Symbolic alleles (``<DEL>``, ``<DUP:TANDEM>``, ``<CN0>``, ``<INS:ME:ALU>`` …) are typed by
  their tag and SVTYPE (``symbolic_type``) and take their span from ``END`` (or ``SVLEN``);
  for deletions and duplications the span includes the padding base at ``POS``, as the VCF
  writes it, so ``start = POS - 1`` and ``end = END``.
* Breakends keep their mate's chromosome and position.
* Given the reference sequence (``fetch(start, end)`` of the row's chromosome), REF is checked
  against it and indels are left-aligned the way ``bcftools norm`` and ``vt normalize`` do.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from beacon.protocol import genome
from beacon.protocol.alleles import Fetch, left_align, trim
from ingest.errors import IngestError

_SIMPLE = re.compile(r"^[ACGTNacgtn]+$")
_BASES = frozenset("ACGTN")
_BREAKEND = re.compile(
    r"^(?P<pre>[A-Za-z.]*)(?P<b>[\[\]])(?P<chrom>[^:\[\]]+):(?P<pos>\d+)[\[\]](?P<post>[A-Za-z.]*)$"
)

#: Symbolic ALT (without brackets, before the first ':') -> canonical stored type.
SYMBOLIC_TYPES = {
    "DEL": "DEL",
    "DUP": "DUP",
    "CNV": "CNV",
    "INV": "INV",
    "INS": "INS",
    "BND": "BND",
}
_COPIES = re.compile(r"^CN(\d+)$")
_DIRECTED = ("DEL", "DUP")


def symbolic_type(tag: str, svtype: str | None) -> str | None:
    """The stored type of a symbolic ALT (``<DEL>``, ``<CN2>`` ...) given the row's SVTYPE.

    ``<CNn>`` counts the copies on one haplotype (GT indexes alleles per haplotype; the 1000
    Genomes convention), where the reference has one: 0 is a loss (DEL), 2 or more a gain (DUP),
    whatever SVTYPE says. For ``<CN1>`` and ``<CNV>``, which say no direction, a SVTYPE of DEL
    or DUP does; otherwise they stay CNV.
    """
    head = tag.split(":")[0].upper()
    given = svtype.upper() if svtype else None
    copies = _COPIES.match(head)
    if copies:
        n = int(copies[1])
        if n != 1:
            return "DEL" if n == 0 else "DUP"
        return given if given in _DIRECTED else "CNV"
    found = SYMBOLIC_TYPES.get(head)
    if found == "CNV" and given in _DIRECTED:
        return given
    if found is None and given:
        found = SYMBOLIC_TYPES.get(given)
    return found


class AlleleError(IngestError):
    """An allele that cannot be stored faithfully; the reason becomes a skip category."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Allele(NamedTuple):
    """One canonical allele (a named tuple: one is made per ALT of a load, and a tuple is
    several times cheaper to make than a frozen dataclass)."""

    chrom: str
    start: int
    end: int
    ref: str
    alt: str  # as written for symbolic alleles and breakends, bases otherwise
    type: str
    length: int
    symbolic: bool = False
    mate_chrom: str | None = None
    mate_pos: int | None = None  # 1-based, as the breakend notation writes it


def simple_type(ref: str, alt: str) -> str:
    if len(ref) == len(alt):
        return "SNP" if len(ref) == 1 else "MNP"
    if len(ref) == 1 and alt.startswith(ref):
        return "INS"
    if len(alt) == 1 and ref.startswith(alt):
        return "DEL"
    return "INDEL"


def simple_length(ref: str, alt: str, vtype: str) -> int:
    if vtype in ("SNP", "MNP"):
        return len(ref)
    if vtype == "INS":
        return len(alt) - len(ref)
    if vtype == "DEL":
        return len(ref) - len(alt)
    return max(len(ref), len(alt))


def _symbolic(
    chrom: str,
    start: int,
    ref: str,
    alt: str,
    end: int | None,
    svlen: int | None,
    svtype: str | None,
) -> Allele:
    vtype = symbolic_type(alt[1:-1], svtype)
    if vtype is None:
        raise AlleleError("symbolic_unknown", f"symbolic allele {alt} has no known type")
    if vtype == "INS":
        length = abs(svlen) if svlen is not None else 0
        return Allele(chrom, start, start + len(ref), ref, alt, vtype, length, symbolic=True)
    if end is None and svlen is not None:
        end = start + len(ref) + abs(svlen)
    if end is None:
        raise AlleleError(
            "symbolic_without_end", f"symbolic allele {alt} has neither END nor SVLEN"
        )
    if end <= start:
        raise AlleleError("bad_end", f"END {end} is not after POS {start + 1}")
    length = abs(svlen) if svlen is not None else end - start - 1
    return Allele(chrom, start, end, ref, alt, vtype, max(length, 1), symbolic=True)


def _breakend(chrom: str, start: int, ref: str, alt: str) -> Allele:
    match = _BREAKEND.match(alt)
    if match:
        mate = genome.canonical_chrom(match["chrom"]) or match["chrom"]
        return Allele(
            chrom,
            start,
            start + len(ref),
            ref,
            alt,
            "BND",
            0,
            symbolic=True,
            mate_chrom=mate,
            mate_pos=int(match["pos"]),
        )
    # single breakends: "G." or ".G"
    return Allele(chrom, start, start + len(ref), ref, alt, "BND", 0, symbolic=True)


def normalise(
    chrom: str,
    start: int,
    ref: str,
    alt: str,
    *,
    end: int | None = None,
    svlen: int | None = None,
    svtype: str | None = None,
    reference: Fetch | None = None,
) -> Allele:
    """One ALT of a VCF row (``start`` 0-based) -> its canonical allele, or ``AlleleError``.

    With ``reference`` (the row's chromosome), REF is checked and indels are left-aligned.
    """
    if reference is None and ref in _BASES and alt in _BASES and ref != alt:
        # SNVs are most rows of a genome: skip the general path (same result, a third the time).
        return Allele(chrom, start, start + 1, ref, alt, "SNP", 1)
    if alt in ("*", "<*>", "<NON_REF>"):
        raise AlleleError(
            "star_allele", "the * allele marks an overlapping deletion, not a variant"
        )
    if alt == "." or alt == "":
        raise AlleleError("no_alt", "the record has no alternate allele")
    if alt.startswith("<") and alt.endswith(">"):
        return _symbolic(chrom, start, ref, alt, end, svlen, svtype)
    if "[" in alt or "]" in alt or (len(alt) > 1 and (alt.startswith(".") or alt.endswith("."))):
        return _breakend(chrom, start, ref, alt)
    if not _SIMPLE.match(ref) or not _SIMPLE.match(alt):
        raise AlleleError("bad_bases", f"alleles {ref}>{alt} are not plain bases")
    ref, alt = ref.upper(), alt.upper()
    if ref == alt:
        raise AlleleError("ref_equals_alt", f"ALT {alt} equals REF")
    if reference is not None:
        found = reference(start, start + len(ref)).upper()
        if found != ref:
            raise AlleleError(
                "ref_mismatch", f"REF {ref} differs from the reference ({found or 'nothing'})"
            )
        new_start, ref, alt = left_align(start, ref, alt, reference)
    else:
        new_start, ref, alt = trim(start, ref, alt)
    vtype = simple_type(ref, alt)
    return Allele(
        chrom, new_start, new_start + len(ref), ref, alt, vtype, simple_length(ref, alt, vtype)
    )


def hgvs_id(refseq: str, allele: Allele) -> str | None:
    """The genomic HGVS id of an allele (1-based), or None where HGVS needs the reference."""
    pos = allele.start + 1
    ref, alt = allele.ref, allele.alt
    if allele.symbolic:
        if allele.type in ("DEL", "DUP") and allele.end > allele.start + 1:
            first, last = allele.start + 2, allele.end
            span = f"{first}_{last}" if last > first else f"{first}"
            return f"{refseq}:g.{span}{allele.type.lower()}"
        return None
    if allele.type == "SNP":
        return f"{refseq}:g.{pos}{ref}>{alt}"
    if allele.type == "DEL":
        first, last = pos + 1, pos + len(ref) - 1
        span = f"{first}_{last}" if last > first else f"{first}"
        return f"{refseq}:g.{span}del"
    if allele.type == "INS":
        return f"{refseq}:g.{pos}_{pos + 1}ins{alt[1:]}"
    # MNP and delins: drop a shared first base, then describe the replaced span.
    if len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    last = pos + len(ref) - 1
    span = f"{pos}_{last}" if last > pos else f"{pos}"
    return f"{refseq}:g.{span}delins{alt}"
