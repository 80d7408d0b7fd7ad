"""Broken and hostile files never crash, hang or bend a score (the importer).

Each defect the issue found is reproduced here with a real file: values that are not finite
or not plausible, .xlsx sheets that declare (or hold) a million rows, files that made the
csv module or openpyxl raise, control characters that broke every later .xlsx export, and
formula-looking commune names in the template sent to every office.
"""
from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from queries.ingest.cli import main
from queries.ingest.pipeline import UNEXPECTED_FILE_ERROR, check_file, store_checked
from queries.ingest.readers import ReadLimits, TableError, read_table
from queries.ingest.template import xlsx_template
from queries.reports.tables import to_xlsx_bytes
from queries.spreadsheet import is_risky, to_csv_bytes
from tests.upload_data import TODAY, make_data_dir, make_database, xlsx

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = "Tên xã,Kỳ báo cáo,Mã chỉ tiêu,Giá trị,Tử số,Mẫu số,Ghi chú\n"
HUGE = "9" * 400  # read as a float it is infinity
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def db(tmp_path):
    return make_database(tmp_path)


def check(db, content, name="bao_cao.csv", **kwargs):
    return check_file(content, name, db=db, today=TODAY, **kwargs)


def messages(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def sheet_xlsx(rows_xml: str, dimension: str = "A1:D2", headings=("Tên xã", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị"),
               strings: list[str] | None = None) -> bytes:
    """An .xlsx whose first sheet is written by hand: a heading row of inline strings, then
    `rows_xml` (<row> elements), under a declared `dimension`; `strings` become the shared
    string table. Built from a workbook openpyxl saved, so everything else is real."""
    buffer = io.BytesIO()
    from openpyxl import Workbook

    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    heading_cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{text}</t></is></c>' for i, text in enumerate(headings))
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
             f'<dimension ref="{dimension}"/><sheetData><row r="1">{heading_cells}</row>{rows_xml}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode("utf-8")
            elif strings is not None and item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
            archive.writestr(item, data)
        if strings is not None:
            items = "".join(f"<si><t>{text}</t></si>" for text in strings)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN_NS}">{items}</sst>')
    return out.getvalue()


def actuals_row(number: int, value_xml: str, commune="Xã Định Tiến", month="03/2026", indicator="KT08") -> str:
    return (f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{commune}</t></is></c>'
            f'<c r="B{number}" t="inlineStr"><is><t>{month}</t></is></c>'
            f'<c r="C{number}" t="inlineStr"><is><t>{indicator}</t></is></c>{value_xml}</row>')


# ---- 1. values are finite and plausible for their unit --------------------------------------


def test_a_400_digit_count_is_refused_not_stored_as_infinity(db):
    result = check(db, (HEADINGS + f"Xã Định Tiến,03/2026,KT08,{HUGE},,,\n").encode())
    assert result.accepted == [] and result.exit_code == 1
    [(row, column, message)] = messages(result)
    assert (row, column) == (2, "gia_tri")
    assert message == f"Dòng 2, cột Giá trị: “{'9' * 39}…” quá lớn, không phải là số hợp lệ"


@pytest.mark.parametrize("indicator", ["KT02", "XH05"])  # per 1,000 people; percent
def test_huge_numerator_and_denominator_never_make_not_a_number(db, indicator):
    huge = "1" + "0" * 400
    result = check(db, (HEADINGS + f"Xã Định Tiến,03/2026,{indicator},,{huge},{huge},\n").encode())
    assert result.accepted == []
    assert [(e.row, e.column) for e in result.errors] == [(2, "tu_so")]
    assert "quá lớn" in result.errors[0].message


@pytest.mark.parametrize("cell, unit_message", [
    ("1e300", "không phải là số"),  # text an office never types: refused as before
    ('"1' + ".000" * 100 + '"', "lớn hơn mức hợp lý 10.000.000"),  # 1e300 in thousands groups
    ("10.000.001", "số lượng 10.000.001 lớn hơn mức hợp lý 10.000.000"),
])
def test_a_count_beyond_max_count_is_refused(db, cell, unit_message):
    result = check(db, (HEADINGS + f"Xã Định Tiến,03/2026,KT08,{cell},,,\n").encode())
    assert result.accepted == []
    assert unit_message in result.errors[0].message


def test_per_thousand_bounds_and_the_settings_that_move_them(tmp_path):
    db = make_database(tmp_path)
    content = (HEADINGS + "Xã Định Tiến,03/2026,KT02,1000,,,\nXã Định Tiến,04/2026,KT02,\"1000,5\",,,\n"
               "Xã Định Tiến,03/2026,KT08,150,,,\n").encode()
    result = check(db, content)
    assert [r.row for r in result.accepted] == [2, 4]
    assert messages(result) == [(3, "gia_tri", "Dòng 3, cột Giá trị: tỷ lệ trên 1.000 dân 1.000,5 lớn hơn mức hợp lý "
                                               "1.000; hãy kiểm tra lại số đã ghi")]
    (tmp_path / "store").mkdir(exist_ok=True)
    (tmp_path / "store" / "settings.json").write_text(json.dumps({"max_count": 100}), encoding="utf-8")
    result = check(db, content)
    assert messages(result)[1:] == [
        (4, "gia_tri", "Dòng 4, cột Giá trị: số lượng 150 lớn hơn mức hợp lý 100; hãy kiểm tra lại số đã ghi")]


def test_numerators_denominators_and_fractions_are_counts(db):
    content = (HEADINGS + "Xã Định Tiến,03/2026,XH05,,20.000.000,30.000.000,\n"
               "Xã Định Tiến,03/2026,XH02,20000000/30000000,,,\n"
               "Xã Định Tiến,03/2026,XH01,,2.092,5.219,\n").encode()
    result = check(db, content)
    assert [(r.row, r.record["value"]) for r in result.accepted] == [(4, 40.08)]
    assert messages(result) == [
        (2, "tu_so", "Dòng 2, cột Tử số: tử số 20.000.000 lớn hơn mức hợp lý 10.000.000; hãy kiểm tra lại số đã ghi"),
        (3, "gia_tri", "Dòng 3, cột Giá trị: tử số 20.000.000 lớn hơn mức hợp lý 10.000.000; hãy kiểm tra lại số đã ghi"),
    ]


def test_a_month_before_the_baseline_year_is_refused(db):
    # The fixture's targets start in 2026: 2025 is the baseline year, 2024 and 2000 are typos.
    content = (HEADINGS + "Xã Định Tiến,03/2000,KT08,5,,,\nXã Định Tiến,12/2024,KT08,5,,,\n"
               "Xã Định Tiến,12/2025,KT08,5,,,\n").encode()
    result = check(db, content)
    assert [r.row for r in result.accepted] == [4]
    assert messages(result) == [
        (2, "ky_bao_cao", "Dòng 2, cột Kỳ báo cáo: kỳ báo cáo Tháng 3/2000 trước năm 2025 (chỉ tiêu bắt đầu từ năm "
                          "2026, số liệu nhận từ năm trước đó); hãy kiểm tra lại năm"),
        (3, "ky_bao_cao", "Dòng 3, cột Kỳ báo cáo: kỳ báo cáo Tháng 12/2024 trước năm 2025 (chỉ tiêu bắt đầu từ năm "
                          "2026, số liệu nhận từ năm trước đó); hãy kiểm tra lại năm"),
    ]


def test_targets_obey_the_same_rules(db):
    content = ("Tên xã,Năm,Mã chỉ tiêu,Mục tiêu\n"
               f"Xã Định Tiến,2026,KT08,≥ {HUGE}\nXã Định Tiến,2026,KT02,≥ 2000\n"
               "Xã Định Tiến,2026,HT07,Có\nXã Định Tiến,2026,KT08,≥ 12\n").encode()
    result = check(db, content)
    assert [(r.row, r.record["target"]) for r in result.accepted] == [(4, 1.0), (5, 12.0)]
    assert [(e.row, e.column) for e in result.errors] == [(2, "muc_tieu"), (3, "muc_tieu")]
    assert "quá lớn" in result.errors[0].message
    assert "lớn hơn mức hợp lý 1.000" in result.errors[1].message


def test_commune_populations_obey_the_same_rules(db):
    content = ("Tên xã,Tỉnh,Dân số,Dân số từ 15 tuổi\n"
               f"Xã Mới,Thanh Hóa,{HUGE},\nXã Mới Hai,Thanh Hóa,20.000.000,\nXã Mới Ba,Thanh Hóa,5.219,6.000\n").encode()
    result = check(db, content)
    assert [(r.row, r.record["adult_population"]) for r in result.accepted] == [(4, 5219.0)]
    assert [(e.row, e.column) for e in result.errors] == [(2, "dan_so"), (3, "dan_so")]
    assert result.errors[1].message == ("Dòng 3, cột Dân số: dân số 20.000.000 lớn hơn mức hợp lý 10.000.000; "
                                        "hãy kiểm tra lại số đã ghi")


@pytest.mark.parametrize("value_xml, reason", [
    (f"<c r=\"D2\"><v>{HUGE}</v></c>", "không phải là số hữu hạn"),  # was an OverflowError
    ("<c r=\"D2\"><v>1e999</v></c>", "không phải là số hữu hạn"),
    ("<c r=\"D2\"><v>1e300</v></c>", "lớn hơn mức hợp lý"),
    ("<c r=\"D2\"><v>-5</v></c>", "không được âm"),
])
def test_absurd_xlsx_number_cells_are_row_errors_not_bugs(db, value_xml, reason):
    result = check(db, sheet_xlsx(actuals_row(2, value_xml)), "so_lieu.xlsx")
    assert result.accepted == [] and result.exit_code == 1
    [(row, column, message)] = messages(result)
    assert (row, column) == (2, "gia_tri") and reason in message


# ---- 2. bounded work per file -----------------------------------------------------------------


def timed_read(content: bytes, limits: ReadLimits | None = None):
    """The answer and the CPU seconds it took (this process, every thread): the bounds below
    catch a read that hangs or grows with what a sheet declares (45 s and 3 GB before), and CPU
    time does not count the neighbours a shared machine or the suite's other workers bring."""
    started = time.process_time()
    try:
        return read_table(content, "tep.xlsx", limits), time.process_time() - started
    except TableError as error:
        return str(error), time.process_time() - started


def test_a_sheet_declaring_a1_to_xfd1048576_is_read_by_its_cells():
    rows = actuals_row(2, '<c r="D2"><v>3</v></c>') + actuals_row(3, '<c r="D3"><v>4</v></c>')
    table, seconds = timed_read(sheet_xlsx(rows, dimension="A1:XFD1048576"))
    assert [[c.value for c in r.cells] for r in table.rows] == [
        ["Xã Định Tiến", "03/2026", "KT08", 3], ["Xã Định Tiến", "03/2026", "KT08", 4]]
    assert seconds < 1


@pytest.mark.parametrize("cell, message", [
    ("A1048576", "Tệp có số liệu ở dòng 1.048.576, quá giới hạn 50.000 dòng của một lần tải lên; hãy chia tệp"),
    ("XFD1048576", "Tệp có số liệu ở dòng 1.048.576, quá giới hạn 50.000 dòng của một lần tải lên; hãy chia tệp"),
    ("XFD2", "Tệp có số liệu ở cột thứ 16.384 (dòng 2), quá giới hạn 200 cột; hãy xoá các cột không dùng"),
])
def test_one_far_away_cell_is_refused_at_once(cell, message):
    # As the issue found them: openpyxl wrote the file; reading it took 45 s and 3 GB, or 8 GB.
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Tên xã", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị"])
    workbook.active[cell] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    text, seconds = timed_read(buffer.getvalue())
    assert (text, seconds < 1) == (message, True)


