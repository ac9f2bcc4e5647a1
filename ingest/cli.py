"""``beacon-ingest``: load metadata and variants into a node's database, or delete a dataset.

Every loading command prints a JSON report on stdout when it ends, and its notes (how samples
link to individuals, a dataset the node will hide) on stderr as well. Exit codes: 0 success,
1 the input was refused (nothing was changed), 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from beacon import __version__
from beacon.config import Settings
from beacon.config.cli import config_option, settings_for
from beacon.store import catalog, engine
from beacon.store import client as store_client
from beacon.store.client import Database
from ingest import ontology, pipeline
from ingest.bff import find_files
from ingest.errors import IngestError, PlanError
from ingest.report import IngestReport
from ingest.vcf import load as vcfload

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _settings(config: str | None) -> Settings:
    return settings_for("ingest", config)


def _run(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main(uri: str) -> T:
        client = store_client.connect(uri)
        try:
            await store_client.ping(client)
            return await work(client[settings.mongodb.db])
        finally:
            await client.close()

    try:
        with store_client.database_uri(settings.mongodb) as uri:
            return asyncio.run(main(uri))
    except IngestError as exc:
        click.echo(f"Error: {exc}", err=True)
        click.echo("Nothing was changed: the dataset's previous load is still in place.", err=True)
        sys.exit(1)
    except engine.EngineError as exc:
        raise click.ClickException(str(exc)) from None


Load = Callable[[Database, pipeline.RunOptions], Awaitable[IngestReport | list[IngestReport]]]


def _load(config: str | None, test: bool | None, work: Load) -> None:
    """Run a load with the settings of ``config``; print its report(s) as JSON lines."""
    settings = _settings(config)
    options = pipeline.RunOptions(
        settings.ingest, progress=sys.stderr.isatty(), test=test, access=settings.access
    )
    done = _run(settings, lambda db: work(db, options))
    for report in done if isinstance(done, list) else [done]:
        for note in report.notes:
            click.echo(f"Note: {note}", err=True)
        click.echo(report.dumps())


dataset_option = click.option(
    "--dataset", "dataset_id", required=True, help="Dataset id (letters, digits, '_', '-')."
)
test_option = click.option(
    "--test-data",
    "test",
    is_flag=True,
    default=None,
    help="Mark the dataset as test data: it answers testMode requests only.",
)


def dataset_load(command: F) -> F:
    """The options of every command that loads one dataset: --dataset, --test-data, --config."""
    for option in (config_option, test_option, dataset_option):
        command = option(command)
    return command


@click.group()
@click.version_option(__version__, prog_name="beacon-ingest")
def main() -> None:
    """Load Beacon data into MongoDB (MONGODB_URI, or the embedded engine when unset)."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@dataset_load
def metadata(
    paths: tuple[Path, ...], dataset_id: str, test: bool | None, config: str | None
) -> None:
    """Load BFF metadata: individuals, biosamples, runs, analyses, datasets, cohorts.

    PATHS are BFF JSON files named after their entity (individuals.json[.gz], ...) or
    directories holding them. The new records replace the dataset's previous metadata in one
    step, once all are written.
    """
    _load(
        config, test, lambda db, options: pipeline.run_metadata(db, dataset_id, [*paths], options)
    )


@main.command("variants-json")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dataset_load
@click.option("--assembly", required=True, help="GRCh37 or GRCh38 (hg19/hg38 accepted).")
def variants_json(
    path: Path, dataset_id: str, assembly: str, test: bool | None, config: str | None
) -> None:
    """Load genomic variations from a BFF genomicVariations JSON file (with caseLevelData)."""
    _load(
        config,
        test,
        lambda db, options: pipeline.run_bff_variants(db, dataset_id, path, assembly, options),
    )


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@dataset_load
@click.option("--assembly", default=None, help="Assembly of the variants file, if there is one.")
def bff(
    directory: Path, dataset_id: str, assembly: str | None, test: bool | None, config: str | None
) -> None:
    """Load a whole BFF directory: metadata, then genomicVariations if present."""
    files = find_files(directory)
    variants = files.get("genomicVariations")
    if variants is not None and assembly is None:
        raise click.UsageError(f"{variants} holds variants: give --assembly GRCh37 or GRCh38")

    async def work(db: Database, options: pipeline.RunOptions) -> list[IngestReport]:
        reports = [await pipeline.run_metadata(db, dataset_id, [directory], options)]
        if variants is not None and assembly is not None:
            reports.append(
                await pipeline.run_bff_variants(db, dataset_id, variants, assembly, options)
            )
        return reports

    _load(config, test, work)


