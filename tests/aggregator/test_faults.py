"""Misbehaving nodes never fail or delay the network's answer: each is reported on its own.

A real node answers beside fakes that are slow, down, or answer garbage, schema-invalid bodies,
5xx, huge bodies or redirects. The real node's answer must come through, on time, with every
other node's status and reason.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from aggregator.keys import NETWORK
from beacon.config import NodeEntry
from tests.aggregator.conftest import (
    Fake,
    FakeNode,
    Network,
    RealNode,
    api_url,
    fake_app,
    get_json,
    statuses,
)
from tests.conftest import ServerFactory

COUNT = "/api/individuals?requestedGranularity=count"


@pytest.mark.parametrize(
    ("options", "env", "status", "reason"),
    [
        ({"mode": "garbage"}, {}, "invalid", "body is not JSON"),
        ({"mode": "invalid"}, {}, "invalid", "meta: expected an object"),
        ({"mode": "5xx"}, {}, "error", "HTTP 503"),
        ({"mode": "error400"}, {}, "error", "HTTP 400: no such thing"),
        ({"mode": "redirect"}, {}, "error", "redirect to http://elsewhere.invalid/api"),
        (
            {"mode": "huge"},
            {"AGGREGATOR_MAX_RESPONSE_BYTES": "100000"},
            "invalid",
            "over the 100000-byte cap",
        ),
        (
            {"mode": "huge_stream"},
            {"AGGREGATOR_MAX_RESPONSE_BYTES": "100000"},
            "invalid",
            "body is over the 100000-byte cap",
        ),
        ({"delay_s": 3.0}, {"AGGREGATOR_NODE_TIMEOUT": "0.3"}, "timeout", "within 0.3 s"),
        ({"granularity": "record", "count": 2}, {}, "ok", ""),
    ],
)
async def test_each_failure_is_reported_and_the_rest_answers(
    real_node: RealNode,
    fake_node: FakeNode,
    network: Network,
    options: dict[str, Any],
    env: dict[str, str],
    status: str,
    reason: str,
) -> None:
    se = await real_node("se")
    url, _ = await fake_node(**options)
    client = await network([("se", se), ("bad", url)], **env)
    body = await get_json(client, COUNT)
    assert statuses(body)["se"] == ("ok", "")
    got_status, got_reason = statuses(body)["bad"]
    assert got_status == status
    assert reason in got_reason
    expected = 2 + (2 if status == "ok" else 0)
    assert body["responseSummary"] == {"exists": True, "numTotalResults": expected}


async def test_a_down_node_is_an_error(
    real_node: RealNode, network: Network, down_url: str
) -> None:
    client = await network([("se", await real_node("se")), ("down", down_url)])
    body = await get_json(client, COUNT)
    status, reason = statuses(body)["down"]
    assert status == "error"
    assert "metadata: cannot reach the node" in reason
    assert body["responseSummary"]["numTotalResults"] == 2


async def test_the_global_deadline_is_honoured(
    real_node: RealNode, fake_node: FakeNode, network: Network
) -> None:
    se = await real_node("se")
    slow = [await fake_node(delay_s=5.0) for _ in range(3)]
    client = await network(
        [("se", se)] + [(f"slow{i}", url) for i, (url, _) in enumerate(slow)],
        AGGREGATOR_NODE_TIMEOUT="5",
        AGGREGATOR_DEADLINE="0.4",
    )
    await get_json(client, "/api/info")  # the app is up; discovery has started
    began = time.perf_counter()
    body = await get_json(client, COUNT)
    elapsed = time.perf_counter() - began
    assert elapsed < 0.4 + 0.3, f"answered after {elapsed:.2f} s"
    for i in range(3):
        assert statuses(body)[f"slow{i}"] == (
            "timeout",
            "no answer before the network deadline of 0.4 s",
        )
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}


async def test_slow_metadata_counts_against_the_deadline(
    fake_node: FakeNode, network: Network
) -> None:
    url, _ = await fake_node(metadata_delay_s=5.0)
    client = await network([("slowmeta", url)], AGGREGATOR_DEADLINE="0.3")
    began = time.perf_counter()
    response = await client.get(COUNT)
    body = await response.json()
    assert time.perf_counter() - began < 0.6
    assert response.status == 503  # the only node did not answer
    assert body["error"]["errorCode"] == 503
    assert body["info"]["nodes"][0]["status"] == "timeout"


async def test_failing_requests_never_take_a_healthy_node_out(
    fake_node: FakeNode, network: Network
) -> None:
    """A node that fails requests (5xx) while its /health says it serves stays in the network:
    one caller's requests cannot make it unavailable to the others."""
    good, _ = await fake_node(beacon_id="good.beacon")
    bad_url, bad = await fake_node(mode="5xx")
    client = await network(
        [("good", good), ("bad", bad_url)],
        AGGREGATOR_BREAKER_FAILURES="2",
        AGGREGATOR_HEALTH_PROBE="0.05",
    )
    for _ in range(6):
        body = await get_json(client, COUNT)
        assert statuses(body)["bad"] == ("error", "HTTP 503")
        await asyncio.sleep(0.06)
    assert len(bad.seen) == 6  # asked every time
    assert bad.probes >= 1  # and its /health checked
    nodes = await get_json(client, "/api/nodes")
    assert nodes["nodes"][1]["health"]["state"] in ("up", "suspect")


