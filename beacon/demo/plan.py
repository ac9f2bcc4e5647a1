"""``make demo``: a three-country federation on synthetic cohorts, on one machine.

``python -m beacon.demo`` (what ``make demo`` runs), step by step:

1. the database: ``MONGODB_URI`` when set, else the embedded engine of ``.beacon-data/engine``
   (started here, and stopped again on exit, unless it was already running);
2. the data, once: ``beacon-ingest simulate`` writes Finnish, German and Spanish cohorts, and
   ``beacon-ingest ontology|metadata|vcf`` load each country into its own database
   (``demo_fi``, ``demo_de``, ``demo_es``). A later run finds them (``loaded.json`` names
   what was loaded, and every dataset must still be in its database's catalog) and reuses them;
3. three nodes on ports 5051-5053 and the aggregator on 5060 (and on 8060: browsers refuse to
   open port 5060, so the query page is at http://127.0.0.1:8060/), each a child process with a
   configuration written to ``.beacon-data/demo`` (the Spanish node also holds a
   controlled-access clinical cohort, of which anonymous callers see counts only);
4. the URLs and example queries, then wait: Ctrl-C (or SIGTERM) stops the aggregator, the
   nodes, and the engine if this run started it.

The programs run as separate processes, as in production: this module imports neither the
aggregator nor the ingest pipeline. The plan (configurations, commands, the reuse check) is
pure and tested; ``supervise.py`` runs the processes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
AGGREGATOR_PORT = 5060
#: Browsers refuse port 5060 (SIP's: ERR_UNSAFE_PORT), so the aggregator listens here too.
BROWSER_PORT = 8060
ASSEMBLY = "GRCh38"
#: Example queries (printed by the demo, listed in the README, run by the end-to-end test).
EXAMPLES = (
    (
        "/g_variants?referenceName=22&start=16050074&referenceBases=A&alternateBases=G",
        "a variant: frequencies per country and sex",
    ),
    ("/g_variants?allele=NC_000022.11:g.16050075A>G&requestedGranularity=count", "by HGVS"),
    ("/g_variants?geneId=COMT&requestedGranularity=count", "variants in a gene"),
    (
        "/g_variants?referenceName=22&start=42120000&end=42135000&variantType=DEL",
        "deletions around CYP2D6",
    ),
    ("/individuals?filters=HP:0001626&requestedGranularity=count", "cardiovascular, any kind"),
    (
        "/individuals?filters=NCIT:C16576,ICD10:I10&requestedGranularity=count",
        "women, hypertension",
    ),
    ("/individuals?filters=LOINC:39156-5:>30&requestedGranularity=count", "a BMI over 30"),
    (
        "/individuals?referenceName=22&start=16050074&referenceBases=A&alternateBases=G"
        "&requestedGranularity=count",
        "carriers of a variant",
    ),
)
#: The visa value that would grant the controlled cohort, and the DAC whose grant it must be
#: (no issuer is configured in the demo, so nobody can open it; a test that signs in trusts
#: its own DAC under this name).
CONTROLLED_VISA = "https://beacon-gdi.example/visas/synthetic-es-controlled"
DEMO_DAC = "https://dac.beacon-gdi.example/"


@dataclass(frozen=True)
class Size:
    """How much to simulate: the arguments of ``beacon-ingest simulate``."""

    samples: int = 300
    length_kb: int = 3000
    seed: int = 1


@dataclass(frozen=True)
class DemoNode:
    id: str  # also the node's prefix in network ids
    country: str
    name: str
    port: int
    datasets: tuple[str, ...]
    controlled: tuple[str, ...] = ()

    @property
    def database(self) -> str:
        return f"demo_{self.id}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


NODES = (
    DemoNode("fi", "FI", "Finland", 5051, ("synthetic-fi",)),
    DemoNode("de", "DE", "Germany", 5052, ("synthetic-de",)),
    DemoNode(
        "es",
        "ES",
        "Spain",
        5053,
        ("synthetic-es", "synthetic-es-controlled"),
        controlled=("synthetic-es-controlled",),
    ),
)


def _toml(value: Any) -> str:
    return json.dumps(value)  # a JSON string or number is a valid TOML value


def node_config(node: DemoNode) -> str:
    """The node's TOML settings: who it is, where it listens, which datasets are open."""
    lines = [
        "# Written by `make demo` (beacon/demo): a demo node over synthetic data.",
        "[mongodb]",
        f"db = {_toml(node.database)}",
        "",
        "[server]",
        f"id = {_toml(f'org.example.demo.{node.id}')}",
        f"name = {_toml(f'Synthetic Beacon {node.name}')}",
        f"description = {_toml(f'Demo node of {node.name}: synthetic cohorts, no real data.')}",
        'environment = "dev"',
        f"host = {_toml(HOST)}",
        f"port = {node.port}",
        'log_format = "json"',
        "",
        "[server.organization]",
        f"id = {_toml(f'org.example.{node.id}')}",
        f"name = {_toml(f'Example Genome Centre {node.name}')}",
        "",
        "[access]",
        'undeclared_datasets = "hidden"',
        "# Every query reaches the nodes from the aggregator's one address: no per-address",
        "# budget (production networks identify themselves with [[access.networks]] instead).",
        "budget_per_ip = 0",
    ]
    for dataset in node.datasets:
        lines += ["", "[[access.datasets]]", f"id = {_toml(dataset)}"]
        if dataset in node.controlled:
            lines += [
                'security_level = "CONTROLLED"',
                'public = "count"',
                f"visa_values = [{_toml(CONTROLLED_VISA)}]",
                f"visa_issuers = [{_toml(DEMO_DAC)}]",
            ]
        else:
            lines.append('security_level = "PUBLIC"')
    return "\n".join(lines) + "\n"


