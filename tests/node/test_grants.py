"""Grants bound to who may give them, through the real node: each dataset counts only its own
DAC's ControlledAccessGrants (and, if it says so, only some of its sources); self-asserted
grants, unmet conditions and expired visas open nothing.

ds1 is granted by the second DAC (``dac2``), ds2 by the first (``dac``); neither is visible
without its grant.
"""

from __future__ import annotations

from typing import Any

import pytest

from beacon.store.client import Database
from tests.auth import DAC, Issuer, Issuers, bearer
from tests.conftest import Client
from tests.node.conftest import Configured

DAC2 = "https://dac2.test"
DS1 = f"{DAC2}/datasets/ds1"
DS2 = f"{DAC}/datasets/ds2"
COMMITTEE = f"{DAC}/committees/cancer"


def policies(ds2_sources: str = "") -> str:
    return f"""
[[access.datasets]]
id = "ds1"
security_level = "CONTROLLED"
visa_values = ["{DS1}"]
visa_issuers = ["{DAC2}"]

[[access.datasets]]
id = "ds2"
security_level = "CONTROLLED"
visa_values = ["{DS2}"]
visa_issuers = ["{DAC}"]
{ds2_sources}
"""


@pytest.fixture
async def api(checklist: Database, configured: Configured) -> Client:
    return await configured(policies())


async def visible(api: Client, issuers: Issuers, *visas: str) -> set[str]:
    """The datasets a caller whose passport holds ``visas`` gets result sets from."""
    response = await api.get(
        "/api/individuals",
        params={"requestedGranularity": "record", "includeResultsetResponses": "ALL"},
        headers=bearer(issuers.login.passport(*visas)),
    )
    body = await response.json()
    assert response.status == 200, body
    return {s["id"] for s in body.get("response", {}).get("resultSets", [])}


def grant(dac: Issuer, value: str, **extra: Any) -> str:
    return dac.visa("ControlledAccessGrants", value, **extra)


async def test_each_dac_grants_its_own_dataset_and_no_other(api: Client, issuers: Issuers) -> None:
    assert await visible(api, issuers, grant(issuers.dac, DS2)) == {"ds2"}
    assert await visible(api, issuers, grant(issuers.dac2, DS1)) == {"ds1"}
    assert await visible(api, issuers, grant(issuers.dac, DS2), grant(issuers.dac2, DS1)) == {
        "ds1",
        "ds2",
    }
    # A second trusted DAC signing the first DAC's value (and the other way round): nothing.
    assert await visible(api, issuers, grant(issuers.dac2, DS2)) == set()
    assert await visible(api, issuers, grant(issuers.dac, DS1)) == set()
    # Nor does a DAC that names the other one as its source.
    assert await visible(api, issuers, grant(issuers.dac2, DS2, source=DAC)) == set()


async def test_a_self_asserted_grant_opens_nothing(api: Client, issuers: Issuers) -> None:
    assert await visible(api, issuers, grant(issuers.dac, DS2, by="self")) == set()
    assert await visible(api, issuers, grant(issuers.dac, DS2, by="so")) == {"ds2"}


async def test_a_dataset_may_count_only_some_sources_of_its_dac(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(policies(f'visa_sources = ["{COMMITTEE}"]'))
    assert await visible(api, issuers, grant(issuers.dac, DS2)) == set()  # source: the DAC itself
    assert await visible(api, issuers, grant(issuers.dac, DS2, source=COMMITTEE)) == {"ds2"}


def affiliation(
    signer: Issuer, value: str = "faculty@uni.example", role_by: str = "so", lifetime: int = 300
) -> str:
    return signer.visa(
        "AffiliationAndRole", value, lifetime, by=role_by, source="https://uni.example"
    )


FACULTY = [[{"type": "AffiliationAndRole", "value": "pattern:faculty@*", "by": "const:so"}]]


async def test_a_grant_with_conditions_counts_only_when_they_are_met(
    api: Client, issuers: Issuers
) -> None:
    conditional = grant(issuers.dac, DS2, conditions=FACULTY)
    assert await visible(api, issuers, conditional) == set()
    assert await visible(api, issuers, conditional, affiliation(issuers.dac2)) == {"ds2"}
    assert (
        await visible(api, issuers, conditional, affiliation(issuers.dac2, "staff@uni.example"))
        == set()
    )
    assert (
        await visible(api, issuers, conditional, affiliation(issuers.dac2, role_by="self")) == set()
    )
    # The matching visa must itself be valid: signed by an untrusted issuer, or expired, it
    # meets nothing.
    assert await visible(api, issuers, conditional, affiliation(issuers.rogue)) == set()
    expired = affiliation(issuers.dac2, lifetime=-5)
    assert await visible(api, issuers, conditional, expired) == set()


async def test_a_visa_counts_only_before_its_exp_without_leeway(
    api: Client, issuers: Issuers
) -> None:
    # The passport token itself may be 5 s late (clock skew, leeway_s = 30); a grant may not.
    assert await visible(api, issuers, grant(issuers.dac, DS2, lifetime=-5)) == set()
    assert await visible(api, issuers, grant(issuers.dac, DS2, lifetime=5)) == {"ds2"}
