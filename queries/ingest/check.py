"""Checking and storing an uploaded file: monthly results (actuals), targets, communes, task
statuses (tasks) or spending.

    check_file(content, file_name, kind=None, db=None, defaults=None, today=None, actor=None) -> CheckResult
    store_checked(result, store, user="", *, actor=None, reason=None, evidence=(), received_at=None) -> Receipt

`check_file` never raises for anything wrong with the file: it reads the table
(`queries.ingest.readers`), parses every cell (`queries.ingest.parse`), resolves communes,
indicators and tasks against the catalog (bound parameters only) and returns what it
understood, row by row, with Vietnamese messages numbered as the spreadsheet shows the rows.
Without `db` it reads the catalog from the files (`queries.ingest.catalog.CatalogDatabase`),
not the store's full tables.

The account acting (`actor`, a queries.accounts.permissions.Account; None is the local
administrator of the command line) is checked the way the page checks it: a role that may
not upload this kind of file gets one file error; a row of a commune outside the account's
scope is a row error (the other rows are still accepted); for anyone but a Quản trị tỉnh, a
row of monthly results for a month already closed (queries/cycle/calendar.py) is a row error
naming the month, the day it closed and who can reopen it. A Quản trị tỉnh's rows of closed
months are accepted and listed in `CheckResult.closed_months`: storing them needs a reason.

Storing goes through `queries.changes.store_upload`, the one door for changes, which checks
all of this again. `store_checked` is that door for programs (tests, benchmarks, scripts on
the server): it acts as the local administrator under the name `user`.

The command line is `python -m queries.ingest` (queries/ingest/cli.py).

Values are refused unless finite and plausible for their unit (percent 0–100, yes/no 0 or 1,
count and numerator, denominator, population 0–max_count, per 1,000 0–max_per_1000), and a
month is refused when it lies before the year preceding the first target year (that year is
the baseline plans report against, so it is accepted). Amounts of spending are whole đồng,
at most MAX_AMOUNT.
"""
from __future__ import annotations

import contextvars
import dataclasses
import difflib
import json
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from queries import changes, clock
from queries.accounts import permissions
from queries.accounts.permissions import LOCAL_ADMIN, Account
from queries.cycle import calendar
from queries.cells import ParseError, compact, is_blank, parse_number, show
from queries.ingest.parse import (
    Reading,
    ValueLimits,
    check_plausible,
    parse_measure,
    parse_month,
    parse_target,
    parse_year,
    ratio,
)
from queries.ingest.readers import Cell, ReadLimits, Table, TableError, label, read_table
from queries.plans.spending import parse_amount
from queries.plans.tasks import STATUS_LABELS as TASK_STATUS_LABELS
from queries.plans.tasks import parse_task_item, parse_task_status, parse_task_update, resolve_task_item
from queries.settings import load_settings, store_dir
from queries.store import KINDS, ROW_SCHEMAS, Receipt, Store, content_hash
from queries.text import (
    clean_text,
    commune_key,
    fold,
    format_month,
    format_number,
    make_commune_id,
    nfc,
    province_key,
)

log = logging.getLogger(__name__)
UNEXPECTED_FILE_ERROR = ("Không kiểm tra được tệp do lỗi của chương trình (lỗi đã được ghi lại); "
                         "hãy gửi tệp này cho quản trị viên")

KIND_NAMES = {"actuals": "kết quả hằng tháng", "targets": "chỉ tiêu (mục tiêu năm)", "communes": "danh sách xã",
              "tasks": "trạng thái nhiệm vụ", "spending": "kinh phí"}
STATUS_ACCEPTED, STATUS_REJECTED, STATUS_DUPLICATE = "accepted", "rejected", "duplicate"
STATUS_NAMES = {STATUS_ACCEPTED: "Hợp lệ", STATUS_REJECTED: "Lỗi", STATUS_DUPLICATE: "Trùng, bỏ qua"}
# How far apart a given value and its numerator/denominator may be before we say so:
# plans round 80.99 to 81.
RATIO_TOLERANCE = 0.5
# The largest amount of one spending item: 10.000 tỷ đồng, far above a commune's yearly
# budget; a larger number is a typo or a broken file (and would not fit the stored integers).
MAX_AMOUNT = 10**13
# The reason recorded when a program stores a closed month through `store_checked` without
# giving one (the page and the command line ask the person for theirs).
PROGRAM_REASON = "Lưu bằng chương trình trên máy chủ (store_checked), không qua trang tải lên"
# `changes.store_upload` refuses with this when nothing can be stored; one class for both doors.
NothingToStore = changes.NothingToStore


# ---- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    row: int | None  # spreadsheet row; None for the whole file
    column: str | None  # canonical column name (gia_tri, …); None for the whole row
    message: str  # full Vietnamese sentence, beginning with 'Dòng N' when there is a row

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowResult:
    row: int
    status: str
    record: dict  # parsed fields; what is stored when accepted
    problems: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class CheckResult:
    file_name: str
    kind: str | None
    content: bytes
    sha256: str
    source: str = ""  # how the file was read, in Vietnamese
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> heading in the file
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[Issue] = field(default_factory=list)
    file_warnings: list[Issue] = field(default_factory=list)
    defaults_used: dict[str, str] = field(default_factory=dict)  # canonical -> value shown
    # Months of accepted results that are closed: a Quản trị tỉnh stores them with a reason.
    closed_months: list[date] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.file_errors

    @property
    def accepted(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == STATUS_ACCEPTED]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == STATUS_REJECTED]

    @property
    def errors(self) -> list[Issue]:
        return self.file_errors + [p for r in self.rows for p in r.problems]

    @property
    def warnings(self) -> list[Issue]:
        return self.file_warnings + [w for r in self.rows for w in r.warnings]

    @property
    def exit_code(self) -> int:
        if self.file_errors:
            return 2
        return 1 if self.rejected else 0

    def store_content(self) -> bytes:
        """What identifies this upload for the store's "same file twice" rule: the file's
        bytes, plus the commune or month chosen on the page when they filled cells, so the
        same file sent for two communes is two uploads; and, when some rows were rejected,
        which rows were accepted: the same file stored by a commune officer (its own rows)
        and then by the province (every row), or again once a missing commune was added,
        brings rows the first upload did not, and must not be taken for a repeat."""
        content = self.content
        if self.defaults_used:
            marker = json.dumps(self.defaults_used, ensure_ascii=False, sort_keys=True)
            content += b"\n#dti-defaults " + marker.encode("utf-8")
        if self.rejected:
            content += b"\n#dti-rows " + ",".join(str(r.row) for r in self.accepted).encode("ascii")
        return content

    def frame(self) -> pl.DataFrame:
        """Accepted rows with exactly the store's columns for this kind."""
        schema = ROW_SCHEMAS[self.kind]
        rows = [{name: r.record.get(name) for name in schema} for r in self.accepted]
        return pl.DataFrame(rows, schema=schema, orient="row")

    def to_json(self) -> dict:
        return {
            "file": self.file_name,
            "kind": self.kind,
            "rows": len(self.rows),
            "accepted": [_json_record(r, self.kind) for r in self.accepted],
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "duplicates": [r.row for r in self.rows if r.status == STATUS_DUPLICATE],
        }


def _json_record(result: RowResult, kind: str) -> dict:
    record = {"row": result.row}
    for key, value in result.record.items():
        if key in ("row_number", "is_demo"):
            continue
        if isinstance(value, date):
            value = value.strftime("%Y-%m") if key == "period" else value.isoformat()
        record[key] = value
    return record


# ---- what the database knows ---------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    direction: str
    name: str


@dataclass(frozen=True)
class Commune:
    commune_id: str
    code: str | None
    name: str
    province: str
    extra: tuple  # adult_population, population_15plus, working_age_population, is_demo


