"""Ontologies supplied by the operator (OBO, OWL, OBO Graphs JSON) -> stored term closures.

``beacon-ingest ontology FILE`` parses the file with pronto and stores, for every term, its
label, direct parents and the transitive closure of its ``is_a`` ancestors. A filter with
``includeDescendantTerms`` then finds the descendants of a term in one indexed lookup
(``ancestors`` = term), and ``/filtering_terms`` labels terms from here. Nothing is fetched
from the network; loading the same ontology again replaces its terms.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pronto.ontology
from pymongo import DeleteMany, ReplaceOne

from beacon.store import collections as c
from beacon.store.client import Database
from beacon.store.indexes import ensure_global_indexes
from ingest.errors import IngestError
from ingest.report import IngestReport
from ingest.write import chunks


class OntologyError(IngestError):
    """The file is not an ontology pronto can read."""


@dataclass(frozen=True)
class Ontology:
    prefix: str
    title: str | None
    version: str | None
    terms: list[dict[str, Any]]


def read(path: Path) -> Ontology:
    """Parse an ontology file into term documents (pure apart from reading the file)."""
    try:
        with warnings.catch_warnings():
            # pronto warns about OWL constructs it skips; they do not affect is_a closures.
            warnings.simplefilter("ignore")
            ontology = pronto.ontology.Ontology(str(path))
    except Exception as exc:  # pronto raises many kinds of parse errors
        raise OntologyError(
            f"{path}: not a readable OBO, OWL or OBO Graphs JSON ontology: {exc}"
        ) from None
    docs = []
    prefixes: Counter[str] = Counter()
    for term in ontology.terms():
        if term.obsolete or ":" not in term.id:
            continue
        prefixes[term.id.split(":", 1)[0]] += 1
        parents = sorted(t.id for t in term.superclasses(distance=1, with_self=False))
        ancestors = sorted(t.id for t in term.superclasses(with_self=False))
        doc: dict[str, Any] = {
            "_id": term.id,
            c.OT_PARENTS: parents,
            c.OT_ANCESTORS: ancestors,
        }
        if term.name:
            doc[c.OT_LABEL] = term.name
        docs.append(doc)
    if not docs:
        raise OntologyError(f"{path}: no terms with CURIE ids (like HP:0001250) found")
    prefix = prefixes.most_common(1)[0][0]
    for doc in docs:
        doc[c.OT_ONTOLOGY] = prefix
    meta = ontology.metadata
    return Ontology(prefix, meta.ontology or None, meta.data_version or None, docs)


async def load(db: Database, path: Path, batch_size: int = 2000) -> IngestReport:
    """Store an ontology's terms and closures, replacing an earlier load of the same prefix."""
    report = IngestReport(dataset="-", kind="ontology", sources=[str(path)])
    parsed = read(path)
    report.records_read = len(parsed.terms)
    await ensure_global_indexes(db)
    ids = [doc["_id"] for doc in parsed.terms]
    await db[c.ONTOLOGY_TERMS].bulk_write(
        [DeleteMany({c.OT_ONTOLOGY: parsed.prefix, "_id": {"$nin": ids}})], ordered=False
    )
    for batch in chunks(parsed.terms, batch_size):
        await db[c.ONTOLOGY_TERMS].bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in batch], ordered=False
        )
    await db[c.ONTOLOGIES].replace_one(
        {"_id": parsed.prefix},
        {
            "_id": parsed.prefix,
            "title": parsed.title,
            "version": parsed.version,
            "file": path.name,
            "terms": len(parsed.terms),
            "loaded": dt.datetime.now(dt.UTC),
        },
        upsert=True,
    )
    report.documents = {"ontology_terms": len(parsed.terms)}
    return report.finish()
