"""Every chart of the leaders' pages, with one shared look.

Colours come from the Okabe–Ito palette, which readers with the common colour-vision
deficiencies can tell apart; every status also has an icon and a name, and every chart
carries its numbers in labels or tooltips, so colour is never the only channel. Numbers are
written the Vietnamese way (80,4; 1.250) in axes, labels and tooltips.

Factories take Polars frames with documented columns and return a Plotly figure or an Altair
chart; pages draw them with `show(chart)` so the theme is applied the same way everywhere.
"""
from __future__ import annotations

import json

import altair as alt
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries import i18n
from queries.i18n import _
from queries.status import (  # noqa: F401 (pages use charts.BEHIND)
    BEHIND,
    STATUS_COLORS,
    STATUS_HELP,
    STATUS_ICONS,
    STATUS_ORDER,
)
from queries.text import format_month, format_number
from ui.format import in_language

# ---- the shared look ----------------------------------------------------------------------
FONT = "Source Sans, 'Source Sans Pro', 'DejaVu Sans', Arial, sans-serif"
TEXT = "#1B2631"
MUTED = "#5D6D7E"
GRID = "#E5E8EC"
PRIMARY = "#0072B2"
MEDIAN = "#1B2631"

# Statuses (order, colours, icons, meanings) are shared with the slides and the pack.
STATUSES = STATUS_ORDER
STATUS_SYMBOLS = {  # Plotly marker shapes: a second channel besides colour
    "Đạt": "circle", "Đúng tiến độ": "diamond", "Cần đẩy nhanh": "square", "Chậm": "triangle-up",
    "Đi lùi": "triangle-down", "Chưa đủ dữ liệu": "x", "Chưa có số liệu": "circle-open",
}

# Up to four communes side by side (compare page): Okabe–Ito blue, orange, green, purple.
SERIES_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")

# Scores 0–100: orange (behind) through pale to blue (ahead); orange–blue stays distinct
# for red–green colour-blind readers. Cells also print their number.
SCORE_SCALE = [
    [0.0, "#B35806"], [0.3, "#F1A340"], [0.55, "#FEE0B6"], [0.7, "#F4F4F4"],
    [0.85, "#92C5DE"], [1.0, "#2166AC"],
]
SCORE_MIN, SCORE_MAX = 40, 100

VI_LOCALE = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "time": {
        "dateTime": "%A, %e %B %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"tháng {m}" for m in range(1, 13)],
        "shortMonths": [f"Th{m}" for m in range(1, 13)],
    },
}
EN_LOCALE = {
    "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " VND"]},
    "time": {
        "dateTime": "%A, %e %B %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"],
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    },
}


def _english() -> bool:
    return i18n.current() == "en"


MONTH_AXIS = "%m/%Y"  # 11/2026: short and unambiguous on an axis; tooltips say "Tháng 11/2026"


def status_label(status: str | None) -> str:
    """'Đạt' -> '✅ Đạt' (icon and text, never colour alone)."""
    if status is None:
        return "–"
    return f"{STATUS_ICONS.get(status, '')} {_(status)}".strip()


def status_legend_markdown() -> str:
    return " · ".join(f"{STATUS_ICONS[s]} **{_(s)}**: {_(STATUS_HELP[s])}" for s in STATUSES)


def _plotly_look(fig: go.Figure, *, title: str | None = None, height: int = 360,
                 legend: bool = True) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13, "color": TEXT},
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}} if title else None,
        height=height,
        margin={"l": 10, "r": 20, "t": 50 if title else 16, "b": 40},
        separators=".," if _english() else ",.",  # Vietnamese: decimal comma, thousands dot
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"font": {"family": FONT, "size": 13}, "bgcolor": "white"},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": None},
    )
    fig.update_xaxes(gridcolor=GRID, zerolinecolor=GRID, automargin=True)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, automargin=True)
    return fig


