"""The append-only store for everything users add: uploads of actuals, targets, communes…,
their undo and redo, reviews of a commune's month, and the files sent as evidence.

Layout under the store root (DTI_STORE):

    journal.jsonl                          one line per committed change (queries.store.journal)
    uploads/<kind>/<upload_id>.parquet     rows of one upload, every row tagged with upload_id
    uploads/<kind>/compacted-<id>-<r>.parquet  many uploads merged; rows keep their upload_id
    originals/<upload_id><.ext>            the file exactly as it was sent, for audit
    blobs/<sha256[:2]>/<sha256>            evidence files, named by their content, immutable

An upload writes its rows (and the original file) first, then appends its journal line: the
line is the commit point, so a crash in between leaves files nobody reads, which `cleanup()`
removes later. The duplicate check ("the same file again is a no-op") and the append happen
under the journal's lock, so the same file sent by twenty processes at once is stored once and
every caller gets the same upload id back. Undo and redo are journal lines too: nothing is
deleted, and the order of changes is the order of the lines.

Compaction merges small upload files into one, then commits a line naming the files it
replaces; from that line on readers ignore the replaced files, so a crash at any moment never
shows a row twice. The replaced files are deleted later, after a grace period during which a
reader that listed them before the compaction can still read them.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from queries import clock
from queries.store.files import TMP_SUFFIX, atomic_write, atomic_write_parquet, locked, make_directory, older_than
from queries.store.journal import DamagedLine, Journal

# Columns of the rows stored for each kind (upload_id is added by the store). `row_number`
# is the row as the spreadsheet shows it, so every stored value points back to its cell.
ROW_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "actuals": {
        "row_number": pl.Int32, "commune_id": pl.Utf8, "indicator": pl.Utf8,
        "period": pl.Date, "value": pl.Float64, "numerator": pl.Float64,
        "denominator": pl.Float64, "note": pl.Utf8,
    },
    "targets": {
        "row_number": pl.Int32, "commune_id": pl.Utf8, "indicator": pl.Utf8, "year": pl.Int32,
        "comparator": pl.Utf8, "target": pl.Float64, "target_text": pl.Utf8,
        "lead_unit": pl.Utf8, "partner_units": pl.Utf8, "source_doc": pl.Utf8,
        "source_item": pl.Utf8, "note": pl.Utf8,
    },
    "communes": {
        "row_number": pl.Int32, "commune_id": pl.Utf8, "commune_code": pl.Utf8,
        "commune_name": pl.Utf8, "province": pl.Utf8, "adult_population": pl.Float64,
        "population_15plus": pl.Float64, "working_age_population": pl.Float64,
        "is_demo": pl.Boolean,
    },
    # A task's status as a commune reports it (queries/plans/tasks.py has the rules).
    "tasks": {
        "row_number": pl.Int32, "commune_id": pl.Utf8, "plan_year": pl.Int32, "item": pl.Utf8,
        "status": pl.Utf8, "completed_on": pl.Date, "note": pl.Utf8,
    },
    # Planned and spent amounts per commune, year and item, in đồng (queries/plans/spending.py).
    "spending": {
        "row_number": pl.Int32, "commune_id": pl.Utf8, "year": pl.Int32, "item": pl.Utf8,
        "planned": pl.Int64, "spent": pl.Int64, "source_doc": pl.Utf8, "source_item": pl.Utf8,
        "note": pl.Utf8,
    },
}
KINDS = tuple(ROW_SCHEMAS)

# When a kind has more live files than this, its small files are merged into one.
COMPACT_AFTER_FILES = 64
# A file with at least this many rows is left alone by compaction: merging costs what the
# small files hold, never the whole history again.
LARGE_FILE_ROWS = 250_000
# Files nobody committed (a crash between writing and committing) and temporary files are
# removed once older than this; a writer never takes this long between the two steps.
ORPHAN_GRACE_SECONDS = 3600
# Files replaced by a compaction stay this long for readers that listed them just before.
REPLACED_GRACE_SECONDS = 600

MANIFEST_SCHEMA = {
    "upload_id": pl.Utf8, "seq": pl.Int64, "kind": pl.Utf8, "user": pl.Utf8,
    "uploaded_at": pl.Utf8, "received_at": pl.Utf8, "file_name": pl.Utf8, "sha256": pl.Utf8,
    "rows_total": pl.Int64, "rows_accepted": pl.Int64, "rows_rejected": pl.Int64,
    "active": pl.Boolean, "reason": pl.Utf8, "n_evidence": pl.Int64,
}


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _iso(moment: datetime) -> str:
    """Times are kept in UTC; pages show them in Vietnam time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.isoformat()  # microseconds when there are any: two changes in one second stay ordered


