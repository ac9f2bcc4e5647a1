"""The sample-first index by variant ordinal, through HTTP, against the VCF text itself.

Three seeded random VCFs are loaded as one dataset, in an order that is not genomic (chr2,
then the second half of chr1, then its first half), with multi-allelic rows, rows whose
alleles normalisation moves past the next row, samples that carry nothing, a file with other
sample columns, and blocks of 64 ordinals. What each person carries is computed from the text
(``vcftext``: no project code) and must come back from ``/biosamples/{id}/g_variants``
exactly, in genomic order (chromosome, position, then the order of the files and rows), page
by page.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from beacon.store import carriers as packed
from beacon.store import catalog
from beacon.store import collections as c
from beacon.store.client import Database
from ingest import pipeline
from ingest import samples as sample_index
from ingest.vcf.load import run_vcf
from tests.conftest import ClientFactory
from tests.ingest import vcftext

HEADER = """##fileformat=VCFv4.2
##contig=<ID=1,length=249250621>
##contig=<ID=2,length=243199373>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
"""
SAMPLES = [f"s{i:02d}" for i in range(30)]
#: Samples whose every call is 0/0 or missing: they carry nothing.
NOTHING = {"s05", "s17"}
LIMIT = 7


def genotype(rng: random.Random, alts: int, freq: float) -> str:
    def allele() -> str:
        return str(rng.randint(1, alts)) if rng.random() < freq else "0"

    roll = rng.random()
    if roll < 0.03:
        return "./."
    if roll < 0.06:
        return allele()  # a haploid call
    return f"{allele()}{rng.choice('/|')}{allele()}"


def rows(rng: random.Random, chrom: str, start: int, n: int, names: list[str]) -> list[str]:
    out = []
    pos = start
    for _ in range(n):
        pos += rng.randint(1, 40)
        kind = rng.random()
        if kind < 0.15:  # ALT 2 trims to the next base: the next row sorts before it
            ref, alts = "CAT", ["CGT", "CAG"]
        elif kind < 0.3:
            ref, alts = "AT", ["A", "ATT", "G"]
        elif kind < 0.4:
            ref, alts = "G", ["A", "C"]
        else:
            ref, alts = "A", [rng.choice("CGT")]
        freq = rng.choice([0.005, 0.02, 0.1, 0.4, 0.8])
        calls = ["0/0" if name in NOTHING else genotype(rng, len(alts), freq) for name in names]
        out.append("\t".join([chrom, str(pos), ".", ref, ",".join(alts), ".", "PASS", "."]))
        out[-1] += "\tGT\t" + "\t".join(calls)
        if kind < 0.15:
            pos += 1  # the next row starts where the trimmed second ALT does
    return out


def write(path: Path, names: list[str], body: list[str]) -> Path:
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(names)
    path.write_text(HEADER + columns + "\n" + "\n".join(body) + "\n")
    return path


def carried_in_order(paths: list[Path]) -> dict[str, list[str]]:
    """Sample -> the variantInternalIds it carries, in genomic order, from the text alone."""
    found: list[tuple[tuple[int, int, int], str, set[str]]] = []
    for path in paths:
        names = vcftext.samples(path)
        for row in vcftext.rows(path):
            for k, alt in enumerate(row.alts, start=1):
                pos, ref, a = vcftext.trim(row.pos, row.ref, alt)
                calls = vcftext.calls(row.gts, k)
                who = {names[i] for i in calls.het + calls.hom + calls.hemi}
                if who:
                    order = (int(row.chrom), pos, len(found))
                    found.append((order, f"{row.chrom}-{pos}-{ref}-{a}", who))
    found.sort(key=lambda f: f[0])
    carried = {s: [vid for _, vid, who in found if s in who] for s in SAMPLES}
    carried["__all__"] = [vid for _, vid, _ in found]
    return carried


async def page(api: Any, path: str, **params: str) -> tuple[int, list[str]]:
    response = await api.get(path, params={"requestedGranularity": "record", **params})
    body = await response.json()
    assert response.status == 200, body
    found = [r["variantInternalId"] for s in body["response"]["resultSets"] for r in s["results"]]
    return body["responseSummary"]["numTotalResults"], found


@pytest.fixture
async def cohort(
    db: Database, tmp_path: Path, run_options: pipeline.RunOptions, monkeypatch: Any
) -> list[Path]:
    # Blocks of 64 ordinals for 30 samples: the index spans several blocks per sample.
    monkeypatch.setattr(sample_index, "BUDGET", 64 * 30 // 8)
    rng = random.Random(15)
    chr2_names = SAMPLES[::-1][:25]  # other columns, in another order, five samples absent
    paths = [
        write(tmp_path / "chr2.vcf", chr2_names, rows(rng, "2", 5000, 80, chr2_names)),
        write(tmp_path / "chr1b.vcf", SAMPLES, rows(rng, "1", 90000, 80, SAMPLES)),
        write(tmp_path / "chr1a.vcf", SAMPLES, rows(rng, "1", 1000, 80, SAMPLES)),
    ]
    await run_vcf(db, "ds", paths, "GRCh37", run_options)
    return paths


async def test_each_person_pages_through_what_the_text_says_they_carry(
    db: Database, cohort: list[Path], node: ClientFactory
) -> None:
    expected = carried_in_order(cohort)
    assert {s for s, v in expected.items() if not v} == NOTHING
    api = await node(BEACON_MAX_LIMIT="10000", BEACON_BUDGET_ANONYMOUS="0")
    for sample in SAMPLES:
        path = f"/api/biosamples/{sample}/g_variants"
        total, everything = await page(api, path, limit="0")
        assert (total, everything) == (len(expected[sample]), expected[sample]), sample
        pages: list[str] = []
        for skip in range(len(expected[sample]) // LIMIT + 2):
            count, found = await page(api, path, limit=str(LIMIT), skip=str(skip))
            assert count == len(expected[sample])
            pages += found
        assert pages == expected[sample], sample
        response = await api.get(path, params={"requestedGranularity": "count"})
        body = await response.json()
        assert body["responseSummary"]["numTotalResults"] == len(expected[sample])


async def test_a_person_with_several_samples_carries_their_union_in_order(
    db: Database,
    tmp_path: Path,
    run_options: pipeline.RunOptions,
    node: ClientFactory,
    monkeypatch: Any,
) -> None:
    """Two samples of one individual (a sample map): each variant once, in genomic order."""
    monkeypatch.setattr(sample_index, "BUDGET", 64 * 30 // 8)
    rng = random.Random(16)
    paths = [
        write(tmp_path / "chr2.vcf", SAMPLES, rows(rng, "2", 5000, 60, SAMPLES)),
        write(tmp_path / "chr1.vcf", SAMPLES, rows(rng, "1", 1000, 60, SAMPLES)),
    ]
    person = {s: f"p{int(s[1:]) // 2}" for s in SAMPLES}  # s00 and s01 are p0, ...
    sample_map = tmp_path / "map.tsv"
    sample_map.write_text("".join(f"{s}\t{s}\t{p}\n" for s, p in person.items()))
    await run_vcf(db, "ds", paths, "GRCh37", run_options, sample_map=sample_map)
    expected = carried_in_order(paths)
    api = await node(BEACON_MAX_LIMIT="10000", BEACON_BUDGET_ANONYMOUS="0")
    for individual in ("p0", "p3", "p9"):
        samples = [s for s, p in person.items() if p == individual]
        union = {v for s in samples for v in expected[s]}
        order = [v for v in carried_in_order(paths)["__all__"] if v in union]
        total, found = await page(api, f"/api/individuals/{individual}/g_variants", limit="0")
        assert (total, found) == (len(order), order), individual
        assert len(order) > max(len(expected[s]) for s in samples)


async def test_variant_filters_on_a_person_keep_the_same_variants(
    db: Database, cohort: list[Path], node: ClientFactory
) -> None:
    """A person's variants within a window: the ordinals become one condition among others."""
    expected = carried_in_order(cohort)
    api = await node(BEACON_MAX_LIMIT="10000", BEACON_BUDGET_ANONYMOUS="0")
    window = {"referenceName": "1", "start": "1500", "end": "95000"}
    _, in_window = await page(api, "/api/g_variants", limit="0", **window)
    assert 50 < len(in_window) < sum(1 for _ in vcftext.rows(cohort[1])) * 3
    for sample in ("s00", "s05", "s11"):
        inside = sorted(set(expected[sample]) & set(in_window))
        total, found = await page(api, f"/api/biosamples/{sample}/g_variants", limit="0", **window)
        assert (total, sorted(found)) == (len(inside), inside)
        assert bool(inside) == (sample != "s05")


