"""The embedded MongoDB-compatible engine: start, find, stop (``beacon db start|stop|status``).

SecantusDB is run only as a separate program over TCP, never imported (it is GPL-2.0-only; see
docs/design.md §7). The launcher prefers the Rust server ``secantusd-rs`` and falls back to
``secantusd-py``. It listens on 127.0.0.1 on a free port, keeps its data in a directory, and
records its pid and URI in ``engine.json`` there, so every program finds the running engine.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

BINARIES = ("secantusd-rs", "secantusd-py")
STATE_FILE = "engine.json"
LOG_FILE = "engine.log"


class EngineError(RuntimeError):
    """The embedded engine is not installed, did not start, or did not stop."""


@dataclass(frozen=True)
class EngineState:
    pid: int
    port: int
    uri: str
    binary: str
    data_dir: str


def find_binary() -> Path | None:
    """The engine executable: beside this Python (the project's venv) first, then on PATH."""
    here = Path(sys.executable).parent
    for name in BINARIES:
        candidate = here / name
        if candidate.exists():
            return candidate
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def uri_for(port: int) -> str:
    return f"mongodb://127.0.0.1:{port}/?directConnection=true"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def status(data_dir: str | Path) -> EngineState | None:
    """The running engine of ``data_dir``, or None (a stale state file is removed)."""
    path = Path(data_dir) / STATE_FILE
    try:
        state = EngineState(**json.loads(path.read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None
    if _alive(state.pid) and _answers(state.port):
        return state
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def _lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "engine.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _command(binary: Path, port: int, storage: Path, cache_size: str) -> list[str]:
    cmd = [
        str(binary),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(storage),
        "--log-level",
        "WARNING",
        "--cache-size",
        cache_size,
    ]
    if binary.name == "secantusd-rs":
        # Otherwise the Rust server preallocates a 2 GB write-ahead log per data directory.
        cmd += ["--log-file-max", "100MB"]
    return cmd


def _spawn(command: list[str], log_path: Path) -> int:
    """Start the server in its own session (it outlives this process), output to the log."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fd, 1),
            (os.POSIX_SPAWN_DUP2, fd, 2),
        ]
        return os.posix_spawn(
            command[0], command, dict(os.environ), file_actions=actions, setsid=True
        )
    finally:
        os.close(fd)


def start(data_dir: str | Path, *, cache_size: str = "512M", timeout: float = 60.0) -> EngineState:
    """Start the engine on ``data_dir`` (or return the one already running there)."""
    root = Path(data_dir).resolve()
    with _lock(root):
        running = status(root)
        if running:
            return running
        binary = find_binary()
        if binary is None:
            raise EngineError(
                "the embedded engine is not installed (secantusd-rs or secantusd-py); run "
                "`make install`, or set MONGODB_URI to use a MongoDB server"
            )
        port = _free_port()
        log_path = root / LOG_FILE
        pid = _spawn(_command(binary, port, root / "store", cache_size), log_path)
        deadline = time.monotonic() + timeout
        while not _answers(port):
            exited, wait_status = os.waitpid(pid, os.WNOHANG)
            if exited:
                tail = log_path.read_text(errors="replace")[-2000:]
                code = os.waitstatus_to_exitcode(wait_status)
                raise EngineError(f"the engine exited with code {code}:\n{tail}")
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGTERM)
                raise EngineError(f"the engine did not answer on port {port} within {timeout}s")
            time.sleep(0.05)
        state = EngineState(pid, port, uri_for(port), str(binary), str(root))
        (root / STATE_FILE).write_text(json.dumps(asdict(state)))
        return state


def stop(data_dir: str | Path, timeout: float = 20.0) -> bool:
    """Stop the engine of ``data_dir``; False if none was running."""
    root = Path(data_dir).resolve()
    with _lock(root):
        state = status(root)
        if state is None:
            return False
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(state.pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(state.pid, os.WNOHANG)
            time.sleep(0.05)
        if _alive(state.pid):
            os.kill(state.pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            (root / STATE_FILE).unlink()
        return True
