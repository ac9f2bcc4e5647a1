"""The official Beacon v2 schemas in ../shared/beacon-v2, resolved offline: the yardstick.

They are never copied into the project; tests that need them skip, saying why, when the
folder is absent (a user's fresh clone).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ROOT = SHARED / "beacon-v2"
DATA = SHARED / "data"
RAW = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
VRS = "https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json"
MODEL = "models/json/beacon-v2-default-model"
RESPONSES = "framework/json/responses"

RESPONSE_SCHEMAS = {
    "boolean": f"{RESPONSES}/beaconBooleanResponse.json",
    "count": f"{RESPONSES}/beaconCountResponse.json",
    "record": f"{RESPONSES}/beaconResultsetsResponse.json",
    "collections": f"{RESPONSES}/beaconCollectionsResponse.json",
    "error": f"{RESPONSES}/beaconErrorResponse.json",
    "info": f"{RESPONSES}/beaconInfoResponse.json",
    "service-info": f"{RESPONSES}/ga4gh-service-info-1-0-0-schema.json",
    "configuration": f"{RESPONSES}/beaconConfigurationResponse.json",
    "map": f"{RESPONSES}/beaconMapResponse.json",
    "entry_types": f"{RESPONSES}/beaconEntryTypesResponse.json",
    "filtering_terms": f"{RESPONSES}/beaconFilteringTermsResponse.json",
}
ENTITY_SCHEMAS = {
    "analysis": f"{MODEL}/analyses/defaultSchema.json",
    "biosample": f"{MODEL}/biosamples/defaultSchema.json",
    "cohort": f"{MODEL}/cohorts/defaultSchema.json",
    "dataset": f"{MODEL}/datasets/defaultSchema.json",
    "genomicVariant": f"{MODEL}/genomicVariations/defaultSchema.json",
    "individual": f"{MODEL}/individuals/defaultSchema.json",
    "run": f"{MODEL}/runs/defaultSchema.json",
}


def available() -> bool:
    return (ROOT / RESPONSES).is_dir()


def _retrieve(uri: str) -> Resource[Any]:
    if uri.startswith(RAW):
        path = ROOT / uri[len(RAW) :]
    elif uri == VRS:
        path = ROOT / "external/ga4gh-vrs-1.3.0/schema/vrs.json"
    elif uri.startswith("file://"):
        path = Path(uri[len("file://") :])
        # The model schemas point at a common/info.json that exists only in the framework.
        if not path.exists() and path.name == "info.json":
            path = ROOT / "framework/json/common/info.json"
    else:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # never go online
    return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012)


_REGISTRY: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]


@functools.cache
def validator(relative: str) -> Draft202012Validator:
    path = ROOT / relative
    schema = json.loads(path.read_text())
    return Draft202012Validator({"$id": path.as_uri(), **schema}, registry=_REGISTRY)


def resolver(relative: str) -> Any:  # a referencing.Resolver
    """What a schema's references resolve to, from that schema (offline)."""
    return _REGISTRY.resolver(base_uri=(ROOT / relative).as_uri())


def errors(instance: Any, relative: str) -> list[str]:
    found = sorted(validator(relative).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in found]


def assert_valid(instance: Any, relative: str) -> None:
    problems = errors(instance, relative)
    assert not problems, f"invalid against {relative}:\n" + "\n".join(problems[:10])


def kind_of(body: dict[str, Any]) -> str:
    """Which response schema a body claims to follow."""
    if "error" in body:
        return "error"
    if "collections" in body.get("response", {}):
        return "collections"
    return str(body["meta"]["returnedGranularity"])


def assert_response(body: dict[str, Any]) -> None:
    """A data or error response is valid for its granularity, and so is every record in it."""
    kind = kind_of(body)
    assert_valid(body, RESPONSE_SCHEMAS[kind])
    if kind in ("boolean", "count"):
        assert "response" not in body, "boolean/count responses must not carry records"
    returned = body["meta"].get("returnedSchemas") or []
    entity = returned[0]["entityType"] if returned else None
    records: list[Any] = []
    if kind == "record":
        for result_set in body["response"]["resultSets"]:
            records.extend(result_set["results"])
    elif kind == "collections":
        records = body["response"]["collections"]
    for record in records:
        assert entity is not None, "records returned without returnedSchemas"
        assert_valid(record, ENTITY_SCHEMAS[entity])
