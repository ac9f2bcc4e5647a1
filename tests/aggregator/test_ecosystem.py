"""The network as the ecosystem's clients read it (issue 12): the EGA UI in network mode, the
GDI User Portal, the ELIXIR and EGA networks' conventions, networks of networks.

Real node apps over the checklist data (``se``: ds1, ``fi``: ds2, ``dk``: both) behind the
real aggregator, on real sockets.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from beacon.config import NodeEntry
from beacon.protocol.entry_types import SPEC_VERSION
from tests.aggregator.conftest import FakeNode, Network, RealNode, get_json, post_json, statuses
from tests.auth import Issuers, access_toml, bearer
from tests.conftest import Client

COUNT = "/api/individuals?requestedGranularity=count"


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


# -- refusals are the network's refusals ----------------------------------------------------


async def test_a_filter_listed_by_some_member_is_asked_of_those(federation: Client) -> None:
    body = await get_json(federation, "/api/individuals?filters=NCIT:C16576")
    assert statuses(body)["fi"] == ("skipped", "unsupported filter NCIT:C16576")


async def test_an_unknown_filter_waits_for_members_not_read_yet(
    nodes: dict[str, str], network: Network, fake_node: FakeNode
) -> None:
    """While a member's terms are unknown, it may list the filter: no 400 on its behalf."""
    slow, _ = await fake_node(metadata_delay_s=0.2)
    client = await network([("se", nodes["se"]), ("slow", slow)])
    body = await get_json(client, "/api/individuals?filters=XYZ:1", status=400)
    assert "'XYZ:1'" in body["error"]["errorMessage"]  # first read, then judged
    broken, _ = await fake_node(terms_fail=True)
    client = await network([("se", nodes["se"]), ("broken", broken)])
    body = await get_json(client, "/api/individuals?filters=XYZ:1&requestedGranularity=count")
    assert body["responseSummary"]["exists"] is False
    assert statuses(body)["broken"][0] == "skipped"


@pytest.fixture
async def issuers(aiohttp_server: Any) -> Issuers:
    return await Issuers().serve(aiohttp_server)


async def test_a_token_a_node_refuses_is_the_networks_401(
    real_node: RealNode, network: Network, issuers: Issuers
) -> None:
    se = await real_node("se", config=access_toml(issuers, ""))
    fi = await real_node("fi")
    client = await network(
        [NodeEntry(id="se", url=se, credentials="forward"), NodeEntry(id="fi", url=fi)]
    )
    valid = bearer(issuers.login.passport(*issuers.bona_fide()))
    body = await get_json(client, COUNT, headers=valid)
    assert {s for s, _ in statuses(body).values()} == {"ok"}
    for token in (
        issuers.login.passport(lifetime=-120),  # expired
        issuers.rogue.passport(),  # an issuer the node does not trust
        "not-a-jwt",
    ):
        response = await client.get(COUNT, headers=bearer(token))
        refused = await response.json()
        assert response.status == 401, refused
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        message = refused["error"]["errorMessage"]
        assert message.startswith("the bearer token was refused by node se: HTTP 401"), message
        assert token not in message
    # Without a token nothing is refused: the same nodes answer.
    assert {s for s, _ in statuses(await get_json(client, COUNT)).values()} == {"ok"}


async def test_a_refused_service_token_is_not_the_callers_401(
    real_node: RealNode, network: Network, issuers: Issuers
) -> None:
    """The network's own token for a node is the operator's problem: the caller gets the
    other nodes' answer, with the node's error listed, whatever token the caller sent."""
    se = await real_node("se", config=access_toml(issuers, ""))
    fi = await real_node("fi")
    client = await network(
        [
            NodeEntry(id="se", url=se, credentials="service", token_env="SE_TOKEN"),
            NodeEntry(id="fi", url=fi),
        ],
        environ={"SE_TOKEN": "stale-service-token"},
    )
    for headers in ({}, bearer(issuers.login.passport())):
        body = await get_json(client, COUNT, headers=headers)
        assert statuses(body)["se"][0] == "error"
        assert statuses(body)["fi"] == ("ok", "")


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "/api/individuals?requestedGranularity=record&limit=x", None),
        ("GET", "/api/g_variants?referenceName=17&start=1&variantType=NOPE", None),
        ("POST", "/api/individuals", {"query": {"requestedGranularity": "count", "bogus": 1}}),
        (
            "POST",
            "/api/individuals",
            {"query": {"requestedGranularity": "count", "filters": [{"id": "x", "scope": "y"}]}},
        ),
        ("GET", "/api/no_such_thing", None),
        ("DELETE", "/api/individuals", None),
    ],
)
async def test_node_and_network_errors_read_the_same(
    federation: Client, nodes: dict[str, str], method: str, path: str, payload: Any
) -> None:
    """One renderer (beacon/web/middleware.py) for both: the same status, message and echo of
    the request (its granularity included), only the beaconId differs."""
    response = await federation.request(method, path, json=payload)
    network = await response.json()
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, nodes["se"][: -len("/api")] + path, json=payload) as answer,
    ):
        node = await answer.json()
        assert answer.status == response.status
    assert network["meta"]["beaconId"] == "org.example.network"
    network["meta"]["beaconId"] = node["meta"]["beaconId"]
    assert network == node
