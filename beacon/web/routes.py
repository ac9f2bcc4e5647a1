"""The route table of a Beacon, node or network: every path of the spec in one list that
reads like ``/map``, plus each program's extra routes (the query page, ``/metrics`` ...).

Every API path is also served under a versioned prefix, ``/api/v2.0.0/...`` and
``/api/<the apiVersion this beacon reports>/...``: clients such as the GDI User Portal call
``{base}/v2.0.0/individuals``, the ELIXIR network's path style. The aliases answer exactly as
the plain paths do; ``/map`` names the plain ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from aiohttp import web

from beacon.protocol import entry_types as et
from beacon.protocol.entry_types import SPEC_VERSION
from beacon.web import metrics, ui
from beacon.web.requests import Handler

API = "/api"
#: The versioned prefixes served as aliases of ``API`` (the ELIXIR and GDI clients' style).
VERSIONS = tuple(dict.fromkeys(("v2.0.0", SPEC_VERSION)))


@dataclass(frozen=True)
class Endpoints:
    """The handlers a Beacon (node or network) serves; ``routes`` lays them out under /api."""

    root: Handler
    info: Handler
    service_info: Handler
    configuration: Handler
    map: Handler
    entry_types: Handler
    health: Handler
    filtering_terms: Callable[..., Handler]  # (entry=None, per_record=False)
    entry: Callable[..., Handler]  # (entry, with_id=False, source=None)

    @classmethod
    def of(cls, handlers: ModuleType) -> Endpoints:
        """A program's handlers module, read by the names every Beacon's handlers have."""
        return cls(
            root=handlers.root,
            info=handlers.beacon_info,
            service_info=handlers.service_info,
            configuration=handlers.configuration,
            map=handlers.beacon_map,
            entry_types=handlers.entry_types,
            health=handlers.health,
            filtering_terms=handlers.filtering_terms_handler,
            entry=handlers.entry_handler,
        )


def _get_post(path: str, handler: Handler) -> list[web.RouteDef]:
    return [web.get(path, handler), web.post(path, handler)]


def versioned(table: list[web.RouteDef]) -> list[web.RouteDef]:
    """``table`` and, for every route under ``API``, the same route under each versioned
    prefix (``/api/v2.0.0/info`` ...)."""
    aliases = [
        web.RouteDef(
            route.method,
            f"{API}/{version}{route.path[len(API) :]}",
            route.handler,
            dict(route.kwargs),
        )
        for version in VERSIONS
        for route in table
        if route.path == API or route.path.startswith(f"{API}/")
    ]
    return [*table, *aliases]


def routes(endpoints: Endpoints, extra: list[web.RouteDef] | None = None) -> list[web.RouteDef]:
    """Every Beacon path and its handler (also under the versioned prefixes), the query page and
    ``/metrics``, then ``extra``."""
    e, api = endpoints, API
    table = [
        web.get(api, e.root),
        web.get(f"{api}/", e.root),
        web.get(f"{api}/info", e.info),
        web.get(f"{api}/service-info", e.service_info),
        web.get(f"{api}/configuration", e.configuration),
        web.get(f"{api}/map", e.map),
        web.get(f"{api}/entry_types", e.entry_types),
        *_get_post(f"{api}/filtering_terms", e.filtering_terms()),
        web.get(f"{api}/health", e.health),
        web.get("/health", e.health),
        *(extra or []),
        *ui.routes(),
        *metrics.routes(),
    ]
    # Static paths before the {id} patterns they would otherwise match.
    for entry in et.ENTRY_TYPES:
        table += _get_post(f"{api}/{entry.path}/filtering_terms", e.filtering_terms(entry))
    for entry in (et.DATASETS, et.COHORTS):
        path = f"{api}/{entry.path}/{{id}}/filtering_terms"
        table += _get_post(path, e.filtering_terms(entry, per_record=True))
    for entry in et.ENTRY_TYPES:
        root = f"{api}/{entry.path}"
        table += _get_post(root, e.entry(entry))
        table += _get_post(f"{root}/{{id}}", e.entry(entry, with_id=True))
        for target in et.CROSS_TARGETS.get(entry.path, ()):
            table += _get_post(f"{root}/{{id}}/{target}", e.entry(et.BY_PATH[target], source=entry))
    return versioned(table)
