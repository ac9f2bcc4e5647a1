"""Allele frequencies a VCF already carries in INFO, in the shape the GDI portal reads.

Pure functions. A *population field* is a per-ALT (``Number=A``) INFO field named
``<POP>_AF`` (1000 Genomes: ``EUR_AF``) or ``AF_<pop>`` (gnomAD: ``AF_nfe``); its companions
``<POP>_AC``/``AC_<pop>``, ``<POP>_AN``/``AN_<pop>`` and ``nhomalt_<pop>`` are used when present.
Each becomes one entry of ``frequencyInPopulations[].frequencies`` with the population label as
written, so labels stay stable and parseable (docs/design.md §8). For sites-only files the plain
``AC``/``AN`` (and ``AC_Hom``/``AC_Het``/``AC_Hemi`` when given) are the dataset's own counts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from beacon.store.documents import frequency_row, population_block
from ingest.documents import Counts

_SUFFIX = re.compile(r"^(?P<pop>[A-Za-z0-9]+)_AF$")
_PREFIX = re.compile(r"^AF_(?P<pop>[A-Za-z0-9_]+)$")
SITE_KEYS = ("AC", "AN", "AF", "AC_Hom", "AC_Het", "AC_Hemi")


@dataclass(frozen=True)
class PopulationField:
    population: str
    af: str
    ac: str | None = None
    an: str | None = None
    hom: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.af, self.ac, self.an, self.hom) if k)


def population_fields(numbers: dict[str, str]) -> list[PopulationField]:
    """The population fields among INFO ids (id -> declared ``Number``)."""
    found = []
    for key, number in numbers.items():
        match = _SUFFIX.match(key) or _PREFIX.match(key)
        if not match or number != "A":
            continue
        pop = match["pop"]
        suffix = key.endswith("_AF")

        def companion(kind: str, pop: str = pop, suffix: bool = suffix) -> str | None:
            name = f"{pop}_{kind}" if suffix else f"{kind}_{pop}"
            return name if name in numbers else None

        hom = f"nhomalt_{pop}" if f"nhomalt_{pop}" in numbers else None
        found.append(PopulationField(pop, key, companion("AC"), companion("AN"), hom))
    return sorted(found, key=lambda f: f.population)


def per_allele(value: Any, k: int) -> Any:
    """The k-th (0-based ALT) value of a ``Number=A`` field; scalars are the single ALT's."""
    if isinstance(value, tuple | list):
        return value[k] if k < len(value) else None
    return value if k == 0 else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is how cyvcf2 says "missing"


@functools.lru_cache(maxsize=65536)
def _frequency(af: float) -> float:
    # INFO floats arrive as float32: keep the digits the file wrote, not the binary noise.
    # Cached: a file repeats the same few thousand frequencies over and over.
    return 0.0 if af == 0 else float(f"{af:.6g}")


@functools.lru_cache(maxsize=65536)
def _frequency_only(population: str, value: Any) -> str | None:
    """The row of a population field without companions: cached, as files repeat the same
    few thousand frequencies."""
    af = _number(value)
    return frequency_row(population, [_frequency(af)]) if af is not None else None


def populations(
    info: dict[str, Any], k: int, fields: list[PopulationField], source: str
) -> list[Any]:
    """The ``frequencyInPopulations`` block of ALT ``k`` from its INFO population fields, in
    its stored form (``beacon.store.documents.compact_block``; ``source`` is also its
    ``sourceReference``); none when no field has a value."""
    rows = [source, ""]
    for f in fields:
        value = info.get(f.af)
        if value is None:
            continue
        if type(value) in (tuple, list):
            value = value[k] if k < len(value) else None
        elif k:
            continue
        if f.ac is None and f.an is None and f.hom is None:
            row = _frequency_only(f.population, value)
            if row is not None:
                rows.append(row)
            continue
        af = _number(value)
        if af is None:
            continue
        values: list[float | None] = [_frequency(af), None, None, None]
        if f.ac is not None:
            ac = _number(per_allele(info.get(f.ac), k))
            values[1] = int(ac) if ac is not None else None
        if f.an is not None:
            an = _number(info.get(f.an))
            values[2] = int(an) if an is not None else None
        if f.hom is not None:
            hom = _number(per_allele(info.get(f.hom), k))
            values[3] = int(hom) if hom is not None else None
        while values[-1] is None:
            values.pop()
        rows.append(frequency_row(f.population, values))
    if len(rows) == 2:
        return []
    if "\t" in source:  # a name the stored string cannot hold: the block as it reads
        block = population_block("\t".join(["-", "", *rows[2:]]))
        return [{**block, "source": source, "sourceReference": source}]
    return ["\t".join(rows)]


def site_count(info: dict[str, Any], k: int) -> int | None:
    """INFO ``AC`` of ALT ``k`` (sites-only files), if given."""
    ac = _number(per_allele(info.get("AC"), k))
    return int(ac) if ac is not None else None


def site_counts(info: dict[str, Any], k: int) -> Counts | None:
    """The dataset's own counts of ALT ``k`` from INFO ``AC``/``AN`` (sites-only files)."""
    ac = _number(per_allele(info.get("AC"), k))
    an = _number(info.get("AN"))
    if ac is None or an is None:
        return None
    hom = _number(per_allele(info.get("AC_Hom"), k))
    het = _number(per_allele(info.get("AC_Het"), k))
    hemi = _number(per_allele(info.get("AC_Hemi"), k))
    # AC_Hom counts alleles in homozygous calls (two per diploid carrier), as ri-tools writes.
    n_hom = int(hom) // 2 if hom is not None else 0
    n_het = int(het) if het is not None else 0
    n_hemi = int(hemi) if hemi is not None else 0
    return Counts(
        ac=int(ac), an=int(an), het=n_het, hom=n_hom, hemi=n_hemi, carriers=n_het + n_hom + n_hemi
    )


def site_block(source: str, dataset_id: str, af: float) -> str:
    """The stored block of a sites-only file's own INFO ``AF`` (no AC/AN to count from)."""
    return "\t".join([source, "", frequency_row(dataset_id, [af])])


def site_frequency(info: dict[str, Any], k: int) -> float | None:
    """INFO ``AF`` of ALT ``k`` when no AC/AN are given."""
    af = _number(per_allele(info.get("AF"), k))
    return _frequency(af) if af is not None else None
