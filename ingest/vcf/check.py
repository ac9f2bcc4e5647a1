"""Checks made on VCF headers before the first write, and the sample ids of a load.

A header is checked against the stated assembly (contig lengths), for its samples (unique ids,
a genotype field) and for the INFO fields the pipeline reads (their declared types), so a wrong
``--assembly`` or an unusable file stops the run before anything is written. Sample columns get
a dataset-wide index; their biosample and individual ids come from ``--sample-map`` (TSV:
``vcf_sample<TAB>biosampleId<TAB>individualId``) or else the VCF sample name is the biosampleId.
A sample whose individual the map does not name is linked at query time to the one the
dataset's current biosamples name, so metadata may be loaded before or after the variants.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from beacon.protocol import genome
from ingest.errors import IngestError

#: The length of hg19's mitochondrion (NC_001807), which neither GRCh37 nor GRCh38 uses.
HG19_CHRM = 16571
#: INFO fields read with a fixed meaning, and the VCF types they must be declared with.
TYPED_INFO = {"END": "Integer", "SVLEN": "Integer", "SVTYPE": "String", "AC": "Integer"}


class HeaderError(IngestError):
    """A VCF header that disagrees with the command line or cannot be loaded."""


def check_contigs(source: str, contigs: Mapping[str, int | None], assembly: str) -> list[str]:
    """Raise if a declared contig length contradicts ``assembly``; return contigs not checked."""
    other = genome.GRCH37 if assembly == genome.GRCH38 else genome.GRCH38
    unchecked = []
    for name, length in contigs.items():
        chrom = genome.canonical_chrom(name)
        if chrom is None:
            continue  # decoys, alts, unplaced: their rows are skipped and counted
        if length is None:
            unchecked.append(name)
            continue
        expected = genome.contig(assembly, chrom).length
        if length == expected:
            continue
        if chrom == "MT" and length == HG19_CHRM:
            raise HeaderError(
                f"{source}: contig {name} is {length} bases long: that is hg19's chrM "
                "(NC_001807), not the rCRS mitochondrion both GRCh37 and GRCh38 use"
            )
        if length == genome.contig(other, chrom).length:
            raise HeaderError(
                f"{source}: contig {name} is {length} bases long, the length of {other}, "
                f"not {assembly}: pass --assembly {other}"
            )
        raise HeaderError(
            f"{source}: contig {name} is {length} bases long, but chromosome {chrom} of "
            f"{assembly} has {expected}: is this VCF aligned to another assembly?"
        )
    return unchecked


def check_info(source: str, declared: dict[str, str]) -> None:
    """INFO fields the pipeline interprets must have the type it expects (id -> Type)."""
    for key, wanted in TYPED_INFO.items():
        found = declared.get(key)
        if found is not None and found != wanted:
            raise HeaderError(
                f"{source}: INFO/{key} is declared Type={found}; the VCF specification says "
                f"{wanted}: fix the header (bcftools reheader) and load again"
            )


def check_samples(source: str, samples: list[str]) -> None:
    seen: set[str] = set()
    for name in samples:
        if name in seen:
            raise HeaderError(
                f"{source}: sample {name!r} appears twice in the header: sample ids must be "
                "unique (bcftools reheader --samples can rename them)"
            )
        seen.add(name)


@dataclass(frozen=True)
class SampleMapRow:
    biosample: str
    individual: str | None


def read_sample_map(path: Path) -> dict[str, SampleMapRow]:
    """``vcf_sample, biosampleId[, individualId]`` per line; ``#`` lines and a header skipped."""
    rows: dict[str, SampleMapRow] = {}
    with path.open(newline="") as handle:
        for number, line in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not line or line[0].startswith("#") or (number == 1 and line[0] == "vcf_sample"):
                continue
            if len(line) < 2 or not line[0] or not line[1]:
                raise HeaderError(
                    f"{path}:{number}: expected vcf_sample<TAB>biosampleId[<TAB>individualId]"
                )
            if line[0] in rows:
                raise HeaderError(f"{path}:{number}: sample {line[0]!r} is mapped twice")
            individual = line[2] if len(line) > 2 and line[2] else None
            rows[line[0]] = SampleMapRow(line[1], individual)
    return rows


@dataclass
class Samples:
    """The dataset-wide sample table of one load: index -> biosample (and individual)."""

    mapping: dict[str, SampleMapRow] | None = None
    biosamples: list[str] = field(default_factory=list)
    individuals: list[str | None] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def columns(self, source: str, names: list[str]) -> npt.NDArray[np.uint32]:
        """Dataset indices of a file's sample columns (new biosamples are appended)."""
        out = np.zeros(len(names), dtype=np.uint32)
        for i, name in enumerate(names):
            if self.mapping is not None:
                row = self.mapping.get(name)
                if row is None:
                    raise HeaderError(
                        f"{source}: sample {name!r} is not in the --sample-map file: "
                        "add a line for it"
                    )
                biosample, individual = row.biosample, row.individual
            else:
                biosample, individual = name, None
            index = self._index.get(biosample)
            if index is None:
                index = self._index[biosample] = len(self.biosamples)
                self.biosamples.append(biosample)
                self.individuals.append(individual)
            out[i] = index
        return out
