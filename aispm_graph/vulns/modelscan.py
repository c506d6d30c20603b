"""Model artifact scanning: does loading this file run code?

The attacker controls every byte of a model file, so nothing here trusts the file name or what
the file says about itself:

* **Format from content.** The first bytes decide (pickle opcodes, zip, HDF5, NumPy, gzip, bz2,
  xz/lzma, zlib, lz4, zstd, safetensors, GGUF); the extension only breaks a tie for ONNX, whose
  protobuf has no magic. A pickle renamed ``.safetensors`` is scanned as a pickle.
* **Wrappers are opened.** pandas reads ``.pkl.gz`` and ``.pkl.zst``, joblib writes
  zlib/gzip/bz2/xz/lzma/lz4 files: each is decompressed as a stream (never to memory) and
  its content scanned again, nested up to a few levels. lz4 needs the ``lz4`` module;
  without it the file is an ``error``, never ``clean``.
* **Pickles are disassembled, never loaded.** Our own opcode walker follows the pickle
  machine's stack (so ``STACK_GLOBAL`` names built from memoised strings resolve) and reads
  large arguments in chunks, so memory stays small whatever the file size. Each imported
  global is rated: ``critical`` when loading it can run code (``os``, ``subprocess``,
  ``builtins.__import__``/``getattr``/``vars``/``eval``/``exec``/``compile``/``open``/``apply``,
  attribute chains through dunders, ...), ``info`` when it is a known tensor/array
  constructor, ``medium`` for anything else (a class whose ``__setstate__`` we cannot vouch
  for).
* **joblib's inline arrays** (every sklearn model): the raw bytes joblib writes after a
  ``NumpyArrayWrapper`` BUILD are stepped over by the count its state gives (shape, dtype,
  alignment padding; an object array is a nested pickle, walked), so the rest of the stream
  is walked too. A state that does not decide the count exactly is an ``error``, and bytes
  a plain ``pickle.load`` would read as code where joblib skips them are walked both ways
  (joblib_arrays).
* **Could not parse is not clean.** Bytes no format explains, a truncated or malformed pickle,
  a corrupt archive: the verdict is ``error``, and ``--fail-on-unsafe`` fails on it.
* **Keras**: a ``Lambda`` layer carries marshalled Python bytecode that runs on load. The v3
  ``.keras`` zip's ``config.json`` is parsed (size-capped); a legacy HDF5 file is searched in
  fixed-size chunks for the layer declaration, never read whole.
"""

from __future__ import annotations

import ast
import bz2
import codecs
import contextlib
import functools
import gzip
import io
import json
import lzma
import pickletools
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aispm_graph.vulns import joblib_arrays as ja

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
    ".gz",
    ".bz2",
    ".xz",
    ".lzma",
    ".z",
    ".zlib",
    ".lz4",
    ".zst",
}
KERAS_EXTS = {".h5", ".hdf5", ".keras"}
SAFE_FORMAT_EXTS = {".safetensors", ".gguf", ".onnx"}
MODEL_EXTS = PICKLE_EXTS | KERAS_EXTS | SAFE_FORMAT_EXTS
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
GGUF_MAGIC = b"GGUF"
NUMPY_MAGIC = b"\x93NUMPY"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
LZ4_MAGIC = b"\x04\x22\x4d\x18"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_KERAS_CONFIG = 64 * 1024 * 1024
# Bytes a compressed wrapper may expand to (streamed: this bounds time, not memory).
MAX_DECOMPRESSED = 8 * 1024 * 1024 * 1024
# A nested archive (a zip inside gzip) is spooled to a temporary file, memory up to this.
SPOOL_MEMORY = 16 * 1024 * 1024
MAX_NESTING = 4
MAX_ZIP_ENTRIES = 100_000
# Pickle arguments larger than this are skipped over in chunks, not kept.
KEEP_ARG = 64 * 1024
MAX_LINE = 64 * 1024
MAX_PICKLE_STACK = 2_000_000
CHUNK = 1024 * 1024
# Raw joblib array bytes that a plain unpickler could also read as opcodes are walked that
# way too, this far (further: undecidable, an error).
SHADOW_WINDOW = 64 * 1024


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
        # What we found outranks what we could not read: a file with os.system in its first
        # pickle is unsafe even if its tail is corrupt.
        if self.unsafe:
            return "unsafe"
        if self.error:
            return "error"
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


class ScanError(Exception):
    """The content cannot be scanned (unknown, truncated, corrupt, too large)."""


# --- rating pickle globals -------------------------------------------------------------------

