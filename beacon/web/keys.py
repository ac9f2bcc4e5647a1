"""Typed keys both apps carry: their server settings, and per request its id and its parse.

Each program's own keys (its database, its network ...) are in its ``keys`` module.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from beacon.config import ServerSettings
from beacon.protocol.request import BeaconRequest

SERVER = web.AppKey("server", ServerSettings)
STARTED = web.AppKey("started", dt.datetime)

REQUEST_ID = web.RequestKey("request_id", str)
#: The request as understood, once parsed: error responses echo it in their summary.
PARSED = web.RequestKey("parsed", BeaconRequest)
