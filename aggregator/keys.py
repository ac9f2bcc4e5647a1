"""Typed keys for what the aggregator app and its requests carry (no globals, no string keys)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from aggregator.cache import ResponseCache
from aggregator.fanout import Network
from beacon.config import AggregatorSettings
from beacon.protocol.request import BeaconRequest

SETTINGS = web.AppKey("aggregator_settings", AggregatorSettings)
NETWORK = web.AppKey("network", Network)
CACHE = web.AppKey("response_cache", ResponseCache)
STARTED = web.AppKey("started", dt.datetime)

REQUEST_ID = web.RequestKey("request_id", str)
#: The request as understood, once parsed: error responses echo it in their summary.
PARSED = web.RequestKey("parsed", BeaconRequest)
