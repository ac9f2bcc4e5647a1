"""Beacon v2 response envelopes: meta, summaries, result sets, collections and errors.

Pure builders over plain values. The shape follows the granularity actually returned
(docs/design.md §3): boolean, count, result sets or collections. ``receivedRequestSummary`` echoes
the request *as understood*, with defaults applied, in the schema's shape: filters as strings,
request parameters as an object of objects (docs/design.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from beacon.protocol.entry_types import SPEC_VERSION, EntryType
from beacon.protocol.errors import error_body
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BY_NAME, BeaconRequest, Group
from beacon.protocol.variants import VariantParams

_FIELD_TO_NAME = {p.field: p.name for p in BY_NAME.values() if p.group is Group.VARIANT}


@dataclass(frozen=True)
class ResultSet:
    """One dataset's (or cohort's) answer."""

    id: str
    set_type: str
    exists: bool
    count: int
    results: tuple[dict[str, Any], ...] = ()
    info: dict[str, Any] = field(default_factory=dict)
    #: The beacon the set comes from, top-level as networks give it (ELIXIR, EGA); a node
    #: answering for itself leaves it out (the EGA UI reads its presence as "a network").
    beacon_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id}
        if self.beacon_id is not None:
            body["beaconId"] = self.beacon_id
        body |= {
            "setType": self.set_type,
            "exists": self.exists,
            "resultsCount": self.count,
            "results": list(self.results),
        }
        if self.info:
            body["info"] = self.info
        return body


def schema_ref(entry: EntryType) -> dict[str, str]:
    return {"entityType": entry.id, "schema": entry.schema_id}


def informational_meta(beacon_id: str, returned: tuple[EntryType, ...] = ()) -> dict[str, Any]:
    """``beaconInformationalResponseMeta``: for /info, /map, /configuration, /filtering_terms..."""
    return {
        "beaconId": beacon_id,
        "apiVersion": SPEC_VERSION,
        "returnedSchemas": [schema_ref(e) for e in returned],
    }


def echo_parameters(variant: VariantParams, dataset_ids: tuple[str, ...] | None) -> dict[str, Any]:
    """Request parameters in the schema's object-of-objects shape (nested under g_variant)."""
    echoed: dict[str, Any] = {}
    g_variant = {}
    for f in fields(variant):
        value = getattr(variant, f.name)
        if value is None or value == ():
            continue
        g_variant[_FIELD_TO_NAME[f.name]] = list(value) if isinstance(value, tuple) else value
    if g_variant:
        echoed["g_variant"] = g_variant
    if dataset_ids is not None:
        echoed["datasets"] = {"datasetIds": list(dataset_ids)}
    return echoed


def request_summary(request: BeaconRequest, default: Granularity) -> dict[str, Any]:
    """``receivedRequestSummary``: what was understood and applied, defaults included."""
    summary: dict[str, Any] = {
        "apiVersion": request.api_version,
        "requestedSchemas": [
            {"entityType": r.entity_type or request.route.entry.id, "schema": r.schema}
            for r in request.requested_schemas
        ],
        "pagination": {"skip": request.skip, "limit": request.limit},
        "requestedGranularity": (request.requested_granularity or default).value,
        "includeResultsetResponses": request.include.value,
        "testMode": request.test_mode,
    }
    if request.filters:
        summary["filters"] = [f.summary() for f in request.filters]
    params = echo_parameters(request.variant, request.dataset_ids)
    if params:
        summary["requestParameters"] = params
    return summary


def fallback_summary(default: Granularity) -> dict[str, Any]:
    """The summary of a request that could not be understood (for error responses)."""
    return {
        "apiVersion": SPEC_VERSION,
        "requestedSchemas": [],
        "pagination": {},
        "requestedGranularity": default.value,
    }


def response_meta(
    beacon_id: str,
    summary: dict[str, Any],
    returned: Granularity,
    entry: EntryType | None,
    test_mode: bool = False,
) -> dict[str, Any]:
    """``beaconResponseMeta`` for data responses and errors."""
    meta: dict[str, Any] = {
        "beaconId": beacon_id,
        "apiVersion": SPEC_VERSION,
        "returnedSchemas": [schema_ref(entry)] if entry else [],
        "returnedGranularity": returned.value,
        "receivedRequestSummary": summary,
    }
    if test_mode:
        meta["testMode"] = True
    return meta


def summary_section(granularity: Granularity, exists: bool, total: int) -> dict[str, Any]:
    section: dict[str, Any] = {"exists": exists}
    if granularity is not Granularity.BOOLEAN:
        section["numTotalResults"] = total
    return section


def data_response(
    meta: dict[str, Any],
    granularity: Granularity,
    exists: bool,
    total: int,
    result_sets: list[ResultSet] | None = None,
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A boolean, count or result-sets response, chosen by the returned granularity."""
    body: dict[str, Any] = {
        "meta": meta,
        "responseSummary": summary_section(granularity, exists, total),
    }
    if granularity is Granularity.RECORD:
        body["response"] = {"resultSets": [r.as_json() for r in result_sets or []]}
    if info:
        body["info"] = info
    return body


def collections_response(
    meta: dict[str, Any],
    exists: bool,
    total: int,
    collections: list[dict[str, Any]],
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``beaconCollectionsResponse``: the record-level answer of /datasets and /cohorts."""
    body: dict[str, Any] = {
        "meta": meta,
        "responseSummary": {"exists": exists, "numTotalResults": total},
        "response": {"collections": collections},
    }
    if info:
        body["info"] = info
    return body


def error_response(meta: dict[str, Any], status: int, message: str) -> dict[str, Any]:
    return {"meta": meta, "error": error_body(status, message)}
