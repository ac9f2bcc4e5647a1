"""The network as the ecosystem's clients read it (issue 12): the EGA UI in network mode, the
GDI User Portal, the ELIXIR and EGA networks' conventions, networks of networks.

Real node apps over the checklist data (``se``: ds1, ``fi``: ds2, ``dk``: both) behind the
real aggregator, on real sockets.
"""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
import pytest

from aggregator import via
from aggregator.app import create_app as create_network
from beacon.config import NodeEntry
from beacon.protocol.entry_types import SPEC_VERSION
from tests.aggregator.conftest import (
    FakeNode,
    Network,
    RealNode,
    api_url,
    get_json,
    network_settings,
    post_json,
    statuses,
)
from tests.auth import Issuers, access_toml, bearer
from tests.conftest import Client, ServerFactory

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


async def test_plain_dataset_ids_go_to_the_nodes_that_hold_them(federation: Client) -> None:
    """Result sets now carry plain dataset ids, so clients send them back: each goes to the
    nodes whose /datasets list it, and no node is sent one it lacks (it would refuse the whole
    request, losing its answer for the others)."""
    path = "/api/individuals?requestedGranularity=record&datasetIds="
    body = await get_json(federation, f"{path}ds1,ds2")
    assert [(s["info"]["nodeId"], s["id"]) for s in body["response"]["resultSets"]] == [
        ("se", "ds1"),
        ("fi", "ds2"),
        ("dk", "ds1"),
        ("dk", "ds2"),
    ]
    assert {s for s, _ in statuses(body).values()} == {"ok"}
    only = await get_json(federation, f"{path}ds2")
    assert statuses(only)["se"] == ("skipped", "holds none of the datasetIds")
    assert body["responseSummary"]["numTotalResults"] == 6
    # A qualified id still names one node's dataset alone.
    one = await get_json(federation, f"{path}dk:ds2")
    assert [(s["info"]["nodeId"], s["id"]) for s in one["response"]["resultSets"]] == [
        ("dk", "ds2")
    ]
    # An id no node lists goes to every node, which each refuse it: the network's 400.
    refused = await get_json(federation, f"{path}nope", status=400)
    assert "nope" in refused["error"]["errorMessage"]


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


async def test_a_401_for_a_token_the_node_never_got_is_not_the_callers(
    real_node: RealNode, network: Network, issuers: Issuers, fake_node: FakeNode
) -> None:
    """Only a refusal of what the caller sent is the caller's 401: a node that is not sent the
    caller's token (credentials none) and answers 401 anyway is reported for that node, and
    the others answer."""
    fi = await real_node("fi")
    closed, _ = await fake_node(mode="error401")
    client = await network([NodeEntry(id="fi", url=fi), NodeEntry(id="closed", url=closed)])
    for headers in ({}, bearer(issuers.login.passport())):
        body = await get_json(client, COUNT, headers=headers)
        assert statuses(body)["closed"][0] == "error"
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


# -- networks of networks ------------------------------------------------------------------

SNV1 = "referenceName=17&start=7577120&alternateBases=A"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def network_at(
    aiohttp_server: ServerFactory,
    server_id: str,
    members: list[tuple[str, str]],
    port: int | None = None,
) -> str:
    """A real network app named ``server_id`` on a socket (``port``: chosen beforehand, so
    that networks can list each other); returns its API root URL."""
    entries = [NodeEntry(id=i, url=u, country="EU") for i, u in members]
    app = create_network(network_settings(entries, BEACON_ID=server_id), {})
    server = await aiohttp_server(app, port=port) if port else await aiohttp_server(app)
    return api_url(server)


async def test_a_network_of_networks_keeps_each_sets_origin(
    nodes: dict[str, str], network: Network, aiohttp_server: ServerFactory
) -> None:
    inner = await network_at(
        aiohttp_server, "org.example.inner", [("se", nodes["se"]), ("fi", nodes["fi"])]
    )
    # Asked by another network, a network answers /info from what it knows at once (waiting
    # for its own members could wait for that network): let it know them first.
    assert len((await fetch(f"{inner}/info"))["responses"]) == 2
    top = await network([("inner", inner), ("dk", nodes["dk"])])
    body = await get_json(top, f"/api/g_variants?{SNV1}&requestedGranularity=record")
    sets = body["response"]["resultSets"]
    assert [(s["beaconId"], s["id"], s["info"]["nodeId"]) for s in sets] == [
        ("se.example.beacon", "ds1", "inner:se"),
        ("dk.example.beacon", "ds1", "dk"),
    ]
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}
    counted = await get_json(top, COUNT)
    assert counted["responseSummary"]["numTotalResults"] == 6  # se 2, fi 1 (inner), dk 3
    # The node path addresses one node's dataset through both networks.
    one = await get_json(
        top, "/api/individuals?requestedGranularity=record&datasetIds=inner:se:ds1"
    )
    assert [(s["beaconId"], s["id"], s["resultsCount"]) for s in one["response"]["resultSets"]] == [
        ("se.example.beacon", "ds1", 2)
    ]
    assert statuses(one)["dk"] == ("skipped", "holds none of the datasetIds")
    path = "/api/datasets/inner:fi:ds2/individuals?requestedGranularity=record"
    (fi,) = (await get_json(top, path))["response"]["resultSets"]
    assert (fi["beaconId"], fi["id"], fi["resultsCount"]) == ("fi.example.beacon", "ds2", 1)
    # The inner network's /info, with its own members, is one of the top's responses.
    listed = (await get_json(top, "/api/info"))["responses"]
    assert [m["meta"]["beaconId"] for m in listed] == ["org.example.inner", "dk.example.beacon"]
    assert [m["meta"]["beaconId"] for m in listed[0]["responses"]] == [
        "se.example.beacon",
        "fi.example.beacon",
    ]


