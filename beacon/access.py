"""Who is asking, and what each dataset may show them.

For now every caller is anonymous and every dataset is answered at the node's configured
maximum granularity; bearer tokens, passports and per-dataset tiers build on this interface.
"""

from __future__ import annotations

from dataclasses import dataclass

from beacon.config import Settings
from beacon.protocol.granularity import Granularity
from beacon.store.catalog import DatasetEntry


@dataclass(frozen=True)
class Identity:
    """The caller: anonymous unless a verified token says otherwise."""

    subject: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.subject is None


ANONYMOUS = Identity()


def dataset_granularity(
    settings: Settings, dataset: DatasetEntry, identity: Identity
) -> Granularity:
    """The most detail ``identity`` may see of ``dataset``."""
    return Granularity(settings.beacon.max_granularity)
