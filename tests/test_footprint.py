"""What a process costs before it answers: a new process ranks from the snapshot without
loading libraries the answer does not need; a page loads the Excel and PDF libraries only
when their download is clicked."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from queries.data import sql_text

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
