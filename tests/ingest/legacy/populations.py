"""Before the lean stored variant (issue 15): the oracle of tests/ingest/test_render.py."""

from __future__ import annotations

import functools
import re
from typing import Any

from ingest.vcf.populations import PopulationField
from tests.ingest.legacy.documents import Counts

_SUFFIX = re.compile(r"^(?P<pop>[A-Za-z0-9]+)_AF$")
_PREFIX = re.compile(r"^AF_(?P<pop>[A-Za-z0-9_]+)$")
SITE_KEYS = ("AC", "AN", "AF", "AC_Hom", "AC_Het", "AC_Hemi")


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


def populations(
    info: dict[str, Any], k: int, fields: list[PopulationField], source: str, reference: str
) -> list[dict[str, Any]]:
    """The ``frequencyInPopulations`` entry of ALT ``k`` from its INFO population fields."""
    frequencies = []
    for f in fields:
        af = _number(per_allele(info.get(f.af), k))
        if af is None:
            continue
        item: dict[str, Any] = {"population": f.population, "alleleFrequency": _frequency(af)}
        if f.ac is not None:
            ac = _number(per_allele(info.get(f.ac), k))
            if ac is not None:
                item["alleleCount"] = int(ac)
        if f.an is not None:
            an = _number(info.get(f.an))
            if an is not None:
                item["alleleNumber"] = int(an)
        if f.hom is not None:
            hom = _number(per_allele(info.get(f.hom), k))
            if hom is not None:
                item["alleleCountHomozygous"] = int(hom)
        frequencies.append(item)
    if not frequencies:
        return []
    return [{"source": source, "sourceReference": reference, "frequencies": frequencies}]


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


def site_frequency(info: dict[str, Any], k: int) -> float | None:
    """INFO ``AF`` of ALT ``k`` when no AC/AN are given."""
    af = _number(per_allele(info.get("AF"), k))
    return _frequency(af) if af is not None else None
