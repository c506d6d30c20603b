"""The offline OSV database: import OSV records once, match packages against them offline.

``aispm vulndb import PATH`` reads OSV records from a directory of ``.json`` / ``.yaml`` files,
a zip (the per-ecosystem ``all.zip`` export osv.dev publishes) or a JSON array, and stores them
in a SQLite file: ``<workspace>/vulndb.sqlite``, or the file named by ``$AISPM_VULNDB`` so one
database can serve many workspaces. Without either, the database bundled with the package
(``osv-ai-pypi.json``, PyPA advisory database, CC-BY-4.0) is used.

Records are deduplicated by id and aliases: records that name each other (or share a CVE) are
one advisory, kept under one primary id with every other id as an alias and the ``affected``
entries of all of them. Withdrawn records are dropped. SQLite gives an index on
(ecosystem, package name) so matching touches only the records for the packages at hand, and the
file can be shared read-only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
import zstandard

from aispm_graph.progress import NULL, Reporter, Task, task, track
from aispm_graph.safeload import InputError, loads_json, sanitize
from aispm_graph.vulns.matching import (
    CompiledAffected,
    PackageRef,
    compile_affected,
    split_ecosystem,
)
from aispm_graph.vulns.severity import is_rce, osv_severity
from aispm_graph.vulns.versions import UnparseableVersion, key_function, normalize_name

ENV_VULNDB = "AISPM_VULNDB"
DB_FILENAME = "vulndb.sqlite"
DB_FORMAT = "1"
BUNDLED_NAME = "osv-ai-pypi.json"
BUNDLED_ATTRIBUTION = (
    "Python Packaging Advisory Database (PyPA), https://github.com/pypa/advisory-database, "
    "CC-BY-4.0"
)
MAX_FILE_BYTES = 512 * 1024 * 1024
# A zip is read entry by entry, never trusting the sizes it declares: one OSV record is a few
# KB (the largest real ones ~1 MB), a whole ecosystem export a few hundred MB uncompressed.
MAX_ZIP_ENTRY_BYTES = 32 * 1024 * 1024
MAX_ZIP_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200  # uncompressed / compressed, checked once an entry passes 1 MiB
_ZIP_CHUNK = 1024 * 1024
MAX_DETAILS = 4000
MAX_REFERENCES = 30
# Bounds on one record's lists (the largest real OSV records list a few thousand versions).
MAX_AFFECTED = 10_000
MAX_VERSIONS = 100_000
MAX_RANGES = 1_000
# Primary id when several records describe one advisory: ecosystem databases first, CVE last.
_PREFIX_PRIORITY = {"GHSA": 0, "PYSEC": 1, "CVE": 9}


class VulnDBError(ValueError):
    """The database or an input to it is unusable; the message names the file and field."""


@dataclass
class ImportReport:
    files: int = 0
    records: int = 0
    advisories: int = 0
    withdrawn: int = 0
    merged: int = 0
    skipped: list[str] = field(default_factory=list)


# --- reading OSV inputs ---------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class _NoAliasLoader(yaml.BaseLoader):
    """BaseLoader (every scalar a string) that refuses aliases.

    OSV records never need ``*alias``; a few hundred bytes of nested aliases expand to
    gigabytes (the "billion laughs"), so the first alias stops the file instead.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in advisory records", mark
            )
        return super().compose_node(parent, index)


def _parse_bytes(data: bytes, where: str) -> Any:
    name = where.lower()
    try:
        if name.endswith((".yaml", ".yml")):
            # BaseLoader keeps every scalar a string: versions like 1.10 must not become 1.1.
            text = data.decode("utf-8")
            return sanitize(_jsonable(yaml.load(text, Loader=_NoAliasLoader)))  # noqa: S506
        return loads_json(data, where)
    except InputError as exc:
        raise VulnDBError(str(exc)) from None
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise VulnDBError(f"{where}: not valid JSON/YAML ({str(exc).splitlines()[0]})") from None


_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
)


