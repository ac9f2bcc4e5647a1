"""Settings that load but are unsafe somewhere: what ``check`` warns about, and why.

Each function looks at one program's settings alone (no I/O) and returns one sentence per
finding, naming the setting, what an attacker or a mistake could do with it, and the fix.
A warning does not stop a program: a test issuer over plain http on localhost, or an open
demo beacon, are deliberate — but they should never reach production unnoticed.
"""

from __future__ import annotations

import urllib.parse

from beacon.config.load import LOOPBACK_HOSTS
from beacon.config.sections import IssuerSettings, Settings


def _loopback(host: str) -> bool:
    """Listening on (or asking) this host reaches only this machine."""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def _plain_http(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme == "http"


def _issuer_urls(issuer: IssuerSettings) -> list[str]:
    urls = [issuer.jwks_uri, issuer.userinfo_endpoint, issuer.introspection_endpoint]
    if issuer.discover:
        urls.append(issuer.iss)
    return [u for u in urls if u]


def node_warnings(settings: Settings) -> list[str]:
    """What is unsafe in a node's settings."""
    access, server = settings.access, settings.server
    found = []
    if access.client_ip_header and not _loopback(server.host) and not access.trusted_proxies:
        found.append(
            f"access.client_ip_header = {access.client_ip_header!r} is believed from any peer "
            f"while the node listens on {server.host}: whoever reaches it directly chooses "
            "their own address and escapes the anonymous budget; list your reverse proxies in "
            "access.trusted_proxies"
        )
    if access.undeclared_datasets == "public" and server.environment != "dev":
        found.append(
            f"access.undeclared_datasets = 'public' in a {server.environment} deployment: every "
            "dataset without an [[access.datasets]] table is open to anyone at record level"
        )
    for i, issuer in enumerate(access.issuers):
        key = f"access.issuers[{i}] ({issuer.iss})"
        if any(_plain_http(url) for url in _issuer_urls(issuer)):
            found.append(
                f"{key} is reached over plain http: keys and passports can be read or "
                "replaced on the way; use https outside a local test"
            )
        if issuer.access_tokens and not issuer.audiences:
            found.append(
                f"{key} has no audiences: a token it issued for any other service is accepted "
                "here too; list this beacon's audience"
            )
        if issuer.opaque_tokens == "userinfo":
            found.append(
                f"{key} accepts opaque tokens on the word of its userinfo endpoint: their "
                "audience and expiry cannot be checked; prefer opaque_tokens = 'introspect'"
            )
    trusted = {issuer.iss for issuer in access.issuers if issuer.visas}
    for i, policy in enumerate(access.datasets):
        for iss in policy.visa_issuers:
            if iss not in trusted:
                found.append(
                    f"access.datasets[{i}] ({policy.id}): visa issuer {iss!r} is not an "
                    "[[access.issuers]] entry trusted for visas, so no grant of it can open "
                    "the dataset"
                )
    return found


def aggregator_warnings(settings: Settings) -> list[str]:
    """What is unsafe in a network's settings."""
    found = []
    for i, node in enumerate(settings.aggregator.nodes):
        host = urllib.parse.urlsplit(node.url).hostname or ""
        sends = node.credentials == "forward" or node.token_env
        if sends and _plain_http(node.url) and not _loopback(host):
            found.append(
                f"aggregator.nodes[{i}] ({node.id}) is sent tokens over plain http: whoever "
                "sees the traffic can reuse them; use the node's https URL"
            )
    return found
