"""BFF genomicVariations loads: an allele whose caseLevelData is empty has not been seen."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import pipeline

CHECKLIST = Path(__file__).parents[1] / "data" / "checklist"


async def test_an_empty_case_level_data_is_not_stored(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    records: list[dict[str, Any]] = json.loads(
        (CHECKLIST / "ds1" / "genomicVariations.json").read_text()
    )
    nobody = copy.deepcopy(records[0])
    nobody["variation"]["alternateBases"] = "C"
    nobody["caseLevelData"] = []  # genotyped, and no sample carries it
    sites = copy.deepcopy(records[0])
    sites["variation"]["alternateBases"] = "T"
    del sites["caseLevelData"]  # no genotypes at all: kept, as a sites-only file's allele
    path = tmp_path / "genomicVariations.json"
    path.write_text(json.dumps([records[0], nobody, sites]))
    report = await pipeline.run_bff_variants(db, "ds", path, "GRCh38", run_options)
    assert (report.alleles_written, dict(report.skipped)) == (2, {"not_carried": 1})
    entry = await catalog.get(db, "ds")
    assert entry is not None
    stored = db[str(entry.collection(c.Role.G_VARIANTS))]
    assert sorted([d[c.V_ALT] async for d in stored.find({})]) == ["A", "T"]