def test_a_million_junk_rows_stop_at_the_row_limit():
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 60_002))
    text, seconds = timed_read(sheet_xlsx(rows, dimension="A1:A1000001"))
    assert text == "Tệp có số liệu ở dòng 50.001, quá giới hạn 50.000 dòng của một lần tải lên; hãy chia tệp"
    assert seconds < 5


def test_sixteen_thousand_columns_stop_at_the_column_limit():
    cells = "".join(f'<c r="{_column(c)}2"><v>1</v></c>' for c in range(1, 16_385))
    text, seconds = timed_read(sheet_xlsx(f'<row r="2">{cells}</row>', dimension="A1:XFD21"))
    assert text == "Tệp có số liệu ở cột thứ 201 (dòng 2), quá giới hạn 200 cột; hãy xoá các cột không dùng"
    assert seconds < 1


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def test_formatted_empty_cells_cost_nothing_and_are_not_values():
    # Excel writes a cell for every formatted one, values or not (here rows 2–3, out to XFD).
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Xã Định Tiến</t></is></c>'
                   f'<c r="D{n}"><v>{n}</v></c><c r="XFD{n}" s="0"/></row>' for n in (2, 3))
    table, _ = timed_read(sheet_xlsx(rows, dimension="A1:XFD3"))
    assert [len(r.cells) for r in table.rows] == [4, 4]


