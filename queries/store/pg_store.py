"""The store on PostgreSQL: the same answers as the file store (queries.store.uploads.Store),
shared by every machine that has the same DTI_DATABASE_URL, whatever its local folder.

What lives where:

    journal          one row per committed change (upload, undo, redo, review), numbered in
                     commit order: a writer takes an advisory lock for the few statements that
                     number and insert its row, so "the rows after seq N" never misses one
    uploads          one row per upload; a unique index on (kind, sha256) among the active
                     ones is what makes the same file sent to two machines at once one upload
    values_<kind>    the rows each upload brought (COPY in, COPY out)
    originals        each file as it was sent;  blobs: evidence by content
    shared_values    settings (copied into the local settings.json when they change)

The local folder (DTI_STORE) holds only what can be rebuilt: the DuckDB snapshot and a cache
of the values as Parquet, `pg/<database id>/<kind>/rows-<from>-<to>.parquet`, each file the
rows of the uploads numbered from+1..to. A process asks the database only for the journal
rows after the last one it read, and for the values of uploads it has not cached: one new
upload costs one small query, never the whole store.
"""
from __future__ import annotations

import io
import json
import os
import re
import threading
from datetime import date, datetime
from pathlib import Path

import polars as pl
import psycopg

from queries import clock
from queries.errors import UserFacingError
from queries.i18n import _
from queries.store import documents as documents_module
from queries.store.files import atomic_write, atomic_write_parquet, locked, make_directory
from queries.store.postgres import JOURNAL_LOCK, DatabaseUnavailable, connection, retrying
from queries.store.uploads import (
    ROW_SCHEMAS,
    Receipt,
    StoreReading,
    StoreState,
    _iso,
    content_hash,
)

SETTINGS_FILE = "settings.json"
EVIDENCE_DIR_ENV = "DTI_EVIDENCE_DIR"
CACHE_FOLDER = "pg"
# Past this many cached files of one kind, they are merged into one (locally; nothing shared).
MERGE_AFTER_FILES = 16
SMALL_FILE_BYTES = 4 << 20
_RANGE = re.compile(r"rows-(\d+)-(\d+)\.parquet")


class UploadConflict(UserFacingError):
    """A redo that would make the same file active twice."""


_UNKNOWN = object()


def _pg_columns(kind: str) -> list[str]:
    return list(ROW_SCHEMAS[kind])


