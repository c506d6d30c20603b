"""joblib's inline NumPy arrays, as the pickle walker sees them (nothing is loaded).

``joblib.dump`` pickles each array as a ``joblib.numpy_pickle.NumpyArrayWrapper`` and writes
the array's raw bytes straight after the wrapper's BUILD, outside any opcode: joblib's
unpickler reads them when that BUILD completes. So a walker that does not know this reads
float bytes as opcodes and calls every ordinary sklearn model an ``error``. This module keeps
just enough of the pickle machine's values (globals, small tuples and dicts, the objects they
make) to answer, at a BUILD, *is this a wrapper and how many bytes follow it*:

* the wrapper's attributes come from ``__init__`` arguments (when its class is called) and
  from the BUILD state; joblib reads a padding byte and that many padding bytes first when
  ``numpy_array_alignment_bytes`` is present and not None (joblib >= 1.2);
* the byte count is the product of the shape times the dtype's item size; an object dtype is
  instead a whole nested pickle (walked like any other);
* anything that does not decide this exactly (a shape that is no tuple of small integers, a
  dtype whose declared flags and fields disagree, an object that might be a wrapper made by a
  factory) is a :class:`ScanError`: fail closed, never a guess that could let the walker skip
  over code.

The values are symbolic: ``UNKNOWN`` stands for anything the walker does not track, and is
treated as possibly a wrapper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

WRAPPER_NAME = "NumpyArrayWrapper"
# The largest shape tuple and state dict tracked value by value (larger ones are UNKNOWN).
MAX_TRACKED = 32
# Tuple elements and dict items kept, per pickle walk (about 60 bytes each).
TRACK_BUDGET = 250_000
INT64_MAX = 2**63 - 1


class Unknown:
    """A value the walker does not track."""


UNKNOWN = Unknown()
# Plain data that is never a wrapper (bytes, floats, a loaded array).
DATA = object()


@dataclass(eq=False, slots=True)
class Glob:
    module: str
    name: str

    @property
    def is_wrapper_class(self) -> bool:
        return self.name.rsplit(".", 1)[-1] == WRAPPER_NAME


@dataclass(eq=False, slots=True)
class Inst:
    """An object the pickle machine made: ``kind`` is ``wrapper``, ``dtype``, ``plain``
    (provably not a wrapper) or ``maybe`` (made by a call we cannot see into)."""

    kind: str
    attrs: dict[str, Any] = field(default_factory=dict)
    args: tuple[Any, ...] = ()
    state: Any = None
    built: bool = False


@dataclass(eq=False, slots=True)
class Dict:
    """A dict on the pickle stack: items while small and keyed by text; ``tainted`` when it
    holds (or may hold) a wrapper or its class."""

    items: dict[str, Any] = field(default_factory=dict)
    exact: bool = True
    tainted: bool = False


@dataclass(eq=False, slots=True)
class Seq:
    """A list or set: contents untracked, only whether a wrapper might be among them."""

    tainted: bool = False


def may_wrap(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is, holds, or might be a wrapper instance or the wrapper class."""
    if depth > 8 or value is UNKNOWN:
        return True
    if isinstance(value, Glob):
        return value.is_wrapper_class
    if isinstance(value, Inst):
        return value.kind in {"wrapper", "maybe"}
    if isinstance(value, Dict | Seq):
        return value.tainted
    if isinstance(value, tuple):
        return any(may_wrap(v, depth + 1) for v in value)
    return False


def call_result(func: Any, args: Any) -> Any:
    """What REDUCE (``func(*args)``) leaves on the stack, as far as wrappers go."""
    if isinstance(func, Glob):
        if func.is_wrapper_class:
            return Inst("wrapper", attrs=_init_attrs(args))
        if func.module == "numpy" and func.name == "dtype" and isinstance(args, tuple):
            return Inst("dtype", args=args)
        if (
            func.name == "_reconstructor"
            and func.module in {"copyreg", "copy_reg"}
            and isinstance(args, tuple)
            and args
            and isinstance(args[0], Glob)
        ):
            return new_instance(args[0])  # object.__new__(cls): no __init__
    if isinstance(func, Glob) and not may_wrap(args):
        return Inst("plain")
    return Inst("maybe")


def new_instance(cls: Any) -> Inst:
    """``cls.__new__(cls)`` (NEWOBJ, ``_reconstructor``): no ``__init__``, no attributes."""
    if isinstance(cls, Glob):
        return Inst("wrapper") if cls.is_wrapper_class else Inst("plain")
    return Inst("maybe")


_INIT_PARAMS = ("subclass", "shape", "order", "dtype", "allow_mmap", "numpy_array_alignment_bytes")


def _init_attrs(args: Any) -> dict[str, Any]:
    """``NumpyArrayWrapper(*args)``: the attributes its ``__init__`` sets."""
    if not isinstance(args, tuple) or not 4 <= len(args) <= 6:
        return {"__undecidable__": "its constructor arguments are not the four to six joblib uses"}
    attrs: dict[str, Any] = {"allow_mmap": False, "numpy_array_alignment_bytes": 16}
    attrs.update(zip(_INIT_PARAMS, args, strict=False))
    return attrs


