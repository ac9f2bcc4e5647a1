"""The rules every load applies to its dataset: a valid id, a dataset record, its samples.

A dataset exists for queries once it has a record in the global ``datasets`` collection; a load
that brings none (a VCF, a variants file) gets the minimal record below, annotated for filters
like every other record, unless the dataset has one already.

Every load's report then says what the operator cannot see from the counts alone: how the
samples of the variants link to individuals (the node follows the dataset's current
biosamples, whichever load comes first), and whether the node will hide the dataset because
its configuration does not declare it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beacon.config import AccessSettings
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from ingest.errors import DatasetError
from ingest.report import IngestReport
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


async def variant_samples(db: Database, dataset_id: str) -> list[tuple[str, str | None]] | None:
    """(biosampleId, individualId named by the load) of the dataset's variants load, if any."""
    entry = await catalog.get(db, dataset_id)
    name = entry.collection(c.Role.SAMPLES) if entry else None
    if not name:
        return None
    found: list[tuple[str, str | None]] = []
    async for doc in db[name].find({}, {c.S_BIOSAMPLE: 1, c.S_INDIVIDUAL: 1}):
        person = doc.get(c.S_INDIVIDUAL)
        found.append((str(doc.get(c.S_BIOSAMPLE)), person if isinstance(person, str) else None))
    return found


@dataclass(frozen=True)
class Links:
    """How the samples of a dataset's variants link to individuals."""

    samples: int = 0
    named: int = 0  # by the variants load itself: --sample-map, or a BFF call's individualId
    biosamples: int = 0  # through the dataset's biosamples (biosampleId -> individualId)

    @property
    def unlinked(self) -> int:
        return self.samples - self.named - self.biosamples

    @classmethod
    def of(cls, samples: list[tuple[str, str | None]], individuals: dict[str, str]) -> Links:
        named = sum(1 for _, person in samples if person)
        through = sum(1 for b, person in samples if not person and b in individuals)
        return cls(len(samples), named, through)

    def as_doc(self) -> dict[str, int]:
        return {
            "samples": self.samples,
            "namedByVariants": self.named,
            "throughBiosamples": self.biosamples,
            "unlinked": self.unlinked,
        }

    def sentence(self) -> str:
        linked = self.named + self.biosamples
        if self.samples == 0:
            return "the variants have no samples: no individual carries them"
        text = f"{linked} of {self.samples} samples link to individuals"
        if linked:
            text += f" ({self.named} named by the variants load, {self.biosamples} through the "
            text += "dataset's biosamples)"
        if self.unlinked:
            text += (
                f"; {self.unlinked} link to none until biosamples with those biosampleIds (and "
                "their individualId) are loaded, before or after the variants"
            )
        return text


def report_links(report: IngestReport, links: Links) -> None:
    report.links = links.as_doc()
    report.note(links.sentence())


async def report_visibility(
    db: Database, dataset_id: str, access: AccessSettings, report: IngestReport
) -> None:
    """Say so in the report when the node will hide the dataset, and how to declare it."""
    entry = await catalog.get(db, dataset_id)
    if not access.hides(dataset_id, bool(entry and entry.test)):
        return
    report.note(
        f"dataset {dataset_id} is hidden: the node answers no query about it (datasetIds="
        f"{dataset_id} is an unknown dataset) until its configuration declares it: "
        f'[[access.datasets]] id = "{dataset_id}", security_level = "PUBLIC" (or REGISTERED, '
        'or CONTROLLED with visa_values); or access.undeclared_datasets = "public" '
        "(BEACON_UNDECLARED_DATASETS=public) opens every undeclared dataset"
    )
