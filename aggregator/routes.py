"""The network's route table: every Beacon path (``beacon.web.routes``) with the network's
handlers, plus ``/api/nodes``, the operator's view of every member."""

from __future__ import annotations

from aiohttp import web

from aggregator import handlers
from beacon.web.routes import API, Endpoints
from beacon.web.routes import routes as beacon_routes


def routes() -> list[web.RouteDef]:
    return beacon_routes(Endpoints.of(handlers), [web.get(f"{API}/nodes", handlers.nodes)])
