"""The entry types of the Beacon v2 default model: ids, paths, schemas and their relations.

One registry that routes, ``/map``, ``/configuration``, request parsing, response building and
the database layout all read, so an entry type is described in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEC_VERSION = "v2.1.1"
#: Absolute, resolvable location of the default-model schemas of the spec version we follow.
#: Pinned to the release tag: the schemas' own ``main`` URLs move with every upstream merge.
SCHEMA_BASE_URL = (
    "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/"
    f"{SPEC_VERSION}/models/json/beacon-v2-default-model"
)
FRAMEWORK_BASE_URL = (
    f"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/{SPEC_VERSION}/framework/json"
)


@dataclass(frozen=True)
class EntryType:
    """One entry type: how it is named on the wire, in URLs, in schemas and in the database."""

    id: str  # singular camelCase id used in configuration and returnedSchemas
    path: str  # URL path element
    name: str
    description: str
    schema_dir: str  # directory of its defaultSchema.json in the default model
    schema_name: str
    ontology_id: str
    ontology_label: str
    collection_of: str | None = None  # set for datasets and cohorts
    #: Stored per dataset (variants, individuals, ...) or globally (datasets, cohorts)?
    per_dataset: bool = True

    @property
    def schema_id(self) -> str:
        """The id clients name in ``requestedSchemas`` (``ga4gh-beacon-<x>-v2.1.1``)."""
        short = {"genomicVariant": "variant"}.get(self.id, self.id)
        return f"ga4gh-beacon-{short}-{SPEC_VERSION}"

    @property
    def schema_url(self) -> str:
        return f"{SCHEMA_BASE_URL}/{self.schema_dir}/defaultSchema.json"

    @property
    def is_collection(self) -> bool:
        return self.collection_of is not None


ANALYSES = EntryType(
    id="analysis",
    path="analyses",
    name="Bioinformatics analysis",
    description="Apply analytical methods to existing data of a specific type.",
    schema_dir="analyses",
    schema_name="Default schema for a bioinformatics analysis",
    ontology_id="edam:operation_2945",
    ontology_label="Analysis",
)
BIOSAMPLES = EntryType(
    id="biosample",
    path="biosamples",
    name="Biological Sample",
    description="Any material sample taken from a biological entity for testing, diagnostic, "
    "propagation, treatment or research purposes.",
    schema_dir="biosamples",
    schema_name="Default schema for a biological sample",
    ontology_id="NCIT:C70699",
    ontology_label="Biospecimen",
)
COHORTS = EntryType(
    id="cohort",
    path="cohorts",
    name="Cohort",
    description="A group of individuals, identified by a common characteristic.",
    schema_dir="cohorts",
    schema_name="Default schema for cohorts",
    ontology_id="NCIT:C61512",
    ontology_label="Cohort",
    collection_of="individual",
    per_dataset=False,
)
DATASETS = EntryType(
    id="dataset",
    path="datasets",
    name="Dataset",
    description="A collection of related sets of information, e.g. genomic variations together "
    "with associated procedural and biological metadata.",
    schema_dir="datasets",
    schema_name="Default schema for datasets",
    ontology_id="NCIT:C47824",
    ontology_label="Data set",
    collection_of="genomicVariant",
    per_dataset=False,
)
G_VARIANTS = EntryType(
    id="genomicVariant",
    path="g_variants",
    name="Genomic Variants",
    description="The location of a sequence variation, observed in the samples of a dataset.",
    schema_dir="genomicVariations",
    schema_name="Default schema for a genomic variation",
    ontology_id="ENSGLOSSARY:0000092",
    ontology_label="Variant",
)
INDIVIDUALS = EntryType(
    id="individual",
    path="individuals",
    name="Individual",
    description="A human being. It could be a patient, a tissue donor, a participant, "
    "a human research subject, etc.",
    schema_dir="individuals",
    schema_name="Default schema for an individual",
    ontology_id="NCIT:C25190",
    ontology_label="Person",
)
RUNS = EntryType(
    id="run",
    path="runs",
    name="Sequencing run",
    description="The valid and completed operation of a high-throughput sequencing instrument "
    "for a single sequencing process.",
    schema_dir="runs",
    schema_name="Default schema for a sequencing run",
    ontology_id="NCIT:C148088",
    ontology_label="Sequencing run",
)

ENTRY_TYPES: tuple[EntryType, ...] = (
    ANALYSES,
    BIOSAMPLES,
    COHORTS,
    DATASETS,
    G_VARIANTS,
    INDIVIDUALS,
    RUNS,
)
BY_PATH: dict[str, EntryType] = {e.path: e for e in ENTRY_TYPES}
BY_ID: dict[str, EntryType] = {e.id: e for e in ENTRY_TYPES}

#: The spec's cross-entry endpoints ``/{source}/{id}/{target}`` (the official Beacon v2
#: default model's endpoints.json and beaconMap.json), plus ``filtering_terms`` where listed.
CROSS_TARGETS: dict[str, tuple[str, ...]] = {
    "analyses": ("g_variants",),
    "biosamples": ("g_variants", "analyses", "runs"),
    "cohorts": ("individuals", "analyses", "biosamples", "g_variants", "runs"),
    "datasets": ("g_variants", "individuals", "biosamples", "analyses", "runs"),
    "g_variants": ("biosamples", "individuals", "analyses", "runs"),
    "individuals": ("g_variants", "biosamples", "analyses", "runs"),
    "runs": ("analyses", "g_variants"),
}


def lookup_id(name: str) -> EntryType | None:
    """Find an entry type by any spelling clients use: id, path, or plural/singular forms."""
    key = name.strip()
    if key in BY_ID:
        return BY_ID[key]
    if key in BY_PATH:
        return BY_PATH[key]
    aliases = {
        "genomicVariation": G_VARIANTS,
        "genomicVariations": G_VARIANTS,
        "g_variant": G_VARIANTS,
        "variant": G_VARIANTS,
        "variants": G_VARIANTS,
    }
    if key in aliases:
        return aliases[key]
    lowered = key.lower()
    for e in ENTRY_TYPES:
        if lowered in (e.id.lower(), e.path.lower()):
            return e
    return None