def aggregator_config(urls: Mapping[str, str]) -> str:
    """The aggregator's TOML settings over the nodes at ``urls`` (node id -> API root)."""
    lines = [
        "# Written by `make demo` (beacon/demo): the demo network.",
        "[server]",
        'id = "org.example.demo.network"',
        'name = "Synthetic European Beacon Network"',
        'description = "Three countries\' synthetic cohorts behind one query (demo data)."',
        f"host = {_toml(HOST)}",
        f"port = {AGGREGATOR_PORT}",
        'log_format = "json"',
        "",
        "[aggregator]",
        "metadata_ttl_s = 30.0",
        "cache_ttl_s = 5.0",
    ]
    for node in NODES:
        lines += [
            "",
            "[[aggregator.nodes]]",
            f"id = {_toml(node.id)}",
            f"url = {_toml(urls[node.id])}",
            f"country = {_toml(node.country)}",
        ]
    return "\n".join(lines) + "\n"


def simulate_args(out: Path, size: Size) -> list[str]:
    """``beacon-ingest`` arguments that write the demo's cohorts to ``out``."""
    countries = ",".join(n.country for n in NODES)
    controlled = ",".join(n.country for n in NODES if n.controlled)
    return [
        "simulate",
        str(out),
        "--countries",
        countries,
        "--controlled",
        controlled,
        "--samples",
        str(size.samples),
        "--length-kb",
        str(size.length_kb),
        "--seed",
        str(size.seed),
    ]


def ingest_args(cohorts: Path, node: DemoNode) -> list[list[str]]:
    """``beacon-ingest`` argument lists that load one node's database from ``cohorts``."""
    manifest = json.loads((cohorts / "manifest.json").read_text())
    commands = [["ontology", *(str(cohorts / p) for p in manifest["ontologies"])]]
    for dataset in node.datasets:
        entry = manifest["files"][dataset]
        folder, vcf = str(cohorts / entry["metadata"]), str(cohorts / entry["vcf"])
        commands.append(["metadata", folder, "--dataset", dataset])
        commands.append(["vcf", vcf, "--dataset", dataset, "--assembly", ASSEMBLY])
    return commands


#: Bumped when what the demo loads changes shape, so that older demo data is loaded afresh
#: (2: cohorts with collection events, variant loads with their partial calls; 3: lean variants;
#: 4: the sample-first index by variant ordinal; 5: loads stamped with the store layout).
DATA_LAYOUT = 5


def marker(size: Size, target: str) -> dict[str, Any]:
    """What ``loaded.json`` records: the size simulated, the database it went to and the
    layout of the data."""
    return {
        "size": asdict(size),
        "target": target,
        "nodes": {n.id: n.database for n in NODES},
        "layout": DATA_LAYOUT,
    }


def reusable(
    recorded: Mapping[str, Any] | None, wanted: Mapping[str, Any], catalogs: Mapping[str, Any]
) -> bool:
    """Can the data already loaded serve this run? ``catalogs``: database -> dataset ids with
    variants and individuals loaded."""
    if recorded != wanted:
        return False
    return all(set(n.datasets) <= set(catalogs.get(n.database, ())) for n in NODES)


def banner(urls: Mapping[str, str], network: str, logs: Path) -> str:
    """What the user reads once everything answers: where to look and what to try."""
    api = f"{network}/api"
    page = f"http://{HOST}:{BROWSER_PORT}/"
    lines = [
        "",
        "A synthetic European Beacon network is running (Ctrl-C stops it):",
        "",
        f"  query page   {page}  (the network; browsers refuse port {AGGREGATOR_PORT})",
        f"  network API  {api}  (per-node status: {api}/nodes, metrics: {network}/metrics)",
    ]
    for node in NODES:
        lines.append(
            f"  node {node.id}      {urls[node.id]}/  ({node.name}: {', '.join(node.datasets)})"
        )
    lines += [
        f"  logs         {logs}/*.log (JSON lines)",
        "",
        "Try:",
        *(f"  curl '{api}{path}'   # {why}" for path, why in EXAMPLES),
        "",
    ]
    return "\n".join(lines)
