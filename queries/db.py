"""One small entry point for every caller: `run_query(name, **params) -> polars.DataFrame`.

A Database holds an in-memory DuckDB connection whose tables are read from the shipped
files in `data/`, the shipped demo store `data/demo/` and the user store (DTI_STORE), all
CSV/Parquet. The tables are rebuilt whenever a store's version changes (an upload, an undo,
a compaction), so every query sees the same consistent snapshot and ranking stays fast.
Each query runs on its own cursor: Streamlit sessions are threads, and one DuckDB
connection refuses concurrent use.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from queries.settings import DATA_DIR, DEMO_STORE, PILLARS, load_settings, store_dir
from queries.store import Store

SQL_DIR = Path(__file__).resolve().parent / "sql"

ACTUAL_COLUMNS = """commune_id, indicator, period, value, numerator, denominator, note"""
TARGET_COLUMNS = """commune_id, indicator, year, comparator, target, target_text,
    lead_unit, partner_units, source_doc, source_item, note"""
COMMUNE_COLUMNS = """commune_id, commune_code, commune_name, province, adult_population,
    population_15plus, working_age_population, is_demo"""

# How each kind of row is typed when it is read, whatever file it comes from.
CASTS = {
    "actuals": """commune_id::VARCHAR AS commune_id, indicator::VARCHAR AS indicator,
        period::DATE AS period, value::DOUBLE AS value, numerator::DOUBLE AS numerator,
        denominator::DOUBLE AS denominator, note::VARCHAR AS note""",
    "targets": """commune_id::VARCHAR AS commune_id, indicator::VARCHAR AS indicator,
        year::INTEGER AS year, comparator::VARCHAR AS comparator, target::DOUBLE AS target,
        target_text::VARCHAR AS target_text, lead_unit::VARCHAR AS lead_unit,
        partner_units::VARCHAR AS partner_units, source_doc::VARCHAR AS source_doc,
        source_item::VARCHAR AS source_item, note::VARCHAR AS note""",
    "communes": """commune_id::VARCHAR AS commune_id, commune_code::VARCHAR AS commune_code,
        commune_name::VARCHAR AS commune_name, province::VARCHAR AS province,
        adult_population::DOUBLE AS adult_population,
        population_15plus::DOUBLE AS population_15plus,
        working_age_population::DOUBLE AS working_age_population,
        coalesce(is_demo::BOOLEAN, false) AS is_demo""",
}
# The key under which a newer row supersedes an older one.
KEYS = {
    "actuals": "commune_id, indicator, period",
    "targets": "commune_id, indicator, year",
    "communes": "commune_id",
}
SHIPPED_CSV = {"actuals": "actuals.csv", "targets": "targets.csv", "communes": "communes.csv"}
# Shipped CSV writes months as 'YYYY-MM', which people read more easily than dates.
SHIPPED_REPLACE = {"actuals": "replace (period || '-01' as period)"}


@cache
def sql_text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


class Database:
    def __init__(
        self,
        store: str | Path | None = None,
        include_demo: bool | None = None,
        data_dir: str | Path = DATA_DIR,
    ):
        self.data_dir = Path(data_dir)
        self.store = Store(store_dir(store))
        self.settings = load_settings(self.store.root)
        if include_demo is None:
            include_demo = bool(self.settings["include_demo"])
        self.sources: list[tuple[str, Store]] = []
        if include_demo and DEMO_STORE.exists():
            self.sources.append(("demo", Store(DEMO_STORE, read_only=True)))
        self.sources.append(("upload", self.store))
        self._con = duckdb.connect()
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self.load_seconds = 0.0

    # ---- building the tables -------------------------------------------------------------
    def version(self) -> tuple:
        """Changes with any upload, undo or compaction, and with an edit of settings.json."""
        try:
            settings_stamp = os.stat(self.store.root / "settings.json").st_mtime_ns
        except FileNotFoundError:
            settings_stamp = 0
        return (*(s.version() for _, s in self.sources), settings_stamp)

    def ensure_fresh(self) -> None:
        current = self.version()
        if current == self._version:
            return
        with self._lock:
            if current == self._version:
                return
            for attempt in range(3):
                try:
                    self._build()
                    break
                except (duckdb.IOException, FileNotFoundError):
                    # A compaction removed a file between listing and reading: list again.
                    if attempt == 2:
                        raise
                    time.sleep(0.05)
            self._version = current

    def _build(self) -> None:
        started = time.perf_counter()
        # Weights and rules take effect without a restart; which stores are read does not.
        self.settings = load_settings(self.store.root)
        con = self._con.cursor()
        manifest = pl.concat(
            [s.manifest().with_columns(pl.lit(src).alias("source"), pl.lit(i + 1).alias("priority"))
             for i, (src, s) in enumerate(self.sources)],
            how="vertical",
        )
        con.register("manifest_frame", manifest)
        con.execute("begin transaction")
        con.execute("create or replace table uploads as select * from manifest_frame")
        con.unregister("manifest_frame")
        con.execute(
            """create or replace table indicators as
            select * from read_csv($path, header=true, all_varchar=true)""",
            {"path": str(self.data_dir / "indicators.csv")},
        )
        weights = [(code, name, float(self.settings[f"weight_{code}"]), i)
                   for i, (code, name) in enumerate(PILLARS)]
        con.execute("create or replace table pillars (code VARCHAR, name_vi VARCHAR, weight DOUBLE, sort_order INTEGER)")
        con.executemany("insert into pillars values (?, ?, ?, ?)", weights)
        con.execute("create or replace table settings (name VARCHAR, value VARCHAR)")
        con.executemany("insert into settings values (?, ?)",
                        [(k, str(v)) for k, v in self.settings.items()])
        for kind in ("communes", "targets", "actuals"):
            self._build_kind(con, kind)
        for path in sorted((SQL_DIR / "build").glob("*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
        for path in sorted((SQL_DIR / "macros").glob("*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
        con.execute("commit")
        self.load_seconds = time.perf_counter() - started

    def _build_kind(self, con: duckdb.DuckDBPyConnection, kind: str) -> None:
        """`<kind>_history`: every row ever loaded, with where it came from and whether it
        is active; `<kind>`: the rows in force (newest active upload wins per key)."""
        parts = [
            f"""select {CASTS[kind]}, 'plan' as source, 0 as priority, null::VARCHAR as upload_id,
                null::INTEGER as row_number, true as active
            from (select * {SHIPPED_REPLACE.get(kind, "")}
                  from read_csv($shipped_{kind}, header=true, all_varchar=true))"""
        ]
        params: dict[str, object] = {f"shipped_{kind}": str(self.data_dir / SHIPPED_CSV[kind])}
        for i, (_, store) in enumerate(self.sources):
            files = [str(p) for p in store.data_files(kind)]
            if not files:
                continue
            params[f"files_{i}"] = files
            parts.append(
                f"""select {CASTS[kind]}, u.source, u.priority, d.upload_id,
                    d.row_number::INTEGER as row_number, u.active
                from read_parquet($files_{i}, union_by_name=true) d
                join uploads u on u.upload_id = d.upload_id and u.priority = {i + 1}"""
            )
        con.execute(
            f"create or replace table {kind}_history as " + "\nunion all by name\n".join(parts),
            params,
        )
        con.execute(
            f"""create or replace table {kind} as
            select * exclude (active) from {kind}_history where active
            qualify row_number() over (
                partition by {KEYS[kind]}
                order by priority desc, upload_id desc nulls last, row_number desc nulls last) = 1"""
        )

    # ---- querying ------------------------------------------------------------------------
    def run_query(self, name: str, **params) -> pl.DataFrame:
        self.ensure_fresh()
        cursor = self._con.cursor()
        try:
            return cursor.sql(sql_text(name), params=params or None).pl()
        finally:
            cursor.close()

    def sql(self, query: str, **params) -> pl.DataFrame:
        """For tests and tools: ad-hoc SQL over the same tables (values still bound)."""
        self.ensure_fresh()
        cursor = self._con.cursor()
        try:
            return cursor.sql(query, params=params or None).pl()
        finally:
            cursor.close()


_databases: dict[tuple, Database] = {}
_databases_lock = threading.Lock()


def get_database(store: str | Path | None = None, include_demo: bool | None = None) -> Database:
    key = (str(store_dir(store)), include_demo)
    with _databases_lock:
        if key not in _databases:
            _databases[key] = Database(store, include_demo)
        return _databases[key]


def run_query(name: str, *, store: str | Path | None = None, **params) -> pl.DataFrame:
    return get_database(store).run_query(name, **params)


def month_start(value: date | str) -> date:
    """'2026-03', '2026-03-15' or a date -> date(2026, 3, 1)."""
    if isinstance(value, str):
        year, month = value[:7].split("-")
        return date(int(year), int(month), 1)
    return date(value.year, value.month, 1)


def previous_month(value: date) -> date:
    return date(value.year - 1, 12, 1) if value.month == 1 else date(value.year, value.month - 1, 1)
