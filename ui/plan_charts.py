"""Charts of the plans and the monthly cycle: tasks by office, the year-end projection, the
communes × months reporting grid. Same look as ui/charts.py, whose helpers they use."""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import plotly.graph_objects as go
import polars as pl

from queries.i18n import N_, _
from queries.status import PROJECTION_COLORS, REPORT_COLORS, TASK_COLORS
from queries.text import format_month
from ui.charts import MEDIAN, MUTED, PRIMARY, TEXT, _altair_look, _fmt_value, _plotly_look

# ---- tasks and the year-end projection ---------------------------------------------------------
TASK_STATUS_ORDER = (N_("Quá hạn"), N_("Chưa bắt đầu"), N_("Đang thực hiện"), N_("Hoàn thành"))
TASK_STATUS_COLORS = tuple(TASK_COLORS[code] for code in ("qua_han", "chua_bat_dau", "dang_thuc_hien", "hoan_thanh"))
TASK_STATUS_ICONS = ("⛔", "⬜", "🔄", "✅")


def task_status_bars(frame: pl.DataFrame, order: list[str] | None = None,
                     title: str | None = None) -> alt.TopLevelMixin:
    """How many tasks each office leads, stacked by status (overdue first, on the left).
    frame: office, status_label, n; `order` lists the offices top to bottom."""
    labels = {s: f"{icon} {_(s)}" for s, icon in zip(TASK_STATUS_ORDER, TASK_STATUS_ICONS)}
    data = frame.with_columns(
        pl.col("status_label").replace_strict({s: i for i, s in enumerate(TASK_STATUS_ORDER)}, default=9)
        .alias("order"),
        pl.col("status_label").replace_strict(labels, default=pl.col("status_label")).alias("status_text"),
        pl.col("status_label").replace_strict({s: _(s) for s in TASK_STATUS_ORDER}, default=pl.col("status_label"))
        .alias("status_name"),
    )
    n_rows = max(data["office"].n_unique(), 1)
    chart = alt.Chart(data).mark_bar(height={"band": 0.7}, stroke="white", strokeWidth=0.5).encode(
        y=alt.Y("office:N", title=None, sort=order or "ascending", axis=alt.Axis(labelLimit=260)),
        x=alt.X("n:Q", stack="zero", title=_("Số nhiệm vụ"), axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("status_name:N", title=None,
                        scale=alt.Scale(domain=[_(s) for s in TASK_STATUS_ORDER], range=list(TASK_STATUS_COLORS)),
                        legend=alt.Legend(orient="top", columns=4, symbolType="square", symbolStrokeColor="#3D4A57",
                                          symbolStrokeWidth=0.5)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("office:N", title=_("Đơn vị chủ trì")), alt.Tooltip("status_text:N", title=_("Tình trạng")),
                 alt.Tooltip("n:Q", title=_("Số nhiệm vụ"), format="d")],
    ).properties(height=max(30 * n_rows, 120))
    return _altair_look(chart, title)


PROJECTION_ICONS = {"Dự kiến đạt": "✅", "Dự kiến không đạt": "⚠️", "Chưa đủ dữ liệu dự báo": "❔"}


def projection_label(status: str | None) -> str:
    return "–" if status is None else f"{PROJECTION_ICONS.get(status, '')} {_(status)}".strip()


def _clip(value: float, unit: str | None) -> float:
    """The unit's range, as the projection macro clips it."""
    if unit == "percent":
        return min(max(value, 0.0), 100.0)
    if unit == "yes_no":
        return min(max(value, 0.0), 1.0)
    return max(value, 0.0)


def projection_chart(points: pl.DataFrame, projection: dict, unit_suffix: str,
                     title: str | None = None, height: int = 340) -> go.Figure:
    """One indicator through the year: the values reported (solid, with dots), the least-squares
    line through them carried to December (dashed, ending on the projected value), and the
    year's target (dotted). points: month_number, period, value; projection: a row of the
    projection_by_indicator query (slope, intercept, projected_year_end, projected_status,
    target, target_text, unit, year)."""
    year = projection["year"]
    unit = projection.get("unit")
    months = [date_of(year, m) for m in points["month_number"].to_list()]
    values = points["value"].to_list()
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=months, y=values, mode="lines+markers", name=_("Giá trị đã báo cáo"),
        line={"color": PRIMARY, "width": 2.5}, marker={"size": 7},
        customdata=[[format_month(m), _fmt_value(v, unit_suffix)] for m, v in zip(months, values)],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    ))
    status = projection.get("projected_status")
    if projection.get("slope") is not None and points.height:
        first = int(points["month_number"].min())
        xs = list(range(first, 13))
        ys = [_clip(projection["intercept"] + projection["slope"] * m, unit) for m in xs]
        ys[-1] = projection["projected_year_end"]
        colour = PROJECTION_COLORS.get(status, MUTED)
        fig.add_trace(go.Scatter(
            x=[date_of(year, m) for m in xs], y=ys, mode="lines", name=_("Xu hướng, dự báo tới tháng 12"),
            line={"color": colour, "width": 2, "dash": "dash"}, hoverinfo="skip",
        ))
        fig.add_trace(go.Scatter(
            x=[date_of(year, 12)], y=[ys[-1]], mode="markers+text", name=projection_label(status),
            marker={"size": 12, "color": colour, "symbol": "diamond", "line": {"width": 1, "color": TEXT}},
            text=[_fmt_value(ys[-1], unit_suffix)], textposition="top left", textfont={"size": 13},
            hovertemplate=_("Dự báo tháng 12/{year}: {fmt_value}<br>{projection_label}<extra></extra>").format(
                year=year,
                fmt_value=_fmt_value(ys[-1], unit_suffix),
                projection_label=projection_label(status)),
        ))
    if projection.get("target") is not None:
        target_text = projection.get("target_text") or _fmt_value(projection["target"], unit_suffix)
        fig.add_trace(go.Scatter(
            x=[date_of(year, 1), date_of(year, 12)], y=[projection["target"]] * 2, mode="lines",
            name=_("Mục tiêu năm: {target_text}").format(target_text=target_text), line={"color": MEDIAN, "width": 1.5,
                "dash": "dot"},
            hovertemplate=_("Mục tiêu năm {year}: {target_text}<extra></extra>").format(year=year, target_text=target_text),
        ))
    _plotly_look(fig, title=title, height=height)
    fig.update_xaxes(range=[date_of(year, 1) - _HALF_MONTH, date_of(year, 12) + _HALF_MONTH],
                     tickformat="%m/%Y", dtick="M1")
    y_axis = {"rangemode": "tozero", "title": {"text": unit_suffix.strip() or None}}
    if unit == "yes_no":
        y_axis.update(tickvals=[0, 1], ticktext=[_("Chưa"), _("Có")], range=[-0.15, 1.25])
    fig.update_yaxes(**y_axis)
    return fig


