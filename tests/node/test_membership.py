"""Defences against membership inference (Shringarpure & Bustamante): rare alleles answered
as absent, and a risk budget that charges each 'yes' by what it tells.

Same cohort as ``test_differencing.py``: variant j on chromosome 1 (POS 1001 + j) is carried
by j + 1 of the 40 people, so its allele count is j + 1 of 80.
"""

from __future__ import annotations

import pytest

from beacon.node.privacy import evidence_bits
from beacon.store.client import Database
from tests.auth import Issuers, bearer
from tests.conftest import Client
from tests.node.conftest import Configured
from tests.node.test_differencing import POLICY, cohort

__all__ = ["cohort"]


def allele(j: int) -> dict[str, str]:
    return {
        "referenceName": "1",
        "start": str(1000 + j),
        "referenceBases": "A",
        "alternateBases": "G",
        "requestedGranularity": "boolean",
    }


async def exists(api: Client, j: int, token: str | None = None, **extra: str) -> bool:
    headers = bearer(token) if token else {}
    response = await api.get("/api/g_variants", params={**allele(j), **extra}, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    found: bool = body["responseSummary"]["exists"]
    return found


async def test_rare_alleles_are_absent_to_callers_below_record_level(
    cohort: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICY, extra="risk_budget_bits = 0")  # the floor by default: 20
    assert [await exists(api, j) for j in range(21)] == [False] * 19 + [True] * 2  # AC 1..19
    token = issuers.login.passport(issuers.grant("cohort"))
    assert await exists(api, 0, token)  # who may see the records finds every allele
    individuals = await api.get(
        "/api/individuals", params={**allele(0), "requestedGranularity": "count"}
    )
    assert (await individuals.json())["responseSummary"]["exists"] is False


async def test_the_floor_applies_inside_the_population_asked_about(
    cohort: Database, configured: Configured, issuers: Issuers
) -> None:
    """A population filter (the GDI portal's sexFilter) makes a smaller beacon: its count, not
    the dataset's, must reach the floor. Men are p00-p09 and p39; variant j is carried by
    p00..pj."""
    api = await configured(POLICY, extra="rare_allele_count = 12\nrisk_budget_bits = 0")
    assert await exists(api, 20)  # 21 copies in the dataset
    assert not await exists(api, 20, filters="sexFilter:M")  # 10 of them in men
    assert not await exists(api, 20, filters="sexFilter:F")  # 11 in women
    assert await exists(api, 39, filters="sexFilter:F")  # 29 in women
    assert not await exists(api, 39, filters="sexFilter:M")  # 11 in men
    token = issuers.login.passport(issuers.grant("cohort"))
    assert await exists(api, 39, token, filters="sexFilter:M")  # who may see the records


async def test_the_risk_budget_refuses_once_the_answers_tell_enough(
    cohort: Database, configured: Configured
) -> None:
    api = await configured(POLICY, extra="rare_allele_count = 0\nrisk_budget_bits = 1.0")
    for _ in range(20):  # carried by everyone: a 'yes' tells nothing
        assert await exists(api, 39)
    assert await exists(api, 0)  # carried once: about 0.68 bits
    refused = await api.get("/api/g_variants", params=allele(0))
    body = await refused.json()
    assert refused.status == 429
    assert refused.headers["Retry-After"]
    assert "privacy budget spent" in body["error"]["errorMessage"]
    assert await exists(api, 39)  # what tells nothing is still answered
    assert (await api.get("/api/g_variants", params=allele(1))).status == 429


@pytest.mark.parametrize(
    ("ac", "an", "low", "high"),
    [(1, 80, 0.6, 0.75), (5, 80, 0.0, 0.05), (40, 80, 0.0, 1e-9), (1, 2000, 0.6, 0.7)],
)
def test_evidence_of_a_yes(ac: int, an: int, low: float, high: float) -> None:
    assert low <= evidence_bits(ac, an) <= high


def test_a_yes_just_at_the_floor_tells_more_than_above_it() -> None:
    """Without the carrier the others' copies must still reach the floor for a 'yes'."""
    at, above, far = (evidence_bits(ac, 2000, 20) for ac in (20, 25, 60))
    assert 0.5 < at < 1.5  # about as likely as not without the carrier
    assert 0.0 < above < at
    assert far < 1e-6
    assert evidence_bits(5, 2000, 20) > evidence_bits(5, 2000, 5) > evidence_bits(5, 2000)
