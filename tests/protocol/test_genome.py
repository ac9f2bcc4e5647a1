"""Chromosome and assembly names resolve from the bundled table, never from a pattern."""

from __future__ import annotations

import pytest

from beacon.protocol import genome


@pytest.mark.parametrize(
    ("name", "chrom", "assemblies"),
    [
        ("22", "22", ("GRCh37", "GRCh38")),
        ("chr22", "22", ("GRCh37", "GRCh38")),
        ("CHR22", "22", ("GRCh37", "GRCh38")),
        ("NC_000022.11", "22", ("GRCh38",)),
        ("refseq:NC_000022.11", "22", ("GRCh38",)),
        ("NC_000022.10", "22", ("GRCh37",)),
        ("X", "X", ("GRCh37", "GRCh38")),
        ("chrM", "MT", ("GRCh37", "GRCh38")),
        ("M", "MT", ("GRCh37", "GRCh38")),
        ("NC_012920.1", "MT", ("GRCh37", "GRCh38")),
        ("01", "1", ("GRCh37", "GRCh38")),
    ],
)
def test_resolve(name: str, chrom: str, assemblies: tuple[str, ...]) -> None:
    resolved = genome.resolve(name)
    assert resolved is not None
    assert (resolved.chrom, resolved.assemblies) == (chrom, assemblies)


@pytest.mark.parametrize("name", ["23", "chr99", "NC_000022.9", "GL000191.1", "", "chrUn"])
def test_unknown_names(name: str) -> None:
    assert genome.resolve(name) is None


def test_one_never_matches_nineteen() -> None:
    # ri-api #388: "1" matched chr1 and chr19 through a regex; ours is an exact table lookup.
    one, nineteen = genome.resolve("1"), genome.resolve("19")
    assert one is not None
    assert nineteen is not None
    assert one.chrom != nineteen.chrom


@pytest.mark.parametrize(
    ("name", "assembly"),
    [
        ("GRCh38", "GRCh38"),
        ("hg38", "GRCh38"),
        ("GRCh38.p14", "GRCh38"),
        ("GCF_000001405.40", "GRCh38"),
        ("GCF_000001405.26", "GRCh38"),
        ("GRCh37", "GRCh37"),
        ("hg19", "GRCh37"),
        ("b37", "GRCh37"),
        ("GRCh37.p13", "GRCh37"),
        ("GCF_000001405.25", "GRCh37"),
        ("GCF_000001405.41", None),
        ("NCBI36", None),
        ("grch39", None),
    ],
)
def test_normalise_assembly(name: str, assembly: str | None) -> None:
    assert genome.normalise_assembly(name) == assembly


def test_contig_curie() -> None:
    assert genome.contig("GRCh38", "17").sequence_id == "refseq:NC_000017.11"
    assert genome.contig("GRCh37", "17").length == 81195210
