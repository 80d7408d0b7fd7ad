"""From the bytes of an uploaded file to a raw table: rows of cells, numbered as the
spreadsheet shows them, with the heading row found and its columns named.

Files come from Excel on Vietnamese Windows: .xlsx, or .csv in UTF-8 (with or without BOM),
UTF-16 or Windows-1258, separated by `,` `;` or tab, often with a title and blank rows above
the heading. All text leaves this module in NFC. A file that is not a table raises
`TableError` with one Vietnamese sentence saying why.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from queries.text import fold, nfc


class TableError(ValueError):
    """The file cannot be read as a table; `str(error)` is the Vietnamese reason."""


# ---- the columns we know -----------------------------------------------------------------

# Canonical name -> (Vietnamese label for messages, headings people type, folded).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "stt": ("STT", ("stt", "tt", "so tt", "so thu tu", "no")),
    "ma_xa": ("Mã xã", ("ma xa", "ma don vi", "ma dvhc", "ma xa phuong", "commune code", "commune id")),
    "ten_xa": ("Tên xã", (
        "ten xa", "xa", "xa phuong", "ten xa phuong", "ten don vi", "don vi hanh chinh",
        "commune", "commune name", "name", "ten",
    )),
    "tinh": ("Tỉnh", ("tinh", "tinh thanh pho", "tinh thanh", "ten tinh", "province")),
    "ky_bao_cao": ("Kỳ báo cáo", (
        "ky bao cao", "ky", "thang", "thang bao cao", "thang nam", "thoi gian", "thoi ky",
        "period", "month", "reporting period",
    )),
    "ma_chi_tieu": ("Mã chỉ tiêu", (
        "ma chi tieu", "ma chi so", "ma tieu chi", "chi tieu", "chi so", "indicator",
        "indicator code", "code chi tieu",
    )),
    "ten_chi_tieu": ("Tên chỉ tiêu", ("ten chi tieu", "ten chi so", "noi dung", "noi dung chi tieu", "indicator name")),
    "don_vi_tinh": ("Đơn vị tính", ("don vi tinh", "dvt", "unit")),
    "gia_tri": ("Giá trị", (
        "gia tri", "ket qua", "ket qua thuc hien", "so lieu", "thuc hien", "gia tri thuc hien",
        "ty le", "value", "result", "actual",
    )),
    "tu_so": ("Tử số", ("tu so", "numerator")),
    "mau_so": ("Mẫu số", ("mau so", "denominator")),
    "ghi_chu": ("Ghi chú", ("ghi chu", "note", "notes", "comment")),
    "nam": ("Năm", ("nam", "nam ke hoach", "year")),
    "muc_tieu": ("Mục tiêu", ("muc tieu", "gia tri muc tieu", "chi tieu phan dau", "chi tieu nam", "target")),
    "don_vi_chu_tri": ("Đơn vị chủ trì", (
        "don vi chu tri", "co quan chu tri", "chu tri", "don vi thuc hien", "lead unit",
    )),
    "don_vi_phoi_hop": ("Đơn vị phối hợp", (
        "don vi phoi hop", "co quan phoi hop", "phoi hop", "partner units", "partners",
    )),
    "nguon": ("Nguồn", ("nguon", "van ban", "can cu", "nguon van ban", "source", "source doc", "source document")),
    "dan_so": ("Dân số", (
        "dan so", "dan so truong thanh", "dan so tu 18 tuoi", "population", "adult population",
    )),
    "dan_so_15": ("Dân số từ 15 tuổi", ("dan so tu 15 tuoi", "dan so 15 tuoi tro len", "population 15plus")),
    "dan_so_lao_dong": ("Dân số trong độ tuổi lao động", (
        "dan so trong do tuoi lao dong", "lao dong", "working age population",
    )),
}
# English canonical names of the store are accepted as headings too (commune_name, …).
_STORE_NAMES = {
    "commune_code": "ma_xa", "commune_id": "ma_xa", "commune_name": "ten_xa", "indicator_code": "ma_chi_tieu",
    "numerator": "tu_so", "denominator": "mau_so", "lead_unit": "don_vi_chu_tri",
    "partner_units": "don_vi_phoi_hop", "source_doc": "nguon", "adult_population": "dan_so",
    "population_15plus": "dan_so_15", "working_age_population": "dan_so_lao_dong",
}
_ALIASES: dict[str, str] = {}
for _name, (_label, _typed) in COLUMNS.items():
    _ALIASES[_name.replace("_", " ")] = _name
    _ALIASES[fold(_label)] = _name
    for _alias in _typed:
        _ALIASES.setdefault(_alias, _name)
for _store_name, _name in _STORE_NAMES.items():
    _ALIASES[_store_name.replace("_", " ")] = _name


def label(column: str) -> str:
    """Vietnamese label of a canonical column: 'gia_tri' -> 'Giá trị'."""
    return COLUMNS[column][0] if column in COLUMNS else column


def heading_key(text: object) -> str:
    """'Giá trị (%) *' -> 'gia tri': folded, without brackets, punctuation or underscores."""
    folded = fold(str(text))
    folded = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", folded)
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return folded.strip()


def match_heading(text: object) -> str | None:
    """The canonical column a heading names, or None. Exact alias first; otherwise the
    longest alias of two words or more that starts the heading ('giá trị thực hiện tháng')."""
    key = heading_key(text)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    best = None
    for alias, name in _ALIASES.items():
        if " " in alias and key.startswith(alias + " ") and (best is None or len(alias) > len(best[0])):
            best = (alias, name)
    return best[1] if best else None


# ---- the raw table -----------------------------------------------------------------------


@dataclass
class Cell:
    value: object  # str for CSV; str/int/float/datetime/bool/None for .xlsx
    percent_format: bool = False  # an .xlsx cell formatted as a percentage


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (1-based, counting title and blank rows)
    cells: list[Cell]

    def is_blank(self) -> bool:
        return all(_blank(c.value) for c in self.cells)


@dataclass
class Table:
    rows: list[Row]  # data rows below the heading, blank rows left out
    header_row: int  # the heading's own row number
    headings: list[str]  # as written in the file (NFC)
    columns: dict[str, int]  # canonical name -> index of its first column
    source: str  # what was read, for people: 'CSV, UTF-8, dấu chấm phẩy' / 'Excel, trang “Số liệu”'
    unknown_headings: list[str] = field(default_factory=list)
    repeated_headings: list[str] = field(default_factory=list)

    def heading_of(self, column: str) -> str:
        """The heading as the file wrote it, for messages."""
        index = self.columns.get(column)
        return self.headings[index] if index is not None else label(column)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---- decoding text -----------------------------------------------------------------------

ENCODING_NAMES = {
    "utf-8-sig": "UTF-8 (có BOM)", "utf-8": "UTF-8", "utf-16": "UTF-16",
    "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1258": "Windows-1258",
    "utf-8-damaged": "UTF-8 (có vài ký tự hỏng, hiện thành �)",
}


def decode(content: bytes) -> tuple[str, str]:
    """Bytes of a text file -> (NFC text, encoding). BOMs first; then UTF-16 without BOM
    (every other byte NUL); then strict UTF-8; then Windows-1258, which Vietnamese Windows
    writes and which decodes to base letters plus combining tone marks."""
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        sample = content[:4096]
        even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
        if len(sample) >= 4 and odd_nuls > len(sample) // 4 and even_nuls == 0:
            encoding = "utf-16-le"
        elif len(sample) >= 4 and even_nuls > len(sample) // 4 and odd_nuls == 0:
            encoding = "utf-16-be"
        else:
            encoding = _utf8_or_windows_1258(content)
    if encoding == "utf-8-damaged":
        return unicodedata.normalize("NFC", content.decode("utf-8", errors="replace")), encoding
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding != "cp1258":
            raise TableError(f"Tệp không đọc được theo mã {ENCODING_NAMES[encoding]}: tệp bị hỏng hoặc không phải tệp văn bản") from error
        # The few bytes Windows-1258 leaves undefined: keep going, they show as '\ufffd'.
        text = content.decode(encoding, errors="replace")
    return unicodedata.normalize("NFC", text), encoding


def _utf8_or_windows_1258(content: bytes) -> str:
    """Strict UTF-8 when it decodes; UTF-8 with a few damaged bytes (a file cut and pasted
    together) when nearly all its non-ASCII text is valid UTF-8; otherwise Windows-1258."""
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    text = content.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - damaged
    return "utf-8-damaged" if valid > 20 * damaged else "cp1258"


def encode_windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows saves it: precomposed base letters (ê, ơ, ư, ă, đ) with the
    tone as a separate combining byte, since Windows-1258 has no 'ế'. For benchmarks and
    for offices that need such files back."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258", errors="replace")
            out += parts[-1].encode("cp1258", errors="replace")
    return bytes(out)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    replaced = sample.count("\ufffd")
    return controls > len(sample) // 50 or replaced > len(sample) // 20


# ---- CSV ---------------------------------------------------------------------------------

DELIMITER_NAMES = {",": "dấu phẩy", ";": "dấu chấm phẩy", "\t": "dấu tab"}


def sniff_delimiter(text: str) -> str:
    """The separator among `,` `;` tab that splits the first lines most consistently.
    Parsing with the csv module keeps quoted decimal commas ("80,44") inside their cell."""
    lines = [line for line in text.splitlines() if line.strip()][:50]
    sample = "\n".join(lines)
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        # Most common width > 1, how many lines have it; a title line has width 1.
        widths = [c for c in counts if c > 1]
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str, delimiter: str) -> list[Row]:
    rows = []
    # The record number is the row Excel shows, even when a quoted cell holds a line break.
    for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        rows.append(Row(number, [Cell(nfc(v) if v.strip() else None) for v in record]))
    return rows


def _strip_excel_sep_line(text: str) -> tuple[str, str | None, int]:
    """Excel's 'sep=;' first line names the separator; it still counts as row 1."""
    first, _, rest = text.partition("\n")
    found = re.fullmatch(r"\s*sep=(.)\s*", first)
    if found:
        return rest, found.group(1), 1
    return text, None, 0