def _altair_look(chart: alt.TopLevelMixin, title: str | None = None) -> alt.TopLevelMixin:
    if title:
        chart = chart.properties(title=alt.Title(title, anchor="start"))
    # the width follows the column; the height is the plot's, legends and axes come on top
    chart = chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return chart.configure(
        font=FONT,
        locale=EN_LOCALE if _english() else VI_LOCALE,
        numberFormat=",.2~f",
        timeFormat="%d/%m/%Y",
        background="transparent",
        view={"stroke": None},
        axis={"labelColor": TEXT, "titleColor": MUTED, "gridColor": GRID, "domainColor": GRID,
              "tickColor": GRID, "labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal",
              "labelLimit": 260},
        legend={"labelFontSize": 12, "titleFontSize": 12, "orient": "top", "labelLimit": 260,
                "titleFontWeight": "normal", "titleColor": MUTED},
        title={"fontSize": 16, "fontWeight": 600, "color": TEXT, "anchor": "start", "offset": 12},
    )


def show(chart: go.Figure | alt.TopLevelMixin, *, key: str | None = None) -> None:
    """Draw a chart with our theme (not Streamlit's), stretched to the column."""
    if isinstance(chart, go.Figure):
        st.plotly_chart(chart, theme=None, key=key, width="stretch",
                        config={"displaylogo": False, "locale": "en" if _english() else "vi",
                                "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]})
    else:
        # The same spec without Altair's JSON-schema check: that check was a fifth of Tổng quan's
        # server time (0.2 s of 0.7 s, cProfile) for specs our own functions build.
        st.vega_lite_chart(chart.to_dict(validate=False), theme=None, key=key, width="stretch")


def _status_scale() -> alt.Scale:
    return alt.Scale(domain=[_(s) for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES])


def _with_status_label(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("status").replace_strict(
            {s: status_label(s) for s in STATUSES}, default=pl.col("status")
        ).alias("status_label"),
        # the status in the page's language: what the colour scale and its legend read
        pl.col("status").replace_strict({s: _(s) for s in STATUSES}, default=pl.col("status")).alias("status_name"),
    )


# ---- overview -----------------------------------------------------------------------------
def status_strip(counts: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """One 100 % bar of indicator statuses. counts: status, n."""
    total = max(int(counts["n"].sum()), 1)
    data = _with_status_label(counts.filter(pl.col("n") > 0)).with_columns(
        (pl.col("n") / total).alias("share"),
        pl.col("status").replace_strict({s: i for i, s in enumerate(STATUSES)}, default=99).alias("order"),
    ).sort("order")
    data = data.with_columns(
        (pl.col("share").cum_sum() - pl.col("share") / 2).alias("mid"),
        pl.struct("n", "share").map_elements(
            in_language(lambda r: f"{format_number(r['n'], 0)} ({format_number(r['share'] * 100, 1)} %)"),
            return_dtype=pl.Utf8).alias("label_text"),
        pl.col("share").map_elements(in_language(lambda v: f"{format_number(v * 100, 0)} %"),
                                     return_dtype=pl.Utf8).alias("pct"),
    )
    base = alt.Chart(data).encode(
        x=alt.X("share:Q", stack="zero", axis=None, scale=alt.Scale(domain=[0, 1])),
        order=alt.Order("order:Q"),
    )
    bars = base.mark_bar(height=40, stroke="white", strokeWidth=1).encode(
        color=alt.Color("status_name:N", scale=_status_scale(), legend=None),
        tooltip=[alt.Tooltip("status_label:N", title=_("Tình trạng")),
                 alt.Tooltip("label_text:N", title=_("Số chỉ tiêu"))],
    )
    labels = alt.Chart(data).transform_filter("datum.share >= 0.05").mark_text(
        color=TEXT, fontSize=12, fontWeight=600).encode(x=alt.X("mid:Q"), text=alt.Text("pct:N"))
    return _altair_look((bars + labels).properties(height=44), title)


def status_counts_markdown(counts: pl.DataFrame) -> str:
    """The legend of the status bar as text, with counts: '✅ Đạt 247 (11,7 %) · …'.
    counts: status, n."""
    total = max(int(counts["n"].sum()), 1)
    by_status = dict(zip(counts["status"].to_list(), counts["n"].to_list()))
    return " · ".join(
        f"{STATUS_ICONS[s]} **{_(s)}** {format_number(by_status[s], 0)} ({format_number(100 * by_status[s] / total, 1)} %)"
        for s in STATUSES if by_status.get(s)
    )


def score_histogram(scores: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """How communes' overall scores are spread, in bands of 5 points. scores: score."""
    data = scores.filter(pl.col("score").is_not_null()).with_columns(
        (pl.col("score").clip(0, 99.999) // 5 * 5).alias("band_start")
    ).group_by("band_start").agg(pl.len().alias("n")).with_columns(
        (pl.col("band_start") + 5).alias("band_end"),
    ).with_columns(
        pl.format(_("{}–{} điểm"), pl.col("band_start").cast(pl.Int64),
                  pl.col("band_end").cast(pl.Int64)).alias("band"),
    )
    data = data.with_columns(((pl.col("band_start") + pl.col("band_end")) / 2).alias("mid"))
    low = float(min(data["band_start"].min() or 0, 50))
    base = alt.Chart(data)
    bars = base.mark_bar(color=PRIMARY, cornerRadiusTopLeft=2, cornerRadiusTopRight=2, stroke="white",
                         strokeWidth=1).encode(
        x=alt.X("band_start:Q", title=_("Điểm tổng (0–100)"), scale=alt.Scale(domain=[low, 100]),
                axis=alt.Axis(format="d", values=list(range(int(low), 101, 10)))),
        x2="band_end:Q",
        y=alt.Y("n:Q", title=_("Số xã"), axis=alt.Axis(format="d", tickMinStep=1)),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("band:N", title=_("Khoảng điểm")), alt.Tooltip("n:Q", title=_("Số xã"))],
    )
    text = base.mark_text(dy=-7, color=TEXT, fontSize=11).encode(
        x="mid:Q", y="n:Q", text=alt.Text("n:Q", format="d")
    )
    return _altair_look((bars + text).properties(height=260), title)


def pillar_bars(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Average score of each pillar. frame: pillar_name, score, order, [previous]."""
    data = frame.with_columns(
        pl.col("score").map_elements(in_language(lambda v: format_number(v, 1)), return_dtype=pl.Utf8).alias("score_text")
    )
    base = alt.Chart(data).encode(
        y=alt.Y("pillar_name:N", sort=data.sort("order")["pillar_name"].to_list(), title=None),
    )
    bars = base.mark_bar(color=PRIMARY, height=22).encode(
        x=alt.X("score:Q", title=_("Điểm trung bình (0–100)"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("pillar_name:N", title=_("Trụ cột")),
                 alt.Tooltip("score_text:N", title=_("Điểm trung bình"))],
    )
    text = base.mark_text(align="left", dx=4, color=TEXT, fontSize=12).encode(
        x="score:Q", text="score_text:N"
    )
    return _altair_look((bars + text).properties(height=260), title)


def _two_lines(labels: list[str], longer_than: int = 14) -> str:
    """A Vega expression that writes the labels of a top axis on two lines, a long label split
    at the space nearest its middle, a short one on the lower line, so a grid's columns keep
    their whole names. (Vega draws a label's further lines below its first, over the plot: the
    axis is given labelPadding=LINE to lift them.)"""
    wrapped = {}
    for label in labels:
        words = label.split()
        if len(label) <= longer_than or len(words) < 2:
            wrapped[label] = ["", label]
            continue
        cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(label) / 2))
        wrapped[label] = [" ".join(words[:cut]), " ".join(words[cut:])]
    return f"{json.dumps(wrapped, ensure_ascii=False)}[datum.label] || datum.label"


LINE = 15  # the height of a 12-px label line


def heatmap(frame: pl.DataFrame, pillars: list[tuple[str, str]], title: str | None = None,
            column_title: str | None = None) -> alt.TopLevelMixin:
    """Communes × pillars. frame: commune_name, score, one column per pillar code; rows in the
    order they should appear, top to bottom. `column_title` names the pillars' columns in the
    tooltip (the month's framework word)."""
    codes = [code for code, _unused in pillars]
    columns = [_("Điểm tổng"), *[name for _unused, name in pillars]]
    names = frame["commune_name"].to_list()
    rows = [
        {"commune_name": row["commune_name"], "column": column, "value": value,
         "value_text": format_number(value, 1) if value is not None else "–"}
        for row in frame.iter_rows(named=True)
        for column, value in zip(columns, [row["score"], *[row[c] for c in codes]])
    ]
    data = pl.DataFrame(rows, schema={"commune_name": pl.Utf8, "column": pl.Utf8, "value": pl.Float64,
                                      "value_text": pl.Utf8})
    span = SCORE_MAX - SCORE_MIN
    scale = alt.Scale(domain=[SCORE_MIN + stop * span for stop, _colour in SCORE_SCALE],
                      range=[colour for _stop, colour in SCORE_SCALE], clamp=True)
    tooltip = [alt.Tooltip("commune_name:N", title=_("Xã")),
               alt.Tooltip("column:N", title=column_title or _("Trụ cột")),
               alt.Tooltip("value_text:N", title=_("Điểm"))]
    base = alt.Chart(data).encode(
        x=alt.X("column:N", sort=columns, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160, labelFontSize=12, ticks=False,
                              domain=False, labelExpr=_two_lines(columns), labelPadding=LINE)),
        y=alt.Y("commune_name:N", sort=names, title=None,
                axis=alt.Axis(labelFontSize=12, ticks=False, domain=False, labelLimit=200)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color("value:Q", scale=scale, title=_("Điểm"),
                        legend=alt.Legend(orient="right", gradientLength=180, gradientThickness=12,
                                          values=[40, 55, 70, 85, 100],
                                          labelExpr="datum.value <= 40 ? '≤ 40' : datum.label")),
        tooltip=tooltip,
    )
    # white on the darkest orange and blue, dark text elsewhere
    text = base.mark_text(fontSize=11).encode(
        text="value_text:N",
        color=alt.condition("datum.value != null && (datum.value < 52 || datum.value > 95)",
                            alt.value("white"), alt.value(TEXT)),
        tooltip=tooltip,
    )
    return _altair_look((cells + text).properties(height=max(20 * len(names), 60)), title)


# ---- pillar page --------------------------------------------------------------------------
def status_by_category(frame: pl.DataFrame, category: str, category_title: str,
                       title: str | None = None, sort: list[str] | None = None) -> alt.TopLevelMixin:
    """Stacked horizontal bars: how many (commune, indicator) pairs are in each status, per
    category (an indicator, a lead unit). frame: <category>, status, n."""
    data = _with_status_label(frame).with_columns(
        pl.col("status").replace_strict({s: i for i, s in enumerate(STATUSES)}, default=99).alias("order")
    )
    n_categories = max(data[category].n_unique(), 1)
    chart = alt.Chart(data).mark_bar(height={"band": 0.75}, stroke="white", strokeWidth=0.5).encode(
        y=alt.Y(f"{category}:N", title=None, sort=sort or "ascending",
                axis=alt.Axis(labelLimit=360)),
        x=alt.X("n:Q", stack="zero", title=_("Số lượt chỉ tiêu (xã × chỉ tiêu)"),
                axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("status_name:N", scale=_status_scale(), title=None,
                        legend=alt.Legend(orient="top", columns=7, symbolType="square",
                                          symbolStrokeColor="#3D4A57", symbolStrokeWidth=0.5)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{category}:N", title=category_title),
                 alt.Tooltip("status_label:N", title=_("Tình trạng")),
                 alt.Tooltip("n:Q", title=_("Số lượt"), format=",d")],
    ).properties(height=max(38 * n_categories, 120))
    return _altair_look(chart, title)


def _symbol(points: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z"


# Vega-Lite point shapes: a second channel besides colour (the legend shows both together).
# An open ring (no value) and a thick X (not enough data) as SVG paths in the unit square.
_RING = ("M-1,0A1,1 0 1,0 1,0A1,1 0 1,0 -1,0Z"
         "M-0.55,0A0.55,0.55 0 1,1 0.55,0A0.55,0.55 0 1,1 -0.55,0Z")
_X = _symbol([(-1, -0.6), (-0.6, -1), (0, -0.4), (0.6, -1), (1, -0.6), (0.4, 0), (1, 0.6), (0.6, 1),
              (0, 0.4), (-0.6, 1), (-1, 0.6), (-0.4, 0)])
STATUS_SHAPES = {
    "Đạt": "circle", "Đúng tiến độ": "diamond", "Cần đẩy nhanh": "square", "Chậm": "triangle-up",
    "Đi lùi": "triangle-down", "Chưa đủ dữ liệu": _X, "Chưa có số liệu": _RING,
}


def dot_target(frame: pl.DataFrame, unit_suffix: str, title: str | None = None,
               direction: str = "up") -> alt.TopLevelMixin:
    """Each commune's value (dot, coloured and shaped by status) against its target (black
    tick), joined by a thin line showing the gap. frame: commune_name, value, target,
    target_text, status; rows top to bottom. A commune without a value sits at 0, an open ring."""
    names = frame["commune_name"].to_list()
    present = [s for s in STATUSES if s in set(frame["status"].to_list())]
    data = _with_status_label(frame.select("commune_name", "value", "target", "target_text", "status")).with_columns(
        pl.when(pl.col("status") == "Chưa có số liệu").then(0.0).otherwise(pl.col("value")).alias("x"),
        pl.col("value").map_elements(in_language(lambda v: _fmt_value(v, unit_suffix)), return_dtype=pl.Utf8,
                                     skip_nulls=False).alias("value_text"),
        pl.col("target_text").fill_null("–"),
        pl.lit(_("Mục tiêu")).alias("target_name"),
    )
    unit = unit_suffix.strip()
    y = alt.Y("commune_name:N", sort=names, title=None,
              axis=alt.Axis(labelFontSize=12, ticks=False, domain=False, grid=True, gridColor="#F1F3F5",
                            labelLimit=220, offset=10))  # clear of the dots at 0
    x_title = _("Giá trị{value}").format(value=f" ({unit})" if unit else "")
    base = alt.Chart(data).encode(y=y)
    gaps = base.transform_filter("datum.value != null && datum.target != null").mark_rule(
        color="#B8C2CC", strokeWidth=2).encode(
        x=alt.X("value:Q", title=x_title, scale=alt.Scale(zero=True, nice=True),
                axis=alt.Axis(orient="top", tickCount=10)),
        x2="target:Q",
    )
    target_tooltip = [alt.Tooltip("commune_name:N", title=_("Xã")), alt.Tooltip("target_text:N", title=_("Mục tiêu"))]
    ticks = base.transform_filter("datum.target != null").mark_tick(
        thickness=3, size=18, orient="vertical", fill=MEDIAN, opacity=1).encode(
        x="target:Q",
        stroke=alt.Stroke("target_name:N", title=None, scale=alt.Scale(range=[MEDIAN]),
                          legend=alt.Legend(symbolType="M0,-1L0,1", symbolStrokeWidth=3, symbolSize=180,
                                            orient="top")),
        tooltip=target_tooltip,
    )
    legend_statuses = [_(s) for s in present]
    dots = base.mark_point(filled=True, size=110, stroke="#3D4A57", strokeWidth=1, opacity=1).encode(
        x="x:Q",
        fill=alt.Fill("status_name:N", title=None,
                      scale=alt.Scale(domain=legend_statuses, range=[STATUS_COLORS[s] for s in present]),
                      legend=alt.Legend(orient="top", symbolStrokeColor="#3D4A57", symbolStrokeWidth=1,
                                        symbolSize=110)),
        shape=alt.Shape("status_name:N", title=None,
                        scale=alt.Scale(domain=legend_statuses, range=[STATUS_SHAPES[s] for s in present])),
        tooltip=[alt.Tooltip("commune_name:N", title=_("Xã")), alt.Tooltip("value_text:N", title=_("Giá trị")),
                 alt.Tooltip("target_text:N", title=_("Mục tiêu")),
                 alt.Tooltip("status_label:N", title=_("Tình trạng"))],
    )
    chart = (gaps + ticks + dots).properties(height=max(24 * len(names), 120))
    return _altair_look(chart.resolve_legend(stroke="independent"), title)


def _fmt_value(value: float | None, unit_suffix: str) -> str:
    if value is None:
        return _("chưa có")
    decimals = 0 if float(value).is_integer() else 1
    return f"{format_number(value, decimals)}{unit_suffix}"


def _trend_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("period").map_elements(in_language(format_month), return_dtype=pl.Utf8).alias("month_label")
    )


def trend_with_target(frame: pl.DataFrame, unit_suffix: str, title: str | None = None,
                      value_title: str | None = None, height: int = 280) -> alt.TopLevelMixin:
    """Monthly value (solid, with dots) against the target (dotted line) and the expected path
    to it (dashed). frame: period (date), value, target, path_value."""
    value_title = value_title or _("Giá trị")
    data = _trend_frame(frame)
    long = pl.concat([
        data.select("period", "month_label", pl.col("value").alias("y"), pl.lit(value_title).alias("series")),
        data.select("period", "month_label", pl.col("path_value").alias("y"), pl.lit(_("Lộ trình cần đạt")).alias("series")),
        data.select("period", "month_label", pl.col("target").alias("y"), pl.lit(_("Mục tiêu năm")).alias("series")),
    ]).filter(pl.col("y").is_not_null()).with_columns(
        pl.col("y").map_elements(in_language(lambda v: _fmt_value(v, unit_suffix)), return_dtype=pl.Utf8).alias("y_text")
    )
    series = [value_title, _("Lộ trình cần đạt"), _("Mục tiêu năm")]
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=[PRIMARY, "#E69F00", MEDIAN]),
                      legend=alt.Legend(orient="top"))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=[[1, 0], [6, 4], [2, 3]]), title=None)
    lines = alt.Chart(long).mark_line(strokeWidth=2.5).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format=MONTH_AXIS, labelAngle=0, tickCount="month")),
        y=alt.Y("y:Q", title=f"{value_title}{(' (' + unit_suffix.strip() + ')') if unit_suffix.strip() else ''}",
                scale=alt.Scale(zero=False)),
        color=color, strokeDash=dash,
        tooltip=[alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("series:N", title=" "),
                 alt.Tooltip("y_text:N", title=_("Giá trị"))],
    )
    points = alt.Chart(long).transform_filter(alt.datum.series == value_title).mark_point(
        filled=True, size=45, color=PRIMARY).encode(
        x="period:T", y="y:Q",
        tooltip=[alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("y_text:N", title=value_title)],
    )
    return _altair_look((lines + points).properties(height=height), title)


