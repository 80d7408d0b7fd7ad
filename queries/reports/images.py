"""Charts to image files, offline: Plotly through kaleido (Debian's chromium), Altair
through vl-convert. Used by the download buttons, the meeting pack and the tests.

An exported image must stand on its own in the minutes or a slide: it always has its title
(added from `title` when the chart has none), its legend and axis titles with units, and an
optional caption line (province, month, "Dữ liệu minh họa").

kaleido starts a browser for every image (~2 s) unless its global server runs. Wrap a batch
in `image_session()`: the server is started once and stopped when the last batch ends. The
server is one per process and not thread-safe, so every Plotly export goes through one lock
(Streamlit sessions are threads).
"""
from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator

import altair as alt
import plotly.graph_objects as go

FONT = "DejaVu Sans"  # has every Vietnamese glyph; without it titles fall back to a serif face

_render_lock = threading.RLock()
_sessions = 0


@contextlib.contextmanager
def image_session() -> Iterator[None]:
    """Keep one kaleido browser running for the images made inside (reference-counted)."""
    import kaleido

    global _sessions
    with _render_lock:
        if _sessions == 0:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)  # offline: no CDN
        _sessions += 1
    try:
        yield
    finally:
        with _render_lock:
            _sessions -= 1
            if _sessions == 0:
                kaleido.stop_sync_server(silence_warnings=True)


def _has_title(figure: go.Figure) -> bool:
    return bool(figure.layout.title and figure.layout.title.text)


def prepare_figure(chart: go.Figure, title: str | None = None, caption: str | None = None) -> go.Figure:
    """A copy of the figure ready to export: font with Vietnamese glyphs, a title, a legend
    wherever there is more than one series, and the caption under the plot."""
    figure = go.Figure(chart)
    figure.update_layout(font_family=FONT)
    if title and not _has_title(figure):
        figure.update_layout(title=dict(text=f"<b>{title}</b>", x=0, xanchor="left"))
        if (figure.layout.margin.t or 0) < 80:
            figure.update_layout(margin_t=80)
    if len(figure.data) > 1 and figure.layout.showlegend is None:
        figure.update_layout(showlegend=True)
    if caption:
        bottom = max(figure.layout.margin.b or 0, 90)
        figure.update_layout(margin_b=bottom)
        figure.add_annotation(text=caption, showarrow=False, xref="paper", yref="paper", x=0, y=0,
                              xanchor="left", yanchor="top", yshift=-bottom + 22,
                              font=dict(size=13, color="#3A3A3A"), align="left")
    return figure


def altair_spec(chart: alt.TopLevelMixin, width: int, height: int, title: str | None = None,
                caption: str | None = None) -> dict:
    """The chart's Vega-Lite spec sized for export, in DejaVu Sans, with a title (left, like
    the Plotly charts) and the caption as its subtitle. A chart's own height is kept (a
    one-row strip stays a strip); compound charts keep their own sizes."""
    spec = chart.to_dict()
    heading = spec.get("title")
    if isinstance(heading, str):
        heading = {"text": heading}
    if title and not heading:
        heading = {"text": title, "anchor": "start"}
    if heading is not None:
        if caption:
            heading = {**heading, "subtitle": caption}
        spec["title"] = heading
    if not any(key in spec for key in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        spec["width"] = width - 200
        spec.setdefault("height", height - 150)
    config = spec.setdefault("config", {})
    config["font"] = FONT
    return spec


def chart_to_image(chart: go.Figure | alt.TopLevelMixin, fmt: str, width: int = 1200, height: int = 675,
                   *, title: str | None = None, caption: str | None = None, scale: float = 2) -> bytes:
    """PNG or SVG bytes of a chart, with its title, legend and axis units."""
    if fmt not in ("png", "svg"):
        raise ValueError(fmt)
    if isinstance(chart, go.Figure):
        figure = prepare_figure(chart, title, caption)
        # A tall chart (a heat map of 100 communes) keeps its own height rather than squashing.
        height = max(height, int(figure.layout.height or 0))
        with _render_lock, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "kopts ignored if using a server"
            return figure.to_image(format=fmt, width=width, height=height,
                                   scale=scale if fmt == "png" else 1)
    import vl_convert as vlc

    spec = altair_spec(chart, width, height, title, caption)
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=scale)
    return vlc.vegalite_to_svg(spec).encode("utf-8")
