"""A process's folders in the temporary folder (DuckDB's spill files, a private copy of the
snapshot) go when it ends, and so do those of a process that was killed outright."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

import queries.db as qdb
from queries.db import Database
from queries.engine import scratch
from tests.upload_data import make_data_dir

# A process with its tables open, so with DuckDB's spill folder made; it prints that folder and
# waits to be killed.
SERVE = """
import sys, time
from pathlib import Path
from queries.db import Database
db = Database(store=Path(sys.argv[1]), include_demo=False, data_dir=Path(sys.argv[2]))
db.ensure_fresh()
print(db._spill_dir, flush=True)
time.sleep(600)
"""


@pytest.fixture
def temporary(tmp_path, monkeypatch):
    """This test's own temporary folder, for this process and the ones it starts."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def serving(tmp_path, temporary) -> tuple[subprocess.Popen, str]:
    data_dir = tmp_path / "data"
    if not data_dir.exists():
        make_data_dir(data_dir)
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(tmp_path / "store"), str(data_dir)],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temporary)})
    return process, process.stdout.readline().strip()


def test_a_killed_replicas_spill_folder_goes_when_another_process_opens_its_tables(tmp_path, temporary):
    killed, killed_folder = serving(tmp_path, temporary)
    alive, alive_folder = serving(tmp_path, temporary)
    try:
        assert killed_folder.startswith(str(temporary / qdb.SPILL_PREFIX)), killed_folder
        os.kill(killed.pid, signal.SIGKILL)  # no exit handler runs
        killed.wait()
        assert os.path.isdir(killed_folder)

        db = Database(store=tmp_path / "store", include_demo=False, data_dir=tmp_path / "data")
        db.ensure_fresh()
        assert not os.path.exists(killed_folder)
        assert os.path.isdir(alive_folder)  # its process still runs
        assert db._spill_dir.is_dir() and db._spill_dir.parent == temporary  # noqa: SLF001
    finally:
        alive.kill()
        alive.wait()


def test_a_process_that_ends_normally_removes_its_own_folders(temporary):
    done = subprocess.run([sys.executable, "-c", "from queries.engine import scratch; "
                           "print(scratch.make('dti-spill-'), scratch.make('dti-tables-'))"],
                          capture_output=True, text=True, env={**os.environ, "TMPDIR": str(temporary)}, check=True)
    made = done.stdout.split()
    assert len(made) == 2 and all(name.startswith(str(temporary)) for name in made)
    assert list(temporary.iterdir()) == []


def test_folders_of_this_process_and_recent_unlocked_ones_stay(temporary):
    mine = scratch.make("dti-tables-")
    older_version = temporary / "dti-tables-old"  # made before folders held a lock
    older_version.mkdir()
    (older_version / "tables.duckdb").write_bytes(b"x")
    forgotten = temporary / "dti-tables-forgotten"
    forgotten.mkdir()
    (forgotten / "tables.duckdb").write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (forgotten / "tables.duckdb", forgotten):
        os.utime(path, (two_days_ago, two_days_ago))
    other_kind = temporary / "dti-spill-x"
    other_kind.mkdir()
    (other_kind / scratch.LOCK).touch()

    assert scratch.remove_abandoned("dti-tables-") == [forgotten]
    assert mine.is_dir() and older_version.is_dir() and other_kind.is_dir()
    scratch.remove(mine)
    assert not mine.exists()