class Catalog:
    """Indicators and communes from the Database, indexed for matching typed names."""

    def __init__(self, indicators: pl.DataFrame, communes: pl.DataFrame, *,
                 first_target_year: int | None = None, limits: ValueLimits = ValueLimits(),
                 tasks: pl.DataFrame | None = None):
        # The plausibility rules of `_check_range` and `read_period`, looked up once per file.
        self.first_target_year = first_target_year
        self.limits = limits
        # The plans' tasks: commune_id -> plan year -> {item: name}, for task-status files.
        self.tasks: dict[str, dict[int, dict[str, str]]] = {}
        for r in (tasks.iter_rows(named=True) if tasks is not None else ()):
            self.tasks.setdefault(r["commune_id"], {}).setdefault(int(r["plan_year"]), {})[r["item"]] = r["name"] or ""
        self.indicators = {
            r["code"]: Indicator(r["code"], r["unit"], r["direction"] or "up", r["name_vi"] or "")
            for r in indicators.iter_rows(named=True)
        }
        self.indicator_by_name = {fold(i.name): i.code for i in self.indicators.values() if i.name}
        self.communes = [
            Commune(
                r["commune_id"], _code_text(r["commune_code"]), r["commune_name"], r["province"],
                (r["adult_population"], r["population_15plus"], r["working_age_population"], r["is_demo"]),
            )
            for r in communes.iter_rows(named=True)
        ]
        self.by_id = {c.commune_id: c for c in self.communes}
        self.by_code = {c.code: c for c in self.communes if c.code}
        self.by_name: dict[str, list[Commune]] = {}
        self.suggestions: dict[tuple[str, str | None], str] = {}
        self.provinces: dict[str, str] = {}
        for commune in self.communes:
            self.by_name.setdefault(commune_key(commune.name), []).append(commune)
            self.provinces.setdefault(province_key(commune.province), commune.province)

    @classmethod
    def from_database(cls, db) -> "Catalog":
        """From a queries.db.Database (the page) or a CatalogDatabase (the command line)."""
        from queries.ingest.catalog import CatalogDatabase

        indicators = db.sql("select code, unit, direction, name_vi from indicators")
        communes = db.sql(
            """select commune_id, commune_code, commune_name, province, adult_population,
                population_15plus, working_age_population, is_demo
            from communes"""
        )
        if isinstance(db, CatalogDatabase):
            first_year = db.first_target_year()  # it keeps no targets table: only this is needed
        else:
            first_year = db.sql("select min(year) as first from targets")["first"][0]
        tasks = db.sql("select commune_id, plan_year, item, name from tasks where item is not null")
        return cls(indicators, communes, first_target_year=int(first_year) if first_year is not None else None,
                   limits=ValueLimits.from_settings(getattr(db, "settings", None)), tasks=tasks)

    def in_province(self, province: str) -> list[Commune]:
        key = province_key(province)
        return [c for c in self.communes if province_key(c.province) == key]


def _code_text(value: object) -> str | None:
    """Commune codes as text: Excel turns '16279' into the number 16279."""
    if value is None or is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


_INDICATOR_CODE = re.compile(r"^([A-Za-z]{2})\s*[-_.]?\s*(\d{1,2})(?=$|[\s\-–—:.,)])")


def find_indicator(catalog: Catalog, cell: object) -> Indicator | None:
    """'XH05', 'xh05', 'XH-05', 'XH5', 'XH05 - Tỷ lệ…' or the indicator's full name."""
    text = nfc(str(cell))
    found = _INDICATOR_CODE.match(text)
    if found:
        code = f"{found.group(1).upper()}{int(found.group(2)):02d}"
        if code in catalog.indicators:
            return catalog.indicators[code]
    code = catalog.indicator_by_name.get(fold(text))
    return catalog.indicators.get(code) if code else None


# ---- reading one row -----------------------------------------------------------------------


class RowProblem(Exception):
    """One thing wrong with a row, raised by the field readers below."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class Context:
    table: Table
    catalog: Catalog
    kind: str
    defaults: dict
    today: date
    actor: Account = LOCAL_ADMIN
    settings: dict = field(default_factory=dict)  # the calendar's: report_deadline_day, lock_after_days
    now: datetime | None = None  # when the months' closing is judged
    used_defaults: dict = field(default_factory=dict)

    def cell(self, row, column: str) -> Cell | None:
        index = self.table.columns.get(column)
        if index is None or index >= len(row.cells):
            return None
        cell = row.cells[index]
        return None if is_blank(cell.value) else cell

    def text(self, row, column: str) -> str | None:
        cell = self.cell(row, column)
        return nfc(show(cell.value)) if cell else None

    def where(self, column: str) -> str:
        return self.table.heading_of(column)


def _commune_text(ctx: Context, row) -> tuple[str | None, str | None, str | None]:
    """(code, name, province) as typed in the row, the page's choice filling blanks."""
    code_cell = ctx.cell(row, "ma_xa")
    code = _code_text(code_cell.value) if code_cell else None
    name = ctx.text(row, "ten_xa")
    province = ctx.text(row, "tinh") or ctx.defaults.get("province")
    if not code and not name and ctx.defaults.get("commune"):
        default = ctx.defaults["commune"]
        ctx.used_defaults["commune"] = default
        if default in ctx.catalog.by_id:
            return default, None, None
        name = default
    return code, name, province


def resolve_commune(ctx: Context, row) -> Commune:
    code, name, province = _commune_text(ctx, row)
    catalog = ctx.catalog
    if code:
        commune = catalog.by_code.get(code) or catalog.by_id.get(code)
        if commune is None:
            raise RowProblem("ma_xa", f"cột {ctx.where('ma_xa')}: không có xã mã “{code}” trong danh sách xã")
        if name and commune_key(name) != commune_key(commune.name):
            raise RowProblem(
                "ten_xa",
                f"cột {ctx.where('ten_xa')}: mã xã “{code}” là {commune.name} ({commune.province}), "
                f"không phải “{name}”",
            )
        return commune
    if not name:
        raise RowProblem("ten_xa", f"cột {ctx.where('ten_xa')}: thiếu tên xã")
    candidates = catalog.by_name.get(commune_key(name), [])
    if province:
        key = province_key(province)
        if key not in catalog.provinces:
            raise RowProblem("tinh", f"cột {ctx.where('tinh')}: không có tỉnh “{province}” trong danh sách xã")
        in_province = [c for c in candidates if province_key(c.province) == key]
        if len(in_province) == 1:
            return in_province[0]
        province_name = catalog.provinces[key]
        if len(in_province) > 1:
            ids = ", ".join(c.commune_id for c in in_province)
            raise RowProblem("ma_xa", f"tỉnh {province_name} có nhiều xã tên “{name}” ({ids}): hãy ghi mã xã")
        hint = _suggest(catalog, name, province_name)
        raise RowProblem("ten_xa", f"cột {ctx.where('ten_xa')}: không tìm thấy xã “{name}” trong tỉnh {province_name}{hint}")
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        places = "; ".join(f"{c.name} ({c.province})" for c in sorted(candidates, key=lambda c: fold(c.province)))
        raise RowProblem("tinh", f"có nhiều xã tên “{name}”: {places} — hãy ghi thêm cột Tỉnh")
    hint = _suggest(catalog, name)
    raise RowProblem("ten_xa", f"cột {ctx.where('ten_xa')}: không tìm thấy xã “{name}” trong danh sách xã{hint}")


def _suggest(catalog: Catalog, name: str, province: str | None = None) -> str:
    """' — có phải “Xã Định Tiến”?' for a near miss, so a typo costs one glance. Cached on the
    catalog, since a file repeats its typos row after row."""
    key = (commune_key(name), province)
    if key not in catalog.suggestions:
        communes = catalog.in_province(province) if province else catalog.communes
        by_key = {commune_key(c.name): c for c in communes}
        close = difflib.get_close_matches(key[0], list(by_key), n=1, cutoff=0.75)
        hint = ""
        if close:
            commune = by_key[close[0]]
            hint = f" — có phải “{commune.name}”" + ("" if province else f" ({commune.province})") + "?"
        catalog.suggestions[key] = hint
    return catalog.suggestions[key]


