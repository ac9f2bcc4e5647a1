"""The network refuses hostile inputs as a node does: a 4xx envelope, before any node is asked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aggregator.conftest import FakeNode, Network, RealNode
from tests.node.test_hostile import CASES, send


@pytest.mark.parametrize(("method", "path", "body", "headers", "status", "fragment"), CASES)
async def test_hostile_inputs_are_4xx_envelopes_at_the_network(
    network: Network,
    real_node: RealNode,
    fake_node: FakeNode,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
    fragment: str,
) -> None:
    url, fake = await fake_node()
    client = await network([("se", await real_node("se")), ("fake", url)])
    code, answer = await send(client, method, path, body, headers)
    assert code == status, answer
    error: dict[str, Any] = answer["error"]
    assert error["errorCode"] == status
    assert fragment in error["errorMessage"]
    assert fake.seen == []
