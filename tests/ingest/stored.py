"""Stored variants as tests read them: the lean document with the record it renders to."""

from __future__ import annotations

from typing import Any

from beacon.node import render
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database

#: Where the view keeps the rendered record whole (the node's view of the variant).
RECORD = "_record"


async def variants(db: Database, dataset: str) -> list[dict[str, Any]]:
    """Each stored variant of the dataset's load: its stored fields, the fields of the Beacon
    record the node renders from it, and that record whole under ``RECORD``."""
    entry = await catalog.get(db, dataset)
    assert entry is not None
    assert entry.assembly is not None
    name = entry.collection(c.Role.G_VARIANTS)
    assert name is not None
    found = []
    async for doc in db[name].find({}):
        record = render.variant(doc, dataset, entry.assembly)
        assert not record.keys() & doc.keys()
        found.append({**doc, **record, RECORD: record})
    return found


def counts(doc: dict[str, Any]) -> dict[str, int]:
    """A variant's stored counts with the zeros that are not stored, and its carriers."""
    stored = doc[c.V_COUNTS]
    found = {"het": 0, "hom": 0, "hemi": 0, **stored}
    found["carriers"] = found["het"] + found["hom"] + found["hemi"]
    return found