def test_the_cell_budget_and_the_size_limits():
    rows = "".join(actuals_row(n, f'<c r="D{n}"><v>{n}</v></c>') for n in range(2, 40))
    assert timed_read(sheet_xlsx(rows), ReadLimits(max_cells=100))[0] == (
        "Tệp có hơn 100 ô, quá giới hạn của một lần tải lên; hãy chia tệp hoặc xoá các trang, các cột không dùng")
    csv_rows = ("a,b,c,d\n" * 30).encode()
    assert timed_read(HEADINGS.encode() + csv_rows, ReadLimits(max_cells=100))[0] == (
        "Tệp có hơn 100 ô, quá giới hạn của một lần tải lên; hãy chia tệp")
    big = b"x" * (21 * 1024 * 1024)
    assert timed_read(big)[0] == ("Tệp nặng 21,0 MB, quá giới hạn 20 MB của một lần tải lên; hãy chia tệp hoặc xoá "
                                  "các trang, các cột không dùng")


def test_a_zip_bomb_is_refused_before_parsing():
    # 11 MB of blanks inside the sheet: a few KB packed, more than 10 × a 1 MB size limit.
    content = sheet_xlsx(" " * (11 * 1024 * 1024))
    assert len(content) < 100_000
    text, seconds = timed_read(content, ReadLimits(max_bytes=1024 * 1024))
    assert text == "Tệp Excel giải nén ra 11,0 MB, quá giới hạn 10,0 MB; hãy chia tệp hoặc xoá các trang không cần"
    assert seconds < 1


