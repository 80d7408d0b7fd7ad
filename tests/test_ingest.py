"""Checking uploads end to end: real files built here (Windows-1258, UTF-16, .xlsx with
percent and date formats and a title row), every value that comes out, every message and
its row number, the command line, and the templates."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from queries.ingest.pipeline import check_file, store_checked
from queries.ingest.template import csv_template, xlsx_template
from queries.store import Store
from tests.upload_data import TODAY, cp1258, make_data_dir, make_database, xlsx

ROOT = Path(__file__).resolve().parent.parent
MARCH = date(2026, 3, 1)


@pytest.fixture
def db(tmp_path):
    return make_database(tmp_path)


def check(db, content, name="bao_cao.csv", **kwargs):
    return check_file(content, name, db=db, today=TODAY, **kwargs)


def accepted(result):
    """(row, commune_id, indicator, period, value, numerator, denominator, note) per row."""
    return [
        (r.row, r.record["commune_id"], r.record["indicator"], r.record["period"], r.record["value"],
         r.record["numerator"], r.record["denominator"], r.record["note"])
        for r in result.accepted
    ]


def messages(result):
    return [(e.row, e.column, e.message) for e in result.errors]


# ---- files as offices make them --------------------------------------------------------------


def test_windows_1258_semicolons_title_row_and_vietnamese_numbers(db):
    content = cp1258(
        "BÁO CÁO KẾT QUẢ CHUYỂN ĐỔI SỐ THÁNG 3/2026;;;;;;;\r\n"
        ";;;;;;;\r\n"
        "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị;Tử số;Mẫu số;Ghi chú\r\n"
        "Xã Định Tiến;Thanh Hóa;03/2026;XH05;4227/5219;;;\r\n"
        "dinh tien;thanh hoa;T3/2026;xh02;80,44%;;;tài khoản thanh toán\r\n"
        "  Định  Tiến ;Thanh Hóa;Tháng 3/2026;XH01;;2.092;5.219;\r\n"
        "DINH TIEN;;tháng 03 năm 2026;HT07;Có;;;\r\n"
        "Xã Định Tiến;Thanh Hóa;01/03/2026;KT08;1.000;;;\r\n"
        ";;;;;;;\r\n"
        "Xã Đại Phước;Đồng Nai;2026-03;XH05;80,5;;;\r\n"
        "Xã Định Tiến;Thanh Hóa;03/2026;HT01;0,8;;;\r\n"
    )
    result = check(db, content)
    assert result.source == "CSV, mã Windows-1258, phân cách bằng dấu chấm phẩy"
    assert (result.kind, result.header_row, result.exit_code) == ("actuals", 3, 0)
    assert accepted(result) == [
        (4, "thanh-hoa/dinh-tien", "XH05", MARCH, 80.99, 4227, 5219, None),
        (5, "thanh-hoa/dinh-tien", "XH02", MARCH, 80.44, None, None, "tài khoản thanh toán"),
        (6, "thanh-hoa/dinh-tien", "XH01", MARCH, 40.08, 2092, 5219, None),
        (7, "thanh-hoa/dinh-tien", "HT07", MARCH, 1.0, None, None, None),
        (8, "thanh-hoa/dinh-tien", "KT08", MARCH, 1000.0, None, None, None),
        (10, "dong-nai/dai-phuoc", "XH05", MARCH, 80.5, None, None, None),
        (11, "thanh-hoa/dinh-tien", "HT01", MARCH, 0.8, None, None, None),
    ]
    assert result.errors == []
    assert [(w.row, w.column, w.message) for w in result.warnings] == [
        (11, "gia_tri", "Dòng 11, cột Giá trị: giá trị 0,8 được hiểu là 0,8 %; nếu ý là 80 % hãy ghi 80%"),
    ]


def test_utf16_tabs_english_headings_and_nfd_names(db):
    text = ("commune\tprovince\tperiod\tindicator\tvalue\r\n"
            + unicodedata.normalize("NFD", "Xã Minh Đức\tĐồng Nai\t2026-02\tXH05\t75.5\r\n")
            + "Minh Duc\tDong Nai\t02/2026\tHT07\tKhông\r\n")
    result = check(db, text.encode("utf-16"), "report.txt")
    assert result.source == "CSV, mã UTF-16, phân cách bằng dấu tab"
    assert accepted(result) == [
        (2, "dong-nai/minh-duc", "XH05", date(2026, 2, 1), 75.5, None, None, None),
        (3, "dong-nai/minh-duc", "HT07", date(2026, 2, 1), 0.0, None, None, None),
    ]
    assert result.exit_code == 0


def test_xlsx_with_title_percent_and_date_formats(db):
    content = xlsx(
        [["STT", "Tên xã", "Tỉnh", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"],
         [1, "Xã Định Tiến", "Thanh Hóa", datetime(2026, 3, 1), "XH02", 0.8044, None, None, "ô phần trăm"],
         [None] * 9,
         [2, "Xã Định Tiến", "Thanh Hóa", 46082, "XH05", None, 4227, 5219, None],
         [3, "Xã Định Tiến", "Thanh Hóa", "T3/2026", "KT08", 3, None, None, None],
         [4, "Xã Định Tiến", "Thanh Hóa", datetime(2026, 3, 15), "XH01", "40,08%", None, None, None],
         [5, "Xã Định Tiến", "Thanh Hóa", datetime(2026, 3, 1), "HT01", 0.5, None, None, "không định dạng %"],
         [6, "Xã Định Tiến", "Thanh Hóa", datetime(2026, 3, 1), "NL01", 1.2, None, None, None]],
        formats={"D3": "mm/yyyy", "F3": "0.00%", "D7": "dd/mm/yyyy", "D8": "dd/mm/yyyy", "F9": "0%"},
        title="BÁO CÁO KẾT QUẢ THÁNG 3 NĂM 2026",
    )
    result = check(db, content, "bao_cao.xlsx")
    assert result.source == "Excel, trang “Sheet1”"
    assert result.header_row == 2
    assert accepted(result) == [
        (3, "thanh-hoa/dinh-tien", "XH02", MARCH, 80.44, None, None, "ô phần trăm"),
        (5, "thanh-hoa/dinh-tien", "XH05", MARCH, 80.99, 4227, 5219, None),
        (6, "thanh-hoa/dinh-tien", "KT08", MARCH, 3.0, None, None, None),
        (7, "thanh-hoa/dinh-tien", "XH01", MARCH, 40.08, None, None, None),
        (8, "thanh-hoa/dinh-tien", "HT01", MARCH, 0.5, None, None, "không định dạng %"),
    ]
    assert messages(result) == [
        (9, "gia_tri", "Dòng 9, cột Giá trị: tỷ lệ 120 % nằm ngoài khoảng 0–100 "
                       "(ô Excel định dạng phần trăm đang hiển thị số này)"),
    ]
    assert [w.row for w in result.warnings] == [8]
    assert result.exit_code == 1


def test_month_and_year_in_two_columns(db):
    content = "Tên xã,Tháng,Năm,Mã chỉ tiêu,Giá trị\nĐịnh Tiến,3,2026,XH05,81\n".encode()
    result = check(db, content)
    assert accepted(result) == [(2, "thanh-hoa/dinh-tien", "XH05", MARCH, 81.0, None, None, None)]


# ---- row-level messages ----------------------------------------------------------------------

PROBLEMS = """ten_xa,tinh,ky_bao_cao,ma_chi_tieu,gia_tri,tu_so,mau_so,ghi_chu
Dinh Tien,Thanh Hoa,03/2026,XH05,81,,,
Dinh Tienn,Thanh Hoa,03/2026,XH05,81,,,
Dinh Tien,Thanh Hoa,03/2026,XH99,81,,,
Dinh Tien,Thanh Hoa,03/2026,XH02,abc,,,
Dinh Tien,Thanh Hoa,03/2026,XH01,120,,,
Dinh Tien,Thanh Hoa,03/2026,KT08,-2,,,
Dinh Tien,Thanh Hoa,03/2026,NL01,,,,
Dinh Tien,Thanh Hoa,12/2026,HT01,50,,,
Dinh Tien,Thanh Hoa,03/2026,HT01,,5,0,
Minh Duc,Dong Nai,03/2026,XH05,70,,,
Minh Duc,Dong Nai,03/2026,XH05,71,,,
Dinh Tien,Thanh Hoa,03/2026,XH05,81,,,
Phu My,,03/2026,XH05,50,,,
Phu My,Ha Noi,03/2026,XH05,50,,,
Dinh Tien,Thanh Hoa,13/2026,XH02,50,,,
Dinh Tien,Thanh Hoa,03/2026,XH02,"80,44",,,
"""

EXPECTED_ERRORS = [
    (3, "ten_xa", "Dòng 3, cột ten_xa: không tìm thấy xã “Dinh Tienn” trong tỉnh Thanh Hóa — có phải “Xã Định Tiến”?"),
    (4, "ma_chi_tieu", "Dòng 4, cột ma_chi_tieu: không có chỉ tiêu “XH99” trong danh mục chỉ tiêu"),
    (5, "gia_tri", "Dòng 5, cột gia_tri: “abc” không phải là số"),
    (6, "gia_tri", "Dòng 6, cột gia_tri: tỷ lệ 120 % nằm ngoài khoảng 0–100"),
    (7, "gia_tri", "Dòng 7, cột gia_tri: số lượng không được âm (-2)"),
    (8, "gia_tri", "Dòng 8, cột gia_tri: thiếu giá trị"),
    (9, "ky_bao_cao", "Dòng 9, cột ky_bao_cao: kỳ báo cáo Tháng 12/2026 ở tương lai (hôm nay là 22/11/2026)"),
    (10, "mau_so", "Dòng 10, cột mau_so: mẫu số bằng 0"),
    (14, "tinh", "Dòng 14: có nhiều xã tên “Phu My”: Xã Phú Mỹ (Đồng Nai); Xã Phú Mỹ (Thanh Hóa) — hãy ghi thêm cột Tỉnh"),
    (15, "tinh", "Dòng 15, cột tinh: không có tỉnh “Ha Noi” trong danh sách xã"),
    (16, "ky_bao_cao", "Dòng 16, cột ky_bao_cao: tháng 13 trong “13/2026” không hợp lệ"),
    (11, None, "Dòng 11: xã Xã Minh Đức, chỉ tiêu XH05, Tháng 3/2026 có ở các dòng 11, 12 với giá trị khác nhau "
               "(70 ≠ 71); hãy giữ lại một dòng"),
    (12, None, "Dòng 12: xã Xã Minh Đức, chỉ tiêu XH05, Tháng 3/2026 có ở các dòng 11, 12 với giá trị khác nhau "
               "(70 ≠ 71); hãy giữ lại một dòng"),
]


def test_every_kind_of_problem_is_named_with_its_row(db):
    result = check(db, PROBLEMS.encode("utf-8"))
    assert result.kind == "actuals"
    assert sorted(messages(result), key=lambda m: (m[0], m[2])) == sorted(EXPECTED_ERRORS, key=lambda m: (m[0], m[2]))
    assert accepted(result) == [
        (2, "thanh-hoa/dinh-tien", "XH05", MARCH, 81.0, None, None, None),
        (17, "thanh-hoa/dinh-tien", "XH02", MARCH, 80.44, None, None, None),
    ]
    # The same row twice is harmless: kept once, neither an error nor stored twice.
    duplicate = [r for r in result.rows if r.row == 13][0]
    assert duplicate.status == "duplicate"
    assert [w.message for w in duplicate.warnings] == ["Dòng 13: trùng dòng 2, chỉ lưu một lần"]
    assert (len(result.rows), len(result.accepted), len(result.rejected)) == (16, 2, 13)
    assert result.exit_code == 1


def test_messages_name_the_column_as_the_file_writes_it(db):
    content = "Tên xã;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\nDinh Tien;03/2026;XH02;abc\n".encode()
    assert messages(check(db, content)) == [(2, "gia_tri", "Dòng 2, cột Giá trị: “abc” không phải là số")]


def test_a_commune_code_must_agree_with_the_name(db):
    content = "ma_xa,ten_xa,ky_bao_cao,ma_chi_tieu,gia_tri\n26080,Xã Đại Phước,03/2026,XH05,70\n26080,Xã Minh Đức,03/2026,XH02,70\n99999,,03/2026,XH02,70\n".encode()
    result = check(db, content)
    assert accepted(result) == [(2, "dong-nai/dai-phuoc", "XH05", MARCH, 70.0, None, None, None)]
    assert messages(result) == [
        (3, "ten_xa", "Dòng 3, cột ten_xa: mã xã “26080” là Xã Đại Phước (Đồng Nai), không phải “Xã Minh Đức”"),
        (4, "ma_xa", "Dòng 4, cột ma_xa: không có xã mã “99999” trong danh sách xã"),
    ]


def test_unquoted_decimal_comma_in_a_comma_file_is_refused_not_truncated(db):
    content = b"ten_xa,ky_bao_cao,ma_chi_tieu,gia_tri\nDinh Tien,03/2026,XH05,80,44\n"
    result = check(db, content)
    assert result.accepted == []
    assert messages(result) == [(2, None, (
        "Dòng 2: có 5 ô, nhiều hơn 4 cột của dòng tiêu đề — có thể số thập phân dùng dấu phẩy trong "
        "tệp phân cách bằng dấu phẩy; hãy đặt số trong ngoặc kép hoặc lưu tệp với dấu chấm phẩy"))]


def test_ratio_that_disagrees_with_the_value_is_stored_as_written_with_a_warning(db):
    content = b"ten_xa,ky_bao_cao,ma_chi_tieu,gia_tri,tu_so,mau_so\nDinh Tien,03/2026,XH05,81,4227,5219\nDinh Tien,03/2026,XH02,50,4399,5469\n"
    result = check(db, content)
    assert [r[4:7] for r in accepted(result)] == [(81.0, 4227, 5219), (50.0, 4399, 5469)]
    assert [w.message for w in result.warnings] == [
        "Dòng 3, cột gia_tri: giá trị 50 khác tỷ lệ tử số/mẫu số 4.399/5.469 = 80,44; đã lưu giá trị đã ghi",
    ]


# ---- whole-file problems and the page's defaults ---------------------------------------------


def test_not_a_table_is_one_message(db):
    result = check(db, b"%PDF-1.4 binary", "ke_hoach.pdf")
    assert messages(result) == [(None, None, "Tệp PDF không phải là bảng số liệu: hãy gửi tệp Excel (.xlsx) hoặc CSV")]
    assert (result.exit_code, result.rows, result.kind) == (2, [], None)


def test_unrecognised_columns(db):
    result = check(db, "Tên xã,Ghi chú\nA,B\n".encode())
    assert messages(result) == [(None, None, (
        "Không nhận ra loại tệp từ dòng tiêu đề (dòng 1): tệp kết quả cần các cột Tên xã, Kỳ báo cáo, "
        "Mã chỉ tiêu, Giá trị; tệp chỉ tiêu cần Năm, Mã chỉ tiêu, Mục tiêu; danh sách xã cần Tên xã, Tỉnh; "
        "tệp nhiệm vụ cần Tên xã, Mục, Trạng thái; tệp kinh phí cần Tên xã, Năm, Khoản chi, Dự toán hoặc Đã chi"))]
    assert result.exit_code == 2


def test_commune_and_month_from_the_page(db):
    content = "Mã chỉ tiêu;Giá trị\nXH05;80,99\nXH02;80,44%\n".encode()
    missing = check(db, content)
    assert messages(missing) == [(None, "ten_xa", (
        "Tệp kết quả hằng tháng thiếu cột “Tên xã” (ten_xa), “Kỳ báo cáo” (ky_bao_cao) ở dòng tiêu đề "
        "(dòng 1); nếu cả tệp là của một xã hoặc một tháng, hãy chọn xã và kỳ báo cáo trên trang tải lên"))]
    filled = check(db, content, defaults={"commune": "thanh-hoa/dinh-tien", "period": "03/2026"})
    assert accepted(filled) == [
        (2, "thanh-hoa/dinh-tien", "XH05", MARCH, 80.99, None, None, None),
        (3, "thanh-hoa/dinh-tien", "XH02", MARCH, 80.44, None, None, None),
    ]
    assert filled.defaults_used == {"commune": "thanh-hoa/dinh-tien", "period": "2026-03-01"}
    # The same bytes for another commune are another upload, not "the same file again".
    other = check(db, content, defaults={"commune": "dong-nai/minh-duc", "period": "03/2026"})
    assert filled.store_content() != other.store_content() != content


# ---- targets and communes ---------------------------------------------------------------------


def test_targets_file(db):
    content = xlsx(
        [["Tên xã", "Tỉnh", "Năm", "Mã chỉ tiêu", "Mục tiêu", "Đơn vị chủ trì", "Đơn vị phối hợp", "Nguồn"],
         ["Xã Định Tiến", "Thanh Hóa", 2027, "XH05", "≥ 95%", "Phòng Văn hóa - Xã hội", "Công an xã", "KH 01/KH-UBND"],
         ["Xã Minh Đức", "Đồng Nai", 2027, "HT07", "Có", "Văn phòng HĐND-UBND", None, None],
         ["Xã Minh Đức", "Đồng Nai", "2027", "KT08", "≥ 02", None, None, None],
         ["Xã Minh Đức", "Đồng Nai", 2027, "XH02", 0.85, None, None, None],
         ["Xã Minh Đức", "Đồng Nai", 2027, "XH01", "> 150%", None, None, None],
         ["Xã Minh Đức", "Đồng Nai", 2027, "XH05", "100%", None, None, None]],
        formats={"E5": "0%"},
    )
    result = check(db, content, "chi_tieu.xlsx")
    assert result.kind == "targets"
    got = [(r.row, r.record["commune_id"], r.record["indicator"], r.record["year"], r.record["comparator"],
            r.record["target"], r.record["target_text"], r.record["lead_unit"], r.record["partner_units"],
            r.record["source_doc"]) for r in result.accepted]
    assert got == [
        (2, "thanh-hoa/dinh-tien", "XH05", 2027, ">=", 95.0, "≥ 95%", "Phòng Văn hóa - Xã hội", "Công an xã", "KH 01/KH-UBND"),
        (3, "dong-nai/minh-duc", "HT07", 2027, ">=", 1.0, "Có", "Văn phòng HĐND-UBND", None, None),
        (4, "dong-nai/minh-duc", "KT08", 2027, ">=", 2.0, "≥ 02", None, None, None),
        (5, "dong-nai/minh-duc", "XH02", 2027, ">=", 85.0, "85 %", None, None, None),
        (7, "dong-nai/minh-duc", "XH05", 2027, ">=", 100.0, "100%", None, None, None),
    ]
    assert messages(result) == [(6, "muc_tieu", "Dòng 6, cột Mục tiêu: tỷ lệ 150 % nằm ngoài khoảng 0–100")]
    store_checked(result, db, user="tỉnh")
    stored = db.sql("select commune_id, indicator, year, comparator, target from targets where year = 2027 order by all")
    assert stored.rows() == [
        ("dong-nai/minh-duc", "HT07", 2027, ">=", 1.0), ("dong-nai/minh-duc", "KT08", 2027, ">=", 2.0),
        ("dong-nai/minh-duc", "XH02", 2027, ">=", 85.0), ("dong-nai/minh-duc", "XH05", 2027, ">=", 100.0),
        ("thanh-hoa/dinh-tien", "XH05", 2027, ">=", 95.0),
    ]


def test_communes_file_keeps_ids_and_what_it_leaves_blank(db):
    content = ("ma_xa,ten_xa,tinh,dan_so\n"
               ",Xã Định Tiến,thanh hoa,\n"
               ',Xã Tân Mới,Thanh Hóa,"12.345"\n'
               "26080,Xã Đại Phước,Đồng Nai,8000\n"
               "27000,Xã Hòa Bình,Tỉnh Mới,\n"
               ",Xã Lỗi,,\n").encode()
    result = check(db, content, "danh_sach_xa.csv")
    assert result.kind == "communes"
    got = [(r.row, r.record["commune_id"], r.record["commune_code"], r.record["commune_name"],
            r.record["province"], r.record["adult_population"], r.record["population_15plus"]) for r in result.accepted]
    assert got == [
        (2, "thanh-hoa/dinh-tien", None, "Xã Định Tiến", "Thanh Hóa", 5219.0, 5469.0),
        (3, "thanh-hoa/tan-moi", None, "Xã Tân Mới", "Thanh Hóa", 12345.0, None),
        (4, "dong-nai/dai-phuoc", "26080", "Xã Đại Phước", "Đồng Nai", 8000.0, None),
        (5, "27000", "27000", "Xã Hòa Bình", "Tỉnh Mới", None, None),
    ]
    assert messages(result) == [(6, "tinh", "Dòng 6, cột tinh: thiếu tỉnh")]
    store_checked(result, db)
    assert db.sql("select commune_id from communes where province = 'Thanh Hóa' order by all")["commune_id"].to_list() == [
        "thanh-hoa/dinh-tien", "thanh-hoa/phu-my", "thanh-hoa/tan-moi"]
    # The new commune can now receive results.
    later = check(db, b"ten_xa,tinh,ky_bao_cao,ma_chi_tieu,gia_tri\nTan Moi,Thanh Hoa,03/2026,XH05,10\n")
    assert accepted(later) == [(2, "thanh-hoa/tan-moi", "XH05", MARCH, 10.0, None, None, None)]


# ---- storing ---------------------------------------------------------------------------------


def test_stored_rows_are_what_was_shown(db):
    result = check(db, PROBLEMS.encode("utf-8"))
    receipt = store_checked(result, db, user="Phòng VH-XH")
    rows = db.sql("select commune_id, indicator, period, value, row_number, upload_id from actuals where upload_id is not null order by row_number")
    assert rows.rows() == [
        ("thanh-hoa/dinh-tien", "XH05", MARCH, 81.0, 2, receipt.upload_id),
        ("thanh-hoa/dinh-tien", "XH02", MARCH, 80.44, 17, receipt.upload_id),
    ]
    entry = db.sql("select user, file_name, rows_total, rows_accepted, rows_rejected, active from uploads")
    assert entry.rows() == [("Phòng VH-XH", "bao_cao.csv", 16, 2, 13, True)]


# ---- command line ----------------------------------------------------------------------------


def run_cli(tmp_path, *args):
    # The command runs on the test's day: TODAY decides which months are "in the future".
    env = {**os.environ, "DTI_DATA_DIR": str(make_data_dir(tmp_path / "data")), "DTI_STORE": str(tmp_path / "store"),
           "DTI_NOW": TODAY.isoformat()}
    done = subprocess.run([sys.executable, "-m", "queries.ingest", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stderr + done.stdout
    return done


def test_cli_json_dry_run_and_store(tmp_path):
    good = tmp_path / "thang3.csv"
    good.write_bytes(cp1258("Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\nĐịnh Tiến;Thanh Hóa;T3/2026;XH02;80,44%\n"))
    bad = tmp_path / "loi.csv"
    bad.write_text(PROBLEMS, encoding="utf-8")
    broken = tmp_path / "anh.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)

    done = run_cli(tmp_path, good, "--json", "--dry-run")
    assert done.returncode == 0
    output = json.loads(done.stdout)
    assert output == {
        "file": str(good), "kind": "actuals", "rows": 1,
        "accepted": [{"row": 2, "commune_id": "thanh-hoa/dinh-tien", "commune_name": "Xã Định Tiến",
                      "province": "Thanh Hóa", "indicator": "XH02", "period": "2026-03", "value": 80.44,
                      "numerator": None, "denominator": None, "note": None, "unit": "percent"}],
        "errors": [], "warnings": [], "duplicates": [],
    }
    assert Store(tmp_path / "store").entries() == []

    done = run_cli(tmp_path, bad, "--json", "--dry-run")
    assert done.returncode == 1
    output = json.loads(done.stdout)
    assert [a["row"] for a in output["accepted"]] == [2, 17]
    assert sorted((e["row"], e["column"], e["message"]) for e in output["errors"]) == sorted(EXPECTED_ERRORS)

    done = run_cli(tmp_path, broken, "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"] == [
        {"row": None, "column": None, "message": "Tệp không phải là bảng số liệu (không phải CSV hay Excel .xlsx)"}]

    done = run_cli(tmp_path, tmp_path / "khong_co.csv")
    assert done.returncode == 2
    assert "Không mở được tệp" in done.stdout

    # March closed on 30 April: the local administrator stores it only with a reason.
    done = run_cli(tmp_path, good, "--user", "Nguyễn Văn A")
    assert done.returncode == 2
    assert "Không lưu gì: Tháng này đã khóa sổ: hãy ghi lý do thay đổi" in done.stdout
    assert Store(tmp_path / "store").entries() == []
    done = run_cli(tmp_path, good, "--user", "Nguyễn Văn A", "--reason", "Xã gửi bù")
    assert done.returncode == 0
    assert "Đã lưu 1 dòng" in done.stdout
    again = run_cli(tmp_path, good, "--json", "--reason", "Xã gửi bù")
    assert json.loads(again.stdout)["stored"]["duplicate"] is True
    entries = Store(tmp_path / "store").entries()
    assert len(entries) == 1 and (entries[0]["user"], entries[0]["reason"]) == ("Nguyễn Văn A", "Xã gửi bù")


# ---- templates -------------------------------------------------------------------------------


def test_csv_template_is_utf8_with_bom_and_reads_back():
    content = csv_template()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == "ma_xa,ten_xa,tinh,ky_bao_cao,ma_chi_tieu,gia_tri,tu_so,mau_so,ghi_chu\r\n"


def test_xlsx_template_has_drop_downs_and_reads_back_when_filled(db):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(xlsx_template(db, today=TODAY)))
    assert workbook.sheetnames == ["Số liệu", "Hướng dẫn", "Danh mục"]
    data = workbook["Số liệu"]
    assert [c.value for c in data[1]] == ["ma_xa", "ten_xa", "tinh", "ky_bao_cao", "ma_chi_tieu", "gia_tri",
                                          "tu_so", "mau_so", "ghi_chu"]
    lists = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert lists == {
        "B2:B2001": "'Danh mục'!$A$2:$A$6",
        "C2:C2001": "'Danh mục'!$C$2:$C$3",
        "D2:D2001": "'Danh mục'!$G$2:$G$25",
        "E2:E2001": "'Danh mục'!$D$2:$D$9",
    }
    catalog = workbook["Danh mục"]
    assert catalog["G2"].value == "11/2026"
    assert [catalog[f"D{r}"].value for r in range(2, 10)] == ["HT01", "HT07", "KT02", "KT08", "NL01", "XH01", "XH02", "XH05"]
    assert "Cách dùng mẫu này" in [c.value for c in workbook["Hướng dẫn"]["A"]]
    # Filled in as a user would (picking from the lists), it goes straight in.
    data.append([None, "Xã Định Tiến", "Thanh Hóa", "10/2026", "XH05", 82.5])
    data.append([None, "Xã Minh Đức", "Đồng Nai", "10/2026", "HT07", "Có"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(db, buffer.getvalue(), "mau_ket_qua_thang.xlsx")
    assert result.errors == []
    assert accepted(result) == [
        (2, "thanh-hoa/dinh-tien", "XH05", date(2026, 10, 1), 82.5, None, None, None),
        (3, "dong-nai/minh-duc", "HT07", date(2026, 10, 1), 1.0, None, None, None),
    ]


def test_kind_named_on_the_command_line_is_checked_against_the_columns(db):
    result = check(db, PROBLEMS.encode("utf-8"), kind="targets")
    assert messages(result) == [(None, "muc_tieu", (
        "Tệp chỉ tiêu (mục tiêu năm) thiếu cột “Mục tiêu” (muc_tieu), “Năm” (nam) ở dòng tiêu đề (dòng 1)"))]
    assert result.exit_code == 2


def test_a_bug_becomes_a_message_not_a_traceback(db, monkeypatch):
    import queries.ingest.pipeline
    import queries.ingest.resolve

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(queries.ingest.pipeline, "read_table", broken)
    result = check(db, PROBLEMS.encode("utf-8"))
    assert messages(result) == [(None, None, (
        "Không kiểm tra được tệp do lỗi của chương trình (lỗi đã được ghi lại); hãy gửi tệp này cho quản trị viên"))]
    monkeypatch.undo()
    monkeypatch.setattr(queries.ingest.resolve, "resolve_indicator", broken)
    result = check(db, PROBLEMS.encode("utf-8"))
    assert {e.message.split(": ", 1)[1] for e in result.errors} == {
        "không đọc được dòng này (lỗi chương trình đã được ghi lại)"}


def test_mangled_files_never_raise(db):
    import random

    rng = random.Random(3)
    seeds = [PROBLEMS.encode("utf-8"), cp1258(PROBLEMS), PROBLEMS.encode("utf-16"),
             xlsx([line.split(",") for line in PROBLEMS.splitlines()])]
    for number in range(150):
        content = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 20)):
            action = rng.random()
            at = rng.randrange(len(content))
            if action < 0.4:
                content[at] = rng.randrange(256)
            elif action < 0.7:
                del content[at:at + rng.randint(1, 40)]
            else:
                content[at:at] = rng.choice([b";", b",", b"\t", b'"', b"\r\n", b"%", b"/", b"\x00", b"\xe1\xba"])
        result = check(db, bytes(content), f"mangled{number}")
        assert result.exit_code in (0, 1, 2)
        assert all(e.message for e in result.errors)


@pytest.mark.parametrize("kind", ["actuals", "targets", "communes"])
def test_every_template_is_recognised_as_its_kind(db, kind):
    for name, content in (("mau.xlsx", xlsx_template(db, kind, today=TODAY)), ("mau.csv", csv_template(kind))):
        result = check(db, content, name)
        assert result.kind == kind
        assert messages(result) == [(None, None, "Tệp không có dòng số liệu nào dưới dòng tiêu đề (dòng 1)")]
