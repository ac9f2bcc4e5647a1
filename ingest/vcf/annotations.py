"""What a VCF row's INFO says about each ALT: SnpEff ``ANN``, VEP ``CSQ``, ClinVar, frequencies.

Pure functions over header descriptions and INFO values (plain strings and numbers, as
``ingest/vcf.py`` yields them). The sub-field layout of ``ANN``/``CSQ`` is read from the header's
description, never assumed. Entries are matched to their ALT by the annotation's ``Allele``
field: SnpEff writes the ALT as in the VCF; VEP drops a first base shared by REF and every ALT
(``-`` when nothing is left) and names symbolic alleles by their type. Consequence terms become
Sequence Ontology terms; amino-acid changes (any kind: missense, synonymous, in-frame indels,
frameshifts ...) are stored in the one-letter form the Beacon spec queries (``V600E``) and the
three-letter form annotators write (``Val600Glu``), read by ``beacon.protocol.protein``. A file
with both ``ANN`` and ``CSQ`` is read for both.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from beacon.protocol import protein
from ingest.documents import Annotation
from ingest.vcf.effects import effect_term

_VEP_SV = {"DEL": "deletion", "DUP": "duplication", "INS": "insertion", "INV": "inversion"}

#: ClinVar significance (word or the old numeric code) -> Beacon clinicalRelevance.
_RELEVANCE = {
    "benign": "benign",
    "2": "benign",
    "likely_benign": "likely benign",
    "3": "likely benign",
    "benign/likely_benign": "likely benign",
    "uncertain_significance": "uncertain significance",
    "0": "uncertain significance",
    "likely_pathogenic": "likely pathogenic",
    "4": "likely pathogenic",
    "pathogenic/likely_pathogenic": "likely pathogenic",
    "pathogenic": "pathogenic",
    "5": "pathogenic",
}
_DISEASE = {"id": "MONDO:0000001", "label": "disease or disorder"}


@dataclass(frozen=True)
class Layout:
    """Where the fields we use sit in one ``ANN`` or ``CSQ`` entry."""

    key: str  # ANN or CSQ
    allele: int
    consequence: int
    gene: int | None
    feature: int | None
    feature_type: int | None
    hgvs_c: int | None
    hgvs_p: int | None
    amino_acids: int | None = None  # VEP: "V/E", or "L" when synonymous
    protein_position: int | None = None  # VEP: "600", "23-25"


def _fields_of(description: str) -> list[str]:
    text = description.split("Format:", 1)[1] if "Format:" in description else description
    if "'" in text:
        text = text.split("'")[1]
    return [f.strip() for f in text.strip().strip('"').split("|")]


def layout(key: str, description: str) -> Layout | None:
    """The layout of an ``ANN`` (SnpEff) or ``CSQ`` (VEP) INFO field from its description."""
    fields = _fields_of(description)
    where = {name.lower().replace(".", "_"): i for i, name in enumerate(fields)}

    def first(*names: str) -> int | None:
        return next((where[n] for n in names if n in where), None)

    allele = first("allele")
    consequence = first("annotation", "consequence")
    if allele is None or consequence is None:
        return None
    return Layout(
        key,
        allele,
        consequence,
        gene=first("gene_name", "symbol"),
        feature=first("feature_id", "feature"),
        feature_type=first("feature_type"),
        hgvs_c=first("hgvs_c", "hgvsc"),
        hgvs_p=first("hgvs_p", "hgvsp"),
        amino_acids=first("amino_acids"),
        protein_position=first("protein_position"),
    )


def vep_alleles(ref: str, alts: list[str]) -> list[str]:
    """How VEP names each ALT in ``CSQ``'s Allele field."""
    simple = [a for a in alts if not a.startswith("<") and a != "*"]
    shared = bool(simple) and all(a[:1] == ref[:1] for a in simple) and len(ref) > 0
    shared = shared and any(len(a) != len(ref) for a in simple)
    names = []
    for alt in alts:
        if alt.startswith("<"):
            names.append(_VEP_SV.get(alt[1:-1].split(":")[0].upper(), alt[1:-1]))
        elif shared and alt != "*":
            names.append(alt[1:] or "-")
        else:
            names.append(alt)
    return names


def split_entries(value: Any, fmt: Layout, ref: str, alts: list[str]) -> list[list[list[str]]]:
    """The annotation entries of a row, grouped by ALT (entries naming no ALT are dropped)."""
    text = value if isinstance(value, str) else ",".join(map(str, value))
    names = vep_alleles(ref, alts) if fmt.key == "CSQ" else alts
    index = {name: i for i, name in enumerate(names)}
    grouped: list[list[list[str]]] = [[] for _ in alts]
    for raw in text.split(","):
        entry = raw.split("|")
        if len(entry) <= fmt.consequence:
            continue
        k = index.get(entry[fmt.allele])
        if k is None and len(alts) == 1:
            k = 0  # one ALT: every entry is about it, however the tool spelled the allele
        if k is not None:
            grouped[k].append(entry)
    return grouped


def aminoacid_forms(hgvs_p: str) -> list[str]:
    """``p.Val600Glu`` -> ``["V600E", "Val600Glu"]``; also synonymous, in-frame, frameshift and
    multi-residue changes (``beacon.protocol.protein``); [] when it spells no change."""
    return protein.forms(hgvs_p)


