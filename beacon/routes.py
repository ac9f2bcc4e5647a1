"""The route table: every Beacon path and its handler, in one list that reads like /map.

Outside ``/api``: the query page (``/``, ``/static/...``) and the Prometheus ``/metrics``.
"""

from __future__ import annotations

from aiohttp import web

from beacon import handlers as h
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
        *ui.routes(),
        *metrics.routes(),
    ]
    return shared_routes(endpoints, API, extra)
