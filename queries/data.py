"""The one declared way to the data: what the importer, changes and exports need of a database.

Two classes answer it: `queries.db.Database` (every table, for pages and exports) and
`queries.ingest.catalog.CatalogDatabase` (the few tables the command line's importer needs,
read on first question so a one-row upload stays cheap). Code that takes a `db` says
`DataSource` and never asks which of the two it holds.

Every statement lives in `queries/sql/<name>.sql`; `run(name, **params)` runs one with its
values bound.
"""
from __future__ import annotations

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


class DataSource(Protocol):
    store: object  # the user store (queries.store.Store)
    settings: dict

    def run(self, name: str, **params) -> pl.DataFrame:
        """Run `queries/sql/<name>.sql` with `params` bound; the answer as a Polars frame."""
        ...

    def first_target_year(self) -> int | None:
        """The first year any target is set for: the oldest month an upload may carry."""
        ...
