"""VCF rows -> variant documents, carrier chunks and sample-first runs, one batch at a time.

The CPU half of a VCF load, synchronous and free of database calls, so the loader can run it in
a worker thread while the previous batch is being written (cyvcf2 releases the GIL while htslib
reads; the driver releases it while waiting for the server). Each batch stacks the genotype
arrays of its rows and summarises them in one pass (``ingest/genotypes.py``): counts and packed
carriers of every ALT of the batch come out of numpy at once. What is left per ALT is small: its
canonical allele, id and key, and one lean document (``ingest/documents.py``) holding only typed
query fields and compact annotations, the Beacon record being rendered when read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from beacon.protocol import genome
from beacon.protocol.alleles import Fetch
from beacon.store import carriers as packed
from beacon.store import collections as c
from ingest import documents
from ingest.documents import (
    Annotation,
    Carriers,
    annotate,
    attach_carriers,
    carrier_chunks,
    core_document,
    counts_doc,
)
from ingest.normalise import AlleleError, normalise
from ingest.report import NOT_CARRIED, IngestReport
from ingest.samples import SampleIndex
from ingest.vcf import annotations as ann
from ingest.vcf import genotypes as gt
from ingest.vcf import populations as pops
from ingest.vcf.read import VcfHeader, VcfReader, VcfRecord

#: INFO fields read for the allele itself.
ALLELE_KEYS = ("END", "SVLEN", "SVTYPE")
#: Keys remembered to catch the same allele twice (duplicate rows, or two rows normalising to
#: one allele); duplicates are near each other in a sorted file, so older keys are forgotten.
RECENT_KEYS = 200_000
RECENT_SPAN = 1_000_000


def _integer(value: Any) -> int | None:
    """An INFO integer as cyvcf2 gives it: a number, or a tuple when Number is not 1."""
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class FileContext:
    """What one file's header says the pipeline can read, and how its columns map."""

    reader: VcfReader
    columns: npt.NDArray[np.uint32]  # file sample column -> dataset sample index
    layouts: tuple[ann.Layout, ...]  # ANN and/or CSQ
    population_fields: list[pops.PopulationField]
    clinvar: bool
    source: str
    identity: bool = field(init=False)  # columns are the dataset's indices: no remapping

    def __post_init__(self) -> None:
        cols = self.columns
        same = bool(np.array_equal(cols, np.arange(cols.size, dtype=np.uint32)))
        object.__setattr__(self, "identity", same)


def info_keys(
    header: VcfHeader,
) -> tuple[list[str], tuple[ann.Layout, ...], list[pops.PopulationField]]:
    """The INFO fields a file's rows are read for, its annotation layouts (SnpEff ``ANN``, VEP
    ``CSQ``: both when a file has both) and population fields."""
    found = [ann.layout(k, header.info[k].description) for k in ("ANN", "CSQ") if k in header.info]
    layouts = tuple(f for f in found if f is not None)
    fields = pops.population_fields({k: f.number for k, f in header.info.items()})
    keys = list(ALLELE_KEYS)
    if not header.has_genotypes:  # sites-only: INFO AC/AN/AF are the dataset's own counts
        keys += pops.SITE_KEYS
    keys += [k for f in fields for k in f.keys]
    keys += [k for group in ann.CLINVAR_KEYS.values() for k in group]
    keys += [f.key for f in layouts]
    return list(dict.fromkeys(keys)), layouts, fields


@dataclass
class Output:
    """One batch's documents, per collection role."""

    variants: list[dict[str, Any]] = field(default_factory=list)
    carriers: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)


