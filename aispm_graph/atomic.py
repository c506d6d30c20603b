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
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class OutputError(OSError):
    """An output path that cannot be written; the message names it and says why."""


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through in pieces, replacing it atomically once the block
    ends (as :func:`atomic_write_bytes`, for content too large to hold in memory at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
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
    redirect would; a directory is refused. A new or replaced regular file gets the mode the
    user's umask gives (or keeps the mode it had), not the 0600 of a temporary file.
    """
    try:
        target = Path(os.path.realpath(path))
        try:
            st = target.stat()
        except FileNotFoundError:
            st = None
        if st is None:
            atomic_write_bytes(target, data, mode=_umask_mode())
        elif stat.S_ISREG(st.st_mode):
            atomic_write_bytes(target, data, mode=stat.S_IMODE(st.st_mode))
        elif stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path}: is a directory; give a file name")
        else:
            with target.open("wb") as fh:  # device, FIFO: write through, never replace
                fh.write(data)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def write_output_text(path: Path, text: str) -> None:
    write_output_bytes(path, text.encode("utf-8"))
