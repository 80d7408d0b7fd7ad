"""Reading the fields of one row against the catalog: which commune and indicator it names,
its month or year, its measured value; each reader raises `RowProblem` (column, Vietnamese
reason) and the kinds of file (queries/ingest/kinds/) collect them. `Context` is what every
reader is given: the table, the catalog, the kind, the page's choices for empty cells, the
day and the account acting.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from queries import i18n
from queries.accounts.permissions import LOCAL_ADMIN, Account
from queries.cells import ParseError, compact, is_blank, parse_number, show
from queries.errors import UserFacingError
from queries.i18n import _
from queries.ingest.known import Catalog, Commune, Indicator, code_text, find_indicator
from queries.ingest.parse import Reading, check_plausible, parse_measure, parse_month, parse_year, ratio
from queries.ingest.readers import Cell, Table, label
from queries.text import commune_key, fold, format_month, nfc, province_key

# How far apart a given value and its numerator/denominator may be before we say so:
# plans round 80.99 to 81.
RATIO_TOLERANCE = 0.5


class RowProblem(UserFacingError):
    """One thing wrong with a row, raised by the field readers of this module and the kinds."""

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

    def at(self, column: str, reason: str) -> str:
        """'cột Giá trị: thiếu giá trị': a reason about one column, named as the file heads it."""
        return in_column(self.where(column), reason)


def in_column(heading: str, reason: str) -> str:
    return _("cột {column}: {reason}").format(column=heading, reason=reason)


def names_column(message: str) -> bool:
    """Whether a message begins as `in_column` begins ('cột …', 'column …')."""
    return message.startswith(in_column("\x00", "").partition("\x00")[0])


def _commune_text(ctx: Context, row) -> tuple[str | None, str | None, str | None]:
    """(code, name, province) as typed in the row, the page's choice filling blanks."""
    code_cell = ctx.cell(row, "ma_xa")
    code = code_text(code_cell.value) if code_cell else None
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
            raise RowProblem("ma_xa", ctx.at("ma_xa", _("không có xã mã “{code}” trong danh sách xã").format(code=code)))
        if name and commune_key(name) != commune_key(commune.name):
            raise RowProblem("ten_xa", ctx.at("ten_xa", _("mã xã “{code}” là {commune} ({province}), không phải “{name}”").format(
                code=code, commune=commune.name, province=commune.province, name=name)))
        return commune
    if not name:
        raise RowProblem("ten_xa", ctx.at("ten_xa", _("thiếu tên xã")))
    candidates = catalog.by_name.get(commune_key(name), [])
    if province:
        key = province_key(province)
        if key not in catalog.provinces:
            raise RowProblem("tinh", ctx.at("tinh", _("không có tỉnh “{province}” trong danh sách xã").format(province=province)))
        in_province = [c for c in candidates if province_key(c.province) == key]
        if len(in_province) == 1:
            return in_province[0]
        province_name = catalog.provinces[key]
        if len(in_province) > 1:
            ids = ", ".join(c.commune_id for c in in_province)
            raise RowProblem("ma_xa", _("tỉnh {province} có nhiều xã tên “{name}” ({ids}): hãy ghi mã xã").format(
                province=province_name, name=name, ids=ids))
        hint = _suggest(catalog, name, province_name)
        raise RowProblem("ten_xa", ctx.at("ten_xa", _("không tìm thấy xã “{name}” trong tỉnh {province}").format(
            name=name, province=province_name) + hint))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        places = "; ".join(f"{c.name} ({c.province})" for c in sorted(candidates, key=lambda c: fold(c.province)))
        raise RowProblem("tinh", _("có nhiều xã tên “{name}”: {places} — hãy ghi thêm cột Tỉnh").format(name=name, places=places))
    hint = _suggest(catalog, name)
    raise RowProblem("ten_xa", ctx.at("ten_xa", _("không tìm thấy xã “{name}” trong danh sách xã").format(name=name) + hint))


def _suggest(catalog: Catalog, name: str, province: str | None = None) -> str:
    """' — có phải “Xã Định Tiến”?' for a near miss, so a typo costs one glance. Cached on the
    catalog, since a file repeats its typos row after row."""
    key = (commune_key(name), province, i18n.current())
    if key not in catalog.suggestions:
        communes = catalog.in_province(province) if province else catalog.communes
        by_key = {commune_key(c.name): c for c in communes}
        close = difflib.get_close_matches(key[0], list(by_key), n=1, cutoff=0.75)
        hint = ""
        if close:
            commune = by_key[close[0]]
            hint = (_(" — có phải “{commune}”?") if province else _(" — có phải “{commune}” ({province})?")).format(
                commune=commune.name, province=commune.province)
        catalog.suggestions[key] = hint
    return catalog.suggestions[key]


