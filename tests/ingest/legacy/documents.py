"""Before the lean stored variant (issue 15): the oracle of tests/ingest/test_render.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from bson import Binary

from beacon.protocol import genome
from beacon.protocol.filters import term_ids
from beacon.store import carriers as packed
from beacon.store.documents import variant_internal_id, variant_key
from ingest.documents import Annotation
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
        doc = {"het": self.het, "hom": self.hom, "hemi": self.hemi, "carriers": self.carriers}
        if self.ac is not None:
            doc["ac"] = self.ac
        if self.an is not None:
            doc["an"] = self.an
        return doc


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def location(assembly: str, chrom: str, start: int, end: int) -> dict[str, Any]:
    """A VRS 1.3 ``SequenceLocation`` (0-based, half-open) on a RefSeq sequence."""
    return {
        "type": "SequenceLocation",
        "sequence_id": genome.contig(assembly, chrom).sequence_id,
        "interval": {
            "type": "SequenceInterval",
            "start": {"type": "Number", "value": start},
            "end": {"type": "Number", "value": end},
        },
    }


def variation(assembly: str, allele: Allele) -> dict[str, Any]:
    """The ``LegacyVariation`` of an allele with its VRS location; a breakend's also has its
    mate's (``mateLocation``, the base the breakend notation names), which the legacy model
    has no field for and allows (``additionalProperties``)."""
    body: dict[str, Any] = {
        "variantType": allele.type,
        "referenceBases": allele.ref,
        # Symbolic alleles and breakends are not sequences: variantType and the interval say
        # what they are, and alternateBases is N, an unknown sequence (docs/design.md §1).
        "alternateBases": "N" if allele.symbolic else allele.alt,
        "location": location(assembly, allele.chrom, allele.start, allele.end),
    }
    mate, position = allele.mate_chrom, allele.mate_pos
    if mate in genome.CHROMOSOMES and position:  # a decoy or unplaced mate has no RefSeq id
        body["mateLocation"] = location(assembly, mate, position - 1, position)
    return body


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
        doc["_spilled"] = True
    else:
        doc["_carriers"] = inline


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
                    "v": key,
                    "k": int(block),
                    "datasetId": dataset_id,
                },
            )
            doc[name] = Binary(packed.encode_indices(part))
    return [blocks[b] for b in sorted(blocks)]


def frequency_block(dataset_id: str, population: str, counts: Counts) -> dict[str, Any] | None:
    """Allele frequency of the dataset's own samples, in the shape the GDI portal reads."""
    if not counts.an:
        return None
    ac = counts.ac or 0
    return {
        "population": population,
        "alleleFrequency": round(ac / counts.an, 8),
        "alleleCount": ac,
        "alleleNumber": counts.an,
        "alleleCountHomozygous": counts.hom,
        "alleleCountHeterozygous": counts.het,
        "alleleCountHemizygous": counts.hemi,
    }


#: Where a variant's filterable terms sit, as the filtering terms name the field.
EFFECTS_FIELD = "molecularAttributes.molecularEffects"
CLINICAL_FIELDS = {
    "effect": "variantLevelData.clinicalInterpretations.effect",
    "conditionId": "variantLevelData.clinicalInterpretations.conditionId",
}


def variant_term_fields(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Ontology terms a variant can be filtered on (its molecular effects and clinical terms),
    each with the fields it sits in."""
    found: dict[str, set[str]] = {}

    def add(term: str, field_path: str) -> None:
        for part in term_ids(term):
            found.setdefault(part, set()).add(field_path)

    for effect in doc.get("molecularAttributes", {}).get("molecularEffects", []):
        if isinstance(effect.get("id"), str):
            add(effect["id"], EFFECTS_FIELD)
    for item in doc.get("variantLevelData", {}).get("clinicalInterpretations", []):
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


def variant_document(
    dataset_id: str,
    assembly: str,
    allele: Allele,
    counts: Counts,
    annotation: Annotation | None = None,
    carriers: Carriers | None = None,
    population: str | None = None,
) -> dict[str, Any]:
    """The stored document of one allele in one dataset."""
    internal_id = variant_internal_id(
        allele.chrom, allele.start, allele.ref, allele.alt, allele.end
    )
    key = variant_key(internal_id)
    contig = genome.contig(assembly, allele.chrom)
    note = annotation or Annotation()
    identifiers: dict[str, Any] = {}
    hgvs = hgvs_id(contig.refseq, allele)
    if hgvs:
        identifiers["genomicHGVSId"] = hgvs
    if note.transcript_hgvs:
        identifiers["transcriptHGVSIds"] = _dedupe(note.transcript_hgvs)
    if note.protein_hgvs:
        identifiers["proteinHGVSIds"] = _dedupe(note.protein_hgvs)
    if note.clinvar_id:
        identifiers["clinvarVariantId"] = note.clinvar_id
    alt_ids = [i for i in _dedupe(note.ids) if i != "."]
    if alt_ids:
        identifiers["variantAlternativeIds"] = [
            {"id": i if ":" in i else (f"dbSNP:{i}" if i.startswith("rs") else i)} for i in alt_ids
        ]
    doc: dict[str, Any] = {
        "_id": key,
        "datasetId": dataset_id,
        "variantInternalId": internal_id,
        "variation": variation(assembly, allele),
        "_chrom": allele.chrom,
        "_start": allele.start,
        "_end": allele.end,
        "_ref": allele.ref,
        "_alt": allele.alt,
        "_type": allele.type,
        "_len": allele.length,
        "_counts": counts.as_doc(),
    }
    if allele.mate_chrom:
        doc["_mate"] = allele.mate_chrom
    if identifiers:
        doc["identifiers"] = identifiers
    molecular: dict[str, Any] = {}
    if note.genes:
        molecular["geneIds"] = _dedupe(note.genes)
    if note.aminoacid_changes:
        molecular["aminoacidChanges"] = _dedupe(note.aminoacid_changes)
    if note.effects:
        seen: dict[str, dict[str, str]] = {}
        for effect in note.effects:
            seen.setdefault(effect["id"], effect)
        molecular["molecularEffects"] = list(seen.values())
    if molecular:
        doc["molecularAttributes"] = molecular
    if note.clinical:
        doc["variantLevelData"] = {"clinicalInterpretations": note.clinical}
    terms = variant_terms(doc)
    if terms:
        doc["_terms"] = terms
    populations = list(note.populations)
    own = frequency_block(dataset_id, population or dataset_id, counts)
    if own:
        populations.insert(
            0,
            {
                "source": f"Beacon dataset {dataset_id}",
                "sourceReference": dataset_id,
                "frequencies": [own],
            },
        )
    if populations:
        doc["frequencyInPopulations"] = populations
    if note.quality:
        doc["variantQuality"] = note.quality
    if carriers is not None:
        blobs = {name: packed.encode_indices(arr) for name, arr in carriers.items() if arr.size}
        attach_carriers(doc, blobs)
    return doc
