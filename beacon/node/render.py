"""A lean stored variant document -> the Beacon genomicVariation record it stands for.

Pure: the document (``beacon/store/collections.py`` names its fields), its dataset and that
dataset's assembly in; the record out, valid against the genomicVariations default schema, in
the shape and key order it had when it was stored whole: VRS location with a CURIE
``sequence_id``, no nulls, symbolic alleles never in ``alternateBases``. What can be derived is
derived here (the location, ``sequence_id``, ``alternateBases``, the dataset's own frequency
block, ``dbSNP:`` of rs ids); the rest is read from the compact fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from beacon.node.frequencies import own_source
from beacon.protocol import genome
from beacon.store import collections as c
from beacon.store import documents


def is_symbolic(alt: str) -> bool:
    """A symbolic allele (``<DEL>``) or a breakend: not a sequence."""
    if alt.startswith("<"):
        return True
    return "[" in alt or "]" in alt or (len(alt) > 1 and (alt[0] == "." or alt[-1] == "."))


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


def variation(doc: Mapping[str, Any], assembly: str) -> dict[str, Any]:
    """The ``LegacyVariation`` with its VRS location; a breakend's also has its mate's
    (``mateLocation``, the base the breakend notation names), which the legacy model has no
    field for and allows (``additionalProperties``)."""
    alt = doc[c.V_ALT]
    body: dict[str, Any] = {
        "variantType": doc[c.V_TYPE],
        "referenceBases": doc[c.V_REF],
        # Symbolic alleles and breakends are not sequences: variantType and the interval say
        # what they are, and alternateBases is N, an unknown sequence (docs/design.md §1).
        "alternateBases": "N" if is_symbolic(alt) else alt,
        "location": location(assembly, doc[c.V_CHROM], doc[c.V_START], doc[c.V_END]),
    }
    mate, position = doc.get(c.V_MATE), doc.get(c.V_MATE_POS)
    if mate in genome.CHROMOSOMES and position:  # a decoy or unplaced mate has no RefSeq id
        body["mateLocation"] = location(assembly, mate, position - 1, position)
    return body


def own_frequencies(doc: Mapping[str, Any], dataset_id: str) -> dict[str, Any] | None:
    """The allele frequency of the dataset's own samples, in the shape the GDI portal reads;
    None without an allele number."""
    counts = doc.get(c.V_COUNTS) or {}
    an = counts.get("an")
    if not an:
        return None
    ac = counts.get("ac") or 0
    row = {
        "population": dataset_id,
        "alleleFrequency": round(ac / an, 8),
        "alleleCount": ac,
        "alleleNumber": an,
        "alleleCountHomozygous": counts.get("hom", 0),
        "alleleCountHeterozygous": counts.get("het", 0),
        "alleleCountHemizygous": counts.get("hemi", 0),
    }
    return {"source": own_source(dataset_id), "sourceReference": dataset_id, "frequencies": [row]}


def populations(doc: Mapping[str, Any], dataset_id: str) -> list[dict[str, Any]]:
    """``frequencyInPopulations``: the dataset's own block first, then the stored ones."""
    blocks = [documents.population_block(b) for b in doc.get(c.V_POPULATIONS, ())]
    own = own_frequencies(doc, dataset_id)
    return [own, *blocks] if own else blocks


def _identifiers(doc: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, name in (
        (c.HGVS_ID, "genomicHGVSId"),
        (c.V_TRANSCRIPT_HGVS, "transcriptHGVSIds"),
        (c.V_PROTEIN_HGVS, "proteinHGVSIds"),
        (c.V_CLINVAR, "clinvarVariantId"),
    ):
        if key in doc:
            found[name] = doc[key]
    if c.V_ALT_IDS in doc:
        found["variantAlternativeIds"] = [
            {"id": i if ":" in i else (f"dbSNP:{i}" if i.startswith("rs") else i)}
            for i in doc[c.V_ALT_IDS]
        ]
    return found


def variant(doc: Mapping[str, Any], dataset_id: str, assembly: str) -> dict[str, Any]:
    """The Beacon record of a stored variant of ``dataset_id`` (on ``assembly``)."""
    record: dict[str, Any] = {
        "datasetId": dataset_id,
        "variantInternalId": doc[c.VARIANT_INTERNAL_ID],
        "variation": variation(doc, assembly),
    }
    identifiers = _identifiers(doc)
    if identifiers:
        record["identifiers"] = identifiers
    molecular: dict[str, Any] = {}
    if c.GENE_IDS in doc:
        molecular["geneIds"] = doc[c.GENE_IDS]
    if c.AMINOACID_CHANGES in doc:
        molecular["aminoacidChanges"] = doc[c.AMINOACID_CHANGES]
    if c.V_EFFECTS in doc:
        molecular["molecularEffects"] = documents.molecular_effects(doc[c.V_EFFECTS])
    if molecular:
        record["molecularAttributes"] = molecular
    if c.V_CLINICAL in doc:
        record["variantLevelData"] = {"clinicalInterpretations": doc[c.V_CLINICAL]}
    frequencies = populations(doc, dataset_id)
    if frequencies:
        record["frequencyInPopulations"] = frequencies
    if c.V_QUALITY in doc:
        record["variantQuality"] = doc[c.V_QUALITY]
    return record
