"""Loading small hand-written VCFs: split alleles, carriers, counts, sample index, reloads."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from beacon.node.app import create_app
from beacon.store import carriers as packed
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from beacon.store.reference import FastaError
from ingest import documents, pipeline
from ingest.errors import IngestError
from ingest.vcf.load import run_vcf
from tests import official
from tests.ingest import stored

HEADER = """##fileformat=VCFv4.2
##contig=<ID=1,length=249250621>
##contig=<ID=X,length=155270560>
##contig=<ID=MT,length=16569>
##contig=<ID=GL000207.1,length=4262>
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="SV length">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">
##INFO=<ID=EUR_AF,Number=A,Type=Float,Description="EUR allele frequency">
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | \
Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | \
Transcript_BioType | Rank | HGVS.c | HGVS.p'">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">
##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar disease">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
"""
COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\ts3\ts4\n"
ANN = "ANN=G|missense_variant|MODERATE|BRAF|BRAF|transcript|NM_1|coding|1/2|c.1A>G|p.Val600Glu"
ROWS = [
    f"1\t1000\trs1\tA\tG,T\t50\tPASS\tEUR_AF=0.1,0.2;{ANN}\tGT\t0/1\t1/2\t./.\t2|2",
    "1\t2000\t.\tAT\tA,*\t50\tPASS\t.\tGT\t0/1\t0/2\t1/1\t./1",
    "1\t3000\tsv1\tN\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=3100;SVLEN=-100\tGT\t0/1\t0/0\t0/0\t1/1",
    "1\t4000\tbnd1\tG\tG]X:5000]\t.\tPASS\tSVTYPE=BND\tGT\t0/1\t0/0\t0/0\t0/0",
    "1\t6000\t123\tC\tT\t.\tPASS\tCLNSIG=Pathogenic;CLNDN=Some_disease\tGT\t0/0\t0/1\t0/0\t0/0",
    "X\t5000\t.\tC\tT\t.\tPASS\t.\tGT\t1\t0/1\t1/1\t.",
    "MT\t100\t.\tA\tG\t.\tPASS\t.\tGT\t1\t0\t1\t.",
    "GL000207.1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/1\t0/1\t0/1",
]
# variantInternalId -> (AC, AN, het, hom, hemi), carriers by sample name
EXPECTED: dict[str, tuple[tuple[int, int, int, int, int], dict[str, list[str]]]] = {
    "1-1000-A-G": ((2, 6, 2, 0, 0), {"het": ["s1", "s2"]}),
    "1-1000-A-T": ((3, 6, 1, 1, 0), {"het": ["s2"], "hom": ["s4"]}),
    "1-2000-AT-A": ((4, 7, 2, 1, 0), {"het": ["s1", "s4"], "hom": ["s3"]}),
    "1-3000-DEL-3100": ((3, 8, 1, 1, 0), {"het": ["s1"], "hom": ["s4"]}),
    "1-4000-BND-": ((1, 8, 1, 0, 0), {"het": ["s1"]}),
    "1-6000-C-T": ((1, 8, 1, 0, 0), {"het": ["s2"]}),
    "X-5000-C-T": ((4, 5, 1, 1, 1), {"hemi": ["s1"], "het": ["s2"], "hom": ["s3"]}),
    "MT-100-A-G": ((2, 3, 0, 0, 2), {"hemi": ["s1", "s3"]}),
}
SAMPLES = ["s1", "s2", "s3", "s4"]


def write_vcf(path: Path, rows: list[str], header: str = HEADER, columns: str = COLUMNS) -> Path:
    text = header + columns + "".join(r + "\n" for r in rows)
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as handle:  # plain gzip, not BGZF: must be read too
            handle.write(text)
    else:
        path.write_text(text)
    return path


async def variants(db: Database, dataset: str = "ds") -> dict[str, dict[str, Any]]:
    return {d[c.VARIANT_INTERNAL_ID]: d for d in await stored.variants(db, dataset)}


def record(doc: dict[str, Any]) -> dict[str, Any]:
    """The Beacon record as a response carries it."""
    record: dict[str, Any] = doc[stored.RECORD]
    return record


def key_of(internal_id: str, found: dict[str, dict[str, Any]]) -> str:
    return next(k for k in found if k.startswith(internal_id))


async def test_alleles_counts_and_carriers(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    report = await run_vcf(db, "ds", [path], "GRCh37", run_options)
    assert report.records_read == len(ROWS)
    assert report.alleles_written == len(EXPECTED)
    assert dict(report.skipped) == {"star_allele": 1, "contig_not_in_assembly": 1}
    assert report.samples == 4
    found = await variants(db)
    assert len(found) == len(EXPECTED)
    for prefix, (counts, carriers) in EXPECTED.items():
        doc = found[key_of(prefix, found)]
        n = stored.counts(doc)
        assert (n["ac"], n["an"], n["het"], n["hom"], n["hemi"]) == counts
        got = {
            zygosity: [SAMPLES[i] for i in packed.decode_indices(blob)]
            for zygosity, blob in doc.get(c.V_CARRIERS, {}).items()
        }
        assert got == carriers, prefix


async def test_record_fields(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    await run_vcf(db, "ds", [path], "GRCh37", run_options)
    found = await variants(db)
    braf = found["1-1000-A-G"]
    assert braf["molecularAttributes"]["geneIds"] == ["BRAF"]
    assert braf["molecularAttributes"]["aminoacidChanges"] == ["V600E", "Val600Glu"]
    assert braf["identifiers"]["genomicHGVSId"] == "NC_000001.10:g.1000A>G"
    assert braf["identifiers"]["variantAlternativeIds"] == [{"id": "dbSNP:rs1"}]
    populations = {p["source"]: p["frequencies"] for p in braf["frequencyInPopulations"]}
    assert populations["small.vcf"] == [{"population": "EUR", "alleleFrequency": 0.1}]
    own = populations["Beacon dataset ds"][0]
    assert (own["alleleCount"], own["alleleNumber"], own["alleleFrequency"]) == (2, 6, 0.33333333)
    # the annotation named ALT G only: ALT T of the same row has none
    assert "molecularAttributes" not in found["1-1000-A-T"]
    assert found["1-1000-A-T"]["frequencyInPopulations"][1]["frequencies"][0][
        "alleleFrequency"
    ] == pytest.approx(0.2)
    sv = found["1-3000-DEL-3100"]
    assert (sv[c.V_START], sv[c.V_END], sv[c.V_TYPE], sv[c.V_LENGTH]) == (2999, 3100, "DEL", 100)
    assert sv["variation"]["alternateBases"] == "N"
    bnd = found[key_of("1-4000-BND-", found)]
    assert (bnd[c.V_TYPE], bnd[c.V_MATE]) == ("BND", "X")
    clin = found["1-6000-C-T"]
    assert clin["identifiers"]["clinvarVariantId"] == "clinvar:123"
    (interpretation,) = clin["variantLevelData"]["clinicalInterpretations"]
    assert interpretation["clinicalRelevance"] == "pathogenic"
    assert interpretation["conditionId"] == "Some disease"
    if official.available():
        for doc in found.values():
            official.assert_valid(record(doc), official.ENTITY_SCHEMAS["genomicVariant"])


async def test_sample_first_index(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    await run_vcf(db, "ds", [path], "GRCh37", run_options)
    entry = await catalog.get(db, "ds")
    assert entry is not None
    found = await variants(db)
    samples = {d["_id"]: d async for d in db[str(entry.collection(c.Role.SAMPLES))].find({})}
    assert [samples[i][c.S_BIOSAMPLE] for i in range(4)] == SAMPLES
    carried: dict[str, set[int]] = {s: set() for s in SAMPLES}
    key_of_ordinal = {d[c.V_ORDINAL]: d["_id"] for d in found.values()}
    assert sorted(key_of_ordinal) == list(range(len(found)))
    async for run in db[str(entry.collection(c.Role.SAMPLE_VARIANTS))].find({}):
        if run[c.SV_SAMPLE] == c.SV_ORDER:
            continue
        ordinals = packed.decode_ordinals(run[c.SV_ORDINALS]) + run[c.SV_BASE]
        carried[SAMPLES[run[c.SV_SAMPLE]]].update(key_of_ordinal[o] for o in ordinals.tolist())
    expected: dict[str, set[int]] = {s: set() for s in SAMPLES}
    for prefix, (_, carriers) in EXPECTED.items():
        for names in carriers.values():
            for name in names:
                expected[name].add(found[key_of(prefix, found)]["_id"])
    assert carried == expected
    assert {s[c.S_BIOSAMPLE]: s[c.S_VARIANTS] for s in samples.values()} == {
        s: len(v) for s, v in expected.items()
    }


async def test_rerun_gives_identical_documents_and_replaces_the_load(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    path = write_vcf(tmp_path / "small.vcf.gz", ROWS)
    await run_vcf(db, "ds", [path], "GRCh37", run_options)
    first = await variants(db)
    entry = await catalog.get(db, "ds")
    assert entry is not None
    await run_vcf(db, "ds", [path], "GRCh37", run_options)
    assert await variants(db) == first
    names = await db.list_collection_names()
    assert entry.collection(c.Role.G_VARIANTS) not in names  # the old load was dropped
    assert sum(n.startswith("d.ds.g_variants.") for n in names) == 1


async def test_sites_only_file(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    header = HEADER.replace(
        "##FORMAT",
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">\n'
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">\n'
        '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">\n##FORMAT',
    )
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    rows = [
        "1\t1000\t.\tA\tG,C,T\t.\tPASS\tAC=3,1,0;AN=100;AF=0.03,0.01,0",
        "1\t2000\t.\tA\tT\t.\tPASS\tAF=0.5",
        "1\t3000\t.\tA\tT\t.\tPASS\tAC=0",  # AC 0 without AN: nobody has it either
    ]
    path = write_vcf(tmp_path / "sites.vcf", rows, header, columns)
    report = await run_vcf(db, "ds", [path], "GRCh37", run_options)
    assert (report.alleles_written, report.samples) == (3, 0)
    assert dict(report.skipped) == {"not_carried": 2}
    found = await variants(db)
    assert found["1-1000-A-C"][c.V_COUNTS] == {"ac": 1, "an": 100}  # zeros are not stored
    assert c.V_CARRIERS not in found["1-1000-A-C"]
    only_af = found["1-2000-A-T"]["frequencyInPopulations"][0]["frequencies"]
    assert only_af == [{"population": "ds", "alleleFrequency": 0.5}]


async def test_alleles_nobody_carries_are_not_stored(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, node: Any
) -> None:
    rows = [
        "1\t1000\t.\tA\tG,C\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0\t./.",  # nobody has C
        "1\t2000\t.\tA\tT\t.\tPASS\t.\tGT\t0/0\t./.\t0/0\t0/.",  # nobody has T
    ]
    report = await run_vcf(db, "ds", [write_vcf(tmp_path / "a.vcf", rows)], "GRCh37", run_options)
    assert (report.alleles_written, dict(report.skipped)) == (1, {"not_carried": 2})
    assert set(await variants(db)) == {"1-1000-A-G"}
    assert any(
        n.startswith("2 alleles no sample carries (skipped: not_carried)") for n in report.notes
    )
    api = await node()
    for alt in ("C", "G"):
        query = {"referenceName": "1", "start": "999", "alternateBases": alt}
        response = await api.get("/api/g_variants", params=query)
        assert (await response.json())["responseSummary"]["exists"] is (alt == "G")


async def test_several_files_with_different_sample_orders(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    one = write_vcf(tmp_path / "a.vcf", ["1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t1/1\t0/0"])
    other_columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts4\ts3\ts5\n"
    two = write_vcf(
        tmp_path / "b.vcf", ["X\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t1"], columns=other_columns
    )
    report = await run_vcf(db, "ds", [one, two], "GRCh37", run_options)
    assert report.samples == 5
    found = await variants(db)
    names = ["s1", "s2", "s3", "s4", "s5"]
    x = found["X-100-A-G"][c.V_CARRIERS]
    assert [names[i] for i in packed.decode_indices(x["het"])] == ["s4"]
    assert [names[i] for i in packed.decode_indices(x["hemi"])] == ["s5"]


async def test_sample_map_and_individuals(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS[:1])
    mapping = tmp_path / "map.tsv"
    mapping.write_text(
        "vcf_sample\tbiosampleId\tindividualId\ns1\tbs1\tind1\ns2\tbs2\t\ns3\tbs3\tind3\ns4\tbs4\tind4\n"
    )
    await run_vcf(db, "ds", [path], "GRCh37", run_options, sample_map=mapping)
    entry = await catalog.get(db, "ds")
    assert entry is not None
    samples = [d async for d in db[str(entry.collection(c.Role.SAMPLES))].find({}).sort("_id")]
    assert [(s[c.S_BIOSAMPLE], s.get(c.S_INDIVIDUAL)) for s in samples] == [
        ("bs1", "ind1"),
        ("bs2", None),
        ("bs3", "ind3"),
        ("bs4", "ind4"),
    ]


async def test_bgzf_and_bcf_read_like_plain_text(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    if shutil.which("bcftools") is None:
        pytest.skip("bcftools is not installed (make bench-ingest installs it)")
    text = write_vcf(tmp_path / "small.vcf", ROWS)
    await run_vcf(db, "ds", [text], "GRCh37", run_options)
    expected = str(await variants(db))
    for fmt, suffix in (("z", ".vcf.gz"), ("b", ".bcf")):
        out = tmp_path / f"small{suffix}"
        convert = ["bcftools", "view", f"-O{fmt}", "-o", str(out), str(text)]
        await asyncio.to_thread(subprocess.run, convert, check=True)
        await run_vcf(db, "ds", [out], "GRCh37", run_options)
        # the INFO frequencies name their source file; everything else is identical
        assert str(await variants(db)).replace(out.name, text.name) == expected, suffix


def mt_fasta(tmp_path: Path) -> Path:
    """MT is short enough to write whole: a CA repeat at 1-based 101..106 after a G at 100."""
    bases = list("T" * 16569)
    bases[99:107] = "GCACACAG"
    fasta = tmp_path / "mt.fa"
    sequence = "".join(bases)
    fasta.write_text(
        ">chrM\n" + "\n".join(sequence[i : i + 60] for i in range(0, 16569, 60)) + "\n"
    )
    return fasta


async def test_reference_fasta_left_aligns_and_checks_ref(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    fasta = mt_fasta(tmp_path)
    rows = [
        "MT\t104\t.\tACA\tA\t.\tPASS\t.\tGT\t1\t0\t0\t0",  # a CA deletion written to the right
        "MT\t106\t.\tA\tACA\t.\tPASS\t.\tGT\t0\t1\t0\t0",  # a CA insertion written to the right
        "MT\t50\t.\tG\tC\t.\tPASS\t.\tGT\t0\t0\t1\t0",  # REF disagrees with the FASTA (T)
        "1\t500\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0\t0/0",  # not in this FASTA
    ]
    path = write_vcf(tmp_path / "mt.vcf", rows)
    report = await run_vcf(db, "ds", [path], "GRCh37", run_options, reference=fasta)
    assert dict(report.skipped) == {"ref_mismatch": 1, "chromosome_not_in_reference": 1}
    assert set(await variants(db)) == {"MT-100-GCA-G", "MT-100-G-GCA"}


async def test_the_node_left_aligns_queries_against_its_reference(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, node: Any
) -> None:
    """The CA deletion loaded with --reference is stored left-aligned (MT-100-GCA-G); queried
    as the VCF wrote it (104 ACA>A), a node with the reference aligns the query the same way.
    A dataset loaded without --reference keeps the form as written, which the query still finds."""
    fasta = mt_fasta(tmp_path)
    row = "MT\t104\t.\tACA\tA\t.\tPASS\t.\tGT\t1\t0\t0\t0"
    path = write_vcf(tmp_path / "mt.vcf", [row])
    await run_vcf(db, "aligned", [path], "GRCh37", run_options, reference=fasta)
    await run_vcf(db, "as_written", [path], "GRCh37", run_options)
    assert set(await variants(db, "as_written")) == {"MT-104-ACA-A"}
    written = {
        "referenceName": "MT",
        "start": "103",
        "referenceBases": "ACA",
        "alternateBases": "A",
    }
    trimmed = {"referenceName": "MT", "start": "104", "referenceBases": "CA", "alternateBases": ""}

    async def found(api: Any, query: dict[str, str]) -> list[str]:
        params = {**query, "requestedGranularity": "record", "assemblyId": "GRCh37"}
        response = await api.get("/api/g_variants", params=params)
        body = await response.json()
        assert response.status == 200, body
        return sorted(
            r["variantInternalId"] for s in body["response"]["resultSets"] for r in s["results"]
        )

    plain = await node()
    assert await found(plain, written) == ["MT-104-ACA-A"]  # no reference: trimmed only
    aligning = await node(BEACON_REFERENCE_GRCH37=str(fasta))
    for query in (written, trimmed):
        assert await found(aligning, query) == ["MT-100-GCA-G", "MT-104-ACA-A"], query
    other = {**written, "referenceBases": "ATA"}  # not the reference's REF: no alignment
    assert await found(aligning, other) == []


def test_a_node_with_the_wrong_reference_does_not_start(
    tmp_path: Path, make_settings: Any, mongo_uri: str
) -> None:
    fasta = tmp_path / "short.fa"
    fasta.write_text(">22\nACGT\n")
    with pytest.raises(FastaError) as caught:
        create_app(make_settings(BEACON_REFERENCE_GRCH38=str(fasta)), mongo_uri)
    assert "chromosome 22 of GRCh38 has 50818468" in str(caught.value)


async def test_reference_of_another_assembly_is_refused(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    fasta = tmp_path / "short.fa"
    fasta.write_text(">22\nACGT\n")
    path = write_vcf(tmp_path / "small.vcf", ROWS[:1])
    with pytest.raises(IngestError) as caught:
        await run_vcf(db, "ds", [path], "GRCh37", run_options, reference=fasta)
    assert str(caught.value) == (
        f"{fasta}: sequence 22 is 4 bases long, but chromosome 22 of GRCh37 has 51304566: "
        "give the FASTA of GRCh37"
    )
    assert await catalog.get(db, "ds") is None


async def test_truncated_file_is_an_error_not_a_shorter_load(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions
) -> None:
    rows = [f"1\t{1000 + i}\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t1/1\t0/0" for i in range(20000)]
    whole = write_vcf(tmp_path / "whole.vcf.gz", rows).read_bytes()
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(IngestError) as caught:
        await run_vcf(db, "ds", [cut], "GRCh37", run_options)
    assert str(caught.value).startswith(f"{cut}: cannot read the record after row ")
    assert str(caught.value).endswith("nothing after it would be loaded, so nothing was")
    assert await catalog.get(db, "ds") is None
    assert await db[c.DATASETS].find_one({"_id": "ds"}) is None
    assert not [n for n in await db.list_collection_names() if n.startswith("d.ds.")]


async def test_carriers_spill_to_chunks(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Very common variants keep their carriers out of the variant document (16 MB limit)."""
    monkeypatch.setattr(documents, "INLINE_CARRIER_BYTES", 0)  # spill everything
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    await run_vcf(db, "ds", [path], "GRCh37", run_options)
    entry = await catalog.get(db, "ds")
    assert entry is not None
    found = await variants(db)
    chunks: dict[int, dict[str, list[str]]] = {}
    async for chunk in db[str(entry.collection(c.Role.CARRIERS))].find({}):
        for zygosity in ("het", "hom", "hemi"):
            if zygosity in chunk:
                names = [SAMPLES[i] for i in packed.decode_indices(chunk[zygosity])]
                chunks.setdefault(chunk[c.C_VARIANT], {})[zygosity] = names
    for prefix, (_, carriers) in EXPECTED.items():
        doc = found[key_of(prefix, found)]
        assert doc[c.V_SPILLED] is True
        assert c.V_CARRIERS not in doc
        assert chunks[doc["_id"]] == carriers


