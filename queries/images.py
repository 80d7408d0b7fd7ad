"""Charts to image files, offline: Plotly through kaleido (Debian's chromium), Altair
through vl-convert. Used by the download buttons, the meeting pack and the tests."""
from __future__ import annotations

import altair as alt
import plotly.graph_objects as go

FONT = "DejaVu Sans"  # has every Vietnamese glyph; without it titles fall back to a serif face


def chart_to_image(chart: go.Figure | alt.TopLevelMixin, fmt: str, width: int = 1200, height: int = 675) -> bytes:
    """PNG or SVG bytes of a chart, with its title, legend and axis units."""
    if fmt not in ("png", "svg"):
        raise ValueError(fmt)
    if isinstance(chart, go.Figure):
        figure = go.Figure(chart)
        figure.update_layout(font_family=FONT)
        return figure.to_image(format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1)
    import vl_convert as vlc

    spec = chart.properties(width=width - 200, height=height - 150).configure(font=FONT).to_dict()
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    return vlc.vegalite_to_svg(spec).encode("utf-8")
