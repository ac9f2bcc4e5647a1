"""The query kind follows from the parameters given; undefined combinations are 400s."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.protocol.errors import BadRequest
from beacon.protocol.variants import QueryKind, VariantParams, classify, left_aligned

KINDS: list[tuple[dict[str, Any], QueryKind, str | None, tuple[str, ...]]] = [
    (
        {"reference_name": "17", "start": (5,), "alternate_bases": "A"},
        QueryKind.SEQUENCE,
        "17",
        ("GRCh37", "GRCh38"),
    ),
    (
        {"reference_name": "NC_000017.11", "start": (5,), "alternate_bases": ""},
        QueryKind.SEQUENCE,
        "17",
        ("GRCh38",),
    ),
    (
        {"reference_name": "chr17", "start": (5,), "end": (9,)},
        QueryKind.RANGE,
        "17",
        ("GRCh37", "GRCh38"),
    ),
    (
        {"reference_name": "17", "start": (5,), "end": (9,), "assembly_id": "hg19"},
        QueryKind.RANGE,
        "17",
        ("GRCh37",),
    ),
    (
        {"reference_name": "17", "start": (5, 6), "end": (9, 10)},
        QueryKind.BRACKET,
        "17",
        ("GRCh37", "GRCh38"),
    ),
    ({"gene_id": "TP53"}, QueryKind.GENE, None, ("GRCh37", "GRCh38")),
    ({"gene_id": "TP53", "aminoacid_change": "R273H"}, QueryKind.GENE, None, ("GRCh37", "GRCh38")),
    ({"aminoacid_change": "V600E"}, QueryKind.AMINOACID, None, ("GRCh37", "GRCh38")),
    (
        {"genomic_allele_short_form": "NC_000017.11:g.7577121G>A"},
        QueryKind.HGVS,
        None,
        ("GRCh37", "GRCh38"),
    ),
    ({"assembly_id": "GRCh38"}, QueryKind.ASSEMBLY, None, ("GRCh38",)),
]


@pytest.mark.parametrize(("given", "kind", "chrom", "assemblies"), KINDS)
def test_classify(
    given: dict[str, Any], kind: QueryKind, chrom: str | None, assemblies: tuple[str, ...]
) -> None:
    query = classify(VariantParams(**given))
    assert (query.kind, query.chrom, query.assemblies) == (kind, chrom, assemblies)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"start": (5,), "alternate_bases": "A"}, "referenceName"),
    ({"reference_name": "17"}, "start"),
    ({"reference_name": "17", "start": (5,)}, "alternateBases"),
    ({"reference_name": "17", "start": (5, 6), "end": (9,)}, "start"),
    ({"reference_name": "17", "start": (5,), "end": (9, 10)}, "start"),
    ({"reference_name": "17", "start": (9,), "end": (9,)}, "end"),
    ({"reference_name": "17", "start": (6, 5), "end": (9, 10)}, "start"),
    ({"reference_name": "chr23", "start": (5,), "end": (9,)}, "referenceName"),
    (
        {"reference_name": "NC_000017.11", "start": (5,), "end": (9,), "assembly_id": "GRCh37"},
        "assemblyId",
    ),
    ({"assembly_id": "mm10"}, "assemblyId"),
    ({"variant_type": "DEL"}, "variantType"),
    ({"alternate_bases": "A"}, "alternateBases"),
    ({"variant_min_length": 5}, "variantMinLength"),
    ({"mate_name": "2"}, "mateName"),
    (  # a GRCh38 accession as the mate of a GRCh37 query
        {
            "reference_name": "17",
            "start": (5,),
            "end": (9,),
            "assembly_id": "GRCh37",
            "mate_name": "NC_000002.12",
        },
        "mateName",
    ),
    (
        {"reference_name": "NC_000017.10", "start": (5,), "end": (9,), "mate_name": "NC_000002.12"},
        "mateName",
    ),
    ({"genomic_allele_short_form": "NC_000017.11:g.1A>G", "reference_name": "17"}, "referenceName"),
]


@pytest.mark.parametrize(("given", "parameter"), BAD)
def test_undefined_combinations_are_rejected(given: dict[str, Any], parameter: str) -> None:
    with pytest.raises(BadRequest) as caught:
        classify(VariantParams(**given))
    assert caught.value.parameter == parameter


ALLELES: list[tuple[int, str | None, str, tuple[int, str, str]]] = [
    (100, "GA", "GAA", (100, "G", "GA")),  # bcftools norm -m- keeps the shared last base
    (100, "GTT", "TTT", (100, "G", "T")),
    (100, "GAT", "GCT", (101, "A", "C")),
    (100, "TAAAA", "TAA", (100, "TAA", "T")),
    (100, "G", "GA", (100, "G", "GA")),  # already minimal
    (100, "NA", "NAA", (100, "N", "NA")),  # a shared A is trimmed, an unknown base never:
    (100, "AN", "ATN", (101, "N", "TN")),  # N need not equal N (else: A>AT at 100)
    (100, "T", "", (100, "T", "")),  # the spec's empty forms stay as given
    (100, None, "A", (100, "", "A")),
]


@pytest.mark.parametrize(("start", "ref", "alt", "stored"), ALLELES)
def test_sequence_queries_take_the_stored_form(
    start: int, ref: str | None, alt: str, stored: tuple[int, str, str]
) -> None:
    params = VariantParams(
        reference_name="22", start=(start,), reference_bases=ref, alternate_bases=alt
    )
    assert classify(params).allele == stored


def test_a_versioned_mate_narrows_the_assemblies() -> None:
    query = classify(
        VariantParams(reference_name="17", start=(5,), end=(9,), mate_name="refseq:NC_000002.11")
    )
    assert (query.mate, query.assemblies) == ("2", ("GRCh37",))


def test_left_aligned_against_a_reference() -> None:
    sequence = "TTTTGCACACAGTTTT"  # a CA repeat after the G at 0-based 4

    def fetch(start: int, end: int) -> str:
        return sequence[max(0, start) : end]

    def query(start: int, ref: str, alt: str) -> Any:
        params = VariantParams(
            reference_name="1", start=(start,), reference_bases=ref, alternate_bases=alt
        )
        return left_aligned(classify(params), {"GRCh37": fetch})

    shifted = query(8, "ACA", "A")  # the CA deletion written at its rightmost place
    assert shifted.allele_for("GRCh37") == (4, "GCA", "G")
    assert shifted.allele_for("GRCh38") == (8, "ACA", "A")  # no reference: trimmed only
    assert query(9, "CA", "").allele_for("GRCh37") == (4, "GCA", "G")  # the spec's empty form
    assert query(8, "ATA", "A").aligned == ()  # not the reference's REF
    assert query(8, "ANA", "A").aligned == ()  # unknown bases
