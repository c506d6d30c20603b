"""joblib models (what sklearn users save) scan by their real content, arrays included.

joblib writes each NumPy array's raw bytes inline after a ``NumpyArrayWrapper`` BUILD. The
scanner used to read those bytes as opcodes and call every such model ``error``; it must
step over exactly the array bytes, keep walking (a payload after an array is found), and
stay ``error`` whenever the wrapper's state does not decide where the bytes end.

The files in data/joblib/ were made by the real joblib 1.6.0 (16-byte aligned arrays) and
1.1.1 (unaligned) with tests/hostile/make_joblib_corpus.py; nothing here loads them.
"""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

import pytest

from aispm_graph.vulns.modelscan import scan_file
from tests.conftest import require_module, run_cli
from tests.hostile import model_corpus as mc

CORPUS = Path(__file__).parent / "data" / "joblib"
VERSIONS = ("1.6.0", "1.1.1")
ARRAY_FILES = sorted(p.name for p in CORPUS.glob("arrays-*.joblib"))
SKLEARN_FILES = sorted(p.name for p in CORPUS.glob("sklearn-*.joblib"))
# GLOBAL os.system('echo owned'), protocol 2 (BINUNICODE), no memo: a value like the marker.
PAYLOAD_P2 = b"cos\nsystem\n(X\x0a\x00\x00\x00echo ownedtR"
MARKER_P2 = b"X\x06\x00\x00\x00MARKER"


