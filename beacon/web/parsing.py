"""Requests the HTTP parser refuses (a request line or header over the limits, malformed HTTP,
a body in an encoding it cannot decode) answered as the Beacon error envelope, echoing nothing.

aiohttp answers these before any middleware runs, in plain text that quotes the start of the
offending line (a bearer token, say) and logs it. :class:`BeaconRunner` serves an app with a
connection handler whose refusals are the envelope of the app's ``[server]`` settings with a
fixed message per kind, logged as one line without the request's bytes.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    ContentEncodingError,
    LineTooLong,
    PayloadEncodingError,
)
from aiohttp.web_protocol import RequestHandler

from beacon.config import ServerSettings
from beacon.web.keys import SERVER
from beacon.web.middleware import envelope

log = logging.getLogger("beacon.http")
#: Content encodings of request bodies this server decodes.
DECODED = ("identity", "gzip", "deflate", "x-gzip")


def refusal(server: ServerSettings, exc: BaseException | None) -> tuple[int, str]:
    """The status and message for what the parser refused: never a byte of the request."""
    if isinstance(exc, LineTooLong):
        line = exc.args[0] if exc.args else b""
        if isinstance(line, bytes | bytearray) and line.startswith(b"/"):
            return 414, f"the request line is longer than {server.max_line_bytes} bytes"
        return 431, f"a request header is longer than {server.max_header_bytes} bytes"
    if isinstance(exc, ContentEncodingError):
        return 415, "the request body's Content-Encoding could not be decoded; use " + ", ".join(
            DECODED
        )
    if isinstance(exc, PayloadEncodingError):
        return 400, "the request body does not match its Content-Length or Transfer-Encoding"
    if isinstance(exc, BadHttpMethod):
        return 400, "not an HTTP request (is this HTTPS sent to an HTTP port?)"
    if isinstance(exc, BadHttpMessage) and "Too many headers" in str(exc):
        return 431, "too many request headers"
    return 400, "the request is not valid HTTP"


class _Handler(RequestHandler):
    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        server: ServerSettings | None = getattr(self._manager, "beacon_server", None)
        if server is None or status >= 500:
            return super().handle_error(request, status, exc, message)
        if request.writer.output_size > 0:
            raise ConnectionError("a response was sent already: the connection is broken")
        code, text = refusal(server, exc)
        log.info("refused by the HTTP parser: %s (%d)", type(exc).__name__, code)
        response = envelope(server, code, text)
        response.force_close()
        return response


class _Server(web.Server):
    beacon_server: ServerSettings

    def __call__(self) -> RequestHandler:
        return _Handler(self, loop=self._loop, **self._kwargs)


class BeaconRunner(web.AppRunner):
    """``web.AppRunner`` whose connections answer parser refusals with the error envelope."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        if type(server) is not web.Server:  # pragma: no cover - a changed aiohttp
            raise RuntimeError(f"unexpected aiohttp server class {type(server)!r}")
        server.__class__ = _Server
        server.beacon_server = self.app[SERVER]  # type: ignore[attr-defined]
        return server