def _vep_residues(entry: list[str], fmt: Layout) -> list[str]:
    """A change from VEP's Amino_acids and Protein_position, for entries whose HGVSp says none
    (a synonymous change is ``c.405T>C(p.=)``): ``L`` at 135 is ``L135=``, ``K/R`` ``K386R``."""
    residues = _field(entry, fmt.amino_acids)
    position = _field(entry, fmt.protein_position)
    if not position.isdigit() or not residues:
        return []
    ref, _, alt = residues.partition("/")
    if len(ref) != 1 or len(alt) > 1 or alt == "X":  # X: VEP's "some other residues" (fs)
        return []
    return protein.forms(f"{ref}{position}{alt or '='}")


def _field(entry: list[str], i: int | None) -> str:
    return entry[i] if i is not None and i < len(entry) else ""


def apply_entries(note: Annotation, entries: list[list[str]], fmt: Layout) -> None:
    """Add genes, effects, amino-acid changes and HGVS ids of one ALT's entries to ``note``."""
    for entry in entries:
        gene = _field(entry, fmt.gene)
        if gene:
            note.genes.append(gene)
        for term in _field(entry, fmt.consequence).split("&"):
            if term:
                note.effects.append(effect_term(term))
        hgvs_p = urllib.parse.unquote(_field(entry, fmt.hgvs_p))  # VEP writes = as %3D
        changes = aminoacid_forms(hgvs_p) if hgvs_p else []
        if not changes and fmt.key == "CSQ":
            changes = _vep_residues(entry, fmt)
        note.aminoacid_changes.extend(changes)
        if fmt.key == "CSQ" and ":p." in hgvs_p:  # VEP: ENSP...:p.X; SnpEff has no protein id
            note.protein_hgvs.append(hgvs_p)
        hgvs_c = _field(entry, fmt.hgvs_c)
        kind = _field(entry, fmt.feature_type).lower()
        # SnpEff writes n./c. notation for intergenic regions too, with a region as "feature".
        if hgvs_c and kind in ("", "transcript"):
            feature = _field(entry, fmt.feature)
            if ":" in hgvs_c:
                note.transcript_hgvs.append(hgvs_c)
            elif feature:
                note.transcript_hgvs.append(f"{feature}:{hgvs_c}")


# -- ClinVar ---------------------------------------------------------------------------------

CLINVAR_KEYS = {
    "sig": ("CLNSIG", "CLINVAR_CLNSIG"),
    "disease": ("CLNDN", "CLINVAR_CLNDN"),
    "db": ("CLNDISDB", "CLINVAR_CLNDISDB"),
}


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ",".join(map(str, value))
    return str(value)


def _curie(entry: str) -> str | None:
    """``MedGen:CN169374`` / ``Human_Phenotype_Ontology:HP:0000118`` -> a CURIE, else None."""
    parts = entry.split(":")
    if len(parts) >= 3:
        return ":".join(parts[-2:])
    if len(parts) == 2 and parts[0] and parts[1]:
        return entry
    return None


def clinical(info: dict[str, Any]) -> list[dict[str, Any]]:
    """ClinVar's interpretation of a row, as Beacon ``clinicalInterpretations``.

    ``CLNDN`` lists the diseases and ``CLNDISDB`` their ids, both separated by ``|``, a disease's
    several ids (MONDO, MedGen, OMIM, Orphanet ...) by ``,``: each disease is paired with its own
    ids only, and gives one interpretation per id (all with the disease's name as
    ``conditionId``), so every id is a filter and each record shows why it matched.
    """
    sig = next((info[k] for k in CLINVAR_KEYS["sig"] if k in info), None)
    if sig is None:
        return []
    diseases = next((_text(info[k]) for k in CLINVAR_KEYS["disease"] if k in info), "")
    databases = next((_text(info[k]) for k in CLINVAR_KEYS["db"] if k in info), "")
    relevances = []
    for term in re.split(r"[,|]", _text(sig)):
        relevance = _RELEVANCE.get(term.strip().lower())
        if relevance and relevance not in relevances:
            relevances.append(relevance)
    names = [d.replace("_", " ") if d and d != "." else "" for d in diseases.split("|")]
    groups = [[i for i in map(_curie, g.split(",")) if i] for g in databases.split("|")]
    found = []
    for i, name in enumerate(names if any(names) else ["not provided"]):
        ids = groups[i] if i < len(groups) and len(groups) == len(names) else []
        if not name and not ids:
            continue
        name = name or "not provided"
        effects = [{"id": curie, "label": name} for curie in ids] or [dict(_DISEASE)]
        for effect in effects:
            item: dict[str, Any] = {
                "conditionId": name,
                "effect": effect,
                "category": dict(_DISEASE),
            }
            if len(relevances) == 1:  # several means ClinVar itself is in conflict: say nothing
                item["clinicalRelevance"] = relevances[0]
            found.append(item)
    return found


# -- identifiers -----------------------------------------------------------------------------


def split_ids(ids: list[str], has_clinvar: bool) -> tuple[list[str], str | None]:
    """The ID column: rs ids and other ids, and ClinVar's variation id (a bare number)."""
    found: list[str] = []
    clinvar = None
    for ident in ids:
        if not ident or ident == ".":
            continue
        if ident.isdigit() and has_clinvar:
            clinvar = clinvar or f"clinvar:{ident}"
        else:
            found.append(ident)
    return found, clinvar


def identifiers(note: Annotation, ids: list[str], has_clinvar: bool) -> None:
    """``split_ids`` into an annotation."""
    found, clinvar = split_ids(ids, has_clinvar)
    note.ids.extend(found)
    note.clinvar_id = note.clinvar_id or clinvar
