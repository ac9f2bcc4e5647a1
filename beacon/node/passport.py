"""Bearer token -> Identity: GA4GH Passports verified against the configured issuers only.

The bearer token is an access token or a GA4GH Passport JWT (its ``ga4gh_passport_v1`` claim
lists visa JWTs). It must be signed by an issuer of ``[[access.issuers]]`` trusted for access
tokens, with a key from that issuer's JWKS, an accepted algorithm, an ``exp`` in the future and
the configured audience; anything else is a 401 that says why — never a silent downgrade to
anonymous. Each visa is verified the same way against the issuers trusted for visas. A visa that
fails (expired, untrusted, tampered, with conditions, for another subject) grants nothing and
is logged, but the request goes on: the caller simply lacks that grant. The token is never
logged or echoed.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt

from beacon.config import AccessSettings, IssuerSettings
from beacon.node.jwks import JwksCache, KeysUnavailable
from beacon.node.tiers import Identity
from beacon.protocol.errors import Unauthorized, UpstreamUnavailable

#: Visas that do not count, and why (never the HTTP log, never a token).
log = logging.getLogger("beacon.passport")

PASSPORT_CLAIM = "ga4gh_passport_v1"
VISA_CLAIM = "ga4gh_visa_v1"
#: Each visa costs a signature check; a passport is a few dozen at most in practice.
MAX_VISAS = 200


class InvalidToken(Exception):
    """A JWT failed verification; the message completes "the bearer token ..."."""


def _shown(value: object) -> str:
    """An untrusted claim, safe to quote in a message."""
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


class Verifier:
    """Verifies bearer tokens and their visas with the keys of the configured issuers."""

    def __init__(self, access: AccessSettings, keys: JwksCache) -> None:
        self.access = access
        self.keys = keys
        self.issuers = {issuer.iss: issuer for issuer in access.issuers}

    async def identity(self, token: str) -> Identity:
        """The verified caller behind ``token``; raises Unauthorized (401) when it is not valid."""
        try:
            claims, issuer = await self.verify(token, visa=False)
        except InvalidToken as exc:
            raise Unauthorized(f"the bearer token {exc}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthorized("the bearer token has no subject (sub claim)")
        visas = claims.get(PASSPORT_CLAIM, [])
        if not isinstance(visas, list) or not all(isinstance(v, str) for v in visas):
            raise Unauthorized(f"the bearer token's {PASSPORT_CLAIM} claim is not a list of JWTs")
        if len(visas) > MAX_VISAS:
            raise Unauthorized(f"the passport carries more than {MAX_VISAS} visas")
        grants: set[str] = set()
        terms = statuses = False
        for number, encoded in enumerate(visas):
            visa = await self._visa(encoded, subject, number)
            if visa is None:
                continue
            kind, value = visa.get("type"), str(visa["value"])
            if kind == "ControlledAccessGrants":
                grants.add(value)
            elif kind == "AcceptedTermsAndPolicies":
                terms = terms or _accepted(value, self.access.bona_fide_terms)
            elif kind == "ResearcherStatus":
                statuses = statuses or _accepted(value, self.access.bona_fide_statuses)
        return Identity(
            subject=subject,
            issuer=issuer.iss,
            registered=issuer.login_is_registered or (terms and statuses),
            grants=frozenset(grants),
        )

    async def _visa(self, encoded: str, subject: str, number: int) -> dict[str, Any] | None:
        """The ``ga4gh_visa_v1`` object of a valid visa, or None (logged) when it grants nothing."""
        try:
            claims, issuer = await self.verify(encoded, visa=True)
        except InvalidToken as exc:
            log.info("visa %d ignored: the visa %s", number, exc)
            return None
        visa = claims.get(VISA_CLAIM)
        reason = None
        if not isinstance(visa, dict) or not isinstance(visa.get("value"), str):
            reason = f"it has no {VISA_CLAIM} object with a value"
        elif visa.get("conditions"):
            reason = "visas with conditions are not evaluated by this beacon"
        elif self.access.visa_subject_must_match and claims.get("sub") != subject:
            reason = "its subject is not the passport's subject"
        if reason:
            log.info("visa %d of %s ignored: %s", number, issuer.iss, reason)
            return None
        assert isinstance(visa, dict)
        return visa

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
            key = await self.keys.key(issuer, kid if isinstance(kid, str) else None, alg)
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
        return claims, issuer


def _accepted(value: object, accepted: tuple[str, ...]) -> bool:
    return isinstance(value, str) and (not accepted or value in accepted)
