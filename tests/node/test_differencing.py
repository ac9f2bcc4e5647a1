"""Attacks a caller can script against a threshold, each run against a node: nothing the
threshold suppresses comes out.

The dataset is answered at count level to anonymous callers, with ``min_count = 5``. Its 40
people are made so that each attack has a small count to find: one person with ICD10:A00 (a
rare term), twelve with B00 and not A00, twenty with C00 of whom one is male, BMIs that step
by one person, and variants in a window carried one person at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from beacon.store.client import Database
from ingest import pipeline
from ingest.vcf.load import run_vcf
from tests.auth import DAC, Issuers, bearer, grant_value
from tests.conftest import Client
from tests.ingest.test_vcf_load import HEADER
from tests.node.conftest import Configured

K = 5
PEOPLE = 40
POLICY = f"""
[[access.datasets]]
id = "cohort"
security_level = "CONTROLLED"
visa_values = ["{grant_value("cohort")}"]
visa_issuers = ["{DAC}"]
public = "count"
min_count = {K}
"""
FEMALE = {"id": "NCIT:C16576", "label": "female"}
MALE = {"id": "NCIT:C20197", "label": "male"}


def people() -> list[dict[str, Any]]:
    found = []
    for i in range(PEOPLE):
        diseases = []
        if i == 0:
            diseases.append("A00")  # the rare term: one person
        if 1 <= i <= 12:
            diseases.append("B00")
        if 20 <= i < 40:
            diseases.append("C00")  # twenty people, one of them (i = 39) male
        sex = MALE if i == 39 or i < 10 else FEMALE
        found.append(
            {
                "id": f"p{i:02d}",
                "sex": sex,
                "diseases": [{"diseaseCode": {"id": f"ICD10:{d}", "label": d}} for d in diseases],
                "measures": [
                    {
                        "assayCode": {"id": "LOINC:39156-5", "label": "BMI"},
                        "measurementValue": {"value": 20 + i, "unit": {"id": "NCIT:C49671"}},
                    }
                ],
            }
        )
    return found


def biosamples() -> list[dict[str, Any]]:
    return [
        {
            "id": f"p{i:02d}",
            "individualId": f"p{i:02d}",
            "biosampleStatus": {"id": "EFO:0009654", "label": "reference sample"},
            "sampleOriginType": {"id": "UBERON:0000178", "label": "blood"},
        }
        for i in range(PEOPLE)
    ]


def vcf(path: Path) -> Path:
    """Variants on chromosome 1 from 1001 on: variant j is carried by people 0..j (j + 1 of
    them), so a window grows by one carrier with every variant it takes in; the last one is
    carried by everyone."""
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(
        f"p{i:02d}" for i in range(PEOPLE)
    )
    rows = []
    for j in range(PEOPLE):
        calls = ["0/1" if i <= j else "0/0" for i in range(PEOPLE)]
        rows.append(f"1\t{1001 + j}\t.\tA\tG\t50\tPASS\t.\tGT\t" + "\t".join(calls))
    path.write_text(HEADER + columns + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
async def cohort(db: Database, tmp_path: Path, run_options: pipeline.RunOptions) -> Database:
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "individuals.json").write_text(json.dumps(people()))
    (folder / "biosamples.json").write_text(json.dumps(biosamples()))
    await pipeline.run_metadata(db, "cohort", [folder], run_options)
    await run_vcf(db, "cohort", [vcf(tmp_path / "c.vcf")], "GRCh37", run_options)
    return db


async def count(api: Client, path: str, **params: str) -> int:
    response = await api.get(path, params={**params, "requestedGranularity": "count"})
    body = await response.json()
    assert response.status == 200, body
    total = body["responseSummary"]["numTotalResults"]
    assert isinstance(total, int)
    return total


def assert_nothing_small(*answers: int) -> None:
    """Every answer a multiple of the threshold: so is every sum or difference of them, and
    none of those is a count from 1 to K - 1."""
    assert all(a % K == 0 for a in answers), answers
    differences = {abs(a - b) for a in answers for b in answers}
    assert not differences & set(range(1, K)), differences


async def test_or_group_differencing(cohort: Database, configured: Configured) -> None:
    api = await configured(POLICY)
    rare = await count(api, "/api/individuals", filters="ICD10:A00")
    others = await count(api, "/api/individuals", filters="ICD10:B00")
    both = await count(api, "/api/individuals", filters="ICD10:A00,ICD10:B00")
    assert rare == 0
    assert both - others == 0  # was 1: the rare person, recovered from two allowed answers
    assert_nothing_small(rare, others, both)


async def test_and_splitting(cohort: Database, configured: Configured) -> None:
    api = await configured(POLICY)
    a = await count(api, "/api/individuals", filters="ICD10:C00")
    a_and_b = await count(api, "/api/individuals", filters="ICD10:C00,NCIT:C16576")
    assert (a, a_and_b) != (20, 19)  # the one man with C00 stays hidden
    assert_nothing_small(a, a_and_b)


async def test_range_splitting_of_an_alphanumeric_filter(
    cohort: Database, configured: Configured
) -> None:
    api = await configured(POLICY)
    answers = [
        await count(api, "/api/individuals", filters=f"LOINC:39156-5:>{bmi}")
        for bmi in range(40, 56)
    ]  # the true counts step down by one person at a time: 19, 18, 17 ...
    assert_nothing_small(*answers)


async def test_splitting_a_genomic_window(cohort: Database, configured: Configured) -> None:
    api = await configured(POLICY)
    answers = [
        await count(api, "/api/individuals", referenceName="1", start="1000", end=str(1001 + j))
        for j in range(PEOPLE)
    ]  # each window takes in one more variant, and with it one more carrier
    assert_nothing_small(*answers)


async def test_count_boolean_and_result_set_listings_agree(
    cohort: Database, configured: Configured
) -> None:
    api = await configured(POLICY)
    for granularity in ("boolean", "count"):
        response = await api.get(
            "/api/individuals",
            params={
                "filters": "ICD10:A00",
                "requestedGranularity": granularity,
                "includeResultsetResponses": "ALL",
            },
        )
        body = await response.json()
        assert body["responseSummary"]["exists"] is False
        assert body["responseSummary"].get("numTotalResults", 0) == 0
        for result_set in body.get("response", {}).get("resultSets", []):
            assert result_set["exists"] is False
            assert result_set.get("resultsCount", 0) == 0


async def test_repetition_gives_nothing_more(cohort: Database, configured: Configured) -> None:
    api = await configured(POLICY)
    answers = {
        await count(api, "/api/individuals", filters="ICD10:C00,NCIT:C16576") for _ in range(8)
    }
    assert len(answers) == 1  # no noise to average away


async def test_a_caller_with_the_grant_sees_exact_counts(
    cohort: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICY)
    token = issuers.login.passport(issuers.grant("cohort"))
    response = await api.get(
        "/api/individuals",
        params={"filters": "ICD10:C00,NCIT:C16576", "requestedGranularity": "count"},
        headers=bearer(token),
    )
    assert (await response.json())["responseSummary"]["numTotalResults"] == 19
