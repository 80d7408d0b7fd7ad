"""Folders a process writes for itself in the system's temporary folder (DuckDB's spill files, a
private copy of the snapshot), and the removal of those a dead process left behind.

A process removes its folders when it exits, but a replica stopped outright (SIGKILL, the kernel's
out-of-memory killer, a container's stop timeout) never runs its exit handlers, and its spill
folder stays: 1.2 GB at national scale, one more every time it happens, until the disk is full.
So each folder holds a lock (`flock`) for as long as its process lives. The kernel drops the lock
when the process ends, however it ended, so a folder whose lock can be taken belongs to nobody and
is removed the next time any process makes a folder of the same kind.
"""
from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

LOCK = ".owner"
# A folder without a lock file was made by an older version (or is being made this instant): it
# goes only once nothing in it has been written for this long.
UNLOCKED_STALE_SECONDS = 24 * 3600

_held: dict[Path, int] = {}  # folder -> the open lock file, kept for the life of the process


def make(prefix: str) -> Path:
    """A new folder of this process in the temporary folder, after removing abandoned ones."""
    remove_abandoned(prefix)
    # Made under a name the sweep does not match and locked before it takes its own name: another
    # process never sees it without its lock taken.
    staging = Path(tempfile.mkdtemp(prefix=f".{prefix}"))
    descriptor = os.open(staging / LOCK, os.O_CREAT | os.O_RDWR, 0o600)  # not inherited by children
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    folder = staging.with_name(staging.name[1:])
    staging.rename(folder)  # the open lock file, and its lock, move with it
    _held[folder] = descriptor
    atexit.register(remove, folder)
    return folder


def remove(folder: Path) -> None:
    """Remove a folder this process made (its files first, then its lock)."""
    shutil.rmtree(folder, ignore_errors=True)
    descriptor = _held.pop(folder, None)
    if descriptor is not None:
        os.close(descriptor)


def remove_abandoned(prefix: str) -> list[Path]:
    """Remove the folders named `prefix…` whose process has ended; the removed folders."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        if folder in _held or not folder.is_dir():
            continue
        if _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        descriptor = os.open(folder / LOCK, os.O_RDWR)
    except FileNotFoundError:
        return _untouched_for(folder, UNLOCKED_STALE_SECONDS)
    except OSError:
        return False  # another user's folder
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its process is alive
    finally:
        os.close(descriptor)  # releases the lock if it was taken
    return True


def _untouched_for(folder: Path, seconds: float) -> bool:
    limit = time.time() - seconds
    try:
        paths = [folder, *folder.iterdir()]
        return all(path.stat().st_mtime < limit for path in paths)
    except OSError:
        return False
