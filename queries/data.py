"""The one declared way to the data: what the importer, changes and exports need of a database.

Two classes answer it: `queries.db.Database` (every table, for pages and exports) and
`queries.ingest.catalog.CatalogDatabase` (the few tables the command line's importer needs,
read on first question so a one-row upload stays cheap); `queries.reading.ScopedReader`
answers it too, as a Database limited to what one person may read. Code that takes a `db`
says `DataSource` and never asks which one it holds.

Every statement lives in `queries/sql/<name>.sql`; `run(name, **params)` runs one with its
values bound. A file begins with header lines, `-- key: value`:

    -- columns: a, b, c        the answer's columns, in order (tests/test_sql_columns.py checks)
    -- example: x=1, y=null    values the check runs it with (a date, a number, null, text)
    -- needs: score_cache(p)   what the Database prepares first (queries.db: the score cache
                               of the month in parameter p and the month before)
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # polars is imported by the implementations; a Protocol only names it
    import polars as pl

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql_text(name: str) -> str:
    """The text of `queries/sql/<name>.sql` (read once per process)."""
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


HEADER_KEYS = ("columns", "example", "needs", "reads")


@cache
def sql_header(name: str) -> dict[str, str]:
    """The `-- columns:`, `-- example:`, `-- needs:` and `-- reads:` lines among the comments a
    statement's file begins with. `reads: province` promises that, asked about a province or a
    commune, the answer reads only that province's communes (and the reference tables);
    `reads: targets` that it reads only targets, the commune catalog and reference tables;
    `reads: reference` that it reads only what the shipped files, the settings, the frameworks
    loaded and the commune catalog hold (each of these moves every key when it changes). They
    let an answer stay cached while other provinces upload, or while results arrive
    (queries.db.Database.version_for)."""
    header: dict[str, str] = {}
    for line in sql_text(name).splitlines():
        if not line.startswith("--"):
            break
        found = re.fullmatch(r"--\s*([a-z]+):\s*(.*?)\s*", line)
        if found is not None and found[1] in HEADER_KEYS:
            header[found[1]] = found[2]
    return header


class _ArrowStream:
    """Holds one relation's Arrow stream for Polars to read. Polars remembers the class of
    every object it is given (an unbounded cache); this one has no methods, so that cache keeps
    no DuckDB class, module or connection alive past the end of the process (where they made
    DuckDB's binding print "leaked instances" on every command line's exit)."""

    __slots__ = ("__arrow_c_stream__",)


def frame(relation) -> pl.DataFrame:
    """A DuckDB relation's rows as a Polars frame, through the Arrow C stream interface:
    `relation.pl()` goes through pyarrow, whose import (with numpy) cost a new process more
    than the query itself (0.3 s against 0.01 s for a national ranking)."""
    import polars as pl  # already imported by every caller (DuckDB relations come with it)

    stream = _ArrowStream()
    stream.__arrow_c_stream__ = relation.__arrow_c_stream__
    return pl.DataFrame(stream)


def columns_of(name: str) -> list[str]:
    """The answer's columns as the file's `-- columns:` line lists them."""
    return [c.strip() for c in sql_header(name)["columns"].split(",")]


@cache
def typed_columns(name: str) -> str:
    """The column list of a statement written `select <list> from raw_rows` (queries/sql/typed/):
    how a kind of row is typed when read, which the engine writes before a row's origin."""
    body = "\n".join(line for line in sql_text(name).splitlines() if not line.lstrip().startswith("--"))
    found = re.fullmatch(r"\s*select\s+(.*?)\s+from\s+raw_rows\s*", body, flags=re.DOTALL | re.IGNORECASE)
    if found is None:
        raise ValueError(f"{name}.sql is not 'select <columns> from raw_rows'")
    return found[1]


class DataSource(Protocol):
    store: object  # the user store (queries.store.Store)
    settings: dict

    def run(self, name: str, **params) -> pl.DataFrame:
        """Run `queries/sql/<name>.sql` with `params` bound; the answer as a Polars frame."""
        ...

    def first_target_year(self) -> int | None:
        """The first year any target is set for: the oldest month an upload may carry."""
        ...
