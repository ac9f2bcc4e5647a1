"""Typed keys for what the node app and its requests carry (no globals, no string keys).

The keys both apps carry (server settings, request id, the parsed request) are in
``beacon.web.keys``.
"""

from __future__ import annotations

from aiohttp import web

from beacon.config import NetworkSettings, Settings
from beacon.node.execute import CatalogCache, Executor
from beacon.node.passport import Verifier
from beacon.node.privacy import Budgets
from beacon.node.tiers import Identity
from beacon.store.client import Client, Database
from beacon.store.reference import Reference

SETTINGS = web.AppKey("settings", Settings)
CLIENT = web.AppKey("client", Client)
DB = web.AppKey("db", Database)
EXECUTOR = web.AppKey("executor", Executor)
CATALOG = web.AppKey("catalog", CatalogCache)
VERIFIER = web.AppKey("verifier", Verifier)
BUDGETS = web.AppKey("budgets", Budgets)
#: Assembly -> its reference genome, for the assemblies the node has one of.
REFERENCES = web.AppKey("references", dict[str, Reference])

IDENTITY = web.RequestKey("identity", Identity)
#: the network the request came through, when it said so (X-Beacon-Network)
NETWORK = web.RequestKey("network", NetworkSettings)
