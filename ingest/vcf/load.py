"""``run_vcf``: load one or more VCF/BCF files as a dataset's variants, in one atomic load.

Every header is opened and checked (assembly, samples, INFO types, the reference FASTA) before
anything is written. Rows then stream through ``build.Builder`` in a worker thread while the
previous batch is written with unordered bulk inserts, so parsing and the database work side by
side with bounded memory: one batch being built, one being written, the sample-first index
flushed whenever its buffer is full. The load is published only when complete (``write.Load``):
queries see the previous load until then, and a failed run changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from beacon.protocol import genome
from beacon.protocol.alleles import Fetch
from beacon.store import collections as c
from beacon.store.client import Database
from beacon.store.indexes import ensure_indexes
from beacon.store.reference import FastaError, Reference
from ingest import dataset
from ingest.errors import DatasetError, IngestError
from ingest.pipeline import RunOptions
from ingest.report import IngestReport
from ingest.samples import SampleIndex, sample_documents
from ingest.vcf import annotations as ann
from ingest.vcf import genotypes as gt
from ingest.vcf.build import Builder, FileContext, Output, info_keys
from ingest.vcf.check import (
    HeaderError,
    Samples,
    check_contigs,
    check_info,
    check_samples,
    read_sample_map,
)
from ingest.vcf.read import VcfReader, VcfRecord
from ingest.write import Load, chunks


def open_checked(path: Path, assembly: str, samples: Samples) -> FileContext:
    """Open a VCF and check its header; raises ``HeaderError`` with the remedy."""
    reader = VcfReader(path, threads=1)
    try:
        header = reader.header
        check_contigs(str(path), header.contigs, assembly)
        check_info(str(path), {k: f.type for k, f in header.info.items()})
        check_samples(str(path), header.samples)
        keys, layouts, fields = info_keys(header)
        reader.info_keys = tuple(k for k in keys if k in header.info)
        # Samples without GT (somatic SV callers write only PR/SR) are loaded as sites.
        columns = samples.columns(str(path), header.samples if header.has_genotypes else [])
        clinvar = any(k in header.info for k in ann.CLINVAR_KEYS["sig"])
        return FileContext(reader, columns, layouts, fields, clinvar, path.name)
    except BaseException:
        reader.close()
        raise


def _records(ctx: FileContext, options: RunOptions) -> Iterator[VcfRecord]:
    return iter(
        tqdm(
            ctx.reader.records(),
            desc=ctx.source,
            unit=" rows",
            disable=not options.progress,
            mininterval=0.5,
        )
    )


async def _write(load: Load, out: Output, batch_size: int) -> int:
    written = 0
    for docs in chunks(out.variants, batch_size):
        written += await load.insert(c.Role.G_VARIANTS, docs)
    for docs in chunks(out.carriers, batch_size):
        await load.insert(c.Role.CARRIERS, docs)
    for docs in chunks(out.runs, batch_size):
        await load.insert(c.Role.SAMPLE_VARIANTS, docs)
    return written


async def _stream(load: Load, batches: Iterator[Output], report: IngestReport, size: int) -> None:
    """Write the batches, building batch n+1 in a worker thread while batch n is written."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while (out := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
            report.alleles_written += await _write(load, out, size)
    finally:
        # Never leave the worker reading a file that is about to be closed.
        if not pending.done():
            with contextlib.suppress(BaseException):
                await pending


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a load allocates millions of small containers that
    live a little while, and the collector kept rescanning them (half the time of building a
    document). Documents hold no reference cycles, so reference counting frees them anyway."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


async def run_vcf(
    db: Database,
    dataset_id: str,
    paths: list[Path],
    assembly: str,
    options: RunOptions,
    *,
    reference: Path | None = None,
    sample_map: Path | None = None,
) -> IngestReport:
    """Load VCF/BCF files (e.g. one per chromosome) as the dataset's variants."""
    dataset.check_id(dataset_id)
    canonical = genome.normalise_assembly(assembly)
    if canonical is None:
        raise DatasetError(f"--assembly {assembly!r} is not GRCh37 or GRCh38")
    if not paths:
        raise IngestError("no VCF file given")
    report = IngestReport(dataset_id, "variants", [str(p) for p in paths], assembly=canonical)
    samples = Samples(read_sample_map(sample_map) if sample_map else None)
    with contextlib.ExitStack() as stack:
        contexts = []
        for path in paths:
            ctx = open_checked(path, canonical, samples)
            stack.callback(ctx.reader.close)
            contexts.append(ctx)
        fetchers: dict[str, Fetch | None] | None = None
        if reference is not None:
            try:
                fasta = Reference(reference, canonical)
            except FastaError as exc:
                raise IngestError(str(exc)) from None
            stack.callback(fasta.close)
            fetchers = {chrom: fasta.fetcher(chrom) for chrom in genome.CHROMOSOMES}
        index = SampleIndex(dataset_id, len(samples.biosamples))
        builder = Builder(dataset_id, canonical, report, index, fetchers)
        rows = min(options.settings.batch_size, gt.batch_rows(max(1, len(samples.biosamples))))
        stack.enter_context(no_cyclic_gc())
        async with Load(db, dataset_id, "variants", grace_s=options.settings.swap_grace_s) as load:
            # Indexes maintained while writing cost less than building them afterwards: a
            # build rescans every (large) variant document once per index.
            for role in load.roles:
                await ensure_indexes(db, load.collection_name(role), role)
            for ctx in contexts:
                batches = builder.batches(ctx, _records(ctx, options), rows)
                await _stream(load, batches, report, options.settings.batch_size)
            runs = [*index.drain(final=True), *index.order_documents()]
            await _write(load, Output(runs=runs), options.settings.batch_size)
            docs = sample_documents(
                dataset_id, samples.biosamples, samples.individuals, index.per_sample
            )
            for batch in chunks(docs, options.settings.batch_size):
                await load.insert(c.Role.SAMPLES, batch)
            report.samples = len(docs)
            await load.publish(
                sources=report.sources,
                assembly=canonical,
                max_length=builder.max_length,
                test=options.test,
            )
        # Only now: a failed load must not leave even the dataset's (minimal) record behind.
        await dataset.ensure_record(db, dataset_id)
    report.documents = dict(load.counts)
    named = list(zip(samples.biosamples, samples.individuals, strict=True))
    known = await dataset.biosample_individuals(db, dataset_id)
    dataset.report_links(report, dataset.Links.of(named, known))
    await dataset.report_visibility(db, dataset_id, options.access, report)
    return report.finish()


__all__ = ["HeaderError", "run_vcf"]
