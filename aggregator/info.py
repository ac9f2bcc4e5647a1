"""What the network's informational endpoints add to the shared documents (``beacon.web.info``):
its members in /info, its security levels in /configuration, the union of the members' terms
in /filtering_terms, and the operator's /nodes view. Pure builders.

The network is itself a Beacon (docs/design.md §6): it answers every entry type of the default model
at the same paths as a node, under its own API root, so /configuration and /map are the shared
framework documents. /info names the members in ``response.info.network`` and carries their own
/info answers in ``responses``; /filtering_terms is
the union of the members' terms (scopes merged), which is what a client may filter on — a
query with a term only some nodes know goes to those nodes alone, and says so.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aggregator import __version__
from aggregator.discovery import Discovery
from aggregator.fanout import Network
from aggregator.registry import Node, Registry
from beacon.config import ServerSettings
from beacon.web import info


def members(registry: Registry, discovery: Discovery) -> list[dict[str, Any]]:
    """Each node as the network presents it: ids, country, and whether it is reachable."""
    listed = []
    for node in registry.nodes:
        known = discovery.known.get(node.id)
        member: dict[str, Any] = {"nodeId": node.id, "country": node.country, "url": node.url}
        if known is not None:
            member["beaconId"] = known.beacon_id
            if isinstance(known.info.get("name"), str):
                member["name"] = known.info["name"]
            member["entryTypes"] = sorted(known.entry_types)
        member["health"] = registry.health[node.id].state.value
        listed.append(member)
    return listed


def info_response(server: ServerSettings, started: dt.datetime, net: Network) -> dict[str, Any]:
    """The network's /info: the shared document, with its members under ``info.network`` and
    each member's own /info answer under ``responses`` (the ELIXIR and EGA networks'
    convention: the EGA UI shows a network's members from it). Members never reached are
    absent from ``responses`` and listed in ``info.network`` with their health."""
    extras = {
        "isAggregator": True,
        "software": {"name": "beacon-gdi aggregator", "version": __version__},
        "network": members(net.registry, net.discovery),
    }
    document = info.info_response(server, started, extras)
    known = net.discovery.known
    document["responses"] = [
        known[n.id].info_document
        for n in net.registry.nodes
        if n.id in known and known[n.id].info_document
    ]
    return document


def configuration(server: ServerSettings, registry: Registry) -> dict[str, Any]:
    levels = ["PUBLIC"]
    if any(n.credentials == "forward" for n in registry.nodes):
        levels += ["REGISTERED", "CONTROLLED"]
    security = {"defaultGranularity": server.default_granularity, "securityLevels": levels}
    return info.configuration(server, security)


def union_terms(
    registry: Registry, discovery: Discovery, scope: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every member's filtering terms once (scopes merged), and their resources once."""
    terms: dict[str, dict[str, Any]] = {}
    resources: dict[str, dict[str, Any]] = {}
    for node in registry.nodes:
        known = discovery.known.get(node.id)
        if known is None:
            continue
        for term in known.terms:
            if not isinstance(term.get("type"), str):
                continue
            scopes = [s for s in term.get("scopes") or [] if isinstance(s, str)]
            if scope is not None and scopes and scope not in scopes:
                continue
            merged = terms.setdefault(term["id"], {**term, "scopes": []})
            merged["scopes"] += [s for s in scopes if s not in merged["scopes"]]
        for resource in known.resources:
            if isinstance(resource.get("id"), str):
                resources.setdefault(resource["id"], resource)
    listed = []
    for term in terms.values():
        if not term["scopes"]:
            term = {k: v for k, v in term.items() if k != "scopes"}
        listed.append(term)
    return listed, list(resources.values())


def dialect_view(discovery: Discovery, node: Node) -> dict[str, Any]:
    """The dialect a node is asked in, and where each part comes from (declared in the
    registry, learnt from the node, or the spec's default)."""
    used = discovery.dialect_of(node)
    view: dict[str, Any] = {
        "method": used.method,
        "parameters": "nested" if used.nested else "flat",
        "skip": "pages" if used.skip_pages else "records",
    }
    known = discovery.known.get(node.id)
    if known is not None and known.dialect_sources:
        view["source"] = dict(known.dialect_sources)
    return view


def nodes_view(
    registry: Registry, discovery: Discovery, now: float | None = None
) -> dict[str, Any]:
    """/api/nodes: each node's configuration, capabilities, breaker and last outcome.

    Credentials appear as the policy name only, never as a value.
    """
    clock = discovery.clock() if now is None else now
    listed = []
    for node in registry.nodes:
        entry: dict[str, Any] = {
            "nodeId": node.id,
            "country": node.country,
            "url": node.url,
            "credentials": node.credentials,
            "dialect": dialect_view(discovery, node),
            "timeoutSeconds": node.timeout_s,
            "health": registry.health[node.id].as_json(),
            "outcomes": dict(registry.counters[node.id]),
        }
        known = discovery.known.get(node.id)
        if known is not None:
            entry["capabilities"] = {
                "beaconId": known.beacon_id,
                "entryTypes": sorted(known.entry_types),
                "filteringTerms": None if known.filters is None else len(known.filters),
                "dataVersion": known.version,
                "defaultGranularity": known.default_granularity,
                "ageSeconds": round(clock - known.fetched_at, 1),
            }
        if node.id in discovery.problems:
            entry["metadataProblem"] = discovery.problems[node.id]
        last = registry.last.get(node.id)
        if last is not None:
            entry["lastOutcome"] = last.as_json()
        listed.append(entry)
    return {"nodes": listed, "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
