"""Trình chiếu: the monthly meeting on a shared screen.

One idea per screen, large type, near black on white, no sidebar and no filters in sight.
The slides are the ones of the meeting pack (queries.reports.slides): title, overview, ranking, one
per pillar, the communes most behind, what improved, the method. Move with the buttons or
the keyboard (← →, also Page Up / Page Down of a presenter's clicker); an optional timer
advances by itself. Province and month are those chosen on the other pages (?tinh, ?thang),
changeable under "Tùy chọn", where the chart, the table and the whole pack can be downloaded.
Open it from the menu or with ?trinh_chieu=1 on any page. Nothing personal is shown: no
uploader, no note, only commune-level results.
"""
from __future__ import annotations

import html
import time
from datetime import date, datetime

import streamlit as st
from streamlit.errors import StreamlitAPIException

from queries.errors import UserFacingError
from queries.i18n import _
from queries.reading import ScopedReader
from queries.reports.export import PILLAR_CODES, PROGRESS_HEADINGS, RANKING_COLUMNS, RANKING_HEADINGS
from queries.reports.figures import STATUS_COLORS, STATUS_ORDER, STATUS_TEXT, status_label
from queries.reports.slides import Deck, Slide, build_deck, slide_figure
from queries.reports.tables import to_xlsx_bytes
from queries.spreadsheet import to_csv_bytes
from queries.text import format_month, slug
from ui import filters
from ui.cycle import cycle_now
from ui.downloads import XLSX_MIME, chart_downloads, pack_download, table_downloads
from ui.state import database, read_scope

INDEX = "tc_slide"
CHANGED_AT = "tc_changed_at"
AUTO = "tc_auto"
SECONDS = "tc_seconds"
CHART_HEIGHT = 530

