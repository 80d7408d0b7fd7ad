"""The map of communes: each commune filled by its score band or its report's status, drawn with
Plotly offline.

Drawn as filled polygons on plain axes (longitude, latitude, the latitude stretched by
1/cos so shapes keep their proportions), not as go.Choropleth: plotly.js fetches its base-map
topojson from its CDN whenever a trace has a `locationmode`, which a GeoJSON choropleth always
has, and an office network without the internet would get an empty frame. No tile server
either. One trace per colour band (a few traces draw fast at 3,000 communes), and a marker at
each commune's centre that carries its name and number for hovering and clicking: a click
opens the commune's profile (Hồ sơ xã).
"""
from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries.i18n import N_, _
from queries.maps import boundaries
from queries.settings import store_dir
from queries.status import REPORT_COLORS, STATUS_COLORS
from queries.text import format_number
from ui import filters
from ui.charts import FONT, TEXT
from ui.cycle import cycle_now
from ui.format import in_sentence
from ui.page import empty
from ui.state import query

# Score bands: the heat map's orange-to-blue scale, in five steps a projector shows apart.
SCORE_BANDS: tuple[tuple[float, str, str], ...] = (
    (90, N_("≥ 90 điểm"), "#2166AC"),
    (80, N_("80–90 điểm"), "#92C5DE"),
    (65, N_("65–80 điểm"), "#FEE0B6"),
    (50, N_("50–65 điểm"), "#F1A340"),
    (0, N_("< 50 điểm"), "#B35806"),
)
NO_SCORE = (N_("Chưa có điểm"), STATUS_COLORS["Chưa có số liệu"])  # as an indicator without a value
REPORT_BANDS = {"dung_han": N_("✅ Đúng hạn"), "tre_han": N_("⏰ Trễ hạn"), "chua_nop": N_("❌ Chưa nộp"),
                "chua_den_han": N_("⏳ Chưa đến hạn")}
NO_BOUNDARY_NOTE = (N_("Chưa có ranh giới xã của {province}. Quản trị tỉnh tải tệp GeoJSON ranh giới lên ở trang "
                    "**Quản trị → Bản đồ xã**."))


def score_band(score: float | None) -> tuple[str, str]:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return NO_SCORE
    for low, label, color in SCORE_BANDS:
        if score >= low:
            return label, color
    return SCORE_BANDS[-1][1:]


def bands_for_scores(frame: pl.DataFrame, column: str, what: str) -> pl.DataFrame:
    """commune_id, band, color, hover from a frame with commune_id, commune_name, province and `column`."""
    rows = []
    for row in frame.iter_rows(named=True):
        label, color = score_band(row[column])
        value = _("chưa có điểm") if row[column] is None else _("{row} điểm").format(row=format_number(row[column], 2))
        rows.append({"commune_id": row["commune_id"], "band": label, "color": color,
                     "hover": f"<b>{row['commune_name']}</b> ({row['province']})<br>{what}: {value}"})
    return pl.DataFrame(rows, schema={"commune_id": pl.Utf8, "band": pl.Utf8, "color": pl.Utf8, "hover": pl.Utf8})


def bands_for_reports(frame: pl.DataFrame) -> pl.DataFrame:
    """From compliance_by_month: the month's report status of each commune."""
    rows = [{"commune_id": r["commune_id"], "band": REPORT_BANDS.get(r["status"], r["status"]),
             "color": REPORT_COLORS.get(r["status"], NO_SCORE[1]),
             "hover": _("<b>{commune_name}</b> ({province})<br>Báo cáo tháng: {get}").format(
                 commune_name=r['commune_name'],
                 province=r['province'],
                 get=_(REPORT_BANDS.get(r['status'], r['status'])))}
            for r in frame.iter_rows(named=True)]
    return pl.DataFrame(rows, schema={"commune_id": pl.Utf8, "band": pl.Utf8, "color": pl.Utf8, "hover": pl.Utf8})


def _stamps(provinces: tuple[str, ...]) -> tuple[str, ...]:
    root = store_dir()
    return tuple(boundaries.stamp(path) for p in provinces if (path := boundaries.path_for(root, p)) is not None)


