"""The meeting pack: one PDF for a province and month, built from the same slide sequence as
the presentation page (queries.reports.slides), so the room, the minutes and the slides agree.

Pages are 16:9 (13,33 × 7,5 in), so the PDF can be projected full screen as it is or pasted
page by page into slides: title, overview (with how many communes sent the month's report on
time, late or not at all — "not yet due" before its deadline), ranking, one page per pillar,
the communes most behind, what improved, the method note, then the full ranking as an appendix. Every page
carries the province, the month and — for the demo province — "Dữ liệu minh họa".

    build_pack("Minh Họa", date(2026, 11, 1)) -> PDF bytes
    python -m queries.export pack --province P --period YYYY-MM --out FILE

Pure Python, no Streamlit. Charts go through kaleido (one browser for the whole pack).
"""
from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from fpdf import FPDF
from fpdf.fonts import FontFace

from queries import clock, i18n
from queries.db import Database, get_database
from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.reading import ScopedReader
from queries.reports.figures import STATUS_COLORS, STATUS_ICONS, STATUS_ORDER, STATUS_TEXT
from queries.reports.images import chart_to_image, image_session
from queries.reports.pack_name import pack_file_name  # noqa: F401 - its callers still ask the pack
from queries.reports.slides import Deck, Slide, build_deck, slide_figure
from queries.settings import PILLARS
from queries.status import status_name
from queries.text import format_date, format_month, format_number, format_percent

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core (make browser)
FONT = "DejaVu"
PAGE_W, PAGE_H = 338.67, 190.5  # mm, 16:9
MARGIN = 14.0
CHART_PX = (1200, 700)  # chart image size in CSS pixels (rendered at 2×)
CHART_W = 218.0  # mm on the page
INK = (17, 17, 17)
MUTED = (70, 70, 70)
ACCENT = (0, 114, 178)
HEADING_FILL = (31, 78, 121)
DEMO = (213, 94, 0)
RULE = (200, 200, 200)
APPENDIX_ROWS = 20
NO_CHART = N_("Không tạo được hình biểu đồ trên máy này (cần trình duyệt Chromium: `make browser`). "
              "Các số liệu chính vẫn ở bên trái.")

logger = logging.getLogger(__name__)


@dataclass
class PackResult:
    content: bytes
    pages: int
    seconds: float


class MissingFont(UserFacingError):
    """The server lacks the fonts the pack is written in: said to whoever asked for the pack."""


class _PackPDF(FPDF):
    def __init__(self, deck: Deck, made_on: date):
        super().__init__(orientation="P", unit="mm", format=(PAGE_W, PAGE_H))
        self.deck = deck
        self.made_on = made_on
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        if not (FONT_DIR / "DejaVuSans.ttf").exists():
            raise MissingFont(_("Thiếu phông chữ DejaVu ({folder}): cài gói fonts-dejavu-core (make browser) để tạo "
                                "tài liệu họp.").format(folder=FONT_DIR))
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_text_color(*INK)
        self.set_title(_("Tài liệu họp giao ban chuyển đổi số – {province} – {month}").format(
            province=deck.province, month=format_month(deck.period)))
        self.set_subject(_("Tiến độ chuyển đổi số cấp xã"))
        self.set_author(_("Bảng theo dõi chuyển đổi số cấp xã"))
        self.set_creator("python -m queries.export pack")
        self.set_lang(i18n.current())

    # every page: footer with source and page number
    def footer(self) -> None:
        self.set_draw_color(*RULE)
        self.line(MARGIN, PAGE_H - 11, PAGE_W - MARGIN, PAGE_H - 11)
        self.set_xy(MARGIN, PAGE_H - 10)
        self.set_font(FONT, "", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 6, _("Chuyển đổi số cấp xã · {caption} · lập ngày {day}").format(
            caption=self.deck.caption, day=format_date(self.made_on)))
        self.set_xy(MARGIN, PAGE_H - 10)
        self.cell(0, 6, _("Trang {page}/{pages}").format(page=self.page_no(), pages="{nb}"), align="R")
        self.set_text_color(*INK)

    def demo_badge(self, big: bool = False) -> None:
        if not self.deck.is_demo:
            return
        text = _("DỮ LIỆU MINH HỌA") + (_(" — không phải số liệu thật") if big else "")
        self.set_font(FONT, "B", 16 if big else 10)
        width = self.get_string_width(text) + 8
        x = (PAGE_W - width) / 2 if big else PAGE_W - MARGIN - width
        y = 150 if big else 8
        self.set_draw_color(*DEMO)
        self.set_line_width(0.8)
        self.set_text_color(*DEMO)
        self.rect(x, y, width, 11 if big else 7, round_corners=True)
        self.set_xy(x, y)
        self.cell(width, 11 if big else 7, text, align="C")
        self.set_text_color(*INK)
        self.set_line_width(0.2)

    def page_heading(self, title: str) -> None:
        self.set_xy(MARGIN, 10)
        self.set_font(FONT, "B", 24)
        self.cell(PAGE_W - 2 * MARGIN - 60, 12, title)
        self.set_xy(MARGIN, 22)
        self.set_font(FONT, "", 12)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.deck.caption)
        self.set_text_color(*INK)
        self.demo_badge()


