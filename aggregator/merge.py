"""Node outcomes -> the network's answer. Pure: no I/O, no clock, table-tested.

The rules (docs/design.md §6):

- ``exists`` is the OR over the nodes that answered.
- ``returnedGranularity`` is never higher than what was requested, nor than the lowest
  granularity among the contributing nodes: those with a hit (or, when nobody has one, all that
  answered). A node saying "no" contributes no data, so it does not drag a "yes" down. When the
  network answer is less detailed than a node's, the detail is dropped: record data never
  appears in a count or boolean response.
- ``numTotalResults`` is the sum of the node totals. A node with a hit but no total (a boolean
  answer, or a record answer without counts) makes the sum a lower bound: it counts as 1 and
  ``info.countIsLowerBound`` is true (so does a node saying a match exists with a count of 0,
  as nodes do for datasets the caller may see at boolean level only). When a node rounded or
  adjusted a count (``countPrecision``), the network's ``info.countPrecision`` is
  ``imprecise``. When the network answer is boolean only because some node
  answered boolean, the sum of the counts the other nodes gave is kept in ``info``.
- One result set per node and dataset, with the dataset's own id (what catalogues such as the
  GDI User Portal's match) and the beacon it comes from as a top-level ``beaconId`` (the
  ELIXIR and EGA networks' convention, which the EGA UI groups by), also in ``info`` beside
  ``info.nodeId``: the pair (beaconId, id) is what is unique in a network. /datasets and
  /cohorts records carry the same. A set from a member that is itself a network keeps its
  origin's beaconId, and its ``nodeId`` is the path ``<nodeId>:<its nodeId>``. A client
  addresses one node's dataset or record as ``<nodeId>:<id>`` (``fanout.targets``).
- Pagination is per node: ``skip``/``limit`` go to every node unchanged, so page *n* of the
  network is page *n* of each node's result sets, in registry order.
- Every node's status (ok, timeout, error, invalid, skipped with the reason) is listed in
  ``info.nodes``. Failed nodes are never read as "no". When nodes were asked and none answered,
  the answer is a 503 error that still lists them (a 4xx if every node refused the
  request itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aggregator.outcome import AnswerSet, NodeOutcome, Status
from beacon.protocol import response as r
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest

PAGINATION = (
    "skip and limit apply to each node separately: page n of the network is page n of every "
    "node's result sets, listed in registry order"
)


@dataclass(frozen=True)
class Merged:
    status: int
    body: dict[str, Any]


def _provenance(
    info: Any, outcome: NodeOutcome, member: str, own: Any
) -> tuple[str, dict[str, Any]]:
    """(the origin's beaconId, ``info`` with ``beaconId`` and ``nodeId``) of a set or record.

    ``member`` is the beaconId the node answered with, ``own`` the set's own top-level one.
    When they differ, the member is a network and the set comes from one of its members: its
    origin is kept, and the node path grows (``<nodeId>:<its nodeId>``), so that the id
    ``<nodeId>:<its nodeId>:<datasetId>`` reaches that dataset through both networks.
    """
    base = dict(info) if isinstance(info, dict) else {}
    origin, path = member, outcome.node_id
    if isinstance(own, str) and own and own != member:
        origin = own
        inner = base.get("nodeId")
        if isinstance(inner, str) and inner:
            path = f"{outcome.node_id}:{inner}"
    base.update({"beaconId": origin, "nodeId": path})
    return origin, base


def _result_set(outcome: NodeOutcome, beacon_id: str, answer_set: AnswerSet) -> r.ResultSet:
    origin, info = _provenance(answer_set.info, outcome, beacon_id, answer_set.beacon_id)
    count = answer_set.count
    if count is None:  # a 2.2-style set without a count: what we saw is a lower bound
        count = max(len(answer_set.results), 1 if answer_set.exists else 0)
        info["resultsCountIsLowerBound"] = True
    return r.ResultSet(
        id=answer_set.id,
        set_type=answer_set.set_type,
        exists=answer_set.exists,
        count=count,
        results=answer_set.results,
        info=info,
        beacon_id=origin,
    )


def _collections(oks: Sequence[NodeOutcome]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for outcome in oks:
        answer = outcome.answer
        assert answer is not None
        own = answer.collections
        if own is None:  # some nodes list datasets as result sets
            own = tuple(rec for s in answer.result_sets for rec in s.results)
        for record in own:
            origin, info = _provenance(
                record.get("info"), outcome, answer.beacon_id, record.get("beaconId")
            )
            records.append({**record, "beaconId": origin, "info": info})
    return records


def _total(oks: Sequence[NodeOutcome]) -> tuple[int, bool]:
    """(sum of node totals, whether it is only a lower bound)."""
    total = 0
    lower = False
    for outcome in oks:
        assert outcome.answer is not None
        count, exact = outcome.answer.total()
        total += count
        lower = lower or not exact
    return total, lower


def unavailable(
    request: BeaconRequest, outcomes: Sequence[NodeOutcome], beacon_id: str, default: Granularity
) -> Merged:
    """Nodes were asked and none answered: a 503 that still says what each node did (or the
    nodes' common 4xx when every one of them refused the request itself)."""
    meta = r.response_meta(
        beacon_id, r.request_summary(request, default), default, None, request.test_mode
    )
    failed = [o for o in outcomes if o.failed]
    problems = "; ".join(
        f"{o.node_id}: {o.status.value}" + (f" ({o.reason})" if o.reason else "") for o in failed
    )
    codes = {o.http_status for o in failed}
    if all(o.status is Status.ERROR for o in failed) and all(
        c is not None and 400 <= c < 500 and c != 429 for c in codes
    ):
        # Every node refused the request itself: that is the client's answer, not an outage.
        status = codes.pop() if len(codes) == 1 else 400
        message = f"every node refused the request: {problems}"
    else:
        status, message = 503, f"no node of the network answered: {problems}"
    body = r.error_response(meta, status or 400, message)
    body["info"] = {"nodes": [o.as_json() for o in outcomes]}
    return Merged(status or 400, body)


def merge(
    request: BeaconRequest,
    outcomes: Sequence[NodeOutcome],
    beacon_id: str,
    default: Granularity,
    extra_info: dict[str, Any] | None = None,
) -> Merged:
    """The network's response to ``request`` from the outcome of every node."""
    requested = request.requested_granularity or default
    oks = [o for o in outcomes if o.status is Status.OK and o.answer is not None]
    if not oks and any(o.failed for o in outcomes):
        return unavailable(request, outcomes, beacon_id, default)
    answers = [(o, o.answer) for o in oks if o.answer is not None]
    positive = [a for _, a in answers if a.exists]
    basis = positive or [a for _, a in answers]
    returned = min((requested, *(a.granularity for a in basis)), key=lambda g: g.rank)
    exists = bool(positive)
    total, lower = _total(oks)
    info: dict[str, Any] = {
        "nodes": [o.as_json() for o in outcomes],
        "countIsLowerBound": lower,
        "pagination": PAGINATION,
    }
    if any(a.imprecise() for _, a in answers):
        info["countPrecision"] = "imprecise"  # a sum over rounded or adjusted counts
    if returned is Granularity.BOOLEAN and requested is not Granularity.BOOLEAN:
        counted = [a for _, a in answers if a.granularity is not Granularity.BOOLEAN]
        if counted:
            info["numTotalResults"] = total
    info.update(extra_info or {})
    route = request.route
    entry = route.entry
    meta = r.response_meta(
        beacon_id, r.request_summary(request, default), returned, entry, request.test_mode
    )
    if returned is not Granularity.RECORD:
        return Merged(200, r.data_response(meta, returned, exists, total, None, info))
    if entry.is_collection and route.record_id is None and route.source is None:
        records = _collections(oks)
        return Merged(200, r.collections_response(meta, exists, total, records, info))
    result_sets = [
        _result_set(outcome, answer.beacon_id, answer_set)
        for outcome, answer in answers
        if answer.granularity is Granularity.RECORD
        for answer_set in answer.result_sets
    ]
    return Merged(200, r.data_response(meta, returned, exists, total, result_sets, info))
