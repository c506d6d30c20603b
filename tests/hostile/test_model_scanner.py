"""Model files an attacker wrote: every evasion that reported `clean` is now unsafe or error."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from aispm_graph.vulns.modelscan import CHUNK, scan_file
from tests.conftest import require_module, run_cli
from tests.hostile import model_corpus as mc

UNSAFE_FILES = {
    "p0.pkl": mc.os_system_p0(),
    "p4.pkl": mc.os_system_p4(),
    "import_chain.pkl": mc.import_vars_get_chain(),
    "eval.pkl": mc.builtin_call("eval", "1"),
    "exec.pkl": mc.builtin_call("exec", "1"),
    "compile.pkl": mc.builtin_call("compile", "1"),
    "getattr.pkl": mc.builtin_call("getattr", "x"),
    "globals.pkl": mc.builtin_call("globals"),
    "setattr.pkl": mc.builtin_call("setattr", "x"),
    "vars.pkl": mc.builtin_call("vars"),
    "apply.pkl": mc.apply_p2(),
    "dunder.pkl": mc.dunder_chain(),
    "model.pkl.gz": mc.gz(mc.os_system_p4()),
    "model.joblib": mc.zl(mc.os_system_p4()),
    "model.bz2.joblib": mc.bz(mc.os_system_p4()),
    "model.xz.joblib": mc.xz(mc.os_system_p4()),
    "model.lzma.joblib": mc.lzma_alone(mc.os_system_p4()),
    "renamed.onnx": mc.os_system_p4(),
    "renamed.safetensors": mc.os_system_p0(),
    "torch-renamed.h5": mc.torch_zip(mc.os_system_p4()),
    "torch.pt": mc.torch_zip(mc.os_system_p4()),
    "nested.pt.gz": mc.gz(mc.torch_zip(mc.gz(mc.os_system_p4()))),
    "object.npy": mc.npy("|O", mc.os_system_p4()),
    "lambda.keras": mc.keras_zip(mc.keras_lambda_config()),
    "legacy-torch.pt": mc.clean_pickle() + mc.os_system_p4(),
    # found by the outside review (each was suspicious or clean before)
    "escaped-string.pkl": mc.escaped_string_global(),
    "escaped-unicode.pkl": mc.escaped_unicode_global(),
    "computed-name.pkl": mc.computed_global(),
    "legacy-torch-p0.pt": mc.legacy_torch_with_protocol0_payload(),
    "pydoc-locate.pkl": mc.proto4(mc.call(mc.stack_global("pydoc", "locate"), "os.system")),
    "fork-exec.pkl": mc.proto4(mc.call(mc.stack_global("_posixsubprocess", "fork_exec"))),
    "torch-jit-gadget.pkl": mc.proto4(
        mc.call(mc.stack_global("torch.jit.unsupported_tensor_ops", "execWrapper"), "x")
    ),
    "deep-lambda.keras": mc.keras_zip(mc.keras_lambda_nested(40)),
    "object-spelled.npy": mc.npy("object", mc.os_system_p4()),
    "lambda-activation.keras": mc.keras_zip(
        b'{"class_name": "Dense", "config": {"activation": {"class_name": "__lambda__", '
        b'"config": {"code": "4wEAAA=="}}}}'
    ),
    "model.pkl.zst": mc.zst(mc.os_system_p4()),
    "renamed-zst.bin": mc.zst(mc.torch_zip(mc.os_system_p4())),
    "object-o8.npy": mc.npy("|O8", mc.os_system_p4()),
    "escaped-lambda.h5": mc.hdf5_with(b'{"class_name": "\\u004cambda", "config": {}}'),
    "spaced-lambda.h5": mc.hdf5_with(b'{"class_name":' + b" " * 40 + b'\n"Lambda"}'),
}

ERROR_FILES = {
    "garbage.pkl": b"\xff\xfe this is not a model at all",
    "empty.pkl": b"",
    "truncated.pkl": mc.os_system_p4()[:-1].replace(b"os", b"xx"),
    "no-stop.pkl": mc.clean_pickle()[:-1],
    "underflow.pkl": b"\x80\x04R.",
    "corrupt.pkl.gz": mc.gz(mc.clean_pickle())[:-12] + b"\0" * 12,
    "lz4.joblib": mc.lz4_frame_header_only(),
    "bad-config.keras": mc.keras_zip(b"\xff\xfe{\x00}"),
    "text.bin": b"hello world, not a tensor file",
    "mixed-memo.pkl": mc.mixed_memo_stores(),
    "corrupt.pkl.zst": mc.zst(mc.clean_pickle())[:-6] + b"\xff" * 6,
}

CLEAN_FILES = {
    "clean.pkl": mc.clean_pickle(),
    "clean.pt": mc.torch_zip(mc.clean_pickle()),
    "clean.pkl.gz": mc.gz(mc.clean_pickle()),
    "floats.npy": mc.npy("<f8", b"\0" * 16),
    "w.safetensors": mc.safetensors(),
    "set-protocol2.pkl": mc.builtin_data_p2(),
    "clean.pkl.zst": mc.zst(mc.clean_pickle()),
}


def _write(tmp_path: Path, files: dict[str, bytes]) -> dict[str, Path]:
    out = {}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        out[name] = path
    return out


def test_every_evasion_is_unsafe(tmp_path: Path) -> None:
    paths = _write(tmp_path, UNSAFE_FILES)
    verdicts = {name: scan_file(p).verdict for name, p in paths.items()}
    assert verdicts == dict.fromkeys(UNSAFE_FILES, "unsafe")


def test_the_builtins_that_run_code_are_named(tmp_path: Path) -> None:
    res = scan_file(_write(tmp_path, {"c.pkl": mc.import_vars_get_chain()})["c.pkl"])
    named = {f.detail.split(" ")[2].rstrip(":") for f in res.findings if f.severity == "critical"}
    assert {"builtins.__import__", "builtins.vars", "builtins.dict.get"} <= named


def test_what_cannot_be_parsed_is_error_not_clean(tmp_path: Path) -> None:
    paths = _write(tmp_path, ERROR_FILES)
    results = {name: scan_file(p) for name, p in paths.items()}
    assert {n: r.verdict for n, r in results.items()} == dict.fromkeys(ERROR_FILES, "error")
    assert "lz4" in results["lz4.joblib"].error
    assert "UTF-8" in results["bad-config.keras"].error


def test_data_only_files_stay_clean(tmp_path: Path) -> None:
    paths = _write(tmp_path, CLEAN_FILES)
    assert {n: scan_file(p).verdict for n, p in paths.items()} == dict.fromkeys(
        CLEAN_FILES, "clean"
    )


def test_a_keras_lambda_split_across_read_chunks_is_found(tmp_path: Path) -> None:
    marker = b'{"class_name": "Lambda", "config": {}}'
    pad = CHUNK - 8 - 10
    data = b"\x89HDF\r\n\x1a\n" + b"\0" * pad + marker + b"\0" * 100
    (tmp_path / "m.h5").write_bytes(data)
    res = scan_file(tmp_path / "m.h5")
    assert res.verdict == "unsafe"
    assert sum(f.issue == "keras-lambda-layer" for f in res.findings) == 1


def test_a_plain_protocol_0_object_is_suspicious_not_unsafe(tmp_path: Path) -> None:
    (tmp_path / "o.pkl").write_bytes(mc.plain_object_p0())
    res = scan_file(tmp_path / "o.pkl")
    assert res.verdict == "suspicious", res.findings
    assert [f.detail.split(" ")[2].rstrip(",") for f in res.findings] == ["mymod.Foo"]


def test_a_lambda_padded_across_read_chunks_is_found(tmp_path: Path) -> None:
    """Whitespace JSON allows, more of it than one read chunk, between key and value."""
    config = b'{"class_name":' + b" " * (CHUNK + 10) + b'"\\u004cambda"}'
    (tmp_path / "m.h5").write_bytes(mc.hdf5_with(config, pad=CHUNK - 20))
    res = scan_file(tmp_path / "m.h5")
    assert [f.issue for f in res.findings] == ["keras-lambda-layer"]


@pytest.mark.parametrize(
    "name,builder",
    [
        ("big.h5", lambda n: b"\x89HDF\r\n\x1a\n" + b"\0" * n),
        ("big.pkl", mc.big_clean_pickle),
        ("big.pkl.gz", lambda n: mc.gz(mc.big_clean_pickle(n))),
    ],
)
def test_memory_stays_bounded_on_large_files(tmp_path: Path, name: str, builder) -> None:  # type: ignore[no-untyped-def]
    size = 48 * 1024 * 1024
    (tmp_path / name).write_bytes(builder(size))
    tracemalloc.start()
    try:
        res = scan_file(tmp_path / name)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.verdict == "clean", res.error
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for a {size >> 20} MiB file"


def test_scan_model_cli_fails_on_unsafe_and_unscannable_whatever_the_names(
    tmp_path: Path,
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "[bold red]x.pkl").write_bytes(mc.markup_named_global())
    (models / "bad.keras").write_bytes(mc.keras_zip(b"\xff\xfe"))
    (models / "ok.pkl").write_bytes(mc.clean_pickle())
    ws = tmp_path / "ws"
    res = run_cli("scan-model", str(models), "--fail-on-unsafe", workspace=ws)
    assert res.code == 1, res.err
    assert "[/x]" in res.out and "[bold red]x.pkl" in res.out  # shown literally
    assert "UNSAFE" in res.out and "ERROR" in res.out and "CLEAN" in res.out
    # Recorded before rendering: the workspace holds all three verdicts.
    js = run_cli("scan-model", str(models), "--format", "json", "--no-record", workspace=ws)
    verdicts = {Path(r["path"]).name: r["verdict"] for r in js.json()["results"]}
    assert verdicts == {"[bold red]x.pkl": "unsafe", "bad.keras": "error", "ok.pkl": "clean"}
    from aispm_graph.workspace import Workspace

    snap = Workspace(ws).current()
    assert snap is not None
    assert len([s for s in snap.sources() if s["source"] == "modelscan"]) == 3
    only_error = run_cli("scan-model", str(models / "bad.keras"), "--fail-on-unsafe", workspace=ws)
    assert only_error.code == 1 and "could not be scanned" in only_error.err


def test_lz4_wrapped_pickles_are_opened_when_lz4_is_installed(tmp_path: Path) -> None:
    lz4_frame = require_module("lz4.frame", "the 'models' extra (lz4) is not installed")
    (tmp_path / "m.joblib").write_bytes(lz4_frame.compress(mc.os_system_p4()))
    assert scan_file(tmp_path / "m.joblib").verdict == "unsafe"
    (tmp_path / "ok.joblib").write_bytes(lz4_frame.compress(mc.clean_pickle()))
    assert scan_file(tmp_path / "ok.joblib").verdict == "clean"


def test_a_folder_scan_finds_models_by_content_whatever_their_names(tmp_path: Path) -> None:
    models = tmp_path / "models"
    (models / "sub").mkdir(parents=True)
    (models / "weights.txt").write_bytes(mc.os_system_p4())
    (models / "sub" / "model").write_bytes(mc.torch_zip(mc.os_system_p4()))
    (models / "sub" / "blob.dat").write_bytes(mc.gz(mc.os_system_p4()))
    (models / "README.md").write_text("# models\nnot a model\n")
    (models / "docs.zip").write_bytes(_zip_of_text())
    ws = tmp_path / "ws"
    res = run_cli("scan-model", str(models), "--format", "json", "--no-record", workspace=ws)
    assert res.code == 0, res.err
    verdicts = {Path(r["path"]).name: r["verdict"] for r in res.json()["results"]}
    assert verdicts == {"weights.txt": "unsafe", "model": "unsafe", "blob.dat": "unsafe"}


def _zip_of_text() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.md", "text")
    return buf.getvalue()


def test_a_folder_scan_follows_file_links_like_the_hugging_face_cache(tmp_path: Path) -> None:
    """snapshots/<rev>/model.bin -> ../../blobs/<sha>: the cache a loader reads from."""
    blobs, snap = tmp_path / "blobs", tmp_path / "snapshots" / "rev"
    blobs.mkdir()
    snap.mkdir(parents=True)
    (blobs / "0123abcd").write_bytes(mc.os_system_p4())
    (snap / "pytorch_model.bin").symlink_to(Path("../../blobs/0123abcd"))
    res = run_cli(
        "scan-model", str(snap), "--format", "json", "--no-record", workspace=tmp_path / "ws"
    )
    assert res.code == 0, res.err
    assert [r["verdict"] for r in res.json()["results"]] == ["unsafe"]


@pytest.mark.parametrize("seed", [54, 112, 179, 250, 307, 381])
def test_raw_tensor_bytes_after_legacy_torch_pickles_stay_clean(tmp_path: Path, seed: int) -> None:
    """Every pickle after the first is walked (a protocol 0 payload needs no header), so the
    raw storage bytes that follow legacy torch's five pickles are walked too until they stop
    parsing: that must end the walk quietly, not turn a clean file into `error`. (These
    seeds once made it end in a ValueError.)"""
    import pickle
    import random

    rng = random.Random(seed)
    magic = 0x1950A86A20F9469CFC6C
    head = (magic, 1001, {"protocol_version": 1001}, {"w": 1}, ["0", "1"])
    body = b"".join(pickle.dumps(x, protocol=2) for x in head)
    body += rng.randrange(1, 5000).to_bytes(8, "little") + rng.randbytes(4096)
    (tmp_path / "legacy.pt").write_bytes(body)
    res = scan_file(tmp_path / "legacy.pt")
    assert res.verdict == "clean", res.error
