"""Composes the ingest stages into runs: metadata, BFF variants, VCF variants, deletion.

Each run writes a new load of one dataset and publishes it only when complete (``write.Load``),
then returns an ``IngestReport``. Tests and notebooks call these functions directly; the CLI is
a thin wrapper.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from tqdm import tqdm

from beacon.config import AccessSettings, IngestSettings
from beacon.protocol import genome
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import bff, dataset, metadata
from ingest.documents import Carriers, Counts, carrier_chunks, variant_document
from ingest.errors import DatasetError
from ingest.normalise import AlleleError
from ingest.report import NOT_CARRIED, IngestReport
from ingest.samples import SampleIndex, sample_documents
from ingest.write import Load, chunks

log = logging.getLogger("ingest")
T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    settings: IngestSettings
    progress: bool = False
    test: bool | None = None
    #: The node's access settings: whether it will hide the dataset (the report says so).
    access: AccessSettings = field(default_factory=AccessSettings)


def _progress(
    items: Iterable[T], options: RunOptions, desc: str, total: int | None = None
) -> Iterator[T]:
    return iter(
        tqdm(
            items,
            desc=desc,
            total=total,
            unit=" rec",
            disable=not options.progress,
            mininterval=0.5,
        )
    )


async def run_metadata(
    db: Database, dataset_id: str, paths: list[Path], options: RunOptions
) -> IngestReport:
    """Load individuals, biosamples, runs, analyses, datasets and cohorts from BFF files."""
    dataset.check_id(dataset_id)

    def progress(items: list[Any], name: str) -> Iterator[Any]:
        return _progress(items, options, name)

    report = await metadata.load(
        db,
        dataset_id,
        paths,
        batch_size=options.settings.batch_size,
        grace_s=options.settings.swap_grace_s,
        test=options.test,
        progress=progress,
    )
    samples = await dataset.variant_samples(db, dataset_id)
    if samples is not None:
        individuals = await dataset.biosample_individuals(db, dataset_id)
        dataset.report_links(report, dataset.Links.of(samples, individuals))
    await dataset.report_visibility(db, dataset_id, options.access, report)
    return report


class VariantSink:
    """Collects variant documents, carriers and the sample-first index into one load."""

    def __init__(self, load: Load, report: IngestReport, batch_size: int) -> None:
        self.load = load
        self.report = report
        self.batch_size = batch_size
        self.index = SampleIndex(load.dataset_id, 0)
        self.batch: list[dict[str, Any]] = []
        self.spilled: list[dict[str, Any]] = []
        self.max_length = 0

    async def add(self, doc: dict[str, Any], carriers: Carriers | None) -> None:
        self.max_length = max(self.max_length, doc[c.V_END] - doc[c.V_START])
        doc[c.V_ORDINAL] = self.index.ordinal(genome.RANK[doc[c.V_CHROM]], doc[c.V_START])
        if carriers is not None and carriers.count:
            self.index.add(carriers.all(), doc[c.V_ORDINAL])
            if doc.get(c.V_SPILLED):
                self.spilled.extend(carrier_chunks(doc["_id"], self.load.dataset_id, carriers))
        self.batch.append(doc)
        if len(self.batch) >= self.batch_size:
            await self.flush()

    async def flush(self, final: bool = False) -> None:
        written = await self.load.insert(c.Role.G_VARIANTS, self.batch)
        self.report.alleles_written += written
        self.batch = []
        if self.spilled:
            await self.load.insert(c.Role.CARRIERS, self.spilled)
            self.spilled = []
        if self.index.full or final:
            runs = self.index.drain(final)
            if final:
                runs += self.index.order_documents()
            for run in chunks(runs, self.batch_size):
                await self.load.insert(c.Role.SAMPLE_VARIANTS, run)


async def run_bff_variants(
    db: Database, dataset_id: str, path: Path, assembly: str, options: RunOptions
) -> IngestReport:
    """Load a genomicVariations BFF file (with caseLevelData carriers) as the dataset's variants."""
    dataset.check_id(dataset_id)
    canonical = genome.normalise_assembly(assembly)
    if canonical is None:
        raise DatasetError(f"--assembly {assembly!r} is not GRCh37 or GRCh38")
    report = IngestReport(dataset_id, "variants", [str(path)], assembly=canonical)
    individuals: dict[str, str] = {}  # named by the calls themselves
    sample_of: dict[str, int] = {}
    seen: set[int] = set()
    await dataset.ensure_record(db, dataset_id)
    async with Load(db, dataset_id, "variants", grace_s=options.settings.swap_grace_s) as load:
        sink = VariantSink(load, report, options.settings.batch_size)
        for i, record in enumerate(_progress(bff.read_records(path), options, "variants")):
            report.records_read += 1
            where = f"{path}[{i}]"
            try:
                allele = bff.variant_allele(record, where)
            except AlleleError as exc:
                report.skip(exc.reason)
                continue
            calls = record.get("caseLevelData")
            if isinstance(calls, list) and not calls:
                report.skip(NOT_CARRIED)  # genotyped, and nobody carries it: not seen
                continue
            groups: dict[str, list[int]] = {"het": [], "hom": [], "hemi": []}
            for call in calls or []:
                biosample = call.get("biosampleId")
                if not isinstance(biosample, str):
                    raise DatasetError(f"{where}: a caseLevelData entry has no biosampleId")
                index = sample_of.setdefault(biosample, len(sample_of))
                if isinstance(call.get("individualId"), str):
                    individuals.setdefault(biosample, call["individualId"])
                groups[bff.zygosity(call)].append(index)
            sink.index.grow(len(sample_of))
            carriers = Carriers(
                *(np.unique(np.asarray(groups[k], dtype=np.uint32)) for k in ("het", "hom", "hemi"))
            )
            counts = Counts(
                het=int(carriers.het.size),
                hom=int(carriers.hom.size),
                hemi=int(carriers.hemi.size),
                carriers=int(carriers.all().size),
            )
            doc = variant_document(
                dataset_id, canonical, allele, counts, bff.annotation(record), carriers
            )
            if doc["_id"] in seen:
                report.skip("duplicate_allele")
                continue
            seen.add(doc["_id"])
            await sink.add(doc, carriers)
        await sink.flush(final=True)
        biosamples = list(sample_of)
        samples = sample_documents(
            dataset_id, biosamples, [individuals.get(b) for b in biosamples], sink.index.per_sample
        )
        for batch in chunks(samples, options.settings.batch_size):
            await load.insert(c.Role.SAMPLES, batch)
        report.samples = len(samples)
        await load.publish(
            sources=report.sources,
            assembly=canonical,
            max_length=sink.max_length,
            test=options.test,
        )
    report.documents = dict(load.counts)
    named = [(b, individuals.get(b)) for b in biosamples]
    known = await dataset.biosample_individuals(db, dataset_id)
    dataset.report_links(report, dataset.Links.of(named, known))
    await dataset.report_visibility(db, dataset_id, options.access, report)
    return report.finish()


async def delete_dataset(db: Database, dataset_id: str, grace_s: float) -> bool:
    """Remove a dataset and everything loaded for it."""
    return await catalog.remove(db, dataset_id, grace_s)
