"""Allele frequencies per country and sex, computed from the genotypes and the metadata.

Pure. A variants load keeps, per allele, its carriers by zygosity (sample indices) and the
samples with fewer than two called alleles (``_calls``); the samples table links each sample
to its individual, and the individuals say their sex and country (``geographicOrigin``, as an
ISO 3166 code or a country name). Those make the populations of a dataset: each country ``FI``,
and ``FI_M`` / ``FI_F`` within it; and, when the dataset's people are not all of one country,
``M`` and ``F`` over all of them. Each is a boolean mask over the sample indices, so a
variant's frequencies in every population cost a few vector sums. Any VCF gives them once its
samples are linked, whichever of the VCF and the metadata was loaded first (the link is made
when the node reads the samples table).

The rows have the seven fields the GDI portal reads: ``alleleCount``, ``alleleNumber``,
``alleleFrequency``, ``alleleCountHomozygous``, ``alleleCountHeterozygous`` and
``alleleCountHemizygous`` (people, not alleles), under the population label. They replace the
dataset's own block (``Beacon dataset <id>``); a population a VCF's INFO gave is kept under its
own source, unless it is the same population with the same counts (then it is the dataset's
own, said twice).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pycountry

from beacon.protocol.understand import Population

Mask = npt.NDArray[np.bool_]
Indices = npt.NDArray[np.uint32]

#: The labels the GDI portal parses: a country, a country and a sex, or a sex.
LABEL = re.compile(r"^(?:(?P<country>[A-Z]{2})(?:_(?P<sex>[MF]))?|(?P<only>[MF]))$")
_SEXES = {"NCIT:C16576": "F", "NCIT:C20197": "M", "female": "F", "male": "M"}
_ISO = re.compile(r"^(?:ISO3166(?:-1)?:)?(?P<code>[A-Za-z]{2})$")


def own_source(dataset_id: str) -> str:
    """The ``source`` of the block of the dataset's own frequencies."""
    return f"Beacon dataset {dataset_id}"


def sex_of(individual: Mapping[str, Any]) -> str | None:
    """M or F from an individual's ``sex`` term (NCIT), else None."""
    sex = individual.get("sex")
    if not isinstance(sex, dict):
        return None
    return _SEXES.get(str(sex.get("id", ""))) or _SEXES.get(str(sex.get("label", "")).lower())


