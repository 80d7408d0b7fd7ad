"""The one place pages get data from: a cached Database and cached query results.

Results are cached per version of the tables, so an upload or an undo shows as soon as the
tables have taken it in (a moment later, in the background), and for `ttl` seconds otherwise.
"""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.db import Database, get_database


@st.cache_resource
def database() -> Database:
    # Background refresh: a page answers from the last complete tables at once; an upload
    # elsewhere (another session, another replica) shows a moment later, never by blocking.
    return get_database(background=True)


@st.cache_data(ttl=600, show_spinner=False)
def _cached(name: str, version: tuple, params: tuple) -> pl.DataFrame:
    return database().run_query(name, **dict(params))


def query(name: str, **params) -> pl.DataFrame:
    db = database()
    return _cached(name, db.version(), tuple(sorted(params.items())))