async def test_the_index_is_blocks_of_packed_ordinals_and_an_order_table(
    db: Database, cohort: list[Path]
) -> None:
    entry = await catalog.get(db, "ds")
    assert entry is not None
    docs = [d async for d in db[str(entry.collection(c.Role.SAMPLE_VARIANTS))].find({})]
    order = [d for d in docs if d[c.SV_SAMPLE] == c.SV_ORDER]
    blocks = [d for d in docs if d[c.SV_SAMPLE] != c.SV_ORDER]
    # Files out of genomic order, and alleles moved by trimming: some ordinals move.
    assert len(order) == 1
    assert packed.decode_ordinals(order[0][c.SV_ORDINALS]).size > 80
    assert {d[c.SV_BASE] % 64 for d in blocks} == {0}
    assert max(sum(d[c.SV_SAMPLE] == s for d in blocks) for s in range(30)) >= 4
    calls = sum(len(carried_in_order(cohort)[s]) for s in SAMPLES)
    stored = sum(len(d[c.SV_ORDINALS]) for d in blocks)
    assert stored < 2 * calls  # under two bytes a call (it was eight)


def test_ordinal_codecs_round_trip() -> None:
    rng = np.random.default_rng(3)
    for density in (0.0005, 0.01, 0.1, 0.5, 0.99):
        mask = rng.random((40, 4096)) < density
        mask[3] = False
        bits = np.packbits(mask, axis=1, bitorder="little")
        rows_packed = packed.encode_ordinal_rows(bits)
        for i, blob in enumerate(rows_packed):
            want = np.flatnonzero(mask[i])
            if want.size == 0:
                assert blob == b""
                continue
            assert packed.decode_ordinals(blob).tolist() == want.tolist()
            alone = packed.encode_ordinals(want)
            assert alone == blob  # one set or a matrix of them: the same bytes
        assert packed.popcounts(bits).tolist() == mask.sum(axis=1).tolist()
    values = np.array([0, 1, 127, 128, 16383, 16384, 2**31, 2**40, 2**62], dtype=np.uint64)
    assert packed.decode_varints(packed.encode_varints(values)).tolist() == values.tolist()
    signed = np.array([0, -1, 1, -64, 64, -(2**40), 2**40], dtype=np.int64)
    assert packed.decode_signed(packed.encode_signed(signed)).tolist() == signed.tolist()


def test_a_growing_sample_table_shortens_the_blocks() -> None:
    """A BFF load finds its samples as it goes: blocks shrink to stay within the budget."""
    index = sample_index.SampleIndex("ds", 0, budget=1024)
    first = index.ordinal(1, 10)
    index.grow(8)
    index.add(np.array([1, 3], dtype=np.uint32), first)
    index.grow(500)  # 500 samples x the first block's length is over the budget
    second = index.ordinal(1, 20)
    index.add(np.array([3, 499], dtype=np.uint32), second)
    docs = index.drain(final=True)
    got: dict[int, list[int]] = {}
    for doc in docs:
        ordinals = packed.decode_ordinals(doc[c.SV_ORDINALS]) + doc[c.SV_BASE]
        got.setdefault(doc[c.SV_SAMPLE], []).extend(ordinals.tolist())
    assert got == {1: [first], 3: [first, second], 499: [second]}
    assert index.per_sample[[1, 3, 499]].tolist() == [1, 2, 1]
    assert index.order_documents() == []
