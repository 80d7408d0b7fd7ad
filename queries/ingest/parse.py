"""Reading the values people type into a monthly file: numbers, percentages, fractions,
months, years, yes/no and targets with comparators.

Every parser takes a raw cell (text from a CSV, or whatever openpyxl gives for an .xlsx
cell: int, float, datetime, bool) and returns a Python value, or raises `ParseError` whose
message is Vietnamese and names the value as the user typed it. The caller adds the row and
column. Nothing here knows about communes or the store. Reading one cell (blank or not, a
plain number, a name for messages) is the base module queries/cells.py, shared with the plan rules.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from queries.cells import ParseError, brief, compact, from_excel_serial, is_blank, parse_number, show
from queries.i18n import _
from queries.text import fold, nfc


@dataclass(frozen=True)
class Reading:
    """A measured value read from one or more cells: value on the indicator's scale
    (percent 0–100, yes/no 1 or 0), and numerator/denominator when the file gave them."""

    value: float
    numerator: float | None = None
    denominator: float | None = None
    warning: str | None = None


def split_fraction(cell: object) -> tuple[str, str] | None:
    """'4227/5219' -> ('4227', '5219'); anything else -> None."""
    if not isinstance(cell, str) or "/" not in cell:
        return None
    parts = cell.split("/")
    if len(parts) != 2 or is_blank(parts[0]) or is_blank(parts[1]):
        return None
    return parts[0], parts[1]


def ratio(numerator: float, denominator: float, unit: str, shown: str) -> float:
    """Value of a fraction on the indicator's scale, rounded to 2 decimals as the plans do."""
    if denominator == 0:
        raise ParseError(_("mẫu số bằng 0 ({value})").format(value=shown))
    if numerator < 0 or denominator < 0:
        raise ParseError(_("tử số và mẫu số không được âm ({value})").format(value=shown))
    scale = {"percent": 100.0, "per_1000": 1000.0}.get(unit, 1.0)
    value = round(scale * numerator / denominator, 2)
    if not math.isfinite(value):  # two absurd sizes: infinity over infinity is not a number
        raise ParseError(_("tử số và mẫu số quá lớn ({value})").format(value=shown))
    return value


@dataclass(frozen=True)
class ValueLimits:
    """The largest value a real commune can report, from the settings `max_count` and
    `max_per_1000`; beyond it the cell is a typo or a broken file, and it is refused rather
    than stored, since it would score full points."""

    max_count: float = 10_000_000
    max_per_1000: float = 1000

    @classmethod
    def from_settings(cls, settings: dict | None) -> ValueLimits:
        return cls(*(_positive(settings, name, default) for name, default in
                     (("max_count", cls.max_count), ("max_per_1000", cls.max_per_1000))))


def _positive(settings: dict | None, name: str, default: float) -> float:
    """A positive number from settings.json, or the default when it is missing or not one."""
    try:
        value = float((settings or {}).get(name, default))
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) and value > 0 else default


def check_plausible(value: float, unit: str, limits: ValueLimits, what: str | None = None) -> None:
    """Refuse a value that is not finite or not plausible for its unit: percent 0–100, yes/no
    0 or 1, count 0–max_count, per_1000 0–max_per_1000. `what` names the quantity in the
    message ('tỷ lệ', 'tử số', 'dân số')."""
    shown = compact(value)
    if not math.isfinite(value):
        raise ParseError(_("{what} không phải là số hữu hạn ({value})").format(what=what or _("giá trị"), value=shown))
    if unit == "percent":
        if not 0 <= value <= 100:
            raise ParseError(_("{what} {value} % nằm ngoài khoảng 0–100").format(what=what or _("tỷ lệ"), value=shown))
    elif unit == "yes_no":
        if value not in (0, 1):
            raise ParseError(_("{what} phải là 1 (Có) hoặc 0 (Không), không phải {value}").format(
                what=what or _("giá trị Có/Không"), value=shown))
    elif value < 0:
        raise ParseError(_("{what} không được âm ({value})").format(what=what or _("số lượng"), value=shown))
    else:
        largest = limits.max_per_1000 if unit == "per_1000" else limits.max_count
        if value > largest:
            raise ParseError(_("{what} {value} lớn hơn mức hợp lý {largest}; hãy kiểm tra lại số đã ghi").format(
                what=what or (_("tỷ lệ trên 1.000 dân") if unit == "per_1000" else _("số lượng")), value=shown,
                largest=compact(largest)))


_YES = {"co", "x", "yes", "y", "true", "dat", "da co", "da", "roi", "da thuc hien", "1"}
_NO = {"khong", "no", "n", "false", "chua", "chua co", "khong co", "chua thuc hien", "0"}


