"""The CINECA BFF metadata of ../shared/data: what its load reports, what it is queried by."""

from __future__ import annotations

import pytest

from beacon.store.client import Database
from ingest import pipeline
from tests import official
from tests.conftest import ClientFactory

CINECA = official.DATA / "bff" / "cineca_uk1"
CINECA_ID = "CINECA_synthetic_cohort_EUROPE_UK1"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not CINECA.is_dir(), reason=f"the shared test data ({CINECA}) is not here"),
]


async def test_a_term_id_with_commas_filters_by_each_part(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    """CINECA's dataset names its data use as one id, 'DUO:0000019,DUO:00000020': GET filters
    are comma-separated, so it is listed and matched as its two parts."""
    files = [CINECA / "datasets.json", CINECA / "cohorts.json"]
    report = await pipeline.run_metadata(db, CINECA_ID, files, run_options)
    (note,) = [n for n in report.notes if "holds commas" in n]
    assert note.startswith("dataset term id 'DUO:0000019,DUO:00000020' (dataUseConditions")
    api = await node()
    response = await api.get("/api/filtering_terms", params={"limit": "0"})
    listed = {t["id"] for t in (await response.json())["response"]["filteringTerms"]}
    assert {"DUO:0000019", "DUO:00000020"} <= listed
    assert not [t for t in listed if "," in t]
    for term in ("DUO:0000019", "DUO:00000020"):
        response = await api.get("/api/datasets", params={"filters": term})
        body = await response.json()
        assert response.status == 200, body
        found = [r["id"] for r in body["response"]["collections"]]
        assert found == [CINECA_ID], term
