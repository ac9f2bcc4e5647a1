"""Genotype calls -> AN, and per ALT the AC and carriers by zygosity (table-driven)."""

from __future__ import annotations

import numpy as np
import pytest

from beacon.store import carriers as packed
from ingest.vcf.genotypes import EMPTY, MISSING, Codes, batch_rows, summarise

# One row per case: the calls of its samples, its ALT count, then AN and, per ALT,
# (AC, het samples, hom samples, hemi samples).
Expected = list[tuple[int, list[int], list[int], list[int]]]
CASES: list[tuple[str, list[str], int, int, Expected]] = [
    ("biallelic diploid", ["0/0", "0/1", "1/1", "1|0"], 1, 8, [(4, [1, 3], [2], [])]),
    ("missing calls are not counted", ["./.", "0/1", "./."], 1, 2, [(1, [1], [], [])]),
    ("partly missing", ["1/.", "./0", "./1"], 1, 3, [(2, [0, 2], [], [])]),
    (
        "multi-allelic re-coding",
        ["1/2", "2/2", "0/2", "1/1", "0/0"],
        2,
        10,
        [(3, [0], [3], []), (4, [0, 2], [1], [])],
    ),
    (
        "phased multi-allelic",
        ["2|1", "1|2", "0|2"],
        2,
        6,
        [(2, [0, 1], [], []), (3, [0, 1, 2], [], [])],
    ),
    ("haploid (male X)", ["1", "0", ".", "1/1"], 1, 4, [(3, [], [3], [0])]),
    ("mitochondrial", ["1", "0", "1", "."], 1, 3, [(2, [], [], [0, 2])]),
    ("triploid", ["1/1/1", "0/1/1", "0/0/0"], 1, 9, [(5, [1], [0], [])]),
    ("star allele keeps its calls", ["1/*", "0/*"], 2, 4, [(1, [0], [], []), (2, [0, 1], [], [])]),
    ("nobody carries the ALT", ["0/0", "0|0"], 1, 4, [(0, [], [], [])]),
]


def from_strings(calls: list[str]) -> Codes:
    """``["0/1", "1", "./."]`` -> allele codes, padded to the largest ploidy ."""
    split = [c.replace("|", "/").split("/") for c in calls]
    ploidy = max((len(s) for s in split), default=2)
    codes = np.full((len(calls), ploidy), EMPTY, dtype=np.int16)
    for i, alleles in enumerate(split):
        for j, allele in enumerate(alleles):
            codes[i, j] = MISSING if allele == "." else int(allele)
    return codes


def codes(calls: list[str]) -> np.ndarray:
    return from_strings([c.replace("*", "2") for c in calls])


@pytest.mark.parametrize(
    ("calls", "n_alts", "an", "alleles"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_row(calls: list[str], n_alts: int, an: int, alleles: Expected) -> None:
    (row,) = summarise([codes(calls)], [n_alts])
    assert row.an == an
    found = [(a.ac, a.het.tolist(), a.hom.tolist(), a.hemi.tolist()) for a in row.alleles]
    assert found == alleles


def test_batch_equals_rows_one_by_one() -> None:
    """Rows of different ploidy and ALT counts stacked in one batch give the same answers."""
    rows = [(c[1], c[2]) for c in CASES if len(c[1]) == 4]
    batch = summarise([from_strings(r) for r, _ in rows], [n for _, n in rows])
    for (calls, n_alts), got in zip(rows, batch, strict=True):
        (alone,) = summarise([from_strings(calls)], [n_alts])
        assert got.an == alone.an
        for a, b in zip(got.alleles, alone.alleles, strict=True):
            assert a.ac == b.ac
            assert a.het.tolist() == b.het.tolist()
            assert a.hom.tolist() == b.hom.tolist()
            assert a.hemi.tolist() == b.hemi.tolist()


def test_random_batch_against_a_plain_loop() -> None:
    rng = np.random.default_rng(7)
    n_rows, n_samples = 50, 30
    n_alts = rng.integers(1, 4, n_rows).tolist()
    rows = []
    for alts in n_alts:
        g = rng.integers(-1, alts + 1, (n_samples, 2)).astype(np.int16)
        haploid = rng.random(n_samples) < 0.2
        g[haploid, 1] = -2
        rows.append(g)
    for g, alts, got in zip(rows, n_alts, summarise(rows, n_alts), strict=True):
        assert got.an == int((g >= 0).sum())
        for a in range(1, alts + 1):
            het, hom, hemi = [], [], []
            for s, call in enumerate(g.tolist()):
                slots = [x for x in call if x != -2]
                copies = slots.count(a)
                if not copies:
                    continue
                if len(slots) == 1:
                    hemi.append(s)
                elif copies == len(slots):
                    hom.append(s)
                else:
                    het.append(s)
            allele = got.alleles[a - 1]
            assert allele.ac == int((g == a).sum())
            assert (allele.het.tolist(), allele.hom.tolist(), allele.hemi.tolist()) == (
                het,
                hom,
                hemi,
            )


def test_batch_rows_bounds_memory() -> None:
    assert batch_rows(100) * 100 * 2 <= 8_000_000
    assert batch_rows(1_000_000) == 4
    assert batch_rows(10**9) == 1


@pytest.mark.parametrize(
    ("calls", "one", "none"),
    [
        (["0/0", "0/1", "1/1"], [], []),
        (["./.", "0/1", "1/."], [2], [0]),
        (["1", "0", ".", "1/1"], [0, 1], [2]),  # haploid calls in a diploid row
    ],
)
def test_samples_with_fewer_than_two_called_alleles(
    calls: list[str], one: list[int], none: list[int]
) -> None:
    """They make any group's allele number exact: 2 x members - one - 2 x none."""
    (row,) = summarise([codes(calls)], [1])
    assert row.partial is not None
    found = [packed.decode_indices(blob).tolist() for blob in row.partial]
    assert found == [one, none]
    assert row.an == 2 * len(calls) - len(one) - 2 * len(none)


def test_polyploid_rows_keep_no_partial_calls() -> None:
    (row,) = summarise([codes(["1/1/1", "0/1"])], [1])
    assert row.partial is None