class Builder:
    def __init__(
        self,
        dataset_id: str,
        assembly: str,
        report: IngestReport,
        index: SampleIndex,
        fetchers: dict[str, Fetch | None] | None = None,
    ) -> None:
        self.dataset_id = dataset_id
        self.assembly = assembly
        self.report = report
        self.index = index
        self.fetchers = fetchers  # None: no reference FASTA given
        self.max_length = 0
        self._chroms: dict[str, str | None] = {}
        self._refseqs: dict[str, str] = {}
        self._recent: dict[str, dict[int, int]] = {}  # chromosome -> key -> position

    def _chrom(self, name: str) -> str | None:
        if name not in self._chroms:
            self._chroms[name] = genome.canonical_chrom(name)
        return self._chroms[name]

    def _duplicate(self, key: int, chrom: str, pos: int) -> bool:
        recent = self._recent.setdefault(chrom, {})
        if key in recent:
            return True
        if len(recent) >= RECENT_KEYS:
            # Sorted input: a duplicate is near; keep the window behind the current position.
            self._recent[chrom] = recent = {
                k: p for k, p in recent.items() if p >= pos - RECENT_SPAN
            }
        recent[key] = pos
        return False

    def batches(
        self, ctx: FileContext, records: Iterator[VcfRecord], rows: int
    ) -> Iterator[Output]:
        """Documents of ``records``, ``rows`` VCF rows per batch."""
        batch: list[VcfRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= rows:
                yield self.build(ctx, batch)
                batch = []
        if batch:
            yield self.build(ctx, batch)

    def build(self, ctx: FileContext, records: list[VcfRecord]) -> Output:
        self.report.records_read += len(records)
        with_gt = [(i, r.gt) for i, r in enumerate(records) if r.gt is not None]
        summaries = gt.summarise(
            [g for _, g in with_gt], [len(records[i].alts) for i, _ in with_gt]
        )
        calls = dict(zip((i for i, _ in with_gt), summaries, strict=True))
        out = Output()
        groups: list[npt.NDArray[np.uint32]] = []
        ordinals: list[int] = []
        for i, record in enumerate(records):
            chrom = self._chrom(record.chrom)
            if chrom is None:
                self.report.skip("contig_not_in_assembly", len(record.alts))
                continue
            for doc, carriers in self._alleles(ctx, record, chrom, calls.get(i)):
                if self._duplicate(doc["_id"], chrom, record.pos):
                    self.report.skip("duplicate_allele")
                    continue
                out.variants.append(doc)
                self.max_length = max(self.max_length, doc[c.V_END] - doc[c.V_START])
                ordinal = self.index.ordinal(genome.RANK[chrom], doc[c.V_START])
                doc[c.V_ORDINAL] = ordinal
                if carriers is None:
                    continue
                for part in (carriers.het, carriers.hom, carriers.hemi):
                    if part.size:
                        groups.append(part)
                        ordinals.append(ordinal)
                if doc.get(c.V_SPILLED):
                    out.carriers.extend(carrier_chunks(doc["_id"], self.dataset_id, carriers))
        self.index.add_many(groups, ordinals)
        if self.index.full:
            out.runs = self.index.drain()
        return out

    def _carriers(self, ctx: FileContext, calls: gt.AlleleCalls) -> Carriers:
        if ctx.identity:
            return Carriers(calls.het, calls.hom, calls.hemi)
        cols = ctx.columns
        return Carriers(*(np.sort(cols[a]) for a in (calls.het, calls.hom, calls.hemi)))

    def _alleles(
        self, ctx: FileContext, record: VcfRecord, chrom: str, calls: gt.RowCalls | None
    ) -> Iterator[tuple[dict[str, Any], Carriers | None]]:
        info = record.info
        fetch = None
        if self.fetchers is not None:
            fetch = self.fetchers.get(chrom)
            if fetch is None:
                self.report.skip("chromosome_not_in_reference", len(record.alts))
                return
        entries = (
            [
                (fmt, ann.split_entries(info[fmt.key], fmt, record.ref, record.alts))
                for fmt in ctx.layouts
                if fmt.key in info
            ]
            if ctx.layouts
            else []
        )
        # ClinVar's INFO describes the row; with several ALTs it cannot be told whose it is.
        clinical = ann.clinical(info) if ctx.clinvar and len(record.alts) == 1 else []
        svtype = info.get("SVTYPE")
        end = _integer(info.get("END"))
        # The ID column is the same for every ALT of the row.
        row_ids, clinvar_id = (
            ann.split_ids(record.ids, bool(clinical)) if record.ids else ([], None)
        )
        # Most rows have no annotation but their ids and INFO frequencies: their documents
        # take those directly, without an Annotation per ALT (a third of the time per ALT).
        plain = not entries and not clinical
        alt_ids = documents.alternative_ids(row_ids) if plain and row_ids else []
        refseq = self._refseqs.get(chrom)
        if refseq is None:
            refseq = self._refseqs[chrom] = genome.contig(self.assembly, chrom).refseq
        for k, alt in enumerate(record.alts):
            try:
                allele = normalise(
                    chrom,
                    record.pos - 1,
                    record.ref,
                    alt,
                    end=end,
                    svlen=_integer(pops.per_allele(info.get("SVLEN"), k)) if info else None,
                    svtype=str(svtype) if svtype is not None else None,
                    reference=fetch,
                )
            except AlleleError as exc:
                self.report.skip(exc.reason)
                continue
            blocks = []
            if ctx.population_fields:
                blocks = pops.populations(info, k, ctx.population_fields, ctx.source)
            carriers = None
            if calls is not None:
                found = calls.alleles[k]
                het, hom, hemi = found.het.size, found.hom.size, found.hemi.size
                if not (het or hom or hemi):
                    self.report.skip(NOT_CARRIED)  # no sample carries it: not seen
                    continue
                counts = counts_doc(found.ac, calls.an, het, hom, hemi)
                doc = core_document(allele, refseq, counts)
                if ctx.identity:
                    # Carriers were packed for the whole batch at once: attach them as stored.
                    attach_carriers(
                        doc, dict(zip(documents.CARRIER_GROUPS, found.packed, strict=True))
                    )
                    if calls.partial is not None:
                        one, none = calls.partial
                        doc[c.V_CALLS] = {k: v for k, v in (("one", one), ("none", none)) if v}
                    carriers = Carriers(found.het, found.hom, found.hemi)
                else:
                    carriers = self._carriers(ctx, found)
                    blobs = {n: packed.encode_indices(a) for n, a in carriers.items() if a.size}
                    attach_carriers(doc, blobs)
            else:
                if pops.site_count(info, k) == 0:  # a sites-only file's AC: nobody has it
                    self.report.skip(NOT_CARRIED)
                    continue
                site = pops.site_counts(info, k)
                af = pops.site_frequency(info, k) if site is None or site.an is None else None
                if af is not None:
                    blocks.insert(0, pops.site_block(ctx.source, self.dataset_id, af))
                doc = core_document(allele, refseq, site.as_doc() if site else {})
            if plain:
                if alt_ids:
                    doc[c.V_ALT_IDS] = alt_ids
                if clinvar_id:
                    doc[c.V_CLINVAR] = clinvar_id
                if blocks:
                    doc[c.V_POPULATIONS] = blocks
            else:
                note = Annotation(ids=row_ids, clinvar_id=clinvar_id, clinical=clinical)
                for fmt, grouped in entries:
                    ann.apply_entries(note, grouped[k], fmt)
                note.populations = blocks
                annotate(doc, note)
            yield doc, carriers