def resolve_indicator(ctx: Context, row) -> Indicator:
    cell = ctx.cell(row, "ma_chi_tieu") or ctx.cell(row, "ten_chi_tieu")
    if cell is None:
        raise RowProblem("ma_chi_tieu", f"cột {ctx.where('ma_chi_tieu')}: thiếu mã chỉ tiêu")
    indicator = find_indicator(ctx.catalog, cell.value)
    if indicator is None:
        column = "ma_chi_tieu" if ctx.cell(row, "ma_chi_tieu") else "ten_chi_tieu"
        raise RowProblem(column, f"cột {ctx.where(column)}: không có chỉ tiêu “{show(cell.value)}” trong danh mục chỉ tiêu")
    return indicator


def _page_default(ctx: Context, column: str, key: str, missing: str):
    """The value chosen on the page for a cell the file left empty (recorded, because it
    becomes part of what identifies the upload), or the row's problem when there is none."""
    default = ctx.defaults.get(key)
    if default is None:
        raise RowProblem(column, f"cột {ctx.where(column)}: {missing}")
    ctx.used_defaults[key] = str(default)
    return default


def read_period(ctx: Context, row) -> date:
    cell = ctx.cell(row, "ky_bao_cao")
    if cell is None:
        value = _page_default(ctx, "ky_bao_cao", "period", "thiếu kỳ báo cáo")
    else:
        value = cell.value
        year_cell = ctx.cell(row, "nam")
        # 'Tháng' and 'Năm' in two columns: 3 | 2026.
        if year_cell is not None and _small_int(value) is not None:
            value = f"{_small_int(value)}/{show(year_cell.value)}"
    try:
        period = parse_month(value)
    except ParseError as error:
        raise RowProblem("ky_bao_cao", f"cột {ctx.where('ky_bao_cao')}: {error}") from None
    if period > date(ctx.today.year, ctx.today.month, 1):
        raise RowProblem(
            "ky_bao_cao",
            f"cột {ctx.where('ky_bao_cao')}: kỳ báo cáo {format_month(period)} ở tương lai "
            f"(hôm nay là {ctx.today.strftime('%d/%m/%Y')})",
        )
    first_year = ctx.catalog.first_target_year
    # The year before the first targets is the baseline plans report against (seed 001:
    # 2024 results, 2025 targets); anything older is a typo (03/2000 for 03/2026) that would
    # otherwise stand as the latest value of an indicator never reported since.
    if first_year is not None and period.year < first_year - 1:
        raise RowProblem(
            "ky_bao_cao",
            f"cột {ctx.where('ky_bao_cao')}: kỳ báo cáo {format_month(period)} trước năm {first_year - 1} "
            f"(chỉ tiêu bắt đầu từ năm {first_year}, số liệu nhận từ năm trước đó); hãy kiểm tra lại năm",
        )
    return period


def _small_int(value: object) -> int | None:
    try:
        number = parse_number(value) if isinstance(value, str) else value
    except ParseError:
        return None
    if isinstance(number, (int, float)) and not isinstance(number, bool) and float(number).is_integer() and 1 <= number <= 12:
        return int(number)
    return None


def _number(ctx: Context, cell: Cell, column: str, *, thousands: bool) -> float:
    try:
        return parse_number(cell.value, thousands_hint=thousands)
    except ParseError as error:
        raise RowProblem(column, f"cột {ctx.where(column)}: {error}") from None


def read_measure(ctx: Context, row, indicator: Indicator) -> Reading:
    """The value from `gia_tri`, or computed from `tu_so`/`mau_so`; checked for its unit."""
    value_cell = ctx.cell(row, "gia_tri")
    numerator_cell, denominator_cell = ctx.cell(row, "tu_so"), ctx.cell(row, "mau_so")
    numerator = _number(ctx, numerator_cell, "tu_so", thousands=True) if numerator_cell else None
    denominator = _number(ctx, denominator_cell, "mau_so", thousands=True) if denominator_cell else None
    for amount, column in ((numerator, "tu_so"), (denominator, "mau_so")):
        if amount is not None and amount < 0:
            raise RowProblem(column, f"cột {ctx.where(column)}: {label(column).lower()} không được âm")
        if amount is not None:
            _check_amount(ctx, amount, column)
    if value_cell is None:
        if numerator is None and denominator is None:
            raise RowProblem("gia_tri", f"cột {ctx.where('gia_tri')}: thiếu giá trị")
        if numerator is None or denominator is None:
            missing = "tu_so" if numerator is None else "mau_so"
            raise RowProblem(missing, f"cột {ctx.where(missing)}: thiếu {label(missing).lower()} (có {label('mau_so' if missing == 'tu_so' else 'tu_so').lower()} nhưng không có giá trị)")
        if indicator.unit not in ("percent", "per_1000"):
            raise RowProblem("gia_tri", f"cột {ctx.where('gia_tri')}: thiếu giá trị (tử số/mẫu số chỉ dùng cho chỉ tiêu tỷ lệ)")
        if denominator == 0:
            raise RowProblem("mau_so", f"cột {ctx.where('mau_so')}: mẫu số bằng 0")
        try:
            value = ratio(numerator, denominator, indicator.unit, f"{show(numerator)}/{show(denominator)}")
        except ParseError as error:
            raise RowProblem("tu_so", f"cột {ctx.where('tu_so')}: {error}") from None
        reading = Reading(value, numerator, denominator)
    else:
        try:
            reading = parse_measure(value_cell.value, indicator.unit, percent_format=value_cell.percent_format)
        except ParseError as error:
            raise RowProblem("gia_tri", f"cột {ctx.where('gia_tri')}: {error}") from None
        for amount, name in ((reading.numerator, "tu_so"), (reading.denominator, "mau_so")):
            if amount is not None:  # '4227/5219' written in the value cell
                _check_amount(ctx, amount, "gia_tri", label(name).lower())
        if reading.numerator is None and numerator is not None and denominator is not None:
            reading = _with_ratio_check(ctx, reading, numerator, denominator, indicator)
    _check_range(ctx, reading.value, indicator, "gia_tri" if value_cell else "tu_so", value_cell)
    return reading


def _with_ratio_check(ctx: Context, reading: Reading, numerator: float, denominator: float, indicator: Indicator) -> Reading:
    warning = reading.warning
    if denominator == 0:
        raise RowProblem("mau_so", f"cột {ctx.where('mau_so')}: mẫu số bằng 0")
    if indicator.unit in ("percent", "per_1000"):
        try:
            computed = ratio(numerator, denominator, indicator.unit, f"{show(numerator)}/{show(denominator)}")
        except ParseError as error:
            raise RowProblem("tu_so", f"cột {ctx.where('tu_so')}: {error}") from None
        if abs(computed - reading.value) > RATIO_TOLERANCE:
            warning = (
                f"giá trị {compact(reading.value)} khác tỷ lệ tử số/mẫu số "
                f"{show(numerator)}/{show(denominator)} = {compact(computed)}; đã lưu giá trị đã ghi"
            )
    return Reading(reading.value, numerator, denominator, warning)


def _check_range(ctx: Context, value: float, indicator: Indicator, column: str, cell: Cell | None = None) -> None:
    """Every value, target included, must be finite and plausible for its unit before it is
    accepted (`check_plausible`: the bounds are the settings max_count and max_per_1000)."""
    try:
        check_plausible(value, indicator.unit, ctx.catalog.limits)
    except ParseError as error:
        percent_cell = indicator.unit == "percent" and cell is not None and cell.percent_format and math.isfinite(value)
        hint = " (ô Excel định dạng phần trăm đang hiển thị số này)" if percent_cell else ""
        raise RowProblem(column, f"cột {ctx.where(column)}: {error}{hint}") from None


def _check_amount(ctx: Context, amount: float, column: str, what: str | None = None) -> None:
    """A numerator, denominator or population: a count of people or things, so finite,
    not negative and at most max_count."""
    try:
        check_plausible(amount, "count", ctx.catalog.limits, what or label(column).lower())
    except ParseError as error:
        raise RowProblem(column, f"cột {ctx.where(column)}: {error}") from None


