"""The route table: every Beacon path a node has, plus /nodes and /health, in one list.

Outside ``/api``: the query page (``/``, ``/static/...``, the node's own) and ``/metrics``.
"""

from __future__ import annotations

from aiohttp import web

from aggregator import handlers as h
from aggregator.middleware import Handler
from beacon import metrics, ui
from beacon.protocol import entry_types as et

API = "/api"


def _get_post(path: str, handler: Handler) -> list[web.RouteDef]:
    return [web.get(path, handler), web.post(path, handler)]


def routes() -> list[web.RouteDef]:
    table = [
        web.get(API, h.root),
        web.get(f"{API}/", h.root),
        web.get(f"{API}/info", h.beacon_info),
        web.get(f"{API}/service-info", h.service_info),
        web.get(f"{API}/configuration", h.configuration),
        web.get(f"{API}/map", h.beacon_map),
        web.get(f"{API}/entry_types", h.entry_types),
        web.get(f"{API}/filtering_terms", h.filtering_terms_handler()),
        web.get(f"{API}/nodes", h.nodes),
        web.get(f"{API}/health", h.health),
        web.get("/health", h.health),
        *ui.routes(),
        *metrics.routes(),
    ]
    # Static paths before the {id} patterns they would otherwise match.
    for entry in et.ENTRY_TYPES:
        table.append(
            web.get(f"{API}/{entry.path}/filtering_terms", h.filtering_terms_handler(entry))
        )
    for entry in (et.DATASETS, et.COHORTS):
        table.append(
            web.get(
                f"{API}/{entry.path}/{{id}}/filtering_terms",
                h.filtering_terms_handler(entry, per_record=True),
            )
        )
    for entry in et.ENTRY_TYPES:
        root = f"{API}/{entry.path}"
        table += _get_post(root, h.entry_handler(entry))
        table += _get_post(f"{root}/{{id}}", h.entry_handler(entry, with_id=True))
        for target in et.CROSS_TARGETS.get(entry.path, ()):
            handler = h.entry_handler(et.BY_PATH[target], source=entry)
            table += _get_post(f"{root}/{{id}}/{target}", handler)
    return table
