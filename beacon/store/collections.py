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
* A variant document is one allele stored lean: short typed fields for what queries and counts
  need (chromosome, start, end, bases, type, length, counts, indexed annotations), its carriers
  as compact packed sample indices (``store/carriers.py``), and its other annotations in
  compact forms. The Beacon record (VRS location, identifiers, frequencies ...) is rendered
  from them when it is read (``beacon/node/render.py``), never stored.
  Who-carries-what is also kept sample-first in ``sample_variants`` (per sample and block of
  the load's variant ordinals, the ordinals it carries, packed), so "which samples carry
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
    BINS = "bins"
    INDIVIDUALS = "individuals"
    BIOSAMPLES = "biosamples"
    RUNS = "runs"
    ANALYSES = "analyses"

    @property
    def group(self) -> str:
        return "variants" if self in VARIANT_ROLES else "metadata"


VARIANT_ROLES = (Role.G_VARIANTS, Role.SAMPLES, Role.SAMPLE_VARIANTS, Role.CARRIERS, Role.BINS)
METADATA_ROLES = (Role.INDIVIDUALS, Role.BIOSAMPLES, Role.RUNS, Role.ANALYSES)
ROLE_OF_PATH: dict[str, Role] = {
    "g_variants": Role.G_VARIANTS,
    "individuals": Role.INDIVIDUALS,
    "biosamples": Role.BIOSAMPLES,
    "runs": Role.RUNS,
    "analyses": Role.ANALYSES,
}


#: The shape of each load group's documents, stamped on every load the catalog publishes.
#: A node reads only loads of the layout it was built for: another layout (an older
#: ingester's, or a load from before loads were stamped, read as 0) is refused with a 503
#: asking for a reload, never read as if it had this shape (docs/design.md §5). Bump a group's
#: number whenever what its documents hold, or which collections it has, changes.
#: Variants 1: the lean variant document, per-load bins and the sample-first index of
#: variant ordinals. Metadata 0: as first written.
LAYOUTS: dict[str, int] = {"variants": 1, "metadata": 0}


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
#: In a load of ``CAT_LOADS``: the layout its documents were written in (``LAYOUTS``).
CAT_LAYOUT = "layout"

# variant documents (lean: docs/design.md §5). No datasetId (the collection is the dataset's).
# Canonical query fields, 0-based and half-open:
V_CHROM = "c"
V_START = "s"
V_END = "e"
V_REF = "r"
V_ALT = "a"  # the allele as written, symbolic (<DEL>) included; Beacon's alternateBases is not
V_TYPE = "t"  # canonical variant type (SNP, MNP, INS, DEL, INDEL, DUP, CNV, INV, BND ...)
V_LENGTH = "l"
V_MATE = "m"  # canonical chromosome of a breakend's mate
V_MATE_POS = "mp"  # the mate's 1-based position, as the breakend notation writes it
V_CARRIERS = "g"  # {"het": bytes, "hom": bytes, "hemi": bytes} packed sample indices
V_SPILLED = "sp"  # carriers too many to keep inline: see the carriers collection
#: {"one": bytes, "none": bytes}: the samples with one called allele and with none (packed),
#: the others having two; {} when every sample has two; absent when unknown (older loads,
#: polyploid calls, files whose samples are not the dataset's in order).
V_CALLS = "k"
#: {"ac", "an", "het", "hom", "hemi"}: counts over the dataset's samples; a zero carrier count
#: is left out, an unknown ac or an too.
V_COUNTS = "n"
V_ORDINAL = "o"  # the variant's number in its load: what the sample-first index stores
VARIANT_INTERNAL_ID = "i"  # the public id (``22-16050075-A-G``), checked by /g_variants/{id}
# Annotations: queried (indexed) ones, then the ones only rendered.
GENE_IDS = "gn"
AMINOACID_CHANGES = "aa"
HGVS_ID = "h"  # the genomic HGVS id, where one can be written without the reference
V_TRANSCRIPT_HGVS = "th"
V_PROTEIN_HGVS = "ph"
V_CLINVAR = "cv"
V_ALT_IDS = "x"  # ids of the VCF ID column as written (rs ids get ``dbSNP:`` when rendered)
#: Molecular effects: [id, label, id, label ...], or the Beacon objects when not that shape.
V_EFFECTS = "fx"
V_CLINICAL = "vl"  # clinicalInterpretations, as given
#: frequencyInPopulations other than the dataset's own block (rendered from the counts), each
#: block one string: source, sourceReference (empty when the same), then per row its
#: population and values (alleleFrequency, alleleCount, alleleNumber, ... an unknown one
#: empty) separated by spaces, all tab-separated; a block no string can say, as given.
#: ``beacon/store/documents.py`` (compact_block, population_block) is the rule.
V_POPULATIONS = "fp"
V_QUALITY = "q"  # variantQuality, as given

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

# bins (store/bins.py): per chromosome, chunks of bins of variants in genomic order
BIN_CHROM = "c"
BIN_CHUNK = "k"
BIN_STARTS = "p"  # packed int64: first start of each bin
BIN_MAX_ENDS = "e"  # packed int64: largest end in each bin
BIN_CLASSES = "a"  # packed uint32: bins x (classes + 1) variants per allele count class
BIN_SIZE = "size"  # meta document: variants per bin
BIN_AC_CLASSES = "classes"  # meta document: allele count classes
BIN_CHROMS = "chroms"  # meta document: the chromosomes that have bins

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
