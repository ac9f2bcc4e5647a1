"""What the HTTP parser refuses is the Beacon error envelope, echoing nothing of the request.

Served for real (``BeaconRunner`` on a socket, as ``serve`` does): aiohttp answers these before
any middleware, in plain text quoting the offending line.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from aggregator.app import create_app
from beacon.config import load_settings
from beacon.web.parsing import BeaconRunner

SECRET = b"eyJhbGciOiJSUzI1NiJ9.secret-token-bytes"


@pytest.fixture
async def port() -> AsyncIterator[int]:
    app = create_app(load_settings(None, {"BEACON_ID": "org.test.parsing"}, "aggregator"), {})
    runner = BeaconRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server)
    yield server.sockets[0].getsockname()[1]
    await runner.cleanup()


async def exchange(port: int, raw: bytes) -> tuple[int, dict[str, object], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body), data


LONG_HEADER = b"GET /api/info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + SECRET * 2000
CASES = [
    (b"GET /api/info?x=" + SECRET * 300 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request line"),
    (LONG_HEADER + b"\r\n\r\n", 431, "request header is longer than 65536"),
    (
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(300)),
        431,
        "too many request headers",
    ),
    (b"\x16\x03\x01" + SECRET + b"\r\n\r\n", 400, "not an HTTP request"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: " + SECRET + b"\r\n\r\n", 400, "not valid"),
    (
        b"POST /api/individuals HTTP/1.1\r\nHost: x\r\nContent-Encoding: deflate\r\n"
        b"Content-Type: application/json\r\nContent-Length: 8\r\n\r\n" + SECRET[:8],
        415,
        "Content-Encoding",
    ),
]


@pytest.mark.parametrize(("raw", "status", "message"), CASES)
async def test_parser_refusals_are_envelopes(
    port: int, raw: bytes, status: int, message: str
) -> None:
    code, body, data = await exchange(port, raw + b"\r\n\r\n")
    assert code == status
    error, meta = body["error"], body["meta"]
    assert isinstance(error, dict)
    assert isinstance(meta, dict)
    assert error["errorCode"] == status
    assert message in error["errorMessage"]
    assert meta["beaconId"] == "org.test.parsing"
    assert SECRET[:12] not in data
