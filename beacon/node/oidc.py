"""The trusted issuers' OpenID endpoints: discovery, userinfo (a token's passport), introspection.

Only issuers of ``[[access.issuers]]`` are ever asked, at endpoints configured for them or read
from their own OpenID configuration (``{iss}/.well-known/openid-configuration``, whose
``issuer`` must be exactly the configured ``iss``); every URL is https, or plain http to this
machine. A discovered configuration is reused for ``jwks_ttl_s`` and kept when a refresh fails.

Userinfo (OIDC Core §5.3) is asked with the caller's own access token; in GA4GH AAI its answer
carries the ``ga4gh_passport_v1`` claim. Introspection (RFC 7662) is asked with this node's
client credentials. What an issuer says is either a refusal of the token (:class:`Refused`,
the caller's 401) or a failure of the issuer (:class:`Unavailable`, a 503 with the reason):
never a silent downgrade to anonymous. Tokens are never logged. Requests to issuers are
bounded in time, size and number in flight, so a stream of bearer tokens cannot turn the node
into a load generator against its login service.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from beacon.config import AccessSettings, ConfigError, IssuerSettings, Secret, secure_url

log = logging.getLogger("beacon.oidc")

#: A userinfo answer with a passport of a few hundred visas is well under this.
MAX_BYTES = 1_048_576
#: Requests to issuers in flight at once (userinfo and introspection together).
MAX_IN_FLIGHT = 32
WELL_KNOWN = "/.well-known/openid-configuration"


class Refused(Exception):
    """The issuer says the token is not (or no longer) valid; completes "the bearer token ..."."""


class Unavailable(Exception):
    """The issuer could not say; the message is the whole reason."""


@dataclass(frozen=True)
class Endpoints:
    """Where one issuer's keys, userinfo and introspection are ('' = it has none)."""

    jwks_uri: str = ""
    userinfo: str = ""
    introspection: str = ""


@dataclass
class _Discovered:
    endpoints: Endpoints | None = None
    fetched: float = float("-inf")
    attempted: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _configured(issuer: IssuerSettings) -> Endpoints:
    return Endpoints(issuer.jwks_uri, issuer.userinfo_endpoint, issuer.introspection_endpoint)


