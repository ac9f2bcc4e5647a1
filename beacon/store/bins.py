"""Per-load bins of a variants load: how many variants start where, stored small.

A load's variants are cut, per chromosome and in the order of the position index, into bins
of about :data:`BIN_VARIANTS` variants; a bin closes only between two different starts, so
every variant starting at a bin's first start is in that bin. Each bin keeps its first start,
the largest end of its variants, and how many of its variants have each allele count class
(``ac`` 0, 1 ... :data:`AC_CLASSES` - 1, and :data:`AC_CLASSES` or more; a variant without a
numeric ``ac`` is in class 0, as no ``$gte`` on it matches). With them the node counts the
variants of a wide window, with or without a rare-allele floor, from a few numbers, and
reads only its edges through the index (``beacon/node/windows.py``).

Stored as one document per chunk of :data:`CHUNK` bins of one chromosome (arrays packed
little-endian), and one ``meta`` document naming the chromosomes that have bins. A chromosome
whose variants cannot be binned exactly (an end before its start, an allele count that is not
a plain number) has none: the node then counts it the slow way, as it does for loads made
before bins existed (no ``meta`` document at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from beacon.store import collections as c

#: Variants per bin (at least; a bin closes at the next new start).
BIN_VARIANTS = 64
#: Allele count classes kept per bin: floors up to this are counted from bins.
AC_CLASSES = 32
#: Bins per stored document.
CHUNK = 4096
META_ID = "meta"

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ChromBins:
    """The bins of one chromosome, in genomic order."""

    starts: Ints  # first start of each bin
    max_ends: Ints  # largest end in each bin
    classes: npt.NDArray[np.uint32]  # bins x (AC_CLASSES + 1)
    _cumulative: dict[int, Ints] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return int(self.starts.size)

    @property
    def ac_classes(self) -> int:
        """Floors up to this are counted exactly (the last class holds every ``ac`` above)."""
        return int(self.classes.shape[1]) - 1

    def per_bin(self, floor: int) -> Ints:
        """Variants per bin whose ``ac`` is at least ``floor`` (every variant for 0)."""
        counts: Ints = self.classes[:, max(0, floor) :].sum(axis=1, dtype=np.int64)
        return counts

    def cumulative(self, floor: int) -> Ints:
        """``[0, n0, n0 + n1, ...]``: the variants (of ``ac`` >= floor) before each bin."""
        found = self._cumulative.get(floor)
        if found is None:
            found = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(self.per_bin(floor))])
            self._cumulative[floor] = found
        return found


def encode(chrom: str, bins: ChromBins) -> Iterator[dict[str, Any]]:
    """The stored documents of one chromosome's bins."""
    for k, at in enumerate(range(0, len(bins), CHUNK)):
        part = slice(at, at + CHUNK)
        yield {
            "_id": f"{chrom}:{k}",
            c.BIN_CHROM: chrom,
            c.BIN_CHUNK: k,
            c.BIN_STARTS: bins.starts[part].astype("<i8").tobytes(),
            c.BIN_MAX_ENDS: bins.max_ends[part].astype("<i8").tobytes(),
            c.BIN_CLASSES: bins.classes[part].astype("<u4").tobytes(),
        }


def meta(chroms: Iterable[str]) -> dict[str, Any]:
    return {
        "_id": META_ID,
        c.BIN_SIZE: BIN_VARIANTS,
        c.BIN_AC_CLASSES: AC_CLASSES,
        c.BIN_CHROMS: sorted(chroms),
    }


def decode(docs: Iterable[dict[str, Any]], ac_classes: int = AC_CLASSES) -> ChromBins:
    """One chromosome's bins from its stored chunks (in any order); ``ac_classes`` as the
    load's ``meta`` document says."""
    ordered = sorted(docs, key=lambda d: int(d[c.BIN_CHUNK]))
    width = ac_classes + 1

    def joined(name: str, dtype: str) -> npt.NDArray[Any]:
        parts = [np.frombuffer(d[name], dtype=dtype) for d in ordered]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    starts = joined(c.BIN_STARTS, "<i8").astype(np.int64)
    max_ends = joined(c.BIN_MAX_ENDS, "<i8").astype(np.int64)
    classes = joined(c.BIN_CLASSES, "<u4").astype(np.uint32).reshape(-1, width)
    return ChromBins(starts, max_ends, classes)
