"""Real VCFs from ../shared/data: carriers and counts against golden BFF and an independent parse.

"Independent" means ``tests/ingest/vcftext.py``: plain text splitting, no cyvcf2, no project
code. Golden BFF files are what the reference ``vcf2bff`` wrote for the same VCFs.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from beacon.protocol import genome
from beacon.store import carriers as packed
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import pipeline
from ingest.vcf.load import run_vcf
from tests import official
from tests.conftest import Client, ClientFactory
from tests.ingest import stored as stored_view
from tests.ingest import vcftext

DATA = official.DATA
VCF = DATA / "vcf"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not VCF.is_dir(), reason=f"the shared test data ({DATA}) is not here"),
]
CINECA = VCF / "cineca_uk1_chr22_5002v.ann_clinvar.vcf.gz"
CINECA_ID = "CINECA_synthetic_cohort_EUROPE_UK1"
Key = tuple[str, int, str, str]  # chromosome, 1-based position, REF, ALT


async def stored(db: Database, dataset: str) -> list[dict[str, Any]]:
    return await stored_view.variants(db, dataset)


def key(doc: dict[str, Any]) -> Key:
    return (doc[c.V_CHROM], doc[c.V_START] + 1, doc[c.V_REF], doc[c.V_ALT])


def carriers(doc: dict[str, Any]) -> dict[str, list[int]]:
    assert not doc.get(c.V_SPILLED)
    return {z: packed.decode_indices(b).tolist() for z, b in (doc.get(c.V_CARRIERS) or {}).items()}


def carried(calls: vcftext.Calls) -> bool:
    return bool(calls.het or calls.hom or calls.hemi)


def expected_calls(path: Path) -> dict[Key, vcftext.Calls]:
    """Every ALT some sample carries, trimmed the VCF way, with its calls counted from the text
    (an allele nobody carries is not stored: it has not been seen)."""
    found = {}
    for row in vcftext.rows(path):
        chrom = row.chrom.removeprefix("chr")
        for k, alt in enumerate(row.alts, start=1):
            if alt == "*":
                continue
            pos, ref, a = (
                (row.pos, row.ref, alt)
                if alt.startswith("<")
                else vcftext.trim(row.pos, row.ref, alt)
            )
            calls = vcftext.calls(row.gts, k)
            if carried(calls) or not row.gts:
                found[(chrom, pos, ref, a)] = calls
    return found


def not_carried(path: Path) -> int:
    """How many ALTs of a genotyped file no sample carries, counted from the text."""
    rows = list(vcftext.rows(path))
    return sum(
        not carried(vcftext.calls(r.gts, k))
        for r in rows
        for k, alt in enumerate(r.alts, 1)
        if alt != "*"
    )


def assert_counts_match_text(
    docs: list[dict[str, Any]], path: Path, expected: dict[Key, vcftext.Calls] | None = None
) -> None:
    expected = expected or expected_calls(path)
    assert len(docs) == len(expected)
    for doc in docs:
        want = expected[key(doc)]
        counts = stored_view.counts(doc)
        assert (counts["ac"], counts["an"]) == (want.ac, want.an), key(doc)
        assert (counts["het"], counts["hom"], counts["hemi"]) == (
            len(want.het),
            len(want.hom),
            len(want.hemi),
        )
        wanted = {z: v for z, v in (("het", want.het), ("hom", want.hom), ("hemi", want.hemi)) if v}
        assert carriers(doc) == wanted, key(doc)


def clinvar_pairs(path: Path) -> dict[Key, set[tuple[str, str]]]:
    """(disease, id) pairs of every ClinVar row, read from the text: diseases and their id
    groups split on |, a group's ids on , (``MONDO:MONDO:0013500`` is ``MONDO:0013500``)."""
    found = {}
    for row in vcftext.rows(path):
        if "CLINVAR_CLNSIG" not in row.info:
            continue
        names = row.info["CLINVAR_CLNDN"].split("|")
        groups = row.info["CLINVAR_CLNDISDB"].split("|")
        assert len(names) == len(groups)
        pairs = set()
        for name, group in zip(names, groups, strict=True):
            for ident in group.split(","):
                pairs.add((name.replace("_", " "), ":".join(ident.split(":")[-2:])))
        found[(row.chrom, row.pos, row.ref, row.alts[0])] = pairs
    return found


