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
from beacon.protocol import entry_types as et
from beacon.protocol.entry_types import FRAMEWORK_BASE_URL, SPEC_VERSION, EntryType
from beacon.protocol.response import informational_meta

_PRODUCTION_STATUS = {"prod": "PROD", "test": "TEST", "staging": "TEST", "dev": "DEV"}


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


def info_response(settings: Settings, started: dt.datetime) -> dict[str, Any]:
    node = settings.beacon
    updated = node.update_date_time or started.strftime("%Y-%m-%dT%H:%M:%SZ")
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


def service_info(settings: Settings, started: dt.datetime) -> dict[str, Any]:
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
            "updatedAt": node.update_date_time or started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "environment": node.environment,
            "version": node.version or __version__,
        }
    )


def entry_type_definition(entry: EntryType) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "id": entry.id,
        "name": entry.name,
        "description": entry.description,
        "partOfSpecification": f"Beacon {SPEC_VERSION}",
        "defaultSchema": {
            "id": entry.schema_id,
            "name": entry.schema_name,
            "referenceToSchemaDefinition": entry.schema_url,
            "schemaVersion": SPEC_VERSION,
        },
        "ontologyTermForThisType": {"id": entry.ontology_id, "label": entry.ontology_label},
        "additionallySupportedSchemas": [],
        "nonFilteredQueriesAllowed": True,
    }
    if entry.collection_of:
        target = et.BY_ID[entry.collection_of]
        definition["aCollectionOf"] = [{"id": target.id, "name": target.name}]
    return definition


def entry_types_section() -> dict[str, Any]:
    return {e.id: entry_type_definition(e) for e in et.ENTRY_TYPES}


def configuration(settings: Settings, security: dict[str, Any]) -> dict[str, Any]:
    node = settings.beacon
    response = {
        "$schema": f"{FRAMEWORK_BASE_URL}/configuration/beaconConfigurationSchema.json",
        "maturityAttributes": {"productionStatus": _PRODUCTION_STATUS[node.environment]},
        "securityAttributes": security,
        "entryTypes": entry_types_section(),
    }
    return {"meta": informational_meta(node.id), "response": response}


def entry_types_response(settings: Settings) -> dict[str, Any]:
    return {
        "meta": informational_meta(settings.beacon.id),
        "response": {"entryTypes": entry_types_section()},
    }


def beacon_map(settings: Settings) -> dict[str, Any]:
    base = public_base_url(settings.beacon)
    sets: dict[str, Any] = {}
    for entry in et.ENTRY_TYPES:
        root = f"{base}/{entry.path}"
        endpoints = {
            et.BY_PATH[target].id: {
                "url": f"{root}/{{id}}/{target}",
                "returnedEntryType": et.BY_PATH[target].id,
            }
            for target in et.CROSS_TARGETS.get(entry.path, ())
        }
        sets[entry.id] = {
            "entryType": entry.id,
            "rootUrl": root,
            "singleEntryUrl": f"{root}/{{id}}",
            "filteringTermsUrl": f"{root}/filtering_terms",
            "endpoints": endpoints,
        }
    response = {
        "$schema": f"{FRAMEWORK_BASE_URL}/configuration/beaconMapSchema.json",
        "endpointSets": sets,
    }
    return {"meta": informational_meta(settings.beacon.id), "response": response}


def filtering_terms_response(
    settings: Settings, terms: list[dict[str, Any]], resources: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "meta": informational_meta(settings.beacon.id),
        "response": {"filteringTerms": terms, "resources": resources},
    }
