"""From the bytes of an uploaded file to a raw table: rows of cells, numbered as the
spreadsheet shows them, with the heading row found and its columns named.

Files come from Excel on Vietnamese Windows: .xlsx, or .csv in UTF-8 (with or without BOM),
UTF-16 or Windows-1258, separated by `,` `;` or tab, often with a title and blank rows above
the heading. All text leaves this module in NFC, with its control characters removed (tab
and newline aside, which NFC folds into spaces): a stray \\x01 or NUL has no meaning in a
name or a note and would break every .xlsx made from it. A file that is not a table raises
`TableError` with one Vietnamese sentence saying why.

The work per file is bounded (`ReadLimits`, from the settings upload_max_mb, upload_max_rows,
upload_max_columns, upload_max_cells): a file over the size limit is refused before it is
read, and reading stops at the first value beyond the row or column limit, or when the cells
read pass the cell budget, with a message that names the limit.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.ingest.excel import BrokenWorkbook, CellBudget, SheetLimitError, Workbook
from queries.plans.spending import SPENDING_UPLOAD_HEADINGS
from queries.plans.tasks import TASK_UPLOAD_HEADINGS
from queries.text import clean_line, fold, format_number, nfc


class TableError(UserFacingError, ValueError):
    """The file cannot be read as a table; `str(error)` is the Vietnamese reason."""


@dataclass(frozen=True)
class ReadLimits:
    """How much one upload may make us read (defaults as in queries/settings.py)."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 50_000
    max_columns: int = 200
    max_cells: int = 1_000_000

    @property
    def max_unpacked_bytes(self) -> int:
        """What an .xlsx may unpack to: real sheets pack about 10:1, a zip bomb 1000:1."""
        return 10 * self.max_bytes

    @classmethod
    def from_settings(cls, settings: dict | None) -> ReadLimits:
        def whole(name: str, default: int, scale: int = 1) -> int:
            try:
                value = int(float((settings or {}).get(name, default / scale)) * scale)
            except (TypeError, ValueError, OverflowError):
                return default
            return value if value > 0 else default

        return cls(whole("upload_max_mb", cls.max_bytes, 1024 * 1024), whole("upload_max_rows", cls.max_rows),
                   whole("upload_max_columns", cls.max_columns), whole("upload_max_cells", cls.max_cells))


# ---- the columns we know -----------------------------------------------------------------

