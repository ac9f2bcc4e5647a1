"""Genotype calls -> per-allele carriers and counts, for a batch of VCF rows at once.

Pure numpy over allele-code arrays (``ingest/vcf.py`` produces them): ``k >= 0`` is allele k,
``-1`` a missing allele, ``-2`` an empty slot (a haploid call in a diploid row). Rows are stacked
into one (rows, samples, ploidy) array so the work per row is a few slices, not a dozen numpy
calls: per-row numpy overhead, not arithmetic, is what limits a Python ingester.

Semantics, per ALT ``a`` of a row (multi-allelic rows are split, genotypes re-coded per ALT):

* AN counts the called alleles of the row (``.`` is not counted), AC the copies of ``a``;
* a sample whose call has a single slot (chrX/Y of males, MT) is **hemizygous** if it is ``a``;
* a sample whose every slot is ``a`` (``1/1``, ``1|1``) is **homozygous**;
* any other call holding ``a`` is **heterozygous**: ``0/1``, ``1/2`` (for ALT 1 *and* ALT 2),
  and a partly missing ``1/.``, whose other allele is unknown but which carries ``a`` once;
* phase does not change zygosity; a ``*`` ALT gets no carriers (the caller skips it).

Per row, the samples with fewer than two called alleles are kept too (``RowCalls.partial``: one
called allele, as a male's chrX call, or none): with them the allele number of any group of
samples is known exactly, ``2 x members - one - 2 x none``, whoever the group turns out to be
once the metadata says each sample's sex and country (``beacon/node/frequencies.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from beacon.store import carriers as packed

Codes = npt.NDArray[np.int16]
Indices = npt.NDArray[np.uint32]

MISSING = -1
EMPTY = -2
#: Cells (rows x samples x ploidy) stacked at once; bounds memory whatever the cohort size.
MAX_CELLS = 8_000_000


class AlleleCalls(NamedTuple):
    """Carriers of one ALT of one row, by zygosity (sorted sample indices), and its AC (named
    tuples: one of these is made per ALT, and a tuple is several times cheaper to make than a
    frozen dataclass)."""

    ac: int
    het: Indices
    hom: Indices
    hemi: Indices
    packed: tuple[bytes, bytes, bytes] = (b"", b"", b"")  # het, hom, hemi as stored (or b"")


class RowCalls(NamedTuple):
    an: int
    alleles: list[AlleleCalls]  # ALT k is alleles[k - 1]
    #: Samples with one called allele, and with none, packed; None when some sample has more
    #: than two (a polyploid call), where ``2 x members`` would not be the allele number.
    partial: tuple[bytes, bytes] | None = (b"", b"")


def batch_rows(n_samples: int, ploidy: int = 2) -> int:
    """How many rows to stack so a batch stays under ``MAX_CELLS``."""
    return max(1, MAX_CELLS // max(1, n_samples * ploidy))


def _stack(rows: list[Codes]) -> Codes:
    ploidy = max(r.shape[1] for r in rows)
    if all(r.shape[1] == ploidy for r in rows):
        return np.stack(rows)
    stacked = np.full((len(rows), rows[0].shape[0], ploidy), EMPTY, dtype=np.int16)
    for i, r in enumerate(rows):
        stacked[i, :, : r.shape[1]] = r
    return stacked


def _split(mask: npt.NDArray[np.bool_]) -> list[Indices]:
    """Per row of a (rows, samples) mask, the sample indices where it is set."""
    rows, found = np.nonzero(mask)
    cols: Indices = found.astype(np.uint32)
    bounds = np.searchsorted(rows, np.arange(mask.shape[0] + 1)).tolist()
    return [cols[bounds[i] : bounds[i + 1]] for i in range(mask.shape[0])]


def _count(g: Codes, test: str, value: int) -> npt.NDArray[np.int8]:
    """Per (row, sample), how many slots satisfy the test: a loop over the (tiny) ploidy axis
    is several times faster than numpy's reduction along a last axis of length 2."""
    out: npt.NDArray[np.int8] = np.zeros(g.shape[:2], dtype=np.int8)
    for j in range(g.shape[2]):
        slot = g[:, :, j]
        if test == "eq":
            out += slot == value
        elif test == "ne":
            out += slot != value
        else:
            out += slot >= value
    return out


def _allele(
    g: Codes, ploidy: npt.NDArray[np.int8], allele: int
) -> tuple[list[int], list[list[Indices]], list[list[bytes]]]:
    copies = _count(g, "eq", allele)
    carrier = copies > 0
    hemi = carrier & (ploidy == 1)
    hom = carrier & (copies == ploidy) & (ploidy > 1)
    het = carrier & ~hemi & ~hom
    ac = copies.sum(axis=1, dtype=np.int64).tolist()
    masks = (het, hom, hemi)
    found = [_split(m) for m in masks]
    return ac, found, [packed.encode_rows(m, f) for m, f in zip(masks, found, strict=True)]


def summarise(rows: list[Codes], n_alts: list[int]) -> list[RowCalls]:
    """AN, and per ALT the AC and carriers, of each row (all rows have the same samples)."""
    if not rows:
        return []
    g = _stack(rows)
    ploidy = _count(g, "ne", EMPTY)
    called = _count(g, "ge", 0)
    an = called.sum(axis=1, dtype=np.int64).tolist()
    masks = (called == 1, called == 0)
    # Most rows have every sample called twice: no partial call to pack, nor to split.
    nobody = [b""] * len(rows)
    packed_one, packed_none = (
        packed.encode_rows(m, _split(m)) if m.any() else nobody for m in masks
    )
    polyploid = [bool(x) for x in np.any(called > 2, axis=1)]
    result = [
        RowCalls(an[i], [], None if polyploid[i] else (packed_one[i], packed_none[i]))
        for i in range(len(rows))
    ]
    alts = np.asarray(n_alts)
    for allele in range(1, int(alts.max(initial=0)) + 1):
        # ALT 1 is in (nearly) every row; later ALTs only in multi-allelic rows: take those.
        which = np.flatnonzero(alts >= allele)
        if which.size == len(rows):
            sub_g, sub_p = g, ploidy
        else:
            sub_g, sub_p = g[which], ploidy[which]
        ac, (het, hom, hemi), (p_het, p_hom, p_hemi) = _allele(sub_g, sub_p, allele)
        for j, row in enumerate(which.tolist()):
            blobs = (p_het[j], p_hom[j], p_hemi[j])
            result[row].alleles.append(AlleleCalls(ac[j], het[j], hom[j], hemi[j], blobs))
    return result
