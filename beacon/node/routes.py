"""The node's route table: every Beacon path (``beacon.web.routes``) with the node's handlers."""

from __future__ import annotations

from aiohttp import web

from beacon.node import handlers
from beacon.web.routes import Endpoints
from beacon.web.routes import routes as beacon_routes


def routes() -> list[web.RouteDef]:
    return beacon_routes(Endpoints.of(handlers))