def read_csv_bytes(content: bytes) -> tuple[list[Row], str]:
    text, encoding = decode(content)
    if _looks_binary(text):
        raise TableError("Tệp không phải là bảng số liệu (không phải CSV hay Excel .xlsx)")
    text, declared, offset = _strip_excel_sep_line(text)
    delimiter = declared or sniff_delimiter(text)
    try:
        rows = _csv_rows(text, delimiter)
    except csv.Error as error:
        raise TableError(f"Tệp CSV bị lỗi định dạng: {error}") from error
    for row in rows:
        row.number += offset
    name = DELIMITER_NAMES.get(delimiter, f"“{delimiter}”")
    return rows, f"CSV, mã {ENCODING_NAMES[encoding]}, phân cách bằng {name}"


# ---- Excel -------------------------------------------------------------------------------

def _excel_value(cell) -> Cell:
    value = cell.value
    if isinstance(value, str):
        value = nfc(value) if value.strip() else None
    elif isinstance(value, float) and value.is_integer() and "%" not in (cell.number_format or ""):
        value = int(value)
    percent = isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or "")
    return Cell(value, percent)


def _sheet_rows(sheet) -> list[Row]:
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=1, max_row=sheet.max_row), start=1):
        rows.append(Row(number, [_excel_value(c) for c in cells]))
    return rows


