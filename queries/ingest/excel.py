"""Reading the sheets of an .xlsx upload cell by cell, within limits.

An .xlsx is a zip of XML parts. We stream each sheet's XML through expat and keep only the
cells that hold a value, so the work follows what is in the file, not what it declares: a
5 KB file whose sheet claims A1:XFD1048576, or one cell written at XFD1048576, costs what
its few cells cost. Reading stops, with `SheetLimitError`, at the first value beyond the row
or column limit, or when the cells read pass the cell budget (`ReadLimits`, from settings).

Why not a library's reader (measured on this 2-core machine, November 2026):
- openpyxl's normal mode builds every cell up to the declared dimension: one cell at A1048576
  took 17 s and 0.9 GB, one at XFD1048576 did not finish in a minute;
- openpyxl's read-only mode with explicit bounds is safe (0.3–0.6 s on those files), but
  slow on real ones: it parses with defusedxml's pure-Python parser and, when a sheet lacks
  its dimension element, parses the whole sheet once more on opening: 18–51 s for a 2 MB,
  50,000-row file (this reader: about 4 s);
- python-calamine and fastexcel (Rust) are fast (about 1 s), but build the sheet's whole
  rectangle: one cell at XFD1048576 asked for 512 GB and aborted the process (not an
  exception: the server dies), and neither tells number formats, so a cell formatted as a
  percentage (0,8044 shown 80,44 %) would be read as 0,8044.
openpyxl still provides what it defines well: Excel's built-in number formats, which format
is a date, and Excel's day numbers.

expat (2.4 and later, as Python 3.11 ships) limits entity expansion; a part that declares a
DOCTYPE is refused outright (no real workbook has one), and the parts' unpacked sizes are
checked before anything is parsed.
"""
from __future__ import annotations

import io
import math
import posixpath
import pyexpat
import re
import zipfile
from xml.etree.ElementTree import fromstring

# The package first: a submodule imported while another thread is still running openpyxl's
# __init__ (Tổng quan's exports enter there) does not wait for it, and openpyxl's circular
# imports then deadlock the two threads (_DeadlockError: two pages opened at once on a fresh
# server). Importing the package waits for the other thread; it costs nothing more, since
# the submodule imports the whole package anyway.
import openpyxl  # noqa: F401
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from queries.errors import UserFacingError
from queries.i18n import _
from queries.text import clean_line, format_number

SMALL_PART_BYTES = 10 * 1024 * 1024  # a workbook, relationships or styles part larger is not real
CHUNK_BYTES = 64 * 1024
# Excel holds at most 32,767 characters in a cell; escapes (_x000D_) can make the XML longer.
MAX_CELL_CHARS = 8 * 32_767
MAX_CELL_ELEMENTS = 10_000  # rich-text runs in one cell or shared string
MAX_DEPTH = 100  # a sheet nests about 7 deep; expat keeps every open element in memory
_EXACT_INT = 2 ** 53  # ints beyond this lose digits as floats: such a cell stays a float
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel writes a control character in XML


class SheetLimitError(UserFacingError, ValueError):
    """The workbook passes one of the limits; `str(error)` is the Vietnamese reason."""


class BrokenWorkbook(ValueError):
    """The zip does not hold a workbook we can read."""


def _local(name: str) -> str:
    """'http://…/main}row' or 'x:row' -> 'row': the same for every writer's namespaces."""
    return name[max(name.rfind("}"), name.rfind(":")) + 1:]


def _unescape(text: str) -> str:
    # '_x0001_' is Excel's way of writing \x01 in XML; '_x005F_' escapes a literal underscore.
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _clean(text: str) -> str | None:
    text = clean_line(_unescape(text))
    return text or None


def _refuse_doctype(*_args) -> None:
    raise BrokenWorkbook("có khai báo DOCTYPE")


