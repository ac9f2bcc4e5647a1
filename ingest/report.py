"""The machine-readable summary every ingest run ends with."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: The skip reason of an allele nobody carries (an ALT of a multi-allelic row no sample has, a
#: sites-only row with AC 0, a BFF record with an empty caseLevelData): a beacon answers for
#: alleles seen, so it is not stored.
NOT_CARRIED = "not_carried"


@dataclass
class IngestReport:
    dataset: str
    kind: str
    sources: list[str]
    records_read: int = 0
    alleles_written: int = 0
    documents: dict[str, int] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    samples: int = 0
    assembly: str | None = None
    #: How the samples of the dataset's variants link to individuals (``dataset.Links``).
    links: dict[str, int] | None = None
    #: What the operator should know: printed on stderr too.
    notes: list[str] = field(default_factory=list)
    began: float = field(default_factory=time.perf_counter)
    elapsed_s: float = 0.0

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def note(self, text: str) -> None:
        self.notes.append(text)

    def finish(self) -> IngestReport:
        self.elapsed_s = time.perf_counter() - self.began
        unseen = self.skipped.get(NOT_CARRIED, 0)
        if unseen:
            self.note(
                f"{unseen} alleles no sample carries (skipped: {NOT_CARRIED}) were not stored: "
                "the beacon answers only for alleles seen in the dataset"
            )
        return self

    def as_json(self) -> dict[str, Any]:
        rate = self.records_read / self.elapsed_s if self.elapsed_s > 0 else 0.0
        body: dict[str, Any] = {
            "dataset": self.dataset,
            "kind": self.kind,
            "sources": self.sources,
            "recordsRead": self.records_read,
            "documents": self.documents,
            "skipped": dict(sorted(self.skipped.items())),
            "elapsedSeconds": round(self.elapsed_s, 3),
            "recordsPerSecond": round(rate, 1),
        }
        if self.kind == "variants":
            body["allelesWritten"] = self.alleles_written
            body["samples"] = self.samples
            body["assembly"] = self.assembly
        if self.links is not None:
            body["individualLinks"] = self.links
        if self.notes:
            body["notes"] = self.notes
        return body

    def dumps(self) -> str:
        return json.dumps(self.as_json(), indent=2)