@functools.lru_cache(maxsize=1024)
def iso_code(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country named by its code or its name, else None."""
    found = _ISO.match(text.strip())
    try:
        country = pycountry.countries.lookup(found["code"] if found else text.strip())
    except LookupError:
        return None
    code = getattr(country, "alpha_2", None)
    return code if isinstance(code, str) else None


def country_of(individual: Mapping[str, Any]) -> str | None:
    """The ISO code of an individual's ``geographicOrigin`` (by its id or its label)."""
    origin = individual.get("geographicOrigin")
    if not isinstance(origin, dict):
        return None
    for value in (origin.get("id"), origin.get("label")):
        if isinstance(value, str) and value and (code := iso_code(value)):
            return code
    return None


@dataclass(frozen=True)
class Groups:
    """A dataset's populations over the sample indices of its variants load."""

    masks: dict[str, Mask] = field(default_factory=dict)
    samples: int = 0  # the samples table's size

    @classmethod
    def build(
        cls, individual_of: list[str | None], people: Mapping[str, tuple[str | None, str | None]]
    ) -> Groups:
        """``individual_of``: sample index -> individual id; ``people``: individual id ->
        (sex, country)."""
        size = len(individual_of)
        sexes = np.array([(people.get(i or "") or (None, None))[0] or "" for i in individual_of])
        countries = np.array(
            [(people.get(i or "") or (None, None))[1] or "" for i in individual_of]
        )
        masks: dict[str, Mask] = {}
        known = sorted(set(countries.tolist()) - {""})
        for country in known:
            place = countries == country
            masks[country] = place
            for sex in ("F", "M"):
                both = place & (sexes == sex)
                if both.any():
                    masks[f"{country}_{sex}"] = both
        linked = (sexes != "") | (countries != "")
        one_country = len(known) == 1 and bool((countries[linked] != "").all())
        if not one_country:  # otherwise each sex is its country's, said again
            for sex in ("F", "M"):
                if (sexes == sex).any():
                    masks[sex] = sexes == sex
        return cls(masks, size)

    def chosen(self, population: Population) -> set[str]:
        return chosen(population, self.masks)

    def mask(self, labels: Iterable[str]) -> Mask | None:
        picked = [self.masks[label] for label in labels if label in self.masks]
        if not picked:
            return None
        return np.logical_or.reduce(picked) if len(picked) > 1 else picked[0]


def chosen(population: Population, labels: Iterable[str]) -> set[str]:
    """The labels a population filter selects among ``labels``: the country and sex's, the
    country's, or the sex's (over all countries; its countries' rows when there is none)."""
    present = set(labels)
    if population.country and population.sex:
        return {f"{population.country}_{population.sex}"} & present
    if population.country:
        return {population.country} & present
    sex = population.sex or ""
    if sex in present:
        return {sex}
    return {
        label for label in present if (m := LABEL.match(label)) and m["country"] and m["sex"] == sex
    }


@dataclass(frozen=True)
class Genotypes:
    """What a variants load keeps of one allele: carriers by zygosity, the samples with fewer
    than two called alleles (None when not kept), and the allele number over all samples."""

    het: Indices
    hom: Indices
    hemi: Indices
    one: Indices | None = None
    none: Indices | None = None
    an: int | None = None


def _within(mask: Mask, indices: Indices) -> int:
    inside = indices[indices < mask.size]
    return int(mask[inside].sum())


def row(label: str, mask: Mask, found: Genotypes, samples: int) -> dict[str, Any] | None:
    """One population's frequency row, or None when its allele number is not known (or 0):
    a frequency needs one, and the schema requires it. The allele number is exact when the
    load kept the partial calls, or when every sample of the load was called diploid
    (AN = 2 x samples)."""
    het, hom, hemi = (_within(mask, x) for x in (found.het, found.hom, found.hemi))
    ac = het + 2 * hom + hemi
    members = int(mask.sum())
    an: int | None = None
    if found.one is not None and found.none is not None:
        an = 2 * members - _within(mask, found.one) - 2 * _within(mask, found.none)
    elif found.an is not None and found.an == 2 * samples:
        an = 2 * members
    if not an:
        return None
    return {
        "population": label,
        "alleleFrequency": round(ac / an, 8),
        "alleleCount": ac,
        "alleleNumber": an,
        "alleleCountHomozygous": hom,
        "alleleCountHeterozygous": het,
        "alleleCountHemizygous": hemi,
    }


def rows(groups: Groups, found: Genotypes) -> list[dict[str, Any]]:
    """The frequency row of every population whose allele number is known, countries first
    (each followed by its sexes)."""
    made = (row(label, mask, found, groups.samples) for label, mask in groups.masks.items())
    return [r for r in made if r is not None]


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("alleleCount", "alleleNumber")
    return all(a.get(k) == b.get(k) for k in keys) and a.get("alleleCount") is not None


def merge(record: dict[str, Any], dataset_id: str, computed: list[dict[str, Any]]) -> None:
    """Put the computed rows in ``record`` as the dataset's own block (first), drop the old
    own block, and drop a row another source gave that is the same population with the same
    counts (the dataset's own, said twice)."""
    if not computed:
        return
    mine = {r["population"]: r for r in computed}
    blocks = []
    for block in record.get("frequencyInPopulations", []):
        if block.get("source") == own_source(dataset_id):
            continue
        kept = [
            f
            for f in block.get("frequencies", [])
            if not (f.get("population") in mine and _same(f, mine[f["population"]]))
        ]
        if kept:
            blocks.append({**block, "frequencies": kept})
    own = {"source": own_source(dataset_id), "sourceReference": dataset_id, "frequencies": computed}
    record["frequencyInPopulations"] = [own, *blocks]


def select(records: list[dict[str, Any]], population: Population | None) -> list[dict[str, Any]]:
    """Keep only the frequencies of the population the GDI portal's filters asked for."""
    if population is None:
        return records
    selected = []
    for record in records:
        blocks = []
        for block in record.get("frequencyInPopulations", []):
            frequencies = block.get("frequencies", [])
            labels = chosen(population, (str(f.get("population", "")) for f in frequencies))
            kept = [f for f in frequencies if f.get("population") in labels]
            if kept:
                blocks.append({**block, "frequencies": kept})
        trimmed = {k: v for k, v in record.items() if k != "frequencyInPopulations"}
        if blocks:
            trimmed["frequencyInPopulations"] = blocks
        selected.append(trimmed)
    return selected


def stored_observed(
    blocks: Iterable[Mapping[str, Any]], population: Population, floor: int = 1
) -> bool:
    """Do a variant's frequency blocks (a VCF's INFO populations) show the allele in the
    population, at least ``floor`` times?"""
    for block in blocks:
        frequencies = block.get("frequencies", []) or []
        labels = chosen(population, (str(f.get("population", "")) for f in frequencies))
        for item in frequencies:
            count = item.get("alleleCount")
            if item.get("population") in labels and _number(count) >= max(1, floor):
                return True
    return False


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def carried_by(mask: Mask, found: Genotypes, floor: int = 1) -> bool:
    """Do the samples of the mask carry the allele, at least ``floor`` copies (the rare-allele
    floor applies inside the population asked about, not only to the whole dataset)?"""
    het, hom, hemi = (_within(mask, x) for x in (found.het, found.hom, found.hemi))
    return het + 2 * hom + hemi >= max(1, floor)