@st.cache_data(show_spinner=False, max_entries=64)
def _shapes(provinces: tuple[str, ...], overview: bool, stamps: tuple[str, ...]) -> dict:
    """{commune_id: (rings as (lons, lats), centre, illustrative, province)} of the provinces' files; cached per
    version of the files (the stamps change when a province uploads new boundaries)."""
    shapes = {}
    for province in provinces:
        document = boundaries.read(store_dir(), province)
        if document is None:
            continue
        for feature in document["features"]:
            geometry = feature.get("overview") if overview and feature.get("overview") else feature["geometry"]
            polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
            rings = [_oriented(ring, hole=i > 0) for polygon in polygons for i, ring in enumerate(polygon)]
            outer = max((_oriented(polygon[0], hole=False) for polygon in polygons), key=lambda r: len(r[0]))
            centre = (sum(outer[0][:-1]) / (len(outer[0]) - 1), sum(outer[1][:-1]) / (len(outer[1]) - 1))
            shapes[feature["properties"]["commune_id"]] = (rings, centre, bool(document.get("illustrative")), province)
    return shapes


def _oriented(ring: list, hole: bool) -> tuple[list[float], list[float]]:
    """(lons, lats) of a ring, outer rings counter-clockwise and holes clockwise: the band's path
    is filled by the non-zero rule, so a hole wound against its polygon stays empty (a town
    inside a commune shows its own colour, not the commune's drawn over it)."""
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    area = sum(lons[i] * lats[i + 1] - lons[i + 1] * lats[i] for i in range(len(lons) - 1))
    if (area > 0) == hole:  # counter-clockwise has a positive area
        lons.reverse()
        lats.reverse()
    return lons, lats


def shapes_for(provinces: list[str], overview: bool) -> dict:
    return _shapes(tuple(provinces), overview, _stamps(tuple(provinces)))


def figure(shapes: dict, bands: pl.DataFrame, order: list[tuple[str, str]], *, height: int = 560,
           national: bool = False) -> go.Figure:
    """The map: one filled trace per band (legend in `order`: (label, color)), then the centres."""
    fig = go.Figure()
    by_band: dict[str, tuple[list, list]] = {}
    centres = {"x": [], "y": [], "id": [], "hover": [], "color": []}
    known = {row["commune_id"]: row for row in bands.iter_rows(named=True)}
    for commune_id, (rings, centre, _area, province) in shapes.items():
        row = known.get(commune_id)
        label = row["band"] if row else NO_SCORE[0]
        xs, ys = by_band.setdefault(label, ([], []))
        for lons, lats in rings:
            xs.extend([*lons, None])
            ys.extend([*lats, None])
        if row is not None:
            centres["x"].append(centre[0])
            centres["y"].append(centre[1])
            centres["id"].append([commune_id, province])
            centres["hover"].append(row["hover"])
            centres["color"].append(row["color"])
    line = {"color": "#FFFFFF", "width": 0.4 if national else 1.0}
    for label, color in [*order, NO_SCORE]:
        if label not in by_band:
            continue
        xs, ys = by_band[label]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=color, line=line, name=_(label),
                                 hoverinfo="skip", legendgroup=label))
    fig.add_trace(go.Scatter(
        x=centres["x"], y=centres["y"], mode="markers", customdata=centres["id"], hovertext=centres["hover"],
        hovertemplate=_("%{hovertext}<br><i>Bấm để mở hồ sơ xã</i><extra></extra>"),
        # the whole country: thousands of centres would hide the colours; they stay there, unseen, to
        # hover and click
        marker={"size": 7 if national else 8,
                "color": "rgba(27,38,49,0.0)" if national else "rgba(27,38,49,0.45)", "line": {"width": 0}},
        showlegend=False, name=_("Xã")))
    latitudes = [y for rings, *_unused in shapes.values() for _unused, lats in rings for y in lats]
    middle = (min(latitudes) + max(latitudes)) / 2 if latitudes else 16
    fig.update_layout(
        height=height, margin={"l": 0, "r": 0, "t": 10, "b": 0}, template="plotly_white",
        font={"family": FONT, "size": 15, "color": TEXT}, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"font": {"family": FONT, "size": 15}, "bgcolor": "white"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": None, "font": {"size": 15}},
        dragmode="pan", clickmode="event+select",
    )
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    # one degree of latitude is longer on screen than one of longitude, by 1/cos(latitude)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor="x",
                     scaleratio=1 / math.cos(math.radians(middle)))
    return fig


