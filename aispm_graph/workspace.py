"""The workspace: snapshots of raw documents, and the graph built from each.

Layout (all files written atomically)::

    <workspace>/workspace.json                 format version, current snapshot id
    <workspace>/snapshots/<id>/manifest.json   sources in the snapshot, when each was taken
    <workspace>/snapshots/<id>/docs/<source>__<scope>.json.zst   raw documents of one source
    <workspace>/snapshots/<id>/graph.json.zst  the built graph (present once built)
    <workspace>/.lock                          held (flock) by whichever aispm is writing

Writers (collect, import, build) hold an exclusive ``flock`` on ``.lock`` while they change
the workspace, so two at once cannot lose a manifest entry, orphan a snapshot, or seal a
snapshot whose graph lacks a source added while it was being built. A second writer waits
(``AISPM_LOCK_TIMEOUT`` seconds, default 120) and then stops with a clear message. Readers
need no lock: every file is replaced atomically, so they see the old or the new version.

A source is what one collect or import produces: a provider and its scope (AWS account, Azure
subscription, GCP scope) or an imported file. Collecting a source again replaces that source's
documents only, so other accounts are never touched. A snapshot that has been built is sealed:
the next collect or import starts a new snapshot that carries over every other source's
documents, so each snapshot is a whole picture of the estate and two can be compared.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import zstandard

from aispm_graph.atomic import atomic_write_bytes, atomic_write_text
from aispm_graph.filelock import LockBusy, lock_timeout, wait_for_flock
from aispm_graph.safeload import sanitize

WORKSPACE_FORMAT = 1
ENV_WORKSPACE = "AISPM_WORKSPACE"
DEFAULT_WORKSPACE = ".aispm"
_LOCAL = threading.local()
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# A snapshot id names a folder under snapshots/; it is never a path (no separators, no "..").
_SNAPSHOT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class WorkspaceError(RuntimeError):
    """The workspace is missing, unreadable or of an unknown format."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _safe(part: str) -> str:
    cleaned = _SAFE.sub("_", part).strip("._") or "x"
    return cleaned[:120]