def test_entity_declarations_are_refused():
    bomb = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            f'<sst xmlns="{MAIN_NS}"><si><t>&b;</t></si></sst>')
    content = sheet_xlsx("", strings=["x"])
    archive = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in archive.infolist():
            data = bomb.encode() if item.filename == "xl/sharedStrings.xml" else archive.read(item.filename)
            target.writestr(item, data)
    assert timed_read(out.getvalue())[0] == (
        "Tệp Excel bị hỏng hoặc không mở được; hãy mở bằng Excel và lưu lại dạng .xlsx")


BROKEN = "Tệp Excel bị hỏng hoặc không mở được; hãy mở bằng Excel và lưu lại dạng .xlsx"


@pytest.mark.parametrize("rows_xml, message", [
    ("<a>" * 1_000_000 + "</a>" * 1_000_000, BROKEN),  # expat would hold a million open elements
    ('<row r="2"><c r="A2" t="inlineStr"><is>' + "<r><t></t></r>" * 100_000 + "</is></c></row>", BROKEN),
    ('<row r="2"><c r="A2" t="inlineStr"><is><t>' + "x" * 300_000 + "</t></is></c></row>",
     "Tệp có một ô dài hơn 32.767 ký tự, giới hạn của Excel: tệp bị hỏng hoặc không do Excel tạo ra; "
     "hãy mở bằng Excel và lưu lại"),
    ('<row r="2"><c r="A2" t="s"><v>7</v></c></row>', BROKEN),  # no such shared string
    ('<row r="0"><c r="A0"><v>1</v></c></row>', BROKEN),
])
def test_malformed_sheets_stop_early_with_one_message(rows_xml, message):
    text, seconds = timed_read(sheet_xlsx(rows_xml))
    assert (text, seconds < 2) == (message, True)


