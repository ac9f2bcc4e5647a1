"""VCF text of the simulated cohorts: the header, one row per site, per-population INFO counts.

A ``Site`` is a simulated site placed on chr22, with its annotation (one SnpEff ``ANN`` entry
per ALT, drawn once so that every country's file says the same) and, for a few, a structural
variant role. A ``RowWriter`` turns the site's haplotype states into one country's VCF row:
only the alleles seen in that country are written, phased genotypes of its people, and
``AC``/``AN``/``AF``/``nhomalt`` for the country and for each sex (``FI``, ``FI_M``, ``FI_F``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

if TYPE_CHECKING:
    from ingest.simulate.cohort import Gene

CHR22_LENGTH = 50_818_468  # GRCh38
ANN_FORMAT = (
    "Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID "
    "| Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / "
    "CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO"
)
#: Consequences inside a gene body and their share of the simulated sites there.
IN_GENE = (
    ("intron_variant", "MODIFIER", 0.80),
    ("missense_variant", "MODERATE", 0.08),
    ("synonymous_variant", "LOW", 0.06),
    ("3_prime_UTR_variant", "MODIFIER", 0.03),
    ("5_prime_UTR_variant", "MODIFIER", 0.015),
    ("splice_region_variant", "LOW", 0.01),
    ("stop_gained", "HIGH", 0.005),
)
AMINO_ACIDS = [
    "Ala",
    "Arg",
    "Asn",
    "Asp",
    "Cys",
    "Gln",
    "Glu",
    "Gly",
    "His",
    "Ile",
    "Leu",
    "Lys",
    "Met",
    "Phe",
    "Pro",
    "Ser",
    "Thr",
    "Trp",
    "Tyr",
    "Val",
]
_PAIRS = [f"{i}|{j}" for i in range(10) for j in range(10)]


@dataclass
class Site:
    index: int
    pos: int  # VCF POS on chr22
    ref: str
    alts: list[str]
    gene: Gene | None
    frequency: float  # of the non-ancestral alleles, over every simulated haplotype
    sv: tuple[str, int] | None = None  # ("DEL" | "DUP", length)
    ann: list[str] = field(default_factory=list)  # one ANN entry per ALT

    def symbolic(self) -> list[str]:
        return [f"<{self.sv[0]}>"] if self.sv else self.alts

    def annotate(self, rng: np.random.Generator) -> None:
        alts = self.symbolic()
        gene = self.gene
        if self.sv is not None:
            overlaps = (
                gene is not None and self.pos <= gene.end and self.pos + self.sv[1] > gene.start
            )
            effect = (
                ("exon_loss_variant" if self.sv[0] == "DEL" else "feature_elongation")
                if overlaps
                else ""
            )
            self.ann = [
                _entry(
                    alts[0],
                    effect or "intergenic_region",
                    "HIGH" if effect else "MODIFIER",
                    gene if overlaps else None,
                )
            ]
            return
        if gene is None:
            self.ann = [_entry(a, "intergenic_region", "MODIFIER", None) for a in alts]
            return
        if self.pos < gene.start or self.pos > gene.end:
            kind = "upstream_gene_variant" if self.pos < gene.start else "downstream_gene_variant"
            distance = gene.start - self.pos if self.pos < gene.start else self.pos - gene.end
            self.ann = [_entry(a, kind, "MODIFIER", gene, distance=distance) for a in alts]
            return
        weights = np.array([w for _, _, w in IN_GENE])
        choice = int(rng.choice(len(IN_GENE), p=weights / weights.sum()))
        effect, impact, _ = IN_GENE[choice]
        residue = int(rng.integers(1, gene.protein_length + 1))
        original = AMINO_ACIDS[int(rng.integers(len(AMINO_ACIDS)))]
        entries = []
        for alt in alts:
            protein = ""
            if effect == "missense_variant":
                changed = [a for a in AMINO_ACIDS if a != original]
                protein = f"p.{original}{residue}{changed[int(rng.integers(len(changed)))]}"
            elif effect == "synonymous_variant":
                protein = f"p.{original}{residue}{original}"
            elif effect == "stop_gained":
                protein = f"p.{original}{residue}Ter"
            entries.append(_entry(alt, effect, impact, gene, protein=protein))
        self.ann = entries


def _entry(
    allele: str, effect: str, impact: str, gene: Gene | None, protein: str = "", distance: int = 0
) -> str:
    symbol = gene.symbol if gene else ""
    feature = "transcript" if gene else "intergenic_region"
    fields = [allele, effect, impact, symbol, symbol, feature, "", "protein_coding" if gene else ""]
    fields += ["", "", protein, "", "", "", str(distance) if distance else "", ""]
    return "|".join(fields)


def _groups(code: str, female: np.ndarray[Any, Any]) -> list[tuple[str, np.ndarray[Any, Any]]]:
    everyone = np.ones(female.size, dtype=bool)
    groups = [(code, everyone), (f"{code}_M", ~female), (f"{code}_F", female)]
    return [(label, mask) for label, mask in groups if mask.any()]


def header(groups: list[str], samples: list[str], seed: int) -> str:
    lines = [
        "##fileformat=VCFv4.3",
        f"##source=beacon-gdi simulate (msprime; seed {seed}); synthetic, no real person's data",
        f"##contig=<ID=chr22,length={CHR22_LENGTH},assembly=GRCh38>",
        '##ALT=<ID=DEL,Description="Deletion">',
        '##ALT=<ID=DUP,Description="Duplication">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">',
        '##INFO=<ID=SVLEN,Number=A,Type=Integer,Description="Length of the structural variant">',
        "##INFO=<ID=ANN,Number=.,Type=String,Description="
        f"\"Functional annotations: '{ANN_FORMAT}'\">",
    ]
    for label in groups:
        lines += [
            f'##INFO=<ID=AC_{label},Number=A,Type=Integer,Description="Allele count in {label}">',
            f'##INFO=<ID=AN_{label},Number=1,Type=Integer,Description="Allele number in {label}">',
            f'##INFO=<ID=AF_{label},Number=A,Type=Float,Description="Allele frequency in {label}">',
            f'##INFO=<ID=nhomalt_{label},Number=A,Type=Integer,Description="Homozygous ALT '
            f'individuals in {label}">',
        ]
    lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    lines.append(
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
        )
    )
    return "\n".join(lines) + "\n"


class RowWriter:
    """One country's VCF rows."""

    def __init__(
        self,
        handle: TextIO,
        code: str,
        first: np.ndarray[Any, Any],
        second: np.ndarray[Any, Any],
        female: np.ndarray[Any, Any],
    ) -> None:
        self.handle = handle
        self.first = first
        self.second = second
        self.masks = _groups(code, female)
        self.groups = [label for label, _ in self.masks]
        self.rows = 0

    def write(self, site: Site, genotypes: np.ndarray[Any, Any]) -> None:
        a = genotypes[self.first]
        b = genotypes[self.second]
        seen = [int(k) for k in np.unique(np.concatenate([a, b])) if k != 0]
        if not seen:
            return  # monomorphic here: the site is not in this country's file
        recode = np.zeros(max(seen) + 1, dtype=np.int64)
        for new, old in enumerate(seen, start=1):
            recode[old] = new
        a, b = recode[a], recode[b]
        if site.sv is not None:
            alts = site.symbolic()
            entries = site.ann
        else:
            alts = [site.alts[k - 1] for k in seen]
            entries = [site.ann[k - 1] for k in seen] if site.ann else []
        info = []
        if site.sv is not None:
            kind, length = site.sv
            info += [f"SVTYPE={kind}", f"END={site.pos + length}"]
            info.append(f"SVLEN={-length if kind == 'DEL' else length}")
        for label, mask in self.masks:
            ga, gb = a[mask], b[mask]
            an = 2 * int(mask.sum())
            ac = [
                int(np.count_nonzero(ga == k) + np.count_nonzero(gb == k))
                for k in range(1, len(alts) + 1)
            ]
            hom = [int(np.count_nonzero((ga == k) & (gb == k))) for k in range(1, len(alts) + 1)]
            info += [
                f"AC_{label}={','.join(map(str, ac))}",
                f"AN_{label}={an}",
                f"AF_{label}={','.join(f'{c / an:.6g}' for c in ac)}",
                f"nhomalt_{label}={','.join(map(str, hom))}",
            ]
        if entries:
            info.append("ANN=" + ",".join(entries))
        calls = "\t".join(map(_PAIRS.__getitem__, (a * 10 + b).tolist()))
        row = [
            "chr22",
            str(site.pos),
            ".",
            site.ref,
            ",".join(alts),
            ".",
            "PASS",
            ";".join(info),
            "GT",
        ]
        self.handle.write("\t".join(row) + "\t" + calls + "\n")
        self.rows += 1