def clicked(event) -> tuple[str, str] | None:
    """(commune_id, province) of the commune a click selected, if any."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and len(data) == 2 and all(isinstance(v, str) for v in data):
            return data[0], data[1]
    return None


def show(fig: go.Figure, key: str, period) -> None:
    """Draw the map; a click on a commune opens its profile for the same month."""
    event = st.plotly_chart(fig, theme=None, key=key, width="stretch", on_select="rerun", selection_mode="points",
                            config={"displaylogo": False, "locale": "vi", "scrollZoom": True,
                                    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]})
    chosen = clicked(event)
    if chosen:
        commune_id, province = chosen
        st.switch_page("app_pages/ho_so_xa.py",
                       query_params={"tinh": province, "thang": filters.month_param(period), "xa": commune_id})


def illustrative(shapes: dict) -> bool:
    return any(flag for _unused, _unused, flag, _unused in shapes.values())


def caption_for(shapes: dict, n_communes: int) -> str:
    drawn = len(shapes)
    text = _("{drawn} trên {n_communes} xã có ranh giới trên bản đồ.").format(drawn=drawn,
        n_communes=n_communes) if drawn < n_communes else ""
    if illustrative(shapes):
        text += _(" **Ranh giới minh họa** do phần mềm sinh ra cho tỉnh minh họa, không phải ranh giới thật.")
    return text.strip()


def legend_order(kind: str) -> list[tuple[str, str]]:
    if kind == "report":
        return [(REPORT_BANDS[s], REPORT_COLORS[s]) for s in REPORT_BANDS]
    return [(label, color) for _unused, label, color in SCORE_BANDS]



SCALE_PROVINCE, SCALE_COUNTRY = "tinh", "ca-nuoc"


def commune_map(key: str, province: str, period, *, group: tuple[str, str] | None = None,
                reports: bool = False) -> None:
    """The map section of a page: colour by the score (overall, or a group's) or, with `reports`,
    by this month's report; the province or the whole country (every province the person reads)."""
    left, right = st.columns([1, 1], vertical_alignment="bottom")
    what = _("Điểm {group}").format(group=in_sentence(group[1])) if group else _("Điểm tổng")
    colours = {"diem": what, **({"bao_cao": _("Báo cáo tháng này")} if reports else {})}
    colour = left.segmented_control(_("Tô màu theo"), list(colours), format_func=colours.get, default="diem",
                                    key=f"{key}-mau") or "diem"
    scales = {SCALE_PROVINCE: _("Tỉnh {province}").format(province=province), SCALE_COUNTRY: _("Cả nước")}
    scale = right.segmented_control(_("Phạm vi"), list(scales), format_func=scales.get, default=SCALE_PROVINCE,
                                    key=f"{key}-pham-vi") or SCALE_PROVINCE
    national = scale == SCALE_COUNTRY
    where = None if national else province
    if colour == "bao_cao":
        frame = query("compliance_by_month", province=where, commune=None, period_from=period, period_to=period,
                      now=cycle_now())
        bands, order = bands_for_reports(frame), legend_order("report")
    elif group:
        frame = query("group_scores_by_month", period=period, province=where, commune=None, framework=None)
        frame = frame.filter(pl.col("group_code") == group[0])
        bands, order = bands_for_scores(frame, "group_score", what), legend_order("score")
    else:
        frame = query("ranking_by_month", period=period, province=where)
        bands, order = bands_for_scores(frame, "score", what), legend_order("score")
    provinces = sorted(set(frame["province"].to_list())) if national else [province]
    shapes = shapes_for(provinces, overview=national)
    if not shapes:
        empty(_(NO_BOUNDARY_NOTE).format(province=_("cả nước") if national else _("tỉnh {province}").format(province=province)))
        return
    show(figure(shapes, bands, order, height=640 if national else 560, national=national), f"{key}-{scale}", period)
    note = caption_for(shapes, frame["commune_id"].n_unique())
    if note:
        st.caption(note)
