"""Atomic file writes: a crash or a full disk never leaves a half-written workspace file.

Workspace files are always regular files we own, so they are replaced with a rename. Output
files named by the user (``-o``, ``export FILE``) may be anything: a symlink into another
folder, ``/dev/stdout``, a FIFO a pipeline reads. Replacing those with a regular file would
break the link, or (as root) replace a device node, so :func:`write_output_bytes` replaces
only regular files atomically and writes through to everything else.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class OutputError(OSError):
    """An output path that cannot be written; the message names it and says why."""


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    with atomic_writer(path, mode=mode) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """A file to write ``path`` through in pieces (content too large to hold in memory at
    once): a temporary file beside it, renamed over it once the block ends and removed if the
    block raises, so a crash leaves the old file whole. ``mode`` is set before the rename, so
    a secret is never readable by others even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_output_bytes(path: Path, data: bytes) -> None:
    """Write a user-named output: regular files atomically, special files written through.

    A symlink is followed (the link stays, its target is replaced atomically when that is a
    regular file); a character device, FIFO or socket is opened and written like a shell
    redirect would; a directory is refused. ``/dev/stdout`` and the other ``/dev/fd`` links
    name this process's open descriptors and are written to directly (a pipe has no path to
    replace, and replacing or reopening the file behind ``>> log`` would drop what it held).
    A new or replaced regular file gets the mode the user's umask gives (or keeps the mode it had),
    not the 0600 of a temporary file. Folders are created only for a plain path, never at
    the far end of a dangling symlink.
    """
    try:
        try:
            st: os.stat_result | None = Path(path).stat()  # follows links
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path}: is a directory; give a file name")
        fd = _descriptor(path)
        if fd is not None:
            _write_descriptor(fd, data)
            return
        if st is not None and not stat.S_ISREG(st.st_mode):
            with Path(path).open("wb") as fh:  # device, FIFO: write through, never replace
                fh.write(data)
            return
        target = Path(os.path.realpath(path))
        if st is not None:
            atomic_write_bytes(target, data, mode=stat.S_IMODE(st.st_mode))
        elif Path(path).is_symlink() and not target.parent.is_dir():
            raise OutputError(
                f"{path}: a symlink to {target}, whose folder does not exist; not creating it"
            )
        else:
            atomic_write_bytes(target, data, mode=_umask_mode())
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


_STD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _descriptor(path: Path) -> int | None:
    """The descriptor ``/dev/stdout``, ``/dev/fd/N`` or ``/proc/self/fd/N`` names, if any.

    Written to as it is, like a shell does: opening the link instead would truncate the file
    behind ``>> log`` and fail for a pipe (``pipe:[...]`` is no path).
    """
    text = str(Path(path).absolute())
    if text in _STD:
        return _STD[text]
    for prefix in ("/dev/fd/", "/proc/self/fd/", f"/proc/{os.getpid()}/fd/"):
        if text.startswith(prefix) and text[len(prefix) :].isdigit():
            return int(text[len(prefix) :])
    return None


def _write_descriptor(fd: int, data: bytes) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    with os.fdopen(os.dup(fd), "wb") as fh:
        fh.write(data)


def write_output_text(path: Path, text: str) -> None:
    write_output_bytes(path, text.encode("utf-8"))
