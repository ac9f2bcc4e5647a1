"""Test issuers: their own RSA/EC keys, JWKS served over real HTTP, passports and visas minted.

``Issuers.serve(aiohttp_server)`` starts one local server publishing ``/<name>/jwks`` for each
issuer, counting fetches, so tests can watch the node's key cache at work. ``access_toml``
writes the ``[access]`` configuration that trusts them.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.conftest import ServerFactory

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
BONA_FIDE = "https://doi.org/10.1038/s41431-018-0219-y"
AUDIENCE = "https://beacon.test"
SUBJECT = "researcher@example.org"


def new_key(kind: str) -> tuple[PrivateKey, str]:
    """A fresh private key and its JWS algorithm."""
    if kind == "EC":
        return ec.generate_private_key(ec.SECP256R1()), "ES256"
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"


def public_jwk(key: PrivateKey, kid: str, alg: str) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


@dataclass
class Issuer:
    """One issuer: the iss it signs as, its current signing keys, and how often it was asked."""

    name: str
    iss: str
    kind: str = "RSA"
    keys: dict[str, tuple[PrivateKey, str]] = field(default_factory=dict)
    fetches: int = 0
    base_url: str = ""
    down: bool = False  # the JWKS endpoint answers 503

    def __post_init__(self) -> None:
        self.rotate()

    @property
    def jwks_uri(self) -> str:
        return f"{self.base_url}/{self.name}/jwks"

    @property
    def kid(self) -> str:
        return next(iter(self.keys))

    def rotate(self) -> str:
        """Replace the signing key with a new one (new kid); the old one is no longer published."""
        kid = f"{self.name}-{uuid.uuid4().hex[:8]}"
        self.keys = {kid: new_key(self.kind)}
        return kid

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key, kid, alg) for kid, (key, alg) in self.keys.items()]}

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        key, alg = self.keys[self.kid]
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": self.kid, **(headers or {})})

    def claims(self, lifetime: int = 300, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.iss, "sub": SUBJECT, "iat": now, "exp": now + lifetime, **extra}

    def visa(self, kind: str, value: str, lifetime: int = 300, **extra: Any) -> str:
        body = {"type": kind, "value": value, "source": self.iss, "by": "dac", "asserted": 1}
        return self.sign(self.claims(lifetime, ga4gh_visa_v1=body, **extra))

    def passport(self, *visas: str, lifetime: int = 300, **extra: Any) -> str:
        claims = self.claims(lifetime, aud=AUDIENCE, ga4gh_passport_v1=list(visas), **extra)
        return self.sign(claims)


@dataclass
class Issuers:
    """The login broker (RSA, passports), a data access committee (EC, visas), and a rogue
    issuer nobody configured."""

    login: Issuer = field(default_factory=lambda: Issuer("login", "https://login.test"))
    dac: Issuer = field(default_factory=lambda: Issuer("dac", "https://dac.test", "EC"))
    rogue: Issuer = field(default_factory=lambda: Issuer("rogue", "https://rogue.test"))

    def all(self) -> list[Issuer]:
        return [self.login, self.dac, self.rogue]

    async def serve(self, aiohttp_server: ServerFactory) -> Issuers:
        async def jwks(request: web.Request) -> web.Response:
            issuer = getattr(self, request.match_info["name"])
            issuer.fetches += 1
            if issuer.down:
                return web.json_response({"error": "maintenance"}, status=503)
            return web.json_response(issuer.jwks())

        app = web.Application()
        app.router.add_get("/{name}/jwks", jwks)
        server = await aiohttp_server(app)
        for issuer in self.all():
            issuer.base_url = str(server.make_url("")).rstrip("/")
        return self

    def bona_fide(self) -> list[str]:
        return [
            self.dac.visa("AcceptedTermsAndPolicies", BONA_FIDE),
            self.dac.visa("ResearcherStatus", BONA_FIDE),
        ]

    def grant(self, dataset: str, **extra: Any) -> str:
        return self.dac.visa("ControlledAccessGrants", grant_value(dataset), **extra)


def grant_value(dataset: str) -> str:
    return f"https://dac.test/datasets/{dataset}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def access_toml(issuers: Issuers, datasets: str, extra: str = "", login: str = "") -> str:
    """An ``[access]`` configuration trusting the login broker for passports and the DAC for
    visas, plus the ``datasets`` policies (``extra``: more [access] settings)."""
    return f"""
[access]
{extra}

[[access.issuers]]
iss = "{issuers.login.iss}"
jwks_uri = "{issuers.login.jwks_uri}"
audiences = ["{AUDIENCE}"]
visas = false
{login}

[[access.issuers]]
iss = "{issuers.dac.iss}"
jwks_uri = "{issuers.dac.jwks_uri}"
access_tokens = false

{datasets}
"""


def write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / f"access-{uuid.uuid4().hex[:6]}.toml"
    path.write_text(text)
    return str(path)
