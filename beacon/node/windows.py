"""A range query over a load's bins -> what to count from the bins, what to read at its edges.

A range ``[start, end)`` finds the variants that overlap it: ``_start < end`` and
``_end > start`` (``query_variants.py``), with ``_counts.ac >= floor`` under a rare-allele
floor. Over the bins of its chromosome (``beacon/store/bins.py``) that is three parts, in the
order of the position index:

* the *left edge*: the bins that begin at or before ``start`` whose largest end passes it
  (whatever else is before ``start`` cannot overlap), each run of them read through the index
  with the query's own condition;
* the *whole bins*: those beginning after ``start`` and ending by ``end``: every variant in
  them overlaps the window (it starts after ``start`` and ends no earlier than it starts), so
  their count under the floor is a difference of two cumulative counts;
* the *right edge*: from the first start of the last bin to ``end``, read through the index.

Pages are cut the same way: ranks in the left edge come from its reads, the others from the
bins that hold them, read in one range with a skip inside it, never from the window's start.
Everything here is pure; ``execute.py`` does the reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from beacon.store.bins import ChromBins

#: More left-edge runs than this are read as one range (long variants spread over a region).
MAX_RUNS = 4


@dataclass(frozen=True)
class Span:
    """Variants whose start is in ``[lo, hi)`` (of the window's chromosome)."""

    lo: int
    hi: int


@dataclass(frozen=True)
class Cut:
    """A window over the bins: the edges to read, and the whole bins between them."""

    left: tuple[Span, ...]
    first: int  # the whole bins are first .. last - 1
    last: int
    whole: int  # variants (ac >= floor) in the whole bins
    right: Span | None
    end: int


def cut(bins: ChromBins, start: int, end: int, floor: int) -> Cut | None:
    """The window ``[start, end)`` over ``bins``; None when the bins cannot count it (a floor
    above their allele count classes)."""
    if floor > bins.ac_classes or end <= start or len(bins) == 0:
        return None
    starts, n = bins.starts, len(bins)
    first = int(np.searchsorted(starts, start, side="right"))  # first bin beginning after start
    last = int(np.searchsorted(starts, end, side="right")) - 1  # last bin beginning by end
    reaching = np.flatnonzero(bins.max_ends[:first] > start).tolist()
    runs: list[list[int]] = []
    for i in reaching:
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    if len(runs) > MAX_RUNS:
        runs = [[runs[0][0], runs[-1][1]]]
    left = tuple(
        Span(int(starts[a]), min(int(starts[b + 1]) if b + 1 < n else end, end)) for a, b in runs
    )
    whole = 0
    right = None
    if last >= first:
        cumulative = bins.cumulative(floor)
        whole = int(cumulative[last] - cumulative[first])
        if int(starts[last]) < end:
            right = Span(int(starts[last]), end)
    else:
        last = first
    return Cut(left, first, last, whole, right, end)


def page_span(
    bins: ChromBins, window: Cut, floor: int, skip: int, limit: int
) -> tuple[Span, int] | None:
    """Where ranks ``skip .. skip + limit - 1`` past the left edge lie: the range of starts to
    read (whole bins, and the right edge if the page reaches it) and the skip inside it;
    None when the page ends before the whole bins."""
    if limit <= 0:
        return None
    cumulative = bins.cumulative(floor)
    counts = cumulative[window.first : window.last + 1] - cumulative[window.first]
    # counts[k]: variants of the whole bins before bin first + k
    a = int(np.searchsorted(counts, skip, side="right")) - 1  # bin holding rank ``skip``
    if a >= window.last - window.first:  # past the whole bins: the right edge
        if window.right is None:
            return None
        return window.right, skip - int(counts[-1])
    b = int(np.searchsorted(counts, skip + limit, side="left"))  # bins needed, exclusive
    lo = int(bins.starts[window.first + a])
    hi = window.end if b > window.last - window.first else int(bins.starts[window.first + b])
    return Span(lo, hi), skip - int(counts[a])
