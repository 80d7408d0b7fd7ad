"""Every chart of the leaders' pages, with one shared look.

Colours come from the Okabe–Ito palette, which readers with the common colour-vision
deficiencies can tell apart; every status also has an icon and a name, and every chart
carries its numbers in labels or tooltips, so colour is never the only channel. Numbers are
written the Vietnamese way (80,4; 1.250) in axes, labels and tooltips.

Factories take Polars frames with documented columns and return a Plotly figure or an Altair
chart; pages draw them with `show(chart)` so the theme is applied the same way everywhere.

Encodings are channel objects (`alt.X("value:Q")`, `alt.XDatum(0)`, `alt.OpacityValue(...)`),
never bare strings or dicts: Altair turns those into objects by hashing the schema of every
class it has, each time (a fifth of Hồ sơ xã's server time). Layers are joined by `_layered`, and
the look, title and height put on the finished spec (`_spec_with_look`), not with Altair's
methods, which copy the whole chart at every step.
"""
from __future__ import annotations

import copy
import json

import altair as alt
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
from ui.format import per_row

# ---- the shared look ----------------------------------------------------------------------
FONT = "Source Sans, 'Source Sans Pro', 'DejaVu Sans', Arial, sans-serif"
TEXT = "#1B2631"
MUTED = "#5D6D7E"
GRID = "#E5E8EC"
PRIMARY = "#0072B2"
MEDIAN = "#1B2631"

# Statuses (order, colours, icons, meanings) are shared with the slides and the pack.
STATUSES = STATUS_ORDER

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


def _look(english: bool) -> dict:
    return {
        "font": FONT,
        "locale": EN_LOCALE if english else VI_LOCALE,
        "numberFormat": ",.2~f",
        "timeFormat": "%d/%m/%Y",
        "background": "transparent",
        "view": {"stroke": None},
        "axis": {"labelColor": TEXT, "titleColor": MUTED, "gridColor": GRID, "domainColor": GRID,
                 "tickColor": GRID, "labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal",
                 "labelLimit": 260},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "top", "labelLimit": 260,
                   "titleFontWeight": "normal", "titleColor": MUTED},
        "title": {"fontSize": 16, "fontWeight": 600, "color": TEXT, "anchor": "start", "offset": 12},
    }


def _altair_look(chart: alt.TopLevelMixin | dict, title: str | None = None, *, height: int | None = None,
                 autosize: str = "fit-x") -> VegaLiteSpec:
    """The chart with our look, its title and its height."""
    return VegaLiteSpec(_spec_with_look(chart, title, height=height, autosize=autosize))


def _spec_with_look(chart: alt.TopLevelMixin | dict, title: str | None = None, *, height: int | None = None,
                    autosize: str = "fit-x") -> dict:
    """The chart's spec (or a spec already made, as `_layered` makes) with our look. Put on the
    spec, not with Altair's methods: each of those copies the whole chart, and those copies
    were a sixth of Hồ sơ xã's server time."""
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    if height is not None:
        spec["height"] = height
    if title:
        spec["title"] = {"text": title, "anchor": "start"}
    # "fit-x": the width follows the column; the height is the plot's, legends and axes come on top
    spec["autosize"] = {"type": "fit-x", "contains": "padding"} if autosize == "fit-x" else {"type": autosize}
    config = spec.setdefault("config", {})  # Altair's defaults (the view's size) stay under ours
    for name, value in _look(_english()).items():
        config[name] = {**config[name], **value} if isinstance(config.get(name), dict) else value
    return spec


def _layered(*layers: alt.Chart, resolve: dict | None = None) -> dict:
    """The layers as one spec, what `alt.layer(*layers).to_dict()` gives: data all the layers
    share goes to the top, converted once. Made layer by layer because alt.layer (and +) copies
    every layer to merge selections these charts do not have, and copies them all again to
    write the spec."""
    shared = layers[0].data
    hoist = shared is not alt.Undefined and all(layer.data is shared for layer in layers)
    specs, datasets = [], {}
    for layer in layers:
        if hoist:  # the layer reads the data at the top: not converted again here
            layer = layer.copy(deep=False)
            layer.data = alt.Undefined
        spec = layer.to_dict(validate=False)
        if hoist:
            del spec["data"]  # Altair gives a chart without data a set of one empty row
            spec.pop("datasets", None)
        else:
            datasets.update(spec.pop("datasets", {}))
        config = spec.pop("config", {})
        schema = spec.pop("$schema", None)
        specs.append(spec)
    spec = {"config": config, "layer": specs, "$schema": schema}
    if hoist:
        top = alt.Chart(shared).mark_point().to_dict(validate=False)
        spec["data"] = top["data"]
        datasets.update(top.get("datasets", {}))
    if resolve:
        spec["resolve"] = resolve
    if datasets:
        spec["datasets"] = datasets
    return spec


def show(chart: alt.TopLevelMixin, *, key: str | None = None) -> None:
    """Draw a chart with our theme (not Streamlit's), stretched to the column. Every page chart
    is Vega-Lite: plotly.js alone made a page 1.7× slower to settle in the browser; only the map
    (ui/maps.py) draws with Plotly, and only when it is asked for."""
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
        per_row(data, ["n", "share"], lambda r: f"{format_number(r['n'], 0)} ({format_number(r['share'] * 100, 1)} %)",
                name="label_text"),
        per_row(data, "share", lambda v: f"{format_number(v * 100, 0)} %", name="pct"),
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
    return _altair_look(_layered(bars, labels), title, height=44)


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
        x2=alt.X2("band_end:Q"),
        y=alt.Y("n:Q", title=_("Số xã"), axis=alt.Axis(format="d", tickMinStep=1)),
        y2=alt.Y2Datum(0),
        tooltip=[alt.Tooltip("band:N", title=_("Khoảng điểm")), alt.Tooltip("n:Q", title=_("Số xã"))],
    )
    text = base.mark_text(dy=-7, color=TEXT, fontSize=11).encode(
        x=alt.X("mid:Q"), y=alt.Y("n:Q"), text=alt.Text("n:Q", format="d")
    )
    return _altair_look(_layered(bars, text), title, height=260)


def pillar_bars(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Average score of each pillar. frame: pillar_name, score, order, [previous]."""
    data = frame.with_columns(per_row(frame, "score", lambda v: format_number(v, 1), name="score_text"))
    base = alt.Chart(data).encode(
        y=alt.Y("pillar_name:N", sort=data.sort("order")["pillar_name"].to_list(), title=None),
    )
    bars = base.mark_bar(color=PRIMARY, height=22).encode(
        x=alt.X("score:Q", title=_("Điểm trung bình (0–100)"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("pillar_name:N", title=_("Trụ cột")),
                 alt.Tooltip("score_text:N", title=_("Điểm trung bình"))],
    )
    text = base.mark_text(align="left", dx=4, color=TEXT, fontSize=12).encode(
        x=alt.X("score:Q"), text=alt.Text("score_text:N")
    )
    return _altair_look(_layered(bars, text), title, height=260)


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
        text=alt.Text("value_text:N"),
        color=alt.ColorValue(**alt.condition("datum.value != null && (datum.value < 52 || datum.value > 95)",
                                             alt.value("white"), alt.value(TEXT))),
        tooltip=tooltip,
    )
    return _altair_look(_layered(cells, text), title, height=max(20 * len(names), 60))


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
    )
    return _altair_look(chart, title, height=max(38 * n_categories, 120))


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
        per_row(frame, "value", lambda v: _fmt_value(v, unit_suffix), name="value_text", skip_nulls=False),
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
        x2=alt.X2("target:Q"),
    )
    target_tooltip = [alt.Tooltip("commune_name:N", title=_("Xã")), alt.Tooltip("target_text:N", title=_("Mục tiêu"))]
    ticks = base.transform_filter("datum.target != null").mark_tick(
        thickness=3, size=18, orient="vertical", fill=MEDIAN, opacity=1).encode(
        x=alt.X("target:Q"),
        stroke=alt.Stroke("target_name:N", title=None, scale=alt.Scale(range=[MEDIAN]),
                          legend=alt.Legend(symbolType="M0,-1L0,1", symbolStrokeWidth=3, symbolSize=180,
                                            orient="top")),
        tooltip=target_tooltip,
    )
    legend_statuses = [_(s) for s in present]
    dots = base.mark_point(filled=True, size=110, stroke="#3D4A57", strokeWidth=1, opacity=1).encode(
        x=alt.X("x:Q"),
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
    chart = _layered(gaps, ticks, dots, resolve={"legend": {"stroke": "independent"}})
    return _altair_look(chart, title, height=max(24 * len(names), 120))


def _fmt_value(value: float | None, unit_suffix: str) -> str:
    if value is None:
        return _("chưa có")
    decimals = 0 if float(value).is_integer() else 1
    return f"{format_number(value, decimals)}{unit_suffix}"


def _trend_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(per_row(frame, "period", format_month, name="month_label"))


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
    ]).filter(pl.col("y").is_not_null())
    long = long.with_columns(per_row(long, "y", lambda v: _fmt_value(v, unit_suffix), name="y_text"))
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
        x=alt.X("period:T"), y=alt.Y("y:Q"),
        tooltip=[alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("y_text:N", title=value_title)],
    )
    return _altair_look(_layered(lines, points), title, height=height)


def _yes_no_axis(**kwargs) -> alt.Axis:
    """A yes/no indicator's axis: two ticks, 'Chưa' (0) and 'Có' (1)."""
    no, yes = (json.dumps(word, ensure_ascii=False) for word in (_("Chưa"), _("Có")))
    label = f"datum.value < 0.5 ? {no} : {yes}"
    return alt.Axis(values=[0, 1], labelExpr=label, **kwargs)


def trend_small_multiples(frame: pl.DataFrame, title: str | None = None, columns: int = 3,
                          panel_width: int = 240, panel_height: int = 130) -> VegaLiteSpec:
    """One small chart per indicator: value, target and path through the year.
    frame: indicator, panel_title (lines split by a newline), [panel_subtitle], unit_suffix, [unit],
    period, value, target, path_value. The panels share the legend and the series' look; each has
    its own value axis (units differ)."""
    value_name, path_name, target_name = _("Giá trị"), _("Lộ trình cần đạt"), _("Mục tiêu năm")
    series = [value_name, path_name, target_name]
    data = _trend_frame(frame)
    long = pl.concat([
        data.select("indicator", "period", "month_label", "unit_suffix", pl.col(column).cast(pl.Float64).alias("y"),
                    pl.lit(name).alias("series"))
        for name, column in ((value_name, "value"), (path_name, "path_value"), (target_name, "target"))
    ]).filter(pl.col("y").is_not_null())
    long = long.with_columns(
        pl.Series("y_text", [_fmt_value(v, s) for v, s in zip(long["y"].to_list(), long["unit_suffix"].to_list())],
                  dtype=pl.Utf8),
    ).drop("unit_suffix")
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=[PRIMARY, "#E69F00", MEDIAN]),
                      legend=alt.Legend(orient="top", symbolType="stroke", symbolStrokeWidth=2.5))
    dash = alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=series, range=[[1, 0], [6, 4], [2, 3]]))
    width = alt.StrokeWidthValue(**alt.condition(alt.datum.series == value_name, alt.value(2.5), alt.value(1.8)))
    first, last = data["period"].min(), data["period"].max()
    # every panel over the same months, even one whose first values are missing
    months = alt.Scale(domain=[alt.DateTime(year=d.year, month=d.month, date=d.day) for d in (first, last)])
    x = alt.X("period:T", title=None, scale=months,
              axis=alt.Axis(format=MONTH_AXIS, labelAngle=0, labelFontSize=11,
                            tickCount={"interval": "month", "step": 3}))
    tooltip = [alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("series:N", title=" "),
               alt.Tooltip("y_text:N", title=_("Giá trị"))]
    # a point on every month of every series, for its tooltip; only the values' points are seen
    seen = alt.OpacityValue(**alt.condition(alt.datum.series == value_name, alt.value(1), alt.value(0)))
    panels = frame.select("indicator", "panel_title", "unit_suffix",
                          *[c for c in ("panel_subtitle", "unit") if c in frame.columns]).unique(
        "indicator", maintain_order=True)

    def panel_layers(yes_no: bool) -> alt.LayerChart:
        if yes_no:
            y = alt.Y("y:Q", title=None, scale=alt.Scale(domain=[-0.15, 1.15], nice=False),
                      axis=_yes_no_axis(labelFontSize=11))
        else:
            y = alt.Y("y:Q", title=None, scale=alt.Scale(zero=True), axis=alt.Axis(labelFontSize=11, tickCount=4))
        lines = alt.Chart().mark_line().encode(x=x, y=y, color=color, strokeDash=dash, strokeWidth=width)
        dots = alt.Chart().mark_point(filled=True, size=24).encode(x=x, y=y, color=color, opacity=seen, tooltip=tooltip)
        return (lines + dots).properties(width=panel_width, height=panel_height)

    # Altair copies the whole grid at every step of building it (two seconds for a commune's
    # twenty-odd panels); each panel differs only in its filter, title and value axis, so one
    # panel of each axis kind is built with Altair and the others are copies of its spec.
    looks: dict[bool, dict] = {}
    specs = []
    for panel in panels.iter_rows(named=True):
        yes_no = panel.get("unit") == "yes_no"
        if yes_no not in looks:
            looks[yes_no] = panel_layers(yes_no).to_dict(validate=False)
            looks[yes_no].pop("$schema", None)
        spec = copy.deepcopy(looks[yes_no])
        spec["transform"] = [{"filter": {"field": "indicator", "equal": panel["indicator"]}}]
        spec["title"] = {"text": panel["panel_title"].split("\n"), "subtitle": panel.get("panel_subtitle") or "",
                         "anchor": "start", "fontSize": 12, "fontWeight": 600, "color": TEXT, "subtitleFontSize": 11,
                         "subtitleColor": MUTED, "offset": 6, "subtitlePadding": 2, "limit": panel_width + 50}
        specs.append(spec)
    grid = alt.concat(panel_layers(False), columns=columns, data=long, spacing=24)
    # a grid of panels keeps its own size (Vega-Lite fits only single and layered views to a width)
    grid = _spec_with_look(grid, title, autosize="pad")
    grid["concat"] = specs
    return VegaLiteSpec(grid)


