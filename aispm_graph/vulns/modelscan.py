"""Model artifact scanning: does loading this file run code?

Pickle-based formats (``.pkl``, PyTorch ``.pt``/``.pth``/``.bin`` zip archives, joblib,
NumPy object arrays) are scanned with ``picklescan``: it disassembles the pickle opcodes without
executing them and reports the globals the file would import, rating each as dangerous
(``os.system``, ``subprocess.*``, ``builtins.eval``/``exec``, ``runpy``, ...), suspicious
(anything not on its safe list) or safe. It is maintained, small (no ML framework
dependencies) and is what the Hugging Face Hub runs on uploads; ``modelscan`` covers similar
ground but pulls in TensorFlow/h5py for its Keras scanners. picklescan does not look at Keras,
so Keras files are checked here: a ``Lambda`` layer carries marshalled Python bytecode that
runs on load. Formats that cannot carry code (safetensors, GGUF, ONNX) get a header check so a
renamed pickle is not waved through.
"""

from __future__ import annotations

import json
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PICKLE_EXTS = {
    ".pkl",
    ".pickle",
    ".pt",
    ".pth",
    ".bin",
    ".ckpt",
    ".joblib",
    ".npy",
    ".npz",
    ".dill",
    ".sav",
    ".mar",
}
KERAS_EXTS = {".h5", ".hdf5", ".keras"}
SAFE_FORMAT_EXTS = {".safetensors", ".gguf", ".onnx"}
MODEL_EXTS = PICKLE_EXTS | KERAS_EXTS | SAFE_FORMAT_EXTS
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
GGUF_MAGIC = b"GGUF"
MAX_KERAS_CONFIG = 64 * 1024 * 1024


@dataclass
class Finding:
    severity: str  # "critical" (code runs on load), "medium" (unknown import), "info"
    issue: str
    detail: str


@dataclass
class ScanResult:
    path: str
    format: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""

    @property
    def unsafe(self) -> bool:
        return any(f.severity == "critical" for f in self.findings)

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if self.unsafe:
            return "unsafe"
        if any(f.severity == "medium" for f in self.findings):
            return "suspicious"
        return "clean"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "verdict": self.verdict,
            "findings": [f.__dict__ for f in self.findings],
            "error": self.error,
        }


def _pickle_scan(path: Path, fmt: str) -> ScanResult:
    from picklescan.scanner import SafetyLevel, scan_file_path

    result = ScanResult(str(path), fmt)
    try:
        res = scan_file_path(str(path))
    except Exception as exc:  # picklescan raises many types on corrupt input
        result.error = f"cannot parse as {fmt}: {type(exc).__name__}: {exc}"
        return result
    for g in res.globals:
        name = f"{g.module}.{g.name}"
        if g.safety == SafetyLevel.Dangerous:
            result.findings.append(
                Finding(
                    "critical",
                    "unsafe-deserialization",
                    f"pickle imports {name}: code runs on load",
                )
            )
        elif g.safety == SafetyLevel.Suspicious:
            result.findings.append(
                Finding(
                    "medium",
                    "unknown-pickle-import",
                    f"pickle imports {name}, not on the safe list",
                )
            )
    if res.scan_err:
        result.error = "picklescan could not parse the whole file"
    return result


def _keras_config_lambdas(config: Any, depth: int = 0) -> list[str]:
    if depth > 64:
        return []
    found: list[str] = []
    if isinstance(config, dict):
        if config.get("class_name") == "Lambda":
            cfg = config.get("config") if isinstance(config.get("config"), dict) else {}
            found.append(str((cfg or {}).get("name", "lambda")))
        for v in config.values():
            found.extend(_keras_config_lambdas(v, depth + 1))
    elif isinstance(config, list):
        for v in config:
            found.extend(_keras_config_lambdas(v, depth + 1))
    return found


def _keras_scan(path: Path) -> ScanResult:
    result = ScanResult(str(path), "keras")
    with path.open("rb") as fh:
        head = fh.read(8)
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                info = zf.getinfo("config.json")
                if info.file_size > MAX_KERAS_CONFIG:
                    result.error = "config.json is unreasonably large"
                    return result
                config = json.loads(zf.read(info))
        except (KeyError, zipfile.BadZipFile, json.JSONDecodeError, RecursionError) as exc:
            result.error = f"not a Keras v3 archive ({type(exc).__name__})"
            return result
        lambdas = _keras_config_lambdas(config)
    elif head == HDF5_MAGIC:
        # The legacy HDF5 format stores the model config as a JSON string attribute; reading
        # the raw bytes avoids an h5py dependency and finds the same layer declarations.
        data = path.read_bytes()
        lambdas = []
        for marker in (b'"class_name": "Lambda"', b'"class_name":"Lambda"'):
            lambdas.extend(["lambda"] * data.count(marker))
    else:
        result.error = "neither a Keras v3 zip archive nor an HDF5 file"
        return result
    for name in lambdas:
        result.findings.append(
            Finding(
                "critical",
                "keras-lambda-layer",
                f"Lambda layer {name!r} runs Python bytecode on load",
            )
        )
    return result


def _safe_format_scan(path: Path, ext: str) -> ScanResult:
    fmt = ext.lstrip(".")
    result = ScanResult(str(path), fmt)
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(b"\x80") or (ext != ".onnx" and zipfile.is_zipfile(path)):
        # A pickle (or torch zip) renamed to a "safe" extension: scan it as what it is.
        return _pickle_scan(path, f"pickle (named {fmt})")
    if ext == ".safetensors":
        if len(head) < 8:
            result.error = "truncated safetensors header"
            return result
        (n,) = struct.unpack("<Q", head[:8])
        if n > 100 * 1024 * 1024:
            result.error = "safetensors header length is implausible"
            return result
        with path.open("rb") as fh:
            fh.seek(8)
            try:
                json.loads(fh.read(n))
            except (json.JSONDecodeError, UnicodeDecodeError):
                result.error = "safetensors header is not JSON"
                return result
    elif ext == ".gguf" and not head.startswith(GGUF_MAGIC):
        result.error = "missing GGUF magic"
        return result
    result.findings.append(
        Finding("info", "no-code-on-load", f"{fmt} stores tensors only; loading it runs no code")
    )
    return result


def scan_file(path: Path) -> ScanResult:
    ext = path.suffix.lower()
    try:
        if ext in KERAS_EXTS:
            return _keras_scan(path)
        if ext in SAFE_FORMAT_EXTS:
            return _safe_format_scan(path, ext)
        return _pickle_scan(
            path,
            "pytorch" if ext in {".pt", ".pth", ".bin", ".ckpt"} else ext.lstrip(".") or "pickle",
        )
    except OSError as exc:
        return ScanResult(str(path), ext.lstrip("."), error=f"cannot read: {exc.strerror}")


def iter_model_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MODEL_EXTS)
    return [path]