def trend_small_multiples(frame: pl.DataFrame, title: str | None = None, columns: int = 3) -> go.Figure:
    """One small chart per indicator: value, target and path through the year.
    frame: indicator, panel_title, unit_suffix, [unit], period, value, target, path_value.
    The grid is laid out by hand (make_subplots is slow with many panels)."""
    panels = frame.select("indicator", "panel_title", "unit_suffix").unique(maintain_order=True)
    n = panels.height
    rows = max((n + columns - 1) // columns, 1)
    panel_height, title_space, gap_x = 260, 62, 0.06
    height = 110 + panel_height * rows
    plot_height = height - (100 if title else 70) - 40
    cell_h = 1 / rows
    gap_y = min(title_space / plot_height, cell_h * 0.45)
    cell_w = (1 - gap_x * (columns - 1)) / columns
    traces: list[dict] = []
    layout: dict = {"annotations": []}
    for i, panel in enumerate(panels.iter_rows(named=True)):
        part = frame.filter(pl.col("indicator") == panel["indicator"]).sort("period")
        row, col = i // columns, i % columns
        x0 = col * (cell_w + gap_x)
        y1 = 1 - row * cell_h - (gap_y if row else gap_y * 0.4)
        y0 = 1 - (row + 1) * cell_h + (0.02 if rows > 1 else 0)
        suffix = panel["unit_suffix"]
        axis = "" if i == 0 else str(i + 1)
        periods = part["period"].to_list()
        months = [format_month(p) for p in periods]
        first = i == 0
        for name, column, line, mode, group in (
            (_("Mục tiêu năm"), "target", {"color": MEDIAN, "width": 1.5, "dash": "dot"}, "lines", "target"),
            (_("Lộ trình cần đạt"), "path_value", {"color": "#E69F00", "width": 2, "dash": "dash"}, "lines", "path"),
            (_("Giá trị"), "value", {"color": PRIMARY, "width": 2.5}, "lines+markers", "value"),
        ):
            values = part[column].to_list()
            traces.append({
                "type": "scatter", "x": periods, "y": values, "mode": mode, "name": name, "line": line,
                "marker": {"size": 5}, "legendgroup": group, "showlegend": first,
                "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                "customdata": [[m, _fmt_value(v, suffix)] for m, v in zip(months, values)],
                "hovertemplate": f"%{{customdata[0]}}<br>{name}: %{{customdata[1]}}<extra></extra>",
            })
        layout[f"xaxis{axis}"] = {"domain": [x0, x0 + cell_w], "anchor": f"y{axis}", "tickformat": "%m/%y",
                                  "dtick": "M3", "tickfont": {"size": 11}, "gridcolor": GRID}
        y_axis = {"domain": [y0, y1], "anchor": f"x{axis}", "tickfont": {"size": 11}, "rangemode": "tozero",
                  "gridcolor": GRID, "zerolinecolor": GRID}
        if "unit" in part.columns and part["unit"][0] == "yes_no":
            y_axis.update(tickvals=[0, 1], ticktext=[_("Chưa"), _("Có")], range=[-0.15, 1.15])
        layout[f"yaxis{axis}"] = y_axis
        layout["annotations"].append({
            "text": panel["panel_title"], "x": x0, "y": y1, "xref": "paper", "yref": "paper",
            "xanchor": "left", "yanchor": "bottom", "showarrow": False, "align": "left",
            "font": {"size": 12, "color": TEXT},
        })
    fig = go.Figure({"data": traces, "layout": layout})
    _plotly_look(fig, title=title, height=height)
    top = 100 if title else 70
    fig.update_layout(margin={"t": top, "b": 40},
                      legend={"y": 1 + 52 / plot_height, "yanchor": "bottom", "x": 0})
    return fig


# ---- commune profile ----------------------------------------------------------------------
def pillars_vs_median(frame: pl.DataFrame, commune_name: str, title: str | None = None) -> go.Figure:
    """The commune's six pillar scores (bars) against the province median (black diamond).
    frame: pillar_name, score, median."""
    names = frame["pillar_name"].to_list()
    scores = frame["score"].to_list()
    medians = frame["median"].to_list()
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=names, x=scores, orientation="h", name=commune_name, marker={"color": PRIMARY},
        text=[format_number(v, 1) if v is not None else "–" for v in scores], textposition="inside",
        insidetextanchor="start", textfont={"color": "white", "size": 13},
        customdata=[format_number(v, 1) if v is not None else "–" for v in scores],
        hovertemplate="%{y}<br>" + commune_name + _(": %{customdata} điểm<extra></extra>"),
    ))
    fig.add_trace(go.Scatter(
        y=names, x=medians, mode="markers", name=_("Trung vị của tỉnh"),
        marker={"symbol": "diamond", "size": 13, "color": "#E69F00", "line": {"width": 1.5, "color": MEDIAN}},
        customdata=[format_number(v, 1) if v is not None else "–" for v in medians],
        hovertemplate=_("%{y}<br>Trung vị của tỉnh: %{customdata} điểm<extra></extra>"),
    ))
    _plotly_look(fig, title=title, height=320)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 108], title={"text": _("Điểm (0–100)")})
    return fig


