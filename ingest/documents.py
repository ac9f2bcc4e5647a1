"""Stage 3: canonical alleles, their carriers and annotations -> stored variant documents.

A variant document is lean (``beacon/store/collections.py``, docs/design.md §5): short typed
fields for what queries and counts read, compact forms of the annotations that are only shown,
and the packed carriers. The node renders the Beacon record from it (``beacon/node/render.py``):
nothing derivable (the VRS location, ``sequence_id``, ``alternateBases``, the dataset's own
frequency block) is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from bson import Binary

from beacon.protocol import genome
from beacon.protocol.filters import term_ids
from beacon.store import carriers as packed
from beacon.store import collections as c
from beacon.store.documents import (
    compact_block,
    compact_effects,
    molecular_effects,
    variant_internal_id,
    variant_key,
)
from ingest.normalise import Allele, hgvs_id

#: Carriers beyond this many packed bytes move to the carriers collection, in chunks.
INLINE_CARRIER_BYTES = 16 * 1024
CHUNK_SAMPLES = 65536

#: The carrier groups of a variant, in the order they are packed and stored.
CARRIER_GROUPS = ("het", "hom", "hemi")


@dataclass
class Carriers:
    """Sample indices per zygosity for one allele (sorted, unique)."""

    het: npt.NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, np.uint32))
    hom: npt.NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, np.uint32))
    hemi: npt.NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, np.uint32))

    def items(self) -> list[tuple[str, npt.NDArray[np.uint32]]]:
        return list(zip(CARRIER_GROUPS, (self.het, self.hom, self.hemi), strict=True))

    def all(self) -> npt.NDArray[np.uint32]:
        return packed.union([self.het, self.hom, self.hemi])

    @property
    def count(self) -> int:
        return int(self.het.size + self.hom.size + self.hemi.size)


@dataclass
class Annotation:
    """What annotations and INFO say about one allele; every field optional."""

    ids: list[str] = field(default_factory=list)  # rs ids and other ID-column ids
    genes: list[str] = field(default_factory=list)
    aminoacid_changes: list[str] = field(default_factory=list)
    effects: list[dict[str, str]] = field(default_factory=list)
    transcript_hgvs: list[str] = field(default_factory=list)
    protein_hgvs: list[str] = field(default_factory=list)
    clinical: list[dict[str, Any]] = field(default_factory=list)
    clinvar_id: str | None = None
    populations: list[Any] = field(default_factory=list)  # blocks, Beacon or compact form
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Counts:
    """Allele count and number, and carriers by zygosity, over the dataset's samples."""

    ac: int | None = None
    an: int | None = None
    het: int = 0
    hom: int = 0
    hemi: int = 0
    carriers: int = 0

    def as_doc(self) -> dict[str, int]:
        return counts_doc(self.ac, self.an, self.het, self.hom, self.hemi)


def counts_doc(ac: int | None, an: int | None, het: int, hom: int, hemi: int) -> dict[str, int]:
    """The stored counts (``V_COUNTS``): unknown ones and zero carrier counts left out."""
    doc: dict[str, int] = {}
    if ac is not None:
        doc["ac"] = ac
    if an is not None:
        doc["an"] = an
    if het:
        doc["het"] = het
    if hom:
        doc["hom"] = hom
    if hemi:
        doc["hemi"] = hemi
    return doc


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def attach_carriers(doc: dict[str, Any], blobs: dict[str, bytes]) -> None:
    """The one rule of where carriers go: packed sets (het, hom, hemi) up to
    ``INLINE_CARRIER_BYTES`` in all are kept in the variant document; more spill to the
    carriers collection (``carrier_chunks``), and the document says so."""
    # Plain bytes are stored as BSON binary (subtype 0) and read back as bytes: no Binary
    # wrapper needed, and building one per allele costs more than the encoding itself.
    inline = {name: blob for name, blob in blobs.items() if blob}
    if not inline:
        return
    if sum(len(b) for b in inline.values()) > INLINE_CARRIER_BYTES:
        doc[c.V_SPILLED] = True
    else:
        doc[c.V_CARRIERS] = inline


