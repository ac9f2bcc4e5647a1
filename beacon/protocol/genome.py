"""Assemblies and chromosome names: one canonical form, every alias clients and VCFs use.

A stored variant carries an assembly (``GRCh37`` or ``GRCh38``) and a chromosome in one
canonical form (``1``..``22``, ``X``, ``Y``, ``MT``). Everything else a user or a file may say —
``chr1``, ``NC_000001.11``, ``refseq:NC_000001.11``, ``hg38``, ``GRCh38.p14``,
``GCF_000001405.40`` — is resolved here from a bundled table, never guessed from a pattern at
query time. Lengths and RefSeq accessions are those of the primary assembly units (NCBI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GRCH37 = "GRCh37"
GRCH38 = "GRCh38"
ASSEMBLIES = (GRCH37, GRCH38)

CHROMOSOMES: tuple[str, ...] = (*(str(i) for i in range(1, 23)), "X", "Y", "MT")
#: Sort rank of each canonical chromosome (1-based), stored on variants for genomic ordering.
RANK: dict[str, int] = {c: i + 1 for i, c in enumerate(CHROMOSOMES)}

# (GRCh37 length, GRCh37 RefSeq, GRCh38 length, GRCh38 RefSeq) per canonical chromosome.
_TABLE: dict[str, tuple[int, str, int, str]] = {
    "1": (249250621, "NC_000001.10", 248956422, "NC_000001.11"),
    "2": (243199373, "NC_000002.11", 242193529, "NC_000002.12"),
    "3": (198022430, "NC_000003.11", 198295559, "NC_000003.12"),
    "4": (191154276, "NC_000004.11", 190214555, "NC_000004.12"),
    "5": (180915260, "NC_000005.9", 181538259, "NC_000005.10"),
    "6": (171115067, "NC_000006.11", 170805979, "NC_000006.12"),
    "7": (159138663, "NC_000007.13", 159345973, "NC_000007.14"),
    "8": (146364022, "NC_000008.10", 145138636, "NC_000008.11"),
    "9": (141213431, "NC_000009.11", 138394717, "NC_000009.12"),
    "10": (135534747, "NC_000010.10", 133797422, "NC_000010.11"),
    "11": (135006516, "NC_000011.9", 135086622, "NC_000011.10"),
    "12": (133851895, "NC_000012.11", 133275309, "NC_000012.12"),
    "13": (115169878, "NC_000013.10", 114364328, "NC_000013.11"),
    "14": (107349540, "NC_000014.8", 107043718, "NC_000014.9"),
    "15": (102531392, "NC_000015.9", 101991189, "NC_000015.10"),
    "16": (90354753, "NC_000016.9", 90338345, "NC_000016.10"),
    "17": (81195210, "NC_000017.10", 83257441, "NC_000017.11"),
    "18": (78077248, "NC_000018.9", 80373285, "NC_000018.10"),
    "19": (59128983, "NC_000019.9", 58617616, "NC_000019.10"),
    "20": (63025520, "NC_000020.10", 64444167, "NC_000020.11"),
    "21": (48129895, "NC_000021.8", 46709983, "NC_000021.9"),
    "22": (51304566, "NC_000022.10", 50818468, "NC_000022.11"),
    "X": (155270560, "NC_000023.10", 156040895, "NC_000023.11"),
    "Y": (59373566, "NC_000024.9", 57227415, "NC_000024.10"),
    "MT": (16569, "NC_012920.1", 16569, "NC_012920.1"),
}

_ASSEMBLY_ALIASES: dict[str, str] = {
    "grch37": GRCH37,
    "hg19": GRCH37,
    "b37": GRCH37,
    "hs37d5": GRCH37,
    "grch37-lite": GRCH37,
    "ncbi37": GRCH37,
    "grch38": GRCH38,
    "hg38": GRCH38,
    "b38": GRCH38,
    "hs38": GRCH38,
    "hs38dh": GRCH38,
    "ncbi38": GRCH38,
}
# GenBank/RefSeq assembly accessions: GCF_000001405.13-.25 are GRCh37 (patches 0-13),
# .26-.40 are GRCh38 (patches 0-14); GCA_ is the GenBank twin of the same versions.
_ACCESSION = re.compile(r"^GC[AF]_000001405\.(\d+)$")
_PATCH = re.compile(r"^(grch3[78])\.p\d+$")


@dataclass(frozen=True)
class Contig:
    assembly: str
    chrom: str
    length: int
    refseq: str

    @property
    def sequence_id(self) -> str:
        """The VRS ``sequence_id`` CURIE, e.g. ``refseq:NC_000017.11``."""
        return f"refseq:{self.refseq}"


def _contig(assembly: str, chrom: str) -> Contig:
    len37, acc37, len38, acc38 = _TABLE[chrom]
    if assembly == GRCH37:
        return Contig(assembly, chrom, len37, acc37)
    return Contig(assembly, chrom, len38, acc38)


CONTIGS: dict[tuple[str, str], Contig] = {
    (a, c): _contig(a, c) for a in ASSEMBLIES for c in CHROMOSOMES
}
#: RefSeq accession (with version) -> the contigs that use it (MT is shared by both builds).
_BY_ACCESSION: dict[str, list[Contig]] = {}
for _c in CONTIGS.values():
    _BY_ACCESSION.setdefault(_c.refseq.upper(), []).append(_c)


def normalise_assembly(name: str) -> str | None:
    """``hg38``, ``GRCh38.p14``, ``GCF_000001405.40`` -> ``GRCh38``; unknown -> None."""
    key = name.strip()
    match = _ACCESSION.match(key.upper())
    if match:
        version = int(match.group(1))
        if 13 <= version <= 25:
            return GRCH37
        if 26 <= version <= 40:
            return GRCH38
        return None
    lowered = key.lower()
    patch = _PATCH.match(lowered)
    if patch:
        lowered = patch.group(1)
    return _ASSEMBLY_ALIASES.get(lowered)


def canonical_chrom(name: str) -> str | None:
    """``chr1``/``1``/``CHR1`` -> ``1``; ``chrM``/``M``/``MT`` -> ``MT``; else None.

    Accessions are not accepted here because they also fix the assembly: see :func:`resolve`.
    """
    key = name.strip()
    if key[:3].lower() == "chr":
        key = key[3:]
    key = key.upper()
    if key in ("M", "MT"):
        return "MT"
    if key.isdigit():
        key = str(int(key))
    return key if key in _TABLE else None


@dataclass(frozen=True)
class ResolvedName:
    """A chromosome as a client named it, with the assembly the name pins down (if any)."""

    chrom: str
    assemblies: tuple[str, ...]  # the builds this name is valid in


def resolve(name: str) -> ResolvedName | None:
    """Resolve any chromosome spelling: ``22``, ``chr22``, ``NC_000022.11``, ``refseq:NC_...``.

    A versioned RefSeq accession names one build (except MT, which is the same in both);
    a plain name is valid in every build.
    """
    key = name.strip()
    if key.lower().startswith("refseq:"):
        key = key[len("refseq:") :]
    contigs = _BY_ACCESSION.get(key.upper())
    if contigs:
        return ResolvedName(contigs[0].chrom, tuple(c.assembly for c in contigs))
    chrom = canonical_chrom(key)
    if chrom is None:
        return None
    return ResolvedName(chrom, ASSEMBLIES)


def contig(assembly: str, chrom: str) -> Contig:
    """The contig of a canonical chromosome in a canonical assembly."""
    return CONTIGS[(assembly, chrom)]