def score_waterfall(frame: pl.DataFrame, score: float, title: str | None = None) -> go.Figure:
    """From 100 points, the points each pillar loses, down to the score; horizontal, so the
    pillar names read in full beside their bars even in a half-width column.
    frame: pillar_name, lost (points of the overall score lost in that pillar)."""
    labels = [_("Điểm tối đa"), *frame["pillar_name"].to_list(), _("Điểm đạt được")]
    lost = frame["lost"].to_list()
    values = [100.0, *[-v for v in lost], score]
    measures = ["absolute", *["relative"] * len(lost), "total"]
    texts = ["100", *[f"−{format_number(v, 2)}" for v in lost], format_number(score, 2)]
    fig = go.Figure(go.Waterfall(
        orientation="h", y=labels, x=values, measure=measures, text=texts,
        textposition="outside", cliponaxis=False,
        connector={"line": {"color": "#B8C2CC", "width": 1}},
        increasing={"marker": {"color": PRIMARY}},
        decreasing={"marker": {"color": "#E69F00"}},
        totals={"marker": {"color": PRIMARY}},
        customdata=texts,
        hovertemplate=_("%{customdata} điểm<extra></extra>"),
    ))
    _plotly_look(fig, title=title, height=60 + 34 * len(labels), legend=False)
    fig.update_xaxes(range=[0, 115], title={"text": _("Điểm")})
    fig.update_yaxes(autorange="reversed", ticksuffix="  ")
    return fig


