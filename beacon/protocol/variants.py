"""Genomic variant query parameters and the query kind they select (SPEC.md §4).

The kind is inferred from which parameters are present, exactly as the spec describes the
combinations. Combinations the spec does not define are rejected with a 400 rather than guessed.
Coordinates are Beacon's: 0-based, half-open.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

from beacon.protocol import genome
from beacon.protocol.errors import BadRequest


@dataclass(frozen=True)
class VariantParams:
    """The variant request parameters as received (typed, not yet interpreted)."""

    reference_name: str | None = None
    start: tuple[int, ...] = ()
    end: tuple[int, ...] = ()
    reference_bases: str | None = None
    alternate_bases: str | None = None
    variant_type: str | None = None
    variant_min_length: int | None = None
    variant_max_length: int | None = None
    gene_id: str | None = None
    aminoacid_change: str | None = None
    genomic_allele_short_form: str | None = None
    assembly_id: str | None = None
    mate_name: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, ()) for f in fields(self))


class QueryKind(enum.Enum):
    SEQUENCE = "sequence"
    RANGE = "range"
    BRACKET = "bracket"
    GENE = "geneId"
    AMINOACID = "aminoacidChange"
    HGVS = "genomicAlleleShortForm"
    #: Only ``assemblyId``: every variant of the datasets on that assembly.
    ASSEMBLY = "assemblyId"


@dataclass(frozen=True)
class VariantQuery:
    """A classified variant query with the chromosome and assemblies resolved."""

    kind: QueryKind
    params: VariantParams
    chrom: str | None = None
    #: Assemblies the query can match: narrowed by a versioned accession and by ``assemblyId``.
    assemblies: tuple[str, ...] = genome.ASSEMBLIES


_ANCHORS = "referenceName with start, geneId, aminoacidChange or genomicAlleleShortForm"


def _assemblies(params: VariantParams, implied: tuple[str, ...]) -> tuple[str, ...]:
    if params.assembly_id is None:
        return implied
    assembly = genome.normalise_assembly(params.assembly_id)
    if assembly is None:
        raise BadRequest(
            f"parameter 'assemblyId': {params.assembly_id!r} is not a known assembly; "
            "use GRCh37 or GRCh38 (aliases hg19, hg38, GRCh38.p14, GCF_000001405.40 ...)",
            parameter="assemblyId",
        )
    if assembly not in implied:
        raise BadRequest(
            f"parameters 'assemblyId' and 'referenceName' disagree: {params.reference_name} "
            f"is a {implied[0]} sequence, not {assembly}",
            parameter="assemblyId",
        )
    return (assembly,)


def _positions(params: VariantParams) -> QueryKind:
    start, end = params.start, params.end
    if len(start) == 1 and not end:
        if params.alternate_bases is None:
            raise BadRequest(
                "parameter 'start' without 'end' is a sequence query and needs 'alternateBases' "
                "(give 'end' for a range query)",
                parameter="alternateBases",
            )
        return QueryKind.SEQUENCE
    if len(start) == 1 and len(end) == 1:
        if end[0] <= start[0]:
            raise BadRequest(
                f"parameter 'end': {end[0]} must be greater than start {start[0]} "
                "(coordinates are 0-based, half-open)",
                parameter="end",
            )
        return QueryKind.RANGE
    if len(start) == 2 and len(end) == 2:
        if start[0] > start[1] or end[0] > end[1]:
            raise BadRequest(
                "parameters 'start' and 'end': bracket bounds must be in ascending order "
                "(start=min,max and end=min,max)",
                parameter="start",
            )
        return QueryKind.BRACKET
    raise BadRequest(
        f"parameters 'start' ({len(start)} value(s)) and 'end' ({len(end)} value(s)): use one "
        "start (sequence query), one start and one end (range), or two of each (bracket)",
        parameter="start",
    )


def classify(params: VariantParams) -> VariantQuery:
    """Decide the query kind and resolve the chromosome; 400 for combinations the spec lacks."""
    if params.genomic_allele_short_form is not None:
        extra = [
            name
            for name, value in (
                ("referenceName", params.reference_name),
                ("start", params.start),
                ("end", params.end),
                ("referenceBases", params.reference_bases),
                ("alternateBases", params.alternate_bases),
            )
            if value not in (None, ())
        ]
        if extra:
            raise BadRequest(
                f"parameter '{extra[0]}' cannot be combined with 'genomicAlleleShortForm', "
                "which already names the allele",
                parameter=extra[0],
            )
        return VariantQuery(QueryKind.HGVS, params, None, _assemblies(params, genome.ASSEMBLIES))
    if params.reference_name is not None or params.start or params.end:
        if params.reference_name is None:
            raise BadRequest(
                "parameter 'referenceName' is required with 'start'/'end'",
                parameter="referenceName",
            )
        if not params.start:
            raise BadRequest(
                "parameter 'start' is required with 'referenceName'", parameter="start"
            )
        resolved = genome.resolve(params.reference_name)
        if resolved is None:
            raise BadRequest(
                f"parameter 'referenceName': {params.reference_name!r} is not a chromosome of "
                "GRCh37 or GRCh38; use 1-22, X, Y, MT, chr-prefixed names or RefSeq accessions "
                "(NC_000001.11, refseq:NC_000001.11)",
                parameter="referenceName",
            )
        kind = _positions(params)
        return VariantQuery(kind, params, resolved.chrom, _assemblies(params, resolved.assemblies))
    if params.mate_name is not None:
        raise BadRequest(
            "parameter 'mateName' needs 'referenceName' and positions", parameter="mateName"
        )
    if params.gene_id is not None:
        return VariantQuery(QueryKind.GENE, params, None, _assemblies(params, genome.ASSEMBLIES))
    if params.aminoacid_change is not None:
        return VariantQuery(
            QueryKind.AMINOACID, params, None, _assemblies(params, genome.ASSEMBLIES)
        )
    given = [
        name
        for name, value in (
            ("referenceBases", params.reference_bases),
            ("alternateBases", params.alternate_bases),
            ("variantType", params.variant_type),
            ("variantMinLength", params.variant_min_length),
            ("variantMaxLength", params.variant_max_length),
        )
        if value is not None
    ]
    if given:
        raise BadRequest(
            f"parameter '{given[0]}' needs a variant to apply to: give {_ANCHORS}",
            parameter=given[0],
        )
    return VariantQuery(QueryKind.ASSEMBLY, params, None, _assemblies(params, genome.ASSEMBLIES))
