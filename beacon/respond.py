"""(BeaconRequest, per-dataset results, granularity) -> the response body.

Record data appears only in record-granularity responses: boolean and count answers carry the
summary alone, whatever the query fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, IncludeResultsets


@dataclass(frozen=True)
class DatasetAnswer:
    """What one dataset (or one global record's set) contributes."""

    id: str
    set_type: str
    count: int
    records: list[dict[str, Any]]


def _included(include: IncludeResultsets, exists: bool) -> bool:
    if include is IncludeResultsets.ALL:
        return True
    if include is IncludeResultsets.HIT:
        return exists
    if include is IncludeResultsets.MISS:
        return not exists
    return False


def meta(
    beacon_id: str, request: BeaconRequest, returned: Granularity, default: Granularity
) -> dict[str, Any]:
    return r.response_meta(
        beacon_id,
        r.request_summary(request, default),
        returned,
        request.route.entry,
        request.test_mode,
    )


def entries(
    beacon_id: str,
    request: BeaconRequest,
    answers: list[DatasetAnswer],
    returned: Granularity,
    default: Granularity,
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A boolean, count or result-sets response over the per-dataset answers."""
    total = sum(a.count for a in answers)
    result_sets = [
        r.ResultSet(
            id=a.id,
            set_type=a.set_type,
            exists=a.count > 0,
            count=a.count,
            results=tuple(a.records),
        )
        for a in answers
        if _included(request.include, a.count > 0)
    ]
    return r.data_response(
        meta(beacon_id, request, returned, default), returned, total > 0, total, result_sets, info
    )


def collections(
    beacon_id: str,
    request: BeaconRequest,
    count: int,
    records: list[dict[str, Any]],
    returned: Granularity,
    default: Granularity,
) -> dict[str, Any]:
    """``/datasets`` and ``/cohorts``: a collections response at record level."""
    body_meta = meta(beacon_id, request, returned, default)
    if returned is Granularity.RECORD:
        return r.collections_response(body_meta, count > 0, count, records)
    return r.data_response(body_meta, returned, count > 0, count)