def test_shared_strings_rich_text_and_percent_formats_survive_the_streaming_reader():
    content = xlsx([["Tên xã", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị"], ["Xã Định Tiến", "03/2026", "XH02", 0.8044]],
                   formats={"D2": "0.00%"})
    table, _ = timed_read(content)
    cell = table.rows[0].cells[3]
    assert (cell.value, cell.percent_format) == (0.8044, True)
    rows = ('<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
            '<c r="C2" t="inlineStr"><is><r><t>KT</t></r><r><t>08</t></r></is></c><c r="D2"><v>7</v></c></row>')
    table, _ = timed_read(sheet_xlsx(rows, strings=["Xã Định_x0001_ Tiến", "03/2026"]))
    assert [c.value for c in table.rows[0].cells] == ["Xã Định Tiến", "03/2026", "KT08", 7]


def measure_at_the_limits(folder: str) -> None:
    """Check a file of 50,000 rows × 20 columns (the row limit, and 1,000,000 cells: the cell
    limit), as .xlsx and as CSV; print seconds and this process's peak memory as JSON.
    Run in its own interpreter so that the peak is this work's alone."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a runaway fails here, not the machine
    db = make_database(Path(folder))
    months = [f"{m:02d}/2026" for m in range(1, 12)]
    headings = ["Tên xã", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị"] + [f"Cột {i}" for i in range(16)]
    extra = [_column(5 + i) for i in range(16)]
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}" t="s"><v>{n % 11 + 1}</v></c>'
        f'<c r="C{n}" t="s"><v>12</v></c><c r="D{n}"><v>{n % 97}</v></c>'
        + "".join(f'<c r="{letter}{n}"><v>{i}</v></c>' for i, letter in enumerate(extra)) + "</row>"
        for n in range(2, 50_001))
    files = {
        "xlsx": sheet_xlsx(rows, "A1:T50000", headings=headings, strings=["Xã Định Tiến", *months, "KT08"]),
        "csv": (",".join(headings) + "\n" + "".join(
            f"Xã Định Tiến,{months[n % 11]},KT08,{n % 97}," + ",".join(map(str, range(16))) + "\n"
            for n in range(2, 50_001))).encode(),
    }
    measured = {}
    for kind, content in files.items():
        started = time.perf_counter()
        result = check_file(content, f"lon.{kind}", db=db, today=TODAY)
        measured[kind] = {"seconds": round(time.perf_counter() - started, 1), "rows": len(result.rows),
                          "file_errors": [e.message for e in result.file_errors], "megabytes": len(content) / 1e6}
    measured["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(measured))


def test_a_file_at_the_limits_is_read_whole_and_well_under_a_gigabyte(tmp_path):
    # How long it takes is the benchmark's business (python -m bench); here: every row read,
    # no file error, and the memory bound.
    code = f"from tests.test_hostile_files import measure_at_the_limits; measure_at_the_limits({str(tmp_path)!r})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DTI_NOW": "2026-11-22T10:00:00+07:00"})
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    for kind in ("xlsx", "csv"):
        assert (measured[kind]["rows"], measured[kind]["file_errors"]) == (49_999, []), measured
    assert measured["peak_mb"] < 1000, measured  # about 400 MB


# ---- 3. no traceback, on the page or the command line ------------------------------------------


def run_cli(tmp_path, *args):
    env = {**os.environ, "DTI_DATA_DIR": str(make_data_dir(tmp_path / "data")), "DTI_STORE": str(tmp_path / "store"),
           "DTI_NOW": TODAY.isoformat()}
    done = subprocess.run([sys.executable, "-m", "queries.ingest", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr == ""
    return done


JSON_KEYS = ["file", "kind", "rows", "accepted", "errors", "warnings", "duplicates"]


def hostile_files(folder: Path) -> dict[str, tuple[bytes, int, str]]:
    """name -> (content, exit code, the start of the one message)."""
    big_xlsx = sheet_xlsx(actuals_row(2, f'<c r="D2"><v>{HUGE}</v></c>'))
    return {
        "rong_100k_cot.csv": (("Tên xã,Giá trị," + ",".join(["x"] * 100_000) + "\n").encode(), 2,
                              "Dòng 1 của tệp có số liệu ở cột thứ 100.002, quá giới hạn 200 cột"),
        "o_200k_ky_tu.csv": ((HEADINGS + "Xã Định Tiến,03/2026,KT08,5,,," + "y" * 200_000 + "\n").encode(), 2,
                             "Tệp CSV có một ô dài hơn 131.072 ký tự"),
        "mot_dong_50mb.csv": (b"a," * (25 * 1024 * 1024), 2, "Tệp nặng 50,0 MB, quá giới hạn 20 MB"),
        "so_400_chu_so.xlsx": (big_xlsx, 1, "Dòng 2, cột Giá trị: “"),
        "o_xfd1048576.xlsx": (sheet_xlsx('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), 2,
                              "Tệp có số liệu ở dòng 1.048.576"),
        "hong.xlsx": (big_xlsx[:len(big_xlsx) // 2], 2, "Tệp nén này không phải là tệp Excel .xlsx"),
    }


def test_hostile_files_on_the_command_line_get_json_and_an_exit_code(tmp_path):
    paths = []
    expected = {}
    for name, (content, code, message) in hostile_files(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(path)
        expected[str(path)] = (code, message)
    done = run_cli(tmp_path, *paths, "--json", "--dry-run")
    assert done.returncode == 2
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["file"] for o in outputs] == [str(p) for p in paths]
    for output in outputs:
        assert list(output) == JSON_KEYS
        code, message = expected[output["file"]]
        assert output["errors"][0]["message"].startswith(message), output["errors"]
        assert (output["accepted"], len(output["errors"])) == ([], 1)
        assert (output["rows"] == 0) == (code == 2)


def test_an_unexpected_error_is_logged_for_the_maintainer_and_told_in_one_sentence(tmp_path, monkeypatch, capsys):
    import queries.ingest.cli as cli
    import queries.ingest.pipeline as ingest

    monkeypatch.setenv("DTI_DATA_DIR", str(make_data_dir(tmp_path / "data")))
    monkeypatch.setenv("DTI_STORE", str(tmp_path / "store"))
    import queries.db

    queries.db._databases.clear()
    (tmp_path / "bao cao.csv").write_text(HEADINGS + "Xã Định Tiến,03/2026,KT08,5,,,\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ingest, "read_table", broken)
    assert main([str(tmp_path / "bao cao.csv"), "--json", "--dry-run"]) == 2
    output = json.loads(capsys.readouterr().out)
    assert output["errors"] == [{"row": None, "column": None, "message": UNEXPECTED_FILE_ERROR}]
    monkeypatch.setattr(cli, "process_file", broken)
    assert main([str(tmp_path / "bao cao.csv"), "--json"]) == 2
    printed = capsys.readouterr()
    output = json.loads(printed.out)
    assert list(output) == JSON_KEYS and "Traceback" not in printed.err + printed.out
    log_path = (tmp_path / "store" / "logs" / "ingest.log").resolve()
    assert output["errors"][0]["message"] == (
        f"Lỗi không mong đợi của chương trình khi xử lý tệp “{tmp_path / 'bao cao.csv'}”; "
        f"chi tiết đã được ghi vào {log_path}, hãy gửi cho quản trị viên")
    log = log_path.read_text(encoding="utf-8")
    assert log.count("Traceback") == 2 and log.count("RuntimeError: a bug") == 2
    assert "[tệp 'bao cao.csv'] queries.ingest.pipeline: checking the file failed" in log
    queries.db._databases.clear()


# ---- 4. control characters ---------------------------------------------------------------------


def test_control_characters_are_removed_on_the_way_in_and_exports_still_work(db):
    content = ("Tên xã,Năm,Mã chỉ tiêu,Mục tiêu,Đơn vị chủ trì,Ghi chú\n"
               "Xã Định Tiến,2026,KT08,≥ 12,Phòng\x01 Văn hóa – Xã hội,ghi\x00 chú\n"
               "Xã Định Tiến,2026,XH01,≥ 50%,Công an xã,\"dòng một\r\ndòng hai\"\n").encode()
    result = check(db, content, "chi_tieu\x07.csv")
    assert result.file_name == "chi_tieu.csv"
    assert [(r.record["lead_unit"], r.record["note"]) for r in result.accepted] == [
        ("Phòng Văn hóa – Xã hội", "ghi chú"), ("Công an xã", "dòng một dòng hai")]
    store_checked(result, db)
    frame = db.sql("select indicator, lead_unit, note from targets where commune_id = 'thanh-hoa/dinh-tien' "
                   "and indicator = 'KT08'")
    assert frame.rows() == [("KT08", "Phòng Văn hóa – Xã hội", "ghi chú")]
    load_workbook(io.BytesIO(to_xlsx_bytes({"Chỉ tiêu": frame})))  # the export the issue saw fail


def test_the_xlsx_writer_survives_control_characters_already_stored():
    frame = pl.DataFrame({"Đơn vị": ["Phòng\x01 Văn hóa", "a\x00b", "=1+1\x02"]})
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes({"x": frame}))).active
    assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == ["Phòng Văn hóa", "ab", "=1+1"]
    assert sheet.cell(row=4, column=1).data_type == "s"
    assert to_csv_bytes(frame).decode("utf-8-sig").splitlines()[1:] == ["Phòng Văn hóa", "ab", "'=1+1"]


def test_every_unicode_format_character_is_removed_by_the_one_cleaning_function():
    """Bidi overrides and isolates, zero-width characters, the BOM, tags: category Cf as the
    running Python's Unicode tables list it, so a newer Unicode cannot slip one past the list."""
    import unicodedata

    from queries.text import clean_text

    format_characters = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")
    assert len(format_characters) > 150
    assert clean_text(f"a{format_characters}b\tc\nd") == "ab\tc\nd"
    assert clean_text("Định Tiến – số 3/2026 ₫ 😀") == "Định Tiến – số 3/2026 ₫ 😀"


def test_format_characters_in_cells_and_file_names_never_reach_the_store(db):
    content = ("Tên xã,Năm,Mã chỉ tiêu,Mục tiêu,Đơn vị chủ trì,Ghi chú\n"
               "Xã Định\u200b Tiến,2026,KT08,≥ 12,Phòng\u202e Văn hóa,ghi\u2066 chú\u2069\n").encode()
    result = check(db, content, "chi_tieu\u202exslx.csv")
    assert result.file_name == "chi_tieuxslx.csv"
    assert [(r.record["commune_id"], r.record["lead_unit"], r.record["note"]) for r in result.accepted] == [
        ("thanh-hoa/dinh-tien", "Phòng Văn hóa", "ghi chú")]


# ---- 5. formulas in spreadsheets the product writes -------------------------------------------

RISKY_NAMES = ['=HYPERLINK("http://example.invalid/?x","Bấm vào đây")', "=SUM(1,1)", "+1", "-1", "@SUM(1)",
               "  =1+1", "＝1+1", "＋1", "－1", "＠x", "\t=1"]


@pytest.mark.parametrize("text", RISKY_NAMES)
def test_formula_looking_text_is_risky(text):
    assert is_risky(text)


@pytest.mark.parametrize("text", ["Xã Định Tiến", "1+1", "a=b", "", "Phú Mỹ - Đồng Nai"])
def test_ordinary_text_is_not(text):
    assert not is_risky(text)


def test_the_template_lists_formula_looking_communes_as_text(tmp_path):
    data = make_data_dir(tmp_path / "data")
    with (data / "communes.csv").open("a", encoding="utf-8") as communes:
        for number, name in enumerate(RISKY_NAMES):
            quoted = '"' + name.replace('"', '""') + '"'
            communes.write(f"thanh-hoa/risky-{number},,{quoted},Thanh Hóa,,,,false,t\n")
    from queries.db import Database

    db = Database(store=tmp_path / "store", include_demo=False, data_dir=data)
    sheet = load_workbook(io.BytesIO(xlsx_template(db, "actuals", TODAY)))["Danh mục"]
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=1) for r in range(2, sheet.max_row + 1)}
    for name in RISKY_NAMES:
        cell = cells[name]
        assert (cell.data_type, cell.quotePrefix) == ("s", True), name
    with zipfile.ZipFile(io.BytesIO(xlsx_template(db, "targets", TODAY))) as archive:
        assert all(b"<f>" not in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_template_from_the_command_line(tmp_path):
    env = {**os.environ, "DTI_DATA_DIR": str(make_data_dir(tmp_path / "data")), "DTI_STORE": str(tmp_path / "store"),
           "DTI_NOW": TODAY.isoformat()}

    def export(*args):
        return subprocess.run([sys.executable, "-m", "queries.export", "template", *args], cwd=ROOT, env=env,
                              capture_output=True, timeout=120)

    out = tmp_path / "mau.xlsx"
    assert export("--format", "xlsx", "--province", "dong nai", "--out", str(out)).returncode == 0
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Số liệu", "Hướng dẫn", "Danh mục"]
    lists = workbook["Danh mục"]
    assert [c.value for c in lists["A"] if c.value] == ["DS xã", "Xã Đại Phước", "Xã Minh Đức", "Xã Phú Mỹ"]
    assert [c.value for c in lists["C"] if c.value] == ["DS tỉnh", "Đồng Nai"]
    done = export("--format", "csv", "--kind", "communes")
    assert done.stdout.decode("utf-8-sig") == "ma_xa,ten_xa,tinh,dan_so,dan_so_15,dan_so_lao_dong\r\n"
    done = export("--format", "json")
    assert (done.returncode, done.stderr.decode()) == (
        2, "Lỗi: Tệp mẫu chỉ có dạng xlsx hoặc csv (--format xlsx hoặc --format csv).\n")


def test_accepted_values_are_always_finite(db):
    """A file mixing every absurd value the issue found: nothing non-finite comes out."""
    lines = [f"Xã Định Tiến,{m:02d}/2026,{ind},{value},,," for m, (ind, value) in enumerate([
        ("KT08", HUGE), ("KT02", HUGE), ("XH05", HUGE), ("KT08", "nan"), ("KT08", "inf"), ("XH05", "-0"),
        ("KT02", "0/0"), ("XH05", "1/0"), ("KT08", "1,5")], start=1)]
    result = check(db, (HEADINGS + "\n".join(lines) + "\n").encode())
    for row in result.accepted:
        for value in (row.record["value"], row.record["numerator"], row.record["denominator"]):
            assert value is None or math.isfinite(value)
    json.dumps(result.to_json(), allow_nan=False)
