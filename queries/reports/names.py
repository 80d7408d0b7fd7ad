"""Indicators' names in the interface's language: the catalog (data/indicators.csv) gives each
indicator a Vietnamese name (name_vi, what the queries return as indicator_name) and an English
one (name_en). Names of communes, provinces, units and documents are never translated.

`run` is any way to ask a query by name: a Database's or a reader's `run`, or the pages' cached
`ui.state.query`.

    indicator_name("XH05", run)              -> 'Tỷ lệ …' or, on an English page, 'Share of …'
    with_indicator_names(frame, run)         -> frame whose indicator_name follows the language
"""
from __future__ import annotations

from collections.abc import Callable

import polars as pl

from queries import i18n

Run = Callable[..., pl.DataFrame]


def indicator_names(run: Run, language: str | None = None) -> dict[str, str]:
    """{code: name} of every indicator of the catalog, in `language` (default: the current
    one); an indicator without an English name keeps its Vietnamese one."""
    catalog = run("indicator_catalog")
    english = (language or i18n.current()) == "en"
    return {code: (en if english and en else vi)
            for code, vi, en in zip(catalog["code"].to_list(), catalog["name_vi"].to_list(),
                                    catalog["name_en"].to_list())}


def indicator_name(code: str, run: Run, language: str | None = None) -> str:
    """One indicator's name in the language; the code itself when the catalog lacks it."""
    return indicator_names(run, language).get(code, code)


def with_indicator_names(frame: pl.DataFrame, run: Run, code: str = "indicator",
                         column: str = "indicator_name") -> pl.DataFrame:
    """`frame` with `column` in the interface's language (unchanged in Vietnamese, where the
    queries already give name_vi; a code missing from the catalog keeps the name it had)."""
    if i18n.current() != "en" or column not in frame.columns:
        return frame
    names = indicator_names(run, "en")
    return frame.with_columns(pl.col(code).replace_strict(names, default=None, return_dtype=pl.Utf8)
                              .fill_null(pl.col(column)).alias(column))