# ---- the three kinds -----------------------------------------------------------------------


def _read_key(ctx: Context, row, read_time) -> tuple[object, object, object, list[RowProblem]]:
    """Commune, indicator and month (or year) of a row; every problem is collected, so one
    message does not hide the next."""
    problems: list[RowProblem] = []
    found = []
    for read in (resolve_commune, resolve_indicator, read_time):
        try:
            found.append(read(ctx, row))
        except RowProblem as problem:
            problems.append(problem)
            found.append(None)
    return (*found, problems)


def _key_fields(ctx: Context, row, commune, indicator) -> dict:
    """Row number, commune and indicator of a record: as resolved, or as the file wrote them
    when they could not be (so the preview still shows what was typed)."""
    return {
        "row_number": row.number,
        "commune_id": commune.commune_id if commune else None,
        "commune_name": commune.name if commune else ctx.text(row, "ten_xa"),
        "province": commune.province if commune else ctx.text(row, "tinh"),
        "indicator": indicator.code if indicator else ctx.text(row, "ma_chi_tieu"),
    }


def check_actual(ctx: Context, row) -> dict:
    commune, indicator, period, problems = _read_key(ctx, row, read_period)
    reading = None
    if indicator is not None:
        try:
            reading = read_measure(ctx, row, indicator)
        except RowProblem as problem:
            problems.append(problem)
    record = {
        **_key_fields(ctx, row, commune, indicator),
        "period": period,
        "value": reading.value if reading else None,
        "numerator": reading.numerator if reading else None,
        "denominator": reading.denominator if reading else None,
        "note": ctx.text(row, "ghi_chu"),
    }
    if indicator is not None:
        record["unit"] = indicator.unit
    warnings = []
    if reading and reading.warning:
        warnings.append(("gia_tri", f"cột {ctx.where('gia_tri')}: {reading.warning}"))
    return {"record": record, "problems": problems, "warnings": warnings}


def read_year(ctx: Context, row) -> int:
    cell = ctx.cell(row, "nam")
    if cell is None:
        return int(_page_default(ctx, "nam", "year", "thiếu năm"))
    try:
        return parse_year(cell.value)
    except ParseError as error:
        raise RowProblem("nam", f"cột {ctx.where('nam')}: {error}") from None


def check_target(ctx: Context, row) -> dict:
    commune, indicator, year, problems = _read_key(ctx, row, read_year)
    target = None
    cell = ctx.cell(row, "muc_tieu")
    if cell is None:
        problems.append(RowProblem("muc_tieu", f"cột {ctx.where('muc_tieu')}: thiếu mục tiêu"))
    elif indicator is not None:
        try:
            target = parse_target(cell.value, indicator.unit, direction=indicator.direction, percent_format=cell.percent_format)
            _check_range(ctx, target.value, indicator, "muc_tieu")
        except ParseError as error:
            problems.append(RowProblem("muc_tieu", f"cột {ctx.where('muc_tieu')}: {error}"))
        except RowProblem as problem:
            problems.append(problem)
    record = {
        **_key_fields(ctx, row, commune, indicator),
        "year": year,
        "comparator": target.comparator if target else None,
        "target": target.value if target else None,
        "target_text": target.text if target else (ctx.text(row, "muc_tieu")),
        "lead_unit": ctx.text(row, "don_vi_chu_tri"),
        "partner_units": ctx.text(row, "don_vi_phoi_hop"),
        "source_doc": ctx.text(row, "nguon"),
        "source_item": None,
        "note": ctx.text(row, "ghi_chu"),
    }
    return {"record": record, "problems": problems, "warnings": []}


_POPULATION_COLUMNS = (("dan_so", "adult_population"), ("dan_so_15", "population_15plus"),
                       ("dan_so_lao_dong", "working_age_population"))


def check_commune(ctx: Context, row) -> dict:
    """A row of the province's commune list. An existing commune (same code, or same name
    within the province) keeps its id, and what the row leaves blank keeps its old value."""
    problems: list[RowProblem] = []
    code_cell = ctx.cell(row, "ma_xa")
    code = _code_text(code_cell.value) if code_cell else None
    name = ctx.text(row, "ten_xa")
    province = ctx.text(row, "tinh") or ctx.defaults.get("province")
    if not name:
        problems.append(RowProblem("ten_xa", f"cột {ctx.where('ten_xa')}: thiếu tên xã"))
    if not province:
        problems.append(RowProblem("tinh", f"cột {ctx.where('tinh')}: thiếu tỉnh"))
    populations: dict[str, float | None] = {}
    for column, field_name in _POPULATION_COLUMNS:
        cell = ctx.cell(row, column)
        if cell is None:
            continue
        try:
            amount = parse_number(cell.value, thousands_hint=True)
            if amount < 0:
                raise ParseError(f"dân số không được âm ({show(cell.value)})")
            populations[field_name] = amount
        except ParseError as error:
            problems.append(RowProblem(column, f"cột {ctx.where(column)}: {error}"))
    existing = None
    if name and province:
        province = ctx.catalog.provinces.get(province_key(province), province)
        existing = _existing_commune(ctx.catalog, code, name, province)
    if existing is not None:
        commune_id = existing.commune_id
        old = dict(zip(("adult_population", "population_15plus", "working_age_population"), existing.extra[:3]))
        is_demo = bool(existing.extra[3])
        code = code or existing.code
    else:
        commune_id = code or (make_commune_id(province, name) if name and province else None)
        old, is_demo = {}, False
    record = {
        "row_number": row.number,
        "commune_id": commune_id,
        "commune_code": code,
        "commune_name": name,
        "province": province,
        **{f: populations.get(f, old.get(f)) for _, f in _POPULATION_COLUMNS},
        "is_demo": is_demo,
    }
    return {"record": record, "problems": problems, "warnings": []}


def _existing_commune(catalog: Catalog, code: str | None, name: str, province: str) -> Commune | None:
    if code and (code in catalog.by_code or code in catalog.by_id):
        return catalog.by_code.get(code) or catalog.by_id[code]
    key = province_key(province)
    same = [c for c in catalog.by_name.get(commune_key(name), []) if province_key(c.province) == key]
    return same[0] if len(same) == 1 else None


def _resolved_commune(ctx: Context, row, problems: list[RowProblem]) -> Commune | None:
    try:
        return resolve_commune(ctx, row)
    except RowProblem as problem:
        problems.append(problem)
        return None


def _commune_fields(ctx: Context, row, commune: Commune | None) -> dict:
    return {
        "row_number": row.number,
        "commune_id": commune.commune_id if commune else None,
        "commune_name": commune.name if commune else ctx.text(row, "ten_xa"),
        "province": commune.province if commune else ctx.text(row, "tinh"),
    }


def read_task(ctx: Context, row, commune: Commune) -> tuple[int, str, str]:
    """(plan year, item, task name) of a task-status row, among the commune's plan tasks: the
    year written (or chosen on the page), else the newest plan of the commune with that item."""
    cell = ctx.cell(row, "muc")
    if cell is None:
        raise RowProblem("muc", f"cột {ctx.where('muc')}: thiếu số mục nhiệm vụ (ví dụ 1.1)")
    try:
        item = parse_task_item(cell.value)
    except ParseError as error:
        raise RowProblem("muc", f"cột {ctx.where('muc')}: {error}") from None
    plans = ctx.catalog.tasks.get(commune.commune_id, {})
    if not plans:
        raise RowProblem("muc", f"cột {ctx.where('muc')}: {commune.name} ({commune.province}) chưa có danh sách "
                                "nhiệm vụ trong hệ thống; hãy gửi kế hoạch của xã cho Quản trị tỉnh")
    if ctx.cell(row, "nam") is not None or ctx.defaults.get("year"):
        year = read_year(ctx, row)
        if year not in plans:
            years = ", ".join(str(y) for y in sorted(plans))
            raise RowProblem("nam", f"cột {ctx.where('nam')}: {commune.name} không có kế hoạch nhiệm vụ năm {year} "
                                    f"(có kế hoạch năm {years})")
        years_tried = [year]
    else:
        years_tried = sorted(plans, reverse=True)
    refusal = None
    for year in years_tried:
        try:
            resolved = resolve_task_item(item, plans[year])
        except ParseError as error:
            # 'không có mục 9.9 …' names the plan; 'kế hoạch có 2 nhiệm vụ cùng số mục 8.4: …' asks which
            missing = str(error).startswith("không có mục")
            refusal = refusal or (f"{error} năm {year} của {commune.name}" if missing else str(error))
            continue
        return year, resolved, plans[year][resolved]
    raise RowProblem("muc", f"cột {ctx.where('muc')}: {refusal}")