class PgStore(StoreReading):
    def __init__(self, root, url: str):
        self.root = Path(root)
        self.url = url
        self.read_only = False
        self._state = StoreState()
        self._state_lock = threading.Lock()
        # Unknown until the first look: the local copy is then written whatever it held before
        # (a folder once used by the file store keeps no overrides of its own).
        self._settings_version: object = _UNKNOWN
        self._documents_seen = 0
        with connection(url) as conn:  # opens the pool: an unreachable server is said here, once
            self.identity = conn.execute("select value #>> '{}' from shared_values where name = 'database_id'"
                                         ).fetchone()[0]
        self.cache = self.root / CACHE_FOLDER / self.identity[:16]

    # ---- reading the journal -------------------------------------------------------------------
    def version(self) -> int:
        """The newest change's number (one small query); settings and documents changed elsewhere
        are copied into the local folder on the way, so the code reading them sees them."""
        with connection(self.url) as conn:
            seq, settings_version, documents = conn.execute(
                """select (select coalesce(max(seq), 0) from journal),
                          (select version from shared_values where name = 'settings'),
                          (select coalesce(max(changed), 0) from documents)""").fetchone()
            if settings_version != self._settings_version:
                row = conn.execute("select value from shared_values where name = 'settings'").fetchone()
                self._write_settings(row[0] if row else {})
                self._settings_version = settings_version
            if documents > self._documents_seen:
                # Frameworks and boundaries another machine loaded: into this folder before the
                # next page view reads them.
                self._documents_seen = documents_module.pull(conn, self.root, self._documents_seen)
        return int(seq)

    def _write_settings(self, values: dict) -> None:
        make_directory(self.root)
        body = (json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
        path = self.root / SETTINGS_FILE
        try:
            if path.read_bytes() == body:
                return  # unchanged: keep its mtime, which the Database reads as a version
        except FileNotFoundError:
            pass
        atomic_write(path, body)

    def _read_after(self, seq: int) -> list[dict]:
        with connection(self.url) as conn:
            rows = conn.execute("select entry from journal where seq > %s order by seq", (seq,)).fetchall()
        return [row[0] for row in rows]

    def state(self) -> StoreState:
        with self._state_lock:
            self._catch_up()
            return self._state

    def _catch_up(self) -> None:
        for entry in self._read_after(self._state.offset):
            self._state.apply(entry)
            self._state.offset = entry["seq"]

    def changes(self, offset: int) -> tuple[list[dict], int]:
        entries = self._read_after(offset)
        return entries, (entries[-1]["seq"] if entries else offset)

    def damaged_lines(self) -> list:
        return []  # rows are checked by the database as they are written

    # ---- values, cached locally ------------------------------------------------------------------
    def data_files(self, kind: str) -> list[Path]:
        """Local Parquet files holding the rows of every upload of `kind` committed so far
        (active or not: the tables filter by the uploads' state)."""
        upto = self.state().seq
        folder = make_directory(self.cache / kind)
        with locked(self.cache / f".{kind}.lock"):
            cover = self._cover(folder)
            covered = cover[-1][1] if cover else 0
            if covered < upto:
                frame = self._fetch(kind, "u.seq > %s and u.seq <= %s", (covered, upto))
                path = folder / f"rows-{covered}-{upto}.parquet"
                atomic_write_parquet(path, frame)
                cover.append((covered, upto, path))
            # Only the small files at the end are merged: the large ones (a new machine's first
            # fetch) are never read and written again for a one-row upload.
            small = 0
            while small < len(cover) and cover[-1 - small][2].stat().st_size < SMALL_FILE_BYTES:
                small += 1
            if small > MERGE_AFTER_FILES:
                cover = cover[:-small] + self._merge(folder, cover[-small:])
        return [path for _, _, path in cover]

    @staticmethod
    def _cover(folder: Path) -> list[tuple[int, int, Path]]:
        """The files that together hold uploads 1..n once each: from 0, the widest file that
        starts where the last one ended. Files left over by an interrupted merge are removed."""
        files = []
        for path in folder.glob("rows-*.parquet"):
            found = _RANGE.fullmatch(path.name)
            if found:
                files.append((int(found.group(1)), int(found.group(2)), path))
        files.sort(key=lambda f: (f[0], -f[1]))
        chosen, end = [], 0
        for start, stop, path in files:
            if start == end and stop > start:
                chosen.append((start, stop, path))
                end = stop
        for entry in files:
            if entry not in chosen:
                entry[2].unlink(missing_ok=True)
        return chosen

    def _merge(self, folder: Path, cover: list[tuple[int, int, Path]]) -> list[tuple[int, int, Path]]:
        merged = pl.concat([pl.read_parquet(path) for _, _, path in cover], how="diagonal_relaxed")
        start, stop = cover[0][0], cover[-1][1]
        path = folder / f"rows-{start}-{stop}.parquet"
        atomic_write_parquet(path, merged)
        for _, _, old in cover:
            if old != path:
                old.unlink(missing_ok=True)
        return [(start, stop, path)]

    def _fetch(self, kind: str, where: str, params: tuple) -> pl.DataFrame:
        """Rows of `kind` from uploads matching `where` (on `u`, the uploads table), as the
        file store keeps them: its columns and types, upload_id last."""
        columns = _pg_columns(kind)
        schema = {**ROW_SCHEMAS[kind], "upload_id": pl.Utf8}
        select = ", ".join(f"v.{c}" for c in [*columns, "upload_id"])
        statement = (f"copy (select {select} from values_{kind} v join uploads u using (upload_id) "
                     f"where {where} order by u.seq, v.row_number) to stdout with (format csv, header true)")
        buffer = io.BytesIO()
        with connection(self.url) as conn, conn.cursor() as cursor, cursor.copy(statement, params) as copy:
            for chunk in copy:
                buffer.write(chunk)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        text_schema = {name: (pl.Utf8 if dtype in (pl.Date, pl.Boolean) else dtype) for name, dtype in schema.items()}
        frame = pl.read_csv(buffer, schema=text_schema)
        return frame.with_columns(
            [pl.col(name).str.to_date("%Y-%m-%d") for name, dtype in schema.items() if dtype == pl.Date]
            + [(pl.col(name) == "t") for name, dtype in schema.items() if dtype == pl.Boolean])

    def upload_rows(self, upload_id: str) -> pl.DataFrame:
        upload = self.upload(upload_id)
        return self._fetch(upload["kind"], "u.upload_id = %s", (upload_id,))

    def original(self, upload_id: str) -> bytes | None:
        with connection(self.url) as conn:
            row = conn.execute("select content from originals where upload_id = %s", (upload_id,)).fetchone()
        return bytes(row[0]) if row else None

    # ---- writing ---------------------------------------------------------------------------------
    @staticmethod
    def _next_seq(conn) -> int:
        """Above every committed change (caller holds JOURNAL_LOCK in this transaction)."""
        return conn.execute("select coalesce(max(seq), 0) + 1 from journal").fetchone()[0]

    def _commit_entry(self, conn, entry: dict, seq: int | None = None) -> dict:
        """Number and insert one journal row (caller holds JOURNAL_LOCK in this transaction)."""
        seq = seq or self._next_seq(conn)
        entry = {"seq": seq, "at": _iso(clock.now()), **entry}
        conn.execute("insert into journal (seq, at, action, upload_id, entry) values (%s, %s, %s, %s, %s)",
                     (seq, entry["at"], entry["action"], entry.get("upload_id"), _json(entry)))
        conn.execute("select pg_notify('dti_journal', %s)", (str(seq),))
        return entry

    def add_upload(self, kind: str, rows: pl.DataFrame, *, file_name: str, content: bytes, user: str = "",
                   rows_total: int | None = None, rows_rejected: int = 0, moment: datetime | None = None,
                   original: bytes | None = None, received_at: datetime | None = None,
                   evidence: list[dict] | tuple = (), reason: str | None = None) -> Receipt:
        """Store accepted rows of one file, all in one transaction. The same file again (same kind
        and bytes, still active) returns the earlier upload's id, whichever machine stored it."""
        if kind not in ROW_SCHEMAS:
            raise ValueError(f"unknown kind {kind!r}")
        sha = content_hash(content)
        try:  # a shortcut only: the commit below decides duplicates, and waits out a restart
            existing = self.state().active_duplicate(kind, sha)
        except DatabaseUnavailable:
            existing = None
        if existing is not None:
            return Receipt(existing, duplicate=True)
        moment = moment or clock.now()
        upload_id = f"{moment.strftime('%Y%m%dT%H%M%S%f')}Z{sha[:8]}"
        entry = {"action": "upload", "upload_id": upload_id, "kind": kind, "user": user,
                 "uploaded_at": _iso(moment), "received_at": _iso(received_at) if received_at else None,
                 "file": None, "file_name": file_name, "sha256": sha,
                 "rows_total": rows_total if rows_total is not None else rows.height + rows_rejected,
                 "rows_accepted": rows.height, "rows_rejected": rows_rejected,
                 "original_file": None, "evidence": list(evidence), "reason": reason}
        if "period" in rows.columns and rows.height:
            entry["periods"] = sorted({p.strftime("%Y-%m") for p in rows["period"].drop_nulls().to_list()})
        columns = _pg_columns(kind)
        body = rows.select([pl.col(c) if c in rows.columns else pl.lit(None, ROW_SCHEMAS[kind][c]).alias(c)
                            for c in columns]).with_columns(pl.lit(upload_id).alias("upload_id"))
        csv_bytes = body.write_csv(include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S").encode("utf-8")

        def work(conn) -> Receipt:
            # Run again after a lost connection: if our commit landed, it is ours, not a duplicate.
            if conn.execute("select 1 from uploads where upload_id = %s", (upload_id,)).fetchone():
                return Receipt(upload_id, duplicate=False)
            answer = Receipt(upload_id, duplicate=False)
            with conn.transaction():
                # The rows first, outside the lock (a big file does not hold up the others);
                # their reference to the upload is checked at commit.
                if rows.height:
                    with conn.cursor() as cursor, cursor.copy(
                            f"copy values_{kind} ({', '.join([*columns, 'upload_id'])}) from stdin "
                            "with (format csv)") as copy:
                        copy.write(csv_bytes)
                if original is not None:
                    conn.execute("insert into originals (upload_id, file_name, content) values (%s, %s, %s)",
                                 (upload_id, file_name, original))
                conn.execute("select pg_advisory_xact_lock(%s)", (JOURNAL_LOCK,))
                seq = self._next_seq(conn)
                claimed = conn.execute(
                    """insert into uploads (upload_id, seq, kind, sha256, active) values (%s, %s, %s, %s, true)
                       on conflict (kind, sha256) where active do nothing returning upload_id""",
                    (upload_id, seq, kind, sha)).fetchone()
                if claimed is None:
                    # Another machine stored the same file a moment earlier: theirs stands, and
                    # our rows go with this transaction.
                    winner = conn.execute("select upload_id from uploads where kind = %s and sha256 = %s and active",
                                          (kind, sha)).fetchone()[0]
                    answer = Receipt(winner, duplicate=True)
                    raise psycopg.Rollback()
                self._commit_entry(conn, entry, seq)
            return answer

        return retrying(self.url, work)

    def _set_state(self, upload_id: str, action: str, user: str, reason: str | None) -> bool:
        active = action == "redo"

        def work(conn) -> bool:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s)", (JOURNAL_LOCK,))
                row = conn.execute("select active, kind, sha256 from uploads where upload_id = %s",
                                   (upload_id,)).fetchone()
                if row is None:
                    raise KeyError(upload_id)
                if row[0] == active:
                    return False  # already so (perhaps our own commit, before a lost connection)
                if active:
                    other = conn.execute("select upload_id from uploads where kind = %s and sha256 = %s and active",
                                         (row[1], row[2])).fetchone()
                    if other:
                        raise UploadConflict(
                            _("Không khôi phục được: cùng tệp này đang được dùng trong lần tải lên {upload}. "
                              "Hãy hoàn tác lần đó trước.").format(upload=other[0]))
                conn.execute("update uploads set active = %s where upload_id = %s", (active, upload_id))
                self._commit_entry(conn, {"action": action, "upload_id": upload_id, "user": user, "reason": reason})
            return True

        return retrying(self.url, work)

    def undo(self, upload_id: str, user: str = "", reason: str | None = None) -> bool:
        return self._set_state(upload_id, "undo", user, reason)

    def redo(self, upload_id: str, user: str = "", reason: str | None = None) -> bool:
        return self._set_state(upload_id, "redo", user, reason)

    def add_review(self, commune_id: str, period: date, status: str, *, user: str,
                   comment: str | None = None) -> dict:
        entry = {"action": "review", "commune_id": commune_id, "period": period.strftime("%Y-%m"),
                 "status": status, "comment": comment, "user": user}

        def work(conn) -> dict:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s)", (JOURNAL_LOCK,))
                return self._commit_entry(conn, entry)

        committed = retrying(self.url, work)
        self.state()
        return committed

    # ---- evidence ----------------------------------------------------------------------------------
    # In the database by default; DTI_EVIDENCE_DIR names a folder every machine mounts instead
    # (a deployment's choice, not a page's: a setting on the web must not pick where the server
    # writes). Either way the journal holds each file's name, type, size and SHA-256.
    @staticmethod
    def _evidence_path(sha: str) -> Path | None:
        folder = os.environ.get(EVIDENCE_DIR_ENV)
        return Path(folder) / sha[:2] / sha if folder else None

    def put_blob(self, content: bytes) -> str:
        sha = content_hash(content)
        path = self._evidence_path(sha)
        if path is not None:
            if not path.exists():
                make_directory(path.parent)
                atomic_write(path, content)
            return sha

        def work(conn) -> None:
            conn.execute("insert into blobs (sha256, size, content) values (%s, %s, %s) on conflict do nothing",
                         (sha, len(content), content))

        retrying(self.url, work)
        return sha

    def has_blob(self, sha: str) -> bool:
        path = self._evidence_path(sha)
        if path is not None:
            return path.is_file()
        with connection(self.url) as conn:
            return conn.execute("select 1 from blobs where sha256 = %s", (sha,)).fetchone() is not None

    def read_blob(self, sha: str) -> bytes | None:
        path = self._evidence_path(sha)
        if path is not None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None
        with connection(self.url) as conn:
            row = conn.execute("select content from blobs where sha256 = %s", (sha,)).fetchone()
        return bytes(row[0]) if row else None

    # ---- housekeeping (local only: the database needs none of the file store's) ---------------------
    def compact(self, kind: str) -> int:
        folder = make_directory(self.cache / kind)
        with locked(self.cache / f".{kind}.lock"):
            cover = self._cover(folder)
            if len(cover) < 2:
                return 0
            self._merge(folder, cover)
        return len(cover)

    def cleanup(self, now: float | None = None, *, no_grace: bool = False) -> list[Path]:
        return []


def _json(entry: dict):
    from psycopg.types.json import Jsonb

    return Jsonb(entry)
