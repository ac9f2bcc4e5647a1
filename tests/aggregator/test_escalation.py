"""A network never raises a caller's tier: asked through the aggregator, every caller gets what
the node gives them when they ask it themselves — anonymous callers what anonymous callers get,
a token holder what their own passport grants — whatever the credentials setting, whatever
token the network holds, and whatever the cache has kept for other callers.

The real node ``dk`` holds ds1 (REGISTERED; the public sees a count rounded to 5) and ds2
(CONTROLLED by its DAC; bona fide researchers see that it exists). The network identifies
itself to the node with a token that is itself a powerful passport (bona fide and granted
ds2): exactly what ``credentials = "service"`` used to send as every caller's token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import typing
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from beacon.config import ConfigError, NodeEntry, load_settings
from beacon.config.sections import CredentialsPolicy
from tests.aggregator.conftest import Network, RealNode
from tests.auth import DAC, Issuers, access_toml, bearer, grant_value
from tests.conftest import Client, ServerFactory

QUERY = "/individuals?requestedGranularity=record&includeResultsetResponses=ALL"


def node_config(issuers: Issuers, network_token: str) -> str:
    digest = hashlib.sha256(network_token.encode()).hexdigest()
    datasets = f"""
[[access.datasets]]
id = "ds1"
security_level = "REGISTERED"
public = "count"
round_to = 5

[[access.datasets]]
id = "ds2"
security_level = "CONTROLLED"
visa_values = ["{grant_value("ds2")}"]
visa_issuers = ["{DAC}"]
registered = "boolean"

[[access.networks]]
id = "gdi-network"
token_sha256 = "{digest}"
"""
    return access_toml(issuers, datasets)


@pytest.fixture
async def issuers(aiohttp_server: ServerFactory) -> Issuers:
    return await Issuers().serve(aiohttp_server)


@pytest.fixture
async def setup(real_node: RealNode, issuers: Issuers) -> tuple[str, str, dict[str, str | None]]:
    """(the node's URL, the network's token, the callers' bearer tokens by name)."""
    network_token = issuers.login.passport(issuers.grant("ds2"), *issuers.bona_fide())
    url = await real_node(
        "dk",
        node_config(issuers, network_token),
        BEACON_UNDECLARED_DATASETS="hidden",
        BEACON_JWKS_MIN_REFRESH="0",
    )
    callers: dict[str, str | None] = {
        "anonymous": None,
        "bona fide": issuers.login.passport(*issuers.bona_fide()),
        "granted": issuers.login.passport(issuers.grant("ds2")),
    }
    return url, network_token, callers


def shown(body: dict[str, Any]) -> dict[str, Any]:
    """What an answer gives away, with the network's node prefix taken off the set ids."""
    sets = body.get("response", {}).get("resultSets", [])
    return {
        "summary": body["responseSummary"],
        "granularity": body["meta"]["returnedGranularity"],
        "sets": sorted(
            (
                s["id"].removeprefix("dk:"),
                s["exists"],
                s.get("resultsCount"),
                sorted(r["id"] for r in s.get("results", [])),
                s.get("info", {}).get("countPrecision"),
            )
            for s in sets
        ),
    }


async def direct(url: str, token: str | None) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url + QUERY, headers=headers) as response,
    ):
        assert response.status == 200
        return shown(await response.json())


async def through(client: Client, token: str | None) -> tuple[dict[str, Any], str]:
    headers = bearer(token) if token else {}
    response = await client.get("/api" + QUERY, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    assert body["info"]["nodes"][0]["status"] == "ok", body["info"]
    return shown(body), response.headers["X-Aggregator-Cache"]


@pytest.mark.parametrize("credentials", typing.get_args(CredentialsPolicy))
async def test_no_caller_gets_more_through_the_network_than_from_the_node(
    setup: tuple[str, str, dict[str, str | None]],
    network: Network,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    credentials: CredentialsPolicy,
) -> None:
    url, network_token, callers = setup
    if credentials == "service":
        # The one setting that sent the network's token as the caller's: refused at start.
        path = tmp_path / "network.toml"
        path.write_text(
            f'[[aggregator.nodes]]\nid = "dk"\nurl = "{url}"\ncredentials = "service"\n'
            'token_env = "NET_TOKEN"\n'
        )
        with pytest.raises(ConfigError, match="anonymous callers of the network would get"):
            load_settings(path, {"NET_TOKEN": network_token}, "aggregator")
        return
    entry = NodeEntry(id="dk", url=url, credentials=credentials, token_env="NET_TOKEN")
    client = await network([entry], {"NET_TOKEN": network_token}, AGGREGATOR_CACHE_TTL="60")
    expected = {name: await direct(url, None) for name in callers}
    if credentials == "forward":
        expected = {name: await direct(url, token) for name, token in callers.items()}
    assert expected["anonymous"]["sets"] == [], "the public sees counts only"
    assert expected["anonymous"]["summary"] == {"exists": True, "numTotalResults": 5}
    caplog.set_level(logging.INFO, logger="beacon.audit")
    caplog.clear()  # the node's audit of the direct calls above
    # Every caller twice, interleaved: the cache must never hand one tier's answer to another.
    order = ["anonymous", "bona fide", "anonymous", "granted", "bona fide", "granted"]
    states = []
    for name in order:
        got, state = await through(client, callers[name])
        assert got == expected[name], name
        states.append(state)
    assert states == ["miss", "miss", "hit", "miss", "hit", "hit"]
    # The node's audit log names the real caller, and the network they came through.
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "beacon.audit"]
    assert [line["network"] for line in lines] == ["gdi-network"] * 3
    subjects = [line["subject"] for line in lines]
    if credentials == "forward":
        assert subjects == ["anonymous", "researcher@example.org", "researcher@example.org"]
    else:
        assert subjects == ["anonymous"] * 3
    assert network_token not in caplog.text


async def test_a_network_token_the_node_does_not_know_is_a_401(
    setup: tuple[str, str, dict[str, str | None]], network: Network
) -> None:
    url, _, _ = setup
    entry = NodeEntry(id="dk", url=url, token_env="NET_TOKEN")
    client = await network([entry], {"NET_TOKEN": "not-the-networks-token"})
    response = await client.get("/api" + QUERY)
    body = await response.json()
    node = body["info"]["nodes"][0]
    assert node["status"] == "error"
    assert "X-Beacon-Network token is not that of a network this beacon knows" in node["reason"]


async def test_anonymous_callers_of_a_known_network_are_not_budgeted_by_its_address(
    real_node: RealNode, issuers: Issuers, network: Network
) -> None:
    network_token = "plain-network-token"
    url = await real_node(
        "dk",
        node_config(issuers, network_token),
        BEACON_UNDECLARED_DATASETS="hidden",
        BEACON_BUDGET_ANONYMOUS="2",
    )
    for status in (200, 200, 429):
        async with aiohttp.ClientSession() as session, session.get(url + QUERY) as response:
            assert response.status == status
    entry = NodeEntry(id="dk", url=url, token_env="NET_TOKEN")
    client = await network([entry], {"NET_TOKEN": network_token})
    for _ in range(3):
        got, _ = await through(client, None)
        assert got["summary"]["numTotalResults"] == 5