@dataclass(frozen=True)
class Receipt:
    upload_id: str
    duplicate: bool  # True when the same file was already stored: nothing changed


@dataclass
class StoreState:
    """What the journal says, replayed up to `offset`."""

    offset: int = 0
    seq: int = 0
    uploads: dict[str, dict] = field(default_factory=dict)  # upload_id -> entry + "active"
    by_content: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (kind, sha) -> ids
    live: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> {file: rows}
    replaced: dict[str, str] = field(default_factory=dict)  # file -> when it was replaced
    reviews: list[dict] = field(default_factory=list)

    def apply(self, entry: dict) -> None:
        self.seq = max(self.seq, int(entry.get("seq", 0)))
        action = entry["action"]
        if action == "upload":
            upload = {**entry, "active": True}
            self.uploads[entry["upload_id"]] = upload
            self.by_content.setdefault((entry["kind"], entry["sha256"]), []).append(entry["upload_id"])
            if entry.get("file"):
                self.live.setdefault(entry["kind"], {})[entry["file"]] = int(entry.get("rows_accepted") or 0)
        elif action in ("undo", "redo"):
            upload = self.uploads.get(entry["upload_id"])
            if upload is not None:
                upload["active"] = action == "redo"
                # Who undid it decides who may bring it back (permissions.may_redo).
                if action == "undo":
                    upload["undone_by"] = entry.get("user") or ""
                else:
                    upload.pop("undone_by", None)
        elif action == "compact":
            files = self.live.setdefault(entry["kind"], {})
            for replaced in entry.get("replaces", []):
                files.pop(replaced, None)
                self.replaced[replaced] = entry.get("at", "")
            files[entry["file"]] = int(entry.get("rows") or 0)
        elif action == "review":
            self.reviews.append(entry)

    def active_duplicate(self, kind: str, sha: str) -> str | None:
        for upload_id in self.by_content.get((kind, sha), []):
            if self.uploads[upload_id]["active"]:
                return upload_id
        return None


class StoreReading:
    """What both stores (this file store and queries.store.pg_store's PostgreSQL one) answer
    from the journal replayed into a StoreState: subclasses give `state()`."""

    root: Path
    read_only: bool = False
    # Tells one store's snapshots from another's when they share a local folder ("" for files).
    identity: str = ""

    def state(self) -> StoreState:
        raise NotImplementedError

    def entries(self) -> list[dict]:
        """Every upload, oldest first, each with `active`."""
        return sorted((dict(e) for e in self.state().uploads.values()), key=lambda e: e["seq"])

    def upload(self, upload_id: str) -> dict:
        upload = self.state().uploads.get(upload_id)
        if upload is None:
            raise KeyError(upload_id)
        return dict(upload)

    def manifest(self) -> pl.DataFrame:
        rows = []
        for entry in self.entries():
            row = {k: entry.get(k) for k in MANIFEST_SCHEMA}
            row["received_at"] = entry.get("received_at") or entry.get("uploaded_at")
            row["n_evidence"] = len(entry.get("evidence") or ())
            rows.append(row)
        return pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")

    def reviews(self) -> list[dict]:
        return list(self.state().reviews)


