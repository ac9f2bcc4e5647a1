"""The route table: every Beacon path a node has, plus /nodes and /health, in one list.

Outside ``/api``: the query page (``/``, ``/static/...``, the node's own) and ``/metrics``.
"""

from __future__ import annotations

from aiohttp import web

from aggregator import handlers as h
from beacon import metrics, ui
from beacon.web import Endpoints
from beacon.web import routes as shared_routes

API = "/api"


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
    extra = [
        web.get(f"{API}/nodes", h.nodes),
        *ui.routes(),
        *metrics.routes(),
    ]
    return shared_routes(endpoints, API, extra)