def _scan(tmp_path: Path, name: str, data: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return scan_file(path)


def test_the_corpus_covers_both_joblib_layouts_and_every_compression() -> None:
    wanted = {
        f"arrays-{v}-{c}.joblib"
        for v in VERSIONS
        for c in ("raw", "zlib", "gzip", "lz4", "protocol2", "protocol0")
    }
    assert wanted <= set(ARRAY_FILES)
    assert len(SKLEARN_FILES) == 3


@pytest.mark.parametrize("name", ARRAY_FILES)
def test_real_joblib_files_with_inline_arrays_are_clean(name: str) -> None:
    """float, int, bool, big-endian, structured, object, object-field, datetime, unicode,
    sub-array, empty and 0-d arrays in C and F order; raw, zlib, gzip, lz4; protocols 0-5."""
    if "lz4" in name:
        require_module("lz4.frame", "the 'models' extra (lz4) is not installed")
    res = scan_file(CORPUS / name)
    assert (res.verdict, res.error) == ("clean", "")
    assert res.format.endswith("pickle")


@pytest.mark.parametrize("name", SKLEARN_FILES)
def test_real_sklearn_models_are_walked_to_the_end(name: str) -> None:
    """A forest (structured node arrays), a scaler+regression pipeline and a one-hot encoder
    (object arrays), zlib-compressed as joblib.dump(compress=3) writes them: each is
    ``suspicious`` (sklearn classes are not on the safe list) and never ``error``."""
    res = scan_file(CORPUS / name)
    assert (res.verdict, res.error) == ("suspicious", "")
    imports = {f.detail.split(" ")[2].rstrip(",") for f in res.findings if f.severity == "medium"}
    assert any(i.startswith("sklearn.") for i in imports), imports
    assert all(i.startswith(("sklearn.", "numpy.")) for i in imports), imports


@pytest.mark.parametrize("version", VERSIONS)
def test_a_payload_after_an_array_is_unsafe(tmp_path: Path, version: str) -> None:
    """The walk goes on after the array bytes: code placed after one is found."""
    data = (CORPUS / f"marker-{version}.joblib").read_bytes()
    assert data.count(MARKER_P2) == 1
    assert _scan(tmp_path, "ok.joblib", data).verdict == "clean"
    res = _scan(tmp_path, "evil.joblib", data.replace(MARKER_P2, PAYLOAD_P2))
    assert res.verdict == "unsafe", res.error
    assert any("os.system" in f.detail for f in res.findings)


@pytest.mark.parametrize("version", VERSIONS)
def test_compressed_payload_after_an_array_is_unsafe(tmp_path: Path, version: str) -> None:
    data = (CORPUS / f"marker-{version}.joblib").read_bytes().replace(MARKER_P2, PAYLOAD_P2)
    assert _scan(tmp_path, "evil.joblib", mc.zl(data)).verdict == "unsafe"
    assert _scan(tmp_path, "evil.gz", mc.gz(data)).verdict == "unsafe"


def test_unpadded_array_bytes_a_plain_unpickler_runs_are_unsafe() -> None:
    """joblib < 1.2 wrote array bytes right after the wrapper: joblib skips them, but
    pickle.load of the same file reads them as opcodes. Those bytes here are os.system(...):
    unsafe. With 1.6.0's padding byte (no opcode) pickle.load stops first: clean."""
    old = scan_file(CORPUS / "plain-code-1.1.1.joblib")
    assert old.verdict == "unsafe"
    assert scan_file(CORPUS / "plain-code-1.6.0.joblib").verdict == "clean"


def _shape_patch(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1, old
    return data.replace(old, new)


@pytest.mark.parametrize(
    "new_shape",
    [
        b"K\x03M\x00\x10\x86",  # (3, 4096): longer than the file
        b"K\x03J\xff\xff\xff\x7f\x86",  # (3, 2**31 - 1): gigabytes, streamed, never read whole
        b"K\x03K\x02\x86",  # (3, 2): shorter, the walk lands inside the array
        b"K\x03J\xff\xff\xff\xff\x86",  # (3, -1)
    ],
)
def test_an_array_whose_length_lies_is_error_not_a_crash(tmp_path: Path, new_shape: bytes) -> None:
    data = (CORPUS / "arrays-1.6.0-raw.joblib").read_bytes()
    bad = _shape_patch(data, b"K\x03K\x04\x86", new_shape)  # the 3x4 float array
    tracemalloc.start()
    try:
        res = _scan(tmp_path, "lie.joblib", bad)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.verdict == "error", res.findings
    assert peak < 8 * 1024 * 1024


# --- hand-written wrappers: each state a real joblib never writes ---------------------------


def _u(text: str) -> bytes:
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data  # BINUNICODE


F8 = (
    b"cnumpy\ndtype\n("
    + _u("f8")
    + b"\x89\x88tR(K\x03"
    + _u("<")
    + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
)
OBJ = (
    b"cnumpy\ndtype\n("
    + _u("O8")
    + b"\x89\x88tR(K\x03"
    + _u("|")
    + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb"
)
WRAPPER_CLS = b"cjoblib.numpy_pickle\nNumpyArrayWrapper\n"


def _state(shape: bytes = b"K\x02\x85", dtype: bytes = F8, align: bytes | None = b"K\x10") -> bytes:
    body = b"}(" + _u("subclass") + b"cnumpy\nndarray\n" + _u("shape") + shape
    body += _u("order") + _u("C") + _u("dtype") + dtype + _u("allow_mmap") + b"\x89"
    if align is not None:
        body += _u("numpy_array_alignment_bytes") + align
    return body + b"u"


def _wrapper(make: bytes = WRAPPER_CLS + b")\x81", state: bytes | None = None) -> bytes:
    return b"\x80\x02" + make + (state if state is not None else _state()) + b"b"


ARRAY_2F8 = b"\x0f" + b"\xff" * 15 + struct.pack("<2d", 1.5, 2.5)  # padding byte, pad, data


def test_hand_written_wrapper_matches_what_joblib_reads(tmp_path: Path) -> None:
    """The builder below is right: a wrapper, its padding and 16 bytes, then a STOP."""
    assert _scan(tmp_path, "ok.joblib", _wrapper() + ARRAY_2F8 + b".").verdict == "clean"
    evil = _wrapper() + ARRAY_2F8 + b"0" + PAYLOAD_P2 + b"."  # POP the array, then code
    assert _scan(tmp_path, "evil.joblib", evil).verdict == "unsafe"


def test_an_object_array_is_walked_as_the_pickle_it_is(tmp_path: Path) -> None:
    data = _wrapper(state=_state(dtype=OBJ)) + mc.os_system_p4() + b"."
    assert _scan(tmp_path, "obj.joblib", data).verdict == "unsafe"
    clean = _wrapper(state=_state(dtype=OBJ)) + mc.clean_pickle() + b"."
    assert _scan(tmp_path, "objok.joblib", clean).verdict == "clean"


UNDECIDABLE = {
    # a wrapper passed through a call the scanner cannot see into (copy.copy), then built
    "factory": b"\x80\x02ccopy\ncopy\n" + WRAPPER_CLS + b")\x81\x85R" + _state() + b"b",
    # the padding-length byte is 'c' (GLOBAL): pickle.load would run what joblib skips
    "padding-opcode": _wrapper() + b"c" + b"\xff" * 99 + struct.pack("<2d", 1, 2) + b".",
    "shape-not-tuple": _wrapper(state=_state(shape=_u("big"))),
    "shape-from-memo": _wrapper(state=_state(shape=b"h\x07")),
    "dtype-unknown": _wrapper(state=_state(dtype=b"cmymod\nDT\n)R")),
    # an object field whose dtype declares no objects: joblib's hasobject and ours could differ
    "dtype-flags-lie": _wrapper(
        state=_state(
            dtype=b"cnumpy\ndtype\n("
            + _u("V8")
            + b"\x89\x88tR(K\x03"
            + _u("|")
            + b"N("
            + _u("o")
            + b"t}("
            + _u("o")
            + OBJ
            + b"K\x00\x86uK\x08K\x01K\x00tb"
        )
    ),
    "alignment-unknown": _wrapper(state=_state(align=b"h\x07")),
    "state-not-dict": _wrapper(state=b"N"),
    "too-many-elements": _wrapper(state=_state(shape=b"(" + b"J\xff\xff\xff\x7f" * 4 + b"t")),
}


@pytest.mark.parametrize("name", sorted(UNDECIDABLE))
def test_a_wrapper_whose_bytes_cannot_be_decided_is_error(tmp_path: Path, name: str) -> None:
    data = UNDECIDABLE[name] + ARRAY_2F8 + b"."
    res = _scan(tmp_path, f"{name}.joblib", data)
    assert res.verdict == "error", (res.findings, res.error)


def test_scan_model_gate_passes_real_joblib_models(tmp_path: Path) -> None:
    """`--fail-on-unsafe` on a folder of ordinary joblib models exits 0 (it exited 1)."""
    models = tmp_path / "models"
    models.mkdir()
    for name in ARRAY_FILES + SKLEARN_FILES:
        if "lz4" not in name:
            (models / name).write_bytes((CORPUS / name).read_bytes())
    res = run_cli("scan-model", str(models), "--fail-on-unsafe", workspace=tmp_path / "ws")
    assert res.code == 0, res.out + res.err
    (models / "evil.joblib").write_bytes(
        (CORPUS / "marker-1.6.0.joblib").read_bytes().replace(MARKER_P2, PAYLOAD_P2)
    )
    res = run_cli("scan-model", str(models), "--fail-on-unsafe", workspace=tmp_path / "ws")
    assert res.code == 1 and "UNSAFE" in res.out


def test_freshly_dumped_joblib_files_are_clean(tmp_path: Path) -> None:
    """The installed joblib (the test extra) against the same arrays, every compressor."""
    joblib = require_module("joblib", "joblib (test extra) is not installed")
    from tests.hostile.make_joblib_corpus import arrays

    compressors: list[object] = [0, ("zlib", 3), ("gzip", 3), ("bz2", 3), ("xz", 3)]
    try:
        import lz4  # noqa: F401

        compressors.append(("lz4", 3))
    except ImportError:
        pass
    for i, compress in enumerate(compressors):
        path = tmp_path / f"m{i}.joblib"
        joblib.dump(arrays(), path, compress=compress)
        res = scan_file(path)
        assert (res.verdict, res.error) == ("clean", ""), compress
    joblib.dump([arrays()["float"], "MARKER"], tmp_path / "mk.joblib", protocol=2)
    data = (tmp_path / "mk.joblib").read_bytes().replace(MARKER_P2, PAYLOAD_P2)
    assert _scan(tmp_path, "evil.joblib", data).verdict == "unsafe"


def test_a_large_inline_array_is_streamed_not_read(tmp_path: Path) -> None:
    n = 6 * 1024 * 1024  # 48 MiB of float64
    data = _wrapper(state=_state(shape=b"J" + struct.pack("<i", n) + b"\x85"))
    data += b"\x0f" + b"\xff" * 15 + b"\0" * (8 * n) + b"0" + PAYLOAD_P2 + b"."
    (tmp_path / "big.joblib").write_bytes(data)
    del data
    tracemalloc.start()
    try:
        res = scan_file(tmp_path / "big.joblib")
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.verdict == "unsafe", res.error
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def test_an_old_joblib_ndarray_wrapper_is_unsafe(tmp_path: Path) -> None:
    """joblib.load answers an NDArrayWrapper's BUILD with np.load(allow_pickle=True) of the
    file its state names (``/tmp/x.npy``, ``../../x``): a pickle outside this scan runs. It
    was on the safe list (clean)."""
    for module in (b"joblib.numpy_pickle", b"joblib.numpy_pickle_compat"):
        data = (
            b"\x80\x02c"
            + module
            + b"\nNDArrayWrapper\n)\x81}("
            + _u("filename")
            + _u("/tmp/elsewhere.npy")
            + _u("subclass")
            + b"cnumpy\nndarray\nub."
        )
        res = _scan(tmp_path, "old.pkl", data)
        assert res.verdict == "unsafe", res.findings