def _names_agree(typed: str, name: str) -> bool:
    """The task name typed only confirms the item: a part of the name, half of its words
    ('Thành lập BCĐ' for 'Thành lập Ban chỉ đạo…': staff abbreviate), or close to it."""
    a, b = fold(typed), fold(name)
    if a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= 0.6:
        return True
    words = re.findall(r"\w+", a)
    return bool(words) and sum(w in set(re.findall(r"\w+", b)) for w in words) * 2 >= len(words)


def check_task(ctx: Context, row) -> dict:
    """A task's status as the commune reports it: commune, item (and plan year), status and,
    when completed, the day. 'Quá hạn' is derived, never typed (queries/plans/tasks.py)."""
    problems: list[RowProblem] = []
    warnings: list[tuple[str, str]] = []
    commune = _resolved_commune(ctx, row, problems)
    year = item = task_name = None
    if commune is not None:
        try:
            year, item, task_name = read_task(ctx, row, commune)
        except RowProblem as problem:
            problems.append(problem)
    typed_name = ctx.text(row, "ten_nhiem_vu")
    if task_name and typed_name and not _names_agree(typed_name, task_name):
        warnings.append(("ten_nhiem_vu", f"cột {ctx.where('ten_nhiem_vu')}: mục {item} năm {year} là “{task_name}”, "
                                         f"khác tên đã ghi “{typed_name}”; đã lưu theo số mục"))
    status = completed_on = None
    status_cell, date_cell = ctx.cell(row, "trang_thai"), ctx.cell(row, "ngay_hoan_thanh")
    if status_cell is None:
        problems.append(RowProblem("trang_thai", f"cột {ctx.where('trang_thai')}: thiếu trạng thái "
                                                 "(Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành)"))
    else:
        try:
            parse_task_status(status_cell.value)
        except ParseError as error:
            problems.append(RowProblem("trang_thai", f"cột {ctx.where('trang_thai')}: {error}"))
        else:
            try:
                update = parse_task_update(status_cell.value, date_cell.value if date_cell else None, ctx.today)
                status, completed_on = update.status, update.completed_on
            except ParseError as error:
                problems.append(RowProblem("ngay_hoan_thanh", f"cột {ctx.where('ngay_hoan_thanh')}: {error}"))
    record = {
        **_commune_fields(ctx, row, commune),
        "plan_year": year,
        "item": item if item is not None else ctx.text(row, "muc"),
        "task_name": task_name or typed_name,
        "status": status,
        "completed_on": completed_on,
        "note": ctx.text(row, "ghi_chu"),
    }
    return {"record": record, "problems": problems, "warnings": warnings}


def _amount(ctx: Context, row, column: str) -> int | None:
    cell = ctx.cell(row, column)
    if cell is None:
        return None
    try:
        amount = parse_amount(cell.value)
    except ParseError as error:
        raise RowProblem(column, f"cột {ctx.where(column)}: {error}") from None
    if amount > MAX_AMOUNT:
        raise RowProblem(column, f"cột {ctx.where(column)}: số tiền {format_number(amount, 0)} đồng lớn hơn mức hợp lý "
                                 f"{format_number(MAX_AMOUNT, 0)} đồng cho một khoản chi của xã; hãy kiểm tra lại")
    return amount


def check_spending(ctx: Context, row) -> dict:
    """Planned and spent amounts (whole đồng) of one item of a commune's year."""
    problems: list[RowProblem] = []
    commune = _resolved_commune(ctx, row, problems)
    year = None
    try:
        year = read_year(ctx, row)
    except RowProblem as problem:
        problems.append(problem)
    item = ctx.text(row, "khoan_chi")
    if not item:
        problems.append(RowProblem("khoan_chi", f"cột {ctx.where('khoan_chi')}: thiếu tên khoản chi"))
    amounts: dict[str, int | None] = {}
    for column in ("du_toan", "da_chi"):
        try:
            amounts[column] = _amount(ctx, row, column)
        except RowProblem as problem:
            problems.append(problem)
            amounts[column] = None
    if ctx.cell(row, "du_toan") is None and ctx.cell(row, "da_chi") is None:
        column = "da_chi" if "da_chi" in ctx.table.columns else "du_toan"
        problems.append(RowProblem(column, f"cột {ctx.where(column)}: thiếu số tiền (ghi Dự toán hoặc Đã chi, bằng đồng)"))
    record = {
        **_commune_fields(ctx, row, commune),
        "year": year,
        "item": item,
        "planned": amounts["du_toan"],
        "spent": amounts["da_chi"],
        "source_doc": ctx.text(row, "nguon"),
        "source_item": None,
        "note": ctx.text(row, "ghi_chu"),
    }
    return {"record": record, "problems": problems, "warnings": []}


CHECKERS = {"actuals": check_actual, "targets": check_target, "communes": check_commune,
            "tasks": check_task, "spending": check_spending}
# The columns a kind cannot do without, each given as alternatives; (columns, default key).
REQUIRED = {
    "actuals": ((("ma_chi_tieu", "ten_chi_tieu"), None), (("gia_tri", "tu_so"), None),
                (("ten_xa", "ma_xa"), "commune"), (("ky_bao_cao",), "period")),
    "targets": ((("ma_chi_tieu", "ten_chi_tieu"), None), (("muc_tieu",), None),
                (("ten_xa", "ma_xa"), "commune"), (("nam",), "year")),
    "communes": ((("ten_xa",), None), (("tinh",), "province")),
    "tasks": ((("muc",), None), (("trang_thai",), None), (("ten_xa", "ma_xa"), "commune")),
    "spending": ((("khoan_chi",), None), (("da_chi", "du_toan"), None), (("ten_xa", "ma_xa"), "commune"),
                 (("nam",), "year")),
}
KEYS = {"actuals": ("commune_id", "indicator", "period"), "targets": ("commune_id", "indicator", "year"),
        "communes": ("commune_id",), "tasks": ("commune_id", "plan_year", "item"),
        "spending": ("commune_id", "year", "item")}


def detect_kind(columns: dict[str, int]) -> str | None:
    """Which kind of file, from the columns it names."""
    has = set(columns)
    indicator = bool(has & {"ma_chi_tieu", "ten_chi_tieu"})
    measured = bool(has & {"gia_tri", "tu_so", "mau_so"})
    if indicator and measured and ("ky_bao_cao" in has or "muc_tieu" not in has):
        return "actuals"
    if indicator and "muc_tieu" in has:
        return "targets"
    if not indicator and {"muc", "trang_thai"} <= has:
        return "tasks"
    if not indicator and "khoan_chi" in has and has & {"du_toan", "da_chi"}:
        return "spending"
    if not indicator and "ten_xa" in has and (has & {"tinh", "dan_so", "dan_so_15", "dan_so_lao_dong", "ma_xa"}):
        return "communes"
    return None


# ---- checking a file -----------------------------------------------------------------------