# Scoped to this page: the styles go away with it. Colours stay those of the theme; only
# sizes, the hidden chrome and the slide blocks are set here.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebarNav"], footer { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding: 0.8rem 2.2rem 4.6rem 2.2rem !important; max-width: 100% !important; }
/* the navigation bar stays at the bottom of the screen whatever the slide holds */
.st-key-tc-nav { position: fixed; left: 0; right: 0; bottom: 0; z-index: 99; background: #FFFFFF;
  border-top: 1px solid #B0B7BF; padding: 0.45rem 2.2rem 0.45rem 2.2rem; }
.st-key-tc-nav [data-testid="stWidgetLabel"] p { font-size: 20px !important; }
[data-testid="stMain"] { color: #111111; }
.tc-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 1.5rem;
  border-bottom: 3px solid #0072B2; padding-bottom: 0.35rem; margin-bottom: 0.6rem; }
.tc-title { font-size: 42px; font-weight: 700; line-height: 1.12; color: #111111; margin: 0; }
.tc-scope { font-size: 20px; color: #333333; text-align: right; white-space: nowrap; line-height: 1.5; }
.tc-demo { display: inline-block; border: 3px solid #D55E00; color: #A33F00; font-weight: 700;
  font-size: 20px; padding: 0 0.5rem; border-radius: 6px; }
.tc-fact { margin: 0 0 0.7rem 0; }
.tc-fact-label { font-size: 20px; color: #333333; line-height: 1.25; }
.tc-fact-value { font-size: 40px; font-weight: 700; color: #111111; line-height: 1.15; }
.tc-fact-value.tc-long { font-size: 26px; line-height: 1.2; }
.tc-fact-note { font-size: 20px; color: #333333; line-height: 1.25; }
[data-testid="stMarkdownContainer"] ul.tc-bullets { padding-left: 1.4rem; margin: 0.2rem 0 0 0; }
[data-testid="stMarkdownContainer"] ul.tc-bullets li { font-size: 21px; line-height: 1.35; color: #111111;
  margin-bottom: 0.35rem; }
[data-testid="stMarkdownContainer"] ul.tc-method li { font-size: 24px; line-height: 1.4; margin-bottom: 0.5rem; }
.tc-cover { text-align: center; padding-top: 2.2rem; }
.tc-cover-kicker { font-size: 26px; color: #333333; }
.tc-cover-title { font-size: 52px; font-weight: 700; color: #111111; line-height: 1.15; margin: 0.4rem 0; }
.tc-cover-province { font-size: 64px; font-weight: 700; color: #0062A3; line-height: 1.1; }
.tc-cover-month { font-size: 34px; color: #111111; margin: 0.3rem 0 1.4rem 0; }
.tc-cover-facts { display: flex; justify-content: center; gap: 2rem; margin-bottom: 1.4rem; }
.tc-cover-fact { border: 2px solid #B0B7BF; border-radius: 10px; padding: 0.6rem 1.6rem; min-width: 15rem; }
.tc-cover-fact .tc-fact-value { font-size: 44px; }
table.tc-table { width: 100%; border-collapse: collapse; font-size: 22px; color: #111111; }
table.tc-table th { background: #1F4E79; color: #FFFFFF; text-align: left; padding: 0.3rem 0.6rem; font-weight: 700; }
table.tc-table td { padding: 0.22rem 0.6rem; border-bottom: 1px solid #B0B7BF; }
table.tc-table tr:nth-child(even) td { background: #F2F5F8; }
table.tc-table td.tc-num, table.tc-table th.tc-num { text-align: right; }
.tc-keys { display: flex; flex-wrap: wrap; gap: 0.5rem 1.4rem; font-size: 20px; margin-top: 0.8rem; }
.tc-key { display: inline-flex; align-items: center; gap: 0.45rem; }
.tc-swatch { display: inline-block; min-width: 1.6rem; padding: 0 0.3rem; border-radius: 4px;
  text-align: center; font-weight: 700; }
.tc-counter { font-size: 20px; color: #111111; text-align: center; padding-top: 0.35rem; white-space: nowrap; }
[data-testid="stMain"] .stButton button, [data-testid="stMain"] [data-testid="stPopover"] button,
[data-testid="stMain"] [data-testid="stPageLink"] a { min-height: 2.6rem; }
[data-testid="stMain"] .stButton button p, [data-testid="stMain"] [data-testid="stPopover"] button p,
[data-testid="stMain"] [data-testid="stPageLink"] a p { font-size: 20px; }
/* clicker keys (Page Down / Page Up) are extra buttons nobody needs to see */
.st-key-tc-pgdn, .st-key-tc-pgup { position: absolute !important; left: -10000px !important;
  width: 1px !important; height: 1px !important; overflow: hidden !important; }
</style>
"""


def esc(text: object) -> str:
    return html.escape(str(text))


@st.cache_data(ttl=600, show_spinner=False, max_entries=32, max_size="32MB")
def _deck(province: str, period: date, version: tuple, now: datetime, provinces: tuple[str, ...] | None) -> Deck:
    db = ScopedReader(database(), provinces)  # the slides show only what this session reads
    db.ensure_fresh()  # so db.settings is the settings of this version
    return build_deck(db.run_query, province, period, settings=db.settings, now=now)


def go(step: int, count: int, wrap: bool = False) -> None:
    index = st.session_state.get(INDEX, 0) + step
    index = index % count if wrap else max(0, min(count - 1, index))
    st.session_state[INDEX] = index
    st.session_state[CHANGED_AT] = time.monotonic()


def restart_timer() -> None:
    st.session_state[CHANGED_AT] = time.monotonic()


# ---- drawing one slide ------------------------------------------------------------------------
def head(slide: Slide, deck: Deck) -> None:
    demo = _('<span class="tc-demo">DỮ LIỆU MINH HỌA</span><br>') if deck.is_demo else ""
    st.markdown(
        f'<div class="tc-head"><h1 class="tc-title">{esc(slide.title)}</h1>'
        f'<div class="tc-scope">{demo}{esc(deck.province)} · {esc(format_month(deck.period))}</div></div>',
        unsafe_allow_html=True,
    )


def facts_html(slide: Slide) -> str:
    parts = []
    for fact in slide.facts:
        long = " tc-long" if len(fact.value) > 18 else ""
        note = f'<div class="tc-fact-note">{esc(fact.note)}</div>' if fact.note else ""
        parts.append(f'<div class="tc-fact"><div class="tc-fact-label">{esc(fact.label)}</div>'
                     f'<div class="tc-fact-value{long}">{esc(fact.value)}</div>{note}</div>')
    if slide.bullets:
        parts.append('<ul class="tc-bullets">' + "".join(f"<li>{esc(b)}</li>" for b in slide.bullets) + "</ul>")
    return "".join(parts)


def cover(slide: Slide, deck: Deck) -> None:
    facts = [f for f in slide.facts if f.label not in ("Tỉnh", "Kỳ báo cáo")]
    boxes = "".join(f'<div class="tc-cover-fact"><div class="tc-fact-value">{esc(f.value)}</div>'
                    f'<div class="tc-fact-label">{esc(f.label)}</div></div>' for f in facts)
    demo = (_('<span class="tc-demo">DỮ LIỆU MINH HỌA — số liệu do máy sinh ra để trình diễn, '
            'không phải số liệu thật</span>')) if deck.is_demo else ""
    st.markdown(
        _("<div class=\"tc-cover\"><div class=\"tc-cover-kicker\">Họp giao ban chuyển đổi "
            "số</div><div class=\"tc-cover-title\">{esc}</div><div "
            "class=\"tc-cover-province\">{esc2}</div><div class=\"tc-cover-month\">{esc3}</div><div "
            "class=\"tc-cover-facts\">{boxes}</div>{demo}</div>").format(
            esc=esc(slide.title),
            esc2=esc(deck.province),
            esc3=esc(format_month(deck.period)),
            boxes=boxes,
            demo=demo),
        unsafe_allow_html=True,
    )


def table_html(slide: Slide) -> str:
    table = slide.table
    numeric = {_("Hạng"), _("Điểm tổng"), _("Chỉ tiêu chậm, đi lùi"), _("Có số liệu")}

    def cls(column: str) -> str:
        return ' class="tc-num"' if column in numeric else ""

    rows = ["<tr>" + "".join(f"<th{cls(c)}>{esc(c)}</th>" for c in table.columns) + "</tr>"]
    for row in table.iter_rows():
        rows.append("<tr>" + "".join(f"<td{cls(c)}>{esc(v)}</td>" for c, v in zip(table.columns, row)) + "</tr>")
    return f'<table class="tc-table">{"".join(rows)}</table>'


def status_keys() -> str:
    keys = "".join(
        f'<span class="tc-key"><span class="tc-swatch" style="background:{STATUS_COLORS[s]};'
        f'color:{STATUS_TEXT[s]}">{esc(status_label(s).split(" ", 1)[0])}</span>{esc(s)}</span>'
        for s in STATUS_ORDER)
    return f'<div class="tc-keys">{keys}</div>'


def draw(slide: Slide, deck: Deck, index: int) -> None:
    if slide.kind == "title":
        cover(slide, deck)
        return
    head(slide, deck)
    if slide.kind == "method":
        st.markdown('<ul class="tc-bullets tc-method">' + "".join(f"<li>{esc(b)}</li>" for b in slide.bullets)
                    + "</ul>" + status_keys(), unsafe_allow_html=True)
        return
    if slide.kind == "behind":
        if slide.table is not None and slide.table.height:
            st.markdown(table_html(slide), unsafe_allow_html=True)
        if slide.bullets:
            st.markdown('<ul class="tc-bullets">' + "".join(f"<li>{esc(b)}</li>" for b in slide.bullets) + "</ul>",
                        unsafe_allow_html=True)
        return
    left, right = st.columns([1, 2.8], gap="medium")
    left.markdown(facts_html(slide), unsafe_allow_html=True)
    figure = slide_figure(slide, deck, presentation=True)
    if figure is not None:
        # the heading and the scope line above already say where and when: no subtitle on screen
        figure.update_layout(title_subtitle_text="", height=CHART_HEIGHT, margin_t=100)
        right.plotly_chart(figure, theme=None, key=f"tc-chart-{index}", height=CHART_HEIGHT,
                           config={"displayModeBar": False, "responsive": True})


# ---- the page ----------------------------------------------------------------------------------
st.markdown(CSS, unsafe_allow_html=True)
slide_area = st.container()
nav = st.container(key="tc-nav")

with nav:
    back_col, count_col, next_col, _unused, auto_col, options_col, exit_col = st.columns(
        [1.1, 1.6, 1.1, 0.6, 1.5, 1.3, 1.1], vertical_alignment="center")
    with options_col.popover(_("⚙ Tùy chọn"), use_container_width=True):
        scope = filters.scope_filters(st.columns(2))
        st.selectbox(_("Tự chuyển trang sau"), [10, 20, 30, 60], index=1, key=SECONDS,
                     format_func=lambda s: _("{s} giây").format(s=s), on_change=restart_timer)
        downloads = st.container()

if scope is None:
    slide_area.info(_("Chưa có xã nào trong dữ liệu: chưa có gì để trình chiếu."))
    st.stop()
province, period = scope.province, scope.period
if province is None:  # "every province" is not a meeting: take the first one
    province = scope.provinces["province"][0]
# the hour is part of the key: a month's report turns from "not yet due" to "missing" at midnight
try:
    deck = _deck(province, period, database().version(), cycle_now(), read_scope())
except UserFacingError as refusal:
    slide_area.warning(refusal.message, icon="🔒")
    st.stop()
count = len(deck.slides)

url_page = st.query_params.get("trang")
if INDEX not in st.session_state:
    st.session_state[INDEX] = int(url_page) - 1 if url_page and url_page.isdigit() else 0
    st.session_state[CHANGED_AT] = time.monotonic()
index = max(0, min(count - 1, st.session_state[INDEX]))
st.session_state[INDEX] = index
if st.query_params.get("trang") != str(index + 1):
    st.query_params["trang"] = str(index + 1)
slide = deck.slides[index]

back_col.button(_("◀ Trước"), key="tc-prev", shortcut="ArrowLeft", on_click=go, args=(-1, count),
                disabled=index == 0, use_container_width=True, help=_("Trang trước (phím ←)"))
count_col.markdown(f'<div class="tc-counter"><b>{index + 1}</b> / {count}</div>', unsafe_allow_html=True)
next_col.button("Sau ▶", key="tc-next", shortcut="ArrowRight", on_click=go, args=(1, count), type="primary",
                disabled=index == count - 1, use_container_width=True, help=_("Trang sau (phím →)"))
# a presenter's clicker sends Page Down / Page Up
st.button("Trang sau", key="tc-pgdn", shortcut="PageDown", on_click=go, args=(1, count))
st.button(_("Trang trước"), key="tc-pgup", shortcut="PageUp", on_click=go, args=(-1, count))
auto = auto_col.toggle(_("Tự chuyển"), key=AUTO, on_change=restart_timer,
                       help=_("Tự sang trang sau mỗi khoảng thời gian chọn trong Tùy chọn; quay lại đầu khi hết."))
try:
    exit_params = {k: st.query_params[k] for k in ("tinh", "thang") if k in st.query_params}
    exit_col.page_link("app_pages/tong_quan.py", label=_("✕ Thoát"), query_params=exit_params)
except StreamlitAPIException:  # the page run on its own (tests): the other pages are not registered
    pass

with downloads:
    st.markdown(_("**Tải về**"))
    name = f"{index + 1:02d}-{slug(slide.title)}"
    figure = slide_figure(slide, deck, presentation=True)
    if figure is not None:
        st.caption(_("Biểu đồ của trang này"))
        chart_downloads(figure, name, f"tc-dl-{index}")  # the figure's subtitle names province and month
    if slide.table is not None and slide.table.height:
        st.caption(_("Bảng của trang này"))
        row = st.container(horizontal=True, gap="small")
        title = f"{slide.title} – {deck.caption}"
        row.download_button("⬇ Excel", data=lambda: to_xlsx_bytes({"Bảng": slide.table}, title=title),
                             file_name=f"{name}.xlsx", mime=XLSX_MIME, key=f"tc-xlsx-{index}", on_click="ignore")
        row.download_button("⬇ CSV", data=lambda: to_csv_bytes(slide.table), file_name=f"{name}.csv",
                              mime="text/csv", key=f"tc-csv-{index}", on_click="ignore")
    st.caption(_("Cả buổi họp"))
    pack_download(province, period, key="tc-pack")
    st.caption(_("Bảng xếp hạng đầy đủ"))
    table_downloads(deck.ranking.select(RANKING_COLUMNS), f"xep-hang-{slug(province)}-{period:%Y-%m}", "tc-rank",
                    headings=RANKING_HEADINGS, title=_("Xếp hạng chuyển đổi số cấp xã – {caption}").format(caption=deck.caption),
                    number_formats={"coverage": "0.0%", "score": "0.00", **{c: "0.00" for c in PILLAR_CODES}})
    st.caption(_("Tiến độ từng chỉ tiêu của các xã"))
    table_downloads(deck.indicators, f"tien-do-chi-tieu-{slug(province)}-{period:%Y-%m}", "tc-progress",
                    headings=PROGRESS_HEADINGS, title=_("Tiến độ chỉ tiêu – {caption}").format(caption=deck.caption),
                    number_formats={"points": "0.00", "value_period": "mm/yyyy"})

with slide_area:
    draw(slide, deck, index)

if auto:
    seconds = int(st.session_state.get(SECONDS) or 20)

    @st.fragment(run_every=seconds)
    def ticker(count: int, seconds: int) -> None:
        if time.monotonic() - st.session_state.get(CHANGED_AT, 0.0) >= seconds - 0.5:
            go(1, count, wrap=True)
            st.rerun()

    ticker(count, seconds)
