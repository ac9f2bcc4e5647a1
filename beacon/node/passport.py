"""Bearer token -> Identity: GA4GH passports verified against the configured issuers only.

The bearer token is one of three things (GA4GH AAI v1.2):

* a **Passport JWT** — its ``ga4gh_passport_v1`` claim lists visa JWTs (a token exchange's
  result, or a broker that embeds the passport);
* a **JWT access token** without that claim (LS Login's flow): verified the same way, then its
  passport is fetched from its issuer's userinfo endpoint with the token itself (unless its
  ``scope`` says it was not granted ``ga4gh_passport_v1``); the userinfo ``sub`` must be the
  token's;
* an **opaque access token** (not a JWT): accepted only from the one issuer configured with
  ``opaque_tokens``, which vouches for it through introspection (active, exp, aud) and/or
  userinfo, whose answer also carries the passport.

A JWT must be signed by an issuer of ``[[access.issuers]]`` trusted for access tokens, with a
key from that issuer's JWKS, an accepted algorithm, an ``exp`` in the future and the configured
audience; anything else is a 401 that says why — never a silent downgrade to anonymous. An
issuer that cannot be asked (keys, OpenID configuration, userinfo, introspection) is a 503
that says which. Each visa is verified against the issuers trusted for visas, then weighed by
``visas.evaluate`` (conditions, self-asserted grants); a visa that fails grants nothing and is
logged, but the request goes on: the caller simply lacks that grant. A visa counts only before
its ``exp`` (no leeway: a grant ends when its DAC says).

A passport fetched from an issuer is cached per token (by its SHA-256, never the token) until
the earliest of: the token's ``exp``, the ``exp`` of any visa that counts, and
``userinfo_cache_s`` from now; concurrent requests with one new token share one fetch. The
token is never logged or echoed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import jwt

from beacon.config import AccessSettings, IssuerSettings
from beacon.node import oidc, visas
from beacon.node.jwks import JwksCache, KeysUnavailable
from beacon.node.oidc import Endpoints, IssuerClient
from beacon.node.tiers import Identity
from beacon.protocol.errors import Unauthorized, UpstreamUnavailable

#: Visas that do not count, and why (never the HTTP log, never a token).
log = logging.getLogger("beacon.passport")

PASSPORT_CLAIM = "ga4gh_passport_v1"
VISA_CLAIM = "ga4gh_visa_v1"
PASSPORT_SCOPE = "ga4gh_passport_v1"
#: Each visa costs a signature check; a passport is a few dozen at most in practice.
MAX_VISAS = 200
#: Tokens whose identity is remembered (each entry is an Identity: a few hundred bytes).
MAX_CACHED = 10_000


class InvalidToken(Exception):
    """A JWT failed verification; the message completes "the bearer token ..."."""


def _shown(value: object) -> str:
    """An untrusted claim, safe to quote in a message."""
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _is_jwt(token: str) -> bool:
    """Shaped as a JWS (three parts, a JSON header): verified as one, else treated as opaque."""
    if token.count(".") != 2:
        return False
    try:
        jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return True


class IdentityCache:
    """Identities by token digest, each until its own expiry; the least recent go first."""

    def __init__(self, max_entries: int = MAX_CACHED) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[Identity, float]] = OrderedDict()

    def get(self, key: str, now: float) -> Identity | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: str, identity: Identity, until: float) -> None:
        self._entries[key] = (identity, until)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class Verifier:
    """Verifies bearer tokens and their visas with the keys and endpoints of the issuers."""

    def __init__(
        self,
        access: AccessSettings,
        keys: JwksCache,
        issuers: IssuerClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access = access
        self.keys = keys
        self.oidc = issuers
        #: wall-clock seconds, as exp claims are
        self.clock = clock
        self.issuers = {issuer.iss: issuer for issuer in access.issuers}
        self.opaque = next((i for i in access.issuers if i.opaque_tokens != "refuse"), None)
        self.cache = IdentityCache()
        self._pending: dict[str, asyncio.Future[Identity]] = {}

    async def identity(self, token: str) -> Identity:
        """The verified caller behind ``token``: 401 when it is not valid, 503 when an issuer
        that must vouch for it cannot be asked."""
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self.cache.get(key, self.clock())
        if cached is not None:
            return cached
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._resolve(token, key))
            self._pending[key] = pending
            pending.add_done_callback(lambda done: self._settled(key, done))
        # Shielded: a caller who goes away does not cancel the fetch the others wait for.
        return await asyncio.shield(pending)

    def _settled(self, key: str, done: asyncio.Future[Identity]) -> None:
        self._pending.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every waiter has gone

    async def _resolve(self, token: str, key: str) -> Identity:
        try:
            if _is_jwt(token):
                subject, issuer, passport, until = await self._jwt_token(token)
            else:
                subject, issuer, passport, until = await self._opaque_token(token)
        except InvalidToken as exc:
            raise Unauthorized(f"the bearer token {exc}") from None
        except oidc.Refused as exc:
            raise Unauthorized(f"the bearer token {exc}") from None
        except oidc.Unavailable as exc:
            raise UpstreamUnavailable(str(exc)) from None
        identity, granted_until = await self._weigh(subject, issuer, passport)
        until = min(until, granted_until)
        if until > self.clock():
            self.cache.put(key, identity, until)
        return identity

    # -- the three kinds of bearer token -----------------------------------------------------

    async def _jwt_token(self, token: str) -> tuple[str, IssuerSettings, list[str], float]:
        """(subject, issuer, visa JWTs, cache until) of a Passport JWT or JWT access token."""
        claims, issuer = await self.verify(token, visa=False)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("has no subject (sub claim)")
        if PASSPORT_CLAIM in claims:
            # Verified on every request: nothing to fetch, nothing to remember.
            try:
                passport = _passport(claims[PASSPORT_CLAIM])
            except ValueError as exc:
                raise InvalidToken(f"carries a {exc}") from None
            return subject, issuer, passport, -math.inf
        endpoints = await self._endpoints(issuer)
        scope = claims.get("scope")
        granted = not isinstance(scope, str) or PASSPORT_SCOPE in scope.split()
        if not endpoints.userinfo or not granted:
            return subject, issuer, [], -math.inf
        info = await self.oidc.userinfo(issuer, endpoints.userinfo, token)
        if info.get("sub") != subject:
            raise InvalidToken(f"has a userinfo answer for another subject than {_shown(subject)}")
        until = min(float(claims["exp"]), self.clock() + self.access.userinfo_cache_s)
        return subject, issuer, self._userinfo_passport(issuer, info), until

    async def _opaque_token(self, token: str) -> tuple[str, IssuerSettings, list[str], float]:
        """(subject, issuer, visa JWTs, cache until) of a token only its issuer can read."""
        issuer = self.opaque
        if issuer is None:
            raise InvalidToken(
                "is not a well-formed JWT, and this beacon takes opaque access tokens from no "
                "issuer"
            )
        endpoints = await self._endpoints(issuer)
        until = self.clock() + self.access.userinfo_cache_s
        introspected = None
        if issuer.opaque_tokens == "introspect":
            if not endpoints.introspection:
                raise oidc.Unavailable(f"issuer {issuer.iss} publishes no introspection endpoint")
            found = await self.oidc.introspect(issuer, endpoints.introspection, token)
            introspected, expires = self._introspected(issuer, found)
            until = min(until, expires)
        if not endpoints.userinfo:
            raise oidc.Unavailable(f"issuer {issuer.iss} publishes no userinfo endpoint")
        info = await self.oidc.userinfo(issuer, endpoints.userinfo, token)
        subject = info.get("sub")
        if not isinstance(subject, str) or not subject:
            raise oidc.Unavailable(f"the userinfo endpoint of issuer {issuer.iss} gave no sub")
        if introspected is not None and subject != introspected:
            raise InvalidToken("has a userinfo answer for another subject than its introspection")
        return subject, issuer, self._userinfo_passport(issuer, info), until

    def _introspected(self, issuer: IssuerSettings, found: dict[str, Any]) -> tuple[str, float]:
        """(sub, exp) of an active introspection answer, after the checks a JWT would get."""
        if found.get("iss", issuer.iss) != issuer.iss:
            raise InvalidToken(f"was issued by {_shown(found.get('iss'))}, says introspection")
        exp = found.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise InvalidToken("lacks the required claim 'exp' (introspection)")
        if exp + self.access.leeway_s <= self.clock():
            raise InvalidToken("has expired")
        if issuer.audiences:
            aud = found.get("aud")
            given = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            if not set(issuer.audiences).intersection(a for a in given if isinstance(a, str)):
                raise InvalidToken("is not meant for this beacon (aud)")
        subject = found.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("has no subject (sub claim), says introspection")
        return subject, float(exp)

    def _userinfo_passport(self, issuer: IssuerSettings, info: dict[str, Any]) -> list[str]:
        try:
            return _passport(info.get(PASSPORT_CLAIM, []))
        except ValueError as exc:
            raise oidc.Unavailable(
                f"the userinfo endpoint of issuer {issuer.iss} answered a {exc}"
            ) from None

    async def _endpoints(self, issuer: IssuerSettings) -> Endpoints:
        return await self.oidc.endpoints(issuer)

    # -- visas -------------------------------------------------------------------------------

    async def _weigh(
        self, subject: str, issuer: IssuerSettings, passport: list[str]
    ) -> tuple[Identity, float]:
        """The caller's identity from their verified visas, and until when it holds."""
        verified = []
        for number, encoded in enumerate(passport):
            visa = await self._visa(encoded, subject, number)
            if visa is not None:
                verified.append(visa)
        granted = visas.evaluate(
            verified, self.access.bona_fide_terms, self.access.bona_fide_statuses
        )
        for visa, reason in granted.ignored:
            log.info("visa of %s (%s) ignored: %s", visa.issuer, visa.type, reason)
        identity = Identity(
            subject=subject,
            issuer=issuer.iss,
            registered=issuer.login_is_registered or granted.bona_fide,
            grants=granted.grants,
        )
        return identity, granted.until

    async def _visa(self, encoded: str, subject: str, number: int) -> visas.Visa | None:
        """A valid visa, or None (logged) when it grants nothing."""
        try:
            claims, issuer = await self.verify(encoded, visa=True)
        except InvalidToken as exc:
            log.info("visa %d ignored: the visa %s", number, exc)
            return None
        body = claims.get(VISA_CLAIM)
        reason = None
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            reason = f"it has no {VISA_CLAIM} object with a value"
        elif not isinstance(body.get("type"), str):
            reason = "it has no type"
        elif self.access.visa_subject_must_match and claims.get("sub") != subject:
            reason = "its subject is not the passport's subject"
        if reason:
            log.info("visa %d of %s ignored: %s", number, issuer.iss, reason)
            return None
        assert isinstance(body, dict)
        source, by = body.get("source"), body.get("by")
        return visas.Visa(
            issuer=issuer.iss,
            type=body["type"],
            value=body["value"],
            source=source if isinstance(source, str) else "",
            by=by if isinstance(by, str) else "",
            expires=float(claims["exp"]),
            conditions=body.get("conditions"),
        )

    # -- one JWT -----------------------------------------------------------------------------

    async def verify(self, token: str, *, visa: bool) -> tuple[dict[str, Any], IssuerSettings]:
        """The claims of a JWT signed by a trusted issuer; raises InvalidToken saying why."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise InvalidToken("is not a well-formed JWT") from None
        alg = header.get("alg")
        if alg not in self.access.algorithms:
            raise InvalidToken(f"is signed with algorithm {_shown(alg)}, not accepted here")
        iss = unverified.get("iss")
        issuer = self.issuers.get(iss) if isinstance(iss, str) else None
        trusted = issuer is not None and (issuer.visas if visa else issuer.access_tokens)
        if issuer is None or not trusted:
            what = "visa" if visa else "token"
            raise InvalidToken(f"has {what} issuer {_shown(iss)}, not trusted by this beacon")
        kid = header.get("kid")
        try:
            endpoints = await self._endpoints(issuer)
            key = await self.keys.key(
                issuer.iss, endpoints.jwks_uri, kid if isinstance(kid, str) else None, alg
            )
        except oidc.Unavailable as exc:  # its OpenID configuration, which names the keys
            raise UpstreamUnavailable(str(exc)) from None
        except KeysUnavailable:
            raise UpstreamUnavailable(
                f"the signing keys of issuer {issuer.iss} cannot be fetched; try again shortly"
            ) from None
        if key is None:
            raise InvalidToken(
                f"is signed with a key (kid {_shown(kid)}) that issuer {issuer.iss} does not "
                f"publish for {alg}"
            )
        check_aud = bool(issuer.audiences) and not visa
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                issuer=issuer.iss,
                audience=list(issuer.audiences) if check_aud else None,
                leeway=self.access.leeway_s,
                options={
                    "require": ["exp", "iss"] + (["aud"] if check_aud else []),
                    "verify_aud": check_aud,
                    # A visa's exp is checked below, without leeway.
                    "verify_exp": not visa,
                },
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("has expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("is not valid yet (nbf or iat is in the future)") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("is not meant for this beacon (aud)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"lacks the required claim {exc.claim!r}") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken(
                f"has a signature that does not verify with the keys of issuer {issuer.iss}"
            ) from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"is not valid: {_shown(exc)}") from None
        exp = claims["exp"]
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise InvalidToken("has an exp that is not a number")
        if visa and exp <= self.clock():
            raise InvalidToken("has expired")
        return claims, issuer


def _passport(value: Any) -> list[str]:
    """The visa JWTs of a ``ga4gh_passport_v1`` claim; ValueError says what is wrong."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{PASSPORT_CLAIM} claim that is not a list of JWTs")
    if len(value) > MAX_VISAS:
        raise ValueError(f"passport of more than {MAX_VISAS} visas")
    return value
