"""Reading one spreadsheet cell: is it blank, what number does it hold, how to name it in a
message, which day an Excel serial is.

Base module: the importer (queries/ingest) and the plan rules (queries/plans) read cells with
these, so it imports nothing of the project but other base modules. A value that cannot be
read raises `ParseError`, whose message is Vietnamese and names the value as the user typed it.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from queries.errors import UserFacingError
from queries.i18n import _, current
from queries.text import format_number, nfc


class ParseError(UserFacingError, ValueError):
    """A value that cannot be read; `str(error)` is the Vietnamese reason."""


# ---- numbers -------------------------------------------------------------------------------

_SPACE_CHARS = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?(\d[\d.,]*|[.,]\d+)$")
_THREE_DIGIT_GROUPS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
# Excel's first day: serial 1 is 1900-01-01, and Excel's phantom 1900-02-29 makes the
# usable epoch 1899-12-30 for every date after February 1900.
_EXCEL_EPOCH = date(1899, 12, 30)


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not _SPACE_CHARS.sub("", cell)) or (
        isinstance(cell, float) and math.isnan(cell)
    )


def compact(value: float) -> str:
    """80.0 -> '80', 80.44 -> '80,44', 1234.5 -> '1.234,5': Vietnamese, no useless zeros.
    Absurd sizes stay short in a message: 1e300 -> '1e+300'."""
    if not math.isfinite(value):
        return _("không xác định") if math.isnan(value) else _("vô cùng")
    decimal_mark = "." if current() == "en" else ","  # 80.44 in English
    if abs(value) >= 1e15:
        return f"{value:.3g}".replace(".", decimal_mark)
    text = format_number(value, 4)
    return text.rstrip("0").rstrip(decimal_mark) if decimal_mark in text else text


def show(cell: object) -> str:
    """A cell as the user would recognise it in a message."""
    if isinstance(cell, float):
        return compact(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return nfc(str(cell))


BRIEF_LENGTH = 40


def brief(cell: object) -> str:
    """`show`, cut short: a 400-digit number or a page of text is named, not repeated, in a message."""
    text = show(cell)
    return text if len(text) <= BRIEF_LENGTH else text[:BRIEF_LENGTH - 1] + "…"


def _clean_number_text(text: str) -> str:
    text = nfc(text).lstrip("'")  # a leading apostrophe is Excel's "keep as text" mark
    text = text.replace("\u2212", "-").replace("\u2013", "-")  # minus signs people paste
    return _SPACE_CHARS.sub("", text)


def parse_number(cell: object, *, thousands_hint: bool = False) -> float:
    """'80,44' -> 80.44, '1.234,5' -> 1234.5, '1,234.5' -> 1234.5, '1.234.567' -> 1234567.

    A single separator is a decimal mark (Vietnamese Excel writes '80,44'), except that
    with `thousands_hint` (counts, population) a lone '.' or ',' followed by exactly three
    digits groups thousands: '1.000' people is a thousand, not one.
    """
    if isinstance(cell, bool):
        raise ParseError(_("“{value}” không phải là số").format(value=brief(cell)))
    if isinstance(cell, (int, float)):
        try:
            number = float(cell)
        except OverflowError:  # an int beyond any float: 400 digits in a number cell
            number = math.inf
        if not math.isfinite(number):
            raise ParseError(_("“{value}” không phải là số hữu hạn").format(value=brief(cell)))
        return number
    if isinstance(cell, (date, datetime)):
        raise ParseError(_("“{value}” là ngày tháng, không phải là số").format(value=brief(cell)))
    number = _parse_number_text(cell, thousands_hint)
    if not math.isfinite(number):  # '999…9' with 400 digits reads as infinity
        raise ParseError(_("“{value}” quá lớn, không phải là số hợp lệ").format(value=brief(cell)))
    return number


def _parse_number_text(cell: object, thousands_hint: bool) -> float:
    text = _clean_number_text(str(cell))
    if not _NUMBER.match(text):
        raise ParseError(_("“{value}” không phải là số").format(value=brief(cell)))
    sign = -1.0 if text.startswith("-") else 1.0
    digits = text.lstrip("+-")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        decimal_mark = "." if digits.rfind(".") > digits.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        if digits.count(decimal_mark) > 1:
            raise ParseError(_("“{value}” không phải là số").format(value=brief(cell)))
        digits = digits.replace(group_mark, "").replace(decimal_mark, ".")
    elif dots > 1 or commas > 1:
        if not _THREE_DIGIT_GROUPS.match(digits):
            raise ParseError(_("“{value}” không phải là số").format(value=brief(cell)))
        digits = digits.replace(".", "").replace(",", "")
    elif dots or commas:
        mark = "." if dots else ","
        if thousands_hint and _THREE_DIGIT_GROUPS.match(digits):
            digits = digits.replace(mark, "")
        else:
            digits = digits.replace(mark, ".")
    try:
        return sign * float(digits)
    except ValueError as error:  # a shape the regexes let through, e.g. '.'
        raise ParseError(_("“{value}” không phải là số").format(value=brief(cell))) from error


def from_excel_serial(serial: float) -> date:
    return _EXCEL_EPOCH + timedelta(days=int(serial))
