"""Loading settings for one program: defaults, the program's own defaults, the file, then the
environment; every value checked before any program starts."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
import typing
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from beacon.config.declare import ConfigError, build, build_tables
from beacon.config.sections import (
    ASYMMETRIC_ALGORITHMS,
    GRANULARITY_ORDER,
    LEVELS,
    AccessSettings,
    AggregatorSettings,
    IssuerSettings,
    NodeEntry,
    ServerSettings,
    Settings,
)

CONFIG_ENV = "BEACON_CONFIG"
#: The largest integer a JavaScript number holds exactly (2**53 - 1).
MAX_SAFE_INTEGER = 2**53 - 1
Program = typing.Literal["node", "aggregator", "ingest"]

#: Where a program's defaults differ from the declared ones (which are the node's).
PROGRAM_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "aggregator": {
        "server": {
            "id": "org.example.network",
            "name": "Example Beacon Network",
            "description": "A GA4GH Beacon v2 network: one query, every country's answer, merged.",
            "port": 5060,
            "max_limit": 100,
        }
    },
}


def _layered(defaults: Mapping[str, Any], table: Mapping[str, Any]) -> dict[str, Any]:
    """``table`` over ``defaults``, table by table."""
    merged: dict[str, Any] = dict(defaults)
    for key, value in table.items():
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            merged[key] = _layered(below, value)
        else:
            merged[key] = value
    return merged


def load_settings(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    program: Program = "node",
) -> Settings:
    """Read settings once: environment beats the TOML file beats the program's defaults."""
    env = os.environ if environ is None else environ
    source = path or env.get(CONFIG_ENV) or None
    table = _read_toml(source, "config file") if source else {}
    table = _layered(PROGRAM_DEFAULTS.get(program, {}), table)
    settings: Settings = build(Settings, table, env, "")
    settings = _with_registry(settings)
    _check_server(settings)
    _check_aggregator(settings.aggregator)
    _check_access(settings.access)
    return settings


