"""The two seams the layout fixed: request checks before any dataset, limits where the app is
built. Each test failed before: a bad variantType was a 400 only where the caller saw data, and
a passport of many visas reached only a node served by ``beacon serve``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.auth import Issuers
from tests.conftest import Client

BAD = "/api/g_variants?referenceName=1&start=100&end=200&variantType=NOT_A_TYPE"
QUERIES = [
    BAD,
    "/api/g_variants?referenceName=1&start=100&end=200&mateName=chrQ",
    "/api/g_variants?genomicAlleleShortForm=chr1-100-A-G",
    "/api/individuals?filters=HP:0001626&filters=sexFilter:F",
    "/api/datasets?referenceName=1&start=100&alternateBases=A",
]


async def _status_and_parameter(client: Client, path: str) -> tuple[int, str]:
    response = await client.get(path)
    body = await response.json()
    return response.status, body["error"]["errorMessage"]


@pytest.mark.parametrize("path", QUERIES)
async def test_a_bad_request_is_the_same_400_whatever_the_data(
    path: str, api: Client, node: Callable[..., Awaitable[Client]]
) -> None:
    seen = await _status_and_parameter(api, path)  # the checklist datasets, all public
    hidden = await _status_and_parameter(await node(BEACON_UNDECLARED_DATASETS="hidden"), path)
    assert seen[0] == 400
    assert hidden == seen


async def test_a_bad_request_is_a_400_on_an_empty_node(
    node: Callable[..., Awaitable[Client]],
) -> None:
    empty = await node()
    assert (await empty.get(BAD)).status == 400


async def test_a_passport_with_many_visas_fits_in_the_header(
    configured: Callable[..., Awaitable[Client]], issuers: Issuers
) -> None:
    client = await configured('[[access.datasets]]\nid = "ds1"\nsecurity_level = "PUBLIC"\n')
    visas = [issuers.dac.visa("AffiliationAndRole", f"member@org{i}.example") for i in range(60)]
    token = issuers.login.passport(*visas)
    assert len(token) > 9000  # more than aiohttp's default header limit (8 KiB)
    response = await client.get("/api/info", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, await response.text()
