"""The workspace: snapshots of raw documents, and the graph built from each.

Layout (all files written atomically)::

    <workspace>/workspace.json                 format version, current snapshot id
    <workspace>/snapshots/<id>/manifest.json   sources in the snapshot, when each was taken
    <workspace>/snapshots/<id>/docs/<source>__<scope>.json.zst   raw documents of one source
    <workspace>/snapshots/<id>/graph.json.zst  the built graph (present once built)

A source is what one collect or import produces: a provider and its scope (AWS account, Azure
subscription, GCP scope) or an imported file. Collecting a source again replaces that source's
documents only, so other accounts are never touched. A snapshot that has been built is sealed:
the next collect or import starts a new snapshot that carries over every other source's
documents, so each snapshot is a whole picture of the estate and two can be compared.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import zstandard

from aispm_graph.atomic import atomic_write_bytes, atomic_write_text

WORKSPACE_FORMAT = 1
ENV_WORKSPACE = "AISPM_WORKSPACE"
DEFAULT_WORKSPACE = ".aispm"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class WorkspaceError(RuntimeError):
    """The workspace is missing, unreadable or of an unknown format."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _safe(part: str) -> str:
    cleaned = _SAFE.sub("_", part).strip("._") or "x"
    return cleaned[:120]


def compress_json(obj: Any) -> bytes:
    raw = json.dumps(obj, separators=(",", ":"), sort_keys=False).encode("utf-8")
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
    ) -> None:
        """Replace everything this snapshot holds for (source, scope) in one atomic step."""
        body = [{"key": d.key, "body": d.body} for d in documents]
        atomic_write_bytes(self.source_file(source, scope), compress_json(body))
        manifest = self.manifest()
        sources = manifest.setdefault("sources", {})
        sources[f"{source}:{scope}"] = {
            "source": source,
            "scope": scope,
            "file": self.source_file(source, scope).name,
            "documents": len(documents),
            "taken_at": _now(),
            "meta": meta or {},
        }
        self._write_manifest(manifest)

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
        return sorted(p.name for p in base.iterdir() if (p / "manifest.json").exists())

    def snapshot(self, snapshot_id: str) -> Snapshot:
        path = self.root / "snapshots" / snapshot_id
        if not (path / "manifest.json").exists():
            known = ", ".join(self.snapshot_ids()) or "none"
            raise WorkspaceError(f"no snapshot {snapshot_id!r} in {self.root} (have: {known})")
        return Snapshot(self, snapshot_id, path)

    def current(self) -> Snapshot | None:
        cur = self.meta().get("current")
        return self.snapshot(cur) if cur else None

    def latest_built(self) -> Snapshot:
        for sid in reversed(self.snapshot_ids()):
            snap = self.snapshot(sid)
            if snap.sealed:
                return snap
        raise WorkspaceError(
            f"no built graph in workspace {self.root}: run 'aispm build' (or 'aispm demo')"
        )

    def open_for_write(self) -> Snapshot:
        """The snapshot new documents go into: the current one, or a new one if it is sealed."""
        cur = self.current()
        if cur is not None and not cur.sealed:
            return cur
        return self._new_snapshot(carry_from=cur)

    def _new_snapshot(self, carry_from: Snapshot | None) -> Snapshot:
        meta = self.meta()
        ids = self.snapshot_ids()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        seq = len(ids) + 1
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
