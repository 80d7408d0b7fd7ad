"""From bytes to a table: encodings, separators, headings, .xlsx cells, and files that are
not tables at all. Every file is built here, byte by byte, as Excel on Vietnamese Windows
writes it."""
import codecs
import io
import unicodedata
import zipfile
from datetime import datetime

import pytest

from queries.ingest.readers import TableError, decode, match_heading, read_table, sniff_delimiter
from tests.upload_data import cp1258, xlsx

NAME = "Xã Định Tiến"


def values(table, index):
    return [c.value for c in table.rows[index].cells]


# ---- encodings -----------------------------------------------------------------------------


def test_windows_1258_decodes_to_nfc():
    raw = cp1258(NAME)
    assert b"\xec" in raw  # 'ế' is 'ê' + a combining acute byte in cp1258
    text, encoding = decode(raw)
    assert (text, encoding) == (NAME, "cp1258")
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("raw, encoding", [
    (codecs.BOM_UTF8 + NAME.encode("utf-8"), "utf-8-sig"),
    (NAME.encode("utf-8"), "utf-8"),
    (unicodedata.normalize("NFD", NAME).encode("utf-8"), "utf-8"),
    (NAME.encode("utf-16"), "utf-16"),  # with BOM, as Excel's "Unicode text"
    (codecs.BOM_UTF16_BE + NAME.encode("utf-16-be"), "utf-16"),
    (("Tên xã,Giá trị\n" + NAME).encode("utf-16-le"), "utf-16-le"),
    (("Tên xã,Giá trị\n" + NAME).encode("utf-16-be"), "utf-16-be"),
])
def test_encodings(raw, encoding):
    text, found = decode(raw)
    assert found == encoding
    assert text.endswith(NAME)
    assert unicodedata.is_normalized("NFC", text)


# ---- separators and headings ---------------------------------------------------------------


def test_semicolon_with_decimal_commas():
    text = "Tên xã;Giá trị\nA;80,44\nB;1,5\n"
    assert sniff_delimiter(text) == ";"


def test_comma_with_quoted_decimal_commas():
    text = 'Tên xã,Giá trị,Ghi chú\nA,"80,44",x\nB,"1,5",y\n'
    assert sniff_delimiter(text) == ","


def test_tab():
    assert sniff_delimiter("Tên xã\tGiá trị\nA\t80,44\n") == "\t"


def test_title_and_blank_rows_keep_spreadsheet_numbering():
    content = cp1258(
        "BÁO CÁO KẾT QUẢ CHUYỂN ĐỔI SỐ THÁNG 3/2026\r\n"
        ";;;\r\n"
        "Tên xã;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\r\n"
        "Xã Định Tiến;03/2026;XH05;80,44\r\n"
        ";;;\r\n"
        "Xã Định Tiến;03/2026;XH02;81\r\n"
    )
    table = read_table(content, "bao_cao.csv")
    assert table.header_row == 3
    assert table.source == "CSV, mã Windows-1258, phân cách bằng dấu chấm phẩy"
    assert table.columns == {"ten_xa": 0, "ky_bao_cao": 1, "ma_chi_tieu": 2, "gia_tri": 3}
    assert [r.number for r in table.rows] == [4, 6]
    assert values(table, 0) == ["Xã Định Tiến", "03/2026", "XH05", "80,44"]


def test_quoted_line_break_is_one_row():
    content = 'Tên xã,Giá trị,Ghi chú\nA,1,"dòng một\ndòng hai"\nB,2,\n'.encode()
    table = read_table(content)
    assert [r.number for r in table.rows] == [2, 3]
    assert values(table, 0)[2] == "dòng một dòng hai"  # runs of white space fold to one


def test_excel_sep_line():
    content = "sep=;\nTên xã;Giá trị\nA;80,44\n".encode()
    table = read_table(content)
    assert (table.header_row, table.rows[0].number, values(table, 0)) == (2, 3, ["A", "80,44"])


@pytest.mark.parametrize("heading, column", [
    ("Tên xã", "ten_xa"), ("TEN XA", "ten_xa"), ("ten_xa", "ten_xa"), ("  Tên  xã  ", "ten_xa"),
    (unicodedata.normalize("NFD", "Tên xã"), "ten_xa"), ("Xã/Phường", "ten_xa"), ("commune", "ten_xa"),
    ("Kỳ báo cáo (tháng/năm)", "ky_bao_cao"), ("Ky bao cao", "ky_bao_cao"), ("period", "ky_bao_cao"),
    ("Giá trị (%)", "gia_tri"), ("Giá trị thực hiện tháng 3", "gia_tri"), ("value", "gia_tri"),
    ("Mã chỉ tiêu", "ma_chi_tieu"), ("indicator", "ma_chi_tieu"), ("Tử số", "tu_so"), ("Mẫu số", "mau_so"),
    ("Tỉnh", "tinh"), ("province", "tinh"), ("Năm", "nam"), ("Mục tiêu", "muc_tieu"),
    ("Chỉ tiêu năm 2026", "muc_tieu"), ("Đơn vị chủ trì", "don_vi_chu_tri"), ("Nguồn", "nguon"),
    ("Dân số", "dan_so"), ("dan_so", "dan_so"), ("Ghi chú", "ghi_chu"), ("Không biết", None),
])
def test_headings(heading, column):
    assert match_heading(heading) == column


