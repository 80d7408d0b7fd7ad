"""What checking and storing one file needs, and no more: the catalog database of the importer.

`queries.db.Database` builds every table of the store (at national scale, seconds and a few
hundred MB) so that pages can score communes. Checking a file only asks which indicators and
communes exist, the first target year (the oldest month accepted) and, for task statuses,
the plans' tasks; storing it asks for the store and the settings. `CatalogDatabase` answers
those from the files directly, on a small in-memory DuckDB:

    indicators   data/indicators.csv
    communes     the communes in force, as queries/engine/build.py decides them: shipped
                 data/communes.csv, then the demo store (when the setting include_demo is on),
                 then the user store; the newest active upload wins per commune_id
    tasks        data/tasks.csv (the plans' tasks; uploads of kind 'tasks' are statuses)
    upload_communes  a view (upload_id, priority, commune_id) over the stores' upload files,
                 read only when asked: which communes an upload touched, for undo and redo
                 (queries.accounts.audit.upload_communes)
    first_target_year()  min(year) of the shipped targets and the active target uploads

It has what queries/changes.py uses of a Database (`store`, `settings`, `sql`), so the command
line stores, undoes and redoes through the same door as the page. Tables are read on the
first question, so storing alone costs nothing more than the store.
"""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl

from queries.data import frame, sql_text
from queries.engine.build import CASTS, SHIPPED_CSV
from queries.plans.tasks import TASK_CASTS, TASK_COLUMNS
from queries.settings import DATA_DIR
from queries.store import open_sources

_UPLOADS_SCHEMA = {"upload_id": pl.Utf8, "seq": pl.Int64, "active": pl.Boolean, "priority": pl.Int32}


class CatalogDatabase:
    def __init__(self, store: str | Path | None = None, include_demo: bool | None = None,
                 data_dir: str | Path = DATA_DIR):
        self.data_dir = Path(data_dir)
        self.store, self.settings, self.sources = open_sources(store, include_demo)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._first_year: tuple[int | None] | None = None
        self._lock = threading.Lock()

    # ---- the questions -------------------------------------------------------------------
    def sql(self, query: str, **params) -> pl.DataFrame:
        """Ad-hoc SQL over the catalog tables (values bound, as in queries.db.Database.sql)."""
        cursor = self._connection().cursor()
        try:
            return frame(cursor.sql(query, params=params or None))
        finally:
            cursor.close()

    def run(self, name: str, **params) -> pl.DataFrame:
        """`queries/sql/<name>.sql` over the catalog tables, values bound."""
        return self.sql(sql_text(name), **params)

    def first_target_year(self) -> int | None:
        """The first year any target is set for: shipped targets and active target uploads
        (the row in force of a key has the key's year, so active rows give the same minimum)."""
        if self._first_year is None:
            years = []
            shipped = self.data_dir / SHIPPED_CSV["targets"]
            con = self._connection().cursor()
            try:
                if shipped.exists():
                    years.append(con.execute("select min(try_cast(year as INTEGER)) from read_csv($p, header=true, "
                                             "all_varchar=true)", {"p": str(shipped)}).fetchone()[0])
                for priority, (_, store) in enumerate(self.sources, start=1):
                    files = [str(p) for p in store.data_files("targets")]
                    if not files:
                        continue
                    con.execute("""select min(d.year::INTEGER) from read_parquet($files, union_by_name=true) as d
                        join catalog_uploads as u on u.upload_id = d.upload_id and u.priority = $priority
                        where u.active""", {"files": files, "priority": priority})
                    years.append(con.fetchone()[0])
            finally:
                con.close()
            found = [int(y) for y in years if y is not None]
            self._first_year = (min(found) if found else None,)
        return self._first_year[0]

    # ---- building the tables ----------------------------------------------------------------
    def _connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                con = duckdb.connect()
                try:
                    self._load(con)
                except Exception:
                    con.close()
                    raise
                self._con = con
            return self._con

    def _uploads(self) -> pl.DataFrame:
        rows = [{"upload_id": entry["upload_id"], "seq": int(entry.get("seq") or 0), "active": bool(entry["active"]),
                 "priority": priority}
                for priority, (_, store) in enumerate(self.sources, start=1) for entry in store.entries()]
        return pl.DataFrame(rows, schema=_UPLOADS_SCHEMA, orient="row")

    def _load(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("create table indicators as select * from read_csv($p, header=true, all_varchar=true)",
                    {"p": str(self.data_dir / "indicators.csv")})
        tasks = self.data_dir / "tasks.csv"
        if tasks.exists():
            con.execute(f"create table tasks as select {TASK_CASTS} from read_csv($p, header=true, all_varchar=true)",
                        {"p": str(tasks)})
        else:
            con.execute(f"create table tasks as select {TASK_CASTS} from (select "
                        + ", ".join(f"null::VARCHAR as {c}" for c in TASK_COLUMNS) + " where false)")
        uploads = self._uploads()
        con.register("catalog_uploads_frame", uploads)
        con.execute("create table catalog_uploads as select * from catalog_uploads_frame")
        con.unregister("catalog_uploads_frame")
        self._load_communes(con)
        # Which communes each upload touched (the Database's table upload_communes): views
        # over the upload files, read only when an undo or redo asks.
        touched = ["select null::VARCHAR as upload_id, null::INTEGER as priority, null::VARCHAR as commune_id where false"]
        for priority, (_, store) in enumerate(self.sources, start=1):
            for kind in CASTS:
                files = [str(p) for p in store.data_files(kind)]
                if files:
                    # Plain text in the SQL: the paths come from the stores' journals, never a user.
                    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                    touched.append(f"""select distinct upload_id, {priority} as priority, commune_id
                        from read_parquet([{listed}], union_by_name=true) where upload_id is not null""")
        con.execute("create view upload_communes as " + "\nunion\n".join(touched))

    def _load_communes(self, con: duckdb.DuckDBPyConnection) -> None:
        """The communes in force, by the rule of queries/engine/build.py: shipped, then the
        demo store, then the user store; within a store the newest active upload, and within
        a file the later row."""
        parts = [f"""select {CASTS['communes']}, 0 as priority, null::BIGINT as seq, null::INTEGER as row_number
            from (select {", ".join(f"null::VARCHAR as {c}" for c in ('commune_id', 'commune_code', 'commune_name',
                                                                       'province', 'adult_population',
                                                                       'population_15plus',
                                                                       'working_age_population', 'is_demo'))}
                  where false)"""]
        params: dict[str, object] = {}
        shipped = self.data_dir / SHIPPED_CSV["communes"]
        if shipped.exists():
            params["shipped"] = str(shipped)
            parts.append(f"""select {CASTS['communes']}, 0 as priority, null::BIGINT as seq, null::INTEGER as row_number
                from read_csv($shipped, header=true, all_varchar=true)""")
        for priority, (_, store) in enumerate(self.sources, start=1):
            files = [str(p) for p in store.data_files("communes")]
            if not files:
                continue
            params[f"files_{priority}"] = files
            parts.append(f"""select {CASTS['communes']}, u.priority, u.seq, d.row_number::INTEGER as row_number
                from read_parquet($files_{priority}, union_by_name=true) as d
                join catalog_uploads as u on u.upload_id = d.upload_id and u.priority = {priority}
                where u.active""")
        con.execute(
            "create table communes as select * exclude (priority, seq, row_number) from ("
            + "\nunion all by name\n".join(parts)
            + """) qualify row_number() over (partition by commune_id
                    order by priority desc, seq desc nulls last, row_number desc nulls last) = 1
            order by commune_id""",
            params or None)
