"""The reference genome FASTA (optional): REF checks and indel left-alignment need its bases.

Ingest (``--reference``) checks REF and left-aligns the alleles it stores against it; the node
(``node.reference_grch37`` / ``reference_grch38``) left-aligns queried alleles the same way.
Reads an indexed FASTA (``.fa``/``.fa.gz`` with ``.fai``; pyfaidx builds the index when the
folder is writable) lazily, one requested span at a time, so memory does not grow with the
genome. Sequence names are matched to canonical chromosomes (``chr1``, ``1``, ``chrM``...), and
their lengths are checked against the stated assembly before anything is read from it.
"""

from __future__ import annotations

from pathlib import Path

from pyfaidx import Fasta, FastaIndexingError

from beacon.protocol import genome
from beacon.protocol.alleles import Fetch


class FastaError(Exception):
    """A FASTA that cannot be used with this assembly; the message says why and what to do."""


class Reference:
    def __init__(self, path: Path, assembly: str) -> None:
        try:
            self._fasta = Fasta(str(path), as_raw=True, sequence_always_upper=True)
        except (FastaIndexingError, OSError, ValueError) as exc:
            raise FastaError(
                f"{path}: cannot read the reference FASTA ({exc}); index it with samtools faidx"
            ) from None
        self.path = path
        self._names: dict[str, str] = {}
        names = self._fasta.keys()  # iterating a Fasta gives records, not names
        for name in names:
            chrom = genome.canonical_chrom(name)
            if chrom is None or chrom in self._names:
                continue
            length = len(self._fasta[name])
            expected = genome.contig(assembly, chrom).length
            if length != expected:
                raise FastaError(
                    f"{path}: sequence {name} is {length} bases long, but chromosome {chrom} "
                    f"of {assembly} has {expected}: give the FASTA of {assembly}"
                )
            self._names[chrom] = name

    def fetcher(self, chrom: str) -> Fetch | None:
        """Bases of a canonical chromosome, or None when the FASTA does not have it."""
        name = self._names.get(chrom)
        if name is None:
            return None
        record = self._fasta[name]

        def fetch(start: int, end: int) -> str:
            return str(record[max(0, start) : end])

        return fetch

    def close(self) -> None:
        self._fasta.close()