async def test_odd_rows(db: Database, tmp_path: Path, run_options: pipeline.RunOptions) -> None:
    """Rows without GT, a whole-call '.', four ALTs with a symbolic one, haploid Y, lower case."""
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc\n"
    header = HEADER.replace("##contig=<ID=MT", "##contig=<ID=Y,length=59373566>\n##contig=<ID=MT")
    header += '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    rows = [
        "1\t100\t.\tA\tG\t.\tPASS\t.\tGT:DP\t0/1:5\t.\t./.:3",
        "1\t200\t.\tA\tC\t.\tPASS\t.\tDP\t5\t6\t7",
        "1\t300\t.\tA\tG,C,T,<DEL>\t.\tPASS\tEND=400\tGT\t3/4\t1/2\t0/3",
        "Y\t400\t.\tC\tT\t.\tPASS\t.\tGT\t1\t.\t0",
        "1\t500\t.\tc\tt\t.\tPASS\t.\tGT\t0|1\t1|1\t0|0",
    ]
    path = write_vcf(tmp_path / "odd.vcf", rows, header, columns)
    report = await run_vcf(db, "ds", [path], "GRCh37", run_options)
    assert (report.records_read, report.alleles_written, dict(report.skipped)) == (5, 8, {})
    found = await variants(db)
    names = ["a", "b", "c"]

    def summary(internal_id: str) -> tuple[Any, ...]:
        doc = found[internal_id]
        counts = doc[c.V_COUNTS]
        carriers = {
            z: [names[i] for i in packed.decode_indices(b)]
            for z, b in doc.get(c.V_CARRIERS, {}).items()
        }
        return counts.get("ac"), counts.get("an"), carriers

    assert summary("1-100-A-G") == (1, 2, {"het": ["a"]})
    assert summary("1-200-A-C") == (None, None, {})  # no GT in this row: nothing is known
    assert summary("1-300-A-G") == (1, 6, {"het": ["b"]})
    assert summary("1-300-A-C") == (1, 6, {"het": ["b"]})
    assert summary("1-300-A-T") == (2, 6, {"het": ["a", "c"]})
    assert summary("1-300-DEL-400") == (1, 6, {"het": ["a"]})
    assert summary("Y-400-C-T") == (1, 2, {"hemi": ["a"]})
    assert summary("1-500-C-T") == (3, 6, {"het": ["a"], "hom": ["b"]})
