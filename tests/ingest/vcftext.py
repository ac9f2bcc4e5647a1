"""An independent reading of VCF text, to check the ingester against: no cyvcf2, no project code.

Deliberately simple: split lines on tabs, the first FORMAT key is GT, alleles split on ``/``
or ``|``. Carriers per ALT follow the VCF specification directly: a call holding the ALT's
number is a carrier; one slot is hemizygous, every slot the ALT homozygous, else heterozygous.
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    chrom: str
    pos: int
    ids: list[str]
    ref: str
    alts: list[str]
    info: dict[str, str]
    gts: list[str]


@dataclass
class Calls:
    ac: int
    an: int
    het: list[int]
    hom: list[int]
    hemi: list[int]


def _lines(path: Path) -> Iterator[str]:
    # gzip reads BGZF too: it is a series of gzip members.
    with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as handle:
        yield from handle


def samples(path: Path) -> list[str]:
    for line in _lines(path):
        if line.startswith("#CHROM"):
            return line.rstrip("\n").split("\t")[9:]
    return []


def rows(path: Path) -> Iterator[Row]:
    for line in _lines(path):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        info = {}
        for item in f[7].split(";"):
            key, _, value = item.partition("=")
            info[key] = value
        gts = f[9:]
        if len(f) > 8 and not f[8].startswith("GT"):
            gts = []
        elif len(f) > 8 and f[8] != "GT":
            gts = [g.split(":", 1)[0] for g in gts]
        yield Row(f[0], int(f[1]), f[2].split(";"), f[3], f[4].split(","), info, gts)


def calls(gts: list[str], allele: int) -> Calls:
    """AC, AN and carriers of ALT number ``allele`` (1-based) among the calls."""
    wanted = str(allele)
    kinds: dict[str, tuple[int, int, str | None]] = {}  # GT -> (copies, called, zygosity)
    for gt in set(gts):
        parts = gt.replace("|", "/").split("/")
        copies = parts.count(wanted)
        called = sum(1 for p in parts if p != ".")
        if copies == 0:
            kind = None
        elif len(parts) == 1:
            kind = "hemi"
        elif copies == len(parts):
            kind = "hom"
        else:
            kind = "het"
        kinds[gt] = (copies, called, kind)
    out = Calls(0, 0, [], [], [])
    for gt, n in Counter(gts).items():
        copies, called, _ = kinds[gt]
        out.ac += copies * n
        out.an += called * n
    carrying = {gt for gt, (_, _, kind) in kinds.items() if kind is not None}
    if carrying:
        lists = {"het": out.het, "hom": out.hom, "hemi": out.hemi}
        for i in [i for i, gt in enumerate(gts) if gt in carrying]:
            lists[str(kinds[gts[i]][2])].append(i)
    return out


def trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """VCF-style minimal alleles: drop a shared last base, then shared first bases (keep one)."""
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt
