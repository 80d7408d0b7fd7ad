"""Charts of the plans and the monthly cycle: tasks by office, the year-end projection, the
communes × months reporting grid. Same look as ui/charts.py, whose helpers they use."""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import polars as pl

from queries.i18n import N_, _
from queries.status import PROJECTION_COLORS, REPORT_COLORS, TASK_COLORS
from queries.text import format_month
from ui.charts import MEDIAN, MONTH_AXIS, MUTED, PRIMARY, TEXT, _altair_look, _fmt_value, _layered, _yes_no_axis

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
    )
    return _altair_look(chart, title, height=max(30 * n_rows, 120))


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


def projection_frame(points: pl.DataFrame, projection: dict, unit_suffix: str) -> pl.DataFrame:
    """The projection chart's rows: the values reported, the trend carried to December, its
    end (the projected value) and the year's target (January and December), each with its
    series name, the month as read and the texts of its tooltip.
    Returns series, role (values, trend, end, target), period, month_label, y, y_text, tip."""
    year = projection["year"]
    unit = projection.get("unit")
    names = {"values": _("Giá trị đã báo cáo"), "trend": _("Xu hướng, dự báo tới tháng 12")}
    rows: list[dict] = [{"role": "values", "month": m, "y": v}
                        for m, v in zip(points["month_number"].to_list(), points["value"].to_list())]
    status = projection.get("projected_status")
    if projection.get("slope") is not None and points.height:
        first = int(points["month_number"].min())
        ys = [_clip(projection["intercept"] + projection["slope"] * m, unit) for m in range(first, 13)]
        ys[-1] = projection["projected_year_end"]
        rows += [{"role": "trend", "month": m, "y": v} for m, v in zip(range(first, 13), ys)]
        names["end"] = projection_label(status)
        tip = _("Dự báo tháng 12/{year}: {fmt_value}").format(year=year, fmt_value=_fmt_value(ys[-1], unit_suffix))
        rows.append({"role": "end", "month": 12, "y": ys[-1], "tip": tip})
    if projection.get("target") is not None:
        target_text = projection.get("target_text") or _fmt_value(projection["target"], unit_suffix)
        names["target"] = _("Mục tiêu năm: {target_text}").format(target_text=target_text)
        tip = _("Mục tiêu năm {year}: {target_text}").format(year=year, target_text=target_text)
        rows += [{"role": "target", "month": m, "y": projection["target"], "tip": tip} for m in (1, 12)]
    return pl.DataFrame([{
        "series": names[r["role"]], "role": r["role"], "period": date_of(year, r["month"]),
        "month_label": format_month(date_of(year, r["month"])),
        "y": None if r["y"] is None else float(r["y"]),
        "y_text": _fmt_value(r["y"], unit_suffix), "tip": r.get("tip"),
    } for r in rows], schema={"series": pl.Utf8, "role": pl.Utf8, "period": pl.Date, "month_label": pl.Utf8,
                              "y": pl.Float64, "y_text": pl.Utf8, "tip": pl.Utf8})


def projection_chart(points: pl.DataFrame, projection: dict, unit_suffix: str,
                     title: str | None = None, height: int = 260) -> alt.TopLevelMixin:
    """One indicator through the year: the values reported (solid, with dots), the least-squares
    line through them carried to December (dashed, ending on the projected value, a diamond with
    its number), and the year's target (dotted). points: month_number, period, value; projection:
    a row of the projection_by_indicator query (slope, intercept, projected_year_end,
    projected_status, target, target_text, unit, year)."""
    year = projection["year"]
    unit = projection.get("unit")
    data = projection_frame(points, projection, unit_suffix).filter(pl.col("y").is_not_null())
    colour = PROJECTION_COLORS.get(projection.get("projected_status"), MUTED)
    looks = {"values": (PRIMARY, [1, 0], "stroke"), "trend": (colour, [6, 4], "stroke"),
             "end": (colour, [1, 0], "diamond"), "target": (MEDIAN, [2, 3], "stroke")}
    roles = [r for r in looks if r in data["role"].to_list()]
    names = [data.filter(pl.col("role") == r)["series"][0] for r in roles]
    # one legend: each series' colour, dash and symbol (a line, or the end's diamond)
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=[looks[r][0] for r in roles]),
                      legend=alt.Legend(orient="top", columns=2, symbolStrokeWidth=2.5, labelLimit=400))
    dash = alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=names, range=[looks[r][1] for r in roles]))
    shape = alt.Shape("series:N", title=None, scale=alt.Scale(domain=names, range=[looks[r][2] for r in roles]))
    half_month = [alt.DateTime(year=d.year, month=d.month, date=d.day)
                  for d in (date_of(year, 1) - _HALF_MONTH, date_of(year, 12) + _HALF_MONTH)]
    x = alt.X("period:T", title=None, scale=alt.Scale(domain=half_month),
              axis=alt.Axis(format=MONTH_AXIS, labelAngle=0, tickCount="month"))
    if unit == "yes_no":
        y = alt.Y("y:Q", title=None, scale=alt.Scale(domain=[-0.15, 1.25], nice=False), axis=_yes_no_axis())
    else:
        y = alt.Y("y:Q", title=unit_suffix.strip() or None, scale=alt.Scale(zero=True))
    base = alt.Chart(data).encode(x=x, y=y, color=color)

    def of(*wanted: str) -> alt.Chart:
        return base.transform_filter(alt.FieldOneOfPredicate(field="role", oneOf=list(wanted)))

    trend = of("trend").mark_line(strokeWidth=2).encode(strokeDash=dash)
    values = of("values").mark_line(strokeWidth=2.5).encode(strokeDash=dash)  # drawn over the trend
    target = of("target").mark_line(strokeWidth=1.5).encode(
        strokeDash=dash, tooltip=[alt.Tooltip("tip:N", title=_("Mục tiêu"))])
    dots = of("values").mark_point(filled=True, size=50, opacity=1).encode(
        tooltip=[alt.Tooltip("month_label:N", title=_("Tháng")), alt.Tooltip("y_text:N", title=_("Giá trị"))])
    end = of("end").mark_point(filled=True, size=160, opacity=1, stroke=TEXT, strokeWidth=1).encode(
        shape=shape, tooltip=[alt.Tooltip("tip:N", title=_("Dự báo")), alt.Tooltip("series:N", title=" ")])
    end_text = of("end").mark_text(align="right", baseline="bottom", dx=-8, dy=-6, fontSize=13).encode(
        text=alt.Text("y_text:N"), color=alt.ColorValue(TEXT))
    return _altair_look(_layered(target, trend, values, dots, end, end_text), title, height=height)


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
    icon = base.transform_filter("datum.days == ''").mark_text(fontSize=12).encode(text=alt.Text("icon:N"), tooltip=tooltip)
    late = base.transform_filter("datum.days != ''")
    late_icon = late.mark_text(fontSize=12, dx=-10).encode(text=alt.Text("icon:N"), tooltip=tooltip)
    days = late.mark_text(fontSize=12, dx=10, color=TEXT, fontWeight=600).encode(text=alt.Text("days:N"), tooltip=tooltip)
    return _altair_look(_layered(cells, icon, late_icon, days), title, height=max(22 * len(names), 66))