async def test_a_node_whose_health_fails_is_down_then_back_within_a_probe(
    fake_node: FakeNode, network: Network
) -> None:
    bad_url, bad = await fake_node(mode="5xx", healthy=False)
    good, _ = await fake_node(beacon_id="good.beacon")
    client = await network([("good", good), ("bad", bad_url)], AGGREGATOR_HEALTH_PROBE="0.05")
    body = await get_json(client, COUNT)
    assert statuses(body)["bad"] == ("error", "HTTP 503")  # suspect: /health is asked
    deadline = time.monotonic() + 3
    while not statuses(await get_json(client, COUNT))["bad"][1].startswith("node down"):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    seen = len(bad.seen)
    assert statuses(await get_json(client, COUNT))["bad"] == (
        "skipped",
        "node down: /health: HTTP 503",
    )
    assert len(bad.seen) == seen  # a down node is not asked
    bad.mode, bad.healthy = "ok", True  # it recovers
    began = time.monotonic()
    while statuses(await get_json(client, COUNT))["bad"][0] != "ok":
        assert time.monotonic() - began < 1.0, "back within a probe interval or so"
        await asyncio.sleep(0.02)


async def test_a_restarted_node_is_back_within_seconds_of_answering_health(
    aiohttp_server: ServerFactory, network: Network
) -> None:
    """Connections refused three times take a node out; once a process answers /health on
    its port again, it is back (it was out for the 30 s breaker cool-down before)."""
    fake = Fake()
    server = await aiohttp_server(fake_app(fake))
    port = server.port
    client = await network([("n", api_url(server))], AGGREGATOR_HEALTH_PROBE="0.2")
    assert statuses(await get_json(client, COUNT, status=200))["n"][0] == "ok"
    await server.close()
    for _ in range(3):
        assert statuses(await get_json(client, COUNT, status=503))["n"][0] in ("error", "timeout")
    assert statuses(await get_json(client, COUNT, status=503))["n"][1].startswith("node down")
    restarted = await aiohttp_server(fake_app(Fake()), port=port)
    began = time.monotonic()
    while statuses(await get_json(client, COUNT, status=None))["n"][0] != "ok":
        assert time.monotonic() - began < 5.0, "not back within 5 s of answering /health"
        await asyncio.sleep(0.1)
    await restarted.close()


async def test_four_hundreds_never_count(fake_node: FakeNode, network: Network) -> None:
    url, fake = await fake_node(mode="error400", healthy=False)
    client = await network([("n", url)], AGGREGATOR_HEALTH_PROBE="0.05")
    for _ in range(5):
        await get_json(client, COUNT, status=None)
    await asyncio.sleep(0.2)
    assert fake.probes == 0  # a 4xx is about the request: nobody doubted the node
    assert len(fake.seen) == 5


