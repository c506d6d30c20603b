"""Hostile model files, written opcode by opcode: nothing here (or in the scanner) unpickles.

Each builder returns the bytes a loader (pickle, torch, joblib, pandas, numpy, Keras) would
accept, built by hand from the pickle opcodes (``pickletools`` documents them) so the corpus
never depends on a gadget class and is never loaded by this test suite.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import struct
import zipfile
import zlib


def _unicode(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"\x8c" + bytes([len(data)]) + data  # SHORT_BINUNICODE


def stack_global(module: str, name: str, *, memo: bool = True) -> bytes:
    """Protocol 4 STACK_GLOBAL with the names memoised (what pickle writes)."""
    out = _unicode(module) + (b"\x94" if memo else b"")  # MEMOIZE
    out += _unicode(name) + (b"\x94" if memo else b"")
    return out + b"\x93" + b"\x94"  # STACK_GLOBAL, MEMOIZE


def call(global_bytes: bytes, *args: str) -> bytes:
    """global(*args) via REDUCE."""
    body = global_bytes + b"("  # MARK
    for a in args:
        body += _unicode(a)
    return body + b"t" + b"R"  # TUPLE, REDUCE


def proto4(body: bytes) -> bytes:
    return b"\x80\x04" + body + b"."  # PROTO 4 ... STOP


def os_system_p0(cmd: str = "echo owned") -> bytes:
    """Protocol 0: GLOBAL 'os system', MARK, STRING, TUPLE, REDUCE, STOP."""
    return b"cos\nsystem\n(S'" + cmd.encode() + b"'\ntR."


def os_system_p4(cmd: str = "echo owned") -> bytes:
    return proto4(call(stack_global("os", "system"), cmd))


def builtin_call(name: str, *args: str) -> bytes:
    return proto4(call(stack_global("builtins", name), *args))


def import_vars_get_chain() -> bytes:
    """__import__('os') -> vars(module) -> dict.get(that, 'system') -> call: no os global."""
    imp = call(stack_global("builtins", "__import__"), "os")
    vars_of = stack_global("builtins", "vars") + b"(" + imp + b"t" + b"R"
    getter = stack_global("builtins", "dict.get") + b"(" + vars_of + _unicode("system") + b"tR"
    return proto4(getter + b"(" + _unicode("echo owned") + b"tR")


def apply_p2() -> bytes:
    """Python 2's __builtin__.apply(os.system, ...) as protocol 2 GLOBALs."""
    return b"\x80\x02c__builtin__\napply\nq\x00cos\nsystem\nq\x01(X\x02\x00\x00\x00id\x85R."


def dunder_chain() -> bytes:
    return proto4(call(stack_global("torch", "nn.Module.__init__.__globals__"), "x"))


def markup_named_global() -> bytes:
    return b"cos\n[/x]\n(S'id'\ntR."


def clean_pickle() -> bytes:
    """{'weights': [0.5, 1.5], 'name': 'dense'} with an OrderedDict: data constructors only."""
    od = stack_global("collections", "OrderedDict") + b")R"  # EMPTY_TUPLE, REDUCE
    body = b"}" + b"(" + _unicode("weights") + b"](" + b"G" + struct.pack(">d", 0.5)
    body += b"G" + struct.pack(">d", 1.5) + b"e" + _unicode("name") + _unicode("dense")
    body += _unicode("layers") + od + b"u"
    return proto4(body)


def big_clean_pickle(size: int) -> bytes:
    """A pickle holding one large bytes value (BINBYTES8): most of a real weights pickle."""
    return b"\x80\x04\x8e" + struct.pack("<Q", size) + b"\0" * size + b"."


def torch_zip(payload: bytes, name: str = "archive") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{name}/data.pkl", payload)
        zf.writestr(f"{name}/version", "3\n")
        zf.writestr(f"{name}/data/0", b"\x1f\x8b" + b"\x07" * 30)  # raw floats that look gzip
    return buf.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


def zl(data: bytes) -> bytes:
    return zlib.compress(data)


def bz(data: bytes) -> bytes:
    return bz2.compress(data)


def xz(data: bytes) -> bytes:
    return lzma.compress(data)


def zst(data: bytes) -> bytes:
    """pandas reads ``.pkl.zst`` (zstandard) as it reads ``.pkl.gz``."""
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def lzma_alone(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_ALONE)


def lz4_frame_header_only() -> bytes:
    """The lz4 frame magic and a header: enough for a loader to pick lz4."""
    return b"\x04\x22\x4d\x18\x64\x40\xa7" + b"\x00" * 16


def npy(descr: str, payload: bytes) -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}"
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def keras_zip(config: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("config.json", config)
        zf.writestr("metadata.json", "{}")
    return buf.getvalue()


def keras_lambda_config() -> bytes:
    return json.dumps(
        {"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}}
    ).encode()


def safetensors() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    return struct.pack("<Q", len(header)) + header + b"\0" * 4


# --- evasions found by the outside review: each was reported suspicious or clean ---------------


def escaped_string_global() -> bytes:
    """Protocol 0 STRING is a backslash-escaped literal: S'o\\x73' pushes 'os'."""
    return b"\x80\x04S'o\\x73'\nS'sys\\x74em'\n\x93S'id'\n\x85R."


def escaped_unicode_global() -> bytes:
    """UNICODE is raw-unicode-escape: Vo\\u0073 pushes 'os'."""
    return b"\x80\x04Vo\\u0073\nVsystem\n\x93Vid\n\x85R."


def computed_global() -> bytes:
    """STACK_GLOBAL on names computed at load time: _codecs.encode('bf', 'rot13') is 'os'."""
    rot = b"c_codecs\nencode\n(Vbf\nVrot13\ntR" + b"c_codecs\nencode\n(Vflfgrz\nVrot13\ntR"
    return b"\x80\x04" + rot + b"\x93Vid\n\x85R."


def legacy_torch_with_protocol0_payload() -> bytes:
    """Legacy torch.load reads pickles back to back; the second one has no PROTO header."""
    magic = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."  # LONG1 0x1950a86a20f9469cfc6c
    return magic + os_system_p0()


def mixed_memo_stores() -> bytes:
    """PUT and MEMOIZE in one pickle: no pickler writes it, and a scanner that counts memo
    entries differently from the unpickler could resolve a GET to another name."""
    return b"\x80\x04" + _unicode("a") + b"p0\n" + _unicode("os") + b"\x94" + b"."


def keras_lambda_nested(levels: int) -> bytes:
    cfg: dict[str, object] = {"class_name": "Lambda", "config": {"name": "deep"}}
    for _ in range(levels):
        cfg = {"class_name": "Sequential", "config": {"layers": [cfg]}}
    return json.dumps(cfg).encode()


def hdf5_with(config: bytes, pad: int = 100) -> bytes:
    return b"\x89HDF\r\n\x1a\n" + b"\0" * pad + config + b"\0" * 100


def builtin_data_p2() -> bytes:
    """What pickle.dumps({1}, protocol=2) writes: __builtin__.set, a plain data type."""
    return b"\x80\x02c__builtin__\nset\nq\x00]q\x01K\x01a\x85q\x02Rq\x03."


def plain_object_p0() -> bytes:
    """What pickle.dumps(mymod.Foo(), protocol=0) writes: copy_reg._reconstructor with
    __builtin__.object, which runs nothing (mymod.Foo stays unknown: suspicious)."""
    return (
        b"ccopy_reg\n_reconstructor\np0\n(cmymod\nFoo\np1\nc__builtin__\nobject\np2\nNtp3\n"
        b"Rp4\n(dp5\nVa\np6\nI1\nsb."
    )
