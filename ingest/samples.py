"""The sample-first index: for each sample, the ordinals of the variants it carries.

Every variant document of a load gets an ordinal, its number in the order the load writes
them (``SampleIndex.ordinal``). Ordinals are cut into blocks of ``block`` consecutive values;
while a block fills, who carries what is a bit matrix (samples x ordinals of the block), so
memory is bounded by ``budget`` bytes whatever the number of samples or variants. When the
ordinals move past a block, each sample's row becomes one document: the sorted offsets it
carries, as a bitmap or varint gaps, whichever is smaller (``store/carriers.py``).

Ordinals follow the load's order, which is genomic order except where normalisation moved an
allele before its neighbours or the files came in another order. At the end, the few ordinals
whose genomic rank (chromosome, start, then load order) differs from their ordinal are written
as the load's order table (``order_documents``); the node sorts a person's variants by it.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import numpy.typing as npt

from beacon.store import carriers as packed
from beacon.store import collections as c

#: Bytes of the bit matrix of the block being filled (samples x ordinals / 8).
BUDGET = 128 * 1024 * 1024
MIN_BLOCK = 64
MAX_BLOCK = 1 << 18
#: Moved ordinals per order-table document.
ORDER_CHUNK = 1 << 20


def block_size(n_samples: int, budget: int) -> int:
    """Ordinals per block: as many as the budget holds for this many samples (a multiple of 64)."""
    fits = budget * 8 // max(1, n_samples)
    return int(min(MAX_BLOCK, max(MIN_BLOCK, fits // 64 * 64)))


class SampleIndex:
    def __init__(self, dataset_id: str, n_samples: int, budget: int | None = None) -> None:
        self.dataset_id = dataset_id
        self.budget = BUDGET if budget is None else budget
        self.block = block_size(n_samples, self.budget)
        self.per_sample = np.zeros(n_samples, dtype=np.int64)
        self._bits = np.zeros((n_samples, self.block // 8), dtype=np.uint8)
        self._base = 0  # first ordinal of the block being filled
        self._touched = False
        self._last = 0  # the last ordinal added: later ones are not lower
        self._positions = array("q")  # chromosome rank << 32 | start, per ordinal
        self._ready: list[dict[str, Any]] = []

    def grow(self, n_samples: int) -> None:
        """Room for ``n_samples`` samples (a BFF load finds its samples as it goes)."""
        if n_samples > self._bits.shape[0]:
            rows = max(n_samples, 2 * self._bits.shape[0])
            if rows * self._bits.shape[1] > self.budget:
                # Too many samples for blocks this long: end this one here, shorter from now.
                self._close(next_base=self._last)
                self.block = block_size(rows, self.budget)
                self._bits = np.zeros((rows, self.block // 8), dtype=np.uint8)
            else:
                bigger = np.zeros((rows, self._bits.shape[1]), dtype=np.uint8)
                bigger[: self._bits.shape[0]] = self._bits
                self._bits = bigger
        if n_samples > self.per_sample.size:
            extra = np.zeros(n_samples - self.per_sample.size, dtype=np.int64)
            self.per_sample = np.concatenate([self.per_sample, extra])

    def ordinal(self, rank: int, start: int) -> int:
        """The next ordinal, for a variant at ``start`` on the chromosome of rank ``rank``."""
        self._positions.append(rank << 32 | start)
        return len(self._positions) - 1

    def add(self, samples: npt.NDArray[np.uint32], ordinal: int) -> None:
        self.add_many([samples], [ordinal])

    def add_many(self, samples: list[npt.NDArray[np.uint32]], ordinals: list[int]) -> None:
        """``samples[i]`` carry the variant of ``ordinals[i]`` (ascending; a variant may come
        several times, once per zygosity)."""
        for found, ordinal in zip(samples, ordinals, strict=True):
            if found.size == 0:
                continue
            while ordinal >= self._base + self.block:
                self._close()
            offset = ordinal - self._base
            if offset < 0:
                raise ValueError(f"ordinal {ordinal} added after {self._last}")
            self._last = ordinal
            self._bits[found, offset >> 3] |= np.uint8(1 << (offset & 7))
            self._touched = True

    def _close(self, next_base: int | None = None) -> None:
        """The block's rows as documents; the matrix is cleared for the next block, which
        starts at ``next_base`` (by default where this one ends)."""
        if self._touched:
            n = self.per_sample.size
            used = min(self._bits.shape[1], ((self._last - self._base) >> 3) + 1)
            rows = self._bits[:n, :used]  # a last block is often mostly empty
            self.per_sample += packed.popcounts(rows)
            for sample, blob in enumerate(packed.encode_ordinal_rows(rows)):
                if blob:
                    self._ready.append(
                        {
                            c.DATASET_ID: self.dataset_id,
                            c.SV_SAMPLE: sample,
                            c.SV_BASE: self._base,
                            c.SV_ORDINALS: blob,
                        }
                    )
            self._bits[:, :used] = 0
            self._touched = False
        self._base = self._base + self.block if next_base is None else next_base

    @property
    def full(self) -> bool:
        """Documents of closed blocks are waiting to be written."""
        return bool(self._ready)

    def drain(self, final: bool = False) -> list[dict[str, Any]]:
        """The documents of the blocks closed so far (``final``: the last block too)."""
        if final:
            self._close()
        docs, self._ready = self._ready, []
        return docs

    def order_documents(self) -> list[dict[str, Any]]:
        """The load's order table: the ordinals whose genomic rank is not their own."""
        return order_documents(self.dataset_id, np.frombuffer(self._positions, dtype=np.int64))


def genomic_ranks(positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Rank of each ordinal in genomic order: by position, then by ordinal."""
    order = np.argsort(positions, kind="stable")
    ranks = np.empty(positions.size, dtype=np.int64)
    ranks[order] = np.arange(positions.size)
    return ranks


def order_documents(dataset_id: str, positions: npt.NDArray[np.int64]) -> list[dict[str, Any]]:
    ranks = genomic_ranks(positions)
    moved = np.flatnonzero(ranks != np.arange(ranks.size))
    docs = []
    for lo in range(0, moved.size, ORDER_CHUNK):
        part = moved[lo : lo + ORDER_CHUNK]
        docs.append(
            {
                c.DATASET_ID: dataset_id,
                c.SV_SAMPLE: c.SV_ORDER,
                c.SV_BASE: int(part[0]),
                c.SV_ORDINALS: packed.encode_ordinals(part - part[0]),
                c.SV_RANKS: packed.encode_signed(ranks[part] - part),
            }
        )
    return docs


def sample_documents(
    dataset_id: str,
    biosample_ids: list[str],
    individual_ids: list[str | None],
    per_sample: npt.NDArray[np.int64],
) -> list[dict[str, Any]]:
    """The samples table: index -> biosample and individual, with the variants each carries."""
    docs = []
    for i, (biosample, individual) in enumerate(zip(biosample_ids, individual_ids, strict=True)):
        doc: dict[str, Any] = {
            "_id": i,
            c.DATASET_ID: dataset_id,
            c.S_BIOSAMPLE: biosample,
            c.S_VARIANTS: int(per_sample[i]) if i < per_sample.size else 0,
        }
        if individual:
            doc[c.S_INDIVIDUAL] = individual
        docs.append(doc)
    return docs