def resolve_indicator(ctx: Context, row) -> Indicator:
    cell = ctx.cell(row, "ma_chi_tieu") or ctx.cell(row, "ten_chi_tieu")
    if cell is None:
        raise RowProblem("ma_chi_tieu", ctx.at("ma_chi_tieu", _("thiếu mã chỉ tiêu")))
    indicator = find_indicator(ctx.catalog, cell.value)
    if indicator is None:
        column = "ma_chi_tieu" if ctx.cell(row, "ma_chi_tieu") else "ten_chi_tieu"
        raise RowProblem(column, ctx.at(column, _("không có chỉ tiêu “{indicator}” trong danh mục chỉ tiêu").format(
            indicator=show(cell.value))))
    return indicator


def _page_default(ctx: Context, column: str, key: str, missing: str):
    """The value chosen on the page for a cell the file left empty (recorded, because it
    becomes part of what identifies the upload), or the row's problem when there is none."""
    default = ctx.defaults.get(key)
    if default is None:
        raise RowProblem(column, ctx.at(column, missing))
    ctx.used_defaults[key] = str(default)
    return default


def read_period(ctx: Context, row) -> date:
    cell = ctx.cell(row, "ky_bao_cao")
    if cell is None:
        value = _page_default(ctx, "ky_bao_cao", "period", _("thiếu kỳ báo cáo"))
    else:
        value = cell.value
        year_cell = ctx.cell(row, "nam")
        # 'Tháng' and 'Năm' in two columns: 3 | 2026.
        if year_cell is not None and _small_int(value) is not None:
            value = f"{_small_int(value)}/{show(year_cell.value)}"
    try:
        period = parse_month(value)
    except ParseError as error:
        raise RowProblem("ky_bao_cao", ctx.at("ky_bao_cao", str(error))) from None
    if period > date(ctx.today.year, ctx.today.month, 1):
        raise RowProblem("ky_bao_cao", ctx.at("ky_bao_cao", _("kỳ báo cáo {month} ở tương lai (hôm nay là {today})").format(
            month=format_month(period), today=ctx.today.strftime("%d/%m/%Y"))))
    first_year = ctx.catalog.first_target_year
    # The year before the first targets is the baseline plans report against (seed 001:
    # 2024 results, 2025 targets); anything older is a typo (03/2000 for 03/2026) that would
    # otherwise stand as the latest value of an indicator never reported since.
    if first_year is not None and period.year < first_year - 1:
        raise RowProblem("ky_bao_cao", ctx.at("ky_bao_cao", _(
            "kỳ báo cáo {month} trước năm {baseline} (chỉ tiêu bắt đầu từ năm {first}, số liệu nhận từ năm "
            "trước đó); hãy kiểm tra lại năm").format(month=format_month(period), baseline=first_year - 1,
                                                     first=first_year)))
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
        raise RowProblem(column, ctx.at(column, str(error))) from None


def read_measure(ctx: Context, row, indicator: Indicator) -> Reading:
    """The value from `gia_tri`, or computed from `tu_so`/`mau_so`; checked for its unit."""
    value_cell = ctx.cell(row, "gia_tri")
    numerator_cell, denominator_cell = ctx.cell(row, "tu_so"), ctx.cell(row, "mau_so")
    numerator = _number(ctx, numerator_cell, "tu_so", thousands=True) if numerator_cell else None
    denominator = _number(ctx, denominator_cell, "mau_so", thousands=True) if denominator_cell else None
    for amount, column in ((numerator, "tu_so"), (denominator, "mau_so")):
        if amount is not None and amount < 0:
            raise RowProblem(column, ctx.at(column, _("{what} không được âm").format(what=label(column).lower())))
        if amount is not None:
            check_amount(ctx, amount, column)
    if value_cell is None:
        if numerator is None and denominator is None:
            raise RowProblem("gia_tri", ctx.at("gia_tri", _("thiếu giá trị")))
        if numerator is None or denominator is None:
            missing = "tu_so" if numerator is None else "mau_so"
            other = "mau_so" if missing == "tu_so" else "tu_so"
            raise RowProblem(missing, ctx.at(missing, _("thiếu {missing} (có {other} nhưng không có giá trị)").format(
                missing=label(missing).lower(), other=label(other).lower())))
        if indicator.unit not in ("percent", "per_1000"):
            raise RowProblem("gia_tri", ctx.at("gia_tri", _("thiếu giá trị (tử số/mẫu số chỉ dùng cho chỉ tiêu tỷ lệ)")))
        if denominator == 0:
            raise RowProblem("mau_so", ctx.at("mau_so", _("mẫu số bằng 0")))
        try:
            value = ratio(numerator, denominator, indicator.unit, f"{show(numerator)}/{show(denominator)}")
        except ParseError as error:
            raise RowProblem("tu_so", ctx.at("tu_so", str(error))) from None
        reading = Reading(value, numerator, denominator)
    else:
        try:
            reading = parse_measure(value_cell.value, indicator.unit, percent_format=value_cell.percent_format)
        except ParseError as error:
            raise RowProblem("gia_tri", ctx.at("gia_tri", str(error))) from None
        for amount, name in ((reading.numerator, "tu_so"), (reading.denominator, "mau_so")):
            if amount is not None:  # '4227/5219' written in the value cell
                check_amount(ctx, amount, "gia_tri", label(name).lower())
        if reading.numerator is None and numerator is not None and denominator is not None:
            reading = _with_ratio_check(ctx, reading, numerator, denominator, indicator)
    check_range(ctx, reading.value, indicator, "gia_tri" if value_cell else "tu_so", value_cell)
    return reading