# ---- Excel ---------------------------------------------------------------------------------


def test_xlsx_cells_keep_types_and_percent_formats():
    content = xlsx(
        [["Tên xã", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị"],
         ["Xã Định Tiến", datetime(2026, 3, 1), "XH02", 0.8044],
         [None, None, None, None],
         ["Xã Định Tiến", 46082, "KT08", 3]],
        formats={"B3": "mm/yyyy", "D3": "0.00%"},
        title="BÁO CÁO THÁNG 3/2026",
    )
    table = read_table(content, "bao_cao.xlsx")
    assert table.source == "Excel, trang “Sheet1”"
    assert table.header_row == 2
    assert [r.number for r in table.rows] == [3, 5]
    first = table.rows[0].cells
    assert first[1].value == datetime(2026, 3, 1)
    assert (first[3].value, first[3].percent_format) == (0.8044, True)
    assert [c.value for c in table.rows[1].cells] == ["Xã Định Tiến", 46082, "KT08", 3]
    assert table.rows[1].cells[3].percent_format is False


def test_xlsx_picks_the_sheet_with_a_heading():
    content = xlsx([["Ghi chú chung"], ["Không có bảng ở đây"]], sheet_name="Bìa",
                   extra_sheets={"Số liệu": [["Tên xã", "Giá trị"], ["A", 1]]})
    table = read_table(content, "x.xlsx")
    assert table.source == "Excel, trang “Số liệu”"
    assert values(table, 0) == ["A", 1]


# ---- files that are not tables ---------------------------------------------------------------


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    return buffer.getvalue()


@pytest.mark.parametrize("content, message", [
    (b"", "Tệp rỗng: không có dòng nào"),
    (b"  \r\n ", "Tệp rỗng: không có dòng nào"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "Tệp PDF không phải là bảng số liệu: hãy gửi tệp Excel (.xlsx) hoặc CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
     "Tệp Excel 97–2003 (.xls) chưa được hỗ trợ: hãy mở bằng Excel và lưu lại dạng .xlsx hoặc CSV"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "Tệp không phải là bảng số liệu (không phải CSV hay Excel .xlsx)"),
    (_zip_without_workbook(), "Tệp nén này không phải là tệp Excel .xlsx"),
    (b"PK\x03\x04garbage", "Tệp nén này không phải là tệp Excel .xlsx"),
    ("Kính gửi UBND tỉnh,\nxã báo cáo như sau.\n".encode(),
     "Không tìm thấy dòng tiêu đề trong 20 dòng đầu của tệp: cần các cột như “Tên xã”, “Kỳ báo cáo”, "
     "“Mã chỉ tiêu”, “Giá trị” (xem tệp mẫu)"),
])
def test_not_a_table(content, message):
    with pytest.raises(TableError) as error:
        read_table(content, "tep")
    assert str(error.value) == message


def test_utf8_with_a_damaged_byte_stays_utf8():
    raw = ("Tên xã;Giá trị\n" + f"{NAME};80,44\n" * 30).encode("utf-8")
    raw = raw[:40] + b"\xff" + raw[41:]
    text, encoding = decode(raw)
    assert encoding == "utf-8-damaged"
    assert text.count(NAME) == 30 and text.count("\ufffd") == 1  # only the one damaged byte is lost
    table = read_table(raw)
    assert table.source == "CSV, mã UTF-8 (có vài ký tự hỏng, hiện thành �), phân cách bằng dấu chấm phẩy"


def test_letters_with_two_marks_survive_windows_1258():
    """'ệ' is e + dot below + circumflex in NFD, the tone first: the encoder must still keep
    ê whole and the dot below as the tone byte (no '?')."""
    from queries.ingest.readers import encode_windows_1258

    text = "Nghệ An, Bậc Hộ, Lợi, Thạnh Mỹ, Định Tiến, Ước, Ẩn"
    encoded = encode_windows_1258(text)
    assert b"?" not in encoded
    assert decode(encoded)[0] == text


RACE = """
import sys, threading, time
sys.path.insert(0, sys.argv[1])
import polars, queries.text  # what both import besides openpyxl
barrier = threading.Barrier(2)
errors = []

def load(name, wait):
    barrier.wait()
    time.sleep(wait)
    try:
        __import__(name)
    except Exception as error:
        errors.append(f"{name}: {type(error).__name__}: {error}")

threads = [threading.Thread(target=load, args=("queries.reports.tables", 0)),
           threading.Thread(target=load, args=("queries.ingest.excel", float(sys.argv[2])))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""


@pytest.mark.parametrize("delay", [0, 0.05, 0.2])
def test_the_reader_and_the_exports_can_be_imported_by_two_pages_at_once(delay):
    """Streamlit runs each session's page in its own thread: on a fresh server, Tải lên số liệu
    (the reader) and Tổng quan (the exports) opened at once imported openpyxl from two threads,
    and one of them failed with _DeadlockError ("This app has encountered an error")."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", RACE, str(root), str(delay)], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stdout + done.stderr
