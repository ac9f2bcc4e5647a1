"""The network runs the node's own request checks before it fans out, and applies the same
request limits: each test here failed before (a 200 ``exists: false`` merged from the nodes'
400s; aiohttp's plain-text 400 for a passport of many visas)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.aggregator.conftest import Fake
from tests.conftest import Client
from tests.node.test_seams import QUERIES


@pytest.mark.parametrize("path", QUERIES)
async def test_a_bad_request_is_a_400_before_any_node_is_asked(
    path: str,
    network: Callable[..., Awaitable[Client]],
    real_node: Callable[..., Awaitable[str]],
    fake_node: Callable[..., Awaitable[tuple[str, Fake]]],
) -> None:
    url, fake = await fake_node()
    client = await network([("se", await real_node("se")), ("fake", url)])
    response = await client.get(path)
    body: dict[str, Any] = await response.json()
    assert response.status == 400, body
    assert body["error"]["errorCode"] == 400
    assert fake.seen == []


async def test_a_passport_with_many_visas_reaches_the_network(
    network: Callable[..., Awaitable[Client]],
    fake_node: Callable[..., Awaitable[tuple[str, Fake]]],
) -> None:
    url, _ = await fake_node()
    client = await network([("n", url)])
    token = "x" * 20_000  # the size of a passport of some 60 visas
    response = await client.get("/api/info", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, await response.text()