def _starts_like_zip(path: Path) -> bool:
    """A file that begins like a zip is read as one, so a damaged archive says so."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) in {b"PK\x03\x04", b"PK\x05\x06"}
    except OSError:
        return False


def _read_zip_entry(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: list[int]
) -> bytes:
    """One entry, read in chunks against the per-entry, total and ratio limits."""
    if info.flag_bits & 0x1:
        raise VulnDBError(f"{where}: encrypted zip entries are not supported")
    if info.compress_type not in {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}:
        raise VulnDBError(
            f"{where}: compression method {info.compress_type} is not supported "
            "(osv.dev exports use deflate)"
        )
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(_ZIP_CHUNK):
            out += chunk
            budget[0] += len(chunk)
            if len(out) > MAX_ZIP_ENTRY_BYTES:
                raise VulnDBError(
                    f"{where}: entry inflates past {MAX_ZIP_ENTRY_BYTES // 2**20} MiB; "
                    "no OSV record is that large"
                )
            if budget[0] > MAX_ZIP_TOTAL_BYTES:
                raise VulnDBError(
                    f"{where}: the zip inflates past {MAX_ZIP_TOTAL_BYTES // 2**30} GiB in total"
                )
            if budget[0] > _ZIP_CHUNK and budget[0] > MAX_ZIP_RATIO * budget[1]:
                raise VulnDBError(
                    f"{where}: the zip inflates more than {MAX_ZIP_RATIO}:1 overall (a zip "
                    "bomb?); refused"
                )
            if len(out) > _ZIP_CHUNK and len(out) > MAX_ZIP_RATIO * max(info.compress_size, 1):
                raise VulnDBError(
                    f"{where}: compressed more than {MAX_ZIP_RATIO}:1 (a zip bomb?); refused"
                )
    return bytes(out)


def iter_osv_documents(path: Path, bar: Task | None = None) -> Iterator[tuple[str, Any]]:
    """(where, parsed document) for every OSV file under ``path``; raises on unreadable input.

    ``bar`` learns the number of files as soon as it is known and advances per file (a full
    OSV export is hundreds of thousands of them)."""
    bar = bar or NULL.task("")
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in {".json", ".yaml", ".yml"}
        )
        if not files:
            raise VulnDBError(f"{path}: no .json or .yaml files in this directory")
        bar.update(total=len(files))
        for p in files:
            yield str(p), _parse_bytes(_read(p), str(p))
            bar.advance()
        return
    if not path.is_file():
        raise VulnDBError(f"{path}: no such file or directory")
    if zipfile.is_zipfile(path) or _starts_like_zip(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = sorted(
                    (
                        i
                        for i in zf.infolist()
                        if not i.is_dir()
                        and i.filename.lower().endswith((".json", ".yaml", ".yml"))
                    ),
                    key=lambda i: i.filename,
                )
                if not names:
                    raise VulnDBError(f"{path}: zip holds no .json or .yaml files")
                budget = [0, max(path.stat().st_size, 1)]
                bar.update(total=len(names))
                for info in names:
                    where = f"{path}!{info.filename}"
                    if info.file_size > MAX_ZIP_ENTRY_BYTES:
                        raise VulnDBError(f"{where}: larger than {MAX_ZIP_ENTRY_BYTES} bytes")
                    try:
                        data = _read_zip_entry(zf, info, where, budget)
                    except _ZIP_ERRORS as exc:
                        raise VulnDBError(
                            f"{where}: unreadable zip entry ({type(exc).__name__}: {exc})"
                        ) from None
                    yield where, _parse_bytes(data, where)
                    bar.advance()
        except _ZIP_ERRORS as exc:
            raise VulnDBError(f"{path}: unreadable zip ({type(exc).__name__}: {exc})") from None
        return
    bar.update(total=1)
    yield str(path), _parse_bytes(_read(path), str(path))
    bar.advance()


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise VulnDBError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise VulnDBError(f"{path}: cannot read ({exc.strerror})") from None


def iter_records(docs: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Flatten documents into (where, record): a file may hold one record or a list of them."""
    for where, doc in docs:
        if isinstance(doc, list):
            for i, rec in enumerate(doc):
                yield f"{where}[{i}]", rec
        else:
            yield where, doc


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a list field; anything else (a hostile ``true``, a string) is empty."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if isinstance(v, str | int | float) and str(v)]