@main.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@dataset_load
@click.option("--assembly", required=True, help="GRCh37 or GRCh38 (hg19/hg38 accepted).")
@click.option(
    "--reference",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Reference FASTA of the assembly: REF is checked and indels are left-aligned.",
)
@click.option(
    "--sample-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="TSV: vcf_sample, biosampleId, individualId (default: the VCF sample name is the "
    "biosampleId; individuals are the ones the dataset's biosamples name, loaded before or "
    "after).",
)
def vcf(
    paths: tuple[Path, ...],
    dataset_id: str,
    assembly: str,
    reference: Path | None,
    sample_map: Path | None,
    test: bool | None,
    config: str | None,
) -> None:
    """Load variants from VCF/BCF files (.vcf, .vcf.gz, .bcf), e.g. one per chromosome.

    Multi-allelic rows are split, alleles normalised, counts and carriers computed from the
    genotypes (or taken from INFO AC/AN/AF for sites-only files). All PATHS become the
    dataset's variants in one step, replacing its previous variants once all are written.
    """

    async def work(db: Database, options: pipeline.RunOptions) -> IngestReport:
        files = [*paths]
        return await vcfload.run_vcf(
            db, dataset_id, files, assembly, options, reference=reference, sample_map=sample_map
        )

    _load(config, test, work)


@main.command("ontology")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@config_option
def ontology_command(paths: tuple[Path, ...], config: str | None) -> None:
    """Load ontologies (OBO, OWL or OBO Graphs JSON) for term hierarchies and labels.

    Filters then match descendants of a term (includeDescendantTerms), and /filtering_terms
    lists ancestors and labels. Nothing is fetched from the network; loading an ontology again
    replaces its terms. Works before or after the data that uses its terms.
    """

    async def work(db: Database, options: pipeline.RunOptions) -> list[IngestReport]:
        return [await ontology.load(db, path, options.settings.batch_size) for path in paths]

    _load(config, None, work)


@main.command()
@dataset_option
@config_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(dataset_id: str, config: str | None, yes: bool) -> None:
    """Delete a dataset and everything loaded for it."""
    settings = _settings(config)
    if not yes:
        click.confirm(f"Delete dataset {dataset_id} and all its data?", abort=True)
    found: Any = _run(
        settings, lambda db: pipeline.delete_dataset(db, dataset_id, settings.ingest.swap_grace_s)
    )
    if not found:
        click.echo(f"Error: no dataset {dataset_id}", err=True)
        sys.exit(1)
    click.echo(f"deleted {dataset_id}")


def _bounded(name: str, most: int, default: int, help: str) -> Callable[[F], F]:
    """A whole-number option from 1 to ``most``."""
    return click.option(
        name, type=click.IntRange(1, most), default=default, show_default=True, help=help
    )


@main.command()
@config_option
def gc(config: str | None) -> None:
    """Remove the collections that loads killed before they finished left behind.

    Every load does this first, so it is needed only to tidy up without loading. Loads being
    written (their process alive, or a heartbeat in the last five minutes from another host)
    and replaced loads in their grace period are kept. Prints the collections removed.
    """
    settings = _settings(config)
    dropped: list[str] = _run(settings, catalog.gc)
    click.echo(json.dumps({"removed": dropped}))


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--countries",
    default="FI,DE,ES",
    show_default=True,
    help="Countries (ISO 3166 codes, comma-separated) of FI, DE, ES, SE, NL, PT, PL.",
)
@_bounded("--samples", 100_000, 300, "Individuals per country.")
@_bounded(
    "--length-kb",
    4000,
    3000,
    "Kilobases of chromosome 22 simulated: eight genes with flanks, the rest background.",
)
@click.option(
    "--controlled",
    default="",
    help="Countries (comma-separated) where a third of the people form a second, "
    "controlled-access clinical cohort (synthetic-es-controlled).",
)
@click.option("--seed", type=click.IntRange(0), default=1, show_default=True, help="Random seed.")
def simulate(
    out_dir: Path, countries: str, samples: int, length_kb: int, controlled: str, seed: int
) -> None:
    """Write synthetic country cohorts to OUT_DIR: genomes simulated with msprime, metadata.

    Per dataset: a GRCh38 chr22 VCF (population frequencies in INFO, SnpEff ANN gene
    annotations, a few structural variants) and BFF metadata (individuals, biosamples, runs,
    analyses, dataset, cohort); plus the HPO, ICD-10 and NCIT slices the terms need, in
    OUT_DIR/ontologies. The same arguments write the same files. No real person's data.
    """
    try:
        from ingest.simulate import cohort as sim
    except ImportError as exc:
        raise click.ClickException(f"{exc.name} is not installed: run `make install`") from None

    def codes(text: str) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in text.split(",") if c.strip())

    plan = sim.Plan(codes(countries), samples, length_kb, seed, codes(controlled))
    try:
        manifest = sim.generate(out_dir, plan)
    except PlanError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo((out_dir / "manifest.json").read_text(), nl=False)
    click.echo(f"{manifest.sites} simulated sites written to {out_dir}", err=True)