def _with_ratio_check(ctx: Context, reading: Reading, numerator: float, denominator: float, indicator: Indicator) -> Reading:
    warning = reading.warning
    if denominator == 0:
        raise RowProblem("mau_so", ctx.at("mau_so", _("mẫu số bằng 0")))
    if indicator.unit in ("percent", "per_1000"):
        try:
            computed = ratio(numerator, denominator, indicator.unit, f"{show(numerator)}/{show(denominator)}")
        except ParseError as error:
            raise RowProblem("tu_so", ctx.at("tu_so", str(error))) from None
        if abs(computed - reading.value) > RATIO_TOLERANCE:
            warning = _("giá trị {value} khác tỷ lệ tử số/mẫu số {fraction} = {computed}; đã lưu giá trị đã ghi").format(
                value=compact(reading.value), fraction=f"{show(numerator)}/{show(denominator)}", computed=compact(computed))
    return Reading(reading.value, numerator, denominator, warning)


def check_range(ctx: Context, value: float, indicator: Indicator, column: str, cell: Cell | None = None) -> None:
    """Every value, target included, must be finite and plausible for its unit before it is
    accepted (`check_plausible`: the bounds are the settings max_count and max_per_1000)."""
    try:
        check_plausible(value, indicator.unit, ctx.catalog.limits)
    except ParseError as error:
        percent_cell = indicator.unit == "percent" and cell is not None and cell.percent_format and math.isfinite(value)
        hint = _(" (ô Excel định dạng phần trăm đang hiển thị số này)") if percent_cell else ""
        raise RowProblem(column, ctx.at(column, f"{error}{hint}")) from None


def check_amount(ctx: Context, amount: float, column: str, what: str | None = None) -> None:
    """A numerator, denominator or population: a count of people or things, so finite,
    not negative and at most max_count."""
    try:
        check_plausible(amount, "count", ctx.catalog.limits, what or label(column).lower())
    except ParseError as error:
        raise RowProblem(column, ctx.at(column, str(error))) from None


# ---- what several kinds read alike ------------------------------------------------------


def read_key(ctx: Context, row, read_time) -> tuple[object, object, object, list[RowProblem]]:
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


def key_fields(ctx: Context, row, commune, indicator) -> dict:
    """Row number, commune and indicator of a record: as resolved, or as the file wrote them
    when they could not be (so the preview still shows what was typed)."""
    return {
        "row_number": row.number,
        "commune_id": commune.commune_id if commune else None,
        "commune_name": commune.name if commune else ctx.text(row, "ten_xa"),
        "province": commune.province if commune else ctx.text(row, "tinh"),
        "indicator": indicator.code if indicator else ctx.text(row, "ma_chi_tieu"),
    }


def read_year(ctx: Context, row) -> int:
    cell = ctx.cell(row, "nam")
    if cell is None:
        return int(_page_default(ctx, "nam", "year", _("thiếu năm")))
    try:
        return parse_year(cell.value)
    except ParseError as error:
        raise RowProblem("nam", ctx.at("nam", str(error))) from None


def resolved_commune(ctx: Context, row, problems: list[RowProblem]) -> Commune | None:
    try:
        return resolve_commune(ctx, row)
    except RowProblem as problem:
        problems.append(problem)
        return None


def commune_fields(ctx: Context, row, commune: Commune | None) -> dict:
    return {
        "row_number": row.number,
        "commune_id": commune.commune_id if commune else None,
        "commune_name": commune.name if commune else ctx.text(row, "ten_xa"),
        "province": commune.province if commune else ctx.text(row, "tinh"),
    }