def normalize_record(rec: Any, where: str) -> dict[str, Any]:
    """Check one OSV record and keep what matching and reporting need; errors name the field."""
    if not isinstance(rec, dict):
        raise VulnDBError(f"{where}: record is not an object")
    rid = rec.get("id")
    if not isinstance(rid, str) or not rid.strip() or len(rid) > 200:
        raise VulnDBError(f"{where}: field 'id' must be a non-empty string")
    where = f"{where} ({rid})"
    affected_in = rec.get("affected", [])
    if not isinstance(affected_in, list):
        raise VulnDBError(f"{where}: field 'affected' must be a list")
    if len(affected_in) > MAX_AFFECTED:
        raise VulnDBError(f"{where}: field 'affected' has more than {MAX_AFFECTED} entries")
    affected = []
    for i, aff in enumerate(affected_in):
        if not isinstance(aff, dict):
            raise VulnDBError(f"{where}: affected[{i}] is not an object")
        pkg = aff.get("package")
        if not isinstance(pkg, dict):
            raise VulnDBError(f"{where}: affected[{i}].package is missing")
        eco, name = pkg.get("ecosystem"), pkg.get("name")
        if not isinstance(eco, str) or not eco or not isinstance(name, str) or not name:
            raise VulnDBError(f"{where}: affected[{i}].package needs 'ecosystem' and 'name'")
        ranges = aff.get("ranges", [])
        if not isinstance(ranges, list) or not all(
            isinstance(r, dict)
            and isinstance(r.get("events", []), list)
            and all(isinstance(e, dict) for e in r.get("events", []))
            for r in ranges
        ):
            raise VulnDBError(f"{where}: affected[{i}].ranges must be a list of ranges with events")
        versions = aff.get("versions", [])
        if not isinstance(versions, list):
            raise VulnDBError(f"{where}: affected[{i}].versions must be a list")
        if len(versions) > MAX_VERSIONS or len(ranges) > MAX_RANGES:
            raise VulnDBError(
                f"{where}: affected[{i}] lists more than {MAX_VERSIONS} versions or "
                f"{MAX_RANGES} ranges; no real advisory does"
            )
        affected.append(
            {
                "ecosystem": eco,
                "name": name,
                "purl": str(pkg.get("purl") or ""),
                "ranges": [
                    {
                        "type": str(r.get("type", "")),
                        "events": [{str(k): str(v) for k, v in e.items()} for e in r["events"]],
                    }
                    for r in ranges
                ],
                "versions": _str_list(versions),
                "severity": _dicts(aff.get("severity")),
            }
        )
    dbs = rec.get("database_specific") if isinstance(rec.get("database_specific"), dict) else {}
    cwes = _str_list((dbs or {}).get("cwe_ids"))
    return {
        "id": rid,
        "aliases": _str_list(rec.get("aliases")),
        "related": _str_list(rec.get("related")),
        "summary": str(rec.get("summary") or "")[:500],
        "details": str(rec.get("details") or "")[:MAX_DETAILS],
        "severity": _dicts(rec.get("severity")),
        "database_specific": {k: v for k, v in (dbs or {}).items() if k in {"severity", "cwe_ids"}},
        "cwes": cwes,
        "references": [
            {"type": str(r.get("type", "")), "url": str(r.get("url", ""))}
            for r in _dicts(rec.get("references"))[:MAX_REFERENCES]
            if isinstance(r, dict) and r.get("url")
        ],
        "published": str(rec.get("published") or ""),
        "modified": str(rec.get("modified") or ""),
        "withdrawn": str(rec.get("withdrawn") or ""),
        "affected": affected,
    }


def _priority(rid: str) -> tuple[int, str]:
    return (_PREFIX_PRIORITY.get(rid.split("-", 1)[0], 5), rid)