def parse_yes_no(cell: object) -> float:
    """'Có' -> 1, 'Không' -> 0 (also x, yes/no, Đạt/Chưa, 1/0, TRUE/FALSE)."""
    if isinstance(cell, bool):
        return 1.0 if cell else 0.0
    if isinstance(cell, (int, float)) and cell in (0, 1):
        return float(cell)
    if isinstance(cell, str):
        key = fold(cell).strip(" .")
        if key in _YES:
            return 1.0
        if key in _NO:
            return 0.0
    raise ParseError(_("“{value}” không phải là Có/Không").format(value=brief(cell)))


def parse_measure(cell: object, unit: str, *, percent_format: bool = False) -> Reading:
    """One value cell of an indicator with `unit` (percent, count, yes_no, per_1000).

    `percent_format` is True for an .xlsx cell formatted as a percentage: Excel keeps
    0.8044 and shows 80,44 %, and the user means 80.44. A bare 0.8044 without that format
    is taken as typed (0.8044 %), never guessed, with a warning the page shows next to the row.
    """
    if unit == "yes_no":
        return Reading(parse_yes_no(cell))
    fraction = split_fraction(cell)
    if fraction:
        if unit not in ("percent", "per_1000"):
            raise ParseError(_("“{value}”: phân số chỉ dùng cho chỉ tiêu tỷ lệ").format(value=brief(cell)))
        numerator = parse_number(fraction[0], thousands_hint=True)
        denominator = parse_number(fraction[1], thousands_hint=True)
        value = ratio(numerator, denominator, unit, brief(cell))
        return Reading(value, numerator, denominator)
    has_percent_sign = isinstance(cell, str) and cell.strip().endswith("%")
    text = cell.strip().rstrip("%") if has_percent_sign else cell
    if has_percent_sign and unit != "percent":
        raise ParseError(_("“{value}” là phần trăm nhưng chỉ tiêu này không tính bằng %").format(value=brief(cell)))
    value = parse_number(text, thousands_hint=unit == "count")
    if percent_format and unit == "percent" and isinstance(cell, (int, float)):
        # Round away the binary noise of 0.8044 * 100 without touching real decimals.
        return Reading(round(value * 100, 9))
    warning = None
    if unit == "percent" and not has_percent_sign and 0 < value < 1:
        warning = _("giá trị {value} được hiểu là {value} %; nếu ý là {hundred} % hãy ghi {hundred}%").format(
            value=compact(value), hundred=compact(value * 100))
    return Reading(value, warning=warning)


# ---- months and years --------------------------------------------------------------------

