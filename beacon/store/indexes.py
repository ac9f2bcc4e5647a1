"""Indexes per collection role, matched to the query shapes in ``beacon/node/query.py``.

Created by the ingester after a bulk load (building them once is far cheaper than maintaining
them row by row) and checked by tests with ``explain()``.
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from beacon.store import collections as c
from beacon.store.client import Database

# Stable, readable index names (they appear in explain() output and in operators' tools).
# Each query leads with the fields of one of these indexes alone (query.Match): the embedded
# engine scans the collection as soon as a match has a predicate outside the index.
POSITION = "variant_position"
GENES = "variant_genes"
AMINOACIDS = "variant_aminoacids"
HGVS = "variant_hgvs"
ORDINAL = "variant_ordinal"

TERMS = "record_terms"
DURATIONS = "record_durations"
TERMS_BY_ID = "filtering_terms_by_id"
TERMS_BY_TYPE = "filtering_terms_by_type"
#: Every metadata record: ontology filters hit _terms, age and duration filters _durations.
FILTERABLE = [
    IndexModel([(c.TERMS, ASCENDING)], name=TERMS),
    IndexModel([(f"{c.DURATIONS}.p", ASCENDING), (f"{c.DURATIONS}.d", ASCENDING)], name=DURATIONS),
]

INDEXES: dict[c.Role, list[IndexModel]] = {
    # One index serves sequence (chrom + start), range and bracket queries: equality on the
    # chromosome, then a tight range on start (the planner bounds it on the left by the
    # dataset's longest variant), end then filtered from what it finds; _id last so results
    # come out in genomic order without a blocking sort.
    c.Role.G_VARIANTS: [
        IndexModel(
            [
                (c.V_CHROM, ASCENDING),
                (c.V_START, ASCENDING),
                (c.V_END, ASCENDING),
                ("_id", ASCENDING),
            ],
            name=POSITION,
        ),
        # Annotations are absent from most variants of most files (no annotation, no HGVS id
        # for a symbolic allele): sparse indexes hold only the variants that have them, so an
        # unannotated load writes no index entries for them. Their queries are equalities
        # (and $in) on present values, which a sparse index answers completely.
        IndexModel([(c.GENE_IDS, ASCENDING)], name=GENES, sparse=True),
        IndexModel([(c.AMINOACID_CHANGES, ASCENDING)], name=AMINOACIDS, sparse=True),
        IndexModel([(c.HGVS_ID, ASCENDING)], name=HGVS, sparse=True),
        IndexModel([(c.TERMS, ASCENDING)], name=TERMS, sparse=True),
        # The variants a person carries are found by ordinal (the sample-first index).
        IndexModel([(c.V_ORDINAL, ASCENDING)], name=ORDINAL),
    ],
    c.Role.SAMPLES: [
        IndexModel([(c.S_BIOSAMPLE, ASCENDING)]),
        IndexModel([(c.S_INDIVIDUAL, ASCENDING)]),
    ],
    c.Role.SAMPLE_VARIANTS: [
        IndexModel([(c.SV_SAMPLE, ASCENDING), (c.SV_BASE, ASCENDING)]),
    ],
    c.Role.CARRIERS: [IndexModel([(c.C_VARIANT, ASCENDING), (c.C_CHUNK, ASCENDING)])],
    c.Role.BINS: [IndexModel([(c.BIN_CHROM, ASCENDING), (c.BIN_CHUNK, ASCENDING)])],
    c.Role.INDIVIDUALS: [IndexModel([(c.COHORT_IDS, ASCENDING)]), *FILTERABLE],
    c.Role.BIOSAMPLES: [IndexModel([(c.INDIVIDUAL_ID, ASCENDING)]), *FILTERABLE],
    c.Role.RUNS: [
        IndexModel([(c.BIOSAMPLE_ID, ASCENDING)]),
        IndexModel([(c.INDIVIDUAL_ID, ASCENDING)]),
        *FILTERABLE,
    ],
    c.Role.ANALYSES: [
        IndexModel([(c.RUN_ID, ASCENDING)]),
        IndexModel([(c.BIOSAMPLE_ID, ASCENDING)]),
        IndexModel([(c.INDIVIDUAL_ID, ASCENDING)]),
        *FILTERABLE,
    ],
}


async def ensure_indexes(db: Database, name: str, role: c.Role) -> None:
    """Create the role's indexes on collection ``name`` (idempotent)."""
    models = INDEXES[role]
    if models:
        await db[name].create_indexes(models)


async def ensure_global_indexes(db: Database) -> None:
    await db[c.COHORTS].create_indexes([IndexModel([(c.DATASET_ID, ASCENDING)]), *FILTERABLE])
    await db[c.DATASETS].create_indexes(FILTERABLE)
    await db[c.FILTERING_TERMS].create_indexes(
        [
            IndexModel([(c.FT_LOAD, ASCENDING), (c.FT_SCOPE, ASCENDING), ("id", ASCENDING)]),
            # what a filtered query reads of them (beacon/node/terms.py term_index)
            IndexModel([(c.FT_LOAD, ASCENDING), ("id", ASCENDING)], name=TERMS_BY_ID),
            IndexModel([(c.FT_LOAD, ASCENDING), ("type", ASCENDING)], name=TERMS_BY_TYPE),
        ]
    )
    await db[c.ONTOLOGY_TERMS].create_indexes([IndexModel([(c.OT_ANCESTORS, ASCENDING)])])
