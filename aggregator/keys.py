"""Typed keys for what the aggregator app carries (no globals, no string keys).

The keys both apps carry (server settings, request id, the parsed request) are in
``beacon.web.keys``.
"""

from __future__ import annotations

from aiohttp import web

from aggregator.cache import ResponseCache
from aggregator.fanout import Network
from beacon.config import AggregatorSettings

SETTINGS = web.AppKey("aggregator_settings", AggregatorSettings)
NETWORK = web.AppKey("network", Network)
CACHE = web.AppKey("response_cache", ResponseCache)
