"""Consequence terms written by SnpEff and VEP -> Sequence Ontology terms.

Both annotators write SO term *names* (``missense_variant``); Beacon wants ontology terms with a
CURIE. The table holds the SO accessions of the terms VEP documents plus SnpEff's own additions.
A term not in the table keeps its name with an ``SO:`` -less CURIE naming the annotator's
vocabulary (``SnpEff:...``), so nothing is dropped and nothing is mislabelled.
"""

from __future__ import annotations

SO_TERMS: dict[str, str] = {
    "transcript_ablation": "SO:0001893",
    "splice_acceptor_variant": "SO:0001574",
    "splice_donor_variant": "SO:0001575",
    "stop_gained": "SO:0001587",
    "frameshift_variant": "SO:0001589",
    "stop_lost": "SO:0001578",
    "start_lost": "SO:0002012",
    "transcript_amplification": "SO:0001889",
    "feature_elongation": "SO:0001907",
    "feature_truncation": "SO:0001906",
    "inframe_insertion": "SO:0001821",
    "inframe_deletion": "SO:0001822",
    "conservative_inframe_insertion": "SO:0001823",
    "disruptive_inframe_insertion": "SO:0001824",
    "conservative_inframe_deletion": "SO:0001825",
    "disruptive_inframe_deletion": "SO:0001826",
    "missense_variant": "SO:0001583",
    "protein_altering_variant": "SO:0001818",
    "splice_donor_5th_base_variant": "SO:0001787",
    "splice_region_variant": "SO:0001630",
    "splice_donor_region_variant": "SO:0002170",
    "splice_polypyrimidine_tract_variant": "SO:0002169",
    "incomplete_terminal_codon_variant": "SO:0001626",
    "start_retained_variant": "SO:0002019",
    "stop_retained_variant": "SO:0001567",
    "synonymous_variant": "SO:0001819",
    "coding_sequence_variant": "SO:0001580",
    "mature_miRNA_variant": "SO:0001620",
    "5_prime_UTR_variant": "SO:0001623",
    "3_prime_UTR_variant": "SO:0001624",
    "5_prime_UTR_premature_start_codon_gain_variant": "SO:0001988",
    "non_coding_transcript_exon_variant": "SO:0001792",
    "intron_variant": "SO:0001627",
    "NMD_transcript_variant": "SO:0001621",
    "non_coding_transcript_variant": "SO:0001619",
    "coding_transcript_variant": "SO:0001968",
    "upstream_gene_variant": "SO:0001631",
    "downstream_gene_variant": "SO:0001632",
    "TFBS_ablation": "SO:0001895",
    "TFBS_amplification": "SO:0001892",
    "TF_binding_site_variant": "SO:0001782",
    "regulatory_region_ablation": "SO:0001894",
    "regulatory_region_amplification": "SO:0001891",
    "regulatory_region_variant": "SO:0001566",
    "intergenic_variant": "SO:0001628",
    "intergenic_region": "SO:0000605",
    "intragenic_variant": "SO:0002011",
    "sequence_variant": "SO:0001060",
    "exon_loss_variant": "SO:0001572",
    "gene_fusion": "SO:0001565",
    "bidirectional_gene_fusion": "SO:0002086",
    "initiator_codon_variant": "SO:0001582",
    "non_canonical_start_codon": "SO:0002224",
    "structural_interaction_variant": "SO:0002093",
    "protein_protein_contact": "SO:0001093",
    "exon_variant": "SO:0001791",
    "splice_site_variant": "SO:0001629",
    "transcript_variant": "SO:0001576",
    "gene_variant": "SO:0001564",
    "chromosome_number_variation": "SO:1000182",
    "duplication": "SO:1000035",
    "inversion": "SO:1000036",
    "transcript": "SO:0000673",
    "miRNA": "SO:0000276",
    "rare_amino_acid_variant": "SO:0002008",
}
_BY_LOWER = {name.lower(): (name, curie) for name, curie in SO_TERMS.items()}


def effect_term(name: str, vocabulary: str = "SnpEff") -> dict[str, str]:
    """An ontology term for a consequence name; unknown names keep the annotator's label."""
    found = _BY_LOWER.get(name.strip().lower())
    if found:
        return {"id": found[1], "label": found[0]}
    return {"id": f"{vocabulary}:{name.strip()}", "label": name.strip()}
