"""The store never loses or doubles a number: crashes mid-write, undo and redo, the same
file twice, two uploads at once, newer values superseding older ones, history kept, and
compaction that changes nothing a reader can see."""
from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from queries.ingest.pipeline import check_file, store_checked
from queries.store import COMPACT_AFTER_FILES, ROW_SCHEMAS, Store
from tests.upload_data import TODAY, make_database

ROOT = Path(__file__).resolve().parent.parent
MARCH = date(2026, 3, 1)


@pytest.fixture
def db(tmp_path):
    return make_database(tmp_path)


def upload(db, text: str, name: str = "thang3.csv", user: str = ""):
    result = check_file(text.encode("utf-8"), name, db=db, today=TODAY)
    assert result.errors == []
    return store_checked(result, db, user=user)


def monthly(value: str, indicator: str = "XH05", commune: str = "Định Tiến", month: str = "03/2026") -> str:
    return f"ten_xa;ky_bao_cao;ma_chi_tieu;gia_tri\n{commune};{month};{indicator};{value}\n"


def current(db, indicator="XH05", commune="thanh-hoa/dinh-tien", period=MARCH):
    rows = db.sql("select value from actuals where commune_id = $c and indicator = $i and period = $p",
                  c=commune, i=indicator, p=period)
    return rows["value"].to_list()


def snapshot(db, without: str | None = None) -> dict[str, list]:
    """Everything a reader can see, in a stable order (optionally leaving one upload out)."""
    return {
        table: db.sql(f"select * from {table} where $u::VARCHAR is null or upload_id is distinct from $u order by all", u=without).rows()
        for table in ("actuals", "targets", "communes", "actuals_history")
    }


# ---- superseding, history, undo, redo, the same file twice ------------------------------------


def test_newer_value_supersedes_and_the_older_stays_in_history(db):
    first = upload(db, monthly("80,44"), "a.csv")
    second = upload(db, monthly("81,5"), "b.csv")
    assert current(db) == [81.5]
    history = db.sql(
        "select value, upload_id, active from actuals_history where indicator = 'XH05' and period = $p order by upload_id",
        p=MARCH)
    assert history.rows() == [(80.44, first.upload_id, True), (81.5, second.upload_id, True)]


def test_undo_restores_exactly_what_was_there_and_redo_brings_it_back(db):
    before = snapshot(db)
    first = upload(db, monthly("80,44"), "a.csv")
    after_first = snapshot(db)
    second = upload(db, monthly("81,5") + "Định Tiến;03/2026;XH02;70\n", "b.csv")
    assert (current(db), current(db, "XH02")) == ([81.5], [70.0])

    db.store.undo(second.upload_id, user="tỉnh")
    assert (current(db), current(db, "XH02")) == ([80.44], [])
    assert snapshot(db)["actuals"] == after_first["actuals"]

    db.store.redo(second.upload_id)
    assert (current(db), current(db, "XH02")) == ([81.5], [70.0])

    # Undoing the older upload while the newer is in force changes nothing visible.
    db.store.undo(first.upload_id)
    assert current(db) == [81.5]
    db.store.undo(second.upload_id)
    assert snapshot(db)["actuals"] == before["actuals"]
    assert [e["active"] for e in db.store.entries()] == [False, False]


def test_the_same_file_twice_changes_nothing(db):
    text = monthly("80,44")
    first = upload(db, text)
    state = snapshot(db)
    files = sorted(p.name for p in (db.store.root / "uploads" / "actuals").iterdir())
    again = upload(db, text)
    assert (again.upload_id, again.duplicate) == (first.upload_id, True)
    assert snapshot(db) == state
    assert sorted(p.name for p in (db.store.root / "uploads" / "actuals").iterdir()) == files
    assert len(db.store.entries()) == 1
    # After an undo the same file is a real upload again: it brings its values back.
    db.store.undo(first.upload_id)
    assert current(db) == []
    third = upload(db, text)
    assert third.duplicate is False and current(db) == [80.44]


# ---- crashes -----------------------------------------------------------------------------------


def test_crash_before_the_journal_commit_leaves_the_store_as_it_was(db, monkeypatch):
    upload(db, monthly("80,44"), "a.csv")
    state = snapshot(db)
    entries = db.store.entries()

    def power_cut(self, *args, **kwargs):
        raise OSError("power cut")

    monkeypatch.setattr(Store, "_commit", power_cut)
    with pytest.raises(OSError):
        upload(db, monthly("99"), "b.csv")
    monkeypatch.undo()
    # The data file landed but has no journal line: readers ignore it.
    assert len(list((db.store.root / "uploads" / "actuals").glob("*.parquet"))) == 2
    assert db.store.entries() == entries
    assert snapshot(db) == state
    # The file was never stored, so sending it again is not "the same file twice".
    retry = upload(db, monthly("99"), "b.csv")
    assert retry.duplicate is False and current(db) == [99.0]


def test_crash_while_writing_the_data_file_leaves_nothing_behind(db, monkeypatch):
    state = snapshot(db)

    def disk_full(self, *args, **kwargs):
        Path(args[0]).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", disk_full)
    with pytest.raises(OSError):
        upload(db, monthly("99"))
    monkeypatch.undo()
    assert list((db.store.root / "uploads" / "actuals").iterdir()) == []
    assert db.store.entries() == []
    assert snapshot(db) == state


KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    from queries.ingest.pipeline import check_file, store_checked
    from queries.db import Database
    from queries.store import journal
    from tests.upload_data import TODAY

    store, data, text, where = sys.argv[2:6]
    db = Database(store=store, include_demo=False, data_dir=data)
    result = check_file(text.encode(), "b.csv", db=db, today=TODAY)
    real_replace, real_write = os.replace, os.write

    def replace_then_die(source, target):
        # The process dies at the exact moment the data file would land.
        if where in str(target):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(source, target)

    def write_half_then_die(fd, data):
        # The process dies half-way through appending its journal line.
        real_write(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)

    os.replace = replace_then_die
    if where == "journal":
        journal.os.write = write_half_then_die
    store_checked(result, db)
""")


@pytest.mark.parametrize("where", ["uploads", "journal"])
def test_process_killed_mid_upload(tmp_path, db, where):
    upload(db, monthly("80,44"), "a.csv")
    state, entries = snapshot(db), db.store.entries()
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(ROOT), str(db.store.root), str(db.data_dir), monthly("99"), where],
        cwd=ROOT, capture_output=True, timeout=120,
    )
    assert done.returncode == -9, done.stderr.decode()
    assert Store(db.store.root).entries() == entries  # a fresh reader, from the journal alone
    assert snapshot(db) == state
    assert current(db) == [80.44]
    retry = upload(db, monthly("99"), "b.csv")
    assert retry.duplicate is False and current(db) == [99.0]
    # The half-written line was cut off before the next one: every line of the journal parses.
    lines = (db.store.root / "journal.jsonl").read_bytes().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))


# ---- two uploads at the same moment -------------------------------------------------------------


def _upload_in_process(store_root, data_dir, text, name, barrier):
    from queries.db import Database

    db = Database(store=store_root, include_demo=False, data_dir=data_dir)
    result = check_file(text.encode("utf-8"), name, db=db, today=TODAY)
    barrier.wait(timeout=60)
    store_checked(result, db.store, user=name)


def test_two_uploads_at_the_same_moment_both_land(db):
    # Spawn, not fork: a forked copy of a process running DuckDB and Polars threads can hang.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [
        context.Process(target=_upload_in_process,
                        args=(str(db.store.root), str(db.data_dir), monthly(value, indicator), name, barrier))
        for value, indicator, name in (("80,44", "XH05", "xa_a.csv"), ("70", "XH02", "xa_b.csv"))
    ]
    for worker in workers:
        worker.daemon = True
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert sorted(e["file_name"] for e in db.store.entries()) == ["xa_a.csv", "xa_b.csv"]
    assert (current(db), current(db, "XH02")) == ([80.44], [70.0])


# ---- compaction ---------------------------------------------------------------------------------


def _rows(commune: str, value: float) -> pl.DataFrame:
    return pl.DataFrame(
        [{"row_number": 2, "commune_id": commune, "indicator": "XH05", "period": MARCH, "value": value,
          "numerator": None, "denominator": None, "note": None}],
        schema=ROW_SCHEMAS["actuals"], orient="row",
    )


def test_compaction_keeps_results_history_and_undo(db):
    ids = []
    for number in range(COMPACT_AFTER_FILES):
        commune = ("thanh-hoa/dinh-tien", "dong-nai/minh-duc")[number % 2]
        receipt = db.store.add_upload("actuals", _rows(commune, float(number)), file_name=f"{number}.csv",
                                      content=f"file {number}".encode())
        ids.append(receipt.upload_id)
    assert len(db.store.data_files("actuals")) == COMPACT_AFTER_FILES
    db.store.undo(ids[-1])  # an undone upload must stay undone after compaction
    before = snapshot(db)
    ranking_before = db.run_query("ranking_by_month", period=MARCH, province=None)
    assert current(db) == [62.0] and current(db, commune="dong-nai/minh-duc") == [61.0]

    # One more upload crosses the threshold: the store compacts by itself.
    last = db.store.add_upload("actuals", _rows("dong-nai/dai-phuoc", 50.0), file_name="last.csv", content=b"last")
    [merged] = db.store.data_files("actuals")
    assert merged.name.startswith(f"compacted-{last.upload_id}-")
    assert snapshot(db, without=last.upload_id) == before
    assert current(db, commune="dong-nai/dai-phuoc") == [50.0]
    db.store.undo(last.upload_id)
    assert snapshot(db, without=last.upload_id) == before
    # Two communes share a name, and the ranking orders ties by name only: compare by id.
    ranking_after = db.run_query("ranking_by_month", period=MARCH, province=None)
    assert_frame_equal(ranking_after.sort("commune_id"), ranking_before.sort("commune_id"))

    # Undo and redo still work on uploads that now live inside the compacted file.
    db.store.undo(ids[-2])
    assert current(db) == [60.0]
    db.store.redo(ids[-1])
    assert current(db, commune="dong-nai/minh-duc") == [63.0]


def test_the_file_as_sent_is_kept_for_audit(tmp_path):
    """Besides the parsed rows, the store keeps the original bytes, named in the journal."""
    store = Store(tmp_path)
    rows = pl.DataFrame(
        [{"row_number": 2, "commune_id": "x/y", "indicator": "HT01", "period": None,
          "value": 1.0, "numerator": None, "denominator": None, "note": None}],
        schema=ROW_SCHEMAS["actuals"], orient="row",
    )
    sent = b"ma_xa;gia_tri\r\nx;1\r\n"
    receipt = store.add_upload("actuals", rows, file_name="Bao cao T3.CSV", content=sent, original=sent)
    entry = Store(tmp_path).upload(receipt.upload_id)
    assert entry["original_file"] == f"originals/{receipt.upload_id}.csv"
    assert (tmp_path / entry["original_file"]).read_bytes() == sent
