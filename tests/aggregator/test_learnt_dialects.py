"""Node dialects are learnt, not only declared: from /info, /map and a few probes.

The strangers are real nodes behind a proxy that speaks as nodes in the wild do: one takes no
POST, one reads requestParameters flat only (and ignores a nested ``g_variant``, so a nested
query would be answered as if it had no variant at all: a silently widened answer), one counts
``skip`` in records. The network must find each out, and answer through them exactly what the
node answers directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from aggregator import dialect
from beacon.config import NodeEntry
from tests.aggregator.conftest import Network, RealNode, api_url, get_json, statuses
from tests.conftest import ServerFactory

SNV1 = "referenceName=17&start=7577120&alternateBases=A&requestedGranularity=count"


@dataclass
class Stranger:
    """How the proxy in front of a real node speaks."""

    node: str  # the real node's API root
    get_only: bool = False
    flat_only: bool = False
    skip_records: bool = False
    seen: list[tuple[str, str]] = field(default_factory=list)


def _pages(skip: int, limit: int) -> int:
    return skip // limit if limit else 0


def stranger_app(stranger: Stranger) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        stranger.seen.append((request.method, tail))
        if request.method == "POST" and stranger.get_only:
            raise web.HTTPMethodNotAllowed("POST", ["GET"])
        query = dict(request.query)
        body = await request.json() if request.can_read_body else None
        if stranger.flat_only and isinstance(body, dict):
            parameters = body.get("query", {}).get("requestParameters")
            if isinstance(parameters, dict) and "g_variant" in parameters:
                del body["query"]["requestParameters"]  # not understood: ignored
        if stranger.skip_records:
            limit = int(query.get("limit", "10") or 10)
            if tail == "filtering_terms":  # records: ask the node for all up to there
                skip = int(query.get("skip", "0"))
                query = {"skip": "0", "limit": str(skip + limit)}
            elif "skip" in query:
                query["skip"] = str(_pages(int(query["skip"]), limit))
            if isinstance(body, dict) and "pagination" in body.get("query", {}):
                page = body["query"]["pagination"]
                page["skip"] = _pages(int(page.get("skip", 0)), int(page.get("limit", 10)))
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                f"{stranger.node}/{tail}",
                params=query,
                data=None if body is None else json.dumps(body),
                headers={"Content-Type": "application/json"},
            ) as answer,
        ):
            found: Any = await answer.json()
            status = answer.status
        if tail == "info":
            found["response"].pop("info", None)  # it names no software the network knows
        if tail == "filtering_terms" and stranger.skip_records:
            skip, limit = int(request.query.get("skip", "0")), int(request.query["limit"])
            terms = found["response"]["filteringTerms"]
            found["response"]["filteringTerms"] = terms[skip : skip + limit]
        return web.json_response(found, status=status)

    app = web.Application()
    app.router.add_route("*", "/api/{tail:.+}", handle)
    return app


@pytest.fixture
def stranger(aiohttp_server: ServerFactory, real_node: RealNode) -> Any:
    async def start(
        get_only: bool = False, flat_only: bool = False, skip_records: bool = False
    ) -> tuple[str, Stranger]:
        found = Stranger(await real_node("se"), get_only, flat_only, skip_records)
        return api_url(await aiohttp_server(stranger_app(found))), found

    return start


async def test_each_strangers_dialect_is_learnt(stranger: Any, network: Network) -> None:
    get_only, _ = await stranger(get_only=True)
    flat, _ = await stranger(flat_only=True)
    records, _ = await stranger(skip_records=True)
    plain, plain_stranger = await stranger()
    client = await network(
        [("get", get_only), ("flat", flat), ("records", records), ("plain", plain)]
    )
    await get_json(client, "/api/info")
    listed = {n["nodeId"]: n["dialect"] for n in (await get_json(client, "/api/nodes"))["nodes"]}
    learnt = {"method": "learnt", "parameters": "learnt", "skip": "learnt", "how": "probes"}
    assert listed["get"] == {
        "method": "GET",
        "parameters": "nested",
        "skip": "pages",
        "source": {**learnt, "parameters": "default"},  # a GET node is never sent a body
    }
    assert listed["flat"] == {
        "method": "POST",
        "parameters": "flat",
        "skip": "pages",
        "source": learnt,
    }
    assert listed["records"] == {
        "method": "POST",
        "parameters": "nested",
        "skip": "records",
        "source": learnt,
    }
    assert listed["plain"] == {
        "method": "POST",
        "parameters": "nested",
        "skip": "pages",
        "source": learnt,
    }
    probes = [p for p in plain_stranger.seen if p[1] in ("individuals", "g_variants")]
    assert probes == [("POST", "individuals"), ("POST", "g_variants"), ("POST", "g_variants")]


async def test_our_own_nodes_are_known_from_their_info(
    real_node: RealNode, network: Network
) -> None:
    client = await network([("se", await real_node("se"))])
    await get_json(client, "/api/info")  # once the first discoveries are done
    (node,) = (await get_json(client, "/api/nodes"))["nodes"]
    assert node["dialect"]["source"]["how"] == "its /info names beacon-gdi"


async def test_answers_through_strangers_are_the_nodes_own(
    stranger: Any, network: Network, real_node: RealNode
) -> None:
    direct = await network([("se", await real_node("se"))])
    for how in ({"get_only": True}, {"flat_only": True}, {"skip_records": True}):
        url, _ = await stranger(**how)
        client = await network([("se", url)])
        for path in (
            f"/api/g_variants?{SNV1}",
            "/api/individuals?requestedGranularity=record&limit=1&skip=1",
            "/api/individuals?filters=NCIT:C16576&requestedGranularity=count",
        ):
            through = await get_json(client, path)
            assert statuses(through)["se"] == ("ok", ""), (how, path)
            mine = await get_json(direct, path)
            assert through["responseSummary"] == mine["responseSummary"], (how, path)
            assert through.get("response") == mine.get("response"), (how, path)


async def test_a_declaration_overrides_what_is_learnt(stranger: Any, network: Network) -> None:
    """The registry's word wins (here wrongly: the nested query is widened by the stranger,
    which is what declaring a dialect by hand risks, and why it is learnt by default)."""
    flat, _ = await stranger(flat_only=True)
    client = await network([NodeEntry(id="flat", url=flat, parameters="nested")])
    await get_json(client, "/api/info")
    (node,) = (await get_json(client, "/api/nodes"))["nodes"]
    assert node["dialect"]["parameters"] == "nested"
    assert node["dialect"]["source"]["parameters"] == "declared"
    widened = await get_json(client, f"/api/g_variants?{SNV1}")
    assert widened["responseSummary"]["numTotalResults"] > 1


def test_the_rules_of_the_probes() -> None:
    assert dialect.method_from(200, None) == "POST"
    assert dialect.method_from(405, 200) == "GET"
    assert dialect.method_from(401, 200) is None  # "not for you" says nothing of the method
    assert dialect.nesting_from((200, False), (200, False)) is True
    assert dialect.nesting_from((200, True), (200, False)) is False
    assert dialect.nesting_from((400, None), (200, False)) is False
    assert dialect.nesting_from((200, True), (200, True)) is None
    assert dialect.nesting_from((None, None), (None, None)) is None
    assert dialect.skip_from(["a", "b", "c", "d"], ["c", "d"]) is True
    assert dialect.skip_from(["a", "b", "c", "d"], ["b", "c"]) is False
    assert dialect.skip_from(["a", "b"], ["b"]) is None