def check_file(
    content: bytes,
    file_name: str,
    kind: str | None = None,
    db=None,
    defaults: dict | None = None,
    today: date | None = None,
    actor: Account | None = None,
) -> CheckResult:
    """Read, understand and validate one uploaded file; never raises for a bad file.

    `defaults` fills what the file lacks: {"commune": commune_id or name, "province": name,
    "period": date or '03/2026', "year": 2026}. `actor` is the account uploading (None: the
    local administrator, LOCAL_ADMIN); its role and scope decide what it may store. `db` is
    a Database or a CatalogDatabase; without it the catalog is read from the files.
    """
    # The name is shown on the page and kept with the upload: no control characters in it.
    file_name = clean_text(str(file_name))
    upload = _UPLOAD_NAME.set(file_name)
    result = CheckResult(file_name=file_name, kind=kind, content=content, sha256=content_hash(content))
    try:
        maintainer_log(_store_root(db))
        return _check(result, content, file_name, kind, db, defaults, today, actor or LOCAL_ADMIN)
    except Exception:  # a bug must never reach the user as a traceback
        log.exception("checking the file failed")
        result.rows = []
        result.file_errors = [Issue(None, None, UNEXPECTED_FILE_ERROR)]
        return result
    finally:
        _UPLOAD_NAME.reset(upload)


# ---- the maintainer's log ------------------------------------------------------------------

LOG_FILE = Path("logs") / "ingest.log"  # under the store ($DTI_STORE)
# The upload being checked, so that every logged line names its file (rows are checked deep
# inside; threading the name through every reader would clutter them all).
_UPLOAD_NAME = contextvars.ContextVar("upload_name", default="-")


class _StoreLog(logging.FileHandler):
    """Appends to <store>/logs/ingest.log, creating the folder on the first record only."""

    def __init__(self, path: Path):
        super().__init__(path, encoding="utf-8", delay=True)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [tệp %(upload)s] %(name)s: %(message)s"))
        self.addFilter(self._name_upload)

    @staticmethod
    def _name_upload(record: logging.LogRecord) -> bool:
        record.upload = repr(_UPLOAD_NAME.get())  # repr: a file name cannot forge log lines
        return True

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _store_root(db) -> Path:
    root = getattr(getattr(db, "store", None), "root", None)
    return Path(root) if root is not None else store_dir()


def maintainer_log(store_root: Path) -> Path:
    """Send what the importer logs (queries.ingest.*: unexpected failures, with traceback and
    file name) to <store>/logs/ingest.log, and nowhere else: not to the terminal of the
    person running `python -m queries.ingest`, not to the page. Returns the log's path."""
    path = (Path(store_root) / LOG_FILE).resolve()
    logger = logging.getLogger("queries.ingest")
    handlers = [h for h in logger.handlers if isinstance(h, _StoreLog)]
    if not any(Path(h.baseFilename) == path for h in handlers):
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.addHandler(_StoreLog(path))
        logger.setLevel(logging.INFO)
    logger.propagate = False  # Python's last-resort handler would print tracebacks on stderr
    return path


def _check(result: CheckResult, content: bytes, file_name: str, kind: str | None, db,
           defaults: dict | None, today: date | None, actor: Account) -> CheckResult:
    if not any(permissions.may_upload(actor, k) for k in KINDS):
        # A leader (or a disabled account) learns it before anything is read.
        result.file_errors.append(Issue(None, None, permissions.upload_refusal(actor, kind or "actuals")))
        return result
    try:
        settings = getattr(db, "settings", None) if db is not None else load_settings()
        table = read_table(content, file_name, ReadLimits.from_settings(settings))
    except TableError as error:
        result.file_errors.append(Issue(None, None, str(error)))
        return result
    result.source, result.header_row = table.source, table.header_row
    result.columns = {name: table.headings[index] for name, index in table.columns.items()}
    if kind is None:
        kind = detect_kind(table.columns)
        if kind is None:
            result.file_errors.append(Issue(None, None, (
                f"Không nhận ra loại tệp từ dòng tiêu đề (dòng {table.header_row}): tệp kết quả cần "
                "các cột Tên xã, Kỳ báo cáo, Mã chỉ tiêu, Giá trị; tệp chỉ tiêu cần Năm, Mã chỉ tiêu, "
                "Mục tiêu; danh sách xã cần Tên xã, Tỉnh; tệp nhiệm vụ cần Tên xã, Mục, Trạng thái; "
                "tệp kinh phí cần Tên xã, Năm, Khoản chi, Dự toán hoặc Đã chi")))
            return result
    elif kind not in KINDS:
        result.file_errors.append(Issue(None, None, (
            f"Loại tệp “{kind}” không có; chọn actuals, targets, communes, tasks hoặc spending")))
        return result
    refusal = permissions.upload_refusal(actor, kind)
    if refusal:
        result.file_errors.append(Issue(None, None, refusal))
        return result
    result.kind = kind
    # What the page or the command line chose is text typed by someone too.
    defaults = {k: clean_text(v) if isinstance(v, str) else v for k, v in (defaults or {}).items()}
    if isinstance(defaults.get("period"), str):
        try:
            defaults["period"] = parse_month(defaults["period"])
        except ParseError as error:
            result.file_errors.append(Issue(None, "ky_bao_cao", f"Kỳ báo cáo đã chọn: {error}"))
            return result
    missing = _missing_columns(table, kind, defaults)
    if missing:
        result.file_errors.append(Issue(None, missing[0], _missing_message(table, kind, missing)))
        return result
    if not table.rows:
        result.file_errors.append(Issue(None, None, f"Tệp không có dòng số liệu nào dưới dòng tiêu đề (dòng {table.header_row})"))
        return result
    _note_columns(result, table)
    if db is None:
        from queries.ingest.catalog import CatalogDatabase

        db = CatalogDatabase()
    settings = getattr(db, "settings", None) or load_settings()
    ctx = Context(table, Catalog.from_database(db), kind, defaults, today or clock.today(),
                  actor=actor, settings=settings, now=clock.now())
    for row in table.rows:
        result.rows.append(_check_row(ctx, row))
    _mark_repeats(result.rows, kind)
    result.defaults_used = {k: v for k, v in ctx.used_defaults.items()}
    if kind == "actuals":
        months = {r.record["period"] for r in result.accepted if r.record.get("period")}
        result.closed_months = sorted(m for m in months if calendar.is_closed(m, ctx.now, settings))
    return result


def _missing_columns(table: Table, kind: str, defaults: dict) -> list[str]:
    missing = []
    for alternatives, default_key in REQUIRED[kind]:
        if not any(a in table.columns for a in alternatives) and not (default_key and defaults.get(default_key)):
            missing.append(alternatives[0])
    return missing


def _missing_message(table: Table, kind: str, missing: list[str]) -> str:
    names = ", ".join(f"“{label(m)}” ({m})" for m in missing)
    page_hint = ""
    if set(missing) & {"ten_xa", "ky_bao_cao"}:
        page_hint = "; nếu cả tệp là của một xã hoặc một tháng, hãy chọn xã và kỳ báo cáo trên trang tải lên"
    return (f"Tệp {KIND_NAMES[kind]} thiếu cột {names} ở dòng tiêu đề (dòng {table.header_row})"
            f"{page_hint}")


def _note_columns(result: CheckResult, table: Table) -> None:
    for heading in table.unknown_headings:
        result.file_warnings.append(Issue(None, None, f"Cột “{heading}” không dùng đến: bỏ qua"))
    for heading in table.repeated_headings:
        result.file_warnings.append(Issue(None, None, f"Cột “{heading}” lặp lại một cột đã có: chỉ dùng cột đầu tiên"))


def _check_row(ctx: Context, row) -> RowResult:
    """One row; any unexpected failure becomes a message on that row, never a traceback."""
    try:
        outcome = CHECKERS[ctx.kind](ctx, row)
        problems = [_issue(row.number, p.column, p.message) for p in outcome["problems"]]
        problems += _overflow_problem(ctx, row)
        problems += _implausible_numbers(ctx, row, outcome["record"], outcome["problems"])
        warnings = [_issue(row.number, column, text) for column, text in outcome["warnings"]]
        outside = _outside_scope(ctx, row, outcome["record"])
        if outside:  # nothing else about the row matters: this account cannot store it
            problems, warnings = outside, []
        else:
            problems += _closed_month(ctx, row, outcome["record"])
        status = STATUS_REJECTED if problems else STATUS_ACCEPTED
        return RowResult(row.number, status, outcome["record"], problems, warnings)
    except Exception:  # a bug must cost one row, not the upload
        log.exception("checking row %s failed", row.number)
        issue = _issue(row.number, None, "không đọc được dòng này (lỗi chương trình đã được ghi lại)")
        return RowResult(row.number, STATUS_REJECTED, {"row_number": row.number}, [issue])


