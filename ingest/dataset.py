"""The rules every load applies to its dataset: a valid id, a dataset record, its samples.

A dataset exists for queries once it has a record in the global ``datasets`` collection; a load
that brings none (a VCF, a variants file) gets the minimal record below, annotated for filters
like every other record, unless the dataset has one already.
"""

from __future__ import annotations

from typing import Any

from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from ingest.errors import DatasetError
from ingest.terms import annotate
from ingest.write import upsert_records


def check_id(dataset_id: str) -> None:
    if not c.is_valid_dataset_id(dataset_id):
        raise DatasetError(
            f"dataset id {dataset_id!r} is not valid: use letters, digits, '_' and '-' "
            "(up to 80 characters, starting with a letter or digit)"
        )


def minimal_record(dataset_id: str) -> dict[str, Any]:
    """The dataset record of a dataset loaded without one: its id as its name."""
    record = {"id": dataset_id, "name": dataset_id}
    return {**record, "_id": dataset_id, c.DATASET_ID: dataset_id, **annotate(record)}


async def ensure_record(db: Database, dataset_id: str) -> None:
    """Give the dataset its minimal record unless it has a record already."""
    if await db[c.DATASETS].find_one({"_id": dataset_id}, {"_id": 1}) is None:
        await upsert_records(db, c.DATASETS, [minimal_record(dataset_id)])


async def biosample_individuals(db: Database, dataset_id: str) -> dict[str, str]:
    """biosampleId -> individualId from the dataset's loaded biosamples, if any."""
    entry = await catalog.get(db, dataset_id)
    name = entry.collection(c.Role.BIOSAMPLES) if entry else None
    if not name:
        return {}
    mapping: dict[str, str] = {}
    async for doc in db[name].find({}, {c.INDIVIDUAL_ID: 1}):
        if isinstance(doc.get(c.INDIVIDUAL_ID), str):
            mapping[doc["_id"]] = doc[c.INDIVIDUAL_ID]
    return mapping
