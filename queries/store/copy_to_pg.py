"""Copying a file store's data into an empty PostgreSQL database (`python -m queries.store
migrate`, queries.migrate): the journal with its numbers, the uploads and their state, every
upload's rows, the files as sent, evidence and settings. The accounts' side is copied by
queries.accounts.pg_copy. Both run inside the caller's one transaction, so a failure leaves
the database empty.

`file_counts` and `database_counts` measure both sides the same way (counts, and sums of the
numbers), which is how the command proves the copy whole before it commits.
"""
from __future__ import annotations

import json

import polars as pl

from queries.errors import UserFacingError
from queries.i18n import _
from queries.store.pg_store import PgStore, _json
from queries.store.uploads import ROW_SCHEMAS, Store

# The numeric column summed per kind, to tell a copy with changed numbers from a whole one.
SUMMED = {"actuals": "value", "targets": "target", "communes": "adult_population", "tasks": "plan_year",
          "spending": "spent"}


class DuplicateActiveCopies(UserFacingError):
    """The file store has the same file active twice, which the database does not allow."""


def _rows(store: Store, kind: str, upload_ids: set[str]) -> pl.DataFrame:
    """Every stored row of `kind`, each upload's rows once (from the files readers read)."""
    frames = [pl.read_parquet(path) for path in store.data_files(kind)]
    if not frames:
        return pl.DataFrame(schema={**ROW_SCHEMAS[kind], "upload_id": pl.Utf8})
    rows = pl.concat(frames, how="diagonal_relaxed")
    return rows.filter(pl.col("upload_id").is_in(list(upload_ids)))


def file_counts(store: Store) -> dict[str, float]:
    state = store.state()
    counts: dict[str, float] = {
        "thay đổi (journal)": sum(1 for _ in _changes(store)),
        "lần tải lên": len(state.uploads),
        "lần tải lên đang dùng": sum(1 for u in state.uploads.values() if u["active"]),
        "tệp gốc": sum(1 for u in state.uploads.values() if u.get("original_file")
                       and (store.root / u["original_file"]).exists()),
        "tệp minh chứng": len(_evidence(store)),
    }
    for kind in ROW_SCHEMAS:
        kind_ids = {i for i, u in state.uploads.items() if u["kind"] == kind}
        rows = _rows(store, kind, kind_ids)
        counts[f"dòng {kind}"] = rows.height
        counts[f"tổng {kind}.{SUMMED[kind]}"] = round(float(rows[SUMMED[kind]].cast(pl.Float64).sum() or 0), 6)
    return counts


def database_counts(conn) -> dict[str, float]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731 (fixed SQL, no values)
    counts: dict[str, float] = {
        "thay đổi (journal)": one("select count(*) from journal"),
        "lần tải lên": one("select count(*) from uploads"),
        "lần tải lên đang dùng": one("select count(*) from uploads where active"),
        "tệp gốc": one("select count(*) from originals"),
        "tệp minh chứng": one("select count(*) from blobs"),
    }
    for kind, column in SUMMED.items():
        counts[f"dòng {kind}"] = one(f"select count(*) from values_{kind}")
        counts[f"tổng {kind}.{column}"] = round(float(one(f"select coalesce(sum({column}), 0) from values_{kind}")), 6)
    return counts


def _changes(store: Store):
    """The journal's changes as the database keeps them (compactions are the file store's own)."""
    entries, _ = store.changes(0)
    return [e for e in entries if e["action"] != "compact"]


def _evidence(store: Store) -> set[str]:
    return {item["sha256"] for u in store.state().uploads.values() for item in (u.get("evidence") or ())
            if item.get("sha256") and store.blob_path(item["sha256"]).is_file()}


def copy_store(store: Store, conn) -> None:
    """Everything of `store` into the database behind `conn` (inside the caller's transaction)."""
    state = store.state()
    for entry in _changes(store):
        copied = {k: v for k, v in entry.items() if k not in ("file", "original_file")}
        copied["file"] = None
        conn.execute("insert into journal (seq, at, action, upload_id, entry) values (%s, %s, %s, %s, %s)",
                     (entry["seq"], entry.get("at") or None, entry["action"], entry.get("upload_id"), _json(copied)))
    active_seen: dict[tuple[str, str], str] = {}
    for upload_id, upload in sorted(state.uploads.items(), key=lambda item: item[1]["seq"]):
        key = (upload["kind"], upload["sha256"])
        if upload["active"] and key in active_seen:
            raise DuplicateActiveCopies(
                _("Cùng một tệp đang được dùng hai lần (lần tải lên {first} và {second}): hãy hoàn tác một lần rồi chạy "
                  "lại lệnh chuyển.").format(first=active_seen[key], second=upload_id))
        if upload["active"]:
            active_seen[key] = upload_id
        conn.execute("insert into uploads (upload_id, seq, kind, sha256, active) values (%s, %s, %s, %s, %s)",
                     (upload_id, upload["seq"], upload["kind"], upload["sha256"], upload["active"]))
        original = upload.get("original_file")
        if original and (store.root / original).exists():
            conn.execute("insert into originals (upload_id, file_name, content) values (%s, %s, %s)",
                         (upload_id, upload.get("file_name") or "", (store.root / original).read_bytes()))
    for kind in ROW_SCHEMAS:
        kind_ids = {i for i, u in state.uploads.items() if u["kind"] == kind}
        rows = _rows(store, kind, kind_ids)
        if rows.height:
            columns = [*ROW_SCHEMAS[kind], "upload_id"]
            body = rows.select([pl.col(c) if c in rows.columns else pl.lit(None).alias(c) for c in columns])
            with conn.cursor() as cursor, cursor.copy(
                    f"copy values_{kind} ({', '.join(columns)}) from stdin with (format csv)") as copy:
                copy.write(body.write_csv(include_header=False).encode("utf-8"))
    for sha in sorted(_evidence(store)):
        content = store.blob_path(sha).read_bytes()
        conn.execute("insert into blobs (sha256, size, content) values (%s, %s, %s) on conflict do nothing",
                     (sha, len(content), content))
    settings_path = store.root / "settings.json"
    if settings_path.exists():
        values = json.loads(settings_path.read_text(encoding="utf-8"))
        conn.execute("""insert into shared_values (name, value) values ('settings', %s)
                        on conflict (name) do update set value = excluded.value,
                        version = shared_values.version + 1""", (_json(values),))


__all__ = ["DuplicateActiveCopies", "copy_store", "database_counts", "file_counts"]