def _facts(pdf: _PackPDF, slide: Slide, x: float, y: float, width: float) -> float:
    for fact in slide.facts:
        pdf.set_xy(x, y)
        pdf.set_font(FONT, "", 11)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width, 5, fact.label, align="L")
        pdf.set_text_color(*INK)
        pdf.set_x(x)
        pdf.set_font(FONT, "B", 20 if len(fact.value) <= 24 else 14)
        pdf.multi_cell(width, 9 if len(fact.value) <= 24 else 6.5, fact.value, align="L")
        if fact.note:
            pdf.set_x(x)
            pdf.set_font(FONT, "", 11)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(width, 5, fact.note, align="L")
            pdf.set_text_color(*INK)
        y = pdf.get_y() + 4
    return y


def _bullets(pdf: _PackPDF, bullets: list[str], x: float, y: float, width: float, size: float = 11) -> float:
    pdf.set_font(FONT, "", size)
    line = size * 0.5
    for text in bullets:
        pdf.set_xy(x, y)
        pdf.cell(5, line, "•")
        pdf.set_xy(x + 5, y)
        pdf.multi_cell(width - 5, line, text, align="L")
        y = pdf.get_y() + 2
    return y


def _title_page(pdf: _PackPDF, slide: Slide) -> None:
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, PAGE_W, 6, style="F")
    pdf.set_xy(MARGIN, 36)
    pdf.set_font(FONT, "", 20)
    pdf.set_text_color(*MUTED)
    pdf.cell(PAGE_W - 2 * MARGIN, 10, _("Tài liệu họp giao ban"), align="C")
    pdf.set_xy(MARGIN, 50)
    pdf.set_font(FONT, "B", 34)
    pdf.set_text_color(*INK)
    pdf.cell(PAGE_W - 2 * MARGIN, 16, slide.title, align="C")
    pdf.set_xy(MARGIN, 72)
    pdf.set_font(FONT, "B", 40)
    pdf.set_text_color(*ACCENT)
    pdf.cell(PAGE_W - 2 * MARGIN, 18, pdf.deck.province, align="C")
    pdf.set_xy(MARGIN, 94)
    pdf.set_font(FONT, "", 24)
    pdf.set_text_color(*INK)
    pdf.cell(PAGE_W - 2 * MARGIN, 12, format_month(pdf.deck.period), align="C")
    # facts in a row of boxes
    facts = [f for f in slide.facts if f.label not in (_("Tỉnh"), _("Kỳ báo cáo"))]
    if facts:
        box_w, gap = 80.0, 8.0
        x = (PAGE_W - len(facts) * box_w - (len(facts) - 1) * gap) / 2
        for fact in facts:
            pdf.set_draw_color(*RULE)
            pdf.rect(x, 114, box_w, 28, round_corners=True)
            pdf.set_xy(x, 117)
            pdf.set_font(FONT, "B", 20)
            pdf.cell(box_w, 10, fact.value, align="C")
            pdf.set_xy(x, 129)
            pdf.set_font(FONT, "", 11)
            pdf.set_text_color(*MUTED)
            pdf.cell(box_w, 6, fact.label, align="C")
            pdf.set_text_color(*INK)
            x += box_w + gap
    pdf.demo_badge(big=True)


