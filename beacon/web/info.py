"""The informational documents of a Beacon, node or network: /info, /service-info,
/configuration, /entry_types, /map and the /filtering_terms envelope. Pure builders over the
``[server]`` settings.

Every URL is absolute and built from the configured public base URL, so ``/map`` works for
clients behind a proxy as well as on localhost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beacon import __version__
from beacon.config import ServerSettings, public_base_url
from beacon.protocol import framework
from beacon.protocol.entry_types import SPEC_VERSION
from beacon.protocol.response import informational_meta


def site_root(server: ServerSettings) -> str:
    """The site root (where the query page lives): the API root without its ``/api`` suffix."""
    base = public_base_url(server)
    return base[: -len("/api")] if base.endswith("/api") else base


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None, [], {})}


def organization(server: ServerSettings) -> dict[str, Any]:
    org = server.organization
    return _drop_empty(
        {
            "id": org.id,
            "name": org.name,
            "description": org.description,
            "address": org.address,
            "welcomeUrl": org.welcome_url,
            "contactUrl": org.contact_url,
            "logoUrl": org.logo_url or f"{site_root(server)}/static/logo.svg",
        }
    )


def info_response(
    server: ServerSettings, updated: dt.datetime, info: dict[str, Any]
) -> dict[str, Any]:
    """/info: who the beacon is; ``updated`` is its data's version, ``info`` its extras."""
    response = _drop_empty(
        {
            "id": server.id,
            "name": server.name,
            "apiVersion": SPEC_VERSION,
            "environment": server.environment,
            "organization": organization(server),
            "description": server.description,
            "version": server.version or __version__,
            "welcomeUrl": server.welcome_url or f"{site_root(server)}/",
            "alternativeUrl": server.alternative_url or public_base_url(server),
            "createDateTime": server.create_date_time,
            "updateDateTime": server.update_date_time or stamp(updated),
            "info": info,
        }
    )
    return {"meta": informational_meta(server.id), "response": response}


def wants_service_info(requested: str) -> bool:
    """Does ``/info?requestedSchema=`` ask for GA4GH service-info? Any other value (empty, the
    Beacon info schema's id or URL) gets the Beacon info document, its default."""
    return "service-info" in requested.lower()


def service_info(server: ServerSettings, updated: dt.datetime) -> dict[str, Any]:
    """GA4GH service-info 1.0.0: a bare object, no meta/response wrapper."""
    org = organization(server)
    return _drop_empty(
        {
            "id": server.id,
            "name": server.name,
            "type": {"group": "org.ga4gh", "artifact": "beacon", "version": SPEC_VERSION},
            "description": server.description,
            "organization": {
                "name": org["name"],
                "url": org.get("welcomeUrl") or site_root(server),
            },
            "contactUrl": org.get("contactUrl", ""),
            "documentationUrl": server.documentation_url,
            "createdAt": server.create_date_time,
            "updatedAt": server.update_date_time or stamp(updated),
            "environment": server.environment,
            "version": server.version or __version__,
        }
    )


def configuration(server: ServerSettings, security: dict[str, Any]) -> dict[str, Any]:
    response = framework.configuration_document(server.environment, security)
    return {"meta": informational_meta(server.id), "response": response}


def entry_types_response(server: ServerSettings) -> dict[str, Any]:
    return {
        "meta": informational_meta(server.id),
        "response": {"entryTypes": framework.entry_types_section()},
    }


def beacon_map(server: ServerSettings) -> dict[str, Any]:
    response = framework.map_document(public_base_url(server))
    return {"meta": informational_meta(server.id), "response": response}


def filtering_terms_response(
    server: ServerSettings, terms: list[dict[str, Any]], resources: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "meta": informational_meta(server.id),
        "response": {"filteringTerms": terms, "resources": resources},
    }
