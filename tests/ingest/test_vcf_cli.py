"""``beacon-ingest vcf`` and ``delete`` through click: reports, exit codes, exact messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pymongo import MongoClient

from ingest.cli import main
from tests.ingest.test_vcf_load import COLUMNS, HEADER, ROWS, write_vcf

NOTHING = "Nothing was changed: the dataset's previous load is still in place.\n"


@pytest.fixture
def invoke(mongo_uri: str, db_name: str) -> Iterator[tuple[CliRunner, dict[str, str]]]:
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "BEACON_INGEST_SWAP_GRACE": "0"}
    yield CliRunner(), env
    client, _ = sync_db(mongo_uri, db_name)
    with client:
        client.drop_database(db_name)


def sync_db(uri: str, name: str) -> tuple[MongoClient[dict[str, Any]], Any]:
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    return client, client[name]


def run(invoke: tuple[CliRunner, dict[str, str]], *args: str) -> Result:
    runner, env = invoke
    return runner.invoke(main, list(args), env=env, catch_exceptions=False)


def test_load_reports_json_then_delete(
    invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path, mongo_uri: str, db_name: str
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    result = run(invoke, "vcf", str(path), "--dataset", "ds", "--assembly", "hg19")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["recordsRead"] == len(ROWS)
    assert report["allelesWritten"] == 8
    assert report["skipped"] == {"contig_not_in_assembly": 1, "star_allele": 1}
    assert report["assembly"] == "GRCh37"
    assert report["documents"]["g_variants"] == 8
    assert report["recordsPerSecond"] > 0
    # A VCF-only load of a dataset the configuration does not declare: the node hides it,
    # and both the report and stderr say so, with the remedy.
    hidden = [n for n in report["notes"] if n.startswith("dataset ds is hidden")]
    assert len(hidden) == 1
    assert '[[access.datasets]] id = "ds", security_level = "PUBLIC"' in hidden[0]
    assert f"Note: {hidden[0]}\n" in result.stderr
    assert report["individualLinks"] == {
        "samples": 4, "namedByVariants": 0, "throughBiosamples": 0, "unlinked": 4
    }  # fmt: skip
    client, db = sync_db(mongo_uri, db_name)
    with client:
        assert db["catalog"].count_documents({"_id": "ds"}) == 1
    deleted = run(invoke, "delete", "--dataset", "ds", "--yes")
    assert (deleted.exit_code, deleted.stdout) == (0, "deleted ds\n")
    client, db = sync_db(mongo_uri, db_name)
    with client:
        names = db.list_collection_names()
        assert not [n for n in names if n.startswith("d.ds.")]
        assert db["catalog"].count_documents({}) == 0


def refused(result: Result, message: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n{NOTHING}"


def test_wrong_assembly(invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    result = run(invoke, "vcf", str(path), "--dataset", "ds", "--assembly", "GRCh38")
    refused(
        result,
        f"{path}: contig 1 is 249250621 bases long, the length of GRCh37, not GRCh38: "
        "pass --assembly GRCh37",
    )


def test_contig_of_no_assembly(invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path) -> None:
    header = HEADER.replace("ID=X,length=155270560", "ID=X,length=1000")
    path = write_vcf(tmp_path / "odd.vcf", ROWS, header)
    result = run(invoke, "vcf", str(path), "--dataset", "ds", "--assembly", "GRCh37")
    refused(
        result,
        f"{path}: contig X is 1000 bases long, but chromosome X of GRCh37 has 155270560: "
        "is this VCF aligned to another assembly?",
    )


def test_info_field_with_the_wrong_type(
    invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path
) -> None:
    header = HEADER.replace("ID=END,Number=1,Type=Integer", "ID=END,Number=1,Type=String")
    path = write_vcf(tmp_path / "end.vcf", ROWS[:1], header)
    result = run(invoke, "vcf", str(path), "--dataset", "ds", "--assembly", "GRCh37")
    refused(
        result,
        f"{path}: INFO/END is declared Type=String; the VCF specification says Integer: "
        "fix the header (bcftools reheader) and load again",
    )


def test_sample_missing_from_the_map(
    invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS[:1])
    mapping = tmp_path / "map.tsv"
    mapping.write_text("s1\tbs1\tind1\ns2\tbs2\tind2\ns3\tbs3\tind3\n")
    result = run(
        invoke, "vcf", str(path), "--dataset", "ds", "--assembly", "GRCh37",
        "--sample-map", str(mapping),
    )  # fmt: skip
    refused(result, f"{path}: sample 's4' is not in the --sample-map file: add a line for it")


def test_not_a_vcf(invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path) -> None:
    path = tmp_path / "notes.vcf"
    path.write_text("this is not a VCF\n")
    result = run(invoke, "vcf", str(path), "--dataset", "ds", "--assembly", "GRCh37")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: not a readable VCF/BCF file (")
    assert result.stderr.endswith(f"check it with bcftools view -h\n{NOTHING}")


def test_bad_dataset_id(invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS[:1])
    result = run(invoke, "vcf", str(path), "--dataset", "bad id", "--assembly", "GRCh37")
    refused(
        result,
        "dataset id 'bad id' is not valid: use letters, digits, '_' and '-' "
        "(up to 80 characters, starting with a letter or digit)",
    )


def test_failed_reload_keeps_the_previous_load(
    invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path, mongo_uri: str, db_name: str
) -> None:
    good = write_vcf(tmp_path / "good.vcf", ROWS)
    assert run(invoke, "vcf", str(good), "--dataset", "ds", "--assembly", "GRCh37").exit_code == 0
    client, db = sync_db(mongo_uri, db_name)
    with client:
        before = db["catalog"].find_one({"_id": "ds"})
    columns = COLUMNS.replace("\ts4\n", "\ts4\ts5\n")
    broken = write_vcf(
        tmp_path / "broken.vcf", [ROWS[0] + "\t0/1", "1\tnot-a-number\t.\tA\tG"], columns=columns
    )
    result = run(invoke, "vcf", str(broken), "--dataset", "ds", "--assembly", "GRCh37")
    assert result.exit_code == 1
    assert result.stderr.endswith(NOTHING)
    client, db = sync_db(mongo_uri, db_name)
    with client:
        assert db["catalog"].find_one({"_id": "ds"}) == before
        names = db.list_collection_names()
        assert sum(n.startswith("d.ds.g_variants.") for n in names) == 1


def test_a_declared_dataset_is_not_reported_hidden(
    invoke: tuple[CliRunner, dict[str, str]], tmp_path: Path
) -> None:
    path = write_vcf(tmp_path / "small.vcf", ROWS)
    config = tmp_path / "beacon.toml"
    config.write_text('[[access.datasets]]\nid = "ds"\nsecurity_level = "PUBLIC"\n')
    args = ("vcf", str(path), "--dataset", "ds", "--assembly", "GRCh37", "--config", str(config))
    result = run(invoke, *args)
    assert result.exit_code == 0, result.output
    assert "hidden" not in result.stderr
    assert not any("hidden" in n for n in json.loads(result.stdout)["notes"])
    _, env = invoke
    opened = run((CliRunner(), {**env, "BEACON_UNDECLARED_DATASETS": "public"}), *args[:-2])
    assert "hidden" not in opened.stderr