def _chart_page(pdf: _PackPDF, slide: Slide, image: bytes | None) -> None:
    pdf.add_page()
    pdf.page_heading(slide.title)
    left_w = PAGE_W - 2 * MARGIN - CHART_W - 8
    y = _facts(pdf, slide, MARGIN, 34, left_w)
    if slide.bullets:
        _bullets(pdf, slide.bullets, MARGIN, y + 2, left_w, size=10.5)
    if image:
        height = CHART_W * CHART_PX[1] / CHART_PX[0]
        pdf.image(io.BytesIO(image), x=PAGE_W - MARGIN - CHART_W, y=32, w=CHART_W, h=height,
                  alt_text=slide.chart_title)
    elif slide.chart:
        pdf.set_xy(PAGE_W - MARGIN - CHART_W, 40)
        pdf.set_font(FONT, "", 12)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(CHART_W, 6, f"{slide.chart_title}: {_(NO_CHART)}", align="L")
        pdf.set_text_color(*INK)


def _table(pdf: _PackPDF, frame: pl.DataFrame, widths: list[float], y: float, size: float,
           align: list[str] | None = None) -> None:
    pdf.set_xy(MARGIN, y)
    pdf.set_font(FONT, "", size)
    pdf.set_draw_color(*RULE)
    pdf.set_fill_color(255, 255, 255)
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=HEADING_FILL)
    align = align or ["LEFT"] * frame.width
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", headings_style=heading,
                   line_height=size * 0.45, text_align=tuple(align), padding=(1.0, 2),
                   cell_fill_color=(242, 242, 242), cell_fill_mode="ROWS",
                   borders_layout="HORIZONTAL_LINES") as table:
        table.row(list(frame.columns))
        for row in frame.iter_rows():
            table.row(["" if v is None else str(v) for v in row])


def _behind_page(pdf: _PackPDF, slide: Slide) -> None:
    pdf.add_page()
    pdf.page_heading(slide.title)
    if slide.table is None or slide.table.is_empty():
        _bullets(pdf, slide.bullets or [_("Chưa có xã nào có điểm trong tháng này.")], MARGIN, 36,
                 PAGE_W - 2 * MARGIN, 14)
        return
    widths = [18.0, 70.0, 30.0, 90.0, 50.0, 40.0]
    _table(pdf, slide.table, widths, 34, 13, ["CENTER", "LEFT", "RIGHT", "LEFT", "CENTER", "RIGHT"])
    if slide.bullets:
        _bullets(pdf, slide.bullets, MARGIN, pdf.get_y() + 4, PAGE_W - 2 * MARGIN, 12)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


def _method_page(pdf: _PackPDF, slide: Slide) -> None:
    pdf.add_page()
    pdf.page_heading(slide.title)
    y = _bullets(pdf, slide.bullets, MARGIN, 36, PAGE_W - 2 * MARGIN, 14)
    # the status key: colour, icon and name together, as on every chart
    pdf.set_xy(MARGIN, y + 4)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, _("Tình trạng chỉ tiêu trên các biểu đồ:"))
    x, y = MARGIN, y + 13
    for status in STATUS_ORDER:
        pdf.set_font(FONT, "B", 12)
        pdf.set_fill_color(*_rgb(STATUS_COLORS[status]))
        pdf.set_text_color(*_rgb(STATUS_TEXT[status]))
        pdf.set_xy(x, y)
        pdf.cell(8, 7, STATUS_ICONS[status], align="C", fill=True)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "", 12)
        width = pdf.get_string_width(status_name(status)) + 4
        pdf.set_xy(x + 9, y)
        pdf.cell(width, 7, status_name(status))
        x += 9 + width + 6
    pdf.set_fill_color(255, 255, 255)