def _outside_scope(ctx: Context, row, record: dict) -> list[Issue]:
    """'Dòng 5: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)'."""
    commune_id = record.get("commune_id")
    if commune_id is None:
        return []
    name = record.get("commune_name") or commune_id
    column = next((c for c in ("ten_xa", "ma_xa", "tinh") if c in ctx.table.columns), None)
    if ctx.kind == "communes":
        # The commune's province now decides, not the one the file writes: a file may not
        # take another province's commune (and its values) into the uploader's own.
        current = ctx.catalog.by_id.get(commune_id)
        message = permissions.commune_row_refusal(ctx.actor, name, current.province if current else None,
                                                  record.get("province"))
        if message is None:
            return []
        if current is not None and permissions.province_in_scope(ctx.actor, current.province) \
                and "tinh" in ctx.table.columns:
            column = "tinh"  # the commune is the account's own: the province written is what is refused
    elif permissions.commune_in_scope(ctx.actor, commune_id, record.get("province")):
        return []
    else:
        message = permissions.row_refusal(ctx.actor, name, record.get("province"))
    return [Issue(row.number, column, f"Dòng {row.number}: {message}")]


def _closed_month(ctx: Context, row, record: dict) -> list[Issue]:
    """Commune staff cannot change a closed month; a Quản trị tỉnh can (with a reason, asked
    when storing), so the row stays accepted for them."""
    period = record.get("period")
    if ctx.kind != "actuals" or period is None or changes.is_admin(ctx.actor):
        return []
    if not calendar.is_closed(period, ctx.now, ctx.settings):
        return []
    return [_issue(row.number, "ky_bao_cao", f"cột {ctx.where('ky_bao_cao')}: {calendar.closed_message(period, ctx.settings)}")]


_POPULATION_FIELDS = {"adult_population": "dan_so", "population_15plus": "dan_so_15",
                      "working_age_population": "dan_so_lao_dong"}


def _implausible_numbers(ctx: Context, row, record: dict, found: list[RowProblem]) -> list[Issue]:
    """The last guard before a record is accepted: every number in it is finite, and each
    population is a plausible count (0–max_count). The field readers already refuse such
    values; this keeps any path that forgets from storing a score-bending number."""
    problems = []
    flagged = {p.column for p in found}
    for key, value in record.items():
        if not isinstance(value, float) and not (isinstance(value, int) and not isinstance(value, bool)):
            continue
        column = _POPULATION_FIELDS.get(key)
        if column is not None and column not in flagged and ctx.cell(row, column) is not None:
            try:
                _check_amount(ctx, float(value), column, "dân số")
            except RowProblem as problem:
                problems.append(_issue(row.number, problem.column, problem.message))
        elif isinstance(value, float) and not math.isfinite(value) and not found:
            problems.append(_issue(row.number, None, f"giá trị “{key}” không phải là số hữu hạn"))
    return problems


def _overflow_problem(ctx: Context, row) -> list[Issue]:
    """CSV cells beyond the heading: most often an unquoted decimal comma ('80,44' split in
    two), which would otherwise store 80 and drop 44."""
    if not ctx.table.source.startswith("CSV"):
        return []
    extra = [c for c in row.cells[len(ctx.table.headings):] if not is_blank(c.value)]
    if not extra:
        return []
    return [_issue(row.number, None, (
        f"có {len(ctx.table.headings) + len(extra)} ô, nhiều hơn {len(ctx.table.headings)} cột của "
        "dòng tiêu đề — có thể số thập phân dùng dấu phẩy trong tệp phân cách bằng dấu phẩy; "
        "hãy đặt số trong ngoặc kép hoặc lưu tệp với dấu chấm phẩy"))]


def _issue(row: int, column: str | None, message: str) -> Issue:
    # Field readers say 'cột X: reason'; the row is named once, in front.
    return Issue(row, column, f"Dòng {row}, {message}" if message.startswith("cột ") else f"Dòng {row}: {message}")


def _same(a: dict, b: dict, kind: str) -> bool:
    fields = {"actuals": ("value",), "targets": ("comparator", "target"),
              "communes": ("commune_name", "province", "adult_population", "population_15plus", "working_age_population"),
              "tasks": ("status", "completed_on"), "spending": ("planned", "spent")}[kind]
    return all(a.get(f) == b.get(f) for f in fields)


def _mark_repeats(rows: list[RowResult], kind: str) -> None:
    """The same key twice in one file: the same value again is harmless (kept once); two
    different values reject every row of that key, since we cannot know which is right."""
    groups: dict[tuple, list[RowResult]] = {}
    for result in rows:
        if result.status == STATUS_ACCEPTED:
            groups.setdefault(tuple(result.record.get(k) for k in KEYS[kind]), []).append(result)
    for group in groups.values():
        if len(group) < 2:
            continue
        first = group[0]
        if all(_same(first.record, other.record, kind) for other in group[1:]):
            for other in group[1:]:
                other.status = STATUS_DUPLICATE
                other.warnings.append(Issue(other.row, None, f"Dòng {other.row}: trùng dòng {first.row}, chỉ lưu một lần"))
            continue
        # At most a few rows and values in each message: a file repeating one key on 50,000
        # rows would otherwise write every row into every message (billions of characters).
        rows_text = _first_few([str(r.row) for r in group], "dòng")
        what = _describe_key(first.record, kind)
        values = _first_few([_describe_value(r.record, kind) for r in group], "giá trị", " ≠ ")
        for other in group:
            other.status = STATUS_REJECTED
            other.problems.append(Issue(other.row, None, (
                f"Dòng {other.row}: {what} có ở các dòng {rows_text} với giá trị khác nhau ({values}); "
                "hãy giữ lại một dòng")))


def _first_few(items: list[str], noun: str, separator: str = ", ", shown: int = 5) -> str:
    """'11, 12' — or '11, 12, 13, 14, 15 và 49.994 dòng khác' when there are many."""
    if len(items) <= shown:
        return separator.join(items)
    return separator.join(items[:shown]) + f" và {format_number(len(items) - shown, 0)} {noun} khác"


def _describe_key(record: dict, kind: str) -> str:
    if kind == "actuals":
        return f"xã {record['commune_name']}, chỉ tiêu {record['indicator']}, {format_month(record['period'])}"
    if kind == "targets":
        return f"xã {record['commune_name']}, chỉ tiêu {record['indicator']}, năm {record['year']}"
    if kind == "tasks":
        return f"xã {record['commune_name']}, nhiệm vụ mục {record['item']} năm {record['plan_year']}"
    if kind == "spending":
        return f"xã {record['commune_name']}, khoản chi “{record['item']}” năm {record['year']}"
    return f"xã {record['commune_name']} ({record['province']})"


def _describe_value(record: dict, kind: str) -> str:
    if kind == "actuals":
        return compact(record["value"])
    if kind == "targets":
        return f"{record['comparator']} {compact(record['target'])}"
    if kind == "tasks":
        return _task_status_text(record)
    if kind == "spending":
        return " / ".join(_amount_text(record.get(k)) or "–" for k in ("planned", "spent"))
    return record.get("commune_name") or ""


def _task_status_text(record: dict) -> str:
    status = TASK_STATUS_LABELS.get(record.get("status"), "")
    if record.get("completed_on"):
        status += f" ngày {record['completed_on'].strftime('%d/%m/%Y')}"
    return status


def _amount_text(amount: int | None) -> str:
    return "" if amount is None else format_number(amount, 0)


# ---- what the page shows -------------------------------------------------------------------


