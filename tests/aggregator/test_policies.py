"""Credentials go only where the policy allows and are never logged; the response cache."""

from __future__ import annotations

import logging

import pytest

from aggregator.keys import NETWORK
from beacon.config import ConfigError, NodeEntry
from tests.aggregator.conftest import FakeNode, Network, get_json, post_json, statuses

COUNT = "/api/individuals?requestedGranularity=count"
TOKEN = "eyJhbGciOi.caller-secret-token.sig"


async def test_the_token_reaches_only_nodes_that_accept_it(
    fake_node: FakeNode, network: Network, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (fwd, f), (none, n), (ident, i) = [await fake_node() for _ in range(3)]
    client = await network(
        [
            NodeEntry(id="fwd", url=fwd, credentials="forward", token_env="NET_TOKEN"),
            NodeEntry(id="none", url=none),
            NodeEntry(id="ident", url=ident, token_env="NET_TOKEN"),
        ],
        environ={"NET_TOKEN": "network-secret"},
    )
    body = await get_json(client, COUNT, headers={"Authorization": f"Bearer {TOKEN}"})
    assert {status for status, _ in statuses(body).values()} == {"ok"}
    assert f.seen[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert f.seen[0]["headers"]["X-Beacon-Network"] == "network-secret"
    assert "Authorization" not in n.seen[0]["headers"]
    assert "X-Beacon-Network" not in n.seen[0]["headers"]
    # The network's token is never sent as the caller's: the node sees an anonymous caller.
    assert "Authorization" not in i.seen[0]["headers"]
    assert i.seen[0]["headers"]["X-Beacon-Network"] == "network-secret"
    # Discovery is anonymous everywhere (informational endpoints need no login).
    nodes = await get_json(client, "/api/nodes")
    for text in (caplog.text, str(body), str(nodes)):
        assert TOKEN not in text
        assert "network-secret" not in text


async def test_credentials_service_is_refused_even_when_built_in_code(network: Network) -> None:
    entry = NodeEntry(id="svc", url="http://127.0.0.1:9/api", credentials="service")
    with pytest.raises(ConfigError, match="anonymous callers of the network would get"):
        await network([entry], environ={"SVC_TOKEN": "s"})


async def test_a_token_a_node_echoes_back_is_redacted(
    fake_node: FakeNode, network: Network, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url, _ = await fake_node(mode="echo")  # its error message repeats the Authorization header
    client = await network([NodeEntry(id="echo", url=url, credentials="forward")])
    response = await client.get(COUNT, headers={"Authorization": f"Bearer {TOKEN}"})
    body = await response.json()
    assert TOKEN not in str(body)
    assert TOKEN not in caplog.text
    assert "[redacted]" in body["info"]["nodes"][0]["reason"]


async def test_a_malformed_authorization_header_is_a_401(
    fake_node: FakeNode, network: Network
) -> None:
    url, fake = await fake_node()
    client = await network([("n", url)])
    body = await get_json(client, COUNT, status=401, headers={"Authorization": "Basic abc"})
    assert body["error"]["errorCode"] == 401
    assert fake.seen == []


async def test_cache_hit_for_get_and_post_then_bypass_rules(
    fake_node: FakeNode, network: Network
) -> None:
    url, fake = await fake_node()
    client = await network([("n", url)], AGGREGATOR_CACHE_TTL="60")
    first = await client.get(COUNT)
    assert first.headers["X-Aggregator-Cache"] == "miss"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    second = await client.get(COUNT)
    assert second.headers["X-Aggregator-Cache"] == "hit"
    assert (await second.json())["info"]["cache"] == "hit"
    posted = await post_json(
        client,
        "/api/individuals",
        {"meta": {"apiVersion": "v2.0"}, "query": {"requestedGranularity": "count"}},
    )
    assert posted["info"]["cache"] == "hit"
    assert posted["meta"]["receivedRequestSummary"]["apiVersion"] == "v2.0"
    assert len(fake.seen) == 1
    fresh = await client.get(COUNT, headers={"Cache-Control": "no-cache"})
    assert fresh.headers["X-Aggregator-Cache"] == "miss"
    assert len(fake.seen) == 2
    # A caller with a token has entries of their own, never the anonymous ones.
    private = await client.get(COUNT, headers={"Authorization": "Bearer x"})
    assert private.headers["X-Aggregator-Cache"] == "miss"
    assert private.headers["Cache-Control"] == "private, max-age=60"
    assert len(fake.seen) == 3
    again = await client.get(COUNT, headers={"Authorization": "Bearer x"})
    assert again.headers["X-Aggregator-Cache"] == "hit"
    other = await client.get(COUNT, headers={"Authorization": "Bearer y"})
    assert other.headers["X-Aggregator-Cache"] == "miss"
    assert len(fake.seen) == 4
    skipped = await client.get(COUNT, headers={"Cache-Control": "no-store"})
    assert skipped.headers["X-Aggregator-Cache"] == "bypass"
    assert skipped.headers["Cache-Control"] == "no-store"


async def test_new_node_data_version_misses_the_cache(
    fake_node: FakeNode, network: Network
) -> None:
    url, fake = await fake_node()
    client = await network([("n", url)], AGGREGATOR_CACHE_TTL="60")
    await get_json(client, COUNT)
    fake.updated = "2026-07-01T00:00:00Z"  # the node announces new data
    net = client.app[NETWORK]
    await net.discovery.refresh(net.registry.nodes[0])
    body = await get_json(client, COUNT)
    assert body["info"]["cache"] == "miss"
    assert len(fake.seen) == 2


async def test_partial_answers_and_no_store_nodes_are_not_cached(
    fake_node: FakeNode, network: Network
) -> None:
    good, g = await fake_node()
    bad, _ = await fake_node(mode="5xx")
    client = await network([("good", good), ("bad", bad)], AGGREGATOR_CACHE_TTL="60")
    for _ in range(2):
        response = await client.get(COUNT)
        assert response.headers["X-Aggregator-Cache"] == "bypass"
        assert response.headers["Cache-Control"] == "no-store"
    assert len(g.seen) == 2
    private, p = await fake_node(extra_headers={"Cache-Control": "private"})
    client = await network([("p", private)], AGGREGATOR_CACHE_TTL="60")
    for _ in range(2):
        await get_json(client, COUNT)
    assert len(p.seen) == 2
