"""An OpenID Connect issuer in-process, as LS Login is to the page: discovery, a login page, the
authorization code flow with PKCE (S256 only) for a registered public client, userinfo.

It checks what a real issuer checks (client id, exact redirect URI, state echoed, the code
single-use and bound to its client, redirect URI and PKCE challenge) and answers with CORS
headers, since the page calls it from its own origin. Its access token is a GA4GH Passport
signed by the login issuer of ``tests.auth`` (the node's existing access-token path accepts it)
carrying the visas the test gives the user; ``Issuers.login.iss`` is this issuer's URL.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.auth import SUBJECT, Issuers

CLIENT_ID = "beacon-query-page"
NAME = "Rosalind Franklin"
EMAIL = "rosalind@example.org"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization"}


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str


@dataclass
class OidcIssuer:
    issuers: Issuers
    visas: list[str] = field(default_factory=list)  # what the next access tokens carry
    redirect_uris: set[str] = field(default_factory=set)  # registered for CLIENT_ID
    url: str = ""  # the issuer, as the discovery document names it
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # access token -> user
    logins: int = 0
    refused: list[str] = field(default_factory=list)  # why each bad token request failed
    rogue: bool = False  # sign the next access tokens with a key nobody trusts
    expires_in: int = 300  # what the token endpoint says of the access token's lifetime
    token_endpoint: str = ""  # published instead of its own, when set

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self.discovery)
        app.router.add_get("/authorize", self.authorize)
        app.router.add_get("/approve", self.approve)
        app.router.add_post("/token", self.token)
        app.router.add_get("/userinfo", self.userinfo)
        app.router.add_route("OPTIONS", "/userinfo", self.preflight)
        app.router.add_get("/{name}/jwks", self.jwks)
        return app

    async def discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}authorize",
                "token_endpoint": self.token_endpoint or f"{self.url}token",
                "userinfo_endpoint": f"{self.url}userinfo",
                "jwks_uri": f"{self.url}login/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "profile", "email", "ga4gh_passport_v1"],
            },
            headers=CORS,
        )

    async def jwks(self, request: web.Request) -> web.Response:
        issuer = getattr(self.issuers, request.match_info["name"])
        return web.json_response(issuer.jwks())

    def _refuse(self, why: str) -> web.Response:
        return web.Response(status=400, text=f"refused: {why}")

    async def authorize(self, request: web.Request) -> web.Response:
        """The login page: who is signing in, an Approve and a Cancel link."""
        q = request.query
        if q.get("client_id") != CLIENT_ID:
            return self._refuse("unknown client")
        if q.get("redirect_uri") not in self.redirect_uris:
            return self._refuse(f"redirect_uri {q.get('redirect_uri')} is not registered")
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return self._refuse("only the code flow with PKCE S256")
        if not q.get("code_challenge") or not q.get("state") or "openid" not in q["scope"]:
            return self._refuse("code_challenge, state and the openid scope are required")
        back = urllib.parse.urlencode({k: q[k] for k in q})
        page = (
            "<!doctype html><title>Test login</title><h1>Sign in to the test issuer</h1>"
            f'<p>as {html.escape(NAME)}</p><a id="approve" href="approve?{html.escape(back)}">'
            f'Approve</a> <a id="cancel" href="approve?cancel=1&amp;{html.escape(back)}">'
            "Cancel</a>"
        )
        return web.Response(text=page, content_type="text/html")

    async def approve(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("redirect_uri") not in self.redirect_uris:
            return self._refuse("redirect_uri is not registered")
        if q.get("cancel"):
            answer = {"error": "access_denied", "error_description": "the user said no"}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = Grant(
                q["client_id"], q["redirect_uri"], q["code_challenge"], q.get("nonce", "")
            )
            answer = {"code": code}
            self.logins += 1
        location = f"{q['redirect_uri']}?{urllib.parse.urlencode({**answer, 'state': q['state']})}"
        raise web.HTTPFound(location)

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        grant = self.codes.pop(str(form.get("code", "")), None)  # single use
        verifier = str(form.get("code_verifier", ""))
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        problem = (
            "unknown or used code"
            if grant is None
            else "client_id"
            if form.get("client_id") != grant.client_id
            else "redirect_uri"
            if form.get("redirect_uri") != grant.redirect_uri
            else "code_verifier"
            if challenge != grant.challenge
            else ""
        )
        if form.get("grant_type") != "authorization_code":
            problem = "grant_type"
        if problem or grant is None:
            self.refused.append(problem)
            return web.json_response(
                {"error": "invalid_grant", "error_description": problem}, status=400, headers=CORS
            )
        signer = self.issuers.rogue if self.rogue else self.issuers.login
        access = signer.passport(*self.visas)
        self.tokens[access] = {"sub": SUBJECT, "name": NAME, "email": EMAIL}
        now = int(time.time())
        id_claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": SUBJECT,
            "nonce": grant.nonce,
            "iat": now,
            "exp": now + 300,
            "name": NAME,
        }
        body = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "id_token": self.issuers.login.sign(id_claims),
            "scope": "openid profile email ga4gh_passport_v1",
        }
        return web.json_response(body, headers={**CORS, "Cache-Control": "no-store"})

    async def preflight(self, request: web.Request) -> web.Response:
        return web.Response(headers={**CORS, "Access-Control-Allow-Methods": "GET"})

    async def userinfo(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = self.tokens.get(token)
        if user is None:
            return web.json_response({"error": "invalid_token"}, status=401, headers=CORS)
        return web.json_response(user, headers=CORS)
