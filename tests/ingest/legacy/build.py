"""The variant builder as it was before the lean stored variant (issue 15), kept only as the
oracle of ``tests/ingest/test_render.py``: the Beacon records it stored are what the node must
still serve, rendered from the lean documents. Sample-first runs are left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from beacon.protocol import genome
from beacon.protocol.alleles import Fetch
from ingest.documents import Annotation
from ingest.normalise import AlleleError, normalise
from ingest.report import NOT_CARRIED, IngestReport
from ingest.vcf import annotations as ann
from ingest.vcf import genotypes as gt
from ingest.vcf.build import FileContext
from ingest.vcf.read import VcfRecord
from tests.ingest.legacy import documents
from tests.ingest.legacy import populations as pops
from tests.ingest.legacy.documents import Carriers, Counts, carrier_chunks, variant_document

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
        fetchers: dict[str, Fetch | None] | None = None,
    ) -> None:
        self.dataset_id = dataset_id
        self.assembly = assembly
        self.report = report
        self.fetchers = fetchers  # None: no reference FASTA given
        self.max_length = 0
        self._chroms: dict[str, str | None] = {}
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
        keys: list[int] = []
        ranks: list[int] = []
        starts: list[int] = []
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
                self.max_length = max(self.max_length, doc["_end"] - doc["_start"])
                if carriers is None:
                    continue
                for part in (carriers.het, carriers.hom, carriers.hemi):
                    if part.size:
                        groups.append(part)
                        keys.append(doc["_id"])
                        ranks.append(genome.RANK[chrom])
                        starts.append(doc["_start"])
                if doc.get("_spilled"):
                    out.carriers.extend(carrier_chunks(doc["_id"], self.dataset_id, carriers))
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
        entries = [
            (fmt, ann.split_entries(info[fmt.key], fmt, record.ref, record.alts))
            for fmt in ctx.layouts
            if fmt.key in info
        ]
        # ClinVar's INFO describes the row; with several ALTs it cannot be told whose it is.
        clinical = ann.clinical(info) if ctx.clinvar and len(record.alts) == 1 else []
        svtype = info.get("SVTYPE")
        end = _integer(info.get("END"))
        ids = Annotation()  # the ID column is the same for every ALT of the row
        ann.identifiers(ids, record.ids, bool(clinical))
        for k, alt in enumerate(record.alts):
            try:
                allele = normalise(
                    chrom,
                    record.pos - 1,
                    record.ref,
                    alt,
                    end=end,
                    svlen=_integer(pops.per_allele(info.get("SVLEN"), k)),
                    svtype=str(svtype) if svtype is not None else None,
                    reference=fetch,
                )
            except AlleleError as exc:
                self.report.skip(exc.reason)
                continue
            note = Annotation(ids=list(ids.ids), clinvar_id=ids.clinvar_id)
            for fmt, grouped in entries:
                ann.apply_entries(note, grouped[k], fmt)
            note.clinical = clinical
            note.populations = pops.populations(
                info, k, ctx.population_fields, ctx.source, ctx.source
            )
            carriers = None
            if calls is not None:
                found = calls.alleles[k]
                if not (found.het.size or found.hom.size or found.hemi.size):
                    self.report.skip(NOT_CARRIED)  # no sample carries it: not seen
                    continue
                carriers = self._carriers(ctx, found)
                counts = Counts(
                    ac=found.ac,
                    an=calls.an,
                    het=int(found.het.size),
                    hom=int(found.hom.size),
                    hemi=int(found.hemi.size),
                    carriers=int(found.het.size + found.hom.size + found.hemi.size),
                )
            else:
                if pops.site_count(info, k) == 0:  # a sites-only file's AC: nobody has it
                    self.report.skip(NOT_CARRIED)
                    continue
                counts = pops.site_counts(info, k) or Counts()
                af = pops.site_frequency(info, k) if counts.an is None else None
                if af is not None:
                    note.populations.insert(
                        0,
                        {
                            "source": ctx.source,
                            "sourceReference": ctx.source,
                            "frequencies": [{"population": self.dataset_id, "alleleFrequency": af}],
                        },
                    )
            if calls is not None and ctx.identity:
                # Carriers were packed for the whole batch at once: attach them as stored.
                doc = variant_document(self.dataset_id, self.assembly, allele, counts, note)
                blobs = dict(zip(documents.CARRIER_GROUPS, calls.alleles[k].packed, strict=True))
                documents.attach_carriers(doc, blobs)
                if calls.partial is not None:
                    one, none = calls.partial
                    doc["_calls"] = {k: v for k, v in (("one", one), ("none", none)) if v}
            else:
                doc = variant_document(
                    self.dataset_id, self.assembly, allele, counts, note, carriers
                )
            yield doc, carriers