class Store(StoreReading):
    def __init__(self, root: str | os.PathLike, read_only: bool = False):
        self.root = Path(root)
        self.read_only = read_only
        self.journal = Journal(self.root)
        self._state = StoreState()
        self._state_lock = threading.Lock()
        self._legacy_checked = False

    # ---- paths -------------------------------------------------------------------------
    def _dir(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        if not self.read_only and not path.is_dir():
            make_directory(path)
        return path

    def blob_path(self, sha: str) -> Path:
        return self.root / "blobs" / sha[:2] / sha

    # ---- reading the journal -------------------------------------------------------------
    def version(self) -> int:
        """Changes whenever a change is committed (the journal only grows)."""
        self._check_legacy()
        return self.journal.size()

    def state(self) -> StoreState:
        """The journal replayed up to its end (only what was appended since is read)."""
        self._check_legacy()
        with self._state_lock:
            self._catch_up()
            return self._state

    def _catch_up(self) -> None:
        entries, offset = self.journal.read(self._state.offset)
        for entry in entries:
            self._state.apply(entry)
        self._state.offset = offset

    def changes(self, offset: int) -> tuple[list[dict], int]:
        """The committed changes after byte `offset` of the journal, and the new offset."""
        self._check_legacy()
        return self.journal.read(offset)

    def data_files(self, kind: str) -> list[Path]:
        """The files readers read for a kind: every committed upload not yet compacted, and the
        compacted files; never a replaced or uncommitted file."""
        live = self.state().live.get(kind, {})
        return [self.root / name for name in sorted(live)]

    def upload_rows(self, upload_id: str) -> pl.DataFrame:
        """The rows one upload brought, wherever they live now (its own file or a compacted one)."""
        upload = self.upload(upload_id)
        own = upload.get("file")
        if own and (self.root / own).exists() and own in self.state().live.get(upload["kind"], {}):
            return pl.read_parquet(self.root / own)
        frames = [pl.scan_parquet(path).filter(pl.col("upload_id") == upload_id)
                  for path in self.data_files(upload["kind"])]
        return pl.concat([f.collect() for f in frames], how="diagonal_relaxed") if frames else pl.DataFrame()

    def damaged_lines(self) -> list[DamagedLine]:
        """Journal lines set aside (damaged, or numbered like an earlier line), with the line
        number and the reason; the store serves everything else as usual."""
        self.state()
        return self.journal.damaged

    # ---- writing -------------------------------------------------------------------------
    def _next_seq(self) -> int:
        """Above every number in the journal, a damaged line's too (caller holds the lock)."""
        return max(self._state.seq, self.journal.max_seq) + 1

    def _writable(self) -> None:
        if self.read_only:
            raise PermissionError("store is read-only")

    def _commit(self, entry: dict, *, unless_duplicate: tuple[str, str] | None = None) -> str | None:
        """Append one entry under the lock, after catching up with what others appended.
        With `unless_duplicate=(kind, sha)`, an active upload of the same content wins: its id
        is returned and nothing is appended."""
        with self._state_lock, self.journal.writing() as append:
            self._catch_up()
            if unless_duplicate is not None:
                existing = self._state.active_duplicate(*unless_duplicate)
                if existing is not None:
                    return existing
            entry = {"seq": self._next_seq(), "at": _iso(clock.now()), **entry}
            append(entry)
            self._catch_up()
        return None

    def add_upload(
        self,
        kind: str,
        rows: pl.DataFrame,
        *,
        file_name: str,
        content: bytes,
        user: str = "",
        rows_total: int | None = None,
        rows_rejected: int = 0,
        moment: datetime | None = None,
        original: bytes | None = None,
        received_at: datetime | None = None,
        evidence: list[dict] | tuple = (),
        reason: str | None = None,
    ) -> Receipt:
        """Store accepted rows of one file. The same file again (same kind and bytes, still
        active) is a no-op that returns the earlier upload's id."""
        self._writable()
        if kind not in ROW_SCHEMAS:
            raise ValueError(f"unknown kind {kind!r}")
        sha = content_hash(content)
        existing = self.state().active_duplicate(kind, sha)
        if existing is not None:
            return Receipt(existing, duplicate=True)

        # Ids sort by time, so they read well in a history; the content hash keeps two
        # uploads of the same microsecond apart (and the demo generator repeatable).
        moment = moment or clock.now()
        upload_id = f"{moment.strftime('%Y%m%dT%H%M%S%f')}Z{sha[:8]}"
        data_file = f"uploads/{kind}/{upload_id}.parquet"
        self._dir("uploads", kind)
        atomic_write_parquet(self.root / data_file, rows.with_columns(pl.lit(upload_id).alias("upload_id")))
        original_file = None
        if original is not None:
            suffix = Path(file_name).suffix.lower()[:10] if Path(file_name).suffix else ""
            original_file = f"originals/{upload_id}{suffix}"
            self._dir("originals")
            atomic_write(self.root / original_file, original)
        entry = {
            "action": "upload",
            "upload_id": upload_id,
            "kind": kind,
            "user": user,
            "uploaded_at": _iso(moment),
            "received_at": _iso(received_at) if received_at else None,
            "file": data_file,
            "file_name": file_name,
            "sha256": sha,
            "rows_total": rows_total if rows_total is not None else rows.height + rows_rejected,
            "rows_accepted": rows.height,
            "rows_rejected": rows_rejected,
            "original_file": original_file,
            "evidence": list(evidence),
            "reason": reason,
        }
        if "period" in rows.columns and rows.height:
            entry["periods"] = sorted({p.strftime("%Y-%m") for p in rows["period"].drop_nulls().to_list()})
        winner = self._commit(entry, unless_duplicate=(kind, sha))
        if winner is not None:
            # Someone stored the same file a moment earlier: theirs stands, ours goes.
            if winner != upload_id:
                (self.root / data_file).unlink(missing_ok=True)
                if original_file:
                    (self.root / original_file).unlink(missing_ok=True)
            return Receipt(winner, duplicate=True)
        if len(self.state().live.get(kind, {})) > COMPACT_AFTER_FILES:
            self.compact(kind)
        return Receipt(upload_id, duplicate=False)

    def _set_state(self, upload_id: str, action: str, user: str, reason: str | None) -> bool:
        self._writable()
        with self._state_lock, self.journal.writing() as append:
            self._catch_up()
            upload = self._state.uploads.get(upload_id)
            if upload is None:
                raise KeyError(upload_id)
            if upload["active"] == (action == "redo"):
                return False  # already so: nothing to record
            append({"seq": self._next_seq(), "at": _iso(clock.now()), "action": action,
                    "upload_id": upload_id, "user": user, "reason": reason})
            self._catch_up()
        return True

    def undo(self, upload_id: str, user: str = "", reason: str | None = None) -> bool:
        """Hide an upload: values it superseded come back. Nothing is deleted."""
        return self._set_state(upload_id, "undo", user, reason)

    def redo(self, upload_id: str, user: str = "", reason: str | None = None) -> bool:
        return self._set_state(upload_id, "redo", user, reason)

    def add_review(self, commune_id: str, period: date, status: str, *, user: str,
                   comment: str | None = None) -> dict:
        """The province's appraisal of one commune's month (thẩm định)."""
        self._writable()
        entry = {"action": "review", "commune_id": commune_id, "period": period.strftime("%Y-%m"),
                 "status": status, "comment": comment, "user": user}
        self._commit(entry)
        return self.state().reviews[-1]

    def put_blob(self, content: bytes) -> str:
        """Keep a file by its content (evidence); the same bytes twice are kept once."""
        self._writable()
        sha = content_hash(content)
        path = self.blob_path(sha)
        if not path.exists():
            make_directory(path.parent)
            atomic_write(path, content)
        return sha

    def has_blob(self, sha: str) -> bool:
        return self.blob_path(sha).is_file()

    def read_blob(self, sha: str) -> bytes | None:
        """An evidence file's bytes by its SHA-256, or None when it is not kept here."""
        try:
            return self.blob_path(sha).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    # ---- compaction and cleanup ------------------------------------------------------------
    def compact(self, kind: str) -> int:
        """Merge the small live files of one kind into one, keeping upload ids, so history and
        undo survive. Returns the number of files merged."""
        self._writable()
        with locked(self._dir() / f".compact-{kind}.lock"):
            live = self.state().live.get(kind, {})
            small = sorted(name for name, rows in live.items() if rows < LARGE_FILE_ROWS)
            if len(small) < 2:
                return 0
            # Each upload's rows are taken from one file only: if an earlier, interrupted
            # compaction left an upload in two files, merging again removes the double.
            seen: set[str] = set()
            parts = []
            for name in small:
                frame = pl.read_parquet(self.root / name)
                ids = set(frame["upload_id"].unique().to_list())
                parts.append(frame.filter(~pl.col("upload_id").is_in(list(seen))))
                seen |= ids
            merged = pl.concat(parts, how="diagonal_relaxed")
            newest = merged["upload_id"].max()
            target = f"uploads/{kind}/compacted-{newest}-{secrets.token_hex(3)}.parquet"
            atomic_write_parquet(self.root / target, merged)
            self._commit({"action": "compact", "kind": kind, "file": target, "replaces": small,
                          "rows": merged.height})
        self.cleanup()
        return len(small)

    def cleanup(self, now: float | None = None, *, no_grace: bool = False) -> list[Path]:
        """Remove what no reader can need any more: files replaced by a compaction more than
        a grace period ago, files of uploads that never committed and temporary files (both
        only once old, since a writer may be between writing and committing). Returns them.
        `no_grace` is for a store nobody else is using yet (the demo generator's)."""
        if self.read_only:
            return []
        # `now` may be given as a moment later than this one (tests): the same step is added
        # to both clocks below. A file's age is measured on the filesystem's clock (its mtimes;
        # on NFS, the server's), a replacement's age on the clock that dated the journal line.
        later = (now - time.time() if now is not None else 0.0) + (10**9 if no_grace else 0)
        files_now = self._filesystem_now() + later
        journal_now = clock.now().timestamp() + later
        removed: list[Path] = []
        with self.journal.writing():  # no commit can happen while we decide what is dead
            state = self.state()
            live = {name for files in state.live.values() for name in files}
            known = {u.get("file") for u in state.uploads.values()} | {
                u.get("original_file") for u in state.uploads.values()}
            for path in self._files_under("uploads", "originals", "blobs"):
                name = path.relative_to(self.root).as_posix()
                if name in live:
                    continue
                if path.name.endswith(TMP_SUFFIX):
                    dead = older_than(path, ORPHAN_GRACE_SECONDS, files_now)
                elif name in state.replaced:
                    dead = older_than(path, REPLACED_GRACE_SECONDS, files_now) and self._replaced_before(
                        state.replaced[name], journal_now - REPLACED_GRACE_SECONDS)
                elif name.startswith("blobs/"):
                    dead = False  # evidence is referenced by content, never orphaned here
                else:
                    dead = name not in known and older_than(path, ORPHAN_GRACE_SECONDS, files_now)
                if dead:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed

    def _filesystem_now(self) -> float:
        """The store's filesystem's idea of now: the mtime of a file touched this moment."""
        probe = self.root / ".cleanup-clock"
        try:
            probe.touch()
            return probe.stat().st_mtime
        except OSError:
            return time.time()

    @staticmethod
    def _replaced_before(when: str, limit: float) -> bool:
        try:
            return datetime.fromisoformat(when).timestamp() < limit
        except ValueError:
            return True

    def _files_under(self, *folders: str):
        for folder in folders:
            base = self.root / folder
            if base.exists():
                yield from (p for p in base.rglob("*") if p.is_file())

    # ---- stores written before the journal ------------------------------------------------
    def _check_legacy(self) -> None:
        """A store written by the first version (manifest/*.json and events/*.json, no
        journal) is read as it is; a writable one is converted once, under the lock."""
        if self._legacy_checked:
            return
        self._legacy_checked = True
        if self.journal.exists() or not (self.root / "manifest").is_dir():
            return
        entries = legacy_journal(self.root)
        if self.read_only:
            for entry in entries:
                self._state.apply(entry)
            self._state.offset = 10**18  # nothing to read from a journal file that is not there
            return
        with self.journal.writing() as append:
            if self.journal.size() == 0:
                for entry in entries:
                    append(entry)


def legacy_journal(root: Path) -> list[dict]:
    """The journal a first-version store stands for: its uploads and undo/redo events in time
    order, then its compacted files adopted as they are. An upload found both in its own file
    and in a compacted file (a compaction interrupted before it deleted its sources) is read
    from the compacted file only."""
    changes: list[tuple[str, int, dict]] = []
    for path in sorted((root / "manifest").glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        own = f"uploads/{entry['kind']}/{entry['upload_id']}.parquet"
        changes.append((entry["uploaded_at"], 0, {
            "action": "upload", **entry, "file": own if (root / own).exists() else None,
            "received_at": None, "evidence": [], "reason": None}))
    events = root / "events"
    if events.is_dir():
        for path in sorted(events.glob("*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            changes.append((body.get("at", ""), 1, {"action": body["action"], "upload_id": body["upload_id"],
                                                     "user": body.get("user", ""), "reason": None}))
    changes.sort(key=lambda c: (c[0], c[1]))
    journal = [{"seq": i + 1, "at": at, **entry} for i, (at, _, entry) in enumerate(changes)]
    for kind_dir in sorted((root / "uploads").glob("*")) if (root / "uploads").is_dir() else []:
        for compacted in sorted(kind_dir.glob("compacted-*.parquet")):
            inside = set(pl.read_parquet(compacted, columns=["upload_id"])["upload_id"].unique().to_list())
            doubles = [e["file"] for e in journal
                       if e["action"] == "upload" and e.get("file") and e["upload_id"] in inside]
            journal.append({"seq": len(journal) + 1, "at": "", "action": "compact", "kind": kind_dir.name,
                            "file": compacted.relative_to(root).as_posix(), "replaces": doubles,
                            "rows": pl.scan_parquet(compacted).select(pl.len()).collect().item()})
    return journal