def _shown_number(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return ""
    if unit == "yes_no":
        return "Có" if value >= 1 else "Không"
    text = format_number(value, 2)
    text = text.rstrip("0").rstrip(",") if "," in text else text
    return text + (" %" if unit == "percent" else "")


def preview_frame(result: CheckResult) -> pl.DataFrame:
    """One line per data row, in Vietnamese, with its status and its problems."""
    lines = []
    for row in result.rows:
        record = row.record
        line = {"Dòng": row.row, "Trạng thái": STATUS_NAMES[row.status]}
        if result.kind == "actuals":
            period = record.get("period")
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Chỉ tiêu": record.get("indicator") or "", "Kỳ": format_month(period) if period else "",
                "Giá trị": _shown_number(record.get("value"), record.get("unit")),
                "Tử số": _shown_number(record.get("numerator")), "Mẫu số": _shown_number(record.get("denominator")),
                "Ghi chú": record.get("note") or "",
            }
        elif result.kind == "targets":
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Chỉ tiêu": record.get("indicator") or "", "Năm": str(record.get("year") or ""),
                "Mục tiêu": record.get("target_text") or "", "Đơn vị chủ trì": record.get("lead_unit") or "",
                "Nguồn": record.get("source_doc") or "",
            }
        elif result.kind == "tasks":
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Năm": str(record.get("plan_year") or ""), "Mục": record.get("item") or "",
                "Nhiệm vụ": record.get("task_name") or "", "Tình trạng": _task_status_text(record),
                "Ghi chú": record.get("note") or "",
            }
        elif result.kind == "spending":
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Năm": str(record.get("year") or ""), "Khoản chi": record.get("item") or "",
                "Dự toán (đồng)": _amount_text(record.get("planned")), "Đã chi (đồng)": _amount_text(record.get("spent")),
                "Ghi chú": record.get("note") or "",
            }
        else:
            line |= {
                "Mã xã": record.get("commune_code") or "", "Tên xã": record.get("commune_name") or "",
                "Tỉnh": record.get("province") or "", "Dân số": _shown_number(record.get("adult_population")),
            }
        line["Vấn đề"] = "; ".join(_without_row(i.message) for i in row.problems + row.warnings)
        lines.append(line)
    return pl.DataFrame(lines) if lines else pl.DataFrame({"Dòng": [], "Trạng thái": []})


def _without_row(message: str) -> str:
    """'Dòng 7, cột Tên xã: …' -> 'cột Tên xã: …' (the preview has its own row column)."""
    found = re.match(r"^Dòng \d+(?:, |: )", message)
    return message[found.end():] if found else message


# ---- storing -------------------------------------------------------------------------------


def store_checked(result: CheckResult, store, user: str = "", *, actor: Account | None = None,
                  reason: str | None = None, evidence=(), received_at: datetime | None = None) -> Receipt:
    """Store the accepted rows of a checked file as one upload, through
    `queries.changes.store_upload` (which checks the account and the calendar again). `store`
    is a Database, a CatalogDatabase, a Store or a directory. The same file again changes
    nothing.

    For programs: without `actor` it acts as the local administrator recorded as `user` (the
    system user when empty), and a closed month is stored with PROGRAM_REASON unless a reason
    is given. The page and the command line call `changes.store_upload` with the person's own
    account and reason. Raises NothingToStore, or changes.Refused with a Vietnamese message.
    """
    db = _database(store)
    if actor is None:
        actor = dataclasses.replace(LOCAL_ADMIN, username=user) if user else LOCAL_ADMIN
        if not (reason or "").strip() and result.kind == "actuals" and result.readable:
            months = {r.record["period"] for r in result.accepted if r.record.get("period")}
            if changes.closed_months(months, db):
                reason = PROGRAM_REASON
    return changes.store_upload(db, result, actor, evidence=evidence, received_at=received_at, reason=reason)


def _database(store):
    """What changes.store_upload needs (`store`, `settings`) from what the caller holds."""
    if isinstance(getattr(store, "store", None), Store) and hasattr(store, "settings"):
        return store
    from queries.ingest.catalog import CatalogDatabase

    return CatalogDatabase(store.root if isinstance(store, Store) else store)


# ---- one file on the command line (queries/ingest/cli.py) --------------------------------------


def _summary(result: CheckResult) -> str:
    lines = [f"Tệp: {result.file_name}"]
    if result.source:
        lines.append(f"Đọc được: {result.source}; dòng tiêu đề là dòng {result.header_row}")
    if result.kind and result.readable:
        duplicates = sum(1 for r in result.rows if r.status == STATUS_DUPLICATE)
        lines.append(
            f"Loại: {KIND_NAMES[result.kind]} — {len(result.rows)} dòng: {len(result.accepted)} hợp lệ, "
            f"{len(result.rejected)} lỗi" + (f", {duplicates} trùng" if duplicates else "")
        )
    if result.errors:
        lines.append("Lỗi:")
        lines.extend(f"  {e.message}" for e in result.errors)
    if result.warnings:
        lines.append("Lưu ý:")
        lines.extend(f"  {w.message}" for w in result.warnings)
    return "\n".join(lines)


def _process(path: Path, session) -> tuple[int, dict, str]:
    """Check one file as `session.actor` and, unless it is a dry run, store it through
    `changes.store_upload` with the session's evidence, received_at and reason. Returns
    (exit code, the documented JSON object, the text for the terminal). `session` is a
    queries.ingest.cli.Session."""
    try:
        content = path.read_bytes()
    except OSError as error:
        message = f"Không mở được tệp “{path}”: {os_reason(error)}"
        return 2, _json_failure(str(path), session.kind, message), message
    result = check_file(content, path.name, kind=session.kind, db=session.db, defaults=session.defaults,
                        actor=session.actor)
    output = result.to_json()
    output["file"] = str(path)
    text = _summary(result)
    code = result.exit_code

    def refuse(message: str, hint: str = "") -> None:
        nonlocal code, text
        output["errors"].insert(0, {"row": None, "column": None, "message": message})
        code = 2
        text += f"\nKhông lưu gì: {message}{hint}"

    if session.refusal:  # a refused evidence file refuses the whole upload
        refuse(session.refusal)
    elif session.dry_run:
        text += "\nChạy thử (--dry-run): chưa lưu gì"
        if result.closed_months and not session.reason:
            text += "\nTháng đã khóa sổ: khi lưu hãy ghi lý do (--reason “…”)"
    elif result.readable and result.accepted:
        try:
            receipt = changes.store_upload(session.db, result, session.actor, evidence=session.evidence,
                                           received_at=session.received_at, reason=session.reason)
        except changes.Refused as refusal:
            refuse(refusal.message, " Ghi lý do bằng --reason “…”." if refusal.message == changes.REASON_NEEDED else "")
        else:
            output["stored"] = {"upload_id": receipt.upload_id, "duplicate": receipt.duplicate}
            text += ("\nTệp này đã được lưu trước đó (mã " + receipt.upload_id + "): không có gì thay đổi"
                     if receipt.duplicate else f"\nĐã lưu {len(result.accepted)} dòng (mã tải lên {receipt.upload_id})")
    return code, output, text


def os_reason(error: OSError) -> str:
    """Why a file could not be opened, in Vietnamese (the system's own words are English)."""
    if isinstance(error, FileNotFoundError):
        return "không có tệp này"
    if isinstance(error, IsADirectoryError):
        return "đây là thư mục, không phải tệp"
    if isinstance(error, PermissionError):
        return "không có quyền đọc tệp này"
    return str(error.strerror or error)


def _json_failure(file_name: str | None, kind: str | None, message: str) -> dict:
    """The documented JSON object of a file that could not be checked at all."""
    return {"file": file_name, "kind": kind, "rows": 0, "accepted": [],
            "errors": [{"row": None, "column": None, "message": message}], "warnings": [], "duplicates": []}


def main(argv: list[str] | None = None) -> int:
    """`python -m queries.ingest` (the command line lives in queries/ingest/cli.py)."""
    from queries.ingest.cli import main as command_line

    return command_line(argv)