def golden(path: Path) -> dict[Key, dict[str, Any]]:
    """Golden BFF records by allele (their ids look like ``chr22_16050075_A_G``)."""
    with gzip.open(path) as handle:
        records = json.load(handle)
    out = {}
    for record in records:
        chrom, pos, ref, alt = record["variantInternalId"].split("_")
        out[(chrom.removeprefix("chr"), int(pos), ref, alt)] = record
    return out


def assert_carriers_match_golden(
    docs: list[dict[str, Any]], gold: dict[Key, dict[str, Any]], samples: list[str]
) -> None:
    by_key = {key(d): d for d in docs}
    for allele, record in gold.items():
        if not record.get("caseLevelData"):
            assert allele not in by_key, allele  # nobody carries it: not stored
            continue
        doc = by_key[allele]
        want: dict[str, set[str]] = {}
        for call in record.get("caseLevelData") or []:
            zygosity = "hom" if call["zygosity"]["label"] in ("1/1", "1|1") else "het"
            want.setdefault(zygosity, set()).add(call["biosampleId"])
        got = {z: {samples[i] for i in v} for z, v in carriers(doc).items()}
        assert got == want, allele


def valid_records(docs: list[dict[str, Any]], every: int = 50) -> None:
    if not official.available():
        return
    for doc in docs[::every]:
        official.assert_valid(doc[stored_view.RECORD], official.ENTITY_SCHEMAS["genomicVariant"])


async def g_variants(api: Client, path: str, **params: str) -> list[dict[str, Any]]:
    query = {"requestedGranularity": "record", "limit": "0", **params}
    response = await api.get(path, params=query)
    body = await response.json()
    assert response.status == 200, body
    return [r for s in body["response"]["resultSets"] for r in s["results"]]


