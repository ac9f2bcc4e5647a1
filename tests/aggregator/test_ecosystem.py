"""The network as the ecosystem's clients read it (issue 12): the EGA UI in network mode, the
GDI User Portal, the ELIXIR and EGA networks' conventions, networks of networks.

Real node apps over the checklist data (``se``: ds1, ``fi``: ds2, ``dk``: both) behind the
real aggregator, on real sockets.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from beacon.protocol.entry_types import SPEC_VERSION
from tests.aggregator.conftest import Network, RealNode, get_json, post_json, statuses
from tests.conftest import Client


@pytest.fixture
async def nodes(real_node: RealNode) -> dict[str, str]:
    return {node_id: await real_node(node_id) for node_id in ("se", "fi", "dk")}


@pytest.fixture
async def federation(nodes: dict[str, str], network: Network) -> Client:
    return await network(list(nodes.items()))


async def fetch(url: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        return await response.json()


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/info"])
async def test_info_lists_the_members_info_under_responses(
    federation: Client, nodes: dict[str, str], schemas: Any, path: str
) -> None:
    """The EGA UI shows a network's members from ``GET {apiUrl}`` -> ``responses[]``."""
    body = await get_json(federation, path)
    schemas.assert_valid(body, schemas.RESPONSE_SCHEMAS["info"])
    expected = [await fetch(f"{url}/info") for url in nodes.values()]
    assert body["responses"] == expected
    for member in body["responses"]:
        schemas.assert_valid(member, schemas.RESPONSE_SCHEMAS["info"])
    # What the EGA UI reads of each: the id, the banner's logo, the links.
    assert [m["response"]["id"] for m in body["responses"]] == [
        "se.example.beacon",
        "fi.example.beacon",
        "dk.example.beacon",
    ]
    assert all(m["response"]["organization"]["logoUrl"] for m in body["responses"])
    # /api/nodes stays the operator's detailed view.
    detailed = await get_json(federation, "/api/nodes")
    assert [n["nodeId"] for n in detailed["nodes"]] == ["se", "fi", "dk"]
    assert all("health" in n and "dialect" in n for n in detailed["nodes"])


async def test_a_member_never_reached_is_not_in_responses(
    nodes: dict[str, str], network: Network, down_url: str
) -> None:
    client = await network([("se", nodes["se"]), ("gone", down_url)])
    body = await get_json(client, "/api/info")
    assert [m["meta"]["beaconId"] for m in body["responses"]] == ["se.example.beacon"]
    listed = {m["nodeId"]: m for m in body["response"]["info"]["network"]}
    assert "beaconId" not in listed["gone"]


@pytest.mark.parametrize("version", ["v2.0.0", SPEC_VERSION])
async def test_the_network_answers_the_versioned_prefix(federation: Client, version: str) -> None:
    question = {"meta": {"apiVersion": "2.0"}, "query": {"requestedGranularity": "count"}}
    plain = await post_json(federation, "/api/individuals", question)
    aliased = await post_json(federation, f"/api/{version}/individuals", question)
    assert aliased["responseSummary"] == plain["responseSummary"]
    assert plain["responseSummary"]["numTotalResults"] == 6
    assert statuses(aliased) == statuses(plain)
    nodes = await get_json(federation, f"/api/{version}/nodes")
    assert len(nodes["nodes"]) == 3