def ranking_table(ranking: pl.DataFrame, groups=PILLARS) -> pl.DataFrame:
    """The full ranking as display text, headings in the interface's language (appendix of the pack)."""
    def num(v, d=1):
        return format_number(v, d) if v is not None else "–"

    def change(v):
        if v is None:
            return "–"
        return f"▲ {v}" if v > 0 else (f"▼ {-v}" if v < 0 else "=")

    return pl.DataFrame({
        _("Hạng"): [str(v) if v is not None else "–" for v in ranking["rank"].to_list()],
        _("Xã"): ranking["commune_name"].to_list(),
        _("Điểm tổng"): [num(v, 2) for v in ranking["score"].to_list()],
        **{code: [num(v) for v in ranking[code].to_list()] for code, _name in groups},
        _("Có số liệu"): [format_percent(100 * v, 0) if v is not None else "–" for v in ranking["coverage"].to_list()],
        _("So với tháng trước"): [change(v) for v in ranking["rank_change"].to_list()],
    })


def _appendix(pdf: _PackPDF, ranking: pl.DataFrame, groups=PILLARS, framework: str = "") -> None:
    table = ranking_table(ranking, groups)
    chunks = max(1, -(-table.height // APPENDIX_ROWS))
    group_width = 22.0 * 6 / max(len(groups), 6)  # eight groups share the six pillars' width
    widths = [16.0, 62.0, 26.0] + [group_width] * len(groups) + [26.0, 38.0]
    align = ["CENTER", "LEFT", "RIGHT"] + ["RIGHT"] * len(groups) + ["RIGHT", "CENTER"]
    for i in range(chunks):
        pdf.add_page()
        suffix = f" ({i + 1}/{chunks})" if chunks > 1 else ""
        pdf.page_heading(_("Phụ lục: bảng xếp hạng đầy đủ") + suffix)
        part = table.slice(i * APPENDIX_ROWS, APPENDIX_ROWS)
        _table(pdf, part, widths, 32, 10, align)
        if i == chunks - 1:
            pdf.set_xy(MARGIN, pdf.get_y() + 3)
            pdf.set_font(FONT, "", 9)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(PAGE_W - 2 * MARGIN, 4.5, _("{codes}: điểm {word} (0–100) — {names}. Các xã bằng điểm cùng "
                                                       "hạng.").format(
                codes=", ".join(code for code, _name in groups), word=_("trụ cột") if len(groups) == 6 else _("nhóm"),
                names="; ".join(f"{code} {name}" for code, name in groups))
                           + (_(" Bộ khung: {framework}.").format(framework=framework) if framework else ""))
            pdf.set_text_color(*INK)


def render_chart_images(deck: Deck) -> dict[str, bytes]:
    """PNG of every slide's chart (presentation look), one kaleido browser for all. Without a
    browser (Chromium missing or failing) the pack is still made, with a note instead of charts."""
    images: dict[str, bytes] = {}
    try:
        with image_session():
            for slide in deck.slides:
                figure = slide_figure(slide, deck, presentation=True)
                if figure is not None:
                    images[slide.key] = chart_to_image(figure, "png", width=CHART_PX[0], height=CHART_PX[1])
    except Exception as problem:  # noqa: BLE001 - kaleido raises several kinds when Chromium is missing
        logger.warning("meeting pack without charts: %s", problem)
        return {}
    return images


def build_pack_result(province: str, period: date, *, db: Database | ScopedReader | None = None,
                      made_on: date | None = None, charts: bool = True) -> PackResult:
    """charts=False: text and tables only (no browser needed, under a second)."""
    started = time.perf_counter()
    db = db or get_database()
    db.ensure_fresh()  # so db.settings is the settings of this version
    deck = build_deck(db.run_query, province, period, settings=db.settings)
    images = render_chart_images(deck) if charts else {}
    pdf = _PackPDF(deck, made_on or clock.today())
    for slide in deck.slides:
        if slide.kind == "title":
            _title_page(pdf, slide)
        elif slide.kind == "behind":
            _behind_page(pdf, slide)
        elif slide.kind == "method":
            _method_page(pdf, slide)
        else:
            _chart_page(pdf, slide, images.get(slide.key))
    if deck.ranking["score"].is_not_null().any():
        _appendix(pdf, deck.ranking, deck.groups, deck.framework)
    content = bytes(pdf.output())
    return PackResult(content=content, pages=pdf.page_no(), seconds=time.perf_counter() - started)


def build_pack(province: str, period: date, *, db: Database | ScopedReader | None = None,
               made_on: date | None = None) -> bytes:
    return build_pack_result(province, period, db=db, made_on=made_on).content

