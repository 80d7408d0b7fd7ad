"""Fuzzing the importer: a few hundred mutated CSV and .xlsx files (seeded, so a failure
replays), each checked end to end. Whatever the bytes, `check_file` returns (never raises),
in bounded time, with the documented JSON shape, and nothing it accepts is non-finite, out
of range for its unit, before the baseline year or carrying control characters.

The mutations aim where the issue found defects: absurd numbers (400 digits, 1e999, NaN,
fractions over zero), control characters, cells moved to XFD1048576, wrong cell types and
shared-string indexes, damaged XML and zips, and plain byte noise.
"""
from __future__ import annotations

import io
import json
import math
import random
import re
import time
import zipfile
from datetime import date

import pytest

from queries.ingest.pipeline import UNEXPECTED_FILE_ERROR, check_file
from queries.ingest.readers import encode_windows_1258
from queries.text import clean_text
from tests.upload_data import INDICATORS, TODAY, make_database, xlsx

SEED = 20261122
CASES = 400
SECONDS_PER_FILE = 5.0
JSON_KEYS = ["file", "kind", "rows", "accepted", "errors", "warnings", "duplicates"]
UNITS = {line.split(",")[0]: line.split(",")[4] for line in INDICATORS.splitlines()[1:]}
HIGHEST = {"percent": 100, "yes_no": 1, "count": 10_000_000, "per_1000": 1000}
BASELINE_YEAR = 2025  # the fixture's targets start in 2026

