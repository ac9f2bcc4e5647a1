"""Who is asking, and what each dataset may show them: the pure core of access control.

A caller's *tier* is decided per dataset: CONTROLLED when one of their verified
ControlledAccessGrants visas names the dataset and was given by one of the dataset's own visa
issuers (its DAC; and, when the dataset lists them, one of its sources), REGISTERED when they
are a bona fide researcher, PUBLIC otherwise. The dataset's policy (``[[access.datasets]]``, or
the documented default for datasets without one) maps that tier to the most detail it may see,
or to "none": invisible.
The granularity a dataset is answered at is then min(requested, node cap, tier cap, entry-type
cap) — decided here, without I/O, for every dataset in the catalog.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace

from beacon.config import LEVELS, DatasetPolicy, Settings
from beacon.node.visas import Grant
from beacon.protocol.entry_types import EntryType
from beacon.protocol.granularity import Granularity, effective
from beacon.store.catalog import DatasetEntry


class Tier(enum.IntEnum):
    PUBLIC = 0
    REGISTERED = 1
    CONTROLLED = 2


@dataclass(frozen=True)
class Identity:
    """The caller: anonymous unless a verified token says otherwise."""

    subject: str | None = None
    issuer: str | None = None
    #: bona fide researcher (AcceptedTermsAndPolicies + ResearcherStatus, or a login issuer
    #: configured to register its users)
    registered: bool = False
    #: the verified, unexpired ControlledAccessGrants visas that count (not self-asserted,
    #: conditions met)
    grants: frozenset[Grant] = frozenset()

    @property
    def anonymous(self) -> bool:
        return self.subject is None


ANONYMOUS = Identity()

#: docs/design.md §3: without a declared policy a dataset is boolean-only and
#: controlled. No visa value maps to it, so in practice nobody sees it.
HIDDEN = DatasetPolicy(
    security_level="CONTROLLED", public="none", registered="none", controlled="boolean"
)
#: Opted into with ``access.undeclared_datasets = "public"``; also how synthetic test
#: datasets without a policy answer test-mode requests.
OPEN = DatasetPolicy(security_level="PUBLIC")


def policy_for(settings: Settings, dataset: DatasetEntry) -> DatasetPolicy:
    """The dataset's declared policy, or the default for undeclared datasets."""
    declared = settings.access.declared(dataset.id)
    if declared is not None:
        return declared
    return HIDDEN if settings.access.hides(dataset.id, dataset.test) else OPEN


def grants(policy: DatasetPolicy, grant: Grant) -> bool:
    """Does ``grant`` open the dataset? Its value, its issuer and (if listed) its source."""
    # Exact match of visa values: "last path segment" matching would let a grant for
    # https://dac-a/datasets/X open dataset X of another DAC; and the issuer must be the
    # dataset's own, or a second trusted DAC could sign a grant for the first one's dataset.
    return (
        grant.value in policy.visa_values
        and grant.issuer in policy.visa_issuers
        and (not policy.visa_sources or grant.source in policy.visa_sources)
    )


def tier_of(identity: Identity, policy: DatasetPolicy) -> Tier:
    if any(grants(policy, grant) for grant in identity.grants):
        return Tier.CONTROLLED
    if identity.registered:
        return Tier.REGISTERED
    return Tier.PUBLIC


def allowed(
    settings: Settings,
    policy: DatasetPolicy,
    tier: Tier,
    entry: EntryType,
) -> Granularity | None:
    """The most detail ``tier`` may see of ``entry`` records of a dataset; None: invisible."""
    cap = policy.tier_cap(tier.name)
    if cap == "none":
        return None
    caps = [Granularity(cap), Granularity(settings.node.max_granularity)]
    entry_cap: str = getattr(policy.entry_types, entry.path)
    if entry_cap:
        caps.append(Granularity(entry_cap))
    return min(caps)


@dataclass(frozen=True)
class Decision:
    """How one dataset is answered: its policy, the caller's tier and the granularity."""

    policy: DatasetPolicy
    tier: Tier
    granularity: Granularity
    #: The most detail the caller may see of the dataset: below record level, what its
    #: answers say is all the caller learns of its records, and privacy protections apply.
    most: Granularity = Granularity.RECORD

    @property
    def capped(self) -> bool:
        return self.most is not Granularity.RECORD


def decide(
    settings: Settings,
    catalog: Mapping[str, DatasetEntry],
    identity: Identity,
    entry: EntryType,
    requested: Granularity,
    test_mode: bool,
) -> dict[str, Decision]:
    """Every dataset the caller may see, with the granularity it is answered at.

    Datasets missing from the result are invisible: they must not appear in scope at all. In
    test mode (docs/design.md §3: without login, from synthetic data only) the caller is taken
    to hold the CONTROLLED tier; ``scope.select`` keeps test mode to test datasets.
    """
    decided: dict[str, Decision] = {}
    for dataset_id, dataset in catalog.items():
        policy = policy_for(settings, dataset)
        tier = Tier.CONTROLLED if test_mode else tier_of(identity, policy)
        most = allowed(settings, policy, tier, entry)
        if most is not None:
            decided[dataset_id] = Decision(policy, tier, effective(requested, most), most)
    return decided


def describable(decision: Decision, requested: Granularity) -> Decision:
    """A dataset's own record in ``/datasets``, for a caller who sees the dataset counted.

    Whoever may see a dataset's counts sees it named in every result set; its description
    (the catalogue's record, no person's) is listed beside the others for that caller, so
    that ``/datasets`` names every dataset a result set may come from. A dataset seen only as
    a yes/no (never named in an answer) stays unlisted.
    """
    if requested is Granularity.RECORD and decision.granularity is Granularity.COUNT:
        return replace(decision, granularity=Granularity.RECORD)
    return decision


def returned_granularity(
    settings: Settings, requested: Granularity, decisions: list[Decision]
) -> Granularity:
    """The response's returnedGranularity: the most detail any answering dataset is given.

    Each result set that is answered at less says so in its ``info``; with no dataset in scope
    nothing can leak, and the request (within the node cap) is echoed.
    """
    if not decisions:
        return effective(requested, Granularity(settings.node.max_granularity))
    return max(d.granularity for d in decisions)


def security_attributes(settings: Settings) -> dict[str, object]:
    """``securityAttributes`` of /configuration, generated from the access policies."""
    undeclared = "PUBLIC" if settings.access.undeclared_datasets == "public" else "CONTROLLED"
    levels = {p.security_level for p in settings.access.datasets} | {undeclared}
    return {
        "defaultGranularity": settings.server.default_granularity,
        "securityLevels": [level for level in LEVELS if level in levels],
    }
