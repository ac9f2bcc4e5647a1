"""Typed keys for what the node app and its requests carry (no globals, no string keys)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from beacon.access import Identity
from beacon.config import Settings
from beacon.execute import CatalogCache, Executor
from beacon.passport import Verifier
from beacon.privacy import Budgets
from beacon.protocol.request import BeaconRequest
from beacon.store.client import Client, Database

SETTINGS = web.AppKey("settings", Settings)
CLIENT = web.AppKey("client", Client)
DB = web.AppKey("db", Database)
EXECUTOR = web.AppKey("executor", Executor)
CATALOG = web.AppKey("catalog", CatalogCache)
STARTED = web.AppKey("started", dt.datetime)
VERIFIER = web.AppKey("verifier", Verifier)
BUDGETS = web.AppKey("budgets", Budgets)

REQUEST_ID = web.RequestKey("request_id", str)
IDENTITY = web.RequestKey("identity", Identity)
#: The request as understood, once parsed: error responses echo it in their summary.
PARSED = web.RequestKey("parsed", BeaconRequest)