# Canonical name -> (Vietnamese label for messages, headings people type, folded).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "stt": (N_("STT"), ("stt", "tt", "so tt", "so thu tu", "no")),
    "ma_xa": (N_("Mã xã"), ("ma xa", "ma don vi", "ma dvhc", "ma xa phuong", "commune code", "commune id")),
    "ten_xa": (N_("Tên xã"), (
        "ten xa", "xa", "xa phuong", "ten xa phuong", "ten don vi", "don vi hanh chinh",
        "commune", "commune name", "name", "ten",
    )),
    "tinh": (N_("Tỉnh"), ("tinh", "tinh thanh pho", "tinh thanh", "ten tinh", "province")),
    "ky_bao_cao": (N_("Kỳ báo cáo"), (
        "ky bao cao", "ky", "thang", "thang bao cao", "thang nam", "thoi gian", "thoi ky",
        "period", "month", "reporting period",
    )),
    "ma_chi_tieu": (N_("Mã chỉ tiêu"), (
        "ma chi tieu", "ma chi so", "ma tieu chi", "chi tieu", "chi so", "indicator",
        "indicator code", "code chi tieu",
    )),
    "ten_chi_tieu": (N_("Tên chỉ tiêu"), ("ten chi tieu", "ten chi so", "noi dung", "noi dung chi tieu", "indicator name")),
    "don_vi_tinh": (N_("Đơn vị tính"), ("don vi tinh", "dvt", "unit")),
    "gia_tri": (N_("Giá trị"), (
        "gia tri", "ket qua", "ket qua thuc hien", "so lieu", "thuc hien", "gia tri thuc hien",
        "ty le", "value", "result", "actual",
    )),
    "tu_so": (N_("Tử số"), ("tu so", "numerator")),
    "mau_so": (N_("Mẫu số"), ("mau so", "denominator")),
    "ghi_chu": (N_("Ghi chú"), ("ghi chu", "note", "notes", "comment")),
    "nam": (N_("Năm"), ("nam", "nam ke hoach", "year")),
    "muc_tieu": (N_("Mục tiêu"), ("muc tieu", "gia tri muc tieu", "chi tieu phan dau", "chi tieu nam", "target")),
    "don_vi_chu_tri": (N_("Đơn vị chủ trì"), (
        "don vi chu tri", "co quan chu tri", "chu tri", "don vi thuc hien", "lead unit",
    )),
    "don_vi_phoi_hop": (N_("Đơn vị phối hợp"), (
        "don vi phoi hop", "co quan phoi hop", "phoi hop", "partner units", "partners",
    )),
    "nguon": (N_("Nguồn"), ("nguon", "van ban", "can cu", "nguon van ban", "source", "source doc", "source document")),
    "dan_so": (N_("Dân số"), (
        "dan so", "dan so truong thanh", "dan so tu 18 tuoi", "population", "adult population",
    )),
    "dan_so_15": (N_("Dân số từ 15 tuổi"), ("dan so tu 15 tuoi", "dan so 15 tuoi tro len", "population 15plus")),
    "dan_so_lao_dong": (N_("Dân số trong độ tuổi lao động"), (
        "dan so trong do tuoi lao dong", "lao dong", "working age population",
    )),
}
# The columns of task-status and spending files, defined with their rules in queries/plans.
COLUMNS.update(TASK_UPLOAD_HEADINGS)
COLUMNS.update(SPENDING_UPLOAD_HEADINGS)
# English canonical names of the store are accepted as headings too (commune_name, …).
_STORE_NAMES = {
    "commune_code": "ma_xa", "commune_id": "ma_xa", "commune_name": "ten_xa", "indicator_code": "ma_chi_tieu",
    "numerator": "tu_so", "denominator": "mau_so", "lead_unit": "don_vi_chu_tri",
    "partner_units": "don_vi_phoi_hop", "source_doc": "nguon", "adult_population": "dan_so",
    "population_15plus": "dan_so_15", "working_age_population": "dan_so_lao_dong",
    "plan_year": "nam", "completed_on": "ngay_hoan_thanh",
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
    """Label of a canonical column in the interface's language: 'gia_tri' -> 'Giá trị' ('Value')."""
    return _(COLUMNS[column][0]) if column in COLUMNS else column


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


@dataclass(frozen=True, slots=True)
class Cell:
    value: object  # str for CSV; str/int/float/datetime/bool/None for .xlsx
    percent_format: bool = False  # an .xlsx cell formatted as a percentage


EMPTY = Cell(None)  # one shared empty cell: cells are never changed once read


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
    "utf-8-sig": N_("UTF-8 (có BOM)"), "utf-8": "UTF-8", "utf-16": "UTF-16",
    "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1258": "Windows-1258",
    "utf-8-damaged": N_("UTF-8 (có vài ký tự hỏng, hiện thành �)"),
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
            raise TableError(_("Tệp không đọc được theo mã {encoding}: tệp bị hỏng hoặc không phải tệp văn bản").format(
                encoding=_(ENCODING_NAMES[encoding]))) from error
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


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng


def encode_windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows saves it: precomposed base letters (ê, ơ, ư, ă, đ) with the
    tone as a separate combining byte, since Windows-1258 has no 'ế'. The tone is told apart
    from the letter's own mark by what it is, not its place: in 'ệ' the dot below comes
    before the circumflex. For tests, benchmarks and offices that need such files back."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(p for p in parts if p in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
            out += base.encode("cp1258", errors="replace") + tones.encode("cp1258", errors="replace")
    return bytes(out)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    replaced = sample.count("\ufffd")
    return controls > len(sample) // 50 or replaced > len(sample) // 20


# ---- CSV ---------------------------------------------------------------------------------

DELIMITER_NAMES = {",": N_("dấu phẩy"), ";": N_("dấu chấm phẩy"), "\t": N_("dấu tab")}


# A CSV cell longer than this (the csv module's default field limit) is not a value we read.
CSV_FIELD_LIMIT = csv.field_size_limit()
SNIFF_CHARS = 256 * 1024  # the first lines are enough to see the separator


def sniff_delimiter(text: str) -> str:
    """The separator among `,` `;` tab that splits the first lines most consistently.
    Parsing with the csv module keeps quoted decimal commas ("80,44") inside their cell."""
    lines = [line for line in text[:SNIFF_CHARS].splitlines() if line.strip()][:50]
    sample = "\n".join(lines)
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:  # e.g. a whole wide line as one field longer than the field limit
            continue
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


def _text_cell(value: str, seen: dict[str, Cell]) -> Cell:
    """The cell of a CSV field; `seen` remembers the fields already cleaned in this file,
    since a file repeats its communes, months and codes on every row."""
    cell = seen.get(value)
    if cell is None:
        text = clean_line(value) if value.strip() else ""
        cell = Cell(text) if text else EMPTY
        if len(value) < 200:
            seen[value] = cell
    return cell


def _csv_rows(text: str, delimiter: str, limits: ReadLimits, offset: int = 0) -> list[Row]:
    """The rows that hold a value (blank ones are only counted), numbered as Excel shows them."""
    rows = []
    cells = 0
    seen: dict[str, Cell] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # The record number is the row Excel shows, even when a quoted cell holds a line break.
    for number, record in enumerate(reader, start=1 + offset):
        used = [index for index, value in enumerate(record) if value.strip()]
        if not used:
            continue
        if number > limits.max_rows:
            raise TableError(_("Tệp có số liệu ở dòng {row}, quá giới hạn {limit} dòng của một lần tải lên; hãy chia tệp").format(
                row=format_number(number, 0), limit=format_number(limits.max_rows, 0)))
        if used[-1] >= limits.max_columns:
            raise TableError(_("Dòng {row} của tệp có số liệu ở cột thứ {column}, quá giới hạn {limit} cột; hãy kiểm tra "
                               "dấu phân cách hoặc xoá các cột không dùng").format(
                row=number, column=format_number(used[-1] + 1, 0), limit=limits.max_columns))
        record = record[:used[-1] + 1]  # trailing separators (Excel writes them) are no cells
        cells += len(record)
        if cells > limits.max_cells:
            raise TableError(_("Tệp có hơn {limit} ô, quá giới hạn của một lần tải lên; hãy chia tệp").format(
                limit=format_number(limits.max_cells, 0)))
        rows.append(Row(number, [_text_cell(v, seen) for v in record]))
    return rows


def _strip_excel_sep_line(text: str) -> tuple[str, str | None, int]:
    """Excel's 'sep=;' first line names the separator; it still counts as row 1."""
    first, _, rest = text.partition("\n")
    found = re.fullmatch(r"\s*sep=(.)\s*", first)
    if found:
        return rest, found.group(1), 1
    return text, None, 0


def read_csv_bytes(content: bytes, limits: ReadLimits | None = None) -> tuple[list[Row], str]:
    limits = limits or ReadLimits()
    text, encoding = decode(content)
    if _looks_binary(text):
        raise TableError(_("Tệp không phải là bảng số liệu (không phải CSV hay Excel .xlsx)"))
    text, declared, offset = _strip_excel_sep_line(text)
    delimiter = declared or sniff_delimiter(text)
    try:
        rows = _csv_rows(text, delimiter, limits, offset)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise TableError(_("Tệp CSV có một ô dài hơn {limit} ký tự: đó không phải là số liệu (có thể thiếu dấu ngoặc "
                               "kép đóng, hoặc tệp không phải CSV)").format(limit=format_number(CSV_FIELD_LIMIT, 0))) from error
        raise TableError(_("Tệp CSV bị lỗi định dạng: {error}").format(error=error)) from error
    name = _(DELIMITER_NAMES[delimiter]) if delimiter in DELIMITER_NAMES else f"“{delimiter}”"
    # 'CSV, …' first in both languages: the importer tells a CSV table by it
    return rows, _("CSV, mã {encoding}, phân cách bằng {separator}").format(encoding=_(ENCODING_NAMES[encoding]),
                                                                            separator=name)


# ---- Excel -------------------------------------------------------------------------------

BROKEN_XLSX = N_("Tệp Excel bị hỏng hoặc không mở được; hãy mở bằng Excel và lưu lại dạng .xlsx")


def _excel_row(number: int, values: dict, seen: dict) -> Row:
    """{column: (value, percent format)} -> a row of cells from column A to the last value.
    `seen` shares one Cell among equal values (a sheet repeats its names, months, codes)."""
    cells = [EMPTY] * max(values)
    for column, (value, percent_format) in values.items():
        key = (type(value), value, percent_format)  # the type too: 1, 1.0 and True are equal keys
        cell = seen.get(key)
        if cell is None:
            cell = Cell(value, percent_format)
            if len(seen) < 100_000:
                seen[key] = cell
        cells[column - 1] = cell
    return Row(number, cells)


def read_xlsx_table(content: bytes, limits: ReadLimits | None = None) -> Table:
    """The table of a workbook: the active sheet when it has a heading, otherwise the first
    sheet that has one. A sheet is read only as far as needed to tell (20 rows with values)."""
    limits = limits or ReadLimits()
    try:
        workbook = Workbook(content, limits)
        budget = CellBudget(limits)
        first = None
        seen: dict = {}
        for name, path in workbook.sheets:
            rows = (_excel_row(number, values, seen) for number, values in workbook.rows(path, budget))
            head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
            first = first or name
            if find_header(head) is not None:
                return _table(head + list(rows), _("Excel, trang “{sheet}”").format(sheet=name))
    except SheetLimitError as error:
        raise TableError(str(error)) from error
    except BrokenWorkbook as error:
        raise TableError(_(BROKEN_XLSX)) from error
    return _table([], _("Excel, trang “{sheet}”").format(sheet=first or ""))  # raises: no heading anywhere


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
        raise TableError(_(
            "Không tìm thấy dòng tiêu đề trong 20 dòng đầu của tệp: cần các cột như "
            "“Tên xã”, “Kỳ báo cáo”, “Mã chỉ tiêu”, “Giá trị” (xem tệp mẫu)"
        ))
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
        row.cells.extend([EMPTY] * (len(headings) - len(row.cells)))
    return Table(data, header.number, headings, columns, source, unknown, repeated)


def is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_table(content: bytes, file_name: str = "", limits: ReadLimits | None = None) -> Table:
    """The table in an uploaded file, recognised by its content, not its name."""
    limits = limits or ReadLimits()
    if not content or not content.strip():
        raise TableError(_("Tệp rỗng: không có dòng nào"))
    if len(content) > limits.max_bytes:
        raise TableError(_("Tệp nặng {size} MB, quá giới hạn {limit} MB của một lần tải lên; hãy chia tệp hoặc xoá các "
                           "trang, các cột không dùng").format(size=format_number(len(content) / 1024 / 1024, 1),
                                                               limit=format_number(limits.max_bytes / 1024 / 1024, 0)))
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(_("Tệp Excel 97–2003 (.xls) chưa được hỗ trợ: hãy mở bằng Excel và lưu lại dạng .xlsx hoặc CSV"))
    if content.startswith(b"PK\x03\x04"):
        if not is_xlsx(content):
            raise TableError(_("Tệp nén này không phải là tệp Excel .xlsx"))
        return read_xlsx_table(content, limits)
    if content.startswith(b"%PDF"):
        raise TableError(_("Tệp PDF không phải là bảng số liệu: hãy gửi tệp Excel (.xlsx) hoặc CSV"))
    rows, source = read_csv_bytes(content, limits)
    return _table(rows, source)