# Modules whose every member can run code, reach the network or the file system, or load
# another serialised object (which would escape this scan).
DANGEROUS_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "subprocess",
        "sys",
        "runpy",
        "socket",
        "shutil",
        "importlib",
        "pty",
        "code",
        "codeop",
        "commands",
        "webbrowser",
        "ctypes",
        "pickle",
        "_pickle",
        "cPickle",
        "dill",
        "cloudpickle",
        "marshal",
        "types",
        "pdb",
        "bdb",
        "timeit",
        "profile",
        "cProfile",
        "trace",
        "multiprocessing",
        "threading",
        "_thread",
        "asyncio",
        "signal",
        "operator",
        "_operator",
        "requests",
        "urllib",
        "urllib2",
        "urllib3",
        "http",
        "httplib",
        "ftplib",
        "smtplib",
        "telnetlib",
        "aiohttp",
        "paramiko",
        "pip",
        "setuptools",
        "distutils",
        "shelve",
        "glob",
        "io",
        "_io",
        "tempfile",
        "zipimport",
        "pkgutil",
        "inspect",
        "gc",
        "site",
        "venv",
        "ensurepip",
        "joblib.load",
        # importers and process/exec gadgets public scanners list
        "pydoc",
        "_posixsubprocess",
        "_winapi",
        "msvcrt",
        "winreg",
        "_ctypes",
        "doctest",
        "idlelib",
        "imp",
        "thread",
        "compileall",
        "py_compile",
        "xmlrpc",
        "xmlrpclib",
        "IPython",
        "ipykernel",
        "numpy.f2py",
        "numpy.distutils",
        "numpy.testing",
        "torch.jit",
        "torch._dynamo",
        "torch._inductor",
        "torch.utils.collect_env",
        "torch.utils._config_module",
        "torch.utils.data.datapipes.utils.decoder",
        "tensorflow.python.ops.gen_io_ops",
        "keras.src.saving",
    }
)
DANGEROUS_GLOBALS = frozenset(
    {
        ("numpy.testing._private.utils", "runstring"),
        ("torch.hub", "load"),
        ("torch", "load"),
        ("torch.serialization", "load"),
        ("torch.storage", "_load_from_bytes"),
        ("torch._inductor.codecache", "compile_file"),
        ("numpy", "load"),
        ("numpy.lib.npyio", "load"),
        ("pandas", "read_pickle"),
        ("pandas.io.pickle", "read_pickle"),
        ("joblib", "load"),
        ("joblib.numpy_pickle", "load"),
        ("keras.models", "load_model"),
        ("tensorflow.keras.models", "load_model"),
        ("functools", "reduce"),
        ("functools", "partial"),
        ("copyreg", "_reconstructor_from_callable"),
    }
)
# builtins that only construct plain data; every other builtin (``__import__``, ``getattr``,
# ``setattr``, ``vars``, ``globals``, ``eval``, ``exec``, ``compile``, ``open``, ``apply``,
# ``breakpoint``, ``input``, ``type``, dotted ``dict.get``, ...) is a code-execution step.
SAFE_BUILTINS = frozenset(
    {
        "set",
        "frozenset",
        "slice",
        "range",
        "complex",
        "bytearray",
        "bytes",
        "str",
        "int",
        "float",
        "bool",
        "list",
        "dict",
        "tuple",
        "NoneType",
        "Ellipsis",
        "NotImplemented",
        "object",  # protocol 0/1 write copy_reg._reconstructor(cls, object, None)
    }
)
BUILTIN_MODULES = frozenset({"builtins", "__builtin__", "__builtins__"})
SAFE_GLOBALS = frozenset(
    {
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "deque"),
        ("collections", "Counter"),
        ("copy_reg", "_reconstructor"),
        ("copyreg", "_reconstructor"),
        ("_codecs", "encode"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
        ("fractions", "Fraction"),
        ("uuid", "UUID"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
        ("torch", "Size"),
        ("torch", "device"),
        ("torch", "dtype"),
        ("torch", "layout"),
        ("torch", "memory_format"),
        ("torch._tensor", "_rebuild_from_type_v2"),
        ("torch.nn.parameter", "Parameter"),
        ("torch.serialization", "_get_layout"),
    }
)
SAFE_TORCH_PREFIXES = ("_rebuild_",)
TORCH_SCALARS = re.compile(
    r"(?:[A-Z][A-Za-z0-9]*Storage|float\d*|half|bfloat16|double|int\d*|uint\d*|long|short|"
    r"bool|complex\d*|cfloat|cdouble|qint\d*|quint\d*|strided|sparse_coo|sparse_csr|"
    r"contiguous_format|channels_last|channels_last_3d|preserve_format|per_tensor_affine|"
    r"per_channel_affine|UntypedStorage|TypedStorage)"
)
# Attribute traversal to these reaches builtins, frames or code objects.
DUNDER_HOPS = re.compile(r"(?:^|\.)__\w+__(?:\.|$)")


# The module of a STACK_GLOBAL whose names are not literal strings: computed at load time
# (``_codecs.encode('bf', 'rot13')`` is ``'os'``), which no legitimate pickler writes.
COMPUTED = "<computed>"


def _module_prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def rate_global(module: str, name: str) -> str:
    """``critical``, ``medium`` or ``info`` for one global a pickle imports."""
    if module == COMPUTED or DUNDER_HOPS.search(name):
        return "critical"
    if module in BUILTIN_MODULES:  # before the dunder rule: protocol 2 names ``__builtin__``
        return "info" if name in SAFE_BUILTINS else "critical"
    if "__" in module:
        return "critical"
    if any(prefix in DANGEROUS_MODULES for prefix in _module_prefixes(module)):
        return "critical"
    if (module, name) in DANGEROUS_GLOBALS or (module, name.split(".", 1)[0]) in DANGEROUS_GLOBALS:
        return "critical"
    if name.rsplit(".", 1)[-1] == "NDArrayWrapper" and "joblib" in module:
        # joblib < 0.10's array stand-in: joblib.load (still today) answers its BUILD with
        # np.load(<dirname>/<its filename>, allow_pickle=True), an absolute or ../ path
        # allowed: another file, never scanned with this one, is unpickled.
        return "critical"
    if "." in name:
        return "medium"  # attribute chain on an otherwise harmless module: cannot vouch
    if (module, name) in SAFE_GLOBALS:
        return "info"
    if module in {"torch._utils", "torch"} and (
        name.startswith(SAFE_TORCH_PREFIXES) or TORCH_SCALARS.fullmatch(name)
    ):
        return "info"
    return "medium"


# --- a byte source with limits ---------------------------------------------------------------


class _Source:
    """A readable stream with a peekable head, a byte count and a byte limit."""

    def __init__(self, raw: IO[bytes], limit: int | None = MAX_DECOMPRESSED) -> None:
        self.raw = raw
        self.head = b""
        self.pos = 0
        self.limit = limit

    def peek(self, n: int) -> bytes:
        while len(self.head) < n:
            more = self.raw.read(n - len(self.head))
            if not more:
                break
            self.head += more
        return self.head[:n]

    def read(self, n: int) -> bytes:
        if n <= 0:
            return b""
        out = b""
        if self.head:
            out, self.head = self.head[:n], self.head[n:]
        while len(out) < n:
            more = self.raw.read(n - len(out))
            if not more:
                break
            out += more
        self.pos += len(out)
        if self.limit is not None and self.pos > self.limit:
            raise ScanError(f"content expands past {self.limit // 2**30} GiB; not scanned")
        return out

    def exact(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise ScanError("truncated: the data ends in the middle of a record")
        return data

    def skip(self, n: int) -> None:
        while n > 0:
            got = len(self.read(min(n, CHUNK)))
            if not got:
                raise ScanError("truncated: the data ends in the middle of a record")
            n -= got

    def readline(self) -> bytes:
        out = bytearray()
        while len(out) <= MAX_LINE:
            ch = self.read(1)
            if not ch:
                raise ScanError("truncated: a text argument has no end of line")
            out += ch
            if ch == b"\n":
                return bytes(out)
        raise ScanError("a text argument is longer than any real pickle writes")

    def at_end(self) -> bool:
        return not self.peek(1)


# --- the pickle walker -----------------------------------------------------------------------

_MARK = object()
_UNKNOWN: Any = ja.UNKNOWN
_SIZED = {
    "string1": ("<B", 1),
    "bytes1": ("<B", 1),
    "unicodestring1": ("<B", 1),
    "string4": ("<i", 4),
    "bytes4": ("<I", 4),
    "unicodestring4": ("<I", 4),
    "bytes8": ("<Q", 8),
    "unicodestring8": ("<Q", 8),
    "bytearray8": ("<Q", 8),
    "long4": ("<i", 4),
}
_LINE_ARGS = {
    "stringnl",
    "stringnl_noescape",
    "unicodestringnl",
    "decimalnl_short",
    "decimalnl_long",
    "floatnl",
}
_TEXT_OPS = {
    "SHORT_BINUNICODE",
    "BINUNICODE",
    "BINUNICODE8",
    "UNICODE",
    "SHORT_BINSTRING",
    "BINSTRING",
    "STRING",
}


def _arg(op: pickletools.OpcodeInfo, src: _Source) -> Any:
    if op.arg is None:
        return None
    name = op.arg.name
    if name in _SIZED:
        fmt, width = _SIZED[name]
        (n,) = struct.unpack(fmt, src.exact(width))
        if n < 0:
            raise ScanError(f"{op.name}: negative length")
        if n > KEEP_ARG:
            src.skip(n)
            return _UNKNOWN
        data = src.exact(n)
        if name.startswith("unicodestring"):
            return data.decode("utf-8", "surrogatepass")
        if name.startswith("string"):
            return data.decode("latin-1")
        return _UNKNOWN
    if name in _LINE_ARGS:
        line = src.readline()[:-1]
        # Decoded as the unpickler does: STRING is a quoted, backslash-escaped literal and
        # UNICODE raw-unicode-escape, so ``S'o\\x73'`` names the module ``os``.
        try:
            if name == "stringnl":
                if len(line) < 2 or line[:1] != line[-1:] or line[:1] not in (b"'", b'"'):
                    raise ScanError(f"{op.name}: the argument is not quoted")
                return codecs.escape_decode(line[1:-1])[0].decode("latin-1")
            if name == "unicodestringnl":
                return line.decode("raw-unicode-escape")
        except (UnicodeDecodeError, ValueError) as exc:
            raise ScanError(f"{op.name}: undecodable text argument ({exc})") from None
        return line.decode("latin-1")
    if name == "stringnl_noescape_pair":
        first = src.readline()[:-1].decode("utf-8", "backslashreplace")
        second = src.readline()[:-1].decode("utf-8", "backslashreplace")
        return f"{first} {second}"
    # Fixed-width readers (uint1/2/4/8, int4, float8): small, read through the limited source.
    return op.arg.reader(_ReaderAdapter(src))  # type: ignore[arg-type]


class _ReaderAdapter:
    """What pickletools' fixed-width readers need: ``read``, bounded by our source."""

    def __init__(self, src: _Source) -> None:
        self.src = src

    def read(self, n: int) -> bytes:
        return self.src.read(n)

    def readline(self) -> bytes:
        return self.src.readline()


def _opcodes() -> dict[int, pickletools.OpcodeInfo]:
    return {ord(op.code): op for op in pickletools.opcodes}


_OPS = _opcodes()


def _walk_pickle(src: _Source, on_global: Callable[[str, str], None]) -> None:
    """Walk one pickle (to its STOP) tracking the stack symbolically; globals are reported.

    An argument the unpickler would refuse (a memo index that is no number, text that does
    not decode) makes the pickle malformed, like any other damage: a ScanError.
    """
    try:
        _walk_ops(src, on_global, joblib=True)
    except (ValueError, OverflowError, struct.error) as exc:
        raise ScanError(f"malformed pickle ({type(exc).__name__}: {exc})") from None


_INT_OPS = frozenset({"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1"})
_DATA_OPS = frozenset(
    {
        "FLOAT",
        "BINFLOAT",
        "BINBYTES",
        "SHORT_BINBYTES",
        "BINBYTES8",
        "BYTEARRAY8",
        "LONG4",
        "NEXT_BUFFER",
    }
)
_SEQ_OPS = frozenset({"EMPTY_LIST", "EMPTY_SET"})
_GROW_OPS = frozenset({"APPEND", "APPENDS", "ADDITEMS"})


@dataclass
class _Machine:
    """The pickle machine's state as the walker tracks it (values are symbolic, see
    joblib_arrays). MEMOIZE stores at len(memo); that length is counted, which is exact
    because picklers never mix MEMOIZE with PUT (one that does is refused: otherwise the
    count and the unpickler's len(memo) could differ and a GET resolve to another name than
    the unpickler's)."""

    stack: list[Any] = field(default_factory=list)
    memo: dict[int, Any] = field(default_factory=dict)
    memoised: int = 0
    stores: set[str] = field(default_factory=set)

    # Tuple elements and dict items kept value by value, over the whole walk (about 15 MiB
    # at most); past that, values are untracked (a joblib wrapper after that point is
    # undecidable, an error).
    budget: int = ja.TRACK_BUDGET

    def copy(self) -> _Machine:
        return _Machine(
            list(self.stack), dict(self.memo), self.memoised, set(self.stores), self.budget
        )

    def keep(self, value: tuple[Any, ...]) -> Any:
        if len(value) > self.budget:
            return _UNKNOWN
        self.budget -= len(value)
        return value


def _walk_ops(
    src: _Source,
    on_global: Callable[[str, str], None],
    *,
    joblib: bool,
    machine: _Machine | None = None,
) -> None:
    m = machine or _Machine()
    stack, memo, stores = m.stack, m.memo, m.stores
    # A NumpyArrayWrapper can only exist once its class was imported in this pickle; until
    # then no BUILD needs a second look.
    wrapper_seen = False
    while True:
        b = src.read(1)
        if not b:
            raise ScanError("truncated pickle: no STOP opcode")
        op = _OPS.get(b[0])
        if op is None:
            raise ScanError(f"not a pickle: byte 0x{b[0]:02x} at offset {src.pos - 1}")
        arg = _arg(op, src)
        name = op.name
        if name == "STOP":
            if not stack or stack[-1] is _MARK:  # the unpickler pops the value it returns
                raise ScanError("malformed pickle: STOP with no value to return")
            return
        if name == "MARK":
            stack.append(_MARK)
        elif name in _TEXT_OPS:
            stack.append(arg)
        elif name in _INT_OPS:
            stack.append(_int_value(arg))
        elif name in _DATA_OPS:
            stack.append(ja.DATA)
        elif name == "NONE":
            stack.append(None)
        elif name in {"NEWTRUE", "NEWFALSE"}:
            stack.append(name == "NEWTRUE")
        elif name in {"GLOBAL", "INST"}:
            module, _, attr = str(arg).partition(" ")
            on_global(module, attr)
            glob = ja.Glob(module, attr)
            wrapper_seen |= glob.is_wrapper_class
            if name == "INST":
                args = tuple(_pop_to_mark(stack))
                stack.append(ja.call_result(glob, args) if args else ja.new_instance(glob))
            else:
                stack.append(glob)
        elif name == "STACK_GLOBAL":
            attr, module = _pop(stack), _pop(stack)
            if isinstance(module, str) and isinstance(attr, str):
                on_global(module, attr)
                glob = ja.Glob(module, attr)
                wrapper_seen |= glob.is_wrapper_class
                stack.append(glob)
            else:
                on_global(COMPUTED, "a global whose name is computed while loading")
                stack.append(_UNKNOWN)
        elif name in {"PUT", "BINPUT", "LONG_BINPUT"}:
            if not stack or stack[-1] is _MARK:
                raise ScanError("malformed pickle: memo store from an empty stack")
            stores.add("PUT")
            memo[int(arg)] = stack[-1]
        elif name == "MEMOIZE":
            if not stack or stack[-1] is _MARK:
                raise ScanError("malformed pickle: memo store from an empty stack")
            stores.add("MEMOIZE")
            memo[m.memoised] = stack[-1]
            m.memoised += 1
        elif name in {"GET", "BINGET", "LONG_BINGET"}:
            stack.append(memo.get(int(arg), _UNKNOWN))
        elif name in {"EXT1", "EXT2", "EXT4"}:
            on_global("<copyreg extension>", f"code {arg}")
            stack.append(_UNKNOWN)
        elif name == "DUP":
            stack.append(_top(stack))
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name in {"TUPLE1", "TUPLE2", "TUPLE3"}:
            n = int(name[-1])
            items = [_pop(stack) for _ in range(n)][::-1]
            stack.append(m.keep(tuple(items)))
        elif name == "TUPLE":
            items = _pop_to_mark(stack)
            stack.append(m.keep(tuple(items)) if len(items) <= ja.MAX_TRACKED else _UNKNOWN)
        elif name == "EMPTY_DICT":
            stack.append(ja.Dict())
        elif name == "DICT":
            d = ja.Dict()
            _set_items(m, d, _pop_to_mark(stack))
            stack.append(d)
        elif name == "SETITEM":
            value, key = _pop(stack), _pop(stack)
            _set_items(m, _top(stack), [key, value])
        elif name == "SETITEMS":
            items = _pop_to_mark(stack)
            _set_items(m, _top(stack), items)
        elif name in _SEQ_OPS:
            stack.append(ja.Seq())
        elif name in {"LIST", "FROZENSET"}:
            stack.append(ja.Seq(tainted=ja.may_wrap(tuple(_pop_to_mark(stack)))))
        elif name in _GROW_OPS:
            items = _pop_to_mark(stack) if name != "APPEND" else [_pop(stack)]
            _taint(_top(stack), items)
        elif name == "REDUCE":
            args, func = _pop(stack), _pop(stack)
            stack.append(ja.call_result(func, args))
        elif name == "NEWOBJ":
            _pop(stack)
            stack.append(ja.new_instance(_pop(stack)))
        elif name == "NEWOBJ_EX":
            _pop(stack)
            _pop(stack)
            stack.append(ja.new_instance(_pop(stack)))
        elif name == "OBJ":
            items = _pop_to_mark(stack)
            if not items:
                raise ScanError("malformed pickle: OBJ with no class")
            cls, args = items[0], tuple(items[1:])
            stack.append(ja.call_result(cls, args) if args else ja.new_instance(cls))
        elif name == "BUILD":
            state = _pop(stack)
            obj = _top(stack)
            if isinstance(obj, ja.Inst):
                ja.apply_build(obj, state)
            if joblib and wrapper_seen:
                if not isinstance(obj, ja.Inst) or obj.kind == "maybe":
                    raise ScanError(
                        "joblib file: an object built here might be a NumPy array wrapper "
                        "(made by a call the scanner cannot see into), so where its array "
                        "bytes end cannot be decided"
                    )
                if obj.kind == "wrapper":
                    _skip_joblib_array(src, obj, on_global, m)
                    stack[-1] = ja.DATA
        else:
            _generic(op, stack)
        if len(stores) > 1:
            raise ScanError("malformed pickle: memo stores by both PUT and MEMOIZE")
        if len(stack) > MAX_PICKLE_STACK or len(memo) > MAX_PICKLE_STACK:
            raise ScanError("pickle holds more objects than this scanner tracks")


def _skip_joblib_array(
    src: _Source, wrapper: ja.Inst, on_global: Callable[[str, str], None], machine: _Machine
) -> None:
    """Step over what joblib's unpickler reads after a NumpyArrayWrapper's BUILD.

    A plain unpickler (pickle.load, torch, pandas) reads the same bytes as opcodes. Where it
    would fail at once (the padding-length byte, or the first array byte when there is no
    padding, is no opcode) there is nothing more to see. Otherwise (joblib < 1.2 wrote no
    padding) the bytes are also walked as a plain unpickler would, from the same stack: the
    globals it meets count, and if it could read past the array the file is undecidable. An
    object array is a nested pickle, walked with its own stack (as joblib's inner unpickler).
    """
    try:
        where = ja.layout(wrapper)
    except ja.Undecidable as exc:
        raise ScanError(f"joblib array wrapper: {exc}; where its bytes end is unknown") from None
    if where.nested_pickle:
        _walk_ops(src, on_global, joblib=False)
        return
    if where.aligned:
        pad = src.exact(1)[0]
        if pad in _OPS:
            raise ScanError(
                "joblib array padding byte is also a pickle opcode: a plain unpickler would "
                "run what joblib skips"
            )
        src.skip(pad)
    elif where.nbytes and src.peek(1)[:1] and src.peek(1)[0] in _OPS:
        _shadow_walk(src, on_global, machine)
    src.skip(where.nbytes)


def _shadow_walk(src: _Source, on_global: Callable[[str, str], None], machine: _Machine) -> None:
    """Walk raw array bytes (and what follows) as a plain unpickler would, without consuming
    them: it must stop (fail or STOP) inside the window, so every global it reaches is seen."""
    window = src.peek(SHADOW_WINDOW)
    shadow = _Source(io.BytesIO(window), limit=None)
    found: list[tuple[str, str]] = []
    try:
        _walk_ops(shadow, functools.partial(_collect, found), joblib=False, machine=machine.copy())
    except (ScanError, ValueError, OverflowError, struct.error):
        if shadow.at_end() and len(window) == SHADOW_WINDOW:
            raise ScanError(
                "joblib array (no alignment padding, joblib < 1.2) reads as pickle opcodes "
                f"for more than {SHADOW_WINDOW // 1024} KiB: what a plain unpickler would "
                "run there cannot be decided"
            ) from None
    # As for raw bytes after a legacy torch file's pickles: a reading that may never happen
    # counts only where it would run code (a name like ``\x00\x00c`` imports nothing).
    for module, name in found:
        if rate_global(module, name) == "critical":
            on_global(module, name)


def _int_value(arg: Any) -> Any:
    """An integer opcode's value; protocol 0 spells it as text (``I01`` is True, ``L5L``)."""
    if type(arg) in (int, bool):
        return arg
    if isinstance(arg, str):
        text = arg.strip()
        if text in {"00", "01"}:
            return text == "01"
        # Only plain decimals: unpicklers differ on ``010`` (octal in C) and ``0x10``.
        digits = text.removesuffix("L")
        if re.fullmatch(r"-?(?:0|[1-9][0-9]{0,18})", digits):
            return int(digits)
    return _UNKNOWN


def _top(stack: list[Any]) -> Any:
    if not stack or stack[-1] is _MARK:
        raise ScanError("malformed pickle: stack underflow")
    return stack[-1]


def _pop_to_mark(stack: list[Any]) -> list[Any]:
    items: list[Any] = []
    while stack:
        value = stack.pop()
        if value is _MARK:
            items.reverse()
            return items
        items.append(value)
    raise ScanError("malformed pickle: no MARK to pop to")


def _set_items(m: _Machine, target: Any, items: list[Any]) -> None:
    if len(items) % 2:
        raise ScanError("malformed pickle: a dict item without a value")
    if not isinstance(target, ja.Dict):
        return
    for key, value in zip(items[::2], items[1::2], strict=True):
        target.tainted |= ja.may_wrap(key) or ja.may_wrap(value)
        if isinstance(key, str) and len(target.items) < ja.MAX_TRACKED and m.budget > 0:
            m.budget -= 1
            target.items[key] = value
        else:
            target.exact = False


def _taint(target: Any, items: list[Any]) -> None:
    if isinstance(target, ja.Seq):
        target.tainted |= ja.may_wrap(tuple(items))


def _pop(stack: list[Any]) -> Any:
    if not stack or stack[-1] is _MARK:
        raise ScanError("malformed pickle: stack underflow")
    return stack.pop()


def _generic(op: pickletools.OpcodeInfo, stack: list[Any]) -> None:
    before = op.stack_before
    if pickletools.markobject in before:
        _pop_to_mark(stack)
        for _ in range(before.index(pickletools.markobject)):
            _pop(stack)
    else:
        for _ in before:
            _pop(stack)
    stack.extend(_UNKNOWN for _ in op.stack_after)


# --- formats ---------------------------------------------------------------------------------


@dataclass
class _Scan:
    result: ScanResult
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def add_global(self, where: str, module: str, name: str) -> None:
        level = rate_global(module, name)
        if level == "info" or (where, module, name) in self.seen:
            return
        self.seen.add((where, module, name))
        inside = f" (in {where})" if where else ""
        if module == COMPUTED:
            self.result.findings.append(
                Finding(
                    "critical",
                    "unsafe-deserialization",
                    "pickle imports a global whose name it computes while loading (an "
                    f"obfuscated import): code runs on load{inside}",
                )
            )
        elif level == "critical":
            self.result.findings.append(
                Finding(
                    "critical",
                    "unsafe-deserialization",
                    f"pickle imports {module}.{name}: code runs on load{inside}",
                )
            )
        else:
            self.result.findings.append(
                Finding(
                    "medium",
                    "unknown-pickle-import",
                    f"pickle imports {module}.{name}, not on the safe list{inside}",
                )
            )

    def no_code(self, fmt: str) -> None:
        self.result.findings.append(
            Finding(
                "info", "no-code-on-load", f"{fmt} stores tensors only; loading it runs no code"
            )
        )


def _is_pickle_start(head: bytes) -> bool:
    # Protocol 2+ starts with PROTO; protocol 0/1 with any opcode that pushes a value.
    return bool(head) and (head[0] == 0x80 or (head[0] in _OPS and head[0] != ord(".")))


def _sniff(head: bytes) -> str:
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head.startswith(HDF5_MAGIC):
        return "hdf5"
    if head.startswith(NUMPY_MAGIC):
        return "numpy"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"]\x00\x00"):
        return "lzma"
    if head.startswith(LZ4_MAGIC):
        return "lz4"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    if head.startswith(GGUF_MAGIC):
        return "gguf"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    if len(head) >= 9:
        (n,) = struct.unpack("<Q", head[:8])
        if 2 <= n <= 100 * 1024 * 1024 and head[8:9] == b"{":
            return "safetensors"
    if _is_pickle_start(head):
        return "pickle"
    return "unknown"


class _ZlibStream(io.RawIOBase):
    """A zlib stream (joblib's ``compress='zlib'``) decompressed as it is read."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        self.d = zlib.decompressobj()
        self.buf = b""

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = CHUNK if n is None or n < 0 else n
        while len(self.buf) < n and not self.d.eof:
            chunk = self.d.unconsumed_tail or self.src.read(CHUNK)
            if not chunk:
                break
            try:
                self.buf += self.d.decompress(chunk, max(n - len(self.buf), 1))
            except zlib.error as exc:
                raise ScanError(f"corrupt zlib stream ({exc})") from None
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def _decompressor(kind: str, src: _Source) -> IO[bytes]:
    raw: Any = src
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(raw, mode="rb")
    if kind in {"xz", "lzma"}:
        return lzma.LZMAFile(raw, mode="rb")
    if kind == "zlib":
        return _ZlibStream(src)  # type: ignore[return-value]
    if kind == "zstd":  # pandas reads .pkl.zst; zstandard is a dependency (the workspace)
        import zstandard

        stream: IO[bytes] = zstandard.ZstdDecompressor().stream_reader(raw)
        return stream
    if kind == "lz4":
        try:
            import lz4.frame
        except ImportError:
            raise ScanError(
                "lz4-compressed (a joblib/pickle wrapper): install the 'lz4' package to scan it"
            ) from None
        lz4_stream: IO[bytes] = lz4.frame.LZ4FrameFile(raw, mode="rb")
        return lz4_stream
    raise ScanError(f"no decompressor for {kind}")


_DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    lzma.LZMAError,
    zlib.error,
    ValueError,
    RuntimeError,  # lz4.frame on a damaged frame
)


def _scan_stream(scan: _Scan, src: _Source, where: str, depth: int, ext: str) -> str:
    """Scan one stream by its content; returns the format name it was scanned as."""
    if depth > MAX_NESTING:
        raise ScanError(f"{where or 'file'}: wrapped more than {MAX_NESTING} levels deep")
    head = src.peek(16)
    if not head:
        raise ScanError(f"{where or 'file'}: empty")
    kind = _sniff(head)
    if kind == "unknown" and ext == ".onnx" and head[:1] == b"\x08":
        scan.no_code("onnx")
        return "onnx"
    if kind in {"gzip", "bz2", "xz", "lzma", "zlib", "lz4", "zstd"}:
        try:
            inner = _Source(_decompressor(kind, src), src.limit)
            fmt = _scan_stream(scan, inner, where, depth + 1, "")
        except _DECOMPRESS_ERRORS as exc:
            raise ScanError(f"corrupt {kind} data ({type(exc).__name__}: {exc})") from None
        return f"{kind}+{fmt}"
    if kind == "pickle":
        _scan_pickles(scan, src, where)
        return "pickle"
    if kind == "numpy":
        _scan_numpy(scan, src, where)
        return "numpy"
    if kind == "safetensors":
        (n,) = struct.unpack("<Q", src.exact(8))
        header = src.exact(n)
        try:
            json.loads(header)
        except (ValueError, RecursionError):
            raise ScanError("safetensors header is not JSON") from None
        scan.no_code("safetensors")
        return "safetensors"
    if kind == "gguf":
        scan.no_code("gguf")
        return "gguf"
    if kind == "hdf5":
        _scan_hdf5(scan, src)
        return "hdf5"
    if kind == "zip":
        with _seekable(src) as fh:
            return _scan_zip(scan, fh, where, depth)
    raise ScanError(
        f"{where or 'file'}: content is no model format this scanner knows (first bytes "
        f"{head[:8].hex()}); it cannot be called clean"
    )


def _collect(into: list[tuple[str, str]], module: str, name: str) -> None:
    into.append((module, name))


def _scan_pickles(scan: _Scan, src: _Source, where: str) -> None:
    """One pickle, and every one that follows it back to back.

    Legacy ``torch.load`` reads five pickles in a row, and a loader may call ``pickle.load``
    until the end of the file; a later pickle need not start with PROTO (protocol 0 has no
    header), so each following pickle is walked while the bytes parse as one. Where they stop
    parsing the rest is raw tensor data, except that a dangerous global already read in that
    stretch still counts: the unpickler would have run it before failing.
    """
    _walk_pickle(src, lambda m, n: scan.add_global(where, m, n))
    while True:
        head = src.peek(1)
        if not head or head[0] not in _OPS or head[0] == ord("."):
            return  # nothing more, or bytes no unpickler would start on
        found: list[tuple[str, str]] = []
        try:
            _walk_pickle(src, functools.partial(_collect, found))
        except ScanError:
            for module, name in found:
                if rate_global(module, name) == "critical":
                    scan.add_global(where, module, name)
            return
        for module, name in found:
            scan.add_global(where, module, name)


def _scan_numpy(scan: _Scan, src: _Source, where: str) -> None:
    src.exact(6)
    major = src.exact(2)[0]
    size_fmt, width = ("<H", 2) if major == 1 else ("<I", 4)
    (n,) = struct.unpack(size_fmt, src.exact(width))
    if n > MAX_LINE:
        raise ScanError("NumPy header is implausibly long")
    text = src.exact(n).decode("latin-1")
    try:  # a Python literal, as numpy reads it; literal_eval evaluates no code
        header = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ScanError("NumPy header is not a Python literal") from None
    if not isinstance(header, dict) or "descr" not in header:
        raise ScanError("NumPy header has no dtype")
    if not _holds_objects(header["descr"]):
        scan.no_code("numpy array")
        return
    # An object (or structured) array: the data is a pickle np.load(allow_pickle=True) runs.
    _scan_pickles(scan, src, where or "numpy object array")


def _holds_objects(descr: Any, depth: int = 0) -> bool:
    """Whether a NumPy dtype description holds Python objects (pickled in the data).

    numpy accepts every spelling of the object type (``'O'``, ``'|O8'``, ``'object'``,
    ``'object_'``) and object fields inside structured dtypes; a form not recognised here
    counts as objects, so the data is scanned rather than trusted.
    """
    if depth > 32:
        return True
    if isinstance(descr, str):
        kind = descr.lstrip("<>|=")
        return kind[:1] == "O" or kind.lower().startswith("object")
    if isinstance(descr, int):
        return False
    if isinstance(descr, list):  # structured: [(name, type[, shape]), ...]
        return any(
            _holds_objects(f[1] if isinstance(f, tuple) and len(f) >= 2 else f, depth + 1)
            for f in descr
        )
    if isinstance(descr, tuple):  # (base type, shape)
        return any(_holds_objects(part, depth + 1) for part in descr)
    if isinstance(descr, dict):
        return _holds_objects(list(descr.get("formats", [])), depth + 1) or "formats" not in descr
    return True


_LAMBDA = re.compile(rb'"class_name":"(?:Lambda|__lambda__)"')
_JSON_SPACE = re.compile(rb"[ \t\r\n]+")
_JSON_ESCAPE = re.compile(rb"\\u00([0-7][0-9a-fA-F])")


def _json_normal(data: bytes) -> bytes:
    """JSON text as Keras's ``json.loads`` reads it, for matching: ``\\u004c`` is ``L`` and
    whitespace between tokens means nothing, so neither can hide a Lambda layer."""
    return _JSON_SPACE.sub(b"", _JSON_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data))


def _scan_hdf5(scan: _Scan, src: _Source) -> None:
    """Count Keras Lambda layer declarations in fixed-size chunks (never the whole file).

    The model config is JSON an attacker wrote, so it is matched after undoing what JSON
    allows (escapes, any amount of whitespace). The normalised tail of each chunk is kept so
    a declaration split across chunks, or padded across them with whitespace, is still seen;
    the raw bytes of an escape cut by a chunk end wait for the next chunk.
    """
    tail = b""
    carry = b""
    count = 0
    while True:
        chunk = src.read(CHUNK)
        data = carry + chunk
        carry = b""
        if chunk:
            cut = data.rfind(b"\\", max(0, len(data) - 5))
            if cut != -1:
                data, carry = data[:cut], data[cut:]
        normal = tail + _json_normal(data)
        count += len(_LAMBDA.findall(normal)) - len(_LAMBDA.findall(tail))
        tail = normal[-64:]
        if not chunk:
            break
    for _ in range(count):
        scan.result.findings.append(
            Finding(
                "critical",
                "keras-lambda-layer",
                "Lambda layer 'lambda' runs Python bytecode on load",
            )
        )


@contextlib.contextmanager
def _seekable(src: _Source) -> Iterator[IO[bytes]]:
    """The stream as a seekable file (zip needs one): the real file when it is one, else a
    spooled copy (memory up to SPOOL_MEMORY, then disk)."""
    raw = src.raw
    if isinstance(raw, io.BufferedReader | io.FileIO) and src.pos == 0:
        raw.seek(0)
        yield raw
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as tmp:
        while chunk := src.read(CHUNK):
            tmp.write(chunk)
        tmp.seek(0)
        yield tmp


def _scan_zip(scan: _Scan, fh: IO[bytes], where: str, depth: int) -> str:
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ScanError(f"corrupt zip ({exc})") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ScanError(f"zip holds more than {MAX_ZIP_ENTRIES} entries")
        names = {i.filename for i in infos}
        if "config.json" in names and ("metadata.json" in names or "model.weights.h5" in names):
            _scan_keras_zip(scan, zf)
            return "keras"
        scanned = 0
        fmt = "zip"
        # PyTorch's layout: torch.load unpickles <name>/data.pkl and reads everything else as
        # raw tensor bytes, so only the pickles are scanned (raw floats can look like anything).
        torch_layout = any(n == "data.pkl" or n.endswith("/data.pkl") for n in names)
        for info in infos:
            label = f"{where}!{info.filename}" if where else info.filename
            if info.flag_bits & 0x1:
                raise ScanError(f"{label}: encrypted zip entry; cannot be scanned")
            try:
                with zf.open(info) as member:
                    src = _Source(member)
                    head = src.peek(16)
                    kind = _sniff(head)
                    lower = info.filename.lower()
                    wanted = lower.endswith((".pkl", ".pickle", ".npy")) or kind in {
                        "zip",
                        "gzip",
                        "bz2",
                        "xz",
                        "zlib",
                        "lz4",
                        "zstd",
                        "numpy",
                    }
                    if kind == "pickle" and len(head) >= 2 and head[0] == 0x80:
                        wanted = True
                    if torch_layout:
                        wanted = lower.endswith((".pkl", ".pickle"))
                    if not wanted:
                        continue  # raw tensor storage: loaders read it as bytes, never run it
                    inner = _scan_stream(scan, src, label, depth + 1, "")
                    scanned += 1
                    if lower.endswith("data.pkl"):
                        fmt = "pytorch"
                    elif inner == "numpy" and fmt == "zip":
                        fmt = "npz"
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error) as exc:
                raise ScanError(f"{label}: unreadable zip entry ({exc})") from None
            except EOFError:
                raise ScanError(f"{label}: truncated zip entry") from None
        if not scanned:
            raise ScanError(
                "zip holds no pickle, array or model entry this scanner knows; it cannot be "
                "called clean"
            )
        return fmt


def _keras_config_lambdas(config: Any) -> list[str]:
    """Every Lambda layer, however deeply its models nest (walked without recursion: a
    depth cut-off would let a Lambda hide in the 20th nested Sequential)."""
    found: list[str] = []
    stack: list[Any] = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            # A Lambda layer, or Keras 3's serialised lambda (``__lambda__``, used wherever a
            # function goes: an activation, a loss): both are marshalled bytecode run on load.
            if node.get("class_name") in {"Lambda", "__lambda__"}:
                cfg = node.get("config") if isinstance(node.get("config"), dict) else {}
                found.append(str((cfg or {}).get("name", "lambda")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _scan_keras_zip(scan: _Scan, zf: zipfile.ZipFile) -> None:
    info = zf.getinfo("config.json")
    if info.file_size > MAX_KERAS_CONFIG:
        raise ScanError("config.json is unreasonably large")
    try:
        with zf.open(info) as fh:
            raw = fh.read(MAX_KERAS_CONFIG + 1)
        if len(raw) > MAX_KERAS_CONFIG:
            raise ScanError("config.json is unreasonably large")
        config = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScanError("config.json is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise ScanError(f"config.json is not JSON ({type(exc).__name__})") from None
    for name in _keras_config_lambdas(config):
        scan.result.findings.append(
            Finding(
                "critical",
                "keras-lambda-layer",
                f"Lambda layer {name!r} runs Python bytecode on load",
            )
        )


def scan_file(path: Path) -> ScanResult:
    """Scan one file; never raises (an unreadable or unknown file is an ``error`` verdict)."""
    ext = path.suffix.lower()
    result = ScanResult(str(path), ext.lstrip(".") or "unknown")
    scan = _Scan(result)
    try:
        with path.open("rb") as fh:
            result.format = _scan_stream(scan, _Source(fh, limit=None), "", 0, ext)
    except ScanError as exc:
        result.error = str(exc)
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
    except Exception as exc:  # a scanner bug must not hide the file: say it, not "clean"
        result.error = f"could not be scanned ({type(exc).__name__}: {exc})"
    return result


def iter_model_files(path: Path) -> list[Path]:
    """The files of ``path`` to scan: by name, and by content whatever the name.

    A pickle saved as ``weights.txt`` or ``model`` loads all the same, so in a folder every
    file whose first bytes are a binary model format is scanned too (a pickle with a
    protocol 2+ header, HDF5, NumPy, GGUF, safetensors, a zip holding pickles, arrays or a
    Keras config, or a compressed wrapper around one of those). Text-looking files are left
    out unless their name says model: a protocol 0 pickle is text, and so is every README.
    """
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and (
                p.suffix.lower() in MODEL_EXTS
                or any(s.lower() in MODEL_EXTS for s in p.suffixes)
                or _looks_like_model(p)
            )
        )
    return [path]


_MODEL_KINDS = frozenset({"hdf5", "numpy", "gguf", "safetensors"})
_WRAPPERS = frozenset({"gzip", "bz2", "xz", "lzma", "lz4", "zstd"})


def _looks_like_model(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return _model_head(_Source(fh, limit=None), path, 0)
    except Exception:  # unreadable or odd: not a model by content (named ones are scanned)
        return False


def _model_head(src: _Source, path: Path, depth: int) -> bool:
    head = src.peek(16)
    kind = _sniff(head)
    if kind in _MODEL_KINDS or (kind == "pickle" and head[:1] == b"\x80"):
        return True
    if kind == "zip" and depth == 0:
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist()[:MAX_ZIP_ENTRIES]]
        return any(n.endswith((".pkl", ".pickle", ".npy", "config.json")) for n in names)
    if kind in _WRAPPERS and depth < 2:
        return _model_head(_Source(_decompressor(kind, src), CHUNK), path, depth + 1)
    return False