_HALF_MONTH = timedelta(days=15)


def date_of(year: int, month: int) -> date:
    return date(year, month, 1)


# ---- the monthly reporting cycle ---------------------------------------------------------
REPORT_GRID = (  # status, icon, name, cell colour
    ("dung_han", "✅", N_("Đúng hạn"), REPORT_COLORS["dung_han"]),
    ("tre_han", "⏰", N_("Trễ (số ngày)"), REPORT_COLORS["tre_han"]),
    ("chua_nop", "❌", N_("Chưa nộp"), REPORT_COLORS["chua_nop"]),
    ("chua_den_han", "⏳", N_("Chưa đến hạn"), REPORT_COLORS["chua_den_han"]),
)


def report_grid(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Communes × months of the monthly report: each cell coloured by status and marked with its
    icon (and the days late), the full words in the tooltip; the legend shows colour, icon and
    words together. frame: commune_name, month_label, status, days_late, detail (the tooltip);
    rows in the order given, months in the order given."""
    names = frame["commune_name"].unique(maintain_order=True).to_list()
    months = frame["month_label"].unique(maintain_order=True).to_list()
    legend = {status: f"{mark} {_(name)}" for status, mark, name, _colour in REPORT_GRID}
    icons = {status: mark for status, mark, *_rest in REPORT_GRID}
    data = frame.select("commune_name", "month_label", "status", "days_late", "detail").with_columns(
        pl.col("status").replace_strict(legend, default=None, return_dtype=pl.Utf8).alias("status_name"),
        pl.col("status").replace_strict(icons, default="", return_dtype=pl.Utf8).alias("icon"),
        pl.when((pl.col("status") == "tre_han") & (pl.col("days_late") > 0))
        .then(pl.col("days_late").cast(pl.Int64).cast(pl.Utf8)).otherwise(pl.lit("")).alias("days"),
        pl.col("detail").fill_null("–"),
    ).drop("days_late")
    tooltip = [alt.Tooltip("commune_name:N", title=_("Xã")), alt.Tooltip("month_label:N", title=_("Tháng")),
               alt.Tooltip("detail:N", title=_("Báo cáo"))]
    base = alt.Chart(data).encode(
        x=alt.X("month_label:N", sort=months, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=12, ticks=False, domain=False)),
        y=alt.Y("commune_name:N", sort=names, title=None,
                axis=alt.Axis(labelFontSize=12, ticks=False, domain=False, labelLimit=220)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("status_name:N", title=None,
                        scale=alt.Scale(domain=list(legend.values()),
                                        range=[colour for *_rest, colour in REPORT_GRID]),
                        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square", symbolSize=200,
                                          symbolStrokeColor=MUTED, symbolStrokeWidth=1, labelFontSize=13,
                                          values=list(legend.values()))),
        tooltip=tooltip,
    )
    # the icon, and beside it the days late; two marks, as an image's text does not space digits
    # well after an emoji
    icon = base.transform_filter("datum.days == ''").mark_text(fontSize=12).encode(text="icon:N", tooltip=tooltip)
    late = base.transform_filter("datum.days != ''")
    late_icon = late.mark_text(fontSize=12, dx=-10).encode(text="icon:N", tooltip=tooltip)
    days = late.mark_text(fontSize=12, dx=10, color=TEXT, fontWeight=600).encode(text="days:N", tooltip=tooltip)
    return _altair_look((cells + icon + late_icon + days).properties(height=max(22 * len(names), 66)), title)
