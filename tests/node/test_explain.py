"""Every query shape the node sends is answered from an index (explain shows IXSCAN)."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.node import query_variants, terms
from beacon.node.query import Match
from beacon.protocol.variants import VariantParams, classify
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database


def stages(plan: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(plan, dict):
        if isinstance(plan.get("stage"), str):
            found.add(plan["stage"])
        for value in plan.values():
            found |= stages(value)
    elif isinstance(plan, list):
        for item in plan:
            found |= stages(item)
    return found


async def winning_stages(db: Database, collection: str, match: Match) -> set[str]:
    """Stages of the plan the server picks for the match as the executor sends it."""
    command = {"aggregate": collection, "pipeline": match.stages(), "cursor": {}}
    explained = await db.command({"explain": command, "verbosity": "queryPlanner"})
    planner = explained.get("queryPlanner") or explained["stages"][0]["$cursor"]["queryPlanner"]
    return stages(planner["winningPlan"])


VARIANT_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("sequence", {"reference_name": "17", "start": (7577120,), "alternate_bases": "A"}),
    (
        "trimmed sequence",
        {"reference_name": "17", "start": (1000,), "reference_bases": "T", "alternate_bases": ""},
    ),
    ("range", {"reference_name": "17", "start": (0,), "end": (10000,)}),
    (
        "range with type and length",
        {
            "reference_name": "17",
            "start": (0,),
            "end": (10000,),
            "variant_type": "DEL",
            "variant_min_length": 1,
        },
    ),
    ("bracket", {"reference_name": "17", "start": (4990000, 5010000), "end": (5090000, 5110000)}),
    ("gene", {"gene_id": "TP53"}),
    ("amino acid", {"aminoacid_change": "R273H"}),
    ("hgvs", {"genomic_allele_short_form": "NC_000017.11:g.7577121G>A"}),
]


@pytest.mark.parametrize(("name", "given"), VARIANT_QUERIES, ids=[v[0] for v in VARIANT_QUERIES])
async def test_variant_queries_use_an_index(
    checklist: Database, name: str, given: dict[str, Any]
) -> None:
    entry = await catalog.get(checklist, "ds2")
    assert entry is not None
    collection = entry.collection(c.Role.G_VARIANTS)
    assert collection is not None
    built = query_variants.build(classify(VariantParams(**given)), entry.max_length)
    found = await winning_stages(checklist, collection, Match(built.lead, built.rest))
    assert "IXSCAN" in found, (name, found)
    assert "COLLSCAN" not in found, (name, found)


LOOKUPS: list[tuple[c.Role, dict[str, Any]]] = [
    (c.Role.G_VARIANTS, {"_id": 1}),
    (c.Role.G_VARIANTS, {c.V_ORDINAL: {"$in": [0, 1]}}),
    (c.Role.SAMPLES, {c.S_BIOSAMPLE: {"$in": ["bs1"]}}),
    (c.Role.SAMPLES, {c.S_INDIVIDUAL: {"$in": ["ind1"]}}),
    (c.Role.SAMPLE_VARIANTS, {c.SV_SAMPLE: {"$in": [0]}}),
    (c.Role.SAMPLE_VARIANTS, {c.SV_SAMPLE: c.SV_ORDER}),
    (c.Role.CARRIERS, {c.C_VARIANT: {"$in": [1]}}),
    (c.Role.BIOSAMPLES, {c.INDIVIDUAL_ID: "ind1"}),
    (c.Role.RUNS, {c.BIOSAMPLE_ID: "bs1"}),
    (c.Role.ANALYSES, {c.RUN_ID: "run1"}),
    (c.Role.INDIVIDUALS, {c.COHORT_IDS: "co1"}),
]


@pytest.mark.parametrize(
    ("role", "flt"), LOOKUPS, ids=[f"{r.value}-{next(iter(f))}" for r, f in LOOKUPS]
)
async def test_relation_lookups_use_an_index(
    checklist: Database, role: c.Role, flt: dict[str, Any]
) -> None:
    entry = await catalog.get(checklist, "ds1")
    assert entry is not None
    collection = entry.collection(role)
    assert collection is not None
    # the executor sends these lookups as the lead of their match
    found = await winning_stages(checklist, collection, Match(flt))
    assert found & {"IXSCAN", "IDHACK", "EXPRESS_IXSCAN", "CLUSTERED_IXSCAN"}, (role, found)
    assert "COLLSCAN" not in found, (role, found)


@pytest.mark.parametrize("read", ["by id", "by type"])
async def test_the_filtering_terms_a_filtered_query_reads_use_an_index(
    checklist: Database, read: str
) -> None:
    entries = [e for e in [await catalog.get(checklist, d) for d in ("ds1", "ds2")] if e]
    loads = terms.load_ids(entries)
    assert loads
    for load in loads:
        flt = terms.by_id(load, ["NCIT:C20197", "x"]) if read == "by id" else terms.by_type(load)
        explained = await checklist.command(
            {"explain": {"find": c.FILTERING_TERMS, "filter": flt}, "verbosity": "queryPlanner"}
        )
        found = stages(explained["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in found, (read, found)
        assert "COLLSCAN" not in found, (read, found)