_MONTH_PATTERNS = (
    # 'T3/2026', 'Tháng 3/2026', 'tháng 03 năm 2026', 'thang 3-2026' (text folded first)
    re.compile(r"^(?:t|thang)\s*\.?\s*(\d{1,2})\s*(?:[/.\-]|nam|,)?\s*(?:nam\s*)?(\d{4})$"),
    re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$"),  # 03/2026, 3-2026
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[/.\-]\s*(\d{1,2})$")  # 2026-03
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_YEARS = range(2000, 2101)


def _month(year: int, month: int, shown: str) -> date:
    if year not in _YEARS:
        raise ParseError(_("năm {year} trong “{value}” không hợp lệ").format(year=year, value=shown))
    if not 1 <= month <= 12:
        raise ParseError(_("tháng {month} trong “{value}” không hợp lệ").format(month=month, value=shown))
    return date(year, month, 1)


def parse_month(cell: object) -> date:
    """Any common way of writing a month -> the first day of that month.

    '03/2026', 'T3/2026', 'Tháng 3/2026', 'tháng 03 năm 2026', '2026-03', '01/03/2026'
    (day first, as Vietnamese dates are), '2026-03-01', an Excel date cell, an Excel serial
    number (46082).
    """
    if isinstance(cell, datetime):
        return _month(cell.year, cell.month, show(cell))
    if isinstance(cell, date):
        return _month(cell.year, cell.month, show(cell))
    if isinstance(cell, bool) or cell is None:
        raise ParseError(_("“{value}” không phải là tháng").format(value=brief(cell)))
    if isinstance(cell, (int, float)):
        if 20000 <= cell <= 80000:  # Excel serial of a day between 1954 and 2119
            day = from_excel_serial(cell)
            return _month(day.year, day.month, show(cell))
        raise ParseError(_("“{value}” không phải là tháng").format(value=brief(cell)))
    shown = nfc(str(cell))
    text = fold(shown).strip().lstrip("'").strip()
    for pattern in _MONTH_PATTERNS:
        found = pattern.match(text)
        if found:
            return _month(int(found.group(2)), int(found.group(1)), shown)
    found = _YEAR_MONTH.match(text)
    if found:
        return _month(int(found.group(1)), int(found.group(2)), shown)
    found = _DAY_MONTH_YEAR.match(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
        _check_day(day, month, year, shown)
        return _month(year, month, shown)
    found = _YEAR_MONTH_DAY.match(text)
    if found:
        year, month, day = (int(g) for g in found.groups())
        _check_day(day, month, year, shown)
        return _month(year, month, shown)
    if _SERIAL.match(text):
        return parse_month(float(text.replace(",", ".")))
    raise ParseError(_("“{value}” không phải là tháng (ví dụ đúng: 03/2026 hoặc Tháng 3/2026)").format(value=brief(shown)))


def _check_day(day: int, month: int, year: int, shown: str) -> None:
    if not 1 <= month <= 12:
        raise ParseError(_("tháng {month} trong “{value}” không hợp lệ (ngày ghi trước tháng: 01/03/2026)").format(
            month=month, value=shown))
    try:
        date(year, month, day)
    except ValueError as error:
        raise ParseError(_("“{value}” không phải là ngày có thật").format(value=shown)) from error


def parse_year(cell: object) -> int:
    """2026, 2026.0, '2026', 'Năm 2026' -> 2026."""
    if isinstance(cell, (datetime, date)):
        return cell.year
    if isinstance(cell, bool):
        raise ParseError(_("“{value}” không phải là năm").format(value=brief(cell)))
    if isinstance(cell, (int, float)):
        if isinstance(cell, int) or (math.isfinite(cell) and cell.is_integer()):
            if int(cell) in _YEARS:
                return int(cell)
        raise ParseError(_("“{value}” không phải là năm hợp lệ").format(value=brief(cell)))
    found = re.fullmatch(r"(?:nam\s*)?(\d{4})", fold(str(cell)).strip())
    if found and int(found.group(1)) in _YEARS:
        return int(found.group(1))
    raise ParseError(_("“{value}” không phải là năm (ví dụ đúng: 2026)").format(value=brief(cell)))


# ---- targets -----------------------------------------------------------------------------

# Comparator words as plans write them (folded), longest first so 'khong duoi' wins over 'duoi'.
_COMPARATOR_WORDS = (
    ("khong duoi", ">="), ("khong it hon", ">="), ("toi thieu", ">="), ("it nhat", ">="),
    ("tu", ">="), ("dat", ">="), ("tren", ">"), ("hon", ">"),
    ("khong qua", "<="), ("khong vuot qua", "<="), ("toi da", "<="), ("duoi", "<"),
)
_COMPARATOR_SIGNS = (
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("⩾", ">="), ("<=", "<="), ("=<", "<="),
    ("≤", "<="), ("⩽", "<="), (">", ">"), ("<", "<"), ("=", ">="),
)
_FIRST_NUMBER = re.compile(r"[+-]?\d[\d.,]*(?:\s*/\s*\d[\d.,]*)?\s*%?")


@dataclass(frozen=True)
class Target:
    comparator: str  # '>=', '>', '<=', '<'
    value: float
    text: str  # as the plan wrote it


def _split_comparator(text: str) -> tuple[str | None, str]:
    stripped = text.strip()
    for sign, comparator in _COMPARATOR_SIGNS:
        if stripped.startswith(sign):
            return comparator, stripped[len(sign):].strip()
    folded = fold(stripped)
    for words, comparator in sorted(_COMPARATOR_WORDS, key=lambda w: -len(w[0])):
        if folded.startswith(words + " ") or (folded.startswith(words) and folded[len(words):][:1].isdigit()):
            return comparator, stripped[len(words):].strip()
    return None, stripped


def parse_target(cell: object, unit: str, *, direction: str = "up", percent_format: bool = False) -> Target:
    """'≥ 95%' -> ('>=', 95), '> 80' -> ('>', 80), '100%' -> ('>=', 100) ("reach 100%"),
    '01 doanh nghiệp/1.000 dân' -> ('>=', 1), 'Có' -> ('>=', 1) for yes/no."""
    default = "<=" if direction == "down" else ">="
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        reading = parse_measure(cell, unit, percent_format=percent_format)
        return Target(default, reading.value, compact(reading.value) + (" %" if unit == "percent" else ""))
    text = nfc(str(cell))
    if unit == "yes_no":
        try:
            return Target(default, parse_yes_no(text), text)
        except ParseError:
            pass
    comparator, rest = _split_comparator(text)
    found = _FIRST_NUMBER.search(rest)
    if not found:
        if unit == "yes_no":
            raise ParseError(_("“{value}” không phải là mục tiêu Có/Không").format(value=brief(text)))
        raise ParseError(_("không đọc được số trong mục tiêu “{value}” (ví dụ đúng: ≥ 95%)").format(value=brief(text)))
    token = found.group(0).strip()
    if unit == "yes_no":
        number = parse_number(token.rstrip("%"))
        # Plans write "100%" for "done" on yes/no indicators.
        value = 1.0 if number in (1, 100) else 0.0 if number == 0 else None
        if value is None:
            raise ParseError(_("“{value}” không phải là mục tiêu Có/Không").format(value=brief(text)))
        return Target(comparator or default, value, text)
    if unit == "per_1000" and "/" in token:
        # '01 doanh nghiệp/1.000 dân': the number before the slash is already per 1,000.
        token = token.split("/")[0].strip()
    reading = parse_measure(token, unit)
    return Target(comparator or default, reading.value, text)