def apply_build(obj: Inst, state: Any) -> None:
    """BUILD on an object we track: dtypes keep their state, wrappers their attributes."""
    if obj.kind == "dtype":
        obj.state = state
        obj.built = True
    elif obj.kind == "wrapper":
        parts = state if isinstance(state, tuple) and len(state) == 2 else (state,)
        for part in parts:
            if part is None and len(parts) == 2:
                continue
            if not isinstance(part, Dict) or not part.exact:
                obj.attrs["__undecidable__"] = "its state is not a dict we can read"
                return
            obj.attrs.update(part.items)


@dataclass(frozen=True)
class ArrayLayout:
    """What follows a wrapper's BUILD: a nested pickle, or padding and raw bytes."""

    nested_pickle: bool
    aligned: bool
    nbytes: int


class Undecidable(Exception):
    """The wrapper's state does not say exactly what follows it."""


def layout(wrapper: Inst) -> ArrayLayout:
    attrs = wrapper.attrs
    if "__undecidable__" in attrs:
        raise Undecidable(str(attrs["__undecidable__"]))
    shape = attrs.get("shape", UNKNOWN)
    if not isinstance(shape, tuple) or not all(
        type(n) is int and 0 <= n <= INT64_MAX for n in shape
    ):
        raise Undecidable("its shape is not a tuple of non-negative integers")
    count = 1
    for n in shape:
        count *= n
    if count > INT64_MAX:
        raise Undecidable("its shape holds more elements than joblib can count")
    itemsize, has_objects = dtype_facts(attrs.get("dtype", UNKNOWN))
    if has_objects:
        return ArrayLayout(nested_pickle=True, aligned=False, nbytes=0)
    if "numpy_array_alignment_bytes" not in attrs:
        aligned = False  # joblib <= 1.1 wrote no alignment: the bytes follow at once
    else:
        alignment = attrs["numpy_array_alignment_bytes"]
        if alignment is UNKNOWN or isinstance(alignment, Inst | Dict | Seq | Glob):
            raise Undecidable("its alignment is not a plain value")
        aligned = alignment is not None
    return ArrayLayout(nested_pickle=False, aligned=aligned, nbytes=count * itemsize)


_TYPESTR = re.compile(r"([biufcOMmSUV])(\d+)")
_FIXED_KINDS = frozenset("biufcOMm")


def dtype_facts(dtype: Any, depth: int = 0) -> tuple[int, bool]:
    """(item size, holds Python objects) of a pickled ``numpy.dtype``, or Undecidable.

    Only the form numpy writes is accepted: ``dtype(typestr, align, copy)`` then a BUILD with
    its 8- or 9-item state. The object flag the state declares must agree with the fields it
    lists (a dtype that declares no objects but has an object field is refused), so joblib's
    ``dtype.hasobject`` and ours cannot differ.
    """
    if depth > 8:
        raise Undecidable("its dtype nests too deeply")
    if not isinstance(dtype, Inst) or dtype.kind != "dtype" or not dtype.built:
        raise Undecidable("its dtype is not a NumPy dtype as numpy pickles one")
    args, state = dtype.args, dtype.state
    if not args or not isinstance(args[0], str):
        raise Undecidable("its dtype has no type string")
    match = _TYPESTR.fullmatch(args[0])
    if match is None:
        raise Undecidable(f"its dtype type string {args[0]!r} is not one numpy writes")
    kind, digits = match.group(1), int(match.group(2))
    if not isinstance(state, tuple) or len(state) not in {8, 9}:
        raise Undecidable("its dtype state is not numpy's")
    subarray, names, fields, elsize, flags = state[2], state[3], state[4], state[5], state[7]
    if type(elsize) is not int or type(flags) is not int:
        raise Undecidable("its dtype state has no integer size and flags")
    objects = kind == "O"
    if kind in _FIXED_KINDS:
        if elsize not in (-1, digits) or digits <= 0:
            raise Undecidable("its dtype size disagrees with its type string")
        itemsize = digits
    else:
        expected = digits * 4 if kind == "U" else digits
        if elsize != expected:
            raise Undecidable("its dtype size disagrees with its type string")
        itemsize = elsize
    if subarray is not None:
        if not isinstance(subarray, tuple) or len(subarray) != 2:
            raise Undecidable("its dtype sub-array is not (dtype, shape)")
        objects |= dtype_facts(subarray[0], depth + 1)[1]
    if fields is not None or names is not None:
        if not isinstance(fields, Dict) or not fields.exact or not isinstance(names, tuple):
            raise Undecidable("its dtype fields cannot be read")
        for value in fields.items.values():
            if not isinstance(value, tuple) or len(value) not in {2, 3}:
                raise Undecidable("its dtype field is not (dtype, offset)")
            objects |= dtype_facts(value[0], depth + 1)[1]
    if objects != bool(flags & 0x01):
        raise Undecidable("its dtype declares object flags that its fields contradict")
    return itemsize, objects
