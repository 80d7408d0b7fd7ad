"""Writing files so that a crash leaves either the old state or the new one, never half.

Every file is written under a `.tmp` name that no reader looks at, flushed to disk, then
renamed into place (`os.replace` is atomic on POSIX file systems), and the directory is flushed
too, so the rename itself survives a power cut: a journal line naming the file is appended only
after these return, and must never point at a file the disk lost. `locked()` is an advisory
lock (fcntl.flock) shared by every process using the store, on this machine or, on a shared
volume that supports POSIX locks (local disk, NFSv4), on others.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from pathlib import Path

import polars as pl

TMP_SUFFIX = ".tmp"


def temporary_name(path: Path) -> Path:
    # A random part, so two writers of the same final name never share a temporary file.
    return path.with_name(f"{path.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(path: Path) -> None:
    """Make the names in a directory (a rename, a new file or folder) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_directory(path: Path) -> Path:
    """mkdir -p, with each new folder's name flushed in its parent."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:  # another writer made it a moment ago
            pass
        fsync_directory(folder.parent)
    return path


def atomic_write(path: Path, data: bytes, *, private: bool = False, mtime: float | None = None) -> None:
    """Write `path` whole or not at all, flushed to disk with its folder. `private`: readable by
    the owner only (secrets, sessions); `mtime`: the modification time to give it (a session's
    last use, read back without opening the file)."""
    tmp = temporary_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def atomic_write_parquet(path: Path, frame: pl.DataFrame) -> None:
    tmp = temporary_name(path)
    try:
        frame.write_parquet(tmp, compression="zstd")
        fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


@contextlib.contextmanager
def locked(path: Path, *, shared: bool = False):
    """Hold an advisory lock on `path` (created if missing) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def older_than(path: Path, seconds: float, now: float | None = None) -> bool:
    try:
        return (now or time.time()) - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False
