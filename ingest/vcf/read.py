"""Stage 1 for VCF input: the only module that touches cyvcf2.

It opens ``.vcf``, ``.vcf.gz`` (BGZF or plain gzip) and ``.bcf`` through htslib, describes the
header (contigs with their lengths, sample ids, the INFO and FORMAT fields declared) and yields
records as plain Python values plus a *copied* genotype array: cyvcf2's arrays point into C
memory that is reused when the iterator moves on, so nothing of cyvcf2 escapes this module.
Only the INFO fields the pipeline asked for are read, which keeps the per-record cost low.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from cyvcf2 import VCF

from ingest.errors import IngestError

GenotypeArray = npt.NDArray[np.int16]
_CONTIG = re.compile(r"^##contig=<ID=(?P<id>[^,>]+)(?P<body>.*)>\s*$")
_LENGTH = re.compile(r"(?:^|,)length=(?P<n>\d+)")


class VcfError(IngestError):
    """A VCF file that cannot be read; the message names the file and what to do."""


@dataclass(frozen=True)
class InfoField:
    id: str
    number: str
    type: str
    description: str


@dataclass(frozen=True)
class VcfHeader:
    path: Path
    contigs: dict[str, int | None]  # name as written -> length (None when not declared)
    samples: list[str]
    info: dict[str, InfoField]
    formats: set[str]

    @property
    def has_genotypes(self) -> bool:
        return bool(self.samples) and "GT" in self.formats


@dataclass(slots=True)
class VcfRecord:
    """One VCF row as plain values; ``gt`` is (samples, ploidy) allele codes or None.

    Allele codes: ``-1`` a missing allele (``.``), ``-2`` no allele at that slot (a haploid call
    in a diploid array), ``0`` REF, ``k`` the k-th ALT.
    """

    chrom: str
    pos: int  # 1-based, as written
    ids: list[str]
    ref: str
    alts: list[str]
    qual: float | None
    filters: str | None
    info: dict[str, Any] = field(default_factory=dict)
    gt: GenotypeArray | None = None


def _header(vcf: Any, path: Path) -> VcfHeader:
    contigs: dict[str, int | None] = {}
    info: dict[str, InfoField] = {}
    formats: set[str] = set()
    for item in vcf.header_iter():
        kind = item.type
        meta = item.info()
        if kind == "INFO":
            info[meta["ID"]] = InfoField(
                meta["ID"],
                meta.get("Number", "."),
                meta.get("Type", "String"),
                meta.get("Description", "").strip('"'),
            )
        elif kind == "FORMAT":
            formats.add(meta["ID"])
    # cyvcf2's header records leave out contig lengths: read them from the header text.
    for line in vcf.raw_header.splitlines():
        match = _CONTIG.match(line)
        if match:
            length = _LENGTH.search(match["body"])
            contigs[match["id"]] = int(length["n"]) if length else None
    return VcfHeader(path, contigs, list(vcf.samples), info, formats)


class VcfReader:
    """An open VCF/BCF file: its header, then its records in file order."""

    def __init__(self, path: Path, info_keys: tuple[str, ...] = (), threads: int = 1) -> None:
        if not path.exists():
            raise VcfError(f"{path}: no such file")
        try:
            self._vcf = VCF(os.fspath(path), gts012=False, strict_gt=False, lazy=True)
        except (OSError, Exception) as exc:  # cyvcf2 raises bare Exception on a bad header
            raise VcfError(
                f"{path}: not a readable VCF/BCF file ({exc}); check it with bcftools view -h"
            ) from None
        if threads > 1:
            self._vcf.set_threads(threads)
        self.path = path
        self.header = _header(self._vcf, path)
        self.info_keys = tuple(k for k in info_keys if k in self.header.info)
        self.rows = 0

    def close(self) -> None:
        self._vcf.close()

    def __enter__(self) -> VcfReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def records(self) -> Iterator[VcfRecord]:
        genotypes = self.header.has_genotypes
        keys = self.info_keys
        iterator = iter(self._vcf)
        while True:
            try:
                v = next(iterator)
            except StopIteration:
                return
            except Exception as exc:  # htslib parse errors surface as plain exceptions
                raise VcfError(
                    f"{self.path}: cannot read the record after row {self.rows} ({exc}); "
                    "nothing after it would be loaded, so nothing was"
                ) from None
            self.rows += 1
            got = v.INFO
            info: dict[str, Any] = {}
            for key in keys:
                value = got.get(key)
                if value is not None:
                    info[key] = value
            raw_id = v.ID
            qual = v.QUAL
            yield VcfRecord(
                chrom=v.CHROM,
                pos=v.POS,
                ids=raw_id.split(";") if raw_id else [],
                ref=v.REF,
                alts=list(v.ALT),
                qual=float(qual) if qual is not None else None,
                filters=v.FILTER,
                info=info,
                gt=_genotypes(v) if genotypes else None,
            )


def _genotypes(v: Any) -> GenotypeArray | None:
    try:
        calls = v.genotype
    except Exception:  # cyvcf2's way of saying this row's FORMAT has no GT
        return None
    if calls is None:
        return None
    # Genotypes.array() allocates a fresh numpy array (a copy); drop its phase column.
    array: GenotypeArray = calls.array()[:, :-1]
    return array