class VegaLiteSpec:
    """A chart whose Vega-Lite spec was put together as a dict: read by `show` and the downloads
    the way they read an Altair chart (`to_dict`)."""

    def __init__(self, spec: dict) -> None:
        self._spec = spec

    def to_dict(self, validate: bool = True) -> dict:
        return copy.deepcopy(self._spec)


# ---- commune profile ----------------------------------------------------------------------
def _points_text(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else _("{value} điểm").format(value=format_number(value, decimals))


def pillars_vs_median(frame: pl.DataFrame, commune_name: str, title: str | None = None) -> alt.TopLevelMixin:
    """The commune's pillar scores (bars) against the province median (orange diamond), one
    row per pillar in the frame's order. frame: pillar_name, score, median.
    Draws from one row per pillar and series: pillar_name, series, value, value_text, tip."""
    median_name = _("Trung vị của tỉnh")
    names = frame["pillar_name"].to_list()
    data = pl.concat([
        frame.select("pillar_name", pl.lit(series).alias("series"), pl.col(column).cast(pl.Float64).alias("value"))
        for series, column in ((commune_name, "score"), (median_name, "median"))
    ]).filter(pl.col("value").is_not_null())
    data = data.with_columns(
        pl.Series("value_text", [format_number(v, 1) for v in data["value"].to_list()], dtype=pl.Utf8),
        pl.Series("tip", [_points_text(v) for v in data["value"].to_list()], dtype=pl.Utf8),
    )
    series = [commune_name, median_name]
    # one legend of both series, by their colour and shape (the bars' square, the diamond)
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=[PRIMARY, "#E69F00"]))
    base = alt.Chart(data).encode(y=alt.Y("pillar_name:N", sort=names, title=None))
    tooltip = [alt.Tooltip("pillar_name:N", title=_("Trụ cột")), alt.Tooltip("series:N", title=" "),
               alt.Tooltip("tip:N", title=_("Điểm"))]
    bars = base.transform_filter(alt.datum.series == commune_name).mark_bar(height={"band": 0.7}).encode(
        x=alt.X("value:Q", title=_("Điểm (0–100)"), scale=alt.Scale(domain=[0, 108], nice=False),
                axis=alt.Axis(values=list(range(0, 101, 20)))),
        color=color, tooltip=tooltip,
    )
    # the score inside its bar (white), or after it when the bar is too short to hold it
    inside = base.transform_filter((alt.datum.series == commune_name) & (alt.datum.value >= 10)).mark_text(
        align="left", dx=6, color="white", fontSize=13, fontWeight=600).encode(x=alt.XDatum(0), text=alt.Text("value_text:N"))
    outside = base.transform_filter((alt.datum.series == commune_name) & (alt.datum.value < 10)).mark_text(
        align="left", dx=4, color=TEXT, fontSize=13).encode(x=alt.X("value:Q"), text=alt.Text("value_text:N"))
    medians = base.transform_filter(alt.datum.series == median_name).mark_point(
        filled=True, size=170, opacity=1, stroke=MEDIAN, strokeWidth=1.5).encode(
        x=alt.X("value:Q"), color=color, tooltip=tooltip,
        shape=alt.Shape("series:N", title=None, scale=alt.Scale(domain=series, range=["square", "diamond"])),
    )
    return _altair_look(_layered(bars, inside, outside, medians), title, height=max(36 * len(names), 120))