def _read_toml(path: str | Path, what: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None


def _with_registry(settings: Settings) -> Settings:
    """Add the nodes of the registry file named by ``aggregator.registry``."""
    path = settings.aggregator.registry
    if not path:
        return settings
    table = _read_toml(path, "setting aggregator.registry: the registry file")
    unknown = sorted(set(table) - {"nodes"})
    if unknown:
        raise ConfigError(f"registry file {path}: unknown key {unknown[0]}; expected [[nodes]]")
    nodes = build_tables(NodeEntry, table.get("nodes", []), f"{path}: nodes")
    aggregator = dataclasses.replace(settings.aggregator, nodes=settings.aggregator.nodes + nodes)
    return dataclasses.replace(settings, aggregator=aggregator)


_NODE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def check_credentials(node: NodeEntry, key: str) -> None:
    """Refuse a credentials policy that could raise a caller's tier at the node."""
    if node.credentials == "service":
        raise ConfigError(
            f"setting {key}.credentials: 'service' would send the network's own token to "
            f"node {node.id} as every caller's, so anonymous callers of the network would get "
            "the network's tier there; use 'none' or 'forward' (the caller's own token), and "
            "token_env to identify the network to the node (its budget and audit, never a tier)"
        )


def _check_aggregator(agg: AggregatorSettings) -> None:
    for name in ("node_timeout_s", "connect_timeout_s", "deadline_s"):
        if getattr(agg, name) <= 0:
            raise ConfigError(f"setting aggregator.{name}: must be more than 0")
    if not 1 <= agg.max_node_count <= MAX_SAFE_INTEGER // 1000:
        raise ConfigError(
            f"setting aggregator.max_node_count: between 1 and {MAX_SAFE_INTEGER // 1000} "
            "(sums of counts must stay exact in JavaScript clients)"
        )
    for name in ("health_probe_s", "queue_wait_s"):
        if getattr(agg, name) <= 0:
            raise ConfigError(f"setting aggregator.{name}: must be more than 0")
    for name in (
        "max_connections",
        "max_connections_per_node",
        "breaker_failures",
        "max_in_flight",
    ):
        if getattr(agg, name) < 1:
            raise ConfigError(f"setting aggregator.{name}: must be at least 1")
    if agg.retries < 0 or agg.cache_ttl_s < 0 or agg.max_response_bytes < 1024:
        raise ConfigError(
            "settings aggregator.retries/cache_ttl_s must be >= 0 and "
            "aggregator.max_response_bytes >= 1024"
        )
    seen: set[str] = set()
    for i, node in enumerate(agg.nodes):
        key = f"aggregator.nodes[{i}]"
        if not _NODE_ID.match(node.id):
            raise ConfigError(
                f"setting {key}.id: {node.id!r} must be 1-64 letters, digits, '.', '_' or '-'"
            )
        if node.id in seen:
            raise ConfigError(f"setting {key}.id: {node.id!r} is declared twice")
        seen.add(node.id)
        if not node.url.startswith(("http://", "https://")):
            raise ConfigError(f"setting {key}.url: {node.url!r} is not an http(s) URL")
        check_credentials(node, key)
        if node.timeout_s < 0:
            raise ConfigError(f"setting {key}.timeout_s: must be 0 (default) or more")


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def secure_url(url: str) -> bool:
    """An https URL, or plain http to this machine (tests, a local issuer)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def _check_issuer(key: str, issuer: IssuerSettings) -> None:
    urls = {
        "jwks_uri": issuer.jwks_uri,
        "userinfo_endpoint": issuer.userinfo_endpoint,
        "introspection_endpoint": issuer.introspection_endpoint,
    }
    if issuer.discover:
        urls["iss"] = issuer.iss  # the OpenID configuration is read from it
    elif not issuer.jwks_uri:
        raise ConfigError(f"setting {key}.jwks_uri: required unless discover = true")
    for name, url in urls.items():
        if url and not secure_url(url):
            raise ConfigError(
                f"setting {key}.{name}: {url!r} is not an https URL "
                "(plain http is accepted for localhost only)"
            )
    if not (issuer.access_tokens or issuer.visas):
        raise ConfigError(f"setting {key}: trusted for neither access_tokens nor visas")
    if issuer.opaque_tokens != "refuse" and not issuer.access_tokens:
        raise ConfigError(f"setting {key}.opaque_tokens: the issuer is not trusted for tokens")
    if issuer.opaque_tokens == "introspect":
        if not (issuer.introspection_endpoint or issuer.discover):
            raise ConfigError(
                f"setting {key}.introspection_endpoint: required for opaque_tokens = "
                "introspect (or discover = true)"
            )
        if not issuer.client_id or not issuer.client_secret_env:
            raise ConfigError(
                f"settings {key}.client_id/client_secret_env: introspection needs this "
                "node's client credentials at the issuer"
            )


def _check_access(access: AccessSettings) -> None:
    for alg in access.algorithms or ("(none)",):
        if alg not in ASYMMETRIC_ALGORITHMS:
            raise ConfigError(
                f"setting access.algorithms: {alg!r} is not accepted; choose among "
                + ", ".join(ASYMMETRIC_ALGORITHMS)
            )
    for name in ("jwks_ttl_s", "jwks_timeout_s", "budget_window_s"):
        if getattr(access, name) <= 0:
            raise ConfigError(f"setting access.{name}: must be more than 0")
    for name in (
        "leeway_s",
        "jwks_min_refresh_s",
        "userinfo_cache_s",
        "budget_per_identity",
        "budget_per_ip",
    ):
        if getattr(access, name) < 0:
            raise ConfigError(f"setting access.{name}: must be 0 or more")
    issuers: set[str] = set()
    for i, issuer in enumerate(access.issuers):
        key = f"access.issuers[{i}]"
        if not issuer.iss or issuer.iss in issuers:
            raise ConfigError(f"setting {key}.iss: {issuer.iss!r} is empty or declared twice")
        issuers.add(issuer.iss)
        _check_issuer(key, issuer)
    opaque = [i.iss for i in access.issuers if i.opaque_tokens != "refuse"]
    if len(opaque) > 1:
        raise ConfigError(
            "settings access.issuers[].opaque_tokens: accepted by "
            + ", ".join(opaque)
            + "; an opaque token does not say who issued it, and sending it to each would hand "
            "one issuer's tokens to another: accept them from one issuer only"
        )
    _check_networks(access)
    for i, proxy in enumerate(access.trusted_proxies):
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f"setting access.trusted_proxies[{i}]: {proxy!r} is not an address or network"
            ) from None
    datasets: set[str] = set()
    ranks = ("none", *GRANULARITY_ORDER)
    for i, policy in enumerate(access.datasets):
        key = f"access.datasets[{i}]"
        if not policy.id or policy.id in datasets:
            raise ConfigError(f"setting {key}.id: {policy.id!r} is empty or declared twice")
        datasets.add(policy.id)
        caps = [policy.tier_cap(tier) for tier in LEVELS]
        level = LEVELS.index(policy.security_level)
        described = ", ".join(f"{t.lower()} = {c}" for t, c in zip(LEVELS, caps, strict=True))
        if [ranks.index(c) for c in caps] != sorted(ranks.index(c) for c in caps):
            raise ConfigError(
                f"settings {key} ({policy.id}): a tier sees less than the one below ({described})"
            )
        if caps[level] == "none" or "record" in caps[:level]:
            raise ConfigError(
                f"settings {key} ({policy.id}): a {policy.security_level} dataset must be visible "
                f"to that tier, and below it at most at count ({described})"
            )
        if policy.security_level == "CONTROLLED" and not policy.visa_values:
            raise ConfigError(
                f"setting {key}.visa_values: {policy.id} is CONTROLLED; list the "
                "ControlledAccessGrants visa values that grant it"
            )
        if (policy.visa_values or policy.visa_sources) and not policy.visa_issuers:
            raise ConfigError(
                f"setting {key}.visa_issuers: name the visa issuers (its DAC) whose grants "
                f"count for {policy.id}; without them any trusted issuer could grant it"
            )
        if policy.min_count < 0 or policy.round_to < 0:
            raise ConfigError(f"settings {key}.min_count/round_to: must be 0 or more")


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _check_networks(access: AccessSettings) -> None:
    names: set[str] = set()
    digests: set[str] = set()
    for i, network in enumerate(access.networks):
        key = f"access.networks[{i}]"
        if not network.id or network.id in names:
            raise ConfigError(f"setting {key}.id: {network.id!r} is empty or declared twice")
        names.add(network.id)
        if not _SHA256.match(network.token_sha256) or network.token_sha256 in digests:
            raise ConfigError(
                f"setting {key}.token_sha256: 64 lowercase hex digits (sha256sum of the "
                "network's token), each network its own"
            )
        digests.add(network.token_sha256)


def _check_server(settings: Settings) -> None:
    server = settings.server
    if not 0 < server.port < 65536:
        raise ConfigError(f"setting server.port: {server.port} is not a valid port")
    if server.default_limit < 1 or server.max_limit < server.default_limit:
        raise ConfigError("settings server.default_limit/max_limit: need 1 <= default <= max")
    if server.max_body_bytes < 1:
        raise ConfigError("setting server.max_body_bytes: must be at least 1")
    if server.workers < 1:
        raise ConfigError("setting server.workers: must be at least 1")
    for name in ("max_header_bytes", "max_line_bytes"):
        if getattr(server, name) < 1024:
            raise ConfigError(f"setting server.{name}: must be at least 1024")
    sign_in = server.sign_in
    if sign_in.issuer:
        if not secure_url(sign_in.issuer):
            raise ConfigError(
                f"setting server.sign_in.issuer: {sign_in.issuer!r} is not an https URL "
                "(plain http is accepted for localhost only)"
            )
        if not sign_in.client_id:
            raise ConfigError("setting server.sign_in.client_id: required with an issuer")
    order = GRANULARITY_ORDER
    if order.index(server.default_granularity) > order.index(settings.node.max_granularity):
        raise ConfigError("setting server.default_granularity is above node.max_granularity")


def public_base_url(server: ServerSettings) -> str:
    """The absolute URL of the API root, as clients must use it (for /map and links)."""
    if server.base_url:
        return server.base_url.rstrip("/")
    return f"http://{server.host}:{server.port}/api"
