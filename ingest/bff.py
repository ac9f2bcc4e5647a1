"""Beacon-Friendly-Format (BFF) JSON: reading files and turning records into stored documents.

Reads JSON arrays (``.json``, ``.json.gz``) and JSON Lines (``.jsonl``, ``.jsonl.gz``). Records
keep their Beacon fields; fields starting with ``_`` (other tools' helpers such as ``_info`` and
``_position``) are dropped, because the node reserves them for its own helpers.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from beacon.protocol import genome, protein
from beacon.store import collections as c
from ingest.documents import Annotation
from ingest.errors import IngestError
from ingest.normalise import Allele, normalise

ENTITY_FILES = ("individuals", "biosamples", "runs", "analyses", "datasets", "cohorts")
VARIANT_FILES = ("genomicVariations", "genomicVariationsVcf", "g_variants")
_STRUCTURAL = ("DEL", "DUP", "CNV", "INV", "INS", "BND")
_GENOTYPE = re.compile(r"^[0-9.]+([/|][0-9.]+)*$")


class BffError(IngestError):
    """A BFF file or record that cannot be read; the message names the file and record."""


def _open(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def entity_name(path: Path) -> str:
    """``individuals.json.gz`` -> ``individuals``."""
    name = path.name
    for suffix in (".gz", ".jsonl", ".json"):
        name = name.removesuffix(suffix)
    return name


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one BFF file, in order."""
    lines = path.name.removesuffix(".gz").endswith(".jsonl")
    try:
        with _open(path) as fh:
            if lines:
                for number, line in enumerate(fh, 1):
                    if line.strip():
                        record = json.loads(line)
                        if not isinstance(record, dict):
                            raise BffError(f"{path}:{number}: a record must be a JSON object")
                        yield record
                return
            data = json.load(fh)
    except (OSError, ValueError, EOFError) as exc:
        if isinstance(exc, BffError):
            raise
        raise BffError(f"{path}: not readable as JSON: {exc}") from None
    items = data if isinstance(data, list) else [data]
    for index, record in enumerate(items):
        if not isinstance(record, dict):
            raise BffError(f"{path}[{index}]: a record must be a JSON object")
        yield record


def find_files(directory: Path) -> dict[str, Path]:
    """BFF files of a directory by entity name (variants under ``genomicVariations``)."""
    found: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file():
            continue
        name = entity_name(path)
        if name in ENTITY_FILES:
            found[name] = path
        elif name in VARIANT_FILES:
            found["genomicVariations"] = path
    return found


def public_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def metadata_document(record: dict[str, Any], dataset_id: str, where: str) -> dict[str, Any]:
    """A metadata record as stored: Beacon fields, ``_id`` = id, and ``datasetId``."""
    rid = record.get("id")
    if not isinstance(rid, str) or not rid:
        raise BffError(f"{where}: record has no string 'id'")
    doc = public_fields(record)
    doc["_id"] = rid
    doc[c.DATASET_ID] = dataset_id
    return doc


def cohort_members(cohorts: list[dict[str, Any]]) -> dict[str, set[str] | None]:
    """Each cohort's members: those listed in ``info.individualIds``, or (None) every
    individual of the dataset the cohort is loaded with. The Beacon cohort model has no member
    list, so this is the project's convention, documented in docs/loading-data.md."""
    members: dict[str, set[str] | None] = {}
    for cohort in cohorts:
        listed = (cohort.get("info") or {}).get("individualIds")
        members[cohort["_id"]] = {str(i) for i in listed} if isinstance(listed, list) else None
    return members


# -- genomic variations ------------------------------------------------------------------


def _chromosome(record: dict[str, Any]) -> str | None:
    location = record.get("variation", {}).get("location", {})
    candidates = [
        location.get("sequence_id", ""),
        str((record.get("_position") or {}).get("refseqId", "")),
        (record.get("identifiers") or {}).get("genomicHGVSId", "").partition(":")[0],
        str(record.get("variantInternalId", "")).split("_")[0],
    ]
    for candidate in candidates:
        resolved = genome.resolve(candidate) if candidate else None
        if resolved:
            return resolved.chrom
    return None


def variant_allele(record: dict[str, Any], where: str) -> Allele:
    """The canonical allele of a genomicVariations record (VCF-style or trimmed bases)."""
    variation = record.get("variation")
    if not isinstance(variation, dict):
        raise BffError(f"{where}: record has no 'variation'")
    try:
        interval = variation["location"]["interval"]
        start = int(interval["start"]["value"])
        end = int(interval["end"]["value"])
    except (KeyError, TypeError, ValueError):
        raise BffError(f"{where}: variation.location.interval start/end values missing") from None
    chrom = _chromosome(record)
    if chrom is None:
        raise BffError(f"{where}: no recognisable chromosome in the record")
    ref = variation.get("referenceBases", "")
    alt = variation.get("alternateBases", "")
    vtype = str(variation.get("variantType", "")).upper()
    if vtype in _STRUCTURAL and (alt in ("", "N", ".") or alt.startswith("<")):
        # A structural variant described by type and span: store it as the symbolic allele.
        symbolic = alt if alt.startswith("<") else f"<{vtype}>"
        return normalise(chrom, start, ref or "N", symbolic, end=end)
    if not ref or not alt:  # trimmed form without a padding base: keep the given span
        vtype = "INS" if not ref else "DEL"
        length = len(alt) if not ref else len(ref)
        return Allele(chrom, start, end, ref, alt, vtype, length)
    return normalise(chrom, start, ref, alt, end=end)


def zygosity(call: dict[str, Any]) -> str:
    """``het``, ``hom`` or ``hemi`` from a caseLevelData entry's genotype label or GENO id."""
    term = call.get("zygosity") or {}
    label = str(term.get("label", "")).strip()
    if _GENOTYPE.match(label):
        alleles = re.split(r"[/|]", label)
        alt = sum(1 for a in alleles if a not in ("0", "."))
        if len(alleles) == 1:
            return "hemi"
        return "hom" if alt == len(alleles) else "het"
    ident = str(term.get("id", ""))
    if ident.endswith("0000136"):
        return "hom"
    if ident.endswith("0000134"):
        return "hemi"
    return "het"


def annotation(record: dict[str, Any]) -> Annotation:
    """What a BFF variant record says besides its position."""
    molecular = record.get("molecularAttributes") or {}
    identifiers = record.get("identifiers") or {}
    effects = [
        {"id": e["id"], "label": e.get("label", e["id"])}
        for e in molecular.get("molecularEffects", [])
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    ]
    aa = [  # as written, and the spellings a VCF load stores (``V600E``, ``Val600Glu``)
        form
        for a in molecular.get("aminoacidChanges", [])
        if isinstance(a, str) and a not in ("", ".")
        for form in (a, *protein.forms(a))
    ]
    note = Annotation(
        genes=[g for g in molecular.get("geneIds", []) if isinstance(g, str) and g],
        aminoacid_changes=aa,
        effects=effects,
        transcript_hgvs=list(identifiers.get("transcriptHGVSIds", [])),
        protein_hgvs=list(identifiers.get("proteinHGVSIds", [])),
        clinvar_id=identifiers.get("clinvarVariantId"),
        populations=list(record.get("frequencyInPopulations", [])),
    )
    clinical = (record.get("variantLevelData") or {}).get("clinicalInterpretations")
    if isinstance(clinical, list):
        note.clinical = clinical
    return note
