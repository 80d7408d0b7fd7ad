"""Every statement of queries/sql answers the columns its `-- columns:` line lists, in order,
as dbt checks a model against its schema; and no SQL is written anywhere else.

- A query (queries/sql/<name>.sql) runs on the tiny fixture with the values of its
  `-- example:` line; the statements the importer's catalog database answers run on it too.
- The table macros of derived/, macros/ and cache/ are DDL: after a build the macro exists,
  each derived table exists, and both answer the header's columns.
- typed/ holds how each kind of row is typed when read (`select <casts> from raw_rows`): it runs
  over a relation of text columns, and types every column the store writes of that kind.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from queries.data import SQL_DIR, DataSource, columns_of, sql_header, sql_text
from queries.db import Database, score_months_needed
from queries.ingest.catalog import CatalogDatabase
from queries.plans.tasks import TASK_COLUMNS
from queries.reading import ScopedReader
from queries.store import ROW_SCHEMAS
from tests.conftest import FIXTURE_DIR

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted(path.stem for path in SQL_DIR.glob("*.sql"))
DERIVED = sorted(path.stem for path in (SQL_DIR / "derived").glob("*.sql"))
MACROS = sorted(f"{folder}/{path.stem}" for folder in ("macros", "cache")
                for path in (SQL_DIR / folder).glob("*.sql"))
TYPED = sorted(path.stem for path in (SQL_DIR / "typed").glob("*.sql"))
# What queries.changes, queries.accounts and the template export ask of the importer's catalog.
CATALOG_QUERIES = ("commune_name_province", "commune_provinces", "plan_task", "upload_communes",
                   "commune_catalog", "province_names")


def example_params(name: str) -> dict:
    """`-- example: a=2026-06-01, b=null, c=[x; y], d=Thử Nghiệm` as values to bind."""
    text = sql_header(name).get("example")
    if not text:
        return {}
    params = {}
    for part in text.split(", "):
        key, value = part.split("=", 1)
        params[key.strip()] = _value(value.strip())
    return params


def _value(text: str):
    if text == "null":
        return None
    if text.startswith("[") and text.endswith("]"):
        return [_value(item.strip()) for item in text[1:-1].split(";")]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return date.fromisoformat(text)
    if re.fullmatch(r"\d{4}-\d\d-\d\dT.+", text):
        return datetime.fromisoformat(text)
    return text


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    built = Database(store=tmp_path_factory.mktemp("sql-columns") / "store", include_demo=False,
                     data_dir=FIXTURE_DIR)
    built.ensure_fresh()
    return built


def test_every_sql_file_begins_with_its_columns():
    for path in sorted(SQL_DIR.rglob("*.sql")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.fullmatch(r"-- columns: \w+(, \w+)*", first), f"{path.relative_to(SQL_DIR)}: {first!r}"


@pytest.mark.parametrize("name", QUERIES)
def test_query_answers_its_columns(db, name):
    assert db.run(name, **example_params(name)).columns == columns_of(name)


@pytest.mark.parametrize("name", CATALOG_QUERIES)
def test_catalog_database_answers_the_same_columns(tmp_path, name):
    catalog = CatalogDatabase(tmp_path / "store", include_demo=False, data_dir=FIXTURE_DIR)
    assert catalog.run(name, **example_params(name)).columns == columns_of(name)


def _columns(db: Database, relation: str) -> list[str]:
    return [d[0] for d in db._cursor().execute(f"select * from {relation} limit 0").description]


@pytest.mark.parametrize("name", DERIVED)
def test_derived_table_and_its_macro_answer_the_columns(db, name):
    table = name.split("_", 1)[1]
    expected = columns_of(f"derived/{name}")
    assert _columns(db, table) == expected
    assert _columns(db, f"{table}_in_scope()") == expected


@pytest.mark.parametrize("name", MACROS)
def test_table_macro_exists_after_a_build_and_answers_the_columns(db, name):
    macro, arguments = re.search(r"create or replace macro (\w+)\(([^)]*)\) as table", sql_text(name)).groups()
    found = db._cursor().execute(
        "select parameters from duckdb_functions() where function_name = $m and function_type = 'table_macro'",
        {"m": macro}).fetchall()
    assert found, f"{macro} was not created by the build"
    assert len(found[0][0]) == len([a for a in arguments.split(",") if a.strip()])
    nulls = ", ".join("null" for _ in found[0][0])
    assert _columns(db, f"{macro}({nulls})") == columns_of(name)


@pytest.mark.parametrize("kind", TYPED)
def test_typed_rows_cover_what_the_store_writes(kind):
    name = f"typed/{kind}"
    read = [c for c in ROW_SCHEMAS[kind] if c != "row_number"] if kind in ROW_SCHEMAS else list(TASK_COLUMNS)
    raw = ", ".join(f"null::VARCHAR as {c}" for c in read)
    answer = duckdb.connect().execute(f"with raw_rows as (select {raw} where false)\n{sql_text(name)}")
    assert [d[0] for d in answer.description] == columns_of(name) == read


def test_each_way_to_the_data_answers_the_protocol(db, tmp_path):
    members = {"run", "first_target_year", *DataSource.__annotations__}
    catalog = CatalogDatabase(tmp_path / "store", include_demo=False, data_dir=FIXTURE_DIR)
    for source in (db, catalog, ScopedReader(db, ["Thử Nghiệm"])):
        assert {m for m in members if not hasattr(source, m)} == set(), type(source).__name__
        assert source.first_target_year() == db.first_target_year()
        assert source.run("province_names")["province"].to_list() == (
            ["Thử Nghiệm"] if isinstance(source, ScopedReader) else ["Khác", "Thử Nghiệm"])


def test_a_needs_line_says_which_months_of_the_score_cache_a_query_reads():
    assert score_months_needed("ranking_by_month", {"period": date(2026, 1, 15)}) == [date(2025, 12, 1),
                                                                                      date(2026, 1, 1)]
    assert score_months_needed("indicator_status", {"period": date(2026, 1, 1)}) == []


# Where SQL may still be written in Python: the engine that builds the tables (DDL over
# table names it chooses), the Database itself, the importer (its statements are moving
# to queries/sql/catalog/ separately), and the PostgreSQL storage: a backend's own short
# statements on its own tables (queries/store/, whose schema is queries/store/schema/*.sql;
# queries/accounts/pg_*.py; the migration command), like the engine's, not analytics.
SQL_IN_PYTHON_ALLOWED = ("queries/db.py", "queries/engine/", "queries/ingest/", "queries/store/",
                         "queries/accounts/pg_", "queries/migrate.py")
SQL_CALL = re.compile(r"\.(sql|execute|executemany)\(")


def test_no_sql_outside_queries_sql():
    found = []
    for folder in ("queries", "ui", "app_pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(SQL_IN_PYTHON_ALLOWED):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if SQL_CALL.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    found += [f"dashboard.py: {line.strip()}" for line in (ROOT / "dashboard.py").read_text().splitlines()
              if SQL_CALL.search(line)]
    assert not found, "SQL outside queries/sql (use db.run(name, …)):\n" + "\n".join(found)
