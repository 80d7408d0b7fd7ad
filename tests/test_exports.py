"""Exports opened the way a person's program would open them: the .xlsx with openpyxl, the
CSV as text, the PNG and SVG as images. Hermetic: an empty temporary store, shipped data."""
from __future__ import annotations

import io
from datetime import date

import altair as alt
import polars as pl
import pytest
from openpyxl import load_workbook
from PIL import Image

from queries.reports import export, figures
from queries.reports.images import chart_to_image, image_session
from queries.reports.slides import build_deck, slide_figure
from queries.reports.tables import to_xlsx_bytes
from queries.spreadsheet import to_csv_bytes

PERIOD = date(2026, 11, 1)


@pytest.fixture(scope="module")
def db(shipped_db):
    return shipped_db


@pytest.fixture(scope="module")
def deck(db):
    return build_deck(db.run_query, "Minh Họa", PERIOD, settings=db.settings)


@pytest.fixture(scope="module")
def images(deck):
    """One kaleido browser for every image of this module (~2 s each otherwise)."""
    overview = slide_figure(deck.slide("tong-quan"), deck, presentation=True)
    pillar = slide_figure(deck.slide("tru-cot-CQ"), deck, presentation=False)
    with image_session():
        return {
            "png": chart_to_image(overview, "png"),
            "svg": chart_to_image(overview, "svg").decode("utf-8"),
            "untitled_png": chart_to_image(pillar.update_layout(title_text=None), "png", width=900, height=500,
                                           title="Tình trạng chỉ tiêu Chính quyền số", caption=deck.caption),
        }


RISKY = pl.DataFrame({
    "commune_name": ["=HYPERLINK(\"http://x\",\"bấm\")", "+84 912", "-1+1", "@SUM(A1)", "Xã Bình thường"],
    "score": [98.06, 12.5, -3.25, 0.0, None],
    "rank": [1, 2, 3, 4, None],
    "period": [date(2026, 11, 1)] * 5,
})
HEADINGS = {"commune_name": "Xã", "score": "Điểm tổng (0–100)", "rank": "Hạng", "period": "Kỳ báo cáo"}


