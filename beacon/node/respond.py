"""(BeaconRequest, per-dataset results, granularity) -> the response body.

Each dataset is answered at its own granularity (``access.decide``); ``returnedGranularity`` is
the most detail any of them is given, and the response takes that shape. A dataset answered at
less never contributes more than its level: records only from record-level datasets, counts
(``numTotalResults``, result sets) only from count-level ones and up, and a boolean-level
dataset only its ``exists`` to the summary's. A result set answered below the response's level
says so in ``info.returnedGranularity``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, IncludeResultsets


@dataclass(frozen=True)
class DatasetAnswer:
    """What one dataset (or one global record's set) contributes, as it may be reported."""

    id: str
    set_type: str
    exists: bool
    count: int
    records: list[dict[str, Any]]
    granularity: Granularity = Granularity.RECORD
    info: dict[str, Any] = field(default_factory=dict)


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


def _set_info(answer: DatasetAnswer, returned: Granularity) -> dict[str, Any]:
    info = dict(answer.info)
    if answer.granularity < returned:
        info["returnedGranularity"] = answer.granularity.value
    return info


def entries(
    beacon_id: str,
    request: BeaconRequest,
    answers: list[DatasetAnswer],
    returned: Granularity,
    default: Granularity,
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A boolean, count or result-sets response over the per-dataset answers."""
    counted = [a for a in answers if a.granularity >= Granularity.COUNT]
    result_sets = [
        r.ResultSet(
            id=a.id,
            set_type=a.set_type,
            exists=a.exists,
            count=a.count,
            # belt and braces: a dataset below record level never shows records
            results=tuple(a.records) if a.granularity is Granularity.RECORD else (),
            info=_set_info(a, returned),
        )
        for a in counted
        if _included(request.include, a.exists)
    ]
    exists = any(a.exists for a in answers)
    total = sum(a.count for a in counted)
    adjusted = [a.info for a in counted if a.info.get("countPrecision") not in (None, "exact")]
    if adjusted and returned is not Granularity.BOOLEAN:
        # Count answers have no result sets to carry the marker: say it for the whole sum, so a
        # network knows the total is not exact (v2.2's countPrecision, kept inside info).
        info = {**(info or {}), "countPrecision": adjusted[0]["countPrecision"]}
    return r.data_response(
        meta(beacon_id, request, returned, default), returned, exists, total, result_sets, info
    )


Found = list[tuple[Granularity, Any]]


def _merge(found: Found) -> tuple[bool, int, list[dict[str, Any]]]:
    """(exists, count, records) over the per-granularity queries of /datasets or /cohorts."""
    exists = any(result.count > 0 for _, result in found)
    count = sum(result.count for g, result in found if g >= Granularity.COUNT)
    records = [rec for g, result in found if g is Granularity.RECORD for rec in result.records]
    return exists, count, records


def collections(
    beacon_id: str,
    request: BeaconRequest,
    found: Found,
    returned: Granularity,
    default: Granularity,
) -> dict[str, Any]:
    """``/datasets`` and ``/cohorts``: a collections response at record level."""
    exists, count, records = _merge(found)
    body_meta = meta(beacon_id, request, returned, default)
    if returned is Granularity.RECORD:
        return r.collections_response(body_meta, exists, count, records)
    return r.data_response(body_meta, returned, exists, count)


def found_record(
    record_id: str, set_type: str, found: Found, returned: Granularity
) -> DatasetAnswer:
    """``/datasets/{id}`` or ``/cohorts/{id}``: the one record, at its dataset's granularity."""
    for granularity, result in found:
        if result.count > 0:
            records = result.records if granularity is Granularity.RECORD else []
            return DatasetAnswer(record_id, set_type, True, result.count, records, granularity)
    return DatasetAnswer(record_id, set_type, False, 0, [], returned)