def read_xlsx_bytes(content: bytes) -> list[tuple[str, list[Row]]]:
    """Every sheet of a workbook, the active one first: [(sheet name, rows)]."""
    from openpyxl import load_workbook  # only .xlsx uploads pay for the import

    try:
        # data_only: the value Excel last computed for a formula, not the formula text.
        workbook = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableError("Tệp Excel bị hỏng hoặc không mở được; hãy mở bằng Excel và lưu lại dạng .xlsx") from error
    sheets = [workbook.active] + [s for s in workbook.worksheets if s is not workbook.active]
    return [(s.title, _sheet_rows(s)) for s in sheets if s is not None]


# ---- finding the heading ------------------------------------------------------------------

HEADER_SCAN_ROWS = 20


def _heading_score(row: Row) -> tuple[int, dict[str, int]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        if isinstance(cell.value, str):
            name = match_heading(cell.value)
            if name and name not in columns:
                columns[name] = index
    # STT alone does not make a heading.
    return len([c for c in columns if c != "stt"]), columns


def find_header(rows: list[Row]) -> tuple[int, dict[str, int]] | None:
    """Index (in `rows`) of the row among the first non-blank ones that names the most
    known columns, and its columns; None when no row names at least two."""
    best: tuple[int, int, dict[str, int]] | None = None
    seen = 0
    for index, row in enumerate(rows):
        if row.is_blank():
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            break
        score, columns = _heading_score(row)
        if score >= 2 and (best is None or score > best[1]):
            best = (index, score, columns)
    return (best[0], best[2]) if best else None


def _table(rows: list[Row], source: str) -> Table:
    found = find_header(rows)
    if found is None:
        raise TableError(
            "Không tìm thấy dòng tiêu đề trong 20 dòng đầu của tệp: cần các cột như "
            "“Tên xã”, “Kỳ báo cáo”, “Mã chỉ tiêu”, “Giá trị” (xem tệp mẫu)"
        )
    index, columns = found
    header = rows[index]
    headings = [nfc(str(c.value)) if not _blank(c.value) else "" for c in header.cells]
    repeated = []
    unknown = []
    for position, heading in enumerate(headings):
        name = match_heading(heading) if heading else None
        if name is None and heading:
            unknown.append(heading)
        elif name is not None and columns.get(name) != position:
            repeated.append(heading)
    data = [r for r in rows[index + 1:] if not r.is_blank()]
    for row in data:  # a short row is a row whose last cells are empty
        row.cells.extend(Cell(None) for _ in range(len(headings) - len(row.cells)))
    return Table(data, header.number, headings, columns, source, unknown, repeated)


def is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_table(content: bytes, file_name: str = "") -> Table:
    """The table in an uploaded file, recognised by its content, not its name."""
    if not content or not content.strip():
        raise TableError("Tệp rỗng: không có dòng nào")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError("Tệp Excel 97–2003 (.xls) chưa được hỗ trợ: hãy mở bằng Excel và lưu lại dạng .xlsx hoặc CSV")
    if content.startswith(b"PK\x03\x04"):
        if not is_xlsx(content):
            raise TableError("Tệp nén này không phải là tệp Excel .xlsx")
        sheets = read_xlsx_bytes(content)
        # The active sheet when it has a heading; otherwise the first sheet that has one.
        for name, rows in sheets:
            if find_header(rows) is not None:
                return _table(rows, f"Excel, trang “{name}”")
        return _table(sheets[0][1] if sheets else [], f"Excel, trang “{sheets[0][0] if sheets else ''}”")
    if content.startswith(b"%PDF"):
        raise TableError("Tệp PDF không phải là bảng số liệu: hãy gửi tệp Excel (.xlsx) hoặc CSV")
    rows, source = read_csv_bytes(content)
    return _table(rows, source)
