"""The network's route table: every Beacon path (``beacon.web.routes``) with the network's
handlers, plus ``/api/nodes``, the operator's view of every member."""

from __future__ import annotations

from aiohttp import web

from aggregator import handlers as h
from beacon.web.routes import API, Endpoints
from beacon.web.routes import routes as beacon_routes


def routes() -> list[web.RouteDef]:
    endpoints = Endpoints(
        root=h.root,
        info=h.beacon_info,
        service_info=h.service_info,
        configuration=h.configuration,
        map=h.beacon_map,
        entry_types=h.entry_types,
        health=h.health,
        filtering_terms=h.filtering_terms_handler,
        entry=h.entry_handler,
    )
    return beacon_routes(endpoints, [web.get(f"{API}/nodes", h.nodes)])