def waterfall_steps(frame: pl.DataFrame, score: float) -> pl.DataFrame:
    """The waterfall's rows, top to bottom: 100 points, each pillar's loss from the running total,
    then the score. frame: pillar_name, lost. Returns label, kind (total, lost), start, end, text."""
    lost = frame["lost"].fill_null(0.0).to_list()
    ends = [100.0 - sum(lost[: i + 1]) for i in range(len(lost))]
    starts = [100.0, *ends[:-1]]
    return pl.DataFrame({
        "label": [_("Điểm tối đa"), *frame["pillar_name"].to_list(), _("Điểm đạt được")],
        "kind": ["total", *["lost"] * len(lost), "total"],
        "start": [0.0, *starts, 0.0],
        "end": [100.0, *ends, float(score)],
        "text": ["100", *[f"−{format_number(v, 2)}" for v in lost], format_number(score, 2)],
    }, schema={"label": pl.Utf8, "kind": pl.Utf8, "start": pl.Float64, "end": pl.Float64, "text": pl.Utf8})


def score_waterfall(frame: pl.DataFrame, score: float, title: str | None = None) -> alt.TopLevelMixin:
    """From 100 points, the points each pillar loses, down to the score; horizontal, so the
    pillar names read in full beside their bars even in a half-width column.
    frame: pillar_name, lost (points of the overall score lost in that pillar)."""
    steps = waterfall_steps(frame, score)
    labels = steps["label"].to_list()
    data = steps.with_columns(
        pl.max_horizontal("start", "end").alias("right"),
        pl.Series("tip", [_("{value} điểm").format(value=t) for t in steps["text"].to_list()], dtype=pl.Utf8),
    )
    # the connectors: from each bar's end down to the next row, where the next bar starts
    links = pl.DataFrame({"label": labels[:-1], "next": labels[1:], "at": data["end"].to_list()[:-1]})
    y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelPadding=8))
    x_scale = alt.Scale(domain=[0, 115], nice=False)
    connectors = alt.Chart(links).mark_rule(color="#B8C2CC", strokeWidth=1).encode(
        y=y, y2=alt.Y2("next:N"), x=alt.X("at:Q", scale=x_scale))
    bars = alt.Chart(data).mark_bar(height={"band": 0.7}).encode(
        y=y,
        x=alt.X("start:Q", title=_("Điểm"), scale=x_scale, axis=alt.Axis(values=list(range(0, 101, 20)))),
        x2=alt.X2("end:Q"),
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["total", "lost"], range=[PRIMARY, "#E69F00"])),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("tip:N", title=_("Điểm"))],
    )
    text = alt.Chart(data).mark_text(align="left", dx=4, color=TEXT, fontSize=12).encode(
        y=y, x=alt.X("right:Q"), text=alt.Text("text:N"))
    return _altair_look(_layered(connectors, bars, text), title, height=30 * len(labels))


# ---- comparison ---------------------------------------------------------------------------
def grouped_pillars(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Pillar scores of several communes side by side (one row per pillar, one bar per
    commune). frame: commune_name, pillar_name, order, score."""
    names = frame["commune_name"].unique(maintain_order=True).to_list()
    data = frame.with_columns(per_row(frame, "score", lambda v: format_number(v, 1), name="score_text"))
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
    text = base.mark_text(align="left", dx=3, fontSize=11, color=TEXT).encode(x=alt.X("score:Q"), text=alt.Text("score_text:N"))
    height = len(pillar_order) * (len(names) * 16 + 14)
    return _altair_look(_layered(bars, text), title, height=height)


def score_lines(frame: pl.DataFrame, title: str | None = None, height: int = 280,
                series_title: str | None = None) -> alt.TopLevelMixin:
    """Overall score month by month, one line per series. frame: period, series, score."""
    series_title = series_title or _("Xã")
    names = frame["series"].unique(maintain_order=True).to_list()
    data = _trend_frame(frame)
    data = data.with_columns(per_row(data, "score", lambda v: format_number(v, 2), name="score_text"))
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
    )
    return _altair_look(chart, title, height=height)


def average_trend(frame: pl.DataFrame, title: str | None = None) -> alt.TopLevelMixin:
    """Average overall score of the province month by month. frame: period, score."""
    data = _trend_frame(frame)
    data = data.with_columns(per_row(data, "score", lambda v: format_number(v, 2), name="score_text"))
    chart = alt.Chart(data).mark_line(point=True, strokeWidth=2.5, color=PRIMARY).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format=MONTH_AXIS, labelAngle=0, tickCount="month")),
        y=alt.Y("score:Q", title=_("Điểm trung bình (0–100)"), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("score_text:N", title=_("Điểm trung bình"))],
    )
    return _altair_look(chart, title, height=260)
