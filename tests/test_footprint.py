"""What a process costs before it answers, and the memory it may take: a new process ranks
from the snapshot without loading libraries the answer does not need; a page loads the Excel
and PDF libraries only when their download is clicked; DuckDB takes the memory and threads
the settings give it and spills into a folder of its own; the answers' cache stays bounded."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from queries.data import sql_text
from queries.db import Database
from queries.settings import InvalidSetting, checked_value

ROOT = Path(__file__).resolve().parents[1]
# Libraries a national ranking has no use for: pyarrow and numpy came with DuckDB's .pl().
NOT_NEEDED = ("pyarrow", "numpy", "pandas", "openpyxl", "fpdf", "argon2", "plotly", "altair", "streamlit")


def run_python(code: str, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DTI_STORE": str(store)})


def test_a_new_process_ranks_from_the_snapshot_loading_only_duckdb_and_polars(tmp_path, seed_tables):
    store = seed_tables(tmp_path / "store")
    done = run_python(
        "import sys; from datetime import date; from queries.db import Database; "
        "db = Database(); ranking = db.run_query('ranking_by_month', period=date(2026, 11, 1), province=None); "
        f"print(db.opened_from, ranking.height, sorted(m for m in {NOT_NEEDED!r} if m in sys.modules))",
        store)
    assert done.returncode == 0, done.stderr[-2000:]
    opened, height, loaded = done.stdout.split(" ", 2)
    assert (opened, loaded.strip()) == ("snapshot", "[]")
    assert int(height) > 0
    # Nothing on stderr at exit either (DuckDB's binding once listed "leaked instances" there
    # when Polars had read a relation's Arrow stream).
    assert done.stderr == ""


def test_answers_are_the_frames_duckdb_gives(fixture_db):
    for name, params in (("ranking_by_month", {"period": date(2026, 3, 1), "province": None}),
                         ("value_provenance", {"period": date(2026, 6, 1), "commune": "thu/an-binh"})):
        answer = fixture_db.run_query(name, **params)
        # The same statement read the library's way (through pyarrow): same types, same rows.
        expected = fixture_db._cursor().sql(sql_text(name), params=params).pl()  # noqa: SLF001
        assert answer.height > 0 and answer.schema == expected.schema and answer.equals(expected), name


def test_a_page_loads_the_excel_and_pdf_libraries_only_when_a_download_is_clicked(tmp_path, seed_tables):
    store = seed_tables(tmp_path / "store")
    done = run_python(
        "import sys; from streamlit.testing.v1 import AppTest; "
        "at = AppTest.from_file('dashboard.py', default_timeout=120); "
        "at.query_params.update({'tinh': 'Minh Họa', 'thang': '2026-11'}); at.run(); "
        "buttons = [b.proto.label for b in at.get('download_button')]; "
        "print(not at.exception, 'Excel' in str(buttons) and 'PDF' in str(buttons), "
        "sorted(m for m in ('openpyxl', 'fpdf') if m in sys.modules))",
        store)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True True []"


def _engine(db: Database) -> tuple:
    return db.sql("select current_setting('memory_limit') as m, current_setting('threads') as t, "
                  "current_setting('temp_directory') as d").row(0)


def test_duckdb_takes_the_memory_and_threads_the_settings_give(tmp_path, seed_tables):
    store = seed_tables(tmp_path / "store")
    (store / "settings.json").write_text(json.dumps({"duckdb_memory_mb": 256, "duckdb_threads": 1}), encoding="utf-8")
    db = Database(store=store)
    memory, threads, spill = _engine(db)
    assert (memory, threads, db.opened_from) == ("256.0 MiB", 1, "snapshot")
    # Spilling goes to a folder of this process: not beside the snapshot every replica opens,
    # not into the working directory.
    assert Path(spill).name.startswith("dti-spill-") and store not in Path(spill).parents

    # A change applies to the open tables at once, without copying or rebuilding them.
    (store / "settings.json").write_text(json.dumps({"duckdb_memory_mb": 300, "duckdb_threads": 2}), encoding="utf-8")
    assert _engine(db)[:2] == ("300.0 MiB", 2)
    assert db.builds_from_files == 0 and db._read_only_snapshot is not None  # noqa: SLF001


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("duckdb_memory_mb", 64, "duckdb_memory_mb: phải là số nguyên từ 128 đến 65.536."),
    ("duckdb_threads", 0, "duckdb_threads: phải là số nguyên từ 1 đến 64."),
    ("duckdb_threads", 1.5, "duckdb_threads: phải là số nguyên từ 1 đến 64."),
])
def test_engine_settings_out_of_bounds_are_refused_in_vietnamese(name, value, reason):
    with pytest.raises(InvalidSetting) as refused:
        checked_value(name, value)
    assert refused.value.message == reason


def _cached_bytes() -> int:
    from streamlit.runtime.caching.cache_data_api import _data_caches

    return sum(stat.byte_length for stats in _data_caches.get_stats().values() for stat in stats
               if stat.cache_name.endswith("._cached"))


def test_the_answers_cache_stays_bounded_however_many_versions_pass(fixture_db, monkeypatch):
    import ui.state

    monkeypatch.setattr(ui.state, "get_database", lambda *args, **kwargs: fixture_db)
    ui.state.database.clear()
    ui.state._cached.clear()  # noqa: SLF001
    try:
        ui.state._cached("pillar_weights", (0,), (), None)  # noqa: SLF001
        one = _cached_bytes()
        # Every upload makes a new version of the tables, so every answer a new cache key.
        for version in range(1, 300):
            ui.state._cached("pillar_weights", (version,), (), None)  # noqa: SLF001
        assert 0 < one and _cached_bytes() <= 256 * one
    finally:
        ui.state._cached.clear()  # noqa: SLF001
        ui.state.database.clear()
