"""Download buttons shared by every page: charts as PNG and SVG, tables as .xlsx and CSV.

Files are made only when the button is clicked (Streamlit calls the function then), so
showing a page never pays for an export.
"""
from __future__ import annotations

import altair as alt
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries.images import chart_to_image
from queries.tables import to_csv_bytes, to_xlsx_bytes
from queries.text import slug


def chart_downloads(chart: go.Figure | alt.TopLevelMixin, name: str, key: str) -> None:
    left, right, _ = st.columns([1, 1, 6])
    base = slug(name) or "bieu-do"
    left.download_button("⬇ PNG", data=lambda: chart_to_image(chart, "png"), file_name=f"{base}.png",
                         mime="image/png", key=f"{key}-png", on_click="ignore")
    right.download_button("⬇ SVG", data=lambda: chart_to_image(chart, "svg"), file_name=f"{base}.svg",
                          mime="image/svg+xml", key=f"{key}-svg", on_click="ignore")


def table_downloads(frame: pl.DataFrame, name: str, key: str, headings: dict[str, str] | None = None,
                    number_formats: dict[str, str] | None = None, title: str | None = None) -> None:
    left, right, _ = st.columns([1, 1, 6])
    base = slug(name) or "bang"
    left.download_button(
        "⬇ Excel", key=f"{key}-xlsx", on_click="ignore", file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        data=lambda: to_xlsx_bytes({name[:31]: frame}, headings=headings,
                                   number_formats=number_formats, title=title or name),
    )
    right.download_button("⬇ CSV", key=f"{key}-csv", on_click="ignore", file_name=f"{base}.csv",
                          mime="text/csv", data=lambda: to_csv_bytes(frame, headings))
