"""The query page, served at ``/`` by both the node and the aggregator (plain HTML and JS).

The files sit beside this module and are read with ``importlib.resources``, so they ship in
the wheel. The page calls the API of whatever serves it (same origin), so the one page works
over a node and over the network. Only the files listed here are served, plus
``static/config.json``: what the page needs of the settings (its sign-in issuer), nothing more.
"""

from __future__ import annotations

import functools
import urllib.parse
from importlib import resources

from aiohttp import web

from beacon.config import ServerSettings
from beacon.web.keys import SERVER

FILES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "api.js": "text/javascript",
    "dom.js": "text/javascript",
    "query.js": "text/javascript",
    "terms.js": "text/javascript",
    "records.js": "text/javascript",
    "frequencies.js": "text/javascript",
    "signin.js": "text/javascript",
    "style.css": "text/css",
    "logo.svg": "image/svg+xml",
}
CONFIG = "config.json"
#: The page is small and changes with the software: browsers revalidate, nothing goes stale.
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def csp(server: ServerSettings) -> str:
    """The page loads only its own files and talks only to its own origin, and to the sign-in
    issuer's origin when one is configured (discovery, token and userinfo endpoints)."""
    connect = "'self'"
    if server.sign_in.issuer:
        url = urllib.parse.urlsplit(server.sign_in.issuer)
        connect += f" {url.scheme}://{url.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def page_config(server: ServerSettings) -> dict[str, object]:
    """``static/config.json``: the sign-in issuer and client, or null without one."""
    sign_in = server.sign_in
    if not sign_in.issuer:
        return {"signIn": None}
    return {
        "signIn": {
            "issuer": sign_in.issuer,
            "clientId": sign_in.client_id,
            "scopes": list(sign_in.scopes),
        }
    }


@functools.cache
def read(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


def _file(request: web.Request, name: str) -> web.Response:
    headers = dict(_HEADERS)
    if name == "index.html":
        headers["Content-Security-Policy"] = csp(request.app[SERVER])
    return web.Response(body=read(name), content_type=FILES[name], headers=headers)


async def index(request: web.Request) -> web.StreamResponse:
    """``GET /``: the query page."""
    return _file(request, "index.html")


async def static(request: web.Request) -> web.StreamResponse:
    """``GET /static/{name}``: the page's scripts, style sheet, logo and configuration."""
    name = request.match_info["name"]
    if name == CONFIG:
        return web.json_response(page_config(request.app[SERVER]), headers=_HEADERS)
    if name not in FILES:
        raise web.HTTPNotFound()
    return _file(request, name)


def routes() -> list[web.RouteDef]:
    return [web.get("/", index), web.get("/static/{name}", static)]