async def test_overload_is_shed_per_request_with_retry_after(
    fake_node: FakeNode, network: Network
) -> None:
    url, _ = await fake_node(delay_s=0.5)
    client = await network(
        [("slow", url)], AGGREGATOR_MAX_IN_FLIGHT="1", AGGREGATOR_QUEUE_WAIT="0.1"
    )
    first = asyncio.ensure_future(client.get(COUNT))
    await asyncio.sleep(0.05)
    second = await client.get(COUNT)
    assert second.status == 503
    assert second.headers["Retry-After"] == "1"
    assert "answering 1 queries already" in (await second.json())["error"]["errorMessage"]
    assert (await first).status == 200  # the other caller was not affected
    assert (await client.get(COUNT)).status == 200


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"exists": False, "count": 10, "lies": True}, "10 with exists false"),
        ({"count": 10**15}, "more than any node can count"),
    ],
)
async def test_implausible_answers_are_invalid_and_not_summed(
    fake_node: FakeNode, network: Network, options: dict[str, Any], reason: str
) -> None:
    odd, _ = await fake_node(**options)
    fine, _ = await fake_node(count=3)
    client = await network([("odd", odd), ("fine", fine)])
    body = await get_json(client, COUNT)
    status, why = statuses(body)["odd"]
    assert status == "invalid"
    assert reason in why
    assert body["responseSummary"]["numTotalResults"] == 3


async def test_a_node_not_serving_the_entry_type_is_left_out(
    fake_node: FakeNode, network: Network
) -> None:
    url, fake = await fake_node(serves=("individual",))
    other, _ = await fake_node()
    client = await network([("partial", url), ("full", other)])
    body = await get_json(client, "/api/runs?requestedGranularity=count")
    assert statuses(body)["partial"] == ("skipped", "does not serve /runs")
    assert fake.seen == []


async def test_dialect_of_a_flat_records_skip_node(fake_node: FakeNode, network: Network) -> None:
    url, fake = await fake_node()
    entry = NodeEntry(id="ri", url=url, parameters="flat", skip="records")
    client = await network([entry])
    await get_json(client, "/api/g_variants?referenceName=17&start=100&end=200&skip=2&limit=5")
    (sent,) = fake.seen
    query = sent["body"]["query"]
    assert query["requestParameters"] == {"referenceName": "17", "start": [100], "end": [200]}
    assert query["pagination"] == {"skip": 10, "limit": 5}


async def test_stale_capabilities_are_refreshed_in_the_background(
    fake_node: FakeNode, network: Network
) -> None:
    url, fake = await fake_node()
    client = await network([("n", url)], AGGREGATOR_METADATA_TTL="0.2")
    discovery = client.app[NETWORK].discovery
    await get_json(client, COUNT)
    first = discovery.known["n"]
    fake.updated = "2026-06-01T00:00:00Z"
    await asyncio.sleep(0.25)
    await get_json(client, COUNT)  # answered at once, from the stale entry if need be
    for _ in range(50):
        if discovery.known["n"] is not first:
            break
        await asyncio.sleep(0.02)
    assert discovery.known["n"].version.startswith("2026-06-01")


@pytest.mark.parametrize(("retries", "status", "asked"), [("1", "ok", 2), ("0", "error", 1)])
async def test_a_dropped_connection_is_retried_once(
    fake_node: FakeNode, network: Network, retries: str, status: str, asked: int
) -> None:
    url, fake = await fake_node(mode="drop_once")
    client = await network([("n", url)], AGGREGATOR_RETRIES=retries)
    response = await client.get(COUNT)
    body = await response.json()
    assert body["info"]["nodes"][0]["status"] == status
    assert len(fake.seen) == asked


async def test_a_timeout_is_never_retried(fake_node: FakeNode, network: Network) -> None:
    url, fake = await fake_node(delay_s=2.0)
    client = await network([("n", url)], AGGREGATOR_NODE_TIMEOUT="0.2", AGGREGATOR_RETRIES="3")
    await client.get(COUNT)
    assert len(fake.seen) == 1
