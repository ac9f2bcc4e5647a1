"""Variant documents of a load -> its bins (``beacon/store/bins.py``), written before publish.

``Bins.add`` is given every variant document as it is written and keeps, per chromosome, only
its stored start and its allele count class (9 bytes a variant) and the largest end; the bins
are cut after the last document, from the stored fields alone (``_chrom``, ``_start``,
``_end``, ``_counts.ac``), so they count exactly what the variant collection holds.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beacon.store import bins as stored
from beacon.store import collections as c

#: The class of a variant whose allele count makes no ``$gte`` match (or none at all).
_UNCOUNTED = 0


class _Unbinnable(Exception):
    """A variant whose stored fields a bin cannot count exactly."""


def ac_class(counts: Any, classes: int = stored.AC_CLASSES) -> int:
    """The allele count class of a variant's ``_counts`` (as a ``$gte`` on ``_counts.ac``
    compares it: numbers by value; a missing, null, text or boolean count matches none)."""
    if counts is None:
        return _UNCOUNTED
    if not isinstance(counts, dict):
        raise _Unbinnable
    ac = counts.get("ac")
    if ac is None or isinstance(ac, str | bool):
        return _UNCOUNTED
    if not isinstance(ac, int | float):
        raise _Unbinnable  # arrays, decimals ...: leave them to the database
    if isinstance(ac, float) and math.isnan(ac):
        return _UNCOUNTED
    if ac >= classes:
        return classes
    return max(0, math.floor(ac))


@dataclass
class _Chrom:
    starts: array[int] = field(default_factory=lambda: array("q"))
    classes: array[int] = field(default_factory=lambda: array("B"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    valid: bool = True


class Bins:
    """The bins of one load's variants, collected as they are written."""

    def __init__(self) -> None:
        self._chroms: dict[str, _Chrom] = {}

    def add(self, doc: dict[str, Any]) -> None:
        chrom = doc.get(c.V_CHROM)
        if not isinstance(chrom, str):
            return  # no range query finds it
        found = self._chroms.setdefault(chrom, _Chrom())
        if not found.valid:
            return
        start, end = doc.get(c.V_START), doc.get(c.V_END)
        try:
            if type(start) is not int or type(end) is not int or end < start:
                raise _Unbinnable
            found.classes.append(ac_class(doc.get(c.V_COUNTS)))
        except _Unbinnable:
            found.valid = False
            found.starts, found.classes, found.ends = array("q"), array("B"), array("q")
            return
        found.starts.append(start)
        found.ends.append(end)

    def chromosome(self, chrom: str) -> stored.ChromBins | None:
        """One chromosome's bins (None: it has none, or cannot have exact ones)."""
        found = self._chroms.get(chrom)
        if found is None or not found.valid or not found.starts:
            return None
        return cut(
            np.frombuffer(found.starts, dtype=np.int64),
            np.frombuffer(found.ends, dtype=np.int64),
            np.frombuffer(found.classes, dtype=np.uint8),
        )

    def documents(self) -> Iterator[dict[str, Any]]:
        """Every stored document: the chunks of each chromosome's bins, then ``meta``."""
        binned = []
        for chrom in sorted(self._chroms):
            bins = self.chromosome(chrom)
            if bins is not None:
                binned.append(chrom)
                yield from stored.encode(chrom, bins)
        yield stored.meta(binned)


def cut(
    starts: np.ndarray[Any, Any],
    ends: np.ndarray[Any, Any],
    classes: np.ndarray[Any, Any],
    size: int = stored.BIN_VARIANTS,
) -> stored.ChromBins:
    """Bins of about ``size`` variants each, closed only between two different starts."""
    order = np.argsort(starts, kind="stable")
    starts, ends, classes = starts[order], ends[order], classes[order]
    # A bin may begin at variant i when its start differs from the one before.
    new = np.flatnonzero(np.concatenate([[True], starts[1:] != starts[:-1]]))
    firsts: list[int] = []
    next_at = 0
    for i in new.tolist():
        if i >= next_at:
            firsts.append(i)
            next_at = i + size
    bounds = np.asarray(firsts, dtype=np.int64)
    width = stored.AC_CLASSES + 1
    which = np.searchsorted(bounds, np.arange(starts.size), side="right") - 1
    counts = np.zeros((bounds.size, width), dtype=np.uint32)
    np.add.at(counts, (which, classes.astype(np.int64)), 1)
    max_ends = np.maximum.reduceat(ends, bounds)
    return stored.ChromBins(starts[bounds].astype(np.int64), max_ends.astype(np.int64), counts)
