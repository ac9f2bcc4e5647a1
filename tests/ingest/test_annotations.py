"""Annotation parsing (SnpEff ANN, VEP CSQ, ClinVar, ID column) and INFO population frequencies."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.store.documents import population_block
from ingest.documents import Annotation
from ingest.vcf import annotations as ann
from ingest.vcf import populations as pops
from ingest.vcf.effects import effect_term

SNPEFF = (
    "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | "
    "Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | "
    "cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
    "ERRORS / WARNINGS / INFO'"
)
VEP = (
    "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|"
    "Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|cDNA_position"
)


def snpeff_entry(
    allele: str, effect: str, gene: str, kind: str, feature: str, c: str, p: str
) -> str:
    return "|".join(
        [
            allele,
            effect,
            "MODERATE",
            gene,
            gene,
            kind,
            feature,
            "protein_coding",
            "1/2",
            c,
            p,
            "",
            "",
            "",
            "",
            "",
        ]
    )


def vep_entry(allele: str, effect: str, gene: str, feature: str, c: str, p: str) -> str:
    return "|".join(
        [
            allele,
            effect,
            "MODERATE",
            gene,
            "ENSG1",
            "Transcript",
            feature,
            "protein_coding",
            "",
            "",
            c,
            p,
            "",
        ]
    )


def test_layouts_come_from_the_header() -> None:
    snpeff = ann.layout("ANN", SNPEFF)
    vep = ann.layout("CSQ", VEP)
    assert snpeff is not None
    assert vep is not None
    assert (snpeff.allele, snpeff.consequence, snpeff.gene, snpeff.hgvs_c, snpeff.hgvs_p) == (
        0,
        1,
        3,
        9,
        10,
    )
    assert (vep.allele, vep.consequence, vep.gene, vep.feature, vep.hgvs_c, vep.hgvs_p) == (
        0,
        1,
        3,
        6,
        10,
        11,
    )
    assert ann.layout("ANN", "Functional annotations without a format") is None


VEP_ALLELES = [
    ("SNV", "A", ["G"], ["G"]),
    ("deletion", "AT", ["A"], ["-"]),
    ("insertion", "A", ["ATT"], ["TT"]),
    ("multi-allelic indels", "AT", ["A", "ATT"], ["-", "TT"]),
    ("mixed SNV and insertion: no trimming", "A", ["AT", "G"], ["AT", "G"]),
    ("symbolic", "N", ["<DEL>", "<DUP:TANDEM>"], ["deletion", "duplication"]),
]


@pytest.mark.parametrize(
    ("ref", "alts", "names"), [c[1:] for c in VEP_ALLELES], ids=[c[0] for c in VEP_ALLELES]
)
def test_vep_allele_names(ref: str, alts: list[str], names: list[str]) -> None:
    assert ann.vep_alleles(ref, alts) == names


def test_snpeff_entries_follow_their_alt() -> None:
    fmt = ann.layout("ANN", SNPEFF)
    assert fmt is not None
    value = ",".join(
        [
            snpeff_entry(
                "T",
                "missense_variant",
                "BRAF",
                "transcript",
                "NM_004333.4",
                "c.1799T>A",
                "p.Val600Glu",
            ),
            snpeff_entry(
                "G",
                "synonymous_variant",
                "BRAF",
                "transcript",
                "NM_004333.4",
                "c.1799T>G",
                "p.Val600Val",
            ),
            snpeff_entry(
                "G", "intergenic_region", "X-Y", "intergenic_region", "X-Y", "n.100A>G", ""
            ),
        ]
    )
    groups = ann.split_entries(value, fmt, "A", ["T", "G"])
    first, second = Annotation(), Annotation()
    ann.apply_entries(first, groups[0], fmt)
    ann.apply_entries(second, groups[1], fmt)
    assert first.genes == ["BRAF"]
    assert first.effects == [{"id": "SO:0001583", "label": "missense_variant"}]
    assert first.aminoacid_changes == ["V600E", "Val600Glu"]
    assert first.transcript_hgvs == ["NM_004333.4:c.1799T>A"]
    assert first.protein_hgvs == []  # SnpEff names no protein
    assert second.genes == ["BRAF", "X-Y"]
    assert [e["id"] for e in second.effects] == ["SO:0001819", "SO:0000605"]
    assert second.aminoacid_changes == ["V600=", "Val600="]  # synonymous: searchable too
    assert second.transcript_hgvs == ["NM_004333.4:c.1799T>G"]  # not the intergenic n. form


def test_vep_entries_of_a_deletion() -> None:
    fmt = ann.layout("CSQ", VEP)
    assert fmt is not None
    value = vep_entry(
        "-",
        "frameshift_variant&splice_region_variant",
        "PER3",
        "ENST1",
        "ENST1:c.5del",
        "ENSP1:p.Gly2AlafsTer3",
    )
    (entries,) = ann.split_entries(value, fmt, "AT", ["A"])
    note = Annotation()
    ann.apply_entries(note, entries, fmt)
    assert note.genes == ["PER3"]
    assert [e["label"] for e in note.effects] == ["frameshift_variant", "splice_region_variant"]
    assert note.transcript_hgvs == ["ENST1:c.5del"]
    assert note.protein_hgvs == ["ENSP1:p.Gly2AlafsTer3"]
    assert note.aminoacid_changes == ["G2Afs*3", "Gly2AlafsTer3", "G2fs", "Gly2fs"]


def test_vep_synonymous_change_from_its_residues() -> None:
    """VEP writes a synonymous HGVSp as c.405T>C(p.=): Amino_acids and Protein_position say L135."""
    fmt = ann.layout("CSQ", VEP + "|CDS_position|Protein_position|Amino_acids")
    assert fmt is not None
    entry = vep_entry("C", "synonymous_variant", "G", "ENST1", "ENST1:c.405T>C", "(p)")
    value = entry.replace("(p)", "ENST1:c.405T>C(p.%3D)") + "|405|135|L"
    (entries,) = ann.split_entries(value, fmt, "T", ["C"])
    note = Annotation()
    ann.apply_entries(note, entries, fmt)
    assert note.aminoacid_changes == ["L135=", "Leu135="]
    assert note.protein_hgvs == []  # a transcript, not a protein, HGVS


def test_entries_naming_another_allele_are_dropped() -> None:
    fmt = ann.layout("ANN", SNPEFF)
    assert fmt is not None
    value = snpeff_entry("C", "missense_variant", "G1", "transcript", "T1", "c.1A>C", "")
    assert ann.split_entries(value, fmt, "A", ["T", "G"]) == [[], []]
    # with one ALT every entry is about it, whatever the annotator called the allele
    assert len(ann.split_entries(value, fmt, "A", ["T"])[0]) == 1


AMINO = [
    ("p.Val600Glu", ["V600E", "Val600Glu"]),
    ("ENSP0001.1:p.Gly12Asp", ["G12D", "Gly12Asp"]),
    ("p.(Arg147Ser)", ["R147S", "Arg147Ser"]),
    ("p.Gln61*", ["Q61*", "Gln61Ter"]),
    ("p.Trp24Ter", ["W24*", "Trp24Ter"]),
    ("p.Val600=", ["V600=", "Val600="]),
    ("p.Leu55Leu", ["L55=", "Leu55="]),  # SnpEff's synonymous spelling
    ("ENSP1:p.Ile42%3D", ["I42=", "Ile42="]),  # VEP escapes =
    ("p.Arg97fs", ["R97fs", "Arg97fs"]),
    ("p.Arg97ProfsTer23", ["R97Pfs*23", "Arg97ProfsTer23", "R97fs", "Arg97fs"]),
    ("p.Glu225del", ["E225del", "Glu225del"]),
    ("p.Pro947_Pro949del", ["P947_P949del", "Pro947_Pro949del"]),
    ("p.MetLys997ArgGlu", ["M997_K998delinsRE", "Met997_Lys998delinsArgGlu"]),
    ("p.Lys2_Leu3insGln", ["K2_L3insQ", "Lys2_Leu3insGln"]),
    ("p.Cys28delinsTrpVal", ["C28delinsWV", "Cys28delinsTrpVal"]),
    ("p.Gln5dup", ["Q5dup", "Gln5dup"]),
    ("p.*110Glnext*17", ["*110Qext*17", "Ter110GlnextTer17"]),
    ("p.Met1?", ["M1?", "Met1?"]),
    ("ENST1:c.405T>C(p.%3D)", []),  # VEP's synonymous HGVSp: the residues come from elsewhere
    ("p.Lys2insGln", []),  # an insertion needs the two residues around it
    ("", []),
]


@pytest.mark.parametrize(("hgvs_p", "forms"), AMINO)
def test_aminoacid_forms(hgvs_p: str, forms: list[str]) -> None:
    assert ann.aminoacid_forms(hgvs_p) == forms


CLINVAR: list[tuple[str, dict[str, Any], list[tuple[str, str, str | None]]]] = [
    (
        "CINECA-style prefixed fields",
        {
            "CLINVAR_CLNSIG": "Uncertain_significance",
            "CLINVAR_CLNDN": "not_specified",
            "CLINVAR_CLNDISDB": "MedGen:CN169374",
        },
        [("not specified", "MedGen:CN169374", "uncertain significance")],
    ),
    (
        "ClinVar VCF with two conditions",
        {
            "CLNSIG": "Pathogenic",
            "CLNDN": "Disease_A|Disease_B",
            "CLNDISDB": "MONDO:MONDO:0001|OMIM:123",
        },
        [("Disease A", "MONDO:0001", "pathogenic"), ("Disease B", "OMIM:123", "pathogenic")],
    ),
    (
        "a disease with several ids, then one with one (CINECA 22:17566000)",
        {
            "CLINVAR_CLNSIG": "Pathogenic",
            "CLINVAR_CLNDN": "Immunodeficiency_51|not_provided",
            "CLINVAR_CLNDISDB": "MONDO:MONDO:0013500,MedGen:C4310803,OMIM:613953|MedGen:C3661900",
        },
        [
            ("Immunodeficiency 51", "MONDO:0013500", "pathogenic"),
            ("Immunodeficiency 51", "MedGen:C4310803", "pathogenic"),
            ("Immunodeficiency 51", "OMIM:613953", "pathogenic"),
            ("not provided", "MedGen:C3661900", "pathogenic"),
        ],
    ),
    (
        "a disease without ids (.)",
        {"CLNSIG": "Benign", "CLNDN": "Disease_A|Disease_B", "CLNDISDB": ".|OMIM:123"},
        [("Disease A", "MONDO:0000001", "benign"), ("Disease B", "OMIM:123", "benign")],
    ),
    (
        "as many id groups as diseases, or none paired: never guessed",
        {"CLNSIG": "Benign", "CLNDN": "Disease_A|Disease_B", "CLNDISDB": "OMIM:123"},
        [("Disease A", "MONDO:0000001", "benign"), ("Disease B", "MONDO:0000001", "benign")],
    ),
    ("old numeric code", {"CLNSIG": "5"}, [("not provided", "MONDO:0000001", "pathogenic")]),
    (
        "combined term",
        {"CLNSIG": "Benign/Likely_benign"},
        [("not provided", "MONDO:0000001", "likely benign")],
    ),
    (
        "conflicting: no relevance",
        {"CLNSIG": "Pathogenic|Benign"},
        [("not provided", "MONDO:0000001", None)],
    ),
    ("no ClinVar", {"CLNDN": "x"}, []),
]


@pytest.mark.parametrize(
    ("info", "expected"), [c[1:] for c in CLINVAR], ids=[c[0] for c in CLINVAR]
)
def test_clinvar(info: dict[str, Any], expected: list[tuple[str, str, str | None]]) -> None:
    found = ann.clinical(info)
    assert [
        (f["conditionId"], f["effect"]["id"], f.get("clinicalRelevance")) for f in found
    ] == expected


def test_identifiers() -> None:
    note = Annotation()
    ann.identifiers(note, ["rs576834108", "2376690", "COSV58880717", "."], has_clinvar=True)
    assert note.clinvar_id == "clinvar:2376690"
    assert note.ids == ["rs576834108", "COSV58880717"]
    plain = Annotation()
    ann.identifiers(plain, ["rs1", "12345"], has_clinvar=False)
    assert (plain.clinvar_id, plain.ids) == (None, ["rs1", "12345"])


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("missense_variant", {"id": "SO:0001583", "label": "missense_variant"}),
        ("5_PRIME_UTR_VARIANT", {"id": "SO:0001623", "label": "5_prime_UTR_variant"}),
        ("made_up_effect", {"id": "SnpEff:made_up_effect", "label": "made_up_effect"}),
    ],
)
def test_effect_terms(name: str, term: dict[str, str]) -> None:
    assert effect_term(name) == term


NUMBERS = {
    "AF": "A",
    "AC": "A",
    "AN": "1",
    "EUR_AF": "A",
    "EAS_AF": "A",
    "AF_nfe": "A",
    "AC_nfe": "A",
    "AN_nfe": "1",
    "nhomalt_nfe": "A",
    "DP_AF": "1",
    "CLINVAR_AF_EXAC": "1",
}


def test_population_fields() -> None:
    fields = pops.population_fields(NUMBERS)
    assert [f.population for f in fields] == ["EAS", "EUR", "nfe"]
    nfe = fields[2]
    assert (nfe.af, nfe.ac, nfe.an, nfe.hom) == ("AF_nfe", "AC_nfe", "AN_nfe", "nhomalt_nfe")


def test_populations_per_alt() -> None:
    fields = pops.population_fields(NUMBERS)
    info = {
        "EUR_AF": (0.1, 0.2),
        "EAS_AF": (0.0, float("nan")),
        "AF_nfe": (0.25, 0.5),
        "AC_nfe": (5, 10),
        "AN_nfe": 20,
        "nhomalt_nfe": (1, 2),
    }
    (stored,) = pops.populations(info, 1, fields, "f.vcf")
    second = population_block(stored)
    assert second["source"] == second["sourceReference"] == "f.vcf"
    assert second["frequencies"] == [
        {"population": "EUR", "alleleFrequency": 0.2},
        {
            "population": "nfe",
            "alleleFrequency": 0.5,
            "alleleCount": 10,
            "alleleNumber": 20,
            "alleleCountHomozygous": 2,
        },
    ]
    assert pops.populations({}, 0, fields, "s") == []


def test_float32_noise_is_dropped() -> None:
    import numpy as np

    (stored,) = pops.populations(
        {"EUR_AF": float(np.float32(0.0015))}, 0, pops.population_fields({"EUR_AF": "A"}), "s"
    )
    assert population_block(stored)["frequencies"][0]["alleleFrequency"] == 0.0015


def test_site_counts() -> None:
    counts = pops.site_counts({"AC": (3, 1), "AN": 100, "AC_Hom": (2, 0), "AC_Het": (1, 1)}, 0)
    assert counts is not None
    assert (counts.ac, counts.an, counts.hom, counts.het, counts.carriers) == (3, 100, 1, 1, 2)
    assert pops.site_counts({"AF": 0.1}, 0) is None
    assert pops.site_frequency({"AF": (0.1, 0.3)}, 1) == 0.3
