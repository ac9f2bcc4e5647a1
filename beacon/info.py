"""The informational endpoints: /, /info, /service-info, /configuration, /map, /entry_types,
/filtering_terms. Assembled from settings and the entry-type registry; pure.

Every URL is absolute and built from the configured public base URL, so ``/map`` works for
clients behind a proxy as well as on localhost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beacon import __version__
from beacon.config import Settings, public_base_url
from beacon.protocol import framework
from beacon.protocol.entry_types import SPEC_VERSION
from beacon.protocol.response import informational_meta


def _site_root(settings: Settings) -> str:
    """The site root (where the query page lives): the API root without its ``/api`` suffix."""
    base = public_base_url(settings.beacon)
    return base[: -len("/api")] if base.endswith("/api") else base


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None, [], {})}


def organization(settings: Settings) -> dict[str, Any]:
    org = settings.beacon.organization
    return _drop_empty(
        {
            "id": org.id,
            "name": org.name,
            "description": org.description,
            "address": org.address,
            "welcomeUrl": org.welcome_url,
            "contactUrl": org.contact_url,
            "logoUrl": org.logo_url or f"{_site_root(settings)}/static/logo.svg",
        }
    )


def info_response(settings: Settings, data_updated: dt.datetime) -> dict[str, Any]:
    node = settings.beacon
    updated = node.update_date_time or data_updated.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = _drop_empty(
        {
            "id": node.id,
            "name": node.name,
            "apiVersion": SPEC_VERSION,
            "environment": node.environment,
            "organization": organization(settings),
            "description": node.description,
            "version": node.version or __version__,
            "welcomeUrl": node.welcome_url or f"{_site_root(settings)}/",
            "alternativeUrl": node.alternative_url or public_base_url(node),
            "createDateTime": node.create_date_time,
            "updateDateTime": updated,
            "info": {"software": {"name": "beacon-gdi", "version": __version__}},
        }
    )
    return {"meta": informational_meta(node.id), "response": response}


def service_info(settings: Settings, data_updated: dt.datetime) -> dict[str, Any]:
    """GA4GH service-info 1.0.0: a bare object, no meta/response wrapper."""
    node = settings.beacon
    org = organization(settings)
    return _drop_empty(
        {
            "id": node.id,
            "name": node.name,
            "type": {"group": "org.ga4gh", "artifact": "beacon", "version": SPEC_VERSION},
            "description": node.description,
            "organization": {
                "name": org["name"],
                "url": org.get("welcomeUrl") or _site_root(settings),
            },
            "contactUrl": org.get("contactUrl", ""),
            "documentationUrl": node.documentation_url,
            "createdAt": node.create_date_time,
            "updatedAt": node.update_date_time or data_updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "environment": node.environment,
            "version": node.version or __version__,
        }
    )


def configuration(settings: Settings, security: dict[str, Any]) -> dict[str, Any]:
    node = settings.beacon
    response = framework.configuration_document(node.environment, security)
    return {"meta": informational_meta(node.id), "response": response}


def entry_types_response(settings: Settings) -> dict[str, Any]:
    return {
        "meta": informational_meta(settings.beacon.id),
        "response": {"entryTypes": framework.entry_types_section()},
    }


def beacon_map(settings: Settings) -> dict[str, Any]:
    response = framework.map_document(public_base_url(settings.beacon))
    return {"meta": informational_meta(settings.beacon.id), "response": response}


def filtering_terms_response(
    settings: Settings, terms: list[dict[str, Any]], resources: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "meta": informational_meta(settings.beacon.id),
        "response": {"filteringTerms": terms, "resources": resources},
    }
