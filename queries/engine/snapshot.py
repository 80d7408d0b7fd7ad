"""Built tables kept on disk beside the store, so a new process answers at once.

Building the tables of a national store from its files takes seconds; opening a copy of a
DuckDB file holding them takes milliseconds. A snapshot is one DuckDB file in
`<store>/cache/`, named by a fingerprint of everything that decides its layout (the SQL of
the method, the shipped data, which stores are read). It records the journal offsets it was
built up to; a process that opens it applies only the changes committed since. It is never
edited in place: it is written under a temporary name and renamed, and each process works
on a private copy, so replicas sharing the store never block each other.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import duckdb

from queries.engine import scratch
from queries.engine.build import layout_files
from queries.store.files import temporary_name

# Change when the tables' layout changes in a way the SQL files do not show.
LAYOUT_VERSION = "3"
PRIVATE_PREFIX = "dti-tables-"  # a process's writable copy, in the temporary folder


def fingerprint(data_dir: Path, sources: list[tuple[str, Path]]) -> str:
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    digest.update(Path(__file__).with_name("build.py").read_bytes())
    for path in layout_files():
        digest.update(path.name.encode() + path.read_bytes())
    for path in sorted(data_dir.glob("*.csv")):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for name, _root in sources:
        # Which stores are read, not where: a copied store keeps using its snapshot.
        digest.update(name.encode())
    return digest.hexdigest()[:20]


def snapshot_path(store_root: Path, key: str) -> Path:
    return store_root / "cache" / f"tables-{key}.duckdb"


def write_meta(con: duckdb.DuckDBPyConnection, offsets: dict[str, int], settings: dict) -> None:
    con.execute("create or replace table engine_meta (name VARCHAR, value VARCHAR)")
    con.executemany("insert into engine_meta values (?, ?)", [
        ("offsets", json.dumps(offsets)),
        ("settings", json.dumps(settings, sort_keys=True, ensure_ascii=False)),
    ])


def read_meta(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict]:
    meta = dict(con.execute("select name, value from engine_meta").fetchall())
    return json.loads(meta["offsets"]), json.loads(meta["settings"])


def save(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Copy every table of the connection's database into a new snapshot file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    alias = "snapshot_out"
    cursor = con.cursor()
    try:
        source = cursor.execute("select current_database()").fetchone()[0]
        # a path we made, not user input; writable even when `con` was opened read-only
        cursor.execute(f"attach '{tmp}' as {alias} (read_only false)")
        quoted = '"' + source.replace('"', '""') + '"'  # a snapshot's name holds a hyphen
        cursor.execute(f"copy from database {quoted} to {alias}")
        cursor.execute(f"detach {alias}")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        cursor.close()


# A snapshot of another layout (older code, other shipped data) is removed once it has not
# been written for this long. A replica of that version still running with changes saves its
# own every few minutes, so a rolling upgrade never loses one it uses; a national one is 200 MB+.
STALE_AFTER_SECONDS = 24 * 3600


def remove_stale(current: Path, now: float | None = None) -> list[Path]:
    """Delete the other snapshots beside `current` not written for STALE_AFTER_SECONDS; returns
    them. A process still reading one as it is keeps reading its open file, and copies from
    that when it must write (private_copy_of)."""
    limit = (time.time() if now is None else now) - STALE_AFTER_SECONDS
    removed = []
    for other in current.parent.glob("tables-*.duckdb"):
        if other.name == current.name:
            continue
        try:
            if other.stat().st_mtime < limit:
                other.unlink()
                removed.append(other)
        except FileNotFoundError:  # another replica removed it first
            continue
    return removed


def private_copy_of(con: duckdb.DuckDBPyConnection) -> tuple[duckdb.DuckDBPyConnection, Path] | None:
    """A private, writable copy of the database `con` has open, or None: for a snapshot opened
    read-only whose file was removed since (the open file still reads)."""
    folder = scratch.make(PRIVATE_PREFIX)
    private = folder / "tables.duckdb"
    try:
        save(con, private)
        return duckdb.connect(str(private)), folder
    except (OSError, duckdb.Error):
        scratch.remove(folder)
        return None


def open_private_copy(path: Path) -> tuple[duckdb.DuckDBPyConnection, Path] | None:
    """A private, writable copy of a snapshot, or None when there is none."""
    if not path.exists():
        return None
    folder = scratch.make(PRIVATE_PREFIX)
    private = folder / "tables.duckdb"
    try:
        shutil.copyfile(path, private)
        return duckdb.connect(str(private)), folder
    except (OSError, duckdb.Error):
        scratch.remove(folder)
        return None
