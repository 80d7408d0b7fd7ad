"""No Python function runs on Polars' worker threads: a `map_elements` (or map_batches, map_rows,
map_groups) function must take the GIL there, while another session's thread may hold it waiting
for those same workers, and a replica froze that way under twenty sessions. Pages compute such
columns with ui.format.per_row, on their own thread."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import polars as pl

from queries import i18n
from ui.format import per_row

ROOT = Path(__file__).resolve().parents[1]
PYTHON_IN_POLARS = {"map_elements", "map_batches", "map_rows", "map_groups"}


def test_no_python_function_is_handed_to_polars():
    files = [ROOT / "dashboard.py", ROOT / "serve.py",
             *(file for folder in ("ui", "app_pages", "queries", "web") for file in sorted((ROOT / folder).rglob("*.py")))]
    found = [f"{file.relative_to(ROOT)}:{node.lineno} {node.func.attr}"
             for file in files for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PYTHON_IN_POLARS]
    assert len(files) > 100 and not found, found


def test_per_row_keeps_nulls_rows_and_order():
    frame = pl.DataFrame({"a": [3, None, 1], "b": ["x", "y", None]})
    assert per_row(frame, "a", lambda v: v * 2, name="d", dtype=pl.Int64).to_list() == [6, None, 2]
    assert per_row(frame, "a", lambda v: "–" if v is None else str(v), name="t", skip_nulls=False).to_list() == ["3", "–", "1"]
    both = per_row(frame, ["a", "b"], lambda r: f"{r['a']}{r['b']}", name="ab")
    assert both.name == "ab" and both.dtype == pl.Utf8 and both.to_list() == ["3x", "Noney", "1None"]
    assert per_row(frame.head(0), "a", str, name="e").to_list() == []
    dates = pl.DataFrame({"d": [date(2026, 11, 1)]})
    assert per_row(dates, "d", lambda d: d.month, name="m", dtype=pl.Int64).to_list() == [11]


def test_per_row_runs_in_the_pages_language():
    frame = pl.DataFrame({"v": [1]})
    with i18n.use_language("en"):
        assert per_row(frame, "v", lambda _v: i18n._("Điểm tổng"), name="t").to_list() == ["Overall score"]