async def test_cineca_slice(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    # The biosamples link the VCF's sample columns to individuals.
    biosamples = DATA / "bff" / "cineca_uk1" / "biosamples.json.gz"
    await pipeline.run_metadata(db, CINECA_ID, [biosamples], run_options)
    report = await run_vcf(db, CINECA_ID, [CINECA], "GRCh37", run_options)
    # 63 alleles no sample carries (CINECA injected missing calls) are not stored.
    unseen = not_carried(CINECA)
    assert unseen == 63
    assert (report.records_read, report.alleles_written) == (5002, 5002 - unseen)
    assert dict(report.skipped) == {"not_carried": unseen}
    assert any(n.startswith("63 alleles no sample carries") for n in report.notes)
    docs = await stored(db, CINECA_ID)
    samples = vcftext.samples(CINECA)
    text = expected_calls(CINECA)
    assert_counts_match_text(docs, CINECA, text)
    gold = golden(DATA / "bff" / "cineca_uk1" / "genomicVariationsVcf.json.gz")
    assert len(gold) == 4998  # vcf2bff leaves out the 4 <CN*> alleles; we keep them
    assert_carriers_match_golden(docs, gold, samples)
    by_key = {key(d): d for d in docs}
    # The CNV split into four rows (SVTYPE=CNV): copies on a haplotype, the reference has one.
    copies = {k[3]: by_key[k][c.V_TYPE] for k in by_key if k[3].startswith("<CN")}
    assert copies == {"<CN0>": "DEL", "<CN2>": "DUP", "<CN3>": "DUP", "<CN4>": "DUP"}
    for allele, record in gold.items():
        if allele not in by_key:
            continue  # nobody carries it
        ours = by_key[allele].get("molecularAttributes", {}).get("geneIds", [])
        assert set(ours) == set(record.get("molecularAttributes", {}).get("geneIds", [])), allele
    clinvar = {k for k, r in gold.items() if r.get("variantLevelData")}
    assert len(clinvar) == 10
    assert {k for k, d in by_key.items() if d.get("variantLevelData")} == clinvar
    for allele in clinvar:
        ours = by_key[allele]["variantLevelData"]["clinicalInterpretations"]
        theirs = gold[allele]["variantLevelData"]["clinicalInterpretations"]
        assert {i.get("clinicalRelevance") for i in ours} == {
            i.get("clinicalRelevance") for i in theirs
        }
    # Each ClinVar disease is paired with its own ids (CLNDN and CLNDISDB split on |, a
    # disease's ids on ,): "not provided" keeps its MedGen id, not another disease's.
    paired = clinvar_pairs(CINECA)
    assert len(paired) == 10
    for allele, pairs in paired.items():
        ours = by_key[allele]["variantLevelData"]["clinicalInterpretations"]
        assert {(i["conditionId"], i["effect"]["id"]) for i in ours} == pairs, allele
    several = {k: v for k, v in paired.items() if len(v) > 1}
    assert list(several.values()) == [
        {
            ("Immunodeficiency 51", "MONDO:0013500"),
            ("Immunodeficiency 51", "MedGen:C4310803"),
            ("Immunodeficiency 51", "OMIM:613953"),
            ("Immunodeficiency 51", "Orphanet:1334"),
            ("not provided", "MedGen:C3661900"),
        }
    ]
    valid_records(docs)
    # Individuals are linked through the dataset's biosamples.
    assert report.links == {
        "samples": 2504, "namedByVariants": 0, "throughBiosamples": 2504, "unlinked": 0
    }  # fmt: skip
    # Round trip through the node: who carries a variant, what a sample carries.
    api = await node(BEACON_MAX_LIMIT="10000")
    common = max(docs, key=lambda d: stored_view.counts(d)["carriers"])
    found = await g_variants(api, f"/api/g_variants/{common[c.VARIANT_INTERNAL_ID]}/biosamples")
    assert len(found) > 1000
    assert {r["id"] for r in found} == {
        call["biosampleId"] for call in gold[key(common)]["caseLevelData"]
    }
    first = samples.index("HG00096")
    carried = {k for k, calls in text.items() if first in calls.het + calls.hom}
    found = await g_variants(api, "/api/biosamples/HG00096/g_variants")
    ids = {d[c.VARIANT_INTERNAL_ID]: key(d) for d in docs}
    assert {ids[r["variantInternalId"]] for r in found} == carried
    # Every one of those ids is a filter on the variants (and none is unknown).
    (allele,) = several
    for _, term in several[allele]:
        found = await g_variants(api, "/api/g_variants", filters=term)
        assert [r["variantInternalId"] for r in found] == [by_key[allele][c.VARIANT_INTERNAL_ID]]
    in_gene = {
        d[c.VARIANT_INTERNAL_ID]
        for d in docs
        if "POTEH" in d.get("molecularAttributes", {}).get("geneIds", [])
    }
    found = await g_variants(api, "/api/g_variants", geneId="POTEH")
    assert len(in_gene) > 10
    assert {r["variantInternalId"] for r in found} == in_gene


async def test_cineca_carriers_whichever_load_comes_first(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    """The VCF then its BFF metadata gives the same carriers on /individuals as the reverse."""
    bff = DATA / "bff" / "cineca_uk1"
    meta = [bff / "individuals.json.gz", bff / "biosamples.json.gz"]
    all_linked = {"samples": 2504, "namedByVariants": 0, "throughBiosamples": 2504, "unlinked": 0}
    vcf_first = await run_vcf(db, "vcf_first", [CINECA], "GRCh37", run_options)
    assert vcf_first.links == {**all_linked, "throughBiosamples": 0, "unlinked": 2504}
    later = await pipeline.run_metadata(db, "vcf_first", meta, run_options)
    assert later.links == all_linked
    await pipeline.run_metadata(db, "meta_first", meta, run_options)
    meta_first = await run_vcf(db, "meta_first", [CINECA], "GRCh37", run_options)
    assert meta_first.links == all_linked
    with gzip.open(bff / "biosamples.json.gz") as handle:
        person = {b["id"]: b["individualId"] for b in json.load(handle)}
    samples = vcftext.samples(CINECA)
    text = expected_calls(CINECA)
    docs = await stored(db, "vcf_first")
    by_carriers = sorted(docs, key=lambda d: stored_view.counts(d)["carriers"])
    rare = next(d for d in by_carriers if stored_view.counts(d)["carriers"] >= 3)
    api = await node(BEACON_MAX_LIMIT="10000")
    for doc in (rare, by_carriers[-1]):
        calls = text[key(doc)]
        expected = {person[samples[i]] for i in calls.het + calls.hom + calls.hemi}
        variant = doc[c.VARIANT_INTERNAL_ID]
        query = {
            "referenceName": "22",
            "start": str(doc[c.V_START]),
            "referenceBases": doc[c.V_REF],
            "alternateBases": doc[c.V_ALT],
        }
        for name in ("vcf_first", "meta_first"):
            found = await g_variants(api, f"/api/g_variants/{variant}/individuals", datasetIds=name)
            assert {r["id"] for r in found} == expected, (variant, name)
            found = await g_variants(api, "/api/individuals", datasetIds=name, **query)
            assert {r["id"] for r in found} == expected, (variant, name)
    one = person[samples[(text[key(rare)].het + text[key(rare)].hom)[0]]]
    carried = {k for k, calls in text.items() if samples.index(one) in calls.het + calls.hom}
    ids = {d[c.VARIANT_INTERNAL_ID]: key(d) for d in docs}
    for name in ("vcf_first", "meta_first"):
        found = await g_variants(api, f"/api/individuals/{one}/g_variants", datasetIds=name)
        assert {ids[r["variantInternalId"]] for r in found} == carried, name


async def test_1000g_plain_gzip_against_golden(
    db: Database, run_options: pipeline.RunOptions
) -> None:
    path = VCF / "test_1000G.norm.ann.vcf.gz"  # plain gzip, not BGZF
    report = await run_vcf(db, "g1k", [path], "GRCh37", run_options)
    assert not_carried(path) == 1
    assert (report.records_read, report.alleles_written) == (1044, 1043)
    docs = await stored(db, "g1k")
    assert_counts_match_text(docs, path)
    gold = golden(DATA / "bff" / "test_1000G" / "genomicVariationsVcf.json.gz")
    assert len(gold) == 1044
    assert_carriers_match_golden(docs, gold, vcftext.samples(path))
    valid_records(docs)


async def test_multi_allelic_rows_split_like_bcftools_norm(
    db: Database, run_options: pipeline.RunOptions
) -> None:
    """The raw 1000G slice, split here, gives the alleles and carriers bcftools norm gave."""
    path = VCF / "test_1000G.vcf.gz"
    report = await run_vcf(db, "raw", [path], "GRCh37", run_options)
    assert (report.records_read, report.alleles_written) == (1042, 1043)
    docs = await stored(db, "raw")
    gold = golden(DATA / "bff" / "test_1000G" / "genomicVariationsVcf.json.gz")
    assert {key(d) for d in docs} == {k for k, r in gold.items() if r.get("caseLevelData")}
    assert_carriers_match_golden(docs, gold, vcftext.samples(path))


async def test_multi_allelic_with_missing_calls(
    db: Database, run_options: pipeline.RunOptions
) -> None:
    path = VCF / "hapmap_exome_chr22.vcf.gz"
    report = await run_vcf(db, "hapmap", [path], "GRCh37", run_options)
    assert report.records_read == 1011
    rows = list(vcftext.rows(path))
    assert sum(len(r.alts) > 1 for r in rows) == 40
    assert report.alleles_written == sum(len(r.alts) for r in rows) - not_carried(path)
    docs = await stored(db, "hapmap")
    assert_counts_match_text(docs, path)
    valid_records(docs, every=10)


async def test_untrimmed_allele_forms_find_the_stored_allele(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    """``bcftools norm -m-`` splits a multi-allelic row keeping its REF as written, so its ALTs
    come untrimmed (``GTT>GTTT`` for the stored ``G>GT``): a query in that form finds the
    stored allele, and so does the stored form itself."""
    path = VCF / "hapmap_exome_chr22.vcf.gz"
    await run_vcf(db, "hapmap", [path], "GRCh37", run_options)
    stored_ids = {key(d): d[c.VARIANT_INTERNAL_ID] for d in await stored(db, "hapmap")}
    forms: list[tuple[int, str, str, str]] = []  # the split, untrimmed form and its stored id
    for row in vcftext.rows(path):
        for alt in row.alts if len(row.alts) > 1 else ():
            trimmed = (row.chrom, *vcftext.trim(row.pos, row.ref, alt))
            if (row.ref, alt) != trimmed[2:] and trimmed in stored_ids:
                forms.append((row.pos - 1, row.ref, alt, stored_ids[trimmed]))
    assert len(forms) >= 10
    api = await node()
    for start, ref, alt, expected in forms:
        found = await g_variants(
            api,
            "/api/g_variants",
            referenceName="22",
            start=str(start),
            referenceBases=ref,
            alternateBases=alt,
            assemblyId="GRCh37",
        )
        assert [r["variantInternalId"] for r in found] == [expected], (start, ref, alt)


def g1k_slice(out: Path, rows: int = 3000) -> Path:
    """The 99-sample 1000 Genomes chr22 file's first ``rows`` rows, its 172 SV rows and the 54
    rows with 51 bases or more in REF or ALT."""
    kept = 0
    with gzip.open(VCF / "1kg_phase3_chr22_99samples.vcf.gz", "rt") as src, out.open("w") as dst:
        for line in src:
            if line.startswith("#"):
                dst.write(line)
                continue
            ref, alts = line.split("\t", 5)[3:5]
            if kept < rows or "<" in alts or max(len(ref), *map(len, alts.split(","))) > 50:
                dst.write(line)
                kept += 1
    return out


@dataclass(frozen=True)
class TextAllele:
    key: tuple[int, str, str]  # 1-based POS, REF, ALT: trimmed, or the symbolic ALT as written
    kind: str  # sub, del, ins or delins for sequence alleles; the symbolic ALT otherwise
    length: int


def text_alleles(path: Path) -> list[TextAllele]:
    """Every carried ALT of a file, from the text, with the variant length VCF implies."""
    found = []
    for row in vcftext.rows(path):
        for k, alt in enumerate(row.alts, 1):
            if not carried(vcftext.calls(row.gts, k)):
                continue
            if alt.startswith("<"):
                length = abs(int(row.info.get("SVLEN") or 0)) or int(row.info["END"]) - row.pos
                found.append(TextAllele((row.pos, row.ref, alt), alt, length))
                continue
            pos, ref, a = vcftext.trim(row.pos, row.ref, alt)
            if len(ref) == len(a):
                kind, length = "sub", len(ref)
            elif len(a) == 1 and ref[0] == a:
                kind, length = "del", len(ref) - 1
            elif len(ref) == 1 and a[0] == ref:
                kind, length = "ins", len(a) - 1
            else:
                kind, length = "delins", max(len(ref), len(a))
            found.append(TextAllele((pos, ref, a), kind, length))
    return found


def record_key(record: dict[str, Any]) -> tuple[int, str, str]:
    variation = record["variation"]
    start = variation["location"]["interval"]["start"]["value"]
    alt = variation["alternateBases"]
    if alt == "N" and record["variantInternalId"].count("-") == 3:  # symbolic: 22-POS-TAG-END
        alt = "<" + record["variantInternalId"].split("-")[2].replace("_", ":") + ">"
    return (start + 1, variation["referenceBases"], alt)


async def test_copy_number_and_size_classes_on_1000_genomes(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    """<CN2> with SVTYPE=DUP is a gain; CNV and loss terms are structural (50 bp or more, or
    symbolic); INDEL is small, never a <CN0> or a mobile-element insertion."""
    path = g1k_slice(tmp_path / "g1k.vcf")
    await run_vcf(db, "g1k", [path], "GRCh37", run_options)
    alleles = text_alleles(path)
    api = await node(BEACON_MAX_LIMIT="100000")

    async def of_type(term: str) -> set[tuple[int, str, str]]:
        found = await g_variants(
            api, "/api/g_variants", referenceName="22", start="0", end="60000000", variantType=term
        )
        return {record_key(r) for r in found}

    def where(*kinds: str, small: bool | None = None) -> set[tuple[int, str, str]]:
        return {
            a.key
            for a in alleles
            if a.kind in kinds and (small is None or (a.length < 50) == small)
        }

    gains = where("<CN2>", "<CN3>", "<CN4>")
    assert len(where("<CN2>")) > 20  # 1000 Genomes: SVTYPE=DUP, or one ALT of an SVTYPE=CNV row
    for term in ("DUP", "EFO:0030070", "SO:0001742"):
        assert await of_type(term) == gains, term
    losses = where("<CN0>") | where("del", small=False)
    assert len(where("<CN0>")) > 50
    assert where("del", small=False)
    for term in ("EFO:0030067", "EFO:0030068", "SO:0001743"):
        assert await of_type(term) == losses, term
    assert await of_type("CNV") == losses | gains
    assert await of_type("DEL") == where("<CN0>", "del")  # any deletion, small ones included
    indels = where("del", "ins", "delins", small=True)
    assert await of_type("INDEL") == indels
    assert not indels & where("<CN0>", "<INS:ME:ALU>", "<INS:ME:LINE1>", "<INS:ME:SVA>")
    assert await of_type("INS") == where("ins", "<INS:ME:ALU>", "<INS:ME:LINE1>", "<INS:ME:SVA>")


#: Protein changes of test_trio.vcf.gz (SnpEff ANN and VEP CSQ on every row) in spellings
#: people and annotators use, and the allele each names.
PROTEIN_QUERIES = [
    ("1-210267893-TGAA-T", ["E225del", "Glu225del", "p.Glu225del"]),  # in-frame deletion
    ("21-46924412-TGCCCGGCCC-T", ["P1127_P1129del", "p.(Pro1127_Pro1129del)"]),  # VEP's only
    ("11-67765162-A-AC", ["F296fs", "Phe296fs", "F296Cfs*41", "p.Phe296CysfsTer41"]),  # frameshift
    ("1-7890024-TGA-GGG", ["p.MetLys997ArgGlu", "M997_K998delinsRE"]),  # two residues at once
    ("MT-14872-C-T", ["I42=", "Ile42=", "p.Ile42Ile", "I42I"]),  # synonymous
    ("3-184073238-G-A", ["P65L", "Pro65Leu"]),  # in CSQ only
    ("13-21750538-G-A", ["R27*", "Arg27Ter", "p.Arg27*"]),  # nonsense
]


async def test_protein_changes_of_every_kind_from_ann_and_csq(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    path = VCF / "test_trio.vcf.gz"
    await run_vcf(db, "trio", [path], "GRCh37", run_options)
    docs = {d[c.VARIANT_INTERNAL_ID]: d for d in await stored(db, "trio")}
    # VEP's protein HGVS ids are kept although the file has SnpEff's ANN as well.
    proteins = [d for d in docs.values() if d.get("identifiers", {}).get("proteinHGVSIds")]
    assert len(proteins) > 50
    assert "ENSP00000354554.2:p.Ile42=" in docs["MT-14872-C-T"]["identifiers"]["proteinHGVSIds"]
    api = await node()
    for allele, spellings in PROTEIN_QUERIES:
        assert allele in docs, allele
        for spelling in spellings:
            found = await g_variants(api, "/api/g_variants", aminoacidChange=spelling)
            assert allele in {r["variantInternalId"] for r in found}, spelling
            gene = docs[allele]["molecularAttributes"]["geneIds"][0]
            found = await g_variants(api, "/api/g_variants", aminoacidChange=spelling, geneId=gene)
            assert allele in {r["variantInternalId"] for r in found}, (spelling, gene)
    found = await g_variants(api, "/api/g_variants", aminoacidChange="E225K")
    assert found == []


async def test_structural_variants_with_genotypes(
    db: Database, run_options: pipeline.RunOptions
) -> None:
    path = VCF / "test_trio.SV.vcf.gz"
    report = await run_vcf(db, "trio_sv", [path], "GRCh37", run_options)
    assert (report.records_read, report.alleles_written, dict(report.skipped)) == (19, 19, {})
    docs = await stored(db, "trio_sv")
    assert_counts_match_text(docs, path)
    types = sorted(d[c.V_TYPE] for d in docs)
    assert types.count("DUP") == 1
    assert all(d.get("molecularAttributes", {}).get("geneIds") for d in docs)  # VEP CSQ SYMBOL
    tandem = next(d for d in docs if d[c.V_ALT] == "<DUP:TANDEM>")
    assert tandem[c.V_END] > tandem[c.V_START] + 1
    valid_records(docs, every=1)


async def test_somatic_svs_breakends_and_mates(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    path = VCF / "colo829_somatic_manta.vcf"  # FORMAT without GT: loaded as sites
    report = await run_vcf(db, "colo", [path], "GRCh37", run_options)
    # Manta calls some events twice under two ids: one allele, stored once, counted as skipped.
    rows = {(r.chrom, r.pos, r.ref, r.alts[0]): r for r in vcftext.rows(path)}
    twice = 431 - len(rows)
    assert twice > 0
    assert (report.records_read, report.alleles_written, report.samples) == (431, len(rows), 0)
    assert dict(report.skipped) == {"duplicate_allele": twice}
    docs = await stored(db, "colo")
    bnds = [d for d in docs if d[c.V_TYPE] == "BND"]
    assert len(bnds) == sum(r.info.get("SVTYPE") == "BND" for r in rows.values()) > 200
    for doc in bnds:
        alt = doc[c.V_ALT]
        mate, position = alt.strip("ACGTN[]").split(":")
        assert doc[c.V_MATE] == mate.removeprefix("chr")
        # The record shows the mate: the base the breakend notation names, on GRCh37.
        where = doc["variation"]["mateLocation"]
        assert where["sequence_id"] == genome.contig("GRCh37", doc[c.V_MATE]).sequence_id
        interval = where["interval"]
        assert (interval["start"]["value"], interval["end"]["value"]) == (
            int(position) - 1,
            int(position),
        )
    for doc in docs:
        if doc[c.V_ALT].startswith("<") and doc[c.V_TYPE] != "INS":
            # a symbolic SV spans POS (the padding base) to END
            row = rows[(doc[c.V_CHROM], doc[c.V_START] + 1, doc[c.V_REF], doc[c.V_ALT])]
            assert doc[c.V_END] == int(row.info["END"])
            assert doc[c.V_LENGTH] == abs(int(row.info.get("SVLEN", doc[c.V_LENGTH])))
    valid_records(docs, every=5)
    valid_records(bnds[:20], every=1)  # mateLocation too
    api = await node()
    deletion = next(d for d in docs if d[c.V_ALT] == "<DEL>")
    middle = (deletion[c.V_START] + deletion[c.V_END]) // 2
    hits = await g_variants(
        api,
        "/api/g_variants",
        referenceName=deletion[c.V_CHROM],
        start=str(middle),
        end=str(middle + 1),
        variantType="DEL",
        assemblyId="GRCh37",
    )
    assert deletion[c.VARIANT_INTERNAL_ID] in {r["variantInternalId"] for r in hits}
    # mateName: a breakend found by its mate's chromosome in any GRCh37 spelling; a GRCh38
    # accession is another assembly's sequence, refused rather than matched.
    bnd = bnds[0]
    near = {
        "referenceName": bnd[c.V_CHROM],
        "start": str(bnd[c.V_START]),
        "end": str(bnd[c.V_END]),
        "variantType": "BND",
    }
    grch37 = genome.contig("GRCh37", bnd[c.V_MATE]).refseq
    for name in (bnd[c.V_MATE], f"chr{bnd[c.V_MATE]}", grch37, f"refseq:{grch37}"):
        hits = await g_variants(api, "/api/g_variants", mateName=name, **near)
        assert bnd[c.VARIANT_INTERNAL_ID] in {r["variantInternalId"] for r in hits}, name
    grch38 = genome.contig("GRCh38", bnd[c.V_MATE]).refseq
    assert await g_variants(api, "/api/g_variants", mateName=grch38, **near) == []
    query = {**near, "mateName": grch38, "assemblyId": "GRCh37"}
    response = await api.get("/api/g_variants", params=query)
    body = await response.json()
    assert response.status == 400, body
    assert f"{grch38} is a GRCh38 sequence" in body["error"]["errorMessage"]


async def test_grch38_chr22(
    db: Database, run_options: pipeline.RunOptions, node: ClientFactory
) -> None:
    path = VCF / "test_1000G_hg38.vcf.gz"
    report = await run_vcf(db, "hg38", [path], "GRCh38", run_options)
    assert (report.records_read, report.alleles_written) == (3042, 3042 - not_carried(path))
    docs = await stored(db, "hg38")
    assert {d[c.V_CHROM] for d in docs} == {"22"}
    assert all(d["identifiers"]["genomicHGVSId"].startswith("NC_000022.11:g.") for d in docs)
    assert {d["variation"]["location"]["sequence_id"] for d in docs} == {"refseq:NC_000022.11"}
    snv = next(d for d in docs if d[c.V_TYPE] == "SNP")
    api = await node()
    # The file says chr22; clients say 22, chr22 or the RefSeq accession of GRCh38's 22.
    for name in ("chr22", "22", "NC_000022.11", "refseq:NC_000022.11"):
        hits = await g_variants(
            api,
            "/api/g_variants",
            referenceName=name,
            start=str(snv[c.V_START]),
            alternateBases=snv[c.V_ALT],
        )
        assert [r["variantInternalId"] for r in hits] == [snv[c.VARIANT_INTERNAL_ID]], name
    for wrong in ("NC_000022.10", "23"):  # GRCh37's accession, or no such chromosome
        response = await api.get(
            "/api/g_variants",
            params={
                "referenceName": wrong,
                "start": str(snv[c.V_START]),
                "alternateBases": snv[c.V_ALT],
            },
        )
        body = await response.json()
        assert body.get("responseSummary", {}).get("exists") is not True, wrong
    deletion = next(d for d in docs if d[c.V_TYPE] == "DEL")
    hits = await g_variants(
        api,
        "/api/g_variants",
        genomicAlleleShortForm=deletion["identifiers"]["genomicHGVSId"],
        assemblyId="GRCh38",
    )
    assert [r["variantInternalId"] for r in hits] == [deletion[c.VARIANT_INTERNAL_ID]]
