"""Read a node's JSON body into a checked ``NodeAnswer``, or say exactly what is wrong with it.

A compact structural check of the parts of ``beaconBooleanResponse``, ``beaconCountResponse``,
``beaconResultsetsResponse`` and ``beaconCollectionsResponse`` that the merge relies on, plus the
minimum every record of the entry type must have. It is the project's own check: the official
schemas are the tests' yardstick and need not exist at run time, and a full JSON Schema pass
over every record of every node would cost more than the answer is worth. Beacon 2.2 answers
(result sets without ``results``/``resultsCount``) are accepted (docs/design.md §6).

So are the answers of the EGA Beacon Network API, so that it can be a member (a network of
networks): its ``meta`` has neither ``returnedSchemas`` nor ``returnedGranularity`` (the
granularity is then read from the shape: records shown, a count, or a yes/no), and it lists a
member that did not answer as ``{"beaconId": ..., "exists": false}`` with no id, a placeholder
that is left out (it says nothing about any dataset).
"""

from __future__ import annotations

from typing import Any

from aggregator.errors import InvalidAnswer
from aggregator.outcome import AnswerSet, NodeAnswer
from beacon.protocol.entry_types import EntryType
from beacon.protocol.granularity import Granularity

_GRANULARITIES = {g.value: g for g in Granularity}
_META_REQUIRED = ("beaconId", "apiVersion")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidAnswer(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _count(value: Any, where: str, most: int, exists: bool) -> int | None:
    """A count as a node may give it: a whole number, within ``most``, and 0 when nothing
    exists (``exists: false`` with a count is an implausible answer, never summed)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidAnswer(f"{where}: expected a whole number >= 0, got {str(value)[:40]}")
    if value > most:
        raise InvalidAnswer(f"{where}: {value} is more than any node can count (> {most})")
    if value > 0 and not exists:
        raise InvalidAnswer(f"{where}: {value} with exists false")
    return value


def _records(value: Any, where: str, entry: EntryType) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        raise InvalidAnswer(f"{where}: expected an array")
    key = "variantInternalId" if entry.id == "genomicVariant" else "id"
    for i, record in enumerate(value):
        if not isinstance(record, dict) or not isinstance(record.get(key), str):
            raise InvalidAnswer(f"{where}[{i}]: a {entry.id} record needs a string '{key}'")
    return tuple(value)


def _result_set(raw: Any, where: str, entry: EntryType, most: int) -> AnswerSet:
    item = _object(raw, where)
    set_id = item.get("id")
    if not isinstance(set_id, str) or not set_id:
        raise InvalidAnswer(f"{where}.id: required, a non-empty string")
    exists = item.get("exists")
    if not isinstance(exists, bool):
        raise InvalidAnswer(f"{where}.exists: required, true or false")
    set_type = item.get("setType", item.get("type", "dataset"))
    if not isinstance(set_type, str):
        raise InvalidAnswer(f"{where}.setType: expected a string")
    results = _records(item.get("results", []), f"{where}.results", entry)
    info = item.get("info", {})
    origin = item.get("beaconId")
    return AnswerSet(
        id=set_id,
        set_type=set_type,
        exists=exists,
        count=_count(item.get("resultsCount"), f"{where}.resultsCount", most, exists),
        results=results,
        info=_object(info, f"{where}.info"),
        beacon_id=origin if isinstance(origin, str) and origin else None,
    )


def _placeholder(raw: Any) -> bool:
    """The EGA network's stand-in for a member that did not answer: no id, nothing found."""
    return isinstance(raw, dict) and "id" not in raw and raw.get("exists") is False


def _shown_granularity(root: dict[str, Any]) -> Granularity:
    """The granularity of an answer that does not declare it, read from what it shows."""
    response = root.get("response")
    sets = response.get("resultSets") if isinstance(response, dict) else None
    if isinstance(response, dict) and "collections" in response:
        return Granularity.RECORD
    if isinstance(sets, list) and any(isinstance(s, dict) and s.get("results") for s in sets):
        return Granularity.RECORD
    summary = root.get("responseSummary")
    if isinstance(summary, dict) and summary.get("numTotalResults") is not None:
        return Granularity.COUNT
    return Granularity.BOOLEAN


def read_answer(
    body: Any, entry: EntryType, cacheable: bool = True, most: int = 10**12
) -> NodeAnswer:
    """Check a node's 200 body for a query on ``entry`` and pull out what the merge needs."""
    root = _object(body, "body")
    meta = _object(root.get("meta"), "meta")
    for key in _META_REQUIRED:
        if key not in meta:
            raise InvalidAnswer(f"meta.{key}: required")
    beacon_id = meta["beaconId"]
    if not isinstance(beacon_id, str) or not beacon_id:
        raise InvalidAnswer("meta.beaconId: expected a non-empty string")
    declared = meta.get("returnedGranularity")
    granularity = _shown_granularity(root) if declared is None else _GRANULARITIES.get(declared)
    if granularity is None:
        raise InvalidAnswer(
            f"meta.returnedGranularity: {declared!r} is not boolean, count or record"
        )
    returned = meta.get("returnedSchemas", [])
    if not isinstance(returned, list):
        raise InvalidAnswer("meta.returnedSchemas: expected an array")
    for i, ref in enumerate(returned):
        kind = ref.get("entityType") if isinstance(ref, dict) else None
        if kind is not None and kind not in (entry.id, entry.path, entry.name):
            raise InvalidAnswer(
                f"meta.returnedSchemas[{i}].entityType: {kind!r} answers a query for {entry.id}"
            )
    summary = _object(root.get("responseSummary"), "responseSummary")
    exists = summary.get("exists")
    if not isinstance(exists, bool):
        raise InvalidAnswer("responseSummary.exists: required, true or false")
    count = _count(summary.get("numTotalResults"), "responseSummary.numTotalResults", most, exists)
    if granularity is Granularity.COUNT and count is None:
        raise InvalidAnswer("responseSummary.numTotalResults: required in a count response")
    if granularity is Granularity.BOOLEAN:
        count = None  # a boolean answer carries no count, whatever else it says
    result_sets: tuple[AnswerSet, ...] = ()
    collections = None
    if granularity is Granularity.RECORD:
        response = _object(root.get("response"), "response")
        if "collections" in response:
            if not entry.is_collection:
                raise InvalidAnswer(f"response.collections: {entry.path} are not collections")
            collections = _records(response["collections"], "response.collections", entry)
        elif "resultSets" in response:
            raw_sets = response["resultSets"]
            if not isinstance(raw_sets, list):
                raise InvalidAnswer("response.resultSets: expected an array")
            result_sets = tuple(
                _result_set(s, f"response.resultSets[{i}]", entry, most)
                for i, s in enumerate(raw_sets)
                if not _placeholder(s)
            )
        else:
            raise InvalidAnswer("response: a record answer needs resultSets or collections")
    return NodeAnswer(
        beacon_id=beacon_id,
        granularity=granularity,
        exists=exists,
        count=count,
        result_sets=result_sets,
        collections=collections,
        cacheable=cacheable,
        info=root["info"] if isinstance(root.get("info"), dict) else {},
    )


def error_message(body: Any) -> str:
    """The ``error.errorMessage`` of a Beacon error body, or '' when there is none."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("errorMessage")
        if isinstance(message, str):
            return message[:300]
    return ""
