"""The MongoDB contract: collection names and stored field names, spelled only here.

Layout (docs/design.md §5):

* Global collections: ``catalog`` (one document per dataset: its assembly and the collections
  of its active loads), ``datasets`` and ``cohorts`` (Beacon records), ``filtering_terms`` and
  ``ontology_terms``.
* Per dataset, each load writes its own collections, named ``d.<dataset>.<role>.<load>``.
  A load becomes visible in one single-document update of the catalog, after all its documents
  and indexes are written, so queries never see a half-done reload; the replaced collections
  are dropped after a grace period.
* Every document carries ``datasetId``. Metadata records keep their Beacon field names with
  ``_id`` = the record id. Helper fields the node adds start with ``_`` and never leave the node.
* A variant document is one allele with canonical, typed coordinates (``_chrom``, ``_start``,
  ``_end``, ``_ref``, ``_alt``, ``_type``, ``_len``) next to its Beacon record fields, precomputed
  counts, and its carriers as compact packed sample indices (``store/carriers.py``).
  Who-carries-what is also kept sample-first in ``sample_variants`` (per sample and block of
  the load's variant ordinals ``_o``, the ordinals it carries, packed), so "which samples carry
  this variant" and "which variants does this sample carry" are both indexed reads that never
  grow a document with the number of samples.
* ``budgets``, the one collection the node writes: a counter per caller and time window, shared
  by every process of the node (``store/budgets.py``).
"""

from __future__ import annotations

import enum
import re
from typing import Any

#: A MongoDB filter document (a condition on stored fields).
Condition = dict[str, Any]

CATALOG = "catalog"
DATASETS = "datasets"
COHORTS = "cohorts"
FILTERING_TERMS = "filtering_terms"
ONTOLOGY_TERMS = "ontology_terms"
ONTOLOGIES = "ontologies"
#: Loads being written, and replaced loads kept for running queries: what gc must not drop.
LOADS = "loads"
#: Query budgets, written by the node (every other collection is written by the ingester only).
BUDGETS = "budgets"

DATASET_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,79}$")


class Role(enum.Enum):
    """A per-dataset collection, and the load group that replaces it."""

    G_VARIANTS = "g_variants"
    SAMPLES = "samples"
    SAMPLE_VARIANTS = "sample_variants"
    CARRIERS = "carriers"
    INDIVIDUALS = "individuals"
    BIOSAMPLES = "biosamples"
    RUNS = "runs"
    ANALYSES = "analyses"

    @property
    def group(self) -> str:
        return "variants" if self in VARIANT_ROLES else "metadata"


VARIANT_ROLES = (Role.G_VARIANTS, Role.SAMPLES, Role.SAMPLE_VARIANTS, Role.CARRIERS)
METADATA_ROLES = (Role.INDIVIDUALS, Role.BIOSAMPLES, Role.RUNS, Role.ANALYSES)
ROLE_OF_PATH: dict[str, Role] = {
    "g_variants": Role.G_VARIANTS,
    "individuals": Role.INDIVIDUALS,
    "biosamples": Role.BIOSAMPLES,
    "runs": Role.RUNS,
    "analyses": Role.ANALYSES,
}


def collection_name(dataset_id: str, role: Role, load_id: str) -> str:
    return f"d.{dataset_id}.{role.value}.{load_id}"


def load_of(name: str) -> tuple[str, str] | None:
    """``d.<dataset>.<role>.<load>`` -> (dataset, load id); None for any other collection."""
    parts = name.split(".")
    if len(parts) != 4 or parts[0] != "d" or parts[2] not in _ROLE_VALUES:
        return None
    return parts[1], parts[3]


def is_valid_dataset_id(dataset_id: str) -> bool:
    return bool(DATASET_ID_PATTERN.match(dataset_id))


_ROLE_VALUES = frozenset(r.value for r in Role)

# Fields of every stored document.
DATASET_ID = "datasetId"
ID = "_id"

# catalog documents
CAT_ASSEMBLY = "assemblyId"
CAT_TEST = "testMode"
CAT_LOADS = "loads"
CAT_VERSION = "version"
CAT_UPDATED = "updated"
CAT_MAX_LENGTH = "maxVariantLength"

# variant documents: canonical query fields (0-based, half-open)
V_CHROM = "_chrom"
V_START = "_start"
V_END = "_end"
V_REF = "_ref"
V_ALT = "_alt"  # the allele as written, symbolic (<DEL>) included; Beacon's alternateBases is not
V_TYPE = "_type"  # canonical variant type (SNP, MNP, INS, DEL, INDEL, DUP, CNV, INV, BND ...)
V_LENGTH = "_len"
V_MATE = "_mate"  # canonical chromosome of a breakend's mate
V_CARRIERS = "_carriers"  # {"het": bytes, "hom": bytes, "hemi": bytes} packed sample indices
V_SPILLED = "_spilled"  # carriers too many to keep inline: see the carriers collection
#: {"one": bytes, "none": bytes}: the samples with one called allele and with none (packed),
#: the others having two; {} when every sample has two; absent when unknown (older loads,
#: polyploid calls, files whose samples are not the dataset's in order).
V_CALLS = "_calls"
V_COUNTS = "_counts"  # {"ac", "an", "het", "hom", "hemi", "carriers"}
V_ORDINAL = "_o"  # the variant's number in its load: what the sample-first index stores
VARIANT_INTERNAL_ID = "variantInternalId"
GENE_IDS = "molecularAttributes.geneIds"
AMINOACID_CHANGES = "molecularAttributes.aminoacidChanges"
HGVS_ID = "identifiers.genomicHGVSId"

# samples: one per sample column of the dataset's genotypes
S_BIOSAMPLE = "biosampleId"
S_INDIVIDUAL = "individualId"
S_VARIANTS = "nVariants"

# sample_variants: per sample and block of ordinals, the ordinals of the variants it carries
SV_SAMPLE = "s"
SV_BASE = "o"  # the block's first ordinal: the packed offsets count from it
SV_ORDINALS = "v"  # packed sorted offsets (store/carriers.py encode_ordinals)
#: The load's order table is kept beside, under this sample index: the ordinals (``v``, from
#: ``o``) whose genomic rank is not their own, and those ranks minus the ordinal (``g``).
SV_ORDER = -1
SV_RANKS = "g"

# carriers (spill): chunks of carriers of very common variants
C_VARIANT = "v"
C_CHUNK = "k"

# every record: what filters match
TERMS = "_terms"  # ontology term ids the record carries
DURATIONS = "_durations"  # [{"p": field path, "d": days}] for ISO 8601 durations

# filtering_terms: one document per (load, scope, term or field); Beacon fields plus helpers
FT_LOAD = "_load"
FT_SCOPE = "_scope"
FT_FIELDS = "_fields"
FT_KIND = "_kind"  # alphanumeric fields: number, string, duration, boolean
FT_COUNT = "_count"

# ontology_terms: one document per term of a loaded ontology
OT_LABEL = "label"
OT_PARENTS = "parents"
OT_ANCESTORS = "ancestors"  # the transitive closure of is_a, stored so descendants are one lookup
OT_ONTOLOGY = "ontology"

# budgets: one counter per (scope, caller, window); the only documents the node writes
B_COUNT = "n"
B_EXPIRES = "expires"  # when the window is over (a TTL index removes the document)

# metadata relations
BIOSAMPLE_ID = "biosampleId"
INDIVIDUAL_ID = "individualId"
RUN_ID = "runId"
COHORT_IDS = "_cohortIds"
