"""Signing keys of the trusted issuers: fetched from their configured JWKS URLs, cached, rotated.

Keys come only from the ``jwks_uri`` configured for an issuer (or named by the OpenID
configuration of a configured issuer, ``oidc.py``) — never from a URL a token names (``jku``,
``x5u``): a token that could choose where its key comes from could sign itself.
A key set is reused for ``jwks_ttl_s``; a token signed with a key id the cached set lacks makes
one refetch (the issuer has rotated its keys), at most once per ``jwks_min_refresh_s`` per
issuer, so a stream of made-up key ids cannot turn the node into a load generator. When a
refetch fails, the keys already known stay in use.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from jwt import PyJWK
from jwt.exceptions import PyJWKError

log = logging.getLogger("beacon.jwks")

#: Which JWK key type (and curve) can verify each algorithm family.
_KTY = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_CURVE = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "EdDSA": "Ed25519"}


class KeysUnavailable(Exception):
    """The issuer's key set could not be fetched and none is cached."""


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # kid ("" if none) -> JWK
    fetched: float = float("-inf")  # last successful fetch
    attempted: float = float("-inf")  # last fetch, successful or not
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _usable(jwk: Any) -> bool:
    """Public signing keys only: symmetric ("oct") keys and encryption keys are ignored."""
    return (
        isinstance(jwk, dict)
        and jwk.get("kty") in ("RSA", "EC", "OKP")
        and jwk.get("use", "sig") == "sig"
        and "d" not in jwk  # a private key published by mistake is not used either
    )


def _fits(jwk: dict[str, Any], alg: str) -> bool:
    if jwk.get("alg") not in (None, alg):
        return False
    if jwk.get("kty") != _KTY.get(alg[:2]):
        return False
    return alg not in _CURVE or jwk.get("crv") == _CURVE[alg]


class JwksCache:
    """The key sets of the configured issuers, fetched over one shared ClientSession."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        ttl: float,
        min_refresh: float,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.ttl = ttl
        self.min_refresh = min_refresh
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.clock = clock
        self._sets: dict[str, _KeySet] = {}

    async def key(self, iss: str, uri: str, kid: str | None, alg: str) -> PyJWK | None:
        """Issuer ``iss``'s key ``kid`` bound to ``alg`` from its key set at ``uri``, or None if
        the issuer does not publish it.

        Raises ``KeysUnavailable`` when the key set cannot be fetched and nothing is cached.
        """
        keyset = self._sets.setdefault(iss, _KeySet())
        if self.clock() - keyset.fetched >= self.ttl:
            await self._refresh(iss, uri, keyset, expired_only=True)
        found = self._find(keyset, kid, alg)
        if found is None:
            # Maybe the issuer rotated its keys: refetch (rate-limited) and look again.
            await self._refresh(iss, uri, keyset, expired_only=False)
            found = self._find(keyset, kid, alg)
        if found is None and not keyset.keys:
            raise KeysUnavailable(iss)
        return found

    def _find(self, keyset: _KeySet, kid: str | None, alg: str) -> PyJWK | None:
        if kid is None:
            # Without a kid a token is only matched to an issuer that publishes one key.
            candidates = list(keyset.keys.values()) if len(keyset.keys) == 1 else []
        else:
            candidates = [keyset.keys[kid]] if kid in keyset.keys else []
        for jwk in candidates:
            if _fits(jwk, alg):
                try:
                    return PyJWK(jwk, algorithm=alg)
                except PyJWKError:
                    return None
        return None

    async def _refresh(self, iss: str, uri: str, keyset: _KeySet, expired_only: bool) -> None:
        async with keyset.lock:
            now = self.clock()
            # Requests that waited on the lock find the work done by the one before them;
            # and no issuer is asked more often than min_refresh, whatever tokens arrive.
            if now - keyset.attempted < self.min_refresh:
                return
            if expired_only and now - keyset.fetched < self.ttl:
                return
            keyset.attempted = now
            try:
                keys = await self._fetch(uri)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                # The keys already known stay in use.
                log.warning("key set of %s not fetched: %s", iss, type(exc).__name__)
                return
            keyset.keys = keys
            keyset.fetched = self.clock()

    async def _fetch(self, url: str) -> dict[str, dict[str, Any]]:
        async with self.session.get(url, timeout=self.timeout, allow_redirects=False) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            body = await response.json(content_type=None)
        if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
            raise ValueError("not a JWK set")
        keys = {str(jwk.get("kid", "")): jwk for jwk in body["keys"] if _usable(jwk)}
        log.info("fetched %d signing keys from %s", len(keys), url)
        return keys