# ---- comparison ---------------------------------------------------------------------------
def grouped_pillars(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Pillar scores of several communes side by side (one row per pillar, one bar per
    commune). frame: commune_name, pillar_name, order, score."""
    names = frame["commune_name"].unique(maintain_order=True).to_list()
    data = frame.with_columns(
        pl.col("score").map_elements(in_language(lambda v: format_number(v, 1)), return_dtype=pl.Utf8).alias("score_text")
    )
    pillar_order = (data.select("pillar_name", "order").unique().sort("order")["pillar_name"].to_list())
    base = alt.Chart(data).encode(
        y=alt.Y("pillar_name:N", sort=pillar_order, title=None, axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset("commune_name:N", sort=names),
    )
    bars = base.mark_bar(height={"band": 0.9}).encode(
        x=alt.X("score:Q", title=_("Điểm (0–100)"), scale=alt.Scale(domain=[0, 108])),
        color=alt.Color("commune_name:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=list(SERIES_COLORS[:len(names)]))),
        tooltip=[alt.Tooltip("commune_name:N", title=_("Xã")), alt.Tooltip("pillar_name:N", title=_("Trụ cột")),
                 alt.Tooltip("score_text:N", title=_("Điểm"))],
    )
    text = base.mark_text(align="left", dx=3, fontSize=11, color=TEXT).encode(x="score:Q", text="score_text:N")
    height = len(pillar_order) * (len(names) * 16 + 14)
    return _altair_look((bars + text).properties(height=height), title)


def score_lines(frame: pl.DataFrame, title: str | None = None, height: int = 280,
                series_title: str | None = None) -> alt.TopLevelMixin:
    """Overall score month by month, one line per series. frame: period, series, score."""
    series_title = series_title or _("Xã")
    names = frame["series"].unique(maintain_order=True).to_list()
    data = _trend_frame(frame).with_columns(
        pl.col("score").map_elements(in_language(lambda v: format_number(v, 2)), return_dtype=pl.Utf8).alias("score_text")
    )
    colors = list(SERIES_COLORS) + ["#56B4E9", "#D55E00", "#000000"]
    dashes = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]] * 2
    chart = alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format=MONTH_AXIS, labelAngle=0, tickCount="month")),
        y=alt.Y("score:Q", title=_("Điểm tổng (0–100)"), scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=series_title, sort=names,
                        scale=alt.Scale(domain=names, range=colors[:len(names)])),
        strokeDash=alt.StrokeDash("series:N", sort=names, title=series_title,
                                  scale=alt.Scale(domain=names, range=dashes[:len(names)])),
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("month_label:N", title=_("Tháng")),
                 alt.Tooltip("score_text:N", title=_("Điểm"))],
    ).properties(height=height)
    return _altair_look(chart, title)


def average_trend(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Average overall score of the province month by month. frame: period, score."""
    data = _trend_frame(frame).with_columns(
        pl.col("score").map_elements(in_language(lambda v: format_number(v, 2)), return_dtype=pl.Utf8).alias("score_text")
    )
    chart = alt.Chart(data).mark_line(point=True, strokeWidth=2.5, color=PRIMARY).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format=MONTH_AXIS, labelAngle=0, tickCount="month")),
        y=alt.Y("score:Q", title=_("Điểm trung bình (0–100)"), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("score_text:N", title=_("Điểm trung bình"))],
    ).properties(height=260)
    return _altair_look(chart, title)
