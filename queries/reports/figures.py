"""Chart factories without Streamlit: Plotly figures from polars frames.

Used by the presentation page, the meeting pack and the download buttons, so the room, the
minutes and the slides see the same pictures. Every figure carries its title, a subtitle
with province and month, a legend where colours mean something and axis titles with units,
so an exported image stands on its own.

Two looks: "screen" (normal pages) and "presentation" (projector: every text ≥ 20 px, near
black on white, thick bars). Status colours are Okabe–Ito (colour-blind safe) and a status
is always written out with its icon too, never shown by colour alone.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from queries.i18n import _
from queries.status import STATUS_COLORS, STATUS_ORDER, STATUS_PRINT_ICONS, status_name
from queries.text import format_number

FONT = "DejaVu Sans"  # every Vietnamese glyph and the status icons below
INK = "#111111"
MUTED = "#3A3A3A"
GRID = "#CCCCCC"
PAPER = "#FFFFFF"
ACCENT = "#0072B2"  # Okabe–Ito blue
PREVIOUS = "#000000"
GAIN = "#009E73"  # Okabe–Ito bluish green
LOSS = "#D55E00"  # Okabe–Ito vermillion

# Statuses come from queries/status.py, shared with the pages; the printable icon set,
# because emoji cannot be drawn in PDF pages and exported images.
STATUS_ICONS = STATUS_PRINT_ICONS


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_on(hex_colour: str) -> str:
    """Near black or white, whichever contrasts more with the colour (WCAG ratio)."""
    background = _luminance(hex_colour)
    dark = (background + 0.05) / (_luminance(INK) + 0.05)
    light = 1.05 / (background + 0.05)
    return INK if dark >= light else "#FFFFFF"


STATUS_TEXT: dict[str, str] = {status: text_on(colour) for status, colour in STATUS_COLORS.items()}


def status_label(status: str) -> str:
    """'Chậm' -> '↘ Chậm' ('↘ Slow' in English): a status is never told by colour alone."""
    return f"{STATUS_ICONS.get(status, '•')} {status_name(status)}"


@dataclass(frozen=True)
class Look:
    text: int
    title: int
    subtitle: int
    tick: int
    bar_text: int
    legend: int
    wrap: int  # characters per line of a category label
    height: int


LOOKS = {
    "screen": Look(text=14, title=18, subtitle=13, tick=13, bar_text=13, legend=13, wrap=42, height=420),
    "presentation": Look(text=20, title=26, subtitle=20, tick=20, bar_text=20, legend=20, wrap=30,
                         height=560),
}


def look(presentation: bool) -> Look:
    return LOOKS["presentation" if presentation else "screen"]


def wrap_label(text: str, width: int) -> str:
    """Long indicator names over several lines (Plotly breaks lines at <br>)."""
    lines = textwrap.wrap(str(text), width=width) or [""]
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1][: max(0, width - 1)] + "…"
    return "<br>".join(lines)


def _layout(figure: go.Figure, title: str, subtitle: str | None, presentation: bool,
            *, legend: bool, left_margin: int, height: int | None = None) -> go.Figure:
    lk = look(presentation)
    figure.update_layout(
        template="plotly_white",
        font=dict(family=FONT, size=lk.text, color=INK),
        title=dict(
            text=f"<b>{title}</b>",
            subtitle=dict(text=subtitle or "", font=dict(size=lk.subtitle, color=MUTED)),
            font=dict(size=lk.title, color=INK), x=0.012, xanchor="left", xref="container",
            y=0.98, yanchor="top", yref="container",
        ),
        paper_bgcolor=PAPER,
        plot_bgcolor=PAPER,
        separators=",.",  # Vietnamese: decimal comma, thousands dot
        showlegend=legend,
        legend=dict(
            orientation="h", x=0, xanchor="left", xref="paper", y=1.0, yanchor="bottom", yref="paper",
            font=dict(size=lk.legend, color=INK), traceorder="normal", title_text="",
        ),
        margin=dict(l=left_margin, r=40 if presentation else 24,
                    t=(150 if legend else 110) if presentation else (110 if legend else 80),
                    b=80 if presentation else 60),
        height=height or lk.height,
        bargap=0.25,
        uniformtext=dict(minsize=lk.bar_text - 4, mode="hide"),
    )
    figure.update_xaxes(
        tickfont=dict(size=lk.tick, color=INK), title_font=dict(size=lk.tick, color=INK),
        gridcolor=GRID, linecolor=INK, zeroline=True, zerolinecolor=INK, zerolinewidth=1,
    )
    figure.update_yaxes(tickfont=dict(size=lk.tick, color=INK), title_font=dict(size=lk.tick, color=INK),
                        linecolor=INK, ticksuffix="  ")
    return figure


def empty_figure(title: str, subtitle: str | None, message: str, presentation: bool = False) -> go.Figure:
    """A chart with nothing to plot still says what it would show and why it is empty."""
    figure = go.Figure()
    _layout(figure, title, subtitle, presentation, legend=False, left_margin=40)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font=dict(size=look(presentation).title, color=MUTED))
    return figure


def pillar_averages(frame: pl.DataFrame, *, title: str, subtitle: str | None = None,
                    current_label: str | None = None, previous_label: str | None = None,
                    presentation: bool = False) -> go.Figure:
    """Province average per pillar, 0–100, with last month as a marker.

    frame: label (pillar name), score (0–100 or null), previous (optional, 0–100 or null)."""
    data = frame.filter(pl.col("score").is_not_null())
    if data.is_empty():
        return empty_figure(title, subtitle, _("Chưa có điểm trong tháng này"), presentation)
    current_label = current_label or _("Tháng này")
    lk = look(presentation)
    labels = [wrap_label(x, lk.wrap) for x in data["label"].to_list()]
    scores = data["score"].to_list()
    figure = go.Figure()
    figure.add_bar(
        y=labels, x=scores, orientation="h", name=current_label, marker_color=ACCENT,
        text=[format_number(v, 1) for v in scores], textposition="outside",
        textfont=dict(size=lk.bar_text, color=INK), cliponaxis=False,
        hovertemplate=_("%{y}: %{x:.1f} điểm<extra></extra>"),
    )
    if previous_label and "previous" in data.columns and data["previous"].is_not_null().any():
        figure.add_scatter(
            y=labels, x=data["previous"].to_list(), mode="markers", name=previous_label,
            marker=dict(symbol="line-ns", size=34 if presentation else 22, color=PREVIOUS,
                        line=dict(width=4 if presentation else 3, color=PREVIOUS)),
            hovertemplate=_("%{y}: %{x:.1f} điểm (tháng trước)<extra></extra>"),
        )
    _layout(figure, title, subtitle, presentation, legend=True, left_margin=20)
    figure.update_xaxes(range=[0, 108], title_text=_("Điểm trung bình (0–100)"), dtick=20)
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def score_bars(frame: pl.DataFrame, *, title: str, subtitle: str | None = None,
               value_title: str | None = None, series_name: str | None = None,
               color: str = ACCENT, presentation: bool = False) -> go.Figure:
    """Horizontal bars, one per commune, in the frame's order, top first.

    frame: label (e.g. '1. Xã Thịnh Vinh'), score (0–100)."""
    data = frame.filter(pl.col("score").is_not_null())
    if data.is_empty():
        return empty_figure(title, subtitle, _("Chưa có xã nào có điểm"), presentation)
    value_title, series_name = value_title or _("Điểm tổng (0–100)"), series_name or _("Điểm tổng")
    lk = look(presentation)
    labels = [wrap_label(x, lk.wrap + 6) for x in data["label"].to_list()]
    scores = data["score"].to_list()
    figure = go.Figure(go.Bar(
        y=labels, x=scores, orientation="h", name=series_name, marker_color=color,
        text=[format_number(v, 1) for v in scores], textposition="outside",
        textfont=dict(size=lk.bar_text, color=INK), cliponaxis=False,
        hovertemplate=_("%{y}: %{x:.2f} điểm<extra></extra>"),
    ))
    _layout(figure, title, subtitle, presentation, legend=True, left_margin=20)
    figure.update_xaxes(range=[0, 108], title_text=value_title, dtick=20)
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def status_stack(frame: pl.DataFrame, *, title: str, subtitle: str | None = None,
                 presentation: bool = False) -> go.Figure:
    """How many communes are in each status, per indicator: stacked horizontal bars, each
    indicator's (long) name written above its bar, so bars and legend get the full width.

    frame: label (indicator), status, n. Rows keep the frame's label order."""
    if frame.is_empty():
        return empty_figure(title, subtitle, _("Không có chỉ tiêu nào trong trụ cột này"), presentation)
    lk = look(presentation)
    order = list(dict.fromkeys(frame["label"].to_list()))
    positions = {label: i for i, label in enumerate(order)}
    figure = go.Figure()
    for status in STATUS_ORDER:
        part = frame.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        counts = dict(zip(part["label"].to_list(), part["n"].to_list()))
        values = [counts.get(label, 0) for label in order]
        figure.add_bar(
            y=[positions[x] for x in order], x=values, orientation="h", name=status_label(status),
            width=0.3, customdata=order,
            marker=dict(color=STATUS_COLORS[status], line=dict(color=PAPER, width=1)),
            text=[str(v) if v else "" for v in values], textposition="inside",
            insidetextanchor="middle", textangle=0,
            textfont=dict(size=lk.bar_text, color=STATUS_TEXT[status]),
            hovertemplate=f"%{{customdata}}<br>{status_name(status)}: " + _("%{x} xã") + "<extra></extra>",
        )
    wrapped = {label: wrap_label(label, lk.wrap * 2 + 16) for label in order}
    for label, i in positions.items():
        figure.add_annotation(
            text=wrapped[label], x=0, xref="paper", y=i - 0.18, yref="y",
            xanchor="left", yanchor="bottom", align="left", showarrow=False,
            font=dict(size=lk.tick, color=INK),
        )
    _layout(figure, title, subtitle, presentation, legend=True, left_margin=20)
    figure.update_layout(barmode="stack")
    figure.update_xaxes(title_text=None, rangemode="tozero")  # the unit is in the title: "Số xã …"
    figure.update_layout(margin_b=50 if presentation else 36)
    top = -0.95 if "<br>" in wrapped[order[0]] else -0.62  # room for the first name's lines
    figure.update_yaxes(range=[len(order) - 0.6, top], showticklabels=False, showgrid=False,
                        zeroline=False, showline=False, ticksuffix="")
    return figure


