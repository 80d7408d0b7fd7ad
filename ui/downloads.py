"""Download buttons shared by every page: charts as PNG and SVG, tables as .xlsx and CSV, and
the meeting pack (PDF) of a province and month.

Files are made only when the button is clicked (Streamlit calls the function then), so
showing a page never pays for an export.
"""
from __future__ import annotations

from datetime import date

import altair as alt
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries.i18n import _
from queries.reports.images import chart_to_image
from queries.reports.pack_name import pack_file_name
from queries.spreadsheet import to_csv_bytes
from queries.text import slug
from ui.state import reader

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_downloads(chart: go.Figure | alt.TopLevelMixin, name: str, key: str, *,
                    title: str | None = None, caption: str | None = None) -> None:
    """PNG and SVG of a chart. `title` is drawn on the image when the chart has none (a page
    that shows its title as a heading); `caption` (province, month, demo label) goes under it."""
    row = st.container(horizontal=True, gap="small")  # buttons of their own width, wrapping when narrow
    base = slug(name) or "bieu-do"
    row.download_button("⬇ PNG", data=lambda: chart_to_image(chart, "png", title=title or name, caption=caption),
                         file_name=f"{base}.png", mime="image/png", key=f"{key}-png", on_click="ignore")
    row.download_button("⬇ SVG", data=lambda: chart_to_image(chart, "svg", title=title or name, caption=caption),
                          file_name=f"{base}.svg", mime="image/svg+xml", key=f"{key}-svg", on_click="ignore")


def table_downloads(frame: pl.DataFrame, name: str, key: str, headings: dict[str, str] | None = None,
                    number_formats: dict[str, str] | None = None, title: str | None = None) -> None:
    row = st.container(horizontal=True, gap="small")
    base = slug(name) or "bang"

    def xlsx() -> bytes:
        from queries.reports.tables import to_xlsx_bytes  # lazy: start-up time (openpyxl), only on the click

        return to_xlsx_bytes({name[:31]: frame}, headings=headings, number_formats=number_formats, title=title or name)

    row.download_button("⬇ Excel", key=f"{key}-xlsx", on_click="ignore", file_name=f"{base}.xlsx", mime=XLSX_MIME,
                        data=xlsx)
    row.download_button("⬇ CSV", key=f"{key}-csv", on_click="ignore", file_name=f"{base}.csv",
                          mime="text/csv", data=lambda: to_csv_bytes(frame, headings))


def pack_download(province: str, period: date, key: str = "pack", label: str | None = None) -> None:
    """One click: the meeting pack of a province and month (overview, ranking, each pillar,
    the communes most behind, what improved, the method note). Takes a few seconds."""
    label = label or _("⬇ Tài liệu họp (PDF)")
    scoped = reader()  # this session's scope, taken now: the file is made later, on the click

    def pdf() -> bytes:
        from queries.reports.pack import build_pack  # lazy: start-up time (fpdf, 24 MB), only on the click

        return build_pack(province, period, db=scoped)

    st.download_button(
        label, key=key, on_click="ignore", mime="application/pdf",
        file_name=pack_file_name(province, period),
        data=pdf,
        help=_("Tổng quan, xếp hạng, từng trụ cột, các xã cần hỗ trợ, tiến bộ và cách tính điểm — "
             "một tệp PDF khổ 16:9 để đính kèm biên bản hoặc trình chiếu."),
    )
