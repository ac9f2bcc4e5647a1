"""The query page, served at ``/`` by both the node and the aggregator (plain HTML and JS).

The files sit beside this module and are read with ``importlib.resources``, so they ship in
the wheel. The page calls the API of whatever serves it (same origin), so the one page works
over a node and over the network. Only the files listed here are served.
"""

from __future__ import annotations

import functools
from importlib import resources

from aiohttp import web

FILES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
    "logo.svg": "image/svg+xml",
}
#: The page is small and changes with the software: browsers revalidate, nothing goes stale.
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
#: The page loads only its own files and talks only to its own origin.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@functools.cache
def read(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


def _file(name: str) -> web.Response:
    headers = dict(_HEADERS)
    if name == "index.html":
        headers["Content-Security-Policy"] = _CSP
    return web.Response(body=read(name), content_type=FILES[name], headers=headers)


async def index(request: web.Request) -> web.StreamResponse:
    """``GET /``: the query page."""
    return _file("index.html")


async def static(request: web.Request) -> web.StreamResponse:
    """``GET /static/{name}``: the page's script, style sheet and logo."""
    name = request.match_info["name"]
    if name not in FILES:
        raise web.HTTPNotFound()
    return _file(name)


def routes() -> list[web.RouteDef]:
    return [web.get("/", index), web.get("/static/{name}", static)]