def compress_json(obj: Any) -> bytes:
    """Compressed JSON of ``obj``; lone surrogates (from a leniently parsed provider answer)
    become U+FFFD here, the one door every collected or imported document passes, so no
    output encoder meets one later."""
    text = json.dumps(obj, separators=(",", ":"), sort_keys=False, ensure_ascii=False)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        clean = sanitize(json.loads(text))
        raw = json.dumps(clean, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return zstandard.ZstdCompressor(level=6).compress(raw)


def decompress_json(data: bytes) -> Any:
    return json.loads(zstandard.ZstdDecompressor().decompress(data))


@dataclass(frozen=True)
class Document:
    """One raw document: a provider response or an imported file, as received."""

    source: str
    scope: str
    key: str
    body: Any


@dataclass
class Snapshot:
    workspace: Workspace
    id: str
    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    @property
    def graph_path(self) -> Path:
        return self.path / "graph.json.zst"

    def manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"snapshot {self.id}: unreadable manifest ({exc})") from None
        return data

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_text(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=True))

    @property
    def sealed(self) -> bool:
        return self.graph_path.exists()

    def source_file(self, source: str, scope: str) -> Path:
        return self.path / "docs" / f"{_safe(source)}__{_safe(scope)}.json.zst"

    def put_source(
        self,
        source: str,
        scope: str,
        documents: list[Document],
        meta: dict[str, Any] | None = None,
    ) -> Snapshot:
        """Replace everything this snapshot holds for (source, scope) in one atomic step."""
        return self.put_sources([(source, scope, documents, meta)])

    def put_sources(
        self, entries: Sequence[tuple[str, str, list[Document], Mapping[str, Any] | None]]
    ) -> Snapshot:
        """Store several (source, scope) at once, under the workspace lock, in one manifest
        update: a reader (or a build) sees all of them or none.

        If this snapshot was sealed (built) or stopped being current since it was opened,
        because another aispm wrote meanwhile, the documents go into the snapshot that is
        open for writing now, and this object follows it (its ``id`` and ``path`` change), so
        nothing lands in a snapshot no one will build.
        """
        with self.workspace.lock():
            current = self.workspace.current()
            if current is None or current.id != self.id or self.sealed:
                target = self.workspace.open_for_write()
                self.id, self.path = target.id, target.path
            manifest = self.manifest()
            sources = manifest.setdefault("sources", {})
            for source, scope, documents, meta in entries:
                body = [{"key": d.key, "body": d.body} for d in documents]
                atomic_write_bytes(self.source_file(source, scope), compress_json(body))
                sources[f"{source}:{scope}"] = {
                    "source": source,
                    "scope": scope,
                    "file": self.source_file(source, scope).name,
                    "documents": len(documents),
                    "taken_at": _now(),
                    "meta": dict(meta or {}),
                }
            self._write_manifest(manifest)
        return self

    def source_entry(self, source: str, scope: str) -> dict[str, Any] | None:
        """The manifest entry of (source, scope), or None when the snapshot has none."""
        entry: dict[str, Any] | None = self.manifest().get("sources", {}).get(f"{source}:{scope}")
        return entry

    def source_documents(self, source: str, scope: str) -> list[Document]:
        """The documents of one (source, scope), e.g. the base of an incremental collect."""
        entry = self.source_entry(source, scope)
        if entry is None:
            return []
        return list(self.entry_documents(entry))

    def entry_documents(self, entry: dict[str, Any]) -> Iterator[Document]:
        """The documents of a manifest entry (from :meth:`source_entry` or :meth:`sources`)."""
        path = self.path / "docs" / entry["file"]
        try:
            rows = decompress_json(path.read_bytes())
        except (OSError, zstandard.ZstdError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"snapshot {self.id}: cannot read {path.name}: {exc}") from None
        for row in rows:
            yield Document(entry["source"], entry["scope"], row["key"], row["body"])

    def sources(self) -> list[dict[str, Any]]:
        return sorted(self.manifest().get("sources", {}).values(), key=lambda s: s["file"])

    def documents(self) -> Iterator[Document]:
        for entry in self.sources():
            yield from self.entry_documents(entry)


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_env(cls, path: str | None = None) -> Workspace:
        return cls(Path(path or os.environ.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE))

    @property
    def meta_path(self) -> Path:
        return self.root / "workspace.json"

    def exists(self) -> bool:
        return self.meta_path.exists()

    def meta(self) -> dict[str, Any]:
        if not self.exists():
            return {"format": WORKSPACE_FORMAT, "current": None}
        try:
            data: dict[str, Any] = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"{self.meta_path}: unreadable ({exc})") from None
        if data.get("format") != WORKSPACE_FORMAT:
            raise WorkspaceError(
                f"{self.meta_path}: workspace format {data.get('format')!r} is not "
                f"{WORKSPACE_FORMAT}; use a new --workspace"
            )
        return data

    def _save_meta(self, meta: dict[str, Any]) -> None:
        atomic_write_text(self.meta_path, json.dumps(meta, indent=2, sort_keys=True))

    def snapshot_ids(self) -> list[str]:
        base = self.root / "snapshots"
        if not base.is_dir():
            return []
        return sorted(
            p.name
            for p in base.iterdir()
            if _SNAPSHOT_ID.fullmatch(p.name) and (p / "manifest.json").exists()
        )

    def _known(self) -> str:
        return ", ".join(self.snapshot_ids()) or "none"

    def snapshot(self, snapshot_id: str) -> Snapshot:
        if not isinstance(snapshot_id, str) or not _SNAPSHOT_ID.fullmatch(snapshot_id):
            raise WorkspaceError(
                f"{snapshot_id!a} is not a snapshot id (ids are names like "
                f"0003-20250101T120000Z, never paths; have: {self._known()})"
            )
        path = self.root / "snapshots" / snapshot_id
        if not (path / "manifest.json").exists():
            known = ", ".join(self.snapshot_ids()) or "none"
            raise WorkspaceError(f"no snapshot {snapshot_id!r} in {self.root} (have: {known})")
        return Snapshot(self, snapshot_id, path)

    def current(self) -> Snapshot | None:
        cur = self.meta().get("current")
        if cur and (not isinstance(cur, str) or not _SNAPSHOT_ID.fullmatch(cur)):
            raise WorkspaceError(
                f"{self.meta_path}: 'current' is {cur!a}, not a snapshot id; the file was "
                "edited by hand or by something else: fix it or use a new --workspace"
            )
        return self.snapshot(cur) if cur else None

    def latest_built(self) -> Snapshot:
        for sid in reversed(self.snapshot_ids()):
            snap = self.snapshot(sid)
            if snap.sealed:
                return snap
        raise WorkspaceError(
            f"no built graph in workspace {self.root}: run 'aispm build' (or 'aispm demo')"
        )

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the workspace's writer lock; re-entrant within one thread.

        Waits up to ``timeout`` seconds (``AISPM_LOCK_TIMEOUT``, default 120) for another
        writer, saying once on stderr that it waits, then raises WorkspaceError.
        """
        held: dict[str, int] = getattr(_LOCAL, "held", None) or {}
        _LOCAL.held = held
        self.root.mkdir(parents=True, exist_ok=True)
        key = str(self.root.resolve())
        if held.get(key):
            held[key] += 1
            try:
                yield
            finally:
                held[key] -= 1
            return
        if timeout is None:
            timeout = lock_timeout()
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                wait_for_flock(fd, timeout, f"this workspace ({self.root})")
            except LockBusy as exc:
                raise WorkspaceError(str(exc)) from None
            held[key] = 1
            try:
                yield
            finally:
                held[key] = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def open_for_write(self) -> Snapshot:
        """The snapshot new documents go into: the current one, or a new one if it is sealed."""
        with self.lock():
            cur = self.current()
            if cur is not None and not cur.sealed:
                return cur
            return self._new_snapshot(carry_from=cur)

    def _new_snapshot(self, carry_from: Snapshot | None) -> Snapshot:
        with self.lock():
            return self._new_snapshot_locked(carry_from)

    def _new_snapshot_locked(self, carry_from: Snapshot | None) -> Snapshot:
        meta = self.meta()
        base = self.root / "snapshots"
        seqs = [
            int(p.name[:4])
            for p in (base.iterdir() if base.is_dir() else [])
            if p.name[:4].isdigit()
        ]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        seq = max(seqs, default=0) + 1
        sid = f"{seq:04d}-{stamp}"
        path = self.root / "snapshots" / sid
        (path / "docs").mkdir(parents=True, exist_ok=False)
        manifest: dict[str, Any] = {"id": sid, "created_at": _now(), "sources": {}}
        if carry_from is not None:
            old = carry_from.manifest()
            manifest["carried_from"] = carry_from.id
            for key, entry in old.get("sources", {}).items():
                src = carry_from.path / "docs" / entry["file"]
                dst = path / "docs" / entry["file"]
                try:
                    os.link(src, dst)
                except OSError:
                    dst.write_bytes(src.read_bytes())
                manifest["sources"][key] = entry
        snap = Snapshot(self, sid, path)
        snap._write_manifest(manifest)
        meta["current"] = sid
        meta["format"] = WORKSPACE_FORMAT
        self._save_meta(meta)
        return snap

    def new_snapshot(self) -> Snapshot:
        """Start an empty snapshot (``aispm demo`` and tests want a clean picture)."""
        return self._new_snapshot(carry_from=None)
