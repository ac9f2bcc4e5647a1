"""Test issuers: their own RSA/EC keys, served over real HTTP on loopback, passports and visas
minted, and an LS-Login-like broker with an OpenID configuration, userinfo and introspection.

``Issuers.serve(aiohttp_server)`` starts one local server publishing, for each issuer,
``/<name>/jwks`` and — for the broker ``lslogin``, whose ``iss`` is that server's own URL as in
LS Login — ``/<name>/oidc/.well-known/openid-configuration``, ``/<name>/userinfo`` and
``/<name>/introspect``. The broker hands out access tokens (JWTs, or opaque strings like LS
Login's) and answers userinfo with the passport it holds for each. Every endpoint counts its
calls and can be turned down, so tests watch the node's caches at work. ``access_toml``
writes the ``[access]`` configuration that trusts them.
"""

from __future__ import annotations

import base64
import secrets
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
DAC = "https://dac.test"
CLIENT_ID = "beacon-node"
CLIENT_SECRET = "node-client-secret"


#: Keys are drawn in turn from a pool made once per session (an RSA key takes tens of ms to
#: make, and every access test starts five issuers); the keys drawn in one test, rotations
#: included, are all different as long as it draws fewer than this many of a kind.
POOL_SIZE = 12
_POOL: dict[str, list[tuple[PrivateKey, str]]] = {}
_DRAWN: dict[str, int] = {}


def _generate(kind: str) -> tuple[PrivateKey, str]:
    if kind == "EC":
        return ec.generate_private_key(ec.SECP256R1()), "ES256"
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"


def new_key(kind: str) -> tuple[PrivateKey, str]:
    """The next private key of the pool, and its JWS algorithm."""
    pool = _POOL.setdefault(kind, [])
    drawn = _DRAWN.get(kind, 0)
    _DRAWN[kind] = drawn + 1
    if len(pool) < POOL_SIZE:
        pool.append(_generate(kind))
        return pool[-1]
    return pool[drawn % POOL_SIZE]


def public_jwk(key: PrivateKey, kid: str, alg: str) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


@dataclass
class Session:
    """What the broker knows about one access token it issued."""

    sub: str
    visas: list[str]
    exp: int
    aud: str = AUDIENCE
    active: bool = True


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
    #: the broker's side: its tokens, and how its userinfo and introspection behave
    sessions: dict[str, Session] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)  # endpoint -> calls
    userinfo_mode: str = "ok"  # ok | down | garbage | other-subject | jwt
    configuration: dict[str, Any] | None = None  # overrides the OpenID configuration served

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

    def visa(
        self,
        kind: str,
        value: str,
        lifetime: int = 300,
        by: str = "dac",
        source: str | None = None,
        conditions: Any = None,
        **extra: Any,
    ) -> str:
        body: dict[str, Any] = {"type": kind, "value": value, "source": source or self.iss}
        body.update(by=by, asserted=int(time.time()) - 86400)
        if conditions is not None:
            body["conditions"] = conditions
        return self.sign(self.claims(lifetime, ga4gh_visa_v1=body, **extra))

    def passport(self, *visas: str, lifetime: int = 300, **extra: Any) -> str:
        claims = self.claims(lifetime, aud=AUDIENCE, ga4gh_passport_v1=list(visas), **extra)
        return self.sign(claims)

    def access_token(
        self,
        *visas: str,
        opaque: bool = False,
        lifetime: int = 300,
        sub: str = SUBJECT,
        aud: str = AUDIENCE,
        **extra: Any,
    ) -> str:
        """An access token whose passport (``visas``) only userinfo gives: an opaque string as
        LS Login issues, or a JWT without a ga4gh_passport_v1 claim."""
        exp = int(time.time()) + lifetime
        if opaque:
            token = secrets.token_urlsafe(32)
        else:
            claims = self.claims(lifetime, sub=sub, aud=aud, jti=uuid.uuid4().hex, **extra)
            token = self.sign(claims)
        self.sessions[token] = Session(sub, list(visas), exp, aud)
        return token

    def count(self, endpoint: str) -> int:
        return self.calls.get(endpoint, 0)

    def openid_configuration(self) -> dict[str, Any]:
        if self.configuration is not None:
            return self.configuration
        return {
            "issuer": self.iss,
            "jwks_uri": self.jwks_uri,
            "userinfo_endpoint": f"{self.base_url}/{self.name}/userinfo",
            "introspection_endpoint": f"{self.base_url}/{self.name}/introspect",
        }

    def session(self, token: str) -> Session | None:
        found = self.sessions.get(token)
        if found is None or not found.active or found.exp <= time.time():
            return None
        return found


