"""Deterministic keys of stored documents.

A variant's public id (``variantInternalId``) is readable and stable across datasets and
re-runs: ``<chrom>-<1-based POS>-<REF>-<ALT>`` as users type it (``22-16050075-A-G``). Long or
symbolic alleles get a short, deterministic form. Its ``_id`` is a signed 64-bit hash of that
id, so sample-first indexes store 8 bytes per call and ``/g_variants/{id}`` is an ``_id`` lookup.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from typing import Any

MAX_INLINE_ALLELE = 24


def variant_key(internal_id: str) -> int:
    """The ``_id`` of a variant document: 64 bits of BLAKE2b of its ``variantInternalId``."""
    digest = hashlib.blake2b(internal_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def variant_internal_id(chrom: str, start: int, ref: str, alt: str, end: int) -> str:
    """``22-16050075-A-G``; symbolic and long alleles keep the id short and unique.

    ``start`` is 0-based; the id shows the 1-based VCF position users know.
    """
    pos = start + 1
    if alt.startswith("<") and alt.endswith(">"):
        return f"{chrom}-{pos}-{alt[1:-1].replace(':', '_')}-{end}"
    if "[" in alt or "]" in alt or ((alt.startswith(".") or alt.endswith(".")) and len(alt) > 1):
        return f"{chrom}-{pos}-BND-{_digest(ref + '>' + alt)}"
    if len(ref) > MAX_INLINE_ALLELE or len(alt) > MAX_INLINE_ALLELE:
        return f"{chrom}-{pos}-{len(ref)}-{len(alt)}-{_digest(ref + '>' + alt)}"
    return f"{chrom}-{pos}-{ref or '-'}-{alt or '-'}"


def new_load_id() -> str:
    """A unique, time-ordered id for one load of a dataset."""
    return f"{int(time.time() * 1000):x}{os.urandom(3).hex()}"


# -- compact forms of a lean variant document's rendered-only fields (collections.py) --------

#: The keys of a frequency row, in the order rows are written; a compact row lists the values.
FREQUENCY_KEYS = (
    "population",
    "alleleFrequency",
    "alleleCount",
    "alleleNumber",
    "alleleCountHomozygous",
    "alleleCountHeterozygous",
    "alleleCountHemizygous",
)
_BLOCK_KEYS = ["source", "sourceReference", "frequencies"]
_POSITION = {key: i for i, key in enumerate(FREQUENCY_KEYS)}


def frequency_row(population: str, values: Sequence[float | None]) -> str:
    """One row of a stored block: the population, then the values of the other
    ``FREQUENCY_KEYS`` in order (``repr``, which reads back exactly), an unknown one empty;
    trailing unknowns are left out by the caller."""
    if len(values) == 1:
        return f"{population} {values[0]!r}"
    return " ".join([population, *("" if v is None else repr(v) for v in values)])


def _row_values(row: Any) -> list[float | None] | None:
    """A Beacon frequency row's values in ``FREQUENCY_KEYS`` order, or None when a row of text
    could not say it exactly (another key or order, a value not a number, a bad label)."""
    if not isinstance(row, dict) or next(iter(row), None) != "population":
        return None
    label = row["population"]
    if not isinstance(label, str) or not label or " " in label or "\t" in label:
        return None
    values: list[float | None] = []
    for key, value in list(row.items())[1:]:
        at = _POSITION.get(key, 0) - 1
        if at < len(values) or type(value) not in (int, float):
            return None
        values.extend([None] * (at - len(values)))
        values.append(value)
    return values


def compact_block(block: Any) -> Any:
    """A frequencyInPopulations block in its stored form, one string: source, sourceReference
    (empty when the same) and a ``frequency_row`` per frequency, tab-separated; or the block
    itself when a string could not say it exactly."""
    if not isinstance(block, dict) or list(block) != _BLOCK_KEYS:
        return block
    source, reference, rows = block["source"], block["sourceReference"], block["frequencies"]
    texts = (source, reference)
    if not all(isinstance(t, str) and t and "\t" not in t for t in texts):
        return block
    if not isinstance(rows, list):
        return block
    parts = [source, "" if reference == source else reference]
    for row in rows:
        values = _row_values(row)
        if values is None:
            return block
        parts.append(frequency_row(row["population"], values) if values else row["population"])
    return "\t".join(parts)


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def population_block(stored: Any) -> Any:
    """A stored block (``compact_block``) as the Beacon block it says."""
    if not isinstance(stored, str):
        return stored
    source, reference, *rows = stored.split("\t")
    frequencies = []
    for row in rows:
        label, *values = row.split(" ")
        found: dict[str, Any] = {"population": label}
        for i, value in enumerate(values, 1):
            if value:
                found[FREQUENCY_KEYS[i]] = _number(value)
        frequencies.append(found)
    return {"source": source, "sourceReference": reference or source, "frequencies": frequencies}


def population_labels(stored: Any) -> list[str]:
    """The population labels of a stored block, without rendering it."""
    if isinstance(stored, str):
        return [row.partition(" ")[0] for row in stored.split("\t")[2:]]
    rows = stored.get("frequencies", ()) if isinstance(stored, dict) else ()
    return [str(r.get("population", "")) for r in rows if isinstance(r, dict)]


def compact_effects(effects: list[dict[str, Any]]) -> list[Any]:
    """Molecular effects as [id, label, id, label ...] when each is exactly {id, label} (both
    strings); as given otherwise."""
    flat: list[Any] = []
    for effect in effects:
        if list(effect) != ["id", "label"] or not all(isinstance(v, str) for v in effect.values()):
            return list(effects)
        flat += [effect["id"], effect["label"]]
    return flat


def molecular_effects(stored: list[Any]) -> list[dict[str, Any]]:
    """Stored molecular effects (``compact_effects``) as Beacon ontology terms."""
    if stored and isinstance(stored[0], str):
        return [{"id": stored[i], "label": stored[i + 1]} for i in range(0, len(stored), 2)]
    return list(stored)