ACTUALS = [
    ["Tên xã", "Tỉnh", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"],
    ["Xã Định Tiến", "Thanh Hóa", "03/2026", "XH05", "4227/5219", "", "", ""],
    ["dinh tien", "thanh hoa", "T4/2026", "XH02", "80,44%", "", "", "tài khoản"],
    ["Định Tiến", "Thanh Hóa", "Tháng 5/2026", "XH01", "", "2.092", "5.219", ""],
    ["Xã Định Tiến", "Thanh Hóa", "06/2026", "HT07", "Có", "", "", ""],
    ["Xã Định Tiến", "Thanh Hóa", "07/2026", "KT08", "1.000", "", "", ""],
    ["Xã Đại Phước", "Đồng Nai", "2026-03", "KT02", "1,5", "", "", ""],
    ["Xã Minh Đức", "Đồng Nai", "01/08/2026", "NL01", "0,8", "", "", ""],
]
TARGETS = [
    ["Tên xã", "Tỉnh", "Năm", "Mã chỉ tiêu", "Mục tiêu", "Đơn vị chủ trì", "Nguồn"],
    ["Xã Định Tiến", "Thanh Hóa", "2026", "XH01", "≥ 50%", "Công an xã", "KH 1"],
    ["Xã Định Tiến", "Thanh Hóa", "2026", "KT02", "01 doanh nghiệp/1.000 dân", "Phòng Kinh tế", ""],
    ["Xã Đại Phước", "Đồng Nai", "2027", "HT07", "Có", "", ""],
    ["Xã Minh Đức", "Đồng Nai", "2026", "KT08", "> 12", "", ""],
]
COMMUNES = [
    ["Mã xã", "Tên xã", "Tỉnh", "Dân số", "Dân số từ 15 tuổi"],
    ["", "Xã Định Tiến", "Thanh Hóa", "5.219", "5.469"],
    ["26080", "Xã Đại Phước", "Đồng Nai", "12.000", ""],
    ["", "Xã Mới", "Thanh Hóa", "3.400", "3.900"],
]
HOSTILE = [
    "9" * 400, "-" + "9" * 400, "1" + "0" * 400 + "/1", "1/" + "0" * 3, "0/0", "1e308", "1e999", "-1e308", "nan", "NaN",
    "inf", "-inf", "Infinity", "1.000.000.000.000", "10.000.001", "1000,5", "100,01%", "-0", "-5", "1e-400",
    "4227/5219", "9999999999/1", "80,44%", "０８０", "٣", "²", "1,2,3", "1..2", ".", "-", "%", "/", "",
    "\x00", "\x01", "\x1b[31m", "\u0085", "\ufffe", '"', "\r\n", ";", ",", "\t", "=HYPERLINK(\"http://x\",\"x\")",
    "+1", "@SUM(1)", "03/2000", "12/2024", "13/2026", "00/2026", "12/2100", "T3/2026", "46082", "99999", "Có",
    "x" * 3000, "Xã " * 200, "2026", "1900", "≥ " + "9" * 400, "> 1e999", "≥ -5%", "< 0", "Không",
]


def csv_bytes(rows: list[list[str]], separator: str, encode) -> bytes:
    return encode("\r\n".join(separator.join(row) for row in rows) + "\r\n")


ENCODINGS = [lambda t: t.encode("utf-8"), lambda t: ("\ufeff" + t).encode("utf-8"), encode_windows_1258,
             lambda t: t.encode("utf-16", errors="surrogatepass")]


def mutate_table(rng: random.Random, rows: list[list[str]]) -> list[list[str]]:
    """Hostile values in random cells, sometimes a whole row copied or widened."""
    rows = [list(row) for row in rows]
    for _ in range(rng.randint(1, 6)):
        row = rng.randrange(len(rows))
        column = rng.randrange(len(rows[row]))
        token = rng.choice(HOSTILE)
        rows[row][column] = token if rng.random() < 0.8 else rows[row][column] + token
    if rng.random() < 0.2:
        rows.append(list(rng.choice(rows[1:])))
    if rng.random() < 0.1:
        rows[rng.randrange(len(rows))].extend([rng.choice(HOSTILE)] * rng.randint(1, 300))
    return rows


def mutate_bytes(rng: random.Random, content: bytes) -> bytes:
    content = bytearray(content)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(max(len(content), 1))
        action = rng.random()
        if action < 0.4:
            content[at:at + 1] = bytes([rng.randrange(256)])
        elif action < 0.7:
            del content[at:at + rng.randint(1, 40)]
        else:
            content[at:at] = rng.choice([b";", b",", b"\t", b'"', b"\r\n", b"\x00", b"\xe1\xba", b"\xff\xfe", b"%"])
    return bytes(content)


def csv_case(rng: random.Random) -> tuple[str, bytes]:
    rows = mutate_table(rng, rng.choice([ACTUALS, TARGETS, COMMUNES]))
    separator = rng.choice([",", ";", "\t"])
    if separator == ",":  # as Excel writes it: a cell with the separator is quoted
        rows = [[f'"{c}"' if "," in c else c for c in row] for row in rows]
    content = csv_bytes(rows, separator, rng.choice(ENCODINGS))
    if rng.random() < 0.3:
        content = mutate_bytes(rng, content)
    return "mutated.csv", content


XML_MUTATIONS = [
    # (pattern in a sheet, replacements): values, types, places, styles, indexes
    (r"<v>[^<]*</v>", ["<v>" + "9" * 400 + "</v>", "<v>1e999</v>", "<v>-1e999</v>", "<v>nan</v>", "<v>1e300</v>",
                       "<v>-3</v>", "<v>abc</v>", "<v></v>", "<v>99999999</v>", "<v>0.8044</v>", "<v>46082</v>",
                       "<v>_x0001_x</v>", "<v>2026-03-01T00:00:00</v>"]),
    (r' t="[a-zA-Z]+"', [' t="n"', ' t="s"', ' t="b"', ' t="d"', ' t="e"', ' t="str"', ' t="inlineStr"', ' t="zz"']),
    (r' r="[A-Z]+[0-9]+"', [' r="XFD1048576"', ' r="A1048576"', ' r="XFD2"', ' r="GS3"', ' r="A0"', ' r="ZZZZ1"',
                            ' r="B2"', ' r="H2"', '']),
    (r' s="[0-9]+"', [' s="1"', ' s="999999"', ' s="-1"', ' s="x"']),
    (r'<row r="[0-9]+"', ['<row r="0"', '<row r="60000"', '<row r="1048576"', '<row r="x"', '<row r="3"', "<row"]),
]


def mutate_workbook(rng: random.Random, content: bytes) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(content))
    parts = {item.filename: archive.read(item.filename) for item in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode("utf-8")
    for _ in range(rng.randint(1, 5)):
        # Mostly values and types, which reach the row checks; places and rows end most files.
        pattern, replacements = rng.choices(XML_MUTATIONS, weights=(6, 3, 1, 1, 1))[0]
        found = list(re.finditer(pattern, xml))
        if found:
            match = rng.choice(found)
            xml = xml[:match.start()] + rng.choice(replacements) + xml[match.end():]
    if rng.random() < 0.1:
        at = rng.randrange(len(xml))
        xml = xml[:at] + rng.choice(["<", "&", "]]>", "<!DOCTYPE x>", "\x00", "</row>", "<c>"]) + xml[at:]
    parts[sheet] = xml.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.1:
        victim = rng.choice([name for name in parts if name != sheet])
        del parts[victim]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def xlsx_case(rng: random.Random) -> tuple[str, bytes]:
    rows = mutate_table(rng, rng.choice([ACTUALS, TARGETS, COMMUNES])) if rng.random() < 0.5 else rng.choice(
        [ACTUALS, TARGETS, COMMUNES])
    # openpyxl refuses control characters: those cells arrive through the XML mutations instead.
    values = [[_typed(clean_text(c)) for c in row] for row in rows]
    content = xlsx(values, formats={"E3": "0.00%"}, title="BÁO CÁO" if rng.random() < 0.3 else None)
    content = mutate_workbook(rng, content)
    if rng.random() < 0.15:
        content = mutate_bytes(rng, content)
    return "mutated.xlsx", content


def _typed(text: str):
    """Numbers as Excel would store them, the rest as text; formula-looking text stays text."""
    try:
        number = float(text)
    except ValueError:
        return None if text == "" else ("'" + text if text.startswith("=") else text)
    return number if math.isfinite(number) and abs(number) < 1e15 else text


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_database(tmp_path_factory.mktemp("fuzz"))


def assert_shape(output: dict) -> None:
    assert list(output) == JSON_KEYS
    assert isinstance(output["file"], str) and isinstance(output["rows"], int)
    assert output["kind"] in (None, "actuals", "targets", "communes")
    for issue in output["errors"] + output["warnings"]:
        assert list(issue) == ["row", "column", "message"]
        assert isinstance(issue["message"], str) and issue["message"]
        assert issue["row"] is None or isinstance(issue["row"], int)
    assert all(isinstance(record["row"], int) for record in output["accepted"])
    assert all(isinstance(row, int) for row in output["duplicates"])
    json.dumps(output, allow_nan=False)  # no NaN or infinity anywhere


def in_range(value, unit: str) -> bool:
    return value is not None and math.isfinite(value) and 0 <= value <= HIGHEST[unit] and (
        unit != "yes_no" or value in (0, 1))


def assert_plausible(result) -> None:
    for row in result.accepted:
        record = row.record
        for key, value in record.items():
            if isinstance(value, str):
                assert clean_text(value) == value, (key, value)
            if isinstance(value, float):
                assert math.isfinite(value), (key, value)
        if result.kind == "actuals":
            assert in_range(record["value"], UNITS[record["indicator"]]), record
            for amount in (record["numerator"], record["denominator"]):
                assert amount is None or in_range(amount, "count"), record
            assert date(BASELINE_YEAR, 1, 1) <= record["period"] <= TODAY, record
        elif result.kind == "targets":
            assert in_range(record["target"], UNITS[record["indicator"]]), record
        else:
            for amount in (record["adult_population"], record["population_15plus"], record["working_age_population"]):
                assert amount is None or in_range(amount, "count"), record


def test_mutated_files_never_break_the_importer(db):
    rng = random.Random(SEED)
    kinds_seen, slowest = set(), 0.0
    for number in range(CASES):
        name, content = (csv_case if number % 2 else xlsx_case)(rng)
        started = time.process_time()  # CPU time: a hang guard the suite's other workers cannot trip
        result = check_file(content, f"{number}-{name}", db=db, today=TODAY)
        elapsed = time.process_time() - started
        slowest = max(slowest, elapsed)
        context = f"case {number} ({name}, seed {SEED})"
        assert elapsed < SECONDS_PER_FILE, context
        output = result.to_json()
        assert_shape(output)
        assert_plausible(result)
        assert result.exit_code == (2 if result.file_errors else 1 if result.rejected else 0), context
        messages = [e.message for e in result.errors]
        assert UNEXPECTED_FILE_ERROR not in messages, context
        assert not any("lỗi chương trình" in m for m in messages), (context, messages)
        kinds_seen.add((name[-4:], result.kind, result.exit_code))
    # The mutations reach every outcome: read and accepted, rows rejected, file refused.
    assert {code for _, _, code in kinds_seen} == {0, 1, 2}
    assert {kind for _, kind, _ in kinds_seen} >= {"actuals", "targets", "communes"}
