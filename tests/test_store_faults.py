"""The store keeps its promises under faults: a compaction killed at any moment never
shows a row twice, the same file sent by twenty processes at once is one upload, leftovers of
killed writers are cleaned up and never count as data, and changes never collide."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import polars as pl

from queries.db import Database
from queries.store import ROW_SCHEMAS, Store
from queries.store import uploads as store_uploads
from tests.upload_data import make_data_dir

ROOT = Path(__file__).resolve().parent.parent
MARCH = date(2026, 3, 1)
COMMUNES = ("thanh-hoa/dinh-tien", "dong-nai/minh-duc", "dong-nai/dai-phuoc")


def rows(commune: str, value: float, period: date = MARCH, n: int = 1) -> pl.DataFrame:
    return pl.DataFrame(
        [{"row_number": 2 + i, "commune_id": commune, "indicator": ("XH05", "XH02", "HT01")[i % 3],
          "period": period, "value": value + i, "numerator": None, "denominator": None, "note": None}
         for i in range(n)],
        schema=ROW_SCHEMAS["actuals"], orient="row",
    )


def fill(store: Store, count: int) -> list[str]:
    ids = []
    for number in range(count):
        receipt = store.add_upload("actuals", rows(COMMUNES[number % 3], float(number), n=3),
                                   file_name=f"{number}.csv", content=f"file {number}".encode())
        ids.append(receipt.upload_id)
    return ids


def history(store_root: Path, data_dir: Path) -> list[tuple]:
    db = Database(store=store_root, include_demo=False, data_dir=data_dir, snapshots=False)
    return db.sql("select upload_id, row_number, value, active from actuals_history "
                  "where upload_id is not null order by all").rows()


# ---- 6. a crash during compaction ----------------------------------------------------------------

COMPACT_AND_DIE = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    import polars as pl
    from queries.store import Store
    from queries.store import files, journal

    root, kill_at = sys.argv[2], int(sys.argv[3])
    count = [0]

    def step():
        count[0] += 1
        if count[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(module, name):
        real = getattr(module, name)
        def wrapped(*args, **kwargs):
            step()
            return real(*args, **kwargs)
        setattr(module, name, wrapped)

    # Every file operation of a compaction: each rename, each journal write, each deletion,
    # and the write of the merged file.
    wrap(files.os, "replace")
    wrap(journal.os, "write")
    wrap(Path := __import__("pathlib").Path, "unlink")
    real_write_parquet = pl.DataFrame.write_parquet
    def write_parquet(self, *args, **kwargs):
        step()
        return real_write_parquet(self, *args, **kwargs)
    pl.DataFrame.write_parquet = write_parquet
    store = Store(root)
    store.compact("actuals")
    store.cleanup(now=__import__("time").time() + 10**6)  # as if long after: delete replaced files
    print(count[0])
""")


