"""A parsed request understood: every check that depends on the request alone, done once.

Node and aggregator both call :func:`understand` before any dataset or node is considered, so
a request that cannot be answered is the same 400 whoever answers it and whatever data they
hold: a bad ``variantType`` is a 400 on a node with no data, and at the network before any
node is asked. What needs the data (is this filter id known?) is decided later, by the node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from beacon.protocol import entry_types as et
from beacon.protocol.errors import BadRequest
from beacon.protocol.filters import AlphanumericFilter, Filter, TermFilter
from beacon.protocol.request import BeaconRequest
from beacon.protocol.variants import VariantQuery, classify

#: The GDI portal's population filters (``sexFilter``, ``countryFilter``), on /g_variants.
POPULATION_FILTERS = ("sexFilter", "countryFilter")
_SEXES = {"m": "M", "male": "M", "f": "F", "female": "F"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Population:
    """Which population frequencies a /g_variants answer reports."""

    sex: str | None = None  # "M" or "F"
    country: str | None = None  # ISO 3166 alpha-2

    @property
    def label(self) -> str:
        return "_".join(p for p in (self.country, self.sex) if p)


@dataclass(frozen=True)
class Understood:
    request: BeaconRequest
    variant: VariantQuery | None = None
    population: Population | None = None


def bad_filter(index: int, message: str) -> BadRequest:
    return BadRequest(f"parameter 'filters[{index}]': {message}", parameter="filters")


def is_population(flt: Filter) -> bool:
    return flt.id.split(":", 1)[0] in POPULATION_FILTERS and flt.scope in (None, "population")


def _population(filters: tuple[Filter, ...], entry: et.EntryType) -> Population | None:
    found: Population | None = None
    for i, flt in enumerate(filters):
        if not is_population(flt):
            continue
        if entry is not et.G_VARIANTS:
            raise bad_filter(i, f"{flt.id} selects population frequencies of /g_variants only")
        if isinstance(flt, AlphanumericFilter):
            if flt.operator != "=":
                raise bad_filter(i, f"{flt.id} takes the operator =")
            value = flt.value
        else:
            value = flt.id.partition(":")[2]
        current = found or Population()
        if flt.id.startswith("sexFilter"):
            sex = _SEXES.get(value.strip().lower())
            if sex is None:
                raise bad_filter(i, f"sexFilter is M or F, not {value!r}")
            found = Population(sex, current.country)
        else:
            country = value.strip().upper()
            if not _COUNTRY.match(country):
                raise bad_filter(i, f"countryFilter is an ISO 3166 two-letter code, not {value!r}")
            found = Population(current.sex, country)
    return found


def _check_filter(index: int, flt: Filter, entry: et.EntryType) -> None:
    if isinstance(flt, TermFilter) and flt.similarity != "exact":
        raise bad_filter(index, f"similarity {flt.similarity!r} is not supported; use 'exact'")
    if flt.scope is None:
        return
    scope = et.lookup_id(flt.scope)
    if scope is None:
        raise bad_filter(index, f"scope {flt.scope!r} is not an entry type of this beacon")
    check_scope(scope, entry)


def check_scope(scope: et.EntryType, entry: et.EntryType) -> None:
    """Filters on ``scope`` records can select ``entry`` records, or this is a 400.

    A cohort covers its members, so a filter on cohorts selects the records of their people
    (individuals, their biosamples, runs, analyses and variants); one on datasets selects no
    records of a dataset's people."""
    if scope is entry or (entry.per_dataset and scope is et.COHORTS):
        return
    if not entry.per_dataset or scope is et.DATASETS:
        raise BadRequest(
            f"filters on {scope.id} records do not apply to /{entry.path}", parameter="filters"
        )


def understand(request: BeaconRequest) -> Understood:
    """Check and resolve everything in ``request`` that needs no data; 400 for what is wrong."""
    entry = request.route.entry
    variant = None if request.variant.is_empty() else classify(request.variant)
    if variant is not None and not entry.per_dataset:
        raise BadRequest(
            f"variant parameters do not apply to /{entry.path}", parameter="requestParameters"
        )
    for i, flt in enumerate(request.filters):
        if not is_population(flt):
            _check_filter(i, flt, entry)
    return Understood(request, variant, _population(request.filters, entry))
