"""Allele normalisation, table-driven: trimming, types, symbolic SVs, breakends, left-alignment."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.protocol.alleles import left_align
from ingest.normalise import Allele, AlleleError, hgvs_id, normalise

# A tiny chromosome: a CA repeat at 0-based 3..8 (G at 2 before it, G at 9 after it).
SEQ = "TTGCACACAGTTTTAAAC"


def fetch(start: int, end: int) -> str:
    return SEQ[max(0, start) : end]


# (case, POS, REF, ALT, keyword args) -> (start, end, ref, alt, type, length)
CASES: list[tuple[str, int, str, str, dict[str, Any], tuple[int, int, str, str, str, int]]] = [
    ("SNV", 100, "A", "G", {}, (99, 100, "A", "G", "SNP", 1)),
    ("lower-case bases", 100, "a", "g", {}, (99, 100, "A", "G", "SNP", 1)),
    ("MNV", 100, "AT", "GC", {}, (99, 101, "AT", "GC", "MNP", 2)),
    ("MNV with a shared last base", 100, "ATG", "GCG", {}, (99, 101, "AT", "GC", "MNP", 2)),
    ("MNV with a shared first base", 100, "CAT", "CGC", {}, (100, 102, "AT", "GC", "MNP", 2)),
    ("SNV from a split multi-allelic MNV row", 100, "AT", "GT", {}, (99, 100, "A", "G", "SNP", 1)),
    ("insertion", 100, "A", "AT", {}, (99, 100, "A", "AT", "INS", 1)),
    ("deletion", 100, "AT", "A", {}, (99, 101, "AT", "A", "DEL", 1)),
    ("deletion padded by a split row", 100, "ATT", "AT", {}, (99, 101, "AT", "A", "DEL", 1)),
    ("insertion padded by a split row", 100, "AT", "ACTT", {}, (99, 100, "A", "ACT", "INS", 2)),
    ("complex indel", 100, "ATG", "C", {}, (99, 102, "ATG", "C", "INDEL", 3)),
    (
        "symbolic deletion with END",
        1000,
        "N",
        "<DEL>",
        {"end": 1100, "svtype": "DEL"},
        (999, 1100, "N", "<DEL>", "DEL", 100),
    ),
    (
        "symbolic deletion with SVLEN only",
        1000,
        "G",
        "<DEL>",
        {"svlen": -50},
        (999, 1050, "G", "<DEL>", "DEL", 50),
    ),
    (
        "tandem duplication",
        1000,
        "T",
        "<DUP:TANDEM>",
        {"end": 2000, "svlen": 1000},
        (999, 2000, "T", "<DUP:TANDEM>", "DUP", 1000),
    ),
    ("CNV", 1000, "A", "<CNV>", {"end": 5000}, (999, 5000, "A", "<CNV>", "CNV", 4000)),
    ("copy number 0", 1000, "A", "<CN0>", {"end": 1500}, (999, 1500, "A", "<CN0>", "DEL", 500)),
    # <CNn> counts copies on one haplotype, the reference has one: above is a gain.
    ("copy number 2", 1000, "A", "<CN2>", {"end": 1500}, (999, 1500, "A", "<CN2>", "DUP", 500)),
    (
        "copy number 2 with SVTYPE=DUP (1000 Genomes)",
        1000,
        "A",
        "<CN2>",
        {"end": 1500, "svtype": "DUP"},
        (999, 1500, "A", "<CN2>", "DUP", 500),
    ),
    (
        "copy number 0 whatever SVTYPE says",
        1000,
        "A",
        "<CN0>",
        {"end": 1500, "svtype": "DUP"},
        (999, 1500, "A", "<CN0>", "DEL", 500),
    ),
    ("copy number 1", 1000, "A", "<CN1>", {"end": 1500}, (999, 1500, "A", "<CN1>", "CNV", 500)),
    (
        "copy number 1 with SVTYPE=DEL",
        1000,
        "A",
        "<CN1>",
        {"end": 1500, "svtype": "DEL"},
        (999, 1500, "A", "<CN1>", "DEL", 500),
    ),
    (
        "CNV with SVTYPE=DUP",
        1000,
        "A",
        "<CNV>",
        {"end": 1500, "svtype": "DUP"},
        (999, 1500, "A", "<CNV>", "DUP", 500),
    ),
    ("copy number 3", 1000, "A", "<CN3>", {"end": 1500}, (999, 1500, "A", "<CN3>", "DUP", 500)),
    ("inversion", 1000, "A", "<INV>", {"end": 1300}, (999, 1300, "A", "<INV>", "INV", 300)),
    (
        "mobile element insertion",
        1000,
        "A",
        "<INS:ME:ALU>",
        {"svlen": 280},
        (999, 1000, "A", "<INS:ME:ALU>", "INS", 280),
    ),
    (
        "unknown symbol typed by SVTYPE",
        1000,
        "A",
        "<XYZ>",
        {"end": 1100, "svtype": "DUP"},
        (999, 1100, "A", "<XYZ>", "DUP", 100),
    ),
    ("breakend", 500, "A", "[9:137177507[A", {}, (499, 500, "A", "[9:137177507[A", "BND", 0)),
    ("single breakend", 500, "G", "G.", {}, (499, 500, "G", "G.", "BND", 0)),
]


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "kwargs", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_normalise(
    pos: int, ref: str, alt: str, kwargs: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    allele = normalise("1", pos - 1, ref, alt, **kwargs)
    assert (
        allele.start,
        allele.end,
        allele.ref,
        allele.alt,
        allele.type,
        allele.length,
    ) == expected


@pytest.mark.parametrize(
    ("alt", "mate"),
    [("[9:137177507[A", ("9", 137177507)), ("G]chr17:198982]", ("17", 198982)), ("G.", None)],
)
def test_breakend_mate(alt: str, mate: tuple[str, int] | None) -> None:
    allele = normalise("1", 499, alt[0] if alt[0] in "ACGT" else "A", alt)
    found = (allele.mate_chrom, allele.mate_pos) if allele.mate_chrom else None
    assert found == mate


REFUSED = [
    ("star allele", "A", "*", {}, "star_allele"),
    ("gVCF star", "A", "<*>", {}, "star_allele"),
    ("gVCF NON_REF", "A", "<NON_REF>", {}, "star_allele"),
    ("no ALT", "A", ".", {}, "no_alt"),
    ("ALT equals REF", "A", "A", {}, "ref_equals_alt"),
    ("IUPAC code", "A", "R", {}, "bad_bases"),
    ("symbolic without END or SVLEN", "A", "<DEL>", {}, "symbolic_without_end"),
    ("unknown symbol", "A", "<FOO>", {"end": 2000}, "symbolic_unknown"),
    ("END before POS", "A", "<DEL>", {"end": 50}, "bad_end"),
]


@pytest.mark.parametrize(
    ("ref", "alt", "kwargs", "reason"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused(ref: str, alt: str, kwargs: dict[str, Any], reason: str) -> None:
    with pytest.raises(AlleleError) as caught:
        normalise("1", 99, ref, alt, **kwargs)
    assert caught.value.reason == reason


# Left-alignment in the CA repeat: every representation moves to the leftmost one.
ALIGN = [
    ("deletion written rightmost", 6, "ACA", "A", (2, "GCA", "G")),
    ("deletion in the middle", 4, "ACA", "A", (2, "GCA", "G")),
    ("deletion already leftmost", 2, "GCA", "G", (2, "GCA", "G")),
    ("insertion written rightmost", 8, "A", "ACA", (2, "G", "GCA")),
    ("insertion with extra padding", 7, "CA", "CACA", (2, "G", "GCA")),
    ("SNV is untouched", 5, "C", "T", (5, "C", "T")),
    ("deletion in a T run", 12, "TT", "T", (9, "GT", "G")),
]


@pytest.mark.parametrize(
    ("start", "ref", "alt", "expected"), [c[1:] for c in ALIGN], ids=[c[0] for c in ALIGN]
)
def test_left_align(start: int, ref: str, alt: str, expected: tuple[int, str, str]) -> None:
    assert SEQ[start : start + len(ref)] == ref  # the case itself is consistent
    assert left_align(start, ref, alt, fetch) == expected
    allele = normalise("1", start, ref, alt, reference=fetch)
    assert (allele.start, allele.ref, allele.alt) == expected


def test_reference_mismatch_is_refused() -> None:
    with pytest.raises(AlleleError) as caught:
        normalise("1", 5, "G", "T", reference=fetch)
    assert caught.value.reason == "ref_mismatch"


HGVS = [
    ("SNV", Allele("17", 7577120, 7577121, "G", "A", "SNP", 1), "NC:g.7577121G>A"),
    ("deletion of one base", Allele("1", 99, 101, "AT", "A", "DEL", 1), "NC:g.101del"),
    ("deletion of two bases", Allele("1", 99, 102, "ATG", "A", "DEL", 2), "NC:g.101_102del"),
    ("insertion", Allele("1", 99, 100, "A", "ATT", "INS", 2), "NC:g.100_101insTT"),
    ("MNV", Allele("1", 99, 101, "AT", "GC", "MNP", 2), "NC:g.100_101delinsGC"),
    (
        "symbolic deletion",
        Allele("1", 999, 1100, "N", "<DEL>", "DEL", 100, symbolic=True),
        "NC:g.1001_1100del",
    ),
    ("breakend", Allele("1", 9, 10, "A", "A[2:5[", "BND", 0, symbolic=True), None),
]


@pytest.mark.parametrize(("allele", "expected"), [c[1:] for c in HGVS], ids=[c[0] for c in HGVS])
def test_hgvs_id(allele: Allele, expected: str | None) -> None:
    assert hgvs_id("NC", allele) == expected