def test_a_compaction_killed_after_any_file_operation_never_doubles_history(tmp_path):
    data_dir = make_data_dir(tmp_path / "data")
    template = tmp_path / "template"
    ids = fill(Store(template), 6)
    Store(template).undo(ids[1])
    expected = history(template, data_dir)
    assert len(expected) == 18

    # How many file operations a whole compaction makes (and that it completes).
    dry = tmp_path / "dry"
    subprocess.run(["cp", "-r", str(template), str(dry)], check=True)
    done = subprocess.run([sys.executable, "-c", COMPACT_AND_DIE, str(ROOT), str(dry), "0"],
                          capture_output=True, text=True, timeout=120)
    operations = int(done.stdout.strip())
    assert operations >= 8  # merged file, its rename, the journal line, six deletions
    assert history(dry, data_dir) == expected

    for kill_at in range(1, operations + 1):
        store_root = tmp_path / f"kill-{kill_at}"
        subprocess.run(["cp", "-r", str(template), str(store_root)], check=True)
        done = subprocess.run([sys.executable, "-c", COMPACT_AND_DIE, str(ROOT), str(store_root), str(kill_at)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == -9, done.stderr
        # Whatever moment it died, a reader sees every row exactly once...
        assert history(store_root, data_dir) == expected, f"killed at operation {kill_at}"
        # ...and compacting again (and cleaning up) still does.
        store = Store(store_root)
        store.compact("actuals")
        store.cleanup(now=time.time() + 10**6)
        assert history(store_root, data_dir) == expected, f"compacted again after operation {kill_at}"
        assert len(store.data_files("actuals")) == 1


def test_replaced_files_stay_for_late_readers_then_go(tmp_path):
    store = Store(tmp_path)
    fill(store, 4)
    before = {p.name for p in (tmp_path / "uploads" / "actuals").iterdir()}
    assert store.compact("actuals") == 4
    on_disk = {p.name for p in (tmp_path / "uploads" / "actuals").iterdir()}
    # A reader that listed the files just before the compaction can still read them...
    assert before < on_disk and len(store.data_files("actuals")) == 1
    # ...until the grace period has passed.
    store.cleanup(now=time.time() + store_uploads.REPLACED_GRACE_SECONDS + 60)
    assert {p.name for p in (tmp_path / "uploads" / "actuals").iterdir()} == {store.data_files("actuals")[0].name}


# ---- 7. the same file twenty times at once ------------------------------------------------------

# A worker that imports only the store (not the test module, not DuckDB): twenty of them
# start in a few seconds on two cores. Each waits for the start file, then stores the file.
SAME_FILE = textwrap.dedent("""
    import sys, time
    from datetime import date
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    import polars as pl
    from queries.store import ROW_SCHEMAS, Store

    root, start = sys.argv[2], Path(sys.argv[3])
    frame = pl.DataFrame([{"row_number": 2, "commune_id": "thanh-hoa/dinh-tien", "indicator": "XH05",
                           "period": date(2026, 3, 1), "value": 80.0, "numerator": None,
                           "denominator": None, "note": None}], schema=ROW_SCHEMAS["actuals"], orient="row")
    store = Store(root)
    while not start.exists():
        time.sleep(0.005)
    receipt = store.add_upload("actuals", frame, file_name="thang3.csv", content=b"the same bytes",
                               original=b"the same bytes")
    print(receipt.upload_id, receipt.duplicate)
""")


def test_twenty_processes_sending_the_same_file_at_once_make_one_upload(tmp_path):
    root, start = tmp_path / "store", tmp_path / "start"
    workers = [subprocess.Popen([sys.executable, "-c", SAME_FILE, str(ROOT), str(root), str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(20)]
    time.sleep(1.0)  # let them import and wait at the start line
    start.touch()
    answers = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        upload_id, duplicate = out.split()
        answers.append((upload_id, duplicate == "True"))
    store = Store(root)
    [entry] = store.entries()
    assert {upload_id for upload_id, _ in answers} == {entry["upload_id"]}  # everyone got the same id
    assert sorted(duplicate for _, duplicate in answers) == [False] + [True] * 19
    # Undoing "the" upload leaves none of its values in force.
    store.undo(entry["upload_id"])
    assert [e["active"] for e in Store(root).entries()] == [False]
    # The losers' data files are gone; only the winner's is read.
    assert [p.name for p in (root / "uploads" / "actuals").iterdir()] == [f"{entry['upload_id']}.parquet"]


# ---- 8. leftovers of killed uploads ----------------------------------------------------------------


def test_leftovers_are_cleaned_up_only_when_old_and_never_count_as_data(tmp_path, monkeypatch):
    store = Store(tmp_path)
    fill(store, 2)
    folder = tmp_path / "uploads" / "actuals"
    # ages on the filesystem's clock, as cleanup() measures them (faketime moves only Python's)
    old = store._filesystem_now() - store_uploads.ORPHAN_GRACE_SECONDS - 60
    orphan = folder / "20260301T000000000000Zdeadbeef.parquet"  # data file of an upload never committed
    rows(COMMUNES[0], 1.0).with_columns(pl.lit("20260301T000000000000Zdeadbeef").alias("upload_id")).write_parquet(orphan)
    tmp = folder / "x.parquet.1234abcd.tmp"
    tmp.write_bytes(b"half")
    original = tmp_path / "originals" / "20260301T000000000000Zdeadbeef.csv"
    original.parent.mkdir(exist_ok=True)
    original.write_bytes(b"sent")
    young = folder / "20260302T000000000000Zfeedface.parquet"  # a writer about to commit
    young.write_bytes(b"PAR1")
    for path in (orphan, tmp, original):
        os.utime(path, (old, old))

    # Orphans are not data, and do not count toward the compaction threshold.
    assert len(store.data_files("actuals")) == 2
    monkeypatch.setattr(store_uploads, "COMPACT_AFTER_FILES", 3)
    store.add_upload("actuals", rows(COMMUNES[1], 5.0), file_name="c.csv", content=b"c")
    assert len(store.data_files("actuals")) == 3  # 3 live files: no compaction yet

    removed = {p.name for p in store.cleanup()}
    assert removed == {orphan.name, tmp.name, original.name}
    assert young.exists()  # too young to be sure it is dead
    assert len(store.data_files("actuals")) == 3


# ---- changes never collide --------------------------------------------------------------------


FLIP = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from queries.store import Store

    root, upload_id, start, rounds = sys.argv[2], sys.argv[3], Path(sys.argv[4]), int(sys.argv[5])
    store = Store(root)
    while not start.exists():
        time.sleep(0.005)
    for i in range(rounds):
        (store.undo if i % 2 == 0 else store.redo)(upload_id, user=str(os.getpid()))
""")


def test_undo_and_redo_racing_from_many_processes_never_collide(tmp_path):
    store = Store(tmp_path)
    [upload_id] = fill(store, 1)
    start = tmp_path / "start"
    workers = [subprocess.Popen([sys.executable, "-c", FLIP, str(ROOT), str(tmp_path), upload_id, str(start), "25"],
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(0.5)
    start.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    lines = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    # Only real changes are recorded: each line flips the state of the one before.
    actions = [line["action"] for line in lines[1:]]
    assert all(a != b for a, b in zip(actions, actions[1:]))
    assert Store(tmp_path).upload(upload_id)["active"] == (actions[-1] == "redo" if actions else True)


# ---- stores written by the first version --------------------------------------------------------


def test_a_first_version_store_is_read_and_converted_with_nothing_lost(tmp_path):
    data_dir = make_data_dir(tmp_path / "data")
    legacy = tmp_path / "legacy"
    (legacy / "manifest").mkdir(parents=True)
    (legacy / "events").mkdir()
    (legacy / "uploads" / "actuals").mkdir(parents=True)
    ids = []
    for number, value in enumerate((80.0, 81.0, 82.0)):
        upload_id = f"2026040{number + 1}T000000000000Zaaaa000{number}"
        ids.append(upload_id)
        rows(COMMUNES[0], value).with_columns(pl.lit(upload_id).alias("upload_id")).write_parquet(
            legacy / "uploads" / "actuals" / f"{upload_id}.parquet")
        (legacy / "manifest" / f"{upload_id}.json").write_text(json.dumps({
            "upload_id": upload_id, "kind": "actuals", "user": "cũ", "uploaded_at": f"2026-04-0{number + 1}T00:00:00+00:00",
            "file_name": f"{number}.csv", "sha256": f"{number}" * 64, "rows_total": 1, "rows_accepted": 1,
            "rows_rejected": 0, "original_file": None}), encoding="utf-8")
    # The newest upload was undone.
    (legacy / "events" / f"20260405T000000000000-{ids[2]}-undo.json").write_text(
        json.dumps({"upload_id": ids[2], "action": "undo", "user": "", "at": "2026-04-05T00:00:00+00:00"}))

    db = Database(store=legacy, include_demo=False, data_dir=data_dir, snapshots=False)
    assert db.sql("select value from actuals where commune_id = $c and indicator = 'XH05' and period = $p", c=COMMUNES[0], p=MARCH).rows() == [(81.0,)]
    assert [e["active"] for e in db.store.entries()] == [True, True, False]
    # It now has a journal, and keeps working as a store.
    assert (legacy / "journal.jsonl").exists()
    Store(legacy).redo(ids[2])
    assert db.sql("select value from actuals where commune_id = $c and indicator = 'XH05' and period = $p", c=COMMUNES[0], p=MARCH).rows() == [(82.0,)]


# ---- a damaged journal line -----------------------------------------------------------------------

DAMAGED = b'{"seq":3,"at":"2026-11-22T03:00:00+00:00","action":"upload","upload_id":"2026\x00\xff\xfe\n'


def test_a_damaged_line_in_the_middle_is_set_aside_and_everything_else_keeps_working(tmp_path):
    """A complete but unreadable line between two good ones (a disk fault, a hand edit) used to
    stop every later upload and every new replica with JSONDecodeError."""
    data = make_data_dir(tmp_path / "data")
    root = tmp_path / "store"
    store = Store(root)
    first, second = fill(store, 2)
    running = Database(store=root, include_demo=False, data_dir=data, snapshots=False, background=False)
    running.ensure_fresh()
    with (root / "journal.jsonl").open("ab") as journal:
        journal.write(DAMAGED)

    # uploads still commit, in this process and in a new one, numbered above the damaged line
    third = store.add_upload("actuals", rows(COMMUNES[2], 30.0), file_name="3.csv", content=b"file 3").upload_id
    fourth = Store(root).add_upload("actuals", rows(COMMUNES[0], 40.0), file_name="4.csv",
                                    content=b"file 4").upload_id
    replica = Store(root)
    assert [(e["upload_id"], e["seq"]) for e in replica.entries()] == [(first, 1), (second, 2), (third, 4), (fourth, 5)]
    [damaged] = replica.damaged_lines()
    assert (damaged.line, damaged.offset) == (3, len(b"".join((root / "journal.jsonl").read_bytes().splitlines(True)[:2])))
    assert damaged.message.startswith("Dòng 3 của tệp nhật ký thay đổi journal.jsonl bị bỏ qua: không đọc được")
    assert store.damaged_lines() == [damaged]

    # the running tables catch up past it, and a new replica builds them from the rest
    running.ensure_fresh(wait=True)
    uploads = {row[0] for row in running.sql("select upload_id from actuals_history where upload_id is not null").rows()}
    assert uploads == {first, second, third, fourth}
    assert {row[0] for row in history(root, data)} == {first, second, third, fourth}


def test_a_line_repeating_an_earlier_number_is_set_aside_never_counted_twice(tmp_path):
    data = make_data_dir(tmp_path / "data")
    root = tmp_path / "store"
    first, second = fill(Store(root), 2)
    journal = root / "journal.jsonl"
    lines = journal.read_bytes().splitlines(True)
    with journal.open("ab") as handle:
        handle.write(lines[0])  # the first upload's line again (a replayed write, a bad copy)
    later = Store(root).add_upload("actuals", rows(COMMUNES[2], 9.0), file_name="9.csv", content=b"9").upload_id

    store = Store(root)
    assert [(e["upload_id"], e["seq"]) for e in store.entries()] == [(first, 1), (second, 2), (later, 3)]
    [damaged] = store.damaged_lines()
    assert damaged.line == 3 and "số thứ tự 1 không lớn hơn số của các dòng trước (đã có đến 2)" in damaged.message
    counted = history(root, data)
    assert len([row for row in counted if row[0] == first]) == 3  # its three rows, once each
    assert len(counted) == 3 + 3 + 1


def test_a_journal_that_is_only_damaged_lines_still_takes_uploads(tmp_path):
    root = tmp_path / "store"
    root.mkdir()
    (root / "journal.jsonl").write_bytes(b"not json\n" + b'["a list"]\n' + b'{"seq":7,"action":"review"}\n')
    store = Store(root)
    upload_id = store.add_upload("actuals", rows(COMMUNES[0], 1.0), file_name="a.csv", content=b"a").upload_id
    assert [(e["upload_id"], e["seq"]) for e in Store(root).entries()] == [(upload_id, 8)]
    assert [(d.line, d.reason) for d in Store(root).damaged_lines()] == [
        (1, "không đọc được (không phải một dòng JSON hoàn chỉnh)"), (2, "không phải một thay đổi"),
        (3, "thay đổi “review” thiếu trường commune_id")]


def test_files_and_their_folders_reach_the_disk_before_the_journal_line_naming_them(tmp_path, monkeypatch):
    """A power cut right after the journal line must not leave a line naming a file the disk
    never got: the rows, the file as sent, the evidence and their folders are flushed first."""
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    root = tmp_path / "store"
    store = Store(root)
    sha = store.put_blob(b"%PDF-1.7\n%%EOF\n")
    receipt = store.add_upload("actuals", rows(COMMUNES[0], 1.0), file_name="thang3.csv", content=b"a",
                               original=b"a;b\n", evidence=[{"name": "b.pdf", "sha256": sha, "type": "pdf", "size": 15}])
    journal = str(root / "journal.jsonl")
    committed = len(synced) - 1 - synced[::-1].index(journal)  # the commit: the journal's last flush
    before = synced[:committed]
    upload_id = receipt.upload_id

    def flushed_then_named(final: Path) -> bool:
        data = [i for i, path in enumerate(before) if path.startswith(f"{final}.") and path.endswith(".tmp")]
        folder = [i for i, path in enumerate(before) if path == str(final.parent)]
        return bool(data) and bool(folder) and max(folder) > min(data)

    assert flushed_then_named(root / "uploads" / "actuals" / f"{upload_id}.parquet")
    assert flushed_then_named(root / "originals" / f"{upload_id}.csv")
    assert flushed_then_named(store.blob_path(sha))
    # new folders are named in their parents too
    assert str(root / "uploads") in before and str(root / "blobs") in before


def test_a_reader_starting_after_a_damaged_line_judges_the_lines_as_one_reading_from_the_start(tmp_path):
    """A replica opening a snapshot reads the journal from the snapshot's offset on: the lines
    before it still decide which later numbers are new, and line numbers stay those of the file."""
    from queries.store.journal import Journal

    root = tmp_path / "store"
    store = Store(root)
    fill(store, 2)
    with (root / "journal.jsonl").open("ab") as journal:
        journal.write(DAMAGED)
    fill_more = store.add_upload("actuals", rows(COMMUNES[1], 5.0), file_name="5.csv", content=b"5").upload_id
    snapshot_offset = (root / "journal.jsonl").stat().st_size
    first_line = (root / "journal.jsonl").read_bytes().splitlines(True)[0]
    with (root / "journal.jsonl").open("ab") as journal:
        journal.write(first_line)  # line 5 repeats seq 1
    last = store.add_upload("actuals", rows(COMMUNES[2], 6.0), file_name="6.csv", content=b"6").upload_id

    late = Journal(root)
    entries, end = late.read(snapshot_offset)
    assert [e["upload_id"] for e in entries] == [last] and end == (root / "journal.jsonl").stat().st_size
    assert [d.line for d in late.damaged] == [3, 5]
    everything, _ = late.read(0)
    assert [e["seq"] for e in everything] == [1, 2, 4, 5] and everything[2]["upload_id"] == fill_more
    fresh = Journal(root)
    assert fresh.read(0)[0] == everything and fresh.damaged == late.damaged