def deduplicate(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Merge records that are one advisory (linked by id or alias); returns (advisories, merged).

    For one id seen twice, the most recently modified copy wins. Linked records become one
    advisory under the highest-priority id (GHSA, PYSEC, others, CVE), carrying all other ids
    as aliases and the union of their affected packages.
    """
    by_id: dict[str, dict[str, Any]] = {}
    for rec in records:
        old = by_id.get(rec["id"])
        if old is None or rec["modified"] >= old["modified"]:
            by_id[rec["id"]] = rec
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for rid, rec in by_id.items():
        for alias in rec["aliases"]:
            union(rid, alias)
    groups: dict[str, list[dict[str, Any]]] = {}
    for rid, rec in by_id.items():
        groups.setdefault(find(rid), []).append(rec)
    out = []
    merged = 0
    for members in groups.values():
        members.sort(key=lambda r: _priority(r["id"]))
        primary = dict(members[0])
        if len(members) > 1:
            merged += len(members) - 1
            ids = {a for m in members for a in [m["id"], *m["aliases"]]}
            primary["aliases"] = sorted(ids - {primary["id"]})
            seen = {
                (a["ecosystem"], normalize_name(split_ecosystem(a["ecosystem"])[0], a["name"]))
                for a in primary["affected"]
            }
            extra = []
            for m in members[1:]:
                for a in m["affected"]:
                    key = (
                        a["ecosystem"],
                        normalize_name(split_ecosystem(a["ecosystem"])[0], a["name"]),
                    )
                    if key not in seen:
                        seen.add(key)
                        extra.append(a)
                if not primary["severity"] and m["severity"]:
                    primary["severity"] = m["severity"]
                if not primary["cwes"] and m["cwes"]:
                    primary["cwes"] = m["cwes"]
                if not primary["summary"] and m["summary"]:
                    primary["summary"] = m["summary"]
            primary["affected"] = [*primary["affected"], *extra]
        out.append(primary)
    out.sort(key=lambda r: r["id"])
    return out, merged


# --- the SQLite store -----------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisory (
  id TEXT PRIMARY KEY, aliases TEXT NOT NULL, summary TEXT NOT NULL, details TEXT NOT NULL,
  severity TEXT NOT NULL, cvss_score REAL, cvss_vector TEXT NOT NULL, severity_basis TEXT NOT NULL,
  cwes TEXT NOT NULL, rce INTEGER NOT NULL, refs TEXT NOT NULL, published TEXT NOT NULL,
  modified TEXT NOT NULL, fixed TEXT NOT NULL, raw BLOB NOT NULL);
CREATE TABLE affected (advisory_id TEXT NOT NULL, family TEXT NOT NULL, ecosystem TEXT NOT NULL,
  name TEXT NOT NULL, entry TEXT NOT NULL);
CREATE INDEX affected_pkg ON affected (family, name);
CREATE TABLE alias (alias TEXT NOT NULL, advisory_id TEXT NOT NULL);
CREATE INDEX alias_idx ON alias (alias);
"""


def _write_db(
    conn: sqlite3.Connection,
    advisories: list[dict[str, Any]],
    progress: Reporter | None,
    meta: dict[str, str],
) -> None:
    conn.executescript(_SCHEMA)
    cctx = zstandard.ZstdCompressor(level=3)
    for rec in track(progress, advisories, "writing advisories"):
        sev = osv_severity(rec)
        text = f"{rec['summary']}\n{rec['details']}"
        fixed = sorted(
            {
                e["fixed"]
                for a in rec["affected"]
                for r in a["ranges"]
                if r["type"] != "GIT"
                for e in r["events"]
                if "fixed" in e
            }
        )
        conn.execute(
            "INSERT INTO advisory VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec["id"],
                json.dumps(rec["aliases"]),
                rec["summary"],
                rec["details"],
                sev.level,
                sev.score,
                sev.vector,
                sev.basis,
                json.dumps(rec["cwes"]),
                int(is_rce(rec["cwes"], text)),
                json.dumps(rec["references"]),
                rec["published"],
                rec["modified"],
                json.dumps(fixed),
                cctx.compress(json.dumps(rec, separators=(",", ":")).encode()),
            ),
        )
        for a in rec["affected"]:
            family, _ = split_ecosystem(a["ecosystem"])
            conn.execute(
                "INSERT INTO affected VALUES (?,?,?,?,?)",
                (
                    rec["id"],
                    family,
                    a["ecosystem"],
                    normalize_name(family, a["name"]),
                    json.dumps({"ranges": a["ranges"], "versions": a["versions"]}),
                ),
            )
        for alias in {rec["id"], *rec["aliases"]}:
            conn.execute("INSERT INTO alias VALUES (?,?)", (alias, rec["id"]))
    conn.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
    conn.commit()


def _existing_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    db = VulnDB.open(path)
    dctx = zstandard.ZstdDecompressor()
    rows = db.conn.execute("SELECT raw FROM advisory").fetchall()
    db.close()
    return [json.loads(dctx.decompress(r[0])) for r in rows]


def collect_records(
    paths: Iterable[Path], report: ImportReport, progress: Reporter | None = None
) -> list[dict[str, Any]]:
    records = []
    for path in paths:
        with task(progress, f"reading {path.name}") as bar:
            for where, rec in iter_records(_counted(iter_osv_documents(path, bar), report)):
                report.records += 1
                try:
                    norm = normalize_record(rec, where)
                except VulnDBError as exc:
                    report.skipped.append(str(exc))
                    bar.advance(0, failed=1)
                    continue
                if norm["withdrawn"]:
                    report.withdrawn += 1
                    continue
                records.append(norm)
    return records