async def test_networks_that_list_each_other_never_loop(
    nodes: dict[str, str], aiohttp_server: ServerFactory
) -> None:
    """a = {se, b}, b = {fi, a}: each asks the other once, and the other leaves it out (its
    beaconId is in Via), so every answer counts every person once."""
    port_a, port_b = free_port(), free_port()
    url_a, url_b = (f"http://127.0.0.1:{p}/api" for p in (port_a, port_b))
    await network_at(aiohttp_server, "org.example.a", [("se", nodes["se"]), ("b", url_b)], port_a)
    await network_at(aiohttp_server, "org.example.b", [("fi", nodes["fi"]), ("a", url_a)], port_b)
    async with aiohttp.ClientSession() as session:
        for url, other in ((url_a, "b"), (url_b, "a")):
            async with session.get(f"{url}/individuals?requestedGranularity=count") as response:
                body = await response.json()
                assert response.status == 200, body
            assert body["responseSummary"]["numTotalResults"] == 3  # se 2 + fi 1, once each
            assert statuses(body)[other] == ("ok", "")
        # Asked on behalf of a, b leaves a out and says why.
        headers = {"Via": "1.1 proxy.example, 1.1 org.example.a"}
        async with session.get(f"{url_b}/individuals", headers=headers) as response:
            body = await response.json()
        assert statuses(body)["a"][0] == "skipped"
        assert "org.example.a is already on this request's path" in statuses(body)["a"][1]
        # A request that comes back to a network it went through is refused: 508.
        headers = {"Via": "1.1 org.example.b, 1.1 org.example.a"}
        async with session.get(f"{url_a}/individuals", headers=headers) as response:
            assert response.status == 508
            assert "org.example.a" in (await response.json())["error"]["errorMessage"]


async def test_a_network_listed_as_its_own_member_is_not_asked(
    nodes: dict[str, str], aiohttp_server: ServerFactory
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    await network_at(aiohttp_server, "org.example.self", [("se", nodes["se"]), ("me", url)], port)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/individuals?requestedGranularity=count") as response,
    ):
        body = await response.json()
    assert body["responseSummary"]["numTotalResults"] == 2
    assert statuses(body)["me"][0] == "skipped"


async def test_the_ega_beacon_network_as_a_member(
    nodes: dict[str, str], network: Network, fake_node: FakeNode
) -> None:
    """Its answers declare no granularity and tag each set with its member: the origins stay,
    and its placeholder for a member that did not answer is no dataset."""
    ega, _ = await fake_node(beacon_id="es.crg.global-beacon-network", mode="ega_network")
    top = await network([("ega", ega), ("se", nodes["se"])])
    body = await get_json(top, "/api/individuals?requestedGranularity=record")
    sets = body["response"]["resultSets"]
    assert [(s["beaconId"], s["id"], s["info"]["nodeId"]) for s in sets] == [
        ("org.example.member1", "member1-dataset", "ega"),
        ("org.example.member2", "member2-dataset", "ega"),
        ("se.example.beacon", "ds1", "se"),
    ]
    assert body["responseSummary"]["numTotalResults"] == 4


def read_as_the_ega_network(body: dict[str, Any]) -> list[tuple[str, str]]:
    """How the EGA Beacon Network API reads a member's answer (the rule, written from its
    source): a set keeps a beaconId of its own, else gets the member's from meta."""
    member = body["meta"]["beaconId"]
    return [(s.get("beaconId") or member, s["id"]) for s in body["response"]["resultSets"]]


async def test_our_network_as_a_member_of_the_ega_network(federation: Client) -> None:
    """It POSTs the client's body unchanged and appends includeResultsetResponses=ALL to GETs;
    each set must come back with the beacon it is from, not the network's id."""
    posted = await post_json(
        federation,
        "/api/g_variants",
        {
            "meta": {"apiVersion": "2.0"},
            "query": {
                "requestParameters": {
                    "referenceName": "17",
                    "start": [7577120],
                    "alternateBases": "A",
                },
                "includeResultsetResponses": "HIT",
                "pagination": {"skip": 0, "limit": 100},
                "testMode": False,
                "requestedGranularity": "record",
            },
        },
    )
    got = await get_json(
        federation,
        f"/api/g_variants?{SNV1}&requestedGranularity=record&includeResultsetResponses=ALL",
    )
    assert read_as_the_ega_network(posted) == [
        ("se.example.beacon", "ds1"),
        ("dk.example.beacon", "ds1"),
    ]
    assert ("fi.example.beacon", "ds2") in read_as_the_ega_network(got)


def test_via_names_the_networks_on_the_path() -> None:
    assert via.path_of("1.1 proxy.example, HTTP/1.1 org.example.a (beacon-gdi), 1.0 b") == {
        "proxy.example",
        "org.example.a",
        "b",
    }
    assert via.path_of(None) == frozenset()
    assert via.forwarded("1.1 x", "org example/a") == "1.1 x, 1.1 org-example-a"
    assert via.on_path("org example/a", via.path_of(via.forwarded(None, "org example/a")))