# ---- .xlsx ---------------------------------------------------------------------------------------
def test_xlsx_headings_numbers_dates_and_frozen_heading_row():
    content = to_xlsx_bytes({"Xếp hạng": RISKY}, headings=HEADINGS, number_formats={"score": "0.00"},
                            title="Xếp hạng – Minh Họa – Tháng 11/2026")
    sheet = load_workbook(io.BytesIO(content))["Xếp hạng"]
    assert sheet["A1"].value == "Xếp hạng – Minh Họa – Tháng 11/2026"
    assert [c.value for c in sheet[3]] == ["Xã", "Điểm tổng (0–100)", "Hạng", "Kỳ báo cáo"]
    assert all(c.font.bold for c in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:D8"
    score, rank, period = sheet["B4"], sheet["C4"], sheet["D4"]
    assert score.data_type == "n" and score.value == pytest.approx(98.06) and score.number_format == "0.00"
    assert rank.data_type == "n" and rank.value == 1 and rank.number_format == "#,##0"
    assert sheet["B6"].data_type == "n" and sheet["B6"].value == pytest.approx(-3.25)  # a negative number stays a number
    assert period.is_date and period.value.date() == date(2026, 11, 1) and period.number_format == "dd/mm/yyyy"
    assert sheet["B8"].value is None


def test_xlsx_neutralises_formulas_but_keeps_the_text():
    content = to_xlsx_bytes({"Bảng": RISKY}, headings=HEADINGS)
    sheet = load_workbook(io.BytesIO(content))["Bảng"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.value for c in cells] == list(RISKY["commune_name"][:4])
    for cell in cells:
        assert cell.data_type == "s", cell.value  # text, never a formula ('f')
        assert cell.quotePrefix  # Excel keeps it text even when someone edits the cell
    assert sheet.cell(row=6, column=1).value == "Xã Bình thường"
    raw = io.BytesIO(content)
    import zipfile

    sheet_xml = zipfile.ZipFile(raw).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml  # no formula element anywhere in the file


def test_xlsx_sheet_name_is_made_valid():
    content = to_xlsx_bytes({"Xếp hạng [11/2026]: tất cả các tỉnh và thành phố": RISKY.head(1)})
    (name,) = load_workbook(io.BytesIO(content)).sheetnames
    assert name == "Xếp hạng -11-2026-- tất cả các"
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_csv_has_bom_vietnamese_headings_and_neutralised_cells():
    content = to_csv_bytes(RISKY, HEADINGS)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Xã,Điểm tổng (0–100),Hạng,Kỳ báo cáo"
    assert lines[1].startswith("\"'=HYPERLINK(")
    assert lines[2].startswith("'+84 912,12.5,2,")
    assert lines[3].startswith("'-1+1,-3.25,3,")  # the text is neutralised, the negative number is not
    assert lines[4].startswith("'@SUM(A1),")


def test_ranking_export_cli_xlsx_opens_with_numbers(db, tmp_path):
    out = tmp_path / "xep-hang.xlsx"
    assert export.main(["ranking", "--province", "minh hoa", "--period", "2026-11", "--format", "xlsx",
                        "--out", str(out)]) == 0
    sheet = load_workbook(out)["Xếp hạng"]
    headings = [c.value for c in sheet[3]]
    assert headings[:4] == ["Hạng", "Xã", "Tỉnh", "Điểm tổng (0–100)"]
    assert "Chính quyền số (CQ)" in headings
    assert sheet["A4"].value == 1 and sheet["A4"].data_type == "n"
    assert isinstance(sheet["D4"].value, float) and sheet["D4"].number_format == "0.00"
    assert sheet.freeze_panes == "A4"
    assert sheet.max_row == 3 + 100


def test_progress_export_cli_csv(db, tmp_path):
    out = tmp_path / "tien-do.csv"
    assert export.main(["progress", "--province", "Minh Họa", "--period", "2026-11", "--format", "csv",
                        "--out", str(out)]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["Xã", "Tỉnh", "Trụ cột"] and "Tình trạng" in header
    assert header[-2:] == ["Dự báo cuối năm", "Dự báo"]  # the year-end projection of each indicator


# ---- chart images --------------------------------------------------------------------------------
def _not_blank(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.resize((240, 135))
    pixels = list(small.getdata())
    inked = sum(1 for p in pixels if sum(p) < 600)
    assert inked / len(pixels) > 0.03, "image is (almost) blank"
    assert len(set(pixels)) > 20, "image has almost no colours"
    return image


def test_png_of_a_chart_has_its_size_and_is_not_blank(images):
    png = images["png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = _not_blank(png)
    assert image.size == (2400, 1350)  # 1200 × 675 at 2× for slides and print
    # the bars are Okabe–Ito blue: the chart is really drawn, not only its frame
    assert image.resize((600, 338)).getcolors(600 * 338).__len__() > 20
    blue = sum(1 for p in image.resize((600, 338)).getdata() if p[2] > 150 and p[0] < 40)
    assert blue > 1000


def test_svg_carries_title_legend_and_units(images):
    svg = images["svg"]
    assert svg.lstrip().startswith("<svg")
    for text in ("Điểm trung bình các xã theo trụ cột", "Tháng 11/2026", "Tháng 10/2026",
                 "Điểm trung bình (0–100)", "Dữ liệu minh họa", "Chính quyền số"):
        assert text in svg, text


def test_png_gets_the_title_when_the_chart_has_none(images):
    image = _not_blank(images["untitled_png"])
    assert image.size == (1800, 1000)


def test_altair_chart_exports_with_title_and_caption():
    chart = alt.Chart(alt.Data(values=[{"x": "Đạt", "n": 3}, {"x": "Chậm", "n": 5}])).mark_bar().encode(
        x=alt.X("x:N", title="Tình trạng"), y=alt.Y("n:Q", title="Số xã"))
    svg = chart_to_image(chart, "svg", title="Tình trạng chỉ tiêu", caption="Minh Họa · Tháng 11/2026").decode()
    assert "Tình trạng chỉ tiêu" in svg and "Minh Họa · Tháng 11/2026" in svg and "Số xã" in svg
    _not_blank(chart_to_image(chart, "png", title="Tình trạng chỉ tiêu", width=600, height=400))


def _profile_charts() -> dict[str, tuple[object, tuple[str, ...]]]:
    """Hồ sơ xã's four charts on small frames, with the words each one's image must show
    besides its title: the legend's names, the axis titles and labels, the values written."""
    from ui import charts, plan_charts

    names = ["Hạ tầng số", "Nhân lực số", "Chính quyền số"]
    pillars = charts.pillars_vs_median(pl.DataFrame({"pillar_name": names, "score": [82.4, 5.2, 63.0],
                                                     "median": [70.1, 55.0, None]}), "Xã Ân Hà")
    waterfall = charts.score_waterfall(pl.DataFrame({"pillar_name": names, "lost": [6.5, 4.25, 3.1]}), 86.15)
    periods = [date(2026, m, 1) for m in range(1, 12)]
    trends = pl.DataFrame({
        "indicator": ["HT01"] * 11 + ["CQ02"] * 11, "panel_title": ["HT01 · Cáp quang\nđến hộ"] * 11 + ["CQ02 · Trang tin"] * 11,
        "panel_subtitle": ["Mục tiêu: ≥ 80%"] * 11 + [None] * 11, "unit_suffix": [" %"] * 11 + [""] * 11,
        "unit": ["percent"] * 11 + ["yes_no"] * 11, "period": periods * 2,
        "value": [40.0 + 3 * m for m in range(11)] + [0.0] * 5 + [1.0] * 6,
        "target": [80.0] * 11 + [1.0] * 11, "path_value": [45.0 + 3 * m for m in range(11)] + [None] * 11,
    })
    multiples = charts.trend_small_multiples(trends)
    projection = plan_charts.projection_chart(
        pl.DataFrame({"month_number": list(range(1, 12)), "value": [40.0 + 3 * m for m in range(11)]}),
        {"year": 2026, "unit": "percent", "slope": 3.0, "intercept": 37.0, "projected_year_end": 73.0,
         "projected_status": "Dự kiến không đạt", "target": 80.0, "target_text": "≥ 80%"}, " %")
    return {
        "pillars": (pillars, ("Xã Ân Hà", "Trung vị của tỉnh", "Điểm (0–100)", "82,4", "5,2", "Chính quyền số")),
        "waterfall": (waterfall, ("Điểm tối đa", "Điểm đạt được", "−4,25", "86,15", "Nhân lực số")),
        "multiples": (multiples, ("Giá trị", "Lộ trình cần đạt", "Mục tiêu năm", "HT01 · Cáp quang", "đến hộ",
                                  "Mục tiêu: ≥ 80%", "CQ02 · Trang tin", "Chưa", "Có", "04/2026")),
        "projection": (projection, ("Giá trị đã báo cáo", "Xu hướng, dự báo tới tháng 12", "Dự kiến không đạt",
                                    "Mục tiêu năm: ≥ 80%", "73 %", "12/2026")),
    }


@pytest.mark.parametrize("name", ["pillars", "waterfall", "multiples", "projection"])
def test_profile_chart_images_keep_title_caption_and_legend(name):
    """The Vega-Lite charts of Hồ sơ xã, downloaded: the title and caption the page gives, the
    legend, the units and the Vietnamese numbers."""
    chart, words = _profile_charts()[name]
    svg = chart_to_image(chart, "svg", title="Xã Ân Hà: tiêu đề tải về", caption="Minh Họa · Tháng 11/2026").decode()
    for text in ("Xã Ân Hà: tiêu đề tải về", "Minh Họa · Tháng 11/2026", *words):
        assert text in svg, (name, text)
    _not_blank(chart_to_image(chart, "png", title="Xã Ân Hà: tiêu đề tải về", scale=1))


# ---- the chart look ------------------------------------------------------------------------------
def test_status_palette_is_okabe_ito_and_never_colour_alone():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    judged = [s for s in figures.STATUS_ORDER if not s.startswith("Chưa")]
    assert {figures.STATUS_COLORS[s] for s in judged} <= okabe_ito
    assert len(set(figures.STATUS_COLORS.values())) == 7
    for status in figures.STATUS_ORDER:
        label = figures.status_label(status)
        assert label.endswith(status) and label != status  # icon + name


def test_presentation_look_uses_large_type(deck):
    for slide in deck.slides:
        figure = slide_figure(slide, deck, presentation=True)
        if figure is None:
            continue
        layout = figure.layout
        assert layout.font.size >= 20 and layout.title.font.size >= 20 and layout.legend.font.size >= 20
        assert layout.title.text and layout.showlegend
        assert layout.xaxis.tickfont.size >= 20
        for trace in figure.data:
            if trace.textfont and trace.textfont.size:
                assert trace.textfont.size >= 20
        for note in layout.annotations:
            assert note.font.size >= 20


def test_status_chart_names_each_status_in_its_legend(deck):
    figure = slide_figure(deck.slide("tru-cot-HT"), deck)
    names = [trace.name for trace in figure.data]
    assert names[0] == "✔ Đạt" and "↘ Chậm" in names
    assert figure.layout.title.text == "<b>Số xã theo tình trạng của từng chỉ tiêu</b>"
