"""Runs the demo (``python -m beacon.demo`` via ``make demo``): data once, then the programs.

Each program is a child process in its own session, so Ctrl-C reaches this supervisor only,
which then stops them in order (the aggregator first, then the nodes) with SIGTERM, the
graceful shutdown of ``web.run_app``, waiting up to ``STOP_WAIT_S`` before SIGKILL. Their
output goes to ``<data dir>/logs``; a program that dies is reported with its last lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import click
from pymongo.errors import PyMongoError

from beacon.config import ConfigError, load_settings
from beacon.demo import plan as demo
from beacon.store import catalog, engine
from beacon.store import client as store_client
from beacon.store import collections as c

STOP_WAIT_S = 15.0
START_WAIT_S = 60.0


class DemoError(click.ClickException):
    pass


def program(name: str) -> str:
    """The console script installed beside this Python (the project's venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise DemoError(f"{name} is not installed: run `make install`")
    return found


def child_env(uri: str, database: str | None = None) -> dict[str, str]:
    """This environment without the user's settings (the demo's own files decide), plus the
    database to use."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BEACON_", "AGGREGATOR_", "MONGODB_"))
    }
    env["MONGODB_URI"] = uri
    if database:
        env["MONGODB_DB"] = database
    return env


@contextlib.contextmanager
def database() -> Iterator[tuple[str, str]]:
    """(URI, what it is): ``MONGODB_URI``, or the embedded engine (stopped on exit if started
    here)."""
    try:
        settings = load_settings(
            None, {k: v for k, v in os.environ.items() if k != "BEACON_CONFIG"}
        )
    except ConfigError as exc:
        raise DemoError(str(exc)) from None
    if settings.mongodb.uri is not None:
        yield settings.mongodb.uri.reveal(), "MONGODB_URI"
        return
    directory = Path(settings.mongodb.engine_dir).resolve()
    running = engine.status(directory)
    state = running or engine.start(directory)
    click.echo(f"database: embedded engine in {directory} ({'running' if running else 'started'})")
    try:
        yield state.uri, f"engine:{directory}"
    finally:
        if running is None:
            engine.stop(directory)
            click.echo("stopped the embedded engine")


async def _catalogs(uri: str) -> dict[str, list[str]]:
    client = store_client.connect(uri)
    try:
        found = {}
        for node in demo.NODES:
            entries = await catalog.read(client[node.database])
            found[node.database] = [
                e.id
                for e in entries.values()
                if e.count(c.Role.G_VARIANTS) and e.count(c.Role.INDIVIDUALS)
            ]
        return found
    finally:
        await client.close()


def _run(args: list[str], env: dict[str, str], log: IO[str]) -> None:
    log.write(f"$ {' '.join(args)}\n")
    log.flush()
    done = subprocess.run(args, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise DemoError(f"`{' '.join(args[:3])} ...` failed: see {log.name}")


def load(uri: str, target: str, size: demo.Size, data: Path) -> None:
    """Simulate and load the cohorts unless what is loaded already fits."""
    marker_path = data / "loaded.json"
    wanted = demo.marker(size, target)
    recorded = json.loads(marker_path.read_text()) if marker_path.exists() else None
    try:
        catalogs = asyncio.run(_catalogs(uri))
    except PyMongoError as exc:
        raise DemoError(f"the database ({target}) does not answer: {exc}") from None
    if demo.reusable(recorded, wanted, catalogs):
        click.echo(f"data: reusing the cohorts loaded before ({marker_path})")
        return
    marker_path.unlink(missing_ok=True)
    ingest = program("beacon-ingest")
    cohorts = data / "cohorts"
    began = time.monotonic()
    with (data / "logs" / "load.log").open("w") as log:
        click.echo(f"data: simulating {size.samples} people per country (seed {size.seed})...")
        _run([ingest, *demo.simulate_args(cohorts, size)], child_env(uri), log)
        for node in demo.NODES:
            click.echo(f"data: loading {', '.join(node.datasets)} into {node.database}...")
            for args in demo.ingest_args(cohorts, node):
                _run([ingest, *args], child_env(uri, node.database), log)
    marker_path.write_text(json.dumps(wanted, indent=2) + "\n")
    click.echo(f"data: ready in {time.monotonic() - began:.0f} s")


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((demo.HOST, port)) != 0


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start(name: str, args: list[str], env: dict[str, str], logs: Path, url: str) -> Child:
    log = logs / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Child(name, process, log, url)


def wait_healthy(children: list[Child]) -> None:
    deadline = time.monotonic() + START_WAIT_S
    waiting = list(children)
    while waiting:
        for child in list(waiting):
            if child.process.poll() is not None:
                raise DemoError(f"{child.name} exited at start:\n{child.tail()}")
            if _healthy(child.url):
                waiting.remove(child)
        if time.monotonic() > deadline:
            raise DemoError(f"{waiting[0].name} did not answer in {START_WAIT_S:g} s")
        time.sleep(0.2)


def stop(children: list[Child]) -> None:
    """SIGTERM in order (the aggregator before the nodes), SIGKILL after ``STOP_WAIT_S``."""
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
            try:
                child.process.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        click.echo(f"stopped {child.name}")


def serve(uri: str, data: Path) -> None:
    """Start the nodes and the aggregator, print where they are, wait for Ctrl-C."""
    ports = [n.port for n in demo.NODES] + [demo.AGGREGATOR_PORT, demo.BROWSER_PORT]
    busy = [p for p in ports if not _free(p)]
    if busy:
        raise DemoError(f"port {busy[0]} is in use: is another demo running? (ports {ports})")
    logs = data / "logs"
    urls = {n.id: n.url for n in demo.NODES}
    children: list[Child] = []

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the demo like Ctrl-C

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        for node in demo.NODES:
            config = data / f"node-{node.id}.toml"
            config.write_text(demo.node_config(node))
            args = [program("beacon"), "serve", "--config", str(config)]
            children.append(start(node.id, args, child_env(uri, node.database), logs, node.url))
        wait_healthy(children)
        config = data / "aggregator.toml"
        config.write_text(demo.aggregator_config({k: f"{v}/api" for k, v in urls.items()}))
        args = [program("beacon-aggregator"), "serve", "--config", str(config)]
        args += ["--also-port", str(demo.BROWSER_PORT)]
        network = f"http://{demo.HOST}:{demo.AGGREGATOR_PORT}"
        children.insert(0, start("aggregator", args, child_env(uri), logs, network))
        wait_healthy(children[:1])
        click.echo(demo.banner(urls, network, logs))
        while True:
            dead = [ch for ch in children if ch.process.poll() is not None]
            if dead:
                raise DemoError(f"{dead[0].name} stopped unexpectedly:\n{dead[0].tail()}")
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("\nstopping...")
    finally:
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C waits
        try:
            stop(children)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, previous)


@click.command()
@click.option("--samples", default=demo.Size.samples, show_default=True, help="People per country.")
@click.option(
    "--length-kb", default=demo.Size.length_kb, show_default=True, help="Kilobases of chr22."
)
@click.option("--seed", default=demo.Size.seed, show_default=True, help="Random seed.")
@click.option(
    "--data-dir",
    default=".beacon-data/demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the cohorts, configurations and logs go.",
)
def main(samples: int, length_kb: int, seed: int, data_dir: Path) -> None:
    """Run a synthetic three-country Beacon network until Ctrl-C."""
    # Ctrl-C stops the demo even when it was started with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    data = data_dir.resolve()
    (data / "logs").mkdir(parents=True, exist_ok=True)
    try:
        with database() as (uri, target):
            load(uri, target, demo.Size(samples, length_kb, seed), data)
            serve(uri, data)
    except engine.EngineError as exc:
        raise DemoError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("interrupted: nothing is left running")
