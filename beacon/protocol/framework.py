"""The framework documents every Beacon describes itself with: /configuration's entry types
and /map's endpoint sets, built from the entry-type registry and a public base URL.

Shared by node and aggregator (a network is itself a Beacon, docs/design.md §6): both serve
the same entry types at the same paths, only under a different API root.
"""

from __future__ import annotations

from typing import Any

from beacon.protocol import entry_types as et
from beacon.protocol.entry_types import FRAMEWORK_BASE_URL, SPEC_VERSION, EntryType

#: ``maturityAttributes.productionStatus`` for each deployment environment.
PRODUCTION_STATUS = {"prod": "PROD", "test": "TEST", "staging": "TEST", "dev": "DEV"}
CONFIGURATION_SCHEMA = f"{FRAMEWORK_BASE_URL}/configuration/beaconConfigurationSchema.json"
MAP_SCHEMA = f"{FRAMEWORK_BASE_URL}/configuration/beaconMapSchema.json"


def entry_type_definition(entry: EntryType) -> dict[str, Any]:
    """One ``entryTypes`` value of /configuration and /entry_types."""
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
    """Every entry type of the default model, keyed by id."""
    return {e.id: entry_type_definition(e) for e in et.ENTRY_TYPES}


def configuration_document(environment: str, security: dict[str, Any]) -> dict[str, Any]:
    """The ``response`` of /configuration."""
    return {
        "$schema": CONFIGURATION_SCHEMA,
        "maturityAttributes": {"productionStatus": PRODUCTION_STATUS[environment]},
        "securityAttributes": security,
        "entryTypes": entry_types_section(),
    }


def map_document(base: str) -> dict[str, Any]:
    """The ``response`` of /map: absolute URLs under the API root ``base``."""
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
    return {"$schema": MAP_SCHEMA, "endpointSets": sets}
