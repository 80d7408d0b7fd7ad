"""A new process opens the last snapshot of the built tables beside the store and applies only
what was committed since; the snapshot is never edited in place."""
from __future__ import annotations

import os
import time
from datetime import date

import polars as pl

import queries.db as qdb
from queries.db import Database
from queries.store import ROW_SCHEMAS
from tests.upload_data import make_data_dir

MARCH = date(2026, 3, 1)


def upload(store, value: float, name: str) -> str:
    rows = pl.DataFrame([{"row_number": 2, "commune_id": "thanh-hoa/dinh-tien", "indicator": "XH05", "period": MARCH,
                          "value": value, "numerator": None, "denominator": None, "note": None}],
                        schema=ROW_SCHEMAS["actuals"], orient="row")
    return store.add_upload("actuals", rows, file_name=name, content=name.encode()).upload_id


def new_process(tmp_path, data_dir) -> Database:
    """What a new process opens over the store, its tables ready."""
    db = Database(store=tmp_path / "store", include_demo=False, data_dir=data_dir)
    db.ensure_fresh()
    return db


def value(db) -> list:
    return db.sql("select value from actuals where commune_id = 'thanh-hoa/dinh-tien' and period = $p",
                  p=MARCH)["value"].to_list()


def test_a_new_process_opens_the_snapshot_then_catches_up(tmp_path, monkeypatch):
    monkeypatch.setattr(qdb, "SNAPSHOT_AFTER_BUILD_SECONDS", 0.0)  # small data: save one anyway
    data_dir = make_data_dir(tmp_path / "data")
    first = Database(store=tmp_path / "store", include_demo=False, data_dir=data_dir)
    upload(first.store, 80.0, "a.csv")
    assert value(first) == [80.0] and first.opened_from == "files"
    [saved] = list((tmp_path / "store" / "cache").glob("tables-*.duckdb"))
    before = saved.stat().st_mtime_ns

    # A second process: the snapshot, read as it is, answers at once.
    second = Database(store=tmp_path / "store", include_demo=False, data_dir=data_dir)
    assert value(second) == [80.0] and second.opened_from == "snapshot"
    assert second.builds_from_files == 0
    # Something committed since: applied on a private copy, the snapshot file untouched.
    upload(second.store, 85.0, "b.csv")
    assert value(second) == [85.0]
    assert second.builds_from_files == 0 and saved.stat().st_mtime_ns == before
    ranking = second.run_query("ranking_by_month", period=MARCH, province="Thanh Hóa")
    rebuilt = Database(store=tmp_path / "store", include_demo=False, data_dir=data_dir, snapshots=False)
    assert ranking.equals(rebuilt.run_query("ranking_by_month", period=MARCH, province="Thanh Hóa"))


def test_a_snapshot_of_other_sql_or_data_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(qdb, "SNAPSHOT_AFTER_BUILD_SECONDS", 0.0)
    data_dir = make_data_dir(tmp_path / "data")
    new_process(tmp_path, data_dir)
    # The shipped data changed: the fingerprint differs, so the old snapshot is not opened.
    (data_dir / "targets.csv").write_text((data_dir / "targets.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert new_process(tmp_path, data_dir).opened_from == "files"


def test_snapshots_of_another_layout_go_once_nothing_has_written_them_for_a_day(tmp_path, monkeypatch):
    monkeypatch.setattr(qdb, "SNAPSHOT_AFTER_BUILD_SECONDS", 0.0)
    data_dir = make_data_dir(tmp_path / "data")
    cache = tmp_path / "store" / "cache"
    cache.mkdir(parents=True)
    old, recent = cache / "tables-0123456789abcdef0123.duckdb", cache / "tables-fedcba9876543210fedc.duckdb"
    old.write_bytes(b"an older version's tables")
    recent.write_bytes(b"a replica of another version, still saving")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    db = new_process(tmp_path, data_dir)
    kept = {path.name for path in cache.glob("tables-*.duckdb")}
    assert old.name not in kept and recent.name in kept
    assert db._snapshot_path().name in kept and len(kept) == 2
    assert new_process(tmp_path, data_dir).opened_from == "snapshot"  # the one this version wrote


def test_a_process_reading_a_snapshot_whose_file_was_removed_still_applies_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(qdb, "SNAPSHOT_AFTER_BUILD_SECONDS", 0.0)
    data_dir = make_data_dir(tmp_path / "data")
    first = Database(store=tmp_path / "store", include_demo=False, data_dir=data_dir)
    upload(first.store, 80.0, "a.csv")
    assert value(first) == [80.0]
    reader = Database(store=tmp_path / "store", include_demo=False, data_dir=data_dir)
    assert value(reader) == [80.0] and reader.opened_from == "snapshot"
    reader._snapshot_path().unlink()  # removed as stale by a replica of another version
    upload(reader.store, 85.0, "b.csv")
    assert value(reader) == [85.0] and reader.builds_from_files == 0  # copied from its open file
