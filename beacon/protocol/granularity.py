"""Response granularity: boolean < count < record, and the rule that picks what is returned."""

from __future__ import annotations

import enum


class Granularity(enum.Enum):
    BOOLEAN = "boolean"
    COUNT = "count"
    RECORD = "record"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Granularity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Granularity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Granularity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Granularity):
            return NotImplemented
        return self.rank >= other.rank


_RANK = {Granularity.BOOLEAN: 0, Granularity.COUNT: 1, Granularity.RECORD: 2}


def effective(requested: Granularity, *caps: Granularity) -> Granularity:
    """What is returned: the least of what was asked for and every cap that applies."""
    return min((requested, *caps), key=lambda g: g.rank)