class _Handler:
    """expat callbacks; subclasses define `start(name, attributes)` and `end(name)`, where
    `name` is the element's local name ('c', whether written 'c' or 'x:c'). Text is collected
    only while `self.text` is a list; a cell (or shared string) may hold at most
    MAX_CELL_CHARS characters and MAX_CELL_ELEMENTS elements, and nesting stops at MAX_DEPTH:
    past them the file is broken, and reading stops at once."""

    def __init__(self):
        self.text: list[str] | None = None
        self.text_length = 0  # characters of the current cell or shared string
        self.elements = 0  # elements of the current cell or shared string
        self.depth = 0
        self.names: dict[str, str] = {}

    def parse(self, source):
        """Feed the part to expat in chunks; after each, yield what the handler completed."""
        parser = pyexpat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        while True:
            chunk = source.read(CHUNK_BYTES)
            parser.Parse(chunk, not chunk)
            yield from self.completed()
            if not chunk:
                return

    def local(self, name: str) -> str:
        local = self.names.get(name)
        if local is None:
            local = _local(name)
            if len(self.names) < 1000:  # a hostile file could invent a new tag per element
                self.names[name] = local
        return local

    def _start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH or self.elements > MAX_CELL_ELEMENTS:
            raise BrokenWorkbook("XML lồng quá sâu hoặc một ô có quá nhiều phần tử")
        self.start(self.names.get(name) or self.local(name), attributes)

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.end(self.names.get(name) or self.local(name))

    def _data(self, text: str) -> None:
        if self.text is not None:
            self.text_length += len(text)
            if self.text_length > MAX_CELL_CHARS:
                raise SheetLimitError(_("Tệp có một ô dài hơn {limit} ký tự, giới hạn của Excel: tệp bị hỏng hoặc không "
                                        "do Excel tạo ra; hãy mở bằng Excel và lưu lại").format(
                    limit=format_number(32_767, 0)))
            self.text.append(text)

    def collect(self) -> None:
        self.text = []

    def new_leaf(self) -> None:
        """A new cell or shared string: its own text and element budget."""
        self.text_length = self.elements = 0

    def collected(self) -> str:
        text, self.text = "".join(self.text or ()), None
        return text

    def completed(self):
        return ()


class _StringsHandler(_Handler):
    """The shared strings: the text of each <si>, rich text runs joined, phonetic guides left out."""

    def __init__(self, limits):
        super().__init__()
        self.strings: list[str | None] = []
        self.parts: list[str] | None = None
        self.phonetic = 0
        self.limits = limits

    def start(self, name, attributes):
        if name == "si":
            self.new_leaf()
            self.parts = []
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.parts is not None and not self.phonetic:
            self.collect()

    def end(self, name):
        if name == "t" and self.text is not None:
            self.parts.append(self.collected())
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.parts is not None:
            self.strings.append(_clean("".join(self.parts)))
            self.parts = None
            if len(self.strings) > self.limits.max_cells:
                raise SheetLimitError(_too_many_cells(self.limits))


class _SheetHandler(_Handler):
    """One sheet: for each row with a value, (row number, {column: (value, percent format)})."""

    def __init__(self, workbook: Workbook, budget: CellBudget):
        super().__init__()
        self.workbook, self.budget = workbook, budget
        self.max_rows, self.max_columns = workbook.limits.max_rows, workbook.limits.max_columns
        self.done: list[tuple[int, dict]] = []
        self.number = self.column = 0
        self.values: dict[int, tuple[object, bool]] = {}
        self.cell: dict | None = None  # the attributes of the cell being read
        self.raw: str | None = None
        self.inline: list[str] | None = None
        self.phonetic = 0

    def completed(self):
        done, self.done = self.done, []
        return done

    def start(self, name, attributes):
        if name == "c":
            self.new_leaf()
            reference = attributes.get("r")
            self.column = column_index_from_string(reference.rstrip("0123456789")) if reference else self.column + 1
            self.cell, self.raw, self.inline = attributes, None, None
        elif self.cell is None:
            self.elements = 0  # outside cells, elements are not counted
            if name == "row":
                self.number = _row_number(attributes.get("r"), self.number)
                self.column, self.values = 0, {}
        elif name == "v":
            self.text = []
        elif name == "is":
            self.inline = []
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.inline is not None and not self.phonetic:
            self.collect()

    def end(self, name):
        if name == "v" and self.text is not None:
            self.raw = self.collected()
        elif name == "c" and self.cell is not None:
            value = self.workbook.value(self.cell, self.raw, self.inline)
            self.cell = None
            if value is not None:  # not a formatted empty cell (Excel writes thousands)
                if self.number > self.max_rows or self.column > self.max_columns:
                    raise SheetLimitError(self._beyond())
                self.values[self.column] = value
        elif name == "row" and self.values:
            self.budget.spend(max(self.values))
            self.done.append((self.number, self.values))
            self.values = {}
        elif name == "t" and self.text is not None and self.inline is not None:
            self.inline.append(self.collected())
        elif name == "rPh":
            self.phonetic -= 1

    def _beyond(self) -> str:
        if self.number > self.max_rows:
            return _("Tệp có số liệu ở dòng {row}, quá giới hạn {limit} dòng của một lần tải lên; hãy chia tệp").format(
                row=format_number(self.number, 0), limit=format_number(self.max_rows, 0))
        return _("Tệp có số liệu ở cột thứ {column} (dòng {row}), quá giới hạn {limit} cột; hãy xoá các cột không "
                 "dùng").format(column=format_number(self.column, 0), row=self.number, limit=self.max_columns)


