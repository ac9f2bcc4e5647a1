"""VCF header checks, made before anything is written."""

from __future__ import annotations

import pytest

from ingest.vcf.check import HeaderError, check_contigs


def test_contig_lengths_are_checked_against_the_assembly() -> None:
    b37 = {"1": 249250621, "22": 51304566, "GL000191.1": 106433, "chrM": 16569}
    assert check_contigs("x.vcf", b37, "GRCh37") == []
    with pytest.raises(HeaderError, match="the length of GRCh37, not GRCh38: pass --assembly"):
        check_contigs("x.vcf", b37, "GRCh38")
    with pytest.raises(HeaderError, match="hg19's chrM"):
        check_contigs("x.vcf", {"chrM": 16571}, "GRCh37")
    with pytest.raises(HeaderError, match="aligned to another assembly"):
        check_contigs("x.vcf", {"22": 1000}, "GRCh37")
    assert check_contigs("x.vcf", {"22": None}, "GRCh37") == ["22"]
