"""The sample-first index: for each sample, runs of the keys of the variants it carries.

Built while variants stream past: each variant adds its key to the buffers of its carriers
(numpy arrays, not Python lists per sample). When the buffered calls exceed a budget, or at the
end, they are sorted by (sample, chromosome, position) and cut into run documents of at most
``RUN_KEYS`` keys, so memory stays bounded whatever the number of samples or variants.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
from bson import Binary

from beacon.store import carriers as packed
from beacon.store import collections as c

RUN_KEYS = 4096


class SampleIndex:
    def __init__(self, dataset_id: str, n_samples: int, budget: int = 4_000_000) -> None:
        self.dataset_id = dataset_id
        self.budget = budget
        self.per_sample = np.zeros(n_samples, dtype=np.int64)
        self._samples: list[npt.NDArray[np.uint32]] = []
        self._keys: list[npt.NDArray[np.int64]] = []
        self._ranks: list[npt.NDArray[np.int16]] = []
        self._starts: list[npt.NDArray[np.int64]] = []
        self._buffered = 0

    def grow(self, n_samples: int) -> None:
        if n_samples > self.per_sample.size:
            self.per_sample = np.concatenate(
                [self.per_sample, np.zeros(n_samples - self.per_sample.size, dtype=np.int64)]
            )

    def add(self, samples: npt.NDArray[np.uint32], key: int, rank: int, start: int) -> None:
        n = samples.size
        if n == 0:
            return
        self._samples.append(samples)
        self._keys.append(np.full(n, key, dtype=np.int64))
        self._ranks.append(np.full(n, rank, dtype=np.int16))
        self._starts.append(np.full(n, start, dtype=np.int64))
        self._buffered += n
        np.add.at(self.per_sample, samples, 1)

    def add_many(
        self,
        samples: list[npt.NDArray[np.uint32]],
        keys: list[int],
        ranks: list[int],
        starts: list[int],
    ) -> None:
        """Like :meth:`add` for many variants at once: one numpy pass per batch, not per call.

        ``samples[i]`` are carriers of variant ``keys[i]``; a variant may appear several times
        (once per zygosity) as long as its sample sets are disjoint.
        """
        sizes = np.fromiter((s.size for s in samples), dtype=np.int64, count=len(samples))
        total = int(sizes.sum())
        if total == 0:
            return
        flat = np.concatenate(samples).astype(np.uint32, copy=False)
        self._samples.append(flat)
        self._keys.append(np.repeat(np.asarray(keys, dtype=np.int64), sizes))
        self._ranks.append(np.repeat(np.asarray(ranks, dtype=np.int16), sizes))
        self._starts.append(np.repeat(np.asarray(starts, dtype=np.int64), sizes))
        self._buffered += total
        self.per_sample += np.bincount(flat, minlength=self.per_sample.size)[: self.per_sample.size]

    @property
    def full(self) -> bool:
        return self._buffered >= self.budget

    def drain(self) -> list[dict[str, Any]]:
        """The buffered calls as run documents, sorted by sample and genomic position."""
        if not self._samples:
            return []
        samples = np.concatenate(self._samples)
        keys = np.concatenate(self._keys)
        ranks = np.concatenate(self._ranks)
        starts = np.concatenate(self._starts)
        self._samples, self._keys, self._ranks, self._starts = [], [], [], []
        self._buffered = 0
        order = np.lexsort((starts, ranks, samples))
        samples, keys, ranks, starts = samples[order], keys[order], ranks[order], starts[order]
        # Boundaries where the sample or the chromosome changes, plus cuts every RUN_KEYS.
        change = np.flatnonzero((np.diff(samples) != 0) | (np.diff(ranks) != 0)) + 1
        edges = [0, *change.tolist(), samples.size]
        docs = []
        for lo, hi in itertools.pairwise(edges):
            for a in range(lo, hi, RUN_KEYS):
                b = min(a + RUN_KEYS, hi)
                docs.append(
                    {
                        c.DATASET_ID: self.dataset_id,
                        c.SV_SAMPLE: int(samples[a]),
                        c.SV_RANK: int(ranks[a]),
                        c.SV_FIRST: int(starts[a]),
                        c.SV_LAST: int(starts[b - 1]),
                        c.SV_COUNT: b - a,
                        c.SV_KEYS: Binary(packed.encode_keys(keys[a:b])),
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