class IssuerClient:
    """Every request this node makes to an issuer, over one shared ClientSession."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        ttl: float,
        min_refresh: float,
        timeout: float,
        secrets: Mapping[str, Secret] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        #: iss -> this node's client secret there (introspection)
        self.secrets = dict(secrets or {})
        self.ttl = ttl
        self.min_refresh = min_refresh
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.clock = clock
        self._discovered: dict[str, _Discovered] = {}
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    # -- discovery ---------------------------------------------------------------------------

    async def endpoints(self, issuer: IssuerSettings) -> Endpoints:
        """The issuer's endpoints: configured ones win, the rest come from discovery."""
        configured = _configured(issuer)
        if not issuer.discover:
            return configured
        state = self._discovered.setdefault(issuer.iss, _Discovered())
        if self.clock() - state.fetched >= self.ttl:
            await self._discover(issuer, state)
        if state.endpoints is None:
            raise Unavailable(
                f"the OpenID configuration of issuer {issuer.iss} cannot be fetched; "
                "try again shortly"
            )
        found = state.endpoints
        return Endpoints(
            configured.jwks_uri or found.jwks_uri,
            configured.userinfo or found.userinfo,
            configured.introspection or found.introspection,
        )

    async def _discover(self, issuer: IssuerSettings, state: _Discovered) -> None:
        async with state.lock:
            now = self.clock()
            if now - state.fetched < self.ttl or now - state.attempted < self.min_refresh:
                return  # done by the request before, or tried too recently
            state.attempted = now
            url = issuer.iss.rstrip("/") + WELL_KNOWN
            try:
                status, body = await self._json("GET", url, {})
                if status != 200:
                    raise ValueError(f"HTTP {status}")
                state.endpoints = _parse_configuration(issuer.iss, body)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                # A configuration already known stays in use.
                log.warning("OpenID configuration of %s not fetched: %s", issuer.iss, exc)
                return
            state.fetched = self.clock()

    # -- userinfo and introspection ----------------------------------------------------------

    async def userinfo(self, issuer: IssuerSettings, url: str, token: str) -> dict[str, Any]:
        """The userinfo claims for ``token``, asked with the token itself."""
        what = f"the userinfo endpoint of issuer {issuer.iss}"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        status, body = await self._ask("GET", url, headers, what)
        if status in (401, 403):
            raise Refused(f"was refused by {what} (HTTP {status}): expired, revoked or not valid")
        if status != 200:
            raise Unavailable(f"{what} answered HTTP {status}; try again shortly")
        return body

    async def introspect(self, issuer: IssuerSettings, url: str, token: str) -> dict[str, Any]:
        """RFC 7662: is ``token`` active, for whom, until when, for which audience."""
        what = f"the introspection endpoint of issuer {issuer.iss}"
        secret = self.secrets.get(issuer.iss)
        if secret is None:
            raise Unavailable(f"this beacon has no client secret for issuer {issuer.iss}")
        headers = {
            "Accept": "application/json",
            "Authorization": _basic(issuer.client_id, secret.reveal()),
        }
        form = {"token": token, "token_type_hint": "access_token"}
        status, body = await self._ask("POST", url, headers, what, form)
        if status in (401, 403):
            raise Unavailable(f"{what} refused this beacon's client credentials (HTTP {status})")
        if status != 200:
            raise Unavailable(f"{what} answered HTTP {status}; try again shortly")
        if body.get("active") is not True:
            raise Refused(f"is not active, says {what}")
        return body

    async def _ask(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        what: str,
        form: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        async with self._in_flight:
            try:
                return await self._json(method, url, headers, form)
            except TimeoutError:
                raise Unavailable(f"{what} did not answer in time; try again shortly") from None
            except aiohttp.ClientError as exc:
                raise Unavailable(
                    f"{what} cannot be reached ({type(exc).__name__}); try again shortly"
                ) from None
            except ValueError as exc:
                raise Unavailable(f"{what} {exc}") from None

    async def _json(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        form: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """(status, JSON object); a 200 that is not a JSON object raises ValueError."""
        async with self.session.request(
            method,
            url,
            headers=headers,
            data=form,
            timeout=self.timeout,
            allow_redirects=False,
        ) as response:
            if response.status != 200:
                return response.status, {}
            kind = response.content_type
            if kind == "application/jwt":
                raise ValueError("answered a signed JWT (application/jwt); expected JSON")
            raw = await response.content.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise ValueError(f"answered more than {MAX_BYTES} bytes")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ValueError("did not answer JSON") from None
        if not isinstance(body, dict):
            raise ValueError("did not answer a JSON object")
        return response.status, body


def client_secrets(access: AccessSettings, environ: Mapping[str, str]) -> dict[str, Secret]:
    """The client secrets of the issuers, read from the variables their settings name;
    a variable that is not set stops the start (``ConfigError``)."""
    found = {}
    for i, issuer in enumerate(access.issuers):
        if issuer.client_secret_env:
            value = environ.get(issuer.client_secret_env, "")
            if not value:
                raise ConfigError(
                    f"setting access.issuers[{i}].client_secret_env: the variable "
                    f"${issuer.client_secret_env} is not set"
                )
            found[issuer.iss] = Secret(value)
    return found


def _basic(client_id: str, secret: str) -> str:
    """HTTP Basic client authentication, each part form-encoded first (RFC 6749 §2.3.1)."""
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _parse_configuration(iss: str, body: dict[str, Any]) -> Endpoints:
    """The endpoints of an OpenID configuration that is the issuer's own (OIDC Discovery §4.3)."""
    if body.get("issuer") != iss:
        raise ValueError("its issuer is not the configured iss")
    found = {}
    for name in ("jwks_uri", "userinfo_endpoint", "introspection_endpoint"):
        url = body.get(name, "")
        if not isinstance(url, str) or (url and not secure_url(url)):
            raise ValueError(f"its {name} is not an https URL")
        found[name] = url
    if not found["jwks_uri"]:
        raise ValueError("it names no jwks_uri")
    return Endpoints(found["jwks_uri"], found["userinfo_endpoint"], found["introspection_endpoint"])