def carrier_chunks(key: int, dataset_id: str, carriers: Carriers) -> list[dict[str, Any]]:
    """Carrier documents of a spilled variant: one per block of 65,536 sample indices."""
    blocks: dict[int, dict[str, Any]] = {}
    for name, arr in carriers.items():
        for block in np.unique(arr // CHUNK_SAMPLES):
            part = arr[(arr // CHUNK_SAMPLES) == block]
            doc = blocks.setdefault(
                int(block),
                {
                    "_id": f"{key}:{int(block)}",
                    c.C_VARIANT: key,
                    c.C_CHUNK: int(block),
                    c.DATASET_ID: dataset_id,
                },
            )
            doc[name] = Binary(packed.encode_indices(part))
    return [blocks[b] for b in sorted(blocks)]


#: Where a variant's filterable terms sit, as the filtering terms name the field.
EFFECTS_FIELD = "molecularAttributes.molecularEffects"
CLINICAL_FIELDS = {
    "effect": "variantLevelData.clinicalInterpretations.effect",
    "conditionId": "variantLevelData.clinicalInterpretations.conditionId",
}


def variant_term_fields(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Ontology terms a stored variant can be filtered on (its molecular effects and clinical
    terms), each with the fields of the Beacon record it sits in."""
    found: dict[str, set[str]] = {}

    def add(term: str, field_path: str) -> None:
        for part in term_ids(term):
            found.setdefault(part, set()).add(field_path)

    for effect in molecular_effects(doc.get(c.V_EFFECTS, [])):
        if isinstance(effect.get("id"), str):
            add(effect["id"], EFFECTS_FIELD)
    for item in doc.get(c.V_CLINICAL, []):
        for key, field_path in CLINICAL_FIELDS.items():
            term = item.get(key)
            if isinstance(term, dict) and isinstance(term.get("id"), str):
                add(term["id"], field_path)
            elif key == "conditionId" and isinstance(term, str) and ":" in term:
                add(term, field_path)
    return found


def variant_terms(doc: dict[str, Any]) -> list[str]:
    """Ontology terms a variant can be filtered on: its molecular effects and clinical terms."""
    return sorted(variant_term_fields(doc))


def alternative_ids(ids: list[str]) -> list[str]:
    """The ids of the ID column as stored (``V_ALT_IDS``)."""
    return [i for i in _dedupe(ids) if i != "."]


def annotate(doc: dict[str, Any], note: Annotation) -> None:
    """Put what the annotation says in a variant document, in the stored compact forms."""
    if note.transcript_hgvs:
        doc[c.V_TRANSCRIPT_HGVS] = _dedupe(note.transcript_hgvs)
    if note.protein_hgvs:
        doc[c.V_PROTEIN_HGVS] = _dedupe(note.protein_hgvs)
    if note.clinvar_id:
        doc[c.V_CLINVAR] = note.clinvar_id
    if note.ids:
        alt_ids = alternative_ids(note.ids)
        if alt_ids:
            doc[c.V_ALT_IDS] = alt_ids
    if note.genes:
        doc[c.GENE_IDS] = _dedupe(note.genes)
    if note.aminoacid_changes:
        doc[c.AMINOACID_CHANGES] = _dedupe(note.aminoacid_changes)
    if note.effects:
        seen: dict[str, dict[str, str]] = {}
        for effect in note.effects:
            seen.setdefault(effect["id"], effect)
        doc[c.V_EFFECTS] = compact_effects(list(seen.values()))
    if note.clinical:
        doc[c.V_CLINICAL] = note.clinical
    if note.effects or note.clinical:
        terms = variant_terms(doc)
        if terms:
            doc[c.TERMS] = terms
    if note.populations:
        doc[c.V_POPULATIONS] = [compact_block(b) for b in note.populations]
    if note.quality:
        doc[c.V_QUALITY] = note.quality


def core_document(allele: Allele, refseq: str, counts: dict[str, int]) -> dict[str, Any]:
    """The stored document of one allele without its annotations and carriers: the fields
    queries read, and its genomic HGVS id (``refseq`` is its chromosome's sequence)."""
    internal_id = variant_internal_id(
        allele.chrom, allele.start, allele.ref, allele.alt, allele.end
    )
    doc: dict[str, Any] = {
        "_id": variant_key(internal_id),
        c.VARIANT_INTERNAL_ID: internal_id,
        c.V_CHROM: allele.chrom,
        c.V_START: allele.start,
        c.V_END: allele.end,
        c.V_REF: allele.ref,
        c.V_ALT: allele.alt,
        c.V_TYPE: allele.type,
        c.V_LENGTH: allele.length,
        c.V_COUNTS: counts,
    }
    if allele.mate_chrom:
        doc[c.V_MATE] = allele.mate_chrom
        if allele.mate_pos:
            doc[c.V_MATE_POS] = allele.mate_pos
    hgvs = hgvs_id(refseq, allele)
    if hgvs:
        doc[c.HGVS_ID] = hgvs
    return doc


def variant_document(
    dataset_id: str,
    assembly: str,
    allele: Allele,
    counts: Counts,
    annotation: Annotation | None = None,
    carriers: Carriers | None = None,
) -> dict[str, Any]:
    """The stored document of one allele in one dataset (the dataset is its collection's)."""
    doc = core_document(allele, genome.contig(assembly, allele.chrom).refseq, counts.as_doc())
    if annotation is not None:
        annotate(doc, annotation)
    if carriers is not None:
        blobs = {name: packed.encode_indices(arr) for name, arr in carriers.items() if arr.size}
        attach_carriers(doc, blobs)
    return doc