class Workbook:
    """The parts of an .xlsx that give cells their meaning: sheet names and paths, shared
    strings, which styles are percentages or dates, the date system."""

    def __init__(self, content: bytes, limits):
        self.limits = limits
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            self.sizes = {info.filename: info.file_size for info in self.archive.infolist()}
            self._check_unpacked_size()
            workbook = self._small_part("xl/workbook.xml")
            self.epoch = CALENDAR_WINDOWS_1900
            for element in workbook.iter():
                if _local(element.tag) == "workbookPr" and element.get("date1904") in ("1", "true"):
                    self.epoch = CALENDAR_MAC_1904
            self.parts: dict[str, str] = {}
            self.sheets = self._sheets(workbook)
            self.strings: list[str | None] = []
            self.styles: list[tuple[bool, bool]] = []  # (percent, date) per cell style index
            if "sharedStrings" in self.parts:
                self.strings = self._shared_strings(self.parts["sharedStrings"])
            if "styles" in self.parts:
                self.styles = self._styles(self.parts["styles"])
        except (SheetLimitError, BrokenWorkbook):
            raise
        except Exception as error:  # zip, XML and value errors of a damaged file, all alike
            raise BrokenWorkbook(str(error)) from error

    def _check_unpacked_size(self) -> None:
        """Decompressing is cheap, parsing is not: bound what the parts unpack to, so a zip
        bomb (a few MB that unpack to GB) is refused before any parsing. zipfile stops at
        the declared size, so a part cannot unpack to more than it declares."""
        unpacked = sum(self.sizes.values())
        if unpacked > self.limits.max_unpacked_bytes:
            raise SheetLimitError(_("Tệp Excel giải nén ra {size} MB, quá giới hạn {limit} MB; hãy chia tệp hoặc xoá các "
                                    "trang không cần").format(size=_megabytes(unpacked),
                                                               limit=_megabytes(self.limits.max_unpacked_bytes)))

    def _small_part(self, path: str):
        if path not in self.sizes:
            raise BrokenWorkbook(f"thiếu {path}")
        if self.sizes[path] > SMALL_PART_BYTES:
            raise BrokenWorkbook(f"{path} quá lớn")
        content = self.archive.read(path)
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            _refuse_doctype()
        return fromstring(content)

    def _sheets(self, workbook) -> list[tuple[str, str]]:
        """[(name, path)] of the worksheets, the active one first (chart sheets have no rows)."""
        relationships = {}
        rels_path = "xl/_rels/workbook.xml.rels"
        if rels_path in self.sizes:
            for rel in self._small_part(rels_path):
                target = rel.get("Target") or ""
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
                relationships[rel.get("Id")] = (kind, path)
                if kind in ("sharedStrings", "styles") and path in self.sizes:
                    self.parts[kind] = path
        sheets, active = [], 0
        for element in workbook.iter():
            name = _local(element.tag)
            if name == "workbookView" and (element.get("activeTab") or "0").isdigit():
                active = int(element.get("activeTab") or 0)
            elif name == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                kind, path = relationships.get(rel_id, ("", ""))
                sheets.append((element.get("name") or "", path if kind == "worksheet" and path in self.sizes else None))
        # Excel's active tab counts chart sheets too; after it, the workbook's order.
        ordered = ([sheets[active]] if active < len(sheets) else []) + [s for i, s in enumerate(sheets) if i != active]
        return [(name, path) for name, path in ordered if path]

    def _shared_strings(self, path: str) -> list[str | None]:
        handler = _StringsHandler(self.limits)
        with self.archive.open(path) as source:
            for _ in handler.parse(source):
                pass
        return handler.strings

    def _styles(self, path: str) -> list[tuple[bool, bool]]:
        """(is a percentage, is a date) for each cell style, in order (cells say s="3")."""
        root = self._small_part(path)
        custom = {}
        for element in root.iter():
            if _local(element.tag) == "numFmt":
                custom[element.get("numFmtId")] = element.get("formatCode") or ""
        styles = []
        for section in root:
            if _local(section.tag) != "cellXfs":
                continue
            for xf in section:
                format_id = xf.get("numFmtId") or "0"
                code = custom.get(format_id) or (BUILTIN_FORMATS.get(int(format_id), "") if format_id.isdigit() else "")
                styles.append(("%" in code, is_date_format(code) and not is_timedelta_format(code)))
        return styles

    # ---- cells ---------------------------------------------------------------------------

    def rows(self, path: str, budget: CellBudget):
        """(row number, {column index: (value, formatted as a percentage)}) for each row that
        holds a value, in order."""
        try:
            with self.archive.open(path) as source:
                yield from _SheetHandler(self, budget).parse(source)
        except (SheetLimitError, BrokenWorkbook):
            raise
        except Exception as error:
            raise BrokenWorkbook(str(error)) from error

    def value(self, cell: dict, raw: str | None, inline: list[str] | None) -> tuple[object, bool] | None:
        """(value, formatted as a percentage) of a cell, or None when it holds no value."""
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            text = _clean("".join(inline)) if inline else None
            return (text, False) if text else None
        if raw is None:
            return None  # empty, or a formula Excel never computed
        if kind == "s":
            text = self.strings[int(raw)]
            return (text, False) if text else None
        if kind in ("str", "e"):  # a formula's text result, or an error such as #DIV/0!
            text = _clean(raw)
            return (text, False) if text else None
        if kind == "b":
            return raw.strip() == "1", False
        if kind == "d":
            return from_ISO8601(raw.strip()), False
        return self._number(raw, cell.get("s"))

    def _number(self, raw: str, style: str | None) -> tuple[object, bool]:
        try:
            number = float(raw)  # '9…9' with 400 digits is inf here: the checker refuses it
        except ValueError:
            text = _clean(raw)  # not a number after all: the checker will say so
            return text, False
        percent, is_date = False, False
        if style and style.isdigit() and int(style) < len(self.styles):
            percent, is_date = self.styles[int(style)]
        if is_date and math.isfinite(number):
            try:
                return from_excel(number, self.epoch), False
            except (OverflowError, ValueError):
                pass  # a date format on a number no calendar holds: keep the number
        if math.isfinite(number) and number.is_integer() and not percent and abs(number) < _EXACT_INT:
            return int(number), False
        return number, percent


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    number = int(text)
    if number < 1:
        raise BrokenWorkbook(f"dòng số {number}")
    return number


def _megabytes(size: float) -> str:
    return format_number(size / 1024 / 1024, 1)


def _too_many_cells(limits) -> str:
    return _("Tệp có hơn {limit} ô, quá giới hạn của một lần tải lên; hãy chia tệp hoặc xoá các trang, các cột không "
             "dùng").format(limit=format_number(limits.max_cells, 0))


class CellBudget:
    """Cells read so far across a workbook's sheets (a row counts up to its last value)."""

    def __init__(self, limits):
        self.limits = limits
        self.spent = 0

    def spend(self, cells: int) -> None:
        self.spent += cells
        if self.spent > self.limits.max_cells:
            raise SheetLimitError(_too_many_cells(self.limits))
