"""The meeting pack, opened with pypdf as a reader would: pages, the province on the title
page, the demo label on every page, one page per pillar, the method note. The pack is built
once for the module through the command line (kaleido costs seconds)."""
from __future__ import annotations

import io
import time
from datetime import date

import polars as pl
import pytest
from pypdf import PdfReader

from queries import clock
from queries.reports import export
from queries.reports.pack import build_pack_result, pack_file_name
from queries.reports.slides import build_deck
from queries.settings import PILLARS

PERIOD = date(2026, 11, 1)


@pytest.fixture(scope="module")
def db(shipped_db):
    return shipped_db


@pytest.fixture(scope="module")
def pack(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "hop.pdf"
    started = time.perf_counter()
    code = export.main(["pack", "--province", "minh hoa", "--period", "2026-11", "--out", str(out)])
    seconds = time.perf_counter() - started
    assert code == 0
    reader = PdfReader(out)
    return {"reader": reader, "texts": [page.extract_text() for page in reader.pages], "seconds": seconds,
            "bytes": out.read_bytes()}


def test_pack_is_a_pdf_of_16_9_pages(pack):
    assert pack["bytes"].startswith(b"%PDF-")
    reader = pack["reader"]
    # title, overview, ranking, 6 pillars, most behind, improved, method + 5 appendix pages of 20
    assert len(reader.pages) == 12 + 5
    box = reader.pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(16 / 9, rel=0.01)
    assert reader.metadata.title == "Tài liệu họp giao ban chuyển đổi số – Minh Họa – Tháng 11/2026"


def test_title_page_names_province_month_and_demo(pack):
    first = pack["texts"][0]
    for text in ("Tài liệu họp giao ban", "Tiến độ chuyển đổi số cấp xã", "Minh Họa", "Tháng 11/2026",
                 "DỮ LIỆU MINH HỌA", "Số xã", "100"):
        assert text in first, text


def test_every_page_says_demo_data_and_has_a_page_number(pack):
    texts = pack["texts"]
    for number, text in enumerate(texts, start=1):
        assert "Dữ liệu minh họa" in text
        assert f"Trang {number}/{len(texts)}" in text


def test_pages_follow_the_slide_sequence(pack):
    texts = pack["texts"]
    assert "Tổng quan toàn tỉnh" in texts[1] and "Điểm trung bình toàn tỉnh" in texts[1]
    assert "Xếp hạng: 10 xã dẫn đầu" in texts[2] and "Xã Thịnh Vinh" in texts[2]
    for page, (code, name) in zip(texts[3:9], PILLARS):
        assert f"{name} ({code})" in page
    assert "10 xã cần hỗ trợ nhất" in texts[9] and "Trụ cột thấp nhất" in texts[9]
    assert "Tiến bộ so với tháng 10/2026" in texts[10]
    assert "Phụ lục: bảng xếp hạng đầy đủ (1/5)" in texts[12]
    assert "Xã Thịnh Vinh" in texts[12]


def test_overview_page_counts_the_months_reports(pack, db):
    rows = db.run_query("compliance_by_month", province="Minh Họa", commune=None, period_from=PERIOD,
                        period_to=PERIOD, now=clock.now())
    sent, waiting = (rows.filter(pl.col("status") == s).height for s in ("dung_han", "chua_den_han"))
    assert sent + waiting == 100 and sent > 0
    overview = " ".join(pack["texts"][1].split())
    # on 22/11/2026 November's report is not due before 20/12: sent so far, none missing yet
    assert f"Báo cáo tháng 11/2026 {sent} xã đã nộp chưa đến hạn · {waiting} xã chưa gửi" in overview


def test_overview_slide_counts_on_time_late_and_missing_once_due(db):
    october = date(2026, 10, 1)
    rows = db.run_query("compliance_by_month", province="Minh Họa", commune=None, period_from=october,
                        period_to=october, now=clock.now())
    counts = {s: rows.filter(pl.col("status") == s).height for s in ("dung_han", "tre_han", "chua_nop")}
    assert sum(counts.values()) == 100 and counts["chua_nop"] > 0
    deck = build_deck(db.run_query, "Minh Họa", october, settings=db.settings)
    fact = next(f for f in deck.slide("tong-quan").facts if f.label == "Báo cáo tháng 10/2026")
    assert fact.value == f"{counts['dung_han']} đúng hạn"
    assert fact.note == f"{counts['tre_han']} trễ hạn · {counts['chua_nop']} chưa nộp"


def test_pillar_and_chart_pages_hold_chart_images(pack):
    reader = pack["reader"]
    for index in range(1, 9):  # overview, ranking, 6 pillars
        assert len(reader.pages[index].images) == 1, index
    assert len(reader.pages[10].images) == 1  # what improved
    assert not reader.pages[0].images and not reader.pages[11].images


def test_method_note_states_the_scoring_method(pack):
    method = pack["texts"][11]
    for text in ("Cách tính điểm", "100 × min(giá trị ÷ mục tiêu; 1)", "0 điểm khi chưa có số liệu",
                 "HT 100, NL 100, AT 100, CQ 200, KT 150, XH 150", "cùng hạng", "0,95", "0,60",
                 "Đúng tiến độ", "Cần đẩy nhanh", "Chậm", "Đi lùi", "gần nhất"):
        assert text in method, text


def test_pack_has_no_personal_data(pack):
    whole = "\n".join(pack["texts"])
    assert "upload" not in whole.lower()
    assert "Ghi chú" not in whole


def test_pack_is_made_in_reasonable_time(pack):
    print(f"\nmeeting pack: {len(pack['texts'])} pages in {pack['seconds']:.1f} s")
    assert pack["seconds"] < 60  # ~10 s on an idle 2-core machine; aim < 20 s


def test_pack_of_a_real_province_has_no_demo_label(db):
    # without charts: no browser needed, and the charts were checked above
    result = build_pack_result("Đồng Nai", PERIOD, db=db, charts=False)
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(result.content)).pages]
    assert "Đồng Nai" in texts[0] and "Tháng 11/2026" in texts[0]
    assert not any("minh họa" in t.lower() for t in texts)
    assert result.pages == 12 + 1  # two communes: one appendix page
    assert "Không tạo được hình biểu đồ" in texts[1]
    assert "Chưa xã nào báo cáo số liệu" in texts[3]


