"""BFF metadata -> a dataset's metadata load: validated, annotated for filters, published at once.

Individuals, biosamples, runs, analyses, datasets and cohorts from Beacon-Friendly-Format JSON
(arrays or JSON Lines). Every record is checked against the project's entity schemas before
anything is written; if any is refused, the report lists each with its JSON path and nothing
changes. Records get ``_terms``/``_durations`` for filters, and the load's filtering terms are
written with it, so they switch over together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beacon.protocol.entry_types import BY_PATH
from beacon.protocol.filters import term_ids
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import bff, dataset
from ingest.errors import IngestError
from ingest.report import IngestReport
from ingest.schemas import problems
from ingest.terms import TermCollector, annotate
from ingest.write import Load, chunks, upsert_records

MAX_REPORTED = 20


class MetadataError(IngestError):
    """Input the metadata load refuses; the message lists what and where."""


@dataclass(frozen=True)
class Refused:
    file: str
    index: int
    record_id: str | None
    path: str
    message: str

    def __str__(self) -> str:
        who = f" (id {self.record_id})" if self.record_id else ""
        return f"{self.file}[{self.index}]{who}: {self.path}: {self.message}"


def gather_files(paths: Iterable[Path]) -> dict[str, Path]:
    """BFF metadata files by entity name, from files and directories."""
    files: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            files.update({k: v for k, v in bff.find_files(path).items() if k in bff.ENTITY_FILES})
            continue
        name = bff.entity_name(path)
        if name not in bff.ENTITY_FILES:
            raise MetadataError(
                f"{path}: cannot tell which entity it holds; name it one of "
                + ", ".join(f"{n}.json" for n in bff.ENTITY_FILES)
            )
        files[name] = path
    if not files:
        raise MetadataError("no BFF metadata files found (individuals.json, biosamples.json, ...)")
    return files


def check(records: dict[str, list[dict[str, Any]]], files: dict[str, Path]) -> list[Refused]:
    """Every schema problem of every record, and duplicate ids within an entity."""
    refused: list[Refused] = []
    for name, items in records.items():
        seen: set[str] = set()
        for index, record in enumerate(items):
            rid = record.get("id") if isinstance(record.get("id"), str) else None
            for problem in problems(name, record):
                refused.append(Refused(files[name].name, index, rid, problem.path, problem.message))
            if rid is not None:
                if rid in seen:
                    refused.append(Refused(files[name].name, index, rid, "id", "duplicate id"))
                seen.add(rid)
    return refused


def _refusal(refused: list[Refused]) -> MetadataError:
    lines = [str(r) for r in refused[:MAX_REPORTED]]
    more = len(refused) - len(lines)
    if more:
        lines.append(f"... and {more} more")
    return MetadataError(
        f"{len(refused)} problem(s) in the input; nothing was loaded:\n" + "\n".join(lines)
    )


def _document(
    record: dict[str, Any], dataset_id: str, where: str, collector: TermCollector
) -> dict[str, Any]:
    doc = bff.metadata_document(record, dataset_id, where)
    collector.add(record)
    doc.update(annotate(record))
    return doc


async def load(
    db: Database,
    dataset_id: str,
    paths: list[Path],
    *,
    batch_size: int,
    grace_s: float,
    test: bool | None,
    progress: Any = None,
) -> IngestReport:
    """Validate, then load the metadata of one dataset as its new metadata load."""
    report = IngestReport(dataset_id, "metadata", [str(p) for p in paths])
    files = gather_files(paths)
    records = {name: list(bff.read_records(path)) for name, path in files.items()}
    refused = check(records, files)
    if refused:
        raise _refusal(refused)
    datasets = records.get("datasets")
    if datasets is not None and [r["id"] for r in datasets] != [dataset_id]:
        described = ", ".join(str(r["id"]) for r in datasets) or "nothing"
        raise MetadataError(
            f"the datasets file describes {described}, but --dataset is {dataset_id}: "
            "load one dataset record per dataset, with that id"
        )
    for name, items in records.items():
        report.records_read += len(items)
        report.documents[name] = len(items)
    cohorts = records.get("cohorts", [])
    members = bff.cohort_members([bff.metadata_document(r, dataset_id, "cohorts") for r in cohorts])
    async with Load(db, dataset_id, "metadata", grace_s=grace_s) as new:
        collectors: list[TermCollector] = []
        for role in c.METADATA_ROLES:
            name = role.value
            collector = TermCollector(BY_PATH[name].id)
            collectors.append(collector)
            items = records.get(name, [])
            docs = [
                _document(r, dataset_id, f"{name}[{i}]", collector) for i, r in enumerate(items)
            ]
            if role is c.Role.INDIVIDUALS:
                for doc in docs:
                    doc[c.COHORT_IDS] = [
                        cid
                        for cid, listed in members.items()
                        if listed is None or doc["_id"] in listed
                    ]
            iterable = progress(docs, name) if progress else docs
            for batch in chunks(iterable, batch_size):
                await new.insert(role, batch)
        globals_: dict[str, list[dict[str, Any]]] = {}
        for name, collection in (("datasets", c.DATASETS), ("cohorts", c.COHORTS)):
            collector = TermCollector(BY_PATH[name].id)
            collectors.append(collector)
            globals_[collection] = [
                _document(r, dataset_id, f"{name}[{i}]", collector)
                for i, r in enumerate(records.get(name, []))
            ]
        terms = [
            doc for collector in collectors for doc in collector.documents(dataset_id, new.load_id)
        ]
        for collector in collectors:
            for term, path in sorted(collector.lists.items()):
                parts = ", ".join(term_ids(term))
                report.note(
                    f"{collector.scope} term id {term!r} ({path}) holds commas, which separate "
                    f"GET filters: it is listed and filtered as {parts}; write one id per term"
                )
        for batch in chunks(terms, batch_size):
            await db[c.FILTERING_TERMS].insert_many(batch, ordered=False)
        await new.publish(sources=report.sources, test=test)
    if datasets is not None:
        await upsert_records(db, c.DATASETS, globals_[c.DATASETS])
    else:
        await dataset.ensure_record(db, dataset_id)
    cohort_docs = globals_[c.COHORTS]
    await db[c.COHORTS].delete_many(
        {c.DATASET_ID: dataset_id, "_id": {"$nin": [d["_id"] for d in cohort_docs]}}
    )
    await upsert_records(db, c.COHORTS, cohort_docs)
    return report.finish()
