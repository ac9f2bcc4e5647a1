"""Ontology prefixes and where they live: the ``resources`` of ``/filtering_terms``.

A bundled table of the prefixes Beacon data commonly uses; a prefix outside it is still
listed, with its name only. Loaded ontologies (``beacon-ingest ontology``) add their title and
version.
"""

from __future__ import annotations

from typing import Any

# prefix -> (name, home page, IRI prefix)
KNOWN: dict[str, tuple[str, str, str]] = {
    "NCIT": (
        "NCI Thesaurus OBO Edition",
        "http://purl.obolibrary.org/obo/ncit.owl",
        "http://purl.obolibrary.org/obo/NCIT_",
    ),
    "HP": (
        "Human Phenotype Ontology",
        "http://purl.obolibrary.org/obo/hp.owl",
        "http://purl.obolibrary.org/obo/HP_",
    ),
    "MONDO": (
        "Mondo Disease Ontology",
        "http://purl.obolibrary.org/obo/mondo.owl",
        "http://purl.obolibrary.org/obo/MONDO_",
    ),
    "DOID": (
        "Human Disease Ontology",
        "http://purl.obolibrary.org/obo/doid.owl",
        "http://purl.obolibrary.org/obo/DOID_",
    ),
    "ORPHA": (
        "Orphanet Rare Disease Ontology",
        "http://www.orpha.net/ontology/orphanet.owl",
        "http://www.orpha.net/ORDO/Orphanet_",
    ),
    "ICD10": (
        "International Classification of Diseases, 10th revision",
        "https://icd.who.int/browse10/2019/en",
        "https://icd.who.int/browse10/2019/en#/",
    ),
    "ICD10CM": (
        "ICD-10 Clinical Modification",
        "https://www.cdc.gov/nchs/icd/icd-10-cm/",
        "https://icd10cmtool.cdc.gov/?fy=FY2023&query=",
    ),
    "ICDO3": (
        "International Classification of Diseases for Oncology",
        "https://www.who.int/standards/classifications/other-classifications/international-classification-of-diseases-for-oncology",
        "https://www.who.int/",
    ),
    "EFO": (
        "Experimental Factor Ontology",
        "http://www.ebi.ac.uk/efo/efo.owl",
        "http://www.ebi.ac.uk/efo/EFO_",
    ),
    "UBERON": (
        "Uberon multi-species anatomy ontology",
        "http://purl.obolibrary.org/obo/uberon.owl",
        "http://purl.obolibrary.org/obo/UBERON_",
    ),
    "CL": (
        "Cell Ontology",
        "http://purl.obolibrary.org/obo/cl.owl",
        "http://purl.obolibrary.org/obo/CL_",
    ),
    "LOINC": (
        "Logical Observation Identifiers Names and Codes",
        "https://loinc.org",
        "https://loinc.org/",
    ),
    "OPCS4": (
        "OPCS Classification of Interventions and Procedures, version 4",
        "https://www.datadictionary.nhs.uk/supporting_information/opcs_classification_of_interventions_and_procedures.html",
        "https://www.datadictionary.nhs.uk/",
    ),
    "SNOMED": ("SNOMED CT", "https://www.snomed.org", "http://snomed.info/id/"),
    "GAZ": (
        "Gazetteer",
        "http://purl.obolibrary.org/obo/gaz.owl",
        "http://purl.obolibrary.org/obo/GAZ_",
    ),
    "GENO": (
        "Genotype Ontology",
        "http://purl.obolibrary.org/obo/geno.owl",
        "http://purl.obolibrary.org/obo/GENO_",
    ),
    "SO": (
        "Sequence Ontology",
        "http://purl.obolibrary.org/obo/so.owl",
        "http://purl.obolibrary.org/obo/SO_",
    ),
    "OBI": (
        "Ontology for Biomedical Investigations",
        "http://purl.obolibrary.org/obo/obi.owl",
        "http://purl.obolibrary.org/obo/OBI_",
    ),
    "DUO": (
        "Data Use Ontology",
        "http://purl.obolibrary.org/obo/duo.owl",
        "http://purl.obolibrary.org/obo/DUO_",
    ),
    "PATO": (
        "Phenotype And Trait Ontology",
        "http://purl.obolibrary.org/obo/pato.owl",
        "http://purl.obolibrary.org/obo/PATO_",
    ),
    "GENEPIO": (
        "Genomic Epidemiology Ontology",
        "http://purl.obolibrary.org/obo/genepio.owl",
        "http://purl.obolibrary.org/obo/GENEPIO_",
    ),
    "HANCESTRO": (
        "Human Ancestry Ontology",
        "http://purl.obolibrary.org/obo/hancestro.owl",
        "http://purl.obolibrary.org/obo/HANCESTRO_",
    ),
    "NCBITaxon": (
        "NCBI organismal classification",
        "http://purl.obolibrary.org/obo/ncbitaxon.owl",
        "http://purl.obolibrary.org/obo/NCBITaxon_",
    ),
    "CHEBI": (
        "Chemical Entities of Biological Interest",
        "http://purl.obolibrary.org/obo/chebi.owl",
        "http://purl.obolibrary.org/obo/CHEBI_",
    ),
    "EDAM": (
        "EDAM bioinformatics operations, types of data, formats and topics",
        "http://edamontology.org",
        "http://edamontology.org/",
    ),
    "ENSGLOSSARY": (
        "Ensembl Glossary",
        "http://ensembl.org/glossary",
        "http://ensembl.org/glossary/ENSGLOSSARY_",
    ),
    "OMIM": (
        "Online Mendelian Inheritance in Man",
        "https://www.omim.org",
        "https://omim.org/entry/",
    ),
    "MeSH": (
        "Medical Subject Headings",
        "https://www.nlm.nih.gov/mesh/",
        "http://id.nlm.nih.gov/mesh/",
    ),
}


def prefix_of(term: str) -> str:
    return term.split(":", 1)[0]


def resource(prefix: str, loaded: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``resources`` entry; ``loaded`` is what ``beacon-ingest ontology`` recorded."""
    name, url, iri = KNOWN.get(prefix, (prefix, "", ""))
    entry: dict[str, Any] = {
        "id": prefix.lower(),
        "name": (loaded or {}).get("title") or name,
        "nameSpacePrefix": prefix,
        "namespacePrefix": prefix,
    }
    if url:
        entry["url"] = url
    if iri:
        entry["iriPrefix"] = iri
    version = (loaded or {}).get("version")
    if version:
        entry["version"] = str(version)
    return entry