def change_bars(frame: pl.DataFrame, *, title: str, subtitle: str | None = None,
                value_title: str | None = None,
                presentation: bool = False) -> go.Figure:
    """Score change per commune: gains in green, losses in vermillion, signed labels.

    frame: label, change (points)."""
    data = frame.filter(pl.col("change").is_not_null())
    if data.is_empty():
        return empty_figure(title, subtitle, _("Chưa có tháng trước để so sánh"), presentation)
    value_title = value_title or _("Thay đổi điểm tổng so với tháng trước (điểm)")
    lk = look(presentation)
    labels = [wrap_label(x, lk.wrap + 6) for x in data["label"].to_list()]
    changes = data["change"].to_list()
    figure = go.Figure()
    for name, color, keep in ((_("▲ Tăng điểm"), GAIN, lambda v: v > 0), (_("▼ Giảm điểm"), LOSS, lambda v: v < 0),
                              (_("= Không đổi"), MUTED, lambda v: v == 0)):
        idx = [i for i, v in enumerate(changes) if keep(v)]
        if not idx:
            continue
        figure.add_bar(
            y=[labels[i] for i in idx], x=[changes[i] for i in idx], orientation="h", name=name,
            marker_color=color, text=[_signed(changes[i], 2) for i in idx], textposition="outside",
            textfont=dict(size=lk.bar_text, color=INK), cliponaxis=False,
            hovertemplate=_("%{y}: %{x:+.2f} điểm<extra></extra>"),
        )
    _layout(figure, title, subtitle, presentation, legend=True, left_margin=20)
    top = max(abs(v) for v in changes) or 1
    low = min(changes) - 0.3 * top if min(changes) < 0 else 0
    high = max(changes) + 0.25 * top if max(changes) > 0 else 0.1 * top
    figure.update_layout(barmode="relative")
    figure.update_xaxes(title_text=value_title, range=[low, high])
    figure.update_yaxes(autorange="reversed", automargin=True, categoryorder="array",
                        categoryarray=labels)
    return figure


def _signed(value: float, decimals: int = 1) -> str:
    text = format_number(abs(value), decimals)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


signed = _signed

FACTORIES = {
    "pillar_averages": pillar_averages,
    "score_bars": score_bars,
    "status_stack": status_stack,
    "change_bars": change_bars,
}
