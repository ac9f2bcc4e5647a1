"""Genomic variant query parameters and the query kind they select (docs/design.md §1).

The kind is inferred from which parameters are present, exactly as the spec describes the
combinations. Combinations the spec does not define are rejected with a 400 rather than guessed.
Coordinates are Beacon's: 0-based, half-open.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, fields, replace

from beacon.protocol import genome, protein
from beacon.protocol.alleles import Fetch, TooFar, left_align, trim
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


#: A variant of this many bases or more is structural, the usual convention (dbVar, gnomAD-SV);
#: so is every symbolic allele (``<DEL>``, ``<CN0>``, ``<INS:ME:ALU>`` ...), whatever its length.
SV_LENGTH = 50


class Size(enum.Enum):
    """Which alleles of a stored type a term covers."""

    ANY = "any"
    SMALL = "small"  # a sequence allele shorter than SV_LENGTH
    STRUCTURAL = "structural"  # SV_LENGTH bases or more, or symbolic


@dataclass(frozen=True)
class TypeClass:
    """A stored variant type (``_type``), limited to a size class."""

    type: str
    size: Size = Size.ANY


def _classes(*types: str, size: Size = Size.ANY) -> tuple[TypeClass, ...]:
    return tuple(TypeClass(t, size) for t in types)


_LOSS = _classes("DEL", size=Size.STRUCTURAL)
_GAIN = _classes("DUP", size=Size.STRUCTURAL)
_COPY_NUMBER = (TypeClass("CNV"), *_LOSS, *_GAIN)
#: ``variantType`` terms (upper-cased) and the variant classes they stand for: VCF-style names,
#: Sequence Ontology terms and the EFO copy-number terms, following their hierarchies. A
#: sequence deletion (SO:0000159, ``DEL``) is any deletion; a copy-number loss (EFO:0030067 and
#: its children, SO:0001743) is a structural one, a gain (EFO:0030070 and children, SO:0001742)
#: a structural duplication, and a copy-number variation (EFO:0030066, SO:0001019, ``CNV``)
#: either, or a ``<CNV>`` of no known direction. ``INDEL`` is a small insertion or deletion;
#: ``SV`` (SO:0001537) every structural variant.
TYPE_TERMS: dict[str, tuple[TypeClass, ...]] = {
    "SNP": _classes("SNP"),
    "SNV": _classes("SNP"),
    "SO:0001483": _classes("SNP"),
    "SO:0000694": _classes("SNP"),
    "MNP": _classes("MNP"),
    "MNV": _classes("MNP"),
    "SO:0002007": _classes("MNP"),
    "INS": _classes("INS"),
    "SO:0000667": _classes("INS"),
    "DEL": _classes("DEL"),
    "SO:0000159": _classes("DEL"),
    **dict.fromkeys(
        ("EFO:0030067", "EFO:0030068", "EFO:0020073", "EFO:0030069", "SO:0001743"), _LOSS
    ),
    "INDEL": _classes("INS", "DEL", "INDEL", size=Size.SMALL),
    "DELINS": _classes("INDEL"),
    "SO:1000032": _classes("INDEL"),
    "DUP": _classes("DUP"),
    "SO:1000035": _classes("DUP"),
    **dict.fromkeys(
        ("EFO:0030070", "EFO:0030071", "EFO:0030072", "EFO:0030073", "SO:0001742"), _GAIN
    ),
    "CNV": _COPY_NUMBER,
    "SO:0001019": _COPY_NUMBER,
    "EFO:0030066": _COPY_NUMBER,
    "INV": _classes("INV"),
    "SO:1000036": _classes("INV"),
    "BND": _classes("BND"),
    "TRA": _classes("BND"),
    "SO:0000199": _classes("BND"),
    **dict.fromkeys(
        ("SV", "SO:0001537"),
        (
            *_classes("INS", "DEL", "INDEL", "MNP", size=Size.STRUCTURAL),
            *_classes("DUP", "CNV", "INV", "BND"),
        ),
    ),
}


def variant_types(term: str) -> tuple[TypeClass, ...]:
    """The stored types a ``variantType`` term stands for (case-insensitive: VRS uses ``efo:``)."""
    found = TYPE_TERMS.get(term.strip().upper())
    if found is None:
        raise BadRequest(
            f"parameter 'variantType': {term!r} is not a known variant type; use one of "
            + ", ".join(sorted(k for k in TYPE_TERMS if ":" not in k))
            + " or an SO/EFO term such as SO:0000159 or EFO:0030067",
            parameter="variantType",
        )
    return found


_HGVS_KEYWORDS = re.compile(r"(DELINS|DEL|INS|DUP|INV)")


def hgvs_candidates(text: str, assemblies: tuple[str, ...]) -> tuple[str, ...]:
    """``17:g.7577121G>A`` / ``chr17:...`` / ``refseq:NC_...`` -> the stored ``NC_...:g.`` forms."""
    value = text.strip().replace(" ", "")
    prefix, sep, rest = value.partition(":g.")
    if not sep or not rest:
        raise BadRequest(
            f"parameter 'genomicAlleleShortForm': {text!r} is not a genomic HGVS expression "
            "like NC_000017.11:g.7577121G>A",
            parameter="genomicAlleleShortForm",
        )
    resolved = genome.resolve(prefix)
    if resolved is None:
        raise BadRequest(
            f"parameter 'genomicAlleleShortForm': {prefix!r} is not a chromosome or RefSeq "
            "accession of GRCh37 or GRCh38",
            parameter="genomicAlleleShortForm",
        )
    builds = [a for a in resolved.assemblies if a in assemblies]
    # Bases are upper case and edit keywords lower case, as HGVS writes them.
    body = _HGVS_KEYWORDS.sub(lambda m: m.group(1).lower(), rest.upper())
    return tuple(sorted({f"{genome.contig(a, resolved.chrom).refseq}:g.{body}" for a in builds}))


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
    #: The variant classes ``variantType`` stands for (empty: any).
    types: tuple[TypeClass, ...] = ()
    #: The canonical chromosome ``mateName`` names.
    mate: str | None = None
    #: The stored forms a ``genomicAlleleShortForm`` query matches.
    hgvs: tuple[str, ...] = ()
    #: A sequence query's (start, referenceBases, alternateBases) in the stored, trimmed form.
    allele: tuple[int, str, str] | None = None
    #: (assembly, allele) left-aligned against that assembly's reference (``left_aligned``).
    aligned: tuple[tuple[str, tuple[int, str, str]], ...] = ()
    #: The stored spellings an ``aminoacidChange`` matches (``protein.query_forms``).
    aminoacid: tuple[str, ...] = ()

    def allele_for(self, assembly: str | None) -> tuple[int, str, str] | None:
        """The queried allele as a dataset of ``assembly`` stores it."""
        return dict(self.aligned).get(assembly or "", self.allele)


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


def _within_chromosome(params: VariantParams, chrom: str, assemblies: tuple[str, ...]) -> None:
    """Where the assembly is known (``assemblyId``, a versioned accession), positions past the
    chromosome's end are a 400; ``22`` alone may be either assembly, and a range may then reach
    past either end (``end=999999999`` for "to the end")."""
    if len(assemblies) != 1:
        return
    length = genome.contig(assemblies[0], chrom).length
    for name, values in (("start", params.start), ("end", params.end)):
        if values and max(values) > length:
            raise BadRequest(
                f"parameter '{name}': {max(values)} is past the end of chromosome {chrom} "
                f"({length:,} bases in {assemblies[0]})",
                parameter=name,
            )


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
    """The query kind and every name in it resolved (chromosome, assemblies, variant types,
    mate, HGVS forms): each check that depends on the parameters alone, so that a bad query is
    the same 400 whatever data it would meet."""
    query = _kind(params)
    if params.variant_type is not None:
        query = replace(query, types=variant_types(params.variant_type))
    if params.mate_name is not None:
        mate = genome.resolve(params.mate_name)
        if mate is None:
            raise BadRequest(
                f"parameter 'mateName': {params.mate_name!r} is not a chromosome",
                parameter="mateName",
            )
        both = tuple(a for a in query.assemblies if a in mate.assemblies)
        if not both:  # a versioned accession of the other build: no variant can match
            raise BadRequest(
                f"parameter 'mateName': {params.mate_name} is a {mate.assemblies[0]} sequence, "
                f"but the query is on {', '.join(query.assemblies)}",
                parameter="mateName",
            )
        query = replace(query, mate=mate.chrom, assemblies=both)
    if query.kind is QueryKind.HGVS:
        text = params.genomic_allele_short_form or ""
        query = replace(query, hgvs=hgvs_candidates(text, query.assemblies))
    if query.kind is QueryKind.SEQUENCE:
        query = replace(query, allele=_allele(params))
    if params.aminoacid_change is not None:
        query = replace(query, aminoacid=protein.query_forms(params.aminoacid_change))
    low, high = params.variant_min_length, params.variant_max_length
    if low is not None and high is not None and low > high:
        raise BadRequest(
            f"parameter 'variantMinLength': {low} is above variantMaxLength {high}",
            parameter="variantMinLength",
        )
    return query


def _allele(params: VariantParams) -> tuple[int, str, str]:
    """The queried allele as ingest stores it: trimmed like a VCF allele (``GA>GAA`` at 100 is
    ``G>GA`` at 100, ``GAT>GCT`` is ``A>C`` at 101). The empty forms stay as given."""
    start, ref, alt = params.start[0], params.reference_bases, params.alternate_bases or ""
    if not ref or not alt:
        return start, ref or "", alt
    return trim(start, ref, alt, wildcards=True)


#: The most bases a queried indel is shifted left: a longer repeat keeps the trimmed form.
MAX_SHIFT = 10_000
_KNOWN = re.compile(r"^[ACGT]*$")


def left_aligned(query: VariantQuery, references: dict[str, Fetch]) -> VariantQuery:
    """The query with its allele left-aligned against the reference of each assembly the node
    has one of (assembly -> bases of ``query.chrom``), as ingest's ``--reference`` aligns the
    alleles it stores. An allele with unknown bases, whose REF is not the reference's, or in a
    repeat longer than ``MAX_SHIFT`` keeps its trimmed form."""
    if query.allele is None or not references:
        return query
    start, ref, alt = query.allele
    if ref == alt or not _KNOWN.match(ref + alt) or query.params.reference_bases is None:
        return query
    found = []
    for assembly, fetch in sorted(references.items()):
        if assembly not in query.assemblies:
            continue
        at, bases, other = start, ref, alt
        if not ref or not alt:  # the spec's empty forms: give them the padding base
            if start == 0:
                continue
            pad = fetch(start - 1, start).upper()
            at, bases, other = start - 1, pad + ref, pad + alt
        if fetch(at, at + len(bases)).upper() != bases:
            continue  # not this reference's REF: no dataset aligned against it holds it
        try:
            found.append((assembly, left_align(at, bases, other, fetch, MAX_SHIFT)))
        except TooFar:
            continue
    return replace(query, aligned=tuple(found)) if found else query


def _kind(params: VariantParams) -> VariantQuery:
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
        assemblies = _assemblies(params, resolved.assemblies)
        _within_chromosome(params, resolved.chrom, assemblies)
        return VariantQuery(kind, params, resolved.chrom, assemblies)
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