def _counted(docs: Iterator[tuple[str, Any]], report: ImportReport) -> Iterator[tuple[str, Any]]:
    """Documents one at a time (a big export is never all in memory), counting files."""
    for doc in docs:
        report.files += 1
        yield doc


def import_into(
    db_path: Path, paths: list[Path], replace: bool = False, progress: Reporter | None = None
) -> ImportReport:
    """Add the OSV records under ``paths`` to the database at ``db_path`` (atomically)."""
    report = ImportReport()
    new = collect_records(paths, report, progress)
    if not new:
        detail = f"; first problem: {report.skipped[0]}" if report.skipped else ""
        raise VulnDBError(
            f"{', '.join(map(str, paths))}: no usable OSV records "
            f"({report.records} read, {report.withdrawn} withdrawn){detail}"
        )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # Read, merge and replace under a lock: two imports at once each read the same old
    # records, and the second rename dropped what the first added.
    with _db_lock(db_path):
        old = [] if replace else _existing_records(db_path)
        advisories, merged = deduplicate([*old, *new])
        report.advisories = len(advisories)
        report.merged = merged
        fd, tmp_name = tempfile.mkstemp(prefix=".vulndb-", suffix=".tmp", dir=db_path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            conn = sqlite3.connect(str(tmp))
            _write_db(
                conn,
                advisories,
                progress,
                {
                    "format": DB_FORMAT,
                    "imported_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "sources": json.dumps([str(p) for p in paths]),
                    "advisories": str(len(advisories)),
                },
            )
            conn.close()
            tmp.replace(db_path)
        finally:
            tmp.unlink(missing_ok=True)
    return report


@contextlib.contextmanager
def _db_lock(db_path: Path) -> Iterator[None]:
    """An exclusive ``flock`` next to the database (which may be shared by workspaces through
    ``$AISPM_VULNDB``): a second writer waits, saying so once, up to ``AISPM_LOCK_TIMEOUT``."""
    from aispm_graph.filelock import LockBusy, lock_timeout, wait_for_flock

    fd = os.open(db_path.with_name(f".{db_path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            wait_for_flock(fd, lock_timeout(), f"the vulnerability database {db_path}")
        except LockBusy as exc:
            raise VulnDBError(str(exc)) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# --- reading the store ----------------------------------------------------------------------


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    details: str
    severity: str
    cvss_score: float | None
    cvss_vector: str
    severity_basis: str
    cwes: tuple[str, ...]
    rce: bool
    references: tuple[str, ...]
    fixed: tuple[str, ...]

    @property
    def title(self) -> str:
        text = self.summary or self.details
        first = text.strip().split("\n", 1)[0]
        return first[:160]


@dataclass(frozen=True)
class Match:
    advisory_id: str
    fixed: str | None


class VulnDB:
    """A read-only view of an imported database with per-package compiled ranges cached."""

    def __init__(self, conn: sqlite3.Connection, description: str) -> None:
        self.conn = conn
        self.description = description
        self._affected: dict[tuple[str, str], list[CompiledAffected]] = {}
        self._advisories: dict[str, Advisory] = {}
        self._matches: dict[PackageRef, list[Match]] = {}
        self.git_ranges_skipped = 0
        self.bad_ranges: list[str] = []

    @classmethod
    def open(cls, path: Path) -> VulnDB:
        if not path.is_file():
            raise VulnDBError(f"{path}: no vulnerability database here (run 'aispm vulndb import')")
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            fmt = conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise VulnDBError(f"{path}: not an aispm vulnerability database ({exc})") from None
        if not fmt or fmt[0] != DB_FORMAT:
            raise VulnDBError(
                f"{path}: database format {fmt and fmt[0]!r} is not {DB_FORMAT}; re-import it"
            )
        return cls(conn, str(path))

    @classmethod
    def bundled(cls) -> VulnDB:
        """The demo database shipped with the package, loaded into memory."""
        data = resources.files("aispm_graph.vulns").joinpath("data", BUNDLED_NAME).read_bytes()
        report = ImportReport()
        records = collect_records_from_bytes(data, f"(bundled) {BUNDLED_NAME}", report)
        advisories, _ = deduplicate(records)
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        _write_db(
            conn,
            advisories,
            None,
            {
                "format": DB_FORMAT,
                "sources": json.dumps([BUNDLED_NAME]),
                "advisories": str(len(advisories)),
            },
        )
        return cls(conn, f"bundled {BUNDLED_NAME} ({BUNDLED_ATTRIBUTION})")

    def close(self) -> None:
        self.conn.close()

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM advisory").fetchone()[0])

    def affected_for(self, family: str, name: str) -> list[CompiledAffected]:
        key = (family, name)
        cached = self._affected.get(key)
        if cached is not None:
            return cached
        rows = self.conn.execute(
            "SELECT advisory_id, ecosystem, entry FROM affected WHERE family=? AND name=?", key
        ).fetchall()
        compiled = []
        for rid, eco, entry in rows:
            c = compile_affected(rid, eco, json.loads(entry))
            self.git_ranges_skipped += c.git_ranges_skipped
            self.bad_ranges.extend(f"{rid}: {b}" for b in c.bad_ranges)
            compiled.append(c)
        self._affected[key] = compiled
        return compiled

    def match(self, pkg: PackageRef) -> list[Match]:
        """Every advisory affecting this package version, with the nearest fixed version."""
        if not pkg.version:
            return []
        cached = self._matches.get(pkg)
        if cached is not None:
            return cached
        entries = self.affected_for(pkg.family, pkg.name)
        out: dict[str, Match] = {}
        if entries:
            try:
                key = key_function(pkg.family)(pkg.version)
            except UnparseableVersion:
                key = None
            for aff in entries:
                hit, fixed = aff.affects_key(key, pkg.version, pkg.release)
                if hit and aff.advisory_id not in out:
                    out[aff.advisory_id] = Match(aff.advisory_id, fixed)
        result = sorted(out.values(), key=lambda m: m.advisory_id)
        self._matches[pkg] = result
        return result

    def advisory(self, advisory_id: str) -> Advisory | None:
        if advisory_id in self._advisories:
            return self._advisories[advisory_id]
        row = self.conn.execute(
            "SELECT id, aliases, summary, details, severity, cvss_score, cvss_vector, "
            "severity_basis, cwes, rce, refs, fixed FROM advisory WHERE id=?",
            (advisory_id,),
        ).fetchone()
        if row is None:
            return None
        adv = Advisory(
            id=row[0],
            aliases=tuple(json.loads(row[1])),
            summary=row[2],
            details=row[3],
            severity=row[4],
            cvss_score=row[5],
            cvss_vector=row[6],
            severity_basis=row[7],
            cwes=tuple(json.loads(row[8])),
            rce=bool(row[9]),
            references=tuple(r["url"] for r in json.loads(row[10])),
            fixed=tuple(json.loads(row[11])),
        )
        self._advisories[advisory_id] = adv
        return adv

    def resolve(self, any_id: str) -> str | None:
        """The primary advisory id for an id or alias (CVE-..., GHSA-...), if the DB knows it."""
        row = self.conn.execute(
            "SELECT advisory_id FROM alias WHERE alias=? ORDER BY advisory_id LIMIT 1", (any_id,)
        ).fetchone()
        return str(row[0]) if row else None


def collect_records_from_bytes(
    data: bytes, where: str, report: ImportReport
) -> list[dict[str, Any]]:
    doc = _parse_bytes(data, where)
    out = []
    for w, rec in iter_records([(where, doc)]):
        report.records += 1
        norm = normalize_record(rec, w)
        if norm["withdrawn"]:
            report.withdrawn += 1
            continue
        out.append(norm)
    return out


def default_db_path(workspace_root: Path | None) -> Path | None:
    """Where an imported database lives: ``$AISPM_VULNDB``, else the workspace's file."""
    env = os.environ.get(ENV_VULNDB)
    if env:
        return Path(env)
    if workspace_root is not None:
        return workspace_root / DB_FILENAME
    return None


def open_default(workspace_root: Path | None) -> VulnDB:
    """The database matching uses: imported if there is one, else the bundled demo database.

    ``$AISPM_VULNDB`` pointing at a missing file is an error rather than a silent fallback:
    the user asked for that database.
    """
    env = os.environ.get(ENV_VULNDB)
    if env:
        return VulnDB.open(Path(env))
    if workspace_root is not None and (workspace_root / DB_FILENAME).is_file():
        return VulnDB.open(workspace_root / DB_FILENAME)
    return VulnDB.bundled()


__all__ = [
    "ENV_VULNDB",
    "Advisory",
    "ImportReport",
    "Match",
    "VulnDB",
    "VulnDBError",
    "default_db_path",
    "import_into",
    "open_default",
]
