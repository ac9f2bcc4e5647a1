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
