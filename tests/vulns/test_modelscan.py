"""Model artifact scanning on files built here: malicious and clean pickles, torch zips, Keras."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from pathlib import Path

from aispm_graph.store import load_graph
from aispm_graph.vulns.modelscan import scan_file
from aispm_graph.workspace import Workspace
from tests.support.cli import REPO, invoke_cli


class _SystemGadget:
    """Unpickling this calls os.system: the classic __reduce__ gadget."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo owned > /tmp/aispm-should-never-exist",))


class _EvalGadget:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (eval, ("__import__('os').getcwd()",))


def malicious_pickle() -> bytes:
    return pickle.dumps({"weights": [0.1, 0.2], "hook": _SystemGadget()})


def clean_pickle() -> bytes:
    return pickle.dumps({"weights": [0.1, 0.2], "layers": ("dense", 3), "meta": {"v": 1}})


def torch_zip(payload: bytes) -> bytes:
    """The PyTorch >= 1.6 layout: a zip with <name>/data.pkl (and tensor storages)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model/data.pkl", payload)
        zf.writestr("model/version", "3\n")
        zf.writestr("model/data/0", b"\x00" * 16)
    return buf.getvalue()


def test_malicious_and_clean_pickles(tmp_path: Path) -> None:
    (tmp_path / "evil.pkl").write_bytes(malicious_pickle())
    (tmp_path / "clean.pkl").write_bytes(clean_pickle())
    (tmp_path / "eval.joblib").write_bytes(pickle.dumps(_EvalGadget()))
    evil = scan_file(tmp_path / "evil.pkl")
    assert evil.verdict == "unsafe"
    assert any("system" in f.detail and f.issue == "unsafe-deserialization" for f in evil.findings)
    assert scan_file(tmp_path / "clean.pkl").verdict == "clean"
    ev = scan_file(tmp_path / "eval.joblib")
    assert ev.verdict == "unsafe" and any("eval" in f.detail for f in ev.findings)
    assert not Path("/tmp/aispm-should-never-exist").exists()  # nothing was unpickled


def test_torch_zip_keras_and_safe_formats(tmp_path: Path) -> None:
    (tmp_path / "evil.pt").write_bytes(torch_zip(malicious_pickle()))
    (tmp_path / "ok.bin").write_bytes(torch_zip(clean_pickle()))
    assert scan_file(tmp_path / "evil.pt").verdict == "unsafe"
    assert scan_file(tmp_path / "ok.bin").verdict == "clean"
    # Keras v3 archive with a Lambda layer (marshalled bytecode runs on load).
    config = {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "Dense", "config": {"name": "d"}},
                {"class_name": "Lambda", "config": {"name": "exfil", "function": "4wEAAAAA..."}},
            ]
        },
    }
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as zf:
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("metadata.json", "{}")
    k = scan_file(tmp_path / "m.keras")
    assert k.verdict == "unsafe" and "exfil" in k.findings[0].detail
    # Legacy HDF5 with the config as an attribute string.
    (tmp_path / "m.h5").write_bytes(
        b"\x89HDF\r\n\x1a\n" + b"\x00" * 64 + b'{"class_name": "Lambda", "config": {}}'
    )
    assert scan_file(tmp_path / "m.h5").verdict == "unsafe"
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    (tmp_path / "ok.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 4)
    assert scan_file(tmp_path / "ok.safetensors").verdict == "clean"
    # A pickle renamed to a "safe" extension is scanned as what it is.
    (tmp_path / "renamed.safetensors").write_bytes(malicious_pickle())
    assert scan_file(tmp_path / "renamed.safetensors").verdict == "unsafe"
    (tmp_path / "x.gguf").write_bytes(b"NOPE")
    assert scan_file(tmp_path / "x.gguf").verdict == "error"


def test_scan_model_cli_attaches_findings_to_the_model(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    models = tmp_path / "models"
    models.mkdir()
    (models / "model.pkl").write_bytes(malicious_pickle())
    (models / "tokenizer.pkl").write_bytes(clean_pickle())
    (models / "README.md").write_text("not a model")
    assert (
        invoke_cli("import", "graph", str(REPO / "fixtures/vulns/estate.json"), workspace=ws).code
        == 0
    )
    res = invoke_cli(
        "scan-model", str(models), "--format", "json", "--fail-on-unsafe", workspace=ws
    )
    assert res.code == 1, res.err
    verdicts = {Path(r["path"]).name: r["verdict"] for r in res.json()["results"]}
    assert verdicts == {"model.pkl": "unsafe", "tokenizer.pkl": "clean"}
    table = invoke_cli("scan-model", str(models / "tokenizer.pkl"), "--no-record", workspace=ws)
    assert table.code == 0 and "CLEAN" in table.out
    assert invoke_cli("build", workspace=ws).code == 0
    graph, _ = load_graph(Workspace(ws).latest_built().graph_path)
    # The model node's artifact is s3://models/ticket-router/model.pkl: matched by file name.
    model = graph.node("onprem-model-01")
    assert model["vuln_factors"] == ["unsafe-model"]
    assert model["model_scan"][0]["verdict"] == "unsafe"
    missing = invoke_cli("scan-model", str(tmp_path / "nothing-here"), workspace=ws)
    assert missing.code == 2