@dataclass
class Issuers:
    """The login broker (RSA, passports), a data access committee (EC, visas), a second DAC,
    an LS-Login-like broker (discovery, userinfo, opaque tokens), and a rogue issuer nobody
    configured."""

    login: Issuer = field(default_factory=lambda: Issuer("login", "https://login.test"))
    dac: Issuer = field(default_factory=lambda: Issuer("dac", DAC, "EC"))
    dac2: Issuer = field(default_factory=lambda: Issuer("dac2", "https://dac2.test", "EC"))
    lslogin: Issuer = field(default_factory=lambda: Issuer("lslogin", "set when served"))
    rogue: Issuer = field(default_factory=lambda: Issuer("rogue", "https://rogue.test"))

    def all(self) -> list[Issuer]:
        return [self.login, self.dac, self.dac2, self.lslogin, self.rogue]

    async def serve(self, aiohttp_server: ServerFactory) -> Issuers:
        def issuer(request: web.Request, endpoint: str) -> Issuer:
            found: Issuer = getattr(self, request.match_info["name"])
            found.calls[endpoint] = found.calls.get(endpoint, 0) + 1
            return found

        async def jwks(request: web.Request) -> web.Response:
            found = issuer(request, "jwks")
            found.fetches += 1
            if found.down:
                return web.json_response({"error": "maintenance"}, status=503)
            return web.json_response(found.jwks())

        async def configuration(request: web.Request) -> web.Response:
            found = issuer(request, "configuration")
            if found.down:
                return web.json_response({"error": "maintenance"}, status=503)
            return web.json_response(found.openid_configuration())

        async def userinfo(request: web.Request) -> web.Response:
            found = issuer(request, "userinfo")
            if found.userinfo_mode == "down":
                return web.json_response({"error": "maintenance"}, status=503)
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            session = found.session(token)
            if session is None:
                return web.json_response({"error": "invalid_token"}, status=401)
            if found.userinfo_mode == "garbage":
                return web.Response(text="<html>oops</html>", content_type="text/html")
            if found.userinfo_mode == "jwt":
                return web.Response(
                    text=found.sign({"sub": session.sub}), content_type="application/jwt"
                )
            sub = "someone-else" if found.userinfo_mode == "other-subject" else session.sub
            return web.json_response({"sub": sub, "ga4gh_passport_v1": session.visas})

        async def introspect(request: web.Request) -> web.Response:
            found = issuer(request, "introspect")
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if request.headers.get("Authorization") != f"Basic {expected}":
                return web.json_response({"error": "invalid_client"}, status=401)
            form = await request.post()
            session = found.session(str(form.get("token", "")))
            if session is None:
                return web.json_response({"active": False})
            return web.json_response(
                {
                    "active": True,
                    "sub": session.sub,
                    "exp": session.exp,
                    "aud": [session.aud],
                    "iss": found.iss,
                    "scope": "openid ga4gh_passport_v1",
                }
            )

        app = web.Application()
        app.router.add_get("/{name}/jwks", jwks)
        app.router.add_get("/{name}/oidc/.well-known/openid-configuration", configuration)
        app.router.add_get("/{name}/userinfo", userinfo)
        app.router.add_post("/{name}/introspect", introspect)
        server = await aiohttp_server(app)
        for each in self.all():
            each.base_url = str(server.make_url("")).rstrip("/")
        # Like LS Login's https://login.aai.lifescience-ri.eu/oidc/: the iss is where it lives.
        self.lslogin.iss = f"{self.lslogin.base_url}/lslogin/oidc/"
        return self

    def bona_fide(self, issuer: Issuer | None = None) -> list[str]:
        by = issuer or self.dac
        return [
            by.visa("AcceptedTermsAndPolicies", BONA_FIDE, by="self"),
            by.visa("ResearcherStatus", BONA_FIDE, by="so"),
        ]

    def grant(self, dataset: str, **extra: Any) -> str:
        return self.dac.visa("ControlledAccessGrants", grant_value(dataset), **extra)


def grant_value(dataset: str) -> str:
    return f"{DAC}/datasets/{dataset}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def access_toml(issuers: Issuers, datasets: str, extra: str = "", login: str = "") -> str:
    """An ``[access]`` configuration trusting the login broker for passports, the two DACs for
    visas and the LS-Login-like broker for both, plus the ``datasets`` policies (``extra``: more
    [access] settings; ``login``: more settings of the login broker)."""
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

[[access.issuers]]
iss = "{issuers.dac2.iss}"
jwks_uri = "{issuers.dac2.jwks_uri}"
access_tokens = false

{datasets}
"""


def lslogin_toml(issuers: Issuers, settings: str = 'opaque_tokens = "userinfo"') -> str:
    """The ``[[access.issuers]]`` table of the LS-Login-like broker: everything discovered."""
    return f"""
[[access.issuers]]
iss = "{issuers.lslogin.iss}"
discover = true
audiences = ["{AUDIENCE}"]
{settings}
"""


def write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / f"access-{uuid.uuid4().hex[:6]}.toml"
    path.write_text(text)
    return str(path)
