"""The append-only store for everything users add (uploads of actuals, targets, communes).

Layout under the store root (DTI_STORE):

    uploads/<kind>/<upload_id>.parquet   rows of one upload, every row tagged with upload_id
    uploads/<kind>/compacted-<id>.parquet many old uploads merged; rows keep their upload_id
    originals/<upload_id><.ext>          the file exactly as it was sent, for audit
    manifest/<upload_id>.json            one entry per upload; writing it is the commit point
    events/<ts>-<upload_id>-<action>.json undo / redo of an upload, newest wins

Nothing is rewritten in place: files are written under a `.tmp` name the read globs do not
match and then `os.replace`d, so a crash leaves either the old store or the new one, and
readers in other processes never see half a file. A data file without its manifest entry
(a crash between the two writes) is ignored. Two uploads at the same moment write
different files, so both land without a lock.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from queries import clock

KINDS = ("actuals", "targets", "communes")

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
}
COMPACT_AFTER_FILES = 64


def _now() -> datetime:
    return clock.now()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _atomic_write_parquet(path: Path, frame: pl.DataFrame) -> None:
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        frame.write_parquet(tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Receipt:
    upload_id: str
    duplicate: bool  # True when the same file was already stored: nothing changed


class Store:
    def __init__(self, root: str | os.PathLike, read_only: bool = False):
        self.root = Path(root)
        self.read_only = read_only
        self._entry_cache: dict[str, dict] = {}

    # ---- paths -------------------------------------------------------------------------
    def _dir(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        if not self.read_only:
            path.mkdir(parents=True, exist_ok=True)
        return path

    def data_glob(self, kind: str) -> str:
        return str(self.root / "uploads" / kind / "*.parquet")

    def data_files(self, kind: str) -> list[Path]:
        folder = self.root / "uploads" / kind
        return sorted(folder.glob("*.parquet")) if folder.exists() else []

    def version(self) -> tuple:
        """Changes whenever an upload, undo or compaction lands (directory mtimes)."""
        stamps = []
        for sub in ("manifest", "events", *(f"uploads/{k}" for k in KINDS)):
            try:
                stamps.append(os.stat(self.root / sub).st_mtime_ns)
            except FileNotFoundError:
                stamps.append(0)
        return tuple(stamps)

    # ---- reading the manifest ------------------------------------------------------------
    def _events(self) -> dict[str, str]:
        """upload_id -> last action ('undo' or 'redo'); file names sort by time."""
        folder = self.root / "events"
        last: dict[str, str] = {}
        if folder.exists():
            for path in sorted(folder.glob("*.json")):
                _stamp, upload_id, action = path.stem.split("-")
                last[upload_id] = action
        return last

    def entries(self) -> list[dict]:
        folder = self.root / "manifest"
        if not folder.exists():
            return []
        events = self._events()
        entries = []
        for path in sorted(folder.glob("*.json")):
            # Manifest files never change once written, so each is parsed once per process.
            if path.name not in self._entry_cache:
                self._entry_cache[path.name] = json.loads(path.read_text(encoding="utf-8"))
            entry = dict(self._entry_cache[path.name])
            entry["active"] = events.get(entry["upload_id"]) != "undo"
            entries.append(entry)
        return entries

    def manifest(self) -> pl.DataFrame:
        schema = {
            "upload_id": pl.Utf8, "kind": pl.Utf8, "user": pl.Utf8, "uploaded_at": pl.Utf8,
            "file_name": pl.Utf8, "sha256": pl.Utf8, "rows_total": pl.Int64,
            "rows_accepted": pl.Int64, "rows_rejected": pl.Int64, "active": pl.Boolean,
        }
        rows = [{k: e.get(k) for k in schema} for e in self.entries()]
        return pl.DataFrame(rows, schema=schema, orient="row")

    # ---- writing -------------------------------------------------------------------------
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
    ) -> Receipt:
        """Store accepted rows of one file. The same file again (same kind and bytes,
        still active) is a no-op that returns the earlier upload's id."""
        if self.read_only:
            raise PermissionError("store is read-only")
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        sha = content_hash(content)
        for entry in self.entries():
            if entry["kind"] == kind and entry["sha256"] == sha and entry["active"]:
                return Receipt(entry["upload_id"], duplicate=True)

        # Ids sort by time, so "newest upload wins" is an ordering of ids; the content hash
        # keeps two uploads in the same microsecond apart (and the demo generator repeatable).
        moment = moment or _now()
        upload_id = f"{moment.strftime('%Y%m%dT%H%M%S%f')}Z{sha[:8]}"
        data_path = self._dir("uploads", kind) / f"{upload_id}.parquet"
        tagged = rows.with_columns(pl.lit(upload_id).alias("upload_id"))
        _atomic_write_parquet(data_path, tagged)
        original_path = None
        if original is not None:
            suffix = Path(file_name).suffix.lower()[:10] if Path(file_name).suffix else ""
            original_path = f"originals/{upload_id}{suffix}"
            _atomic_write(self._dir("originals") / f"{upload_id}{suffix}", original)
        entry = {
            "upload_id": upload_id,
            "kind": kind,
            "user": user,
            "uploaded_at": moment.isoformat(timespec="seconds"),
            "file_name": file_name,
            "sha256": sha,
            "rows_total": rows_total if rows_total is not None else rows.height + rows_rejected,
            "rows_accepted": rows.height,
            "rows_rejected": rows_rejected,
            "original_file": original_path,
        }
        # Commit point: until this file exists the data file above is invisible.
        _atomic_write(
            self._dir("manifest") / f"{upload_id}.json",
            json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8"),
        )
        if len(self.data_files(kind)) > COMPACT_AFTER_FILES:
            self.compact(kind)
        return Receipt(upload_id, duplicate=False)

    def _set_state(self, upload_id: str, action: str, user: str) -> None:
        if not (self.root / "manifest" / f"{upload_id}.json").exists():
            raise KeyError(upload_id)
        stamp = _now().strftime("%Y%m%dT%H%M%S%f")
        body = {"upload_id": upload_id, "action": action, "user": user, "at": _now().isoformat()}
        _atomic_write(
            self._dir("events") / f"{stamp}-{upload_id}-{action}.json",
            json.dumps(body, ensure_ascii=False).encode("utf-8"),
        )

    def undo(self, upload_id: str, user: str = "") -> None:
        """Hide an upload: values it superseded come back. Nothing is deleted."""
        self._set_state(upload_id, "undo", user)

    def redo(self, upload_id: str, user: str = "") -> None:
        self._set_state(upload_id, "redo", user)

    # ---- compaction ----------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self, name: str):
        with open(self._dir() / f".{name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def compact(self, kind: str) -> int:
        """Merge committed upload files of one kind into one file, keeping upload ids,
        so history and undo survive. Returns the number of files merged."""
        with self._lock(f"compact-{kind}"):
            committed = {e["upload_id"] for e in self.entries()}
            files = [
                p for p in self.data_files(kind)
                if p.stem.startswith("compacted-") or p.stem in committed
            ]
            if len(files) < 2:
                return 0
            merged = pl.concat([pl.read_parquet(p) for p in files], how="diagonal_relaxed")
            # Named after the newest upload inside, so the same uploads give the same file.
            newest = merged["upload_id"].max()
            target = self._dir("uploads", kind) / f"compacted-{newest}.parquet"
            _atomic_write_parquet(target, merged)
            # Readers that list files between these two steps may see rows twice; rows are
            # keyed by upload id and row, so the reader drops the copy.
            for path in files:
                if path != target:
                    path.unlink(missing_ok=True)
            return len(files)