def test_deck_is_the_same_sequence_as_the_pack(db):
    deck = build_deck(db.run_query, "Minh Họa", PERIOD, settings=db.settings)
    assert [s.key for s in deck.slides] == [
        "tieu-de", "tong-quan", "xep-hang", *[f"tru-cot-{c}" for c, _ in PILLARS], "xa-cham", "tien-bo",
        "phuong-phap"]
    assert deck.is_demo and deck.caption == "Minh Họa · Tháng 11/2026 · Dữ liệu minh họa"
    behind = deck.slide("xa-cham").frame
    assert behind["rank"].to_list() == sorted(behind["rank"].to_list(), reverse=True)
    leaders = deck.slide("xep-hang").frame
    assert leaders["rank"].to_list()[0] == 1 and leaders.height == 10


def test_pack_file_name():
    assert pack_file_name("Minh Họa", PERIOD) == "tai-lieu-hop-minh-hoa-2026-11.pdf"


@pytest.mark.parametrize("argv, message", [
    (["pack", "--period", "2026-11"], "thêm --province"),
    (["pack", "--province", "Không Có", "--period", "2026-11"], "Không có tỉnh"),
    (["pack", "--province", "Minh Họa", "--period", "11/2026"], "YYYY-MM"),
])
def test_pack_cli_explains_mistakes_in_vietnamese(db, tmp_path, capsys, argv, message):
    assert export.main([*argv, "--out", str(tmp_path / "x.pdf")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
