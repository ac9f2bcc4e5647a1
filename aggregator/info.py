"""The network's informational endpoints: /info, /service-info, /configuration, /map,
/entry_types and /filtering_terms, plus the operator's /nodes view. Pure builders.

The network is itself a Beacon (SPEC.md §8): it answers every entry type of the default model
at the same paths as a node, under its own API root, so /configuration and /map are the shared
framework documents. /info names the members in ``response.info.network``; /filtering_terms is
the union of the members' terms (scopes merged), which is what a client may filter on — a
query with a term only some nodes know goes to those nodes alone, and says so.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aggregator import __version__
from aggregator.discovery import Discovery
from aggregator.registry import Registry
from beacon.config import AggregatorSettings
from beacon.protocol import framework
from beacon.protocol.entry_types import SPEC_VERSION
from beacon.protocol.response import informational_meta


def public_base_url(settings: AggregatorSettings) -> str:
    """The absolute URL of the network's API root (for /map and links)."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    return f"http://{settings.host}:{settings.port}/api"


def _site_root(settings: AggregatorSettings) -> str:
    base = public_base_url(settings)
    return base[: -len("/api")] if base.endswith("/api") else base


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def organization(settings: AggregatorSettings) -> dict[str, Any]:
    org: dict[str, Any] = {"id": settings.organization_id, "name": settings.organization_name}
    if settings.contact_url:
        org["contactUrl"] = settings.contact_url
    org["welcomeUrl"] = f"{_site_root(settings)}/"
    return org


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
        member["circuit"] = registry.breakers[node.id].state.value
        listed.append(member)
    return listed


def info_response(
    settings: AggregatorSettings, started: dt.datetime, registry: Registry, discovery: Discovery
) -> dict[str, Any]:
    response = {
        "id": settings.id,
        "name": settings.name,
        "apiVersion": SPEC_VERSION,
        "environment": settings.environment,
        "organization": organization(settings),
        "description": settings.description,
        "version": __version__,
        "welcomeUrl": f"{_site_root(settings)}/",
        "alternativeUrl": public_base_url(settings),
        "createDateTime": _stamp(started),
        "updateDateTime": _stamp(started),
        "info": {
            "isAggregator": True,
            "software": {"name": "beacon-gdi aggregator", "version": __version__},
            "network": members(registry, discovery),
        },
    }
    return {"meta": informational_meta(settings.id), "response": response}


def service_info(settings: AggregatorSettings, started: dt.datetime) -> dict[str, Any]:
    """GA4GH service-info 1.0.0: a bare object, no meta/response wrapper."""
    body: dict[str, Any] = {
        "id": settings.id,
        "name": settings.name,
        "type": {"group": "org.ga4gh", "artifact": "beacon", "version": SPEC_VERSION},
        "description": settings.description,
        "organization": {"name": settings.organization_name, "url": f"{_site_root(settings)}/"},
        "createdAt": _stamp(started),
        "updatedAt": _stamp(started),
        "environment": settings.environment,
        "version": __version__,
    }
    if settings.contact_url:
        body["contactUrl"] = settings.contact_url
    return body


def configuration(settings: AggregatorSettings, registry: Registry) -> dict[str, Any]:
    levels = ["PUBLIC"]
    if any(n.credentials == "forward" for n in registry.nodes):
        levels += ["REGISTERED", "CONTROLLED"]
    security = {"defaultGranularity": settings.default_granularity, "securityLevels": levels}
    response = framework.configuration_document(settings.environment, security)
    return {"meta": informational_meta(settings.id), "response": response}


def entry_types_response(settings: AggregatorSettings) -> dict[str, Any]:
    return {
        "meta": informational_meta(settings.id),
        "response": {"entryTypes": framework.entry_types_section()},
    }


def beacon_map(settings: AggregatorSettings) -> dict[str, Any]:
    response = framework.map_document(public_base_url(settings))
    return {"meta": informational_meta(settings.id), "response": response}


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


def filtering_terms_response(
    settings: AggregatorSettings, terms: list[dict[str, Any]], resources: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "meta": informational_meta(settings.id),
        "response": {"filteringTerms": terms, "resources": resources},
    }


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
            "dialect": {
                "method": node.dialect.method,
                "parameters": "nested" if node.dialect.nested else "flat",
                "skip": "pages" if node.dialect.skip_pages else "records",
            },
            "timeoutSeconds": node.timeout_s,
            "circuit": registry.breakers[node.id].as_json(),
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
