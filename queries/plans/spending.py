"""Spending (kinh phí) on a commune's digital transformation, by item and year, in đồng.

data/spending.csv ships what the plans report (Định Tiến's 2024 spending, eight items that add
up to the stated 481.179.000 đồng); communes upload the same shape. Amounts are whole đồng.

`parse_amount` reads an amount the way Vietnamese staff write it: '1.250.000' (dots group
thousands), '481.179.000 đồng', '1.250.000đ', '350 triệu', '1,2 tỷ' (comma is the decimal
mark), or a number cell from Excel. Negative and non-finite amounts are refused, and so is a
fraction of a đồng.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from queries.cells import ParseError, is_blank, parse_number, show
from queries.data import typed_columns
from queries.i18n import N_, _
from queries.store import ROW_SCHEMAS
from queries.text import fold

# Columns of data/spending.csv.
SPENDING_COLUMNS = ("commune_id", "year", "item", "planned", "spent", "source_doc", "source_item", "note")

# Canonical column -> (Vietnamese label, headings people type, folded), to be merged into
# queries.ingest.readers.COLUMNS.
SPENDING_UPLOAD_HEADINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "khoan_chi": (N_("Khoản chi"), ("khoan chi", "noi dung chi", "hang muc", "hang muc chi", "muc chi", "expense",
                                    "expense item")),
    "du_toan": (N_("Dự toán (đồng)"), ("du toan", "kinh phi du toan", "ke hoach", "kinh phi ke hoach", "planned", "budget")),
    "da_chi": (N_("Đã chi (đồng)"), ("da chi", "so tien da chi", "thuc chi", "kinh phi da chi", "so tien", "spent")),
}
# ma_xa, ten_xa, tinh, nam and ghi_chu are the importer's existing columns.
SPENDING_UPLOAD_COLUMNS = ("ma_xa", "ten_xa", "tinh", "nam", "khoan_chi", "du_toan", "da_chi", "ghi_chu")
SPENDING_REQUIRED_COLUMNS = {"ten_xa", "nam", "khoan_chi"}  # and at least one of du_toan, da_chi
SPENDING_COLUMN_HELP = {
    "khoan_chi": N_("Tên khoản chi, ví dụ Chi tập huấn CĐS."),
    "du_toan": N_("Kinh phí dự toán, bằng đồng: 12.000.000 hoặc 12.000.000 đồng hoặc 12 triệu (không bắt buộc)."),
    "da_chi": N_("Kinh phí đã chi, bằng đồng: 12.000.000 hoặc 12.000.000 đồng hoặc 12 triệu."),
}
# How the spending table is typed when read from data/spending.csv (read_csv all_varchar).
SPENDING_CASTS = typed_columns("typed/spending")
# What a stored spending row holds (plus upload_id, added by the store), as polars types.
SPENDING_ROW_SCHEMA = ROW_SCHEMAS["spending"]

_CURRENCY = re.compile(r"\s*(?:vn[dđ]|dong|d)\s*$")
_SCALE = re.compile(r"\s*(ty|trieu|tr|nghin|ngan)\s*$")
_SCALES = {"ty": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3}


def parse_amount(cell: object) -> int:
    """An amount in đồng, as a whole number: '1.250.000' -> 1250000, '1,2 tỷ' -> 1200000000."""
    if is_blank(cell):
        raise ParseError(_("chưa ghi số tiền"))
    if isinstance(cell, bool):
        raise ParseError(_("“{value}” không phải là số tiền").format(value=show(cell)))
    if isinstance(cell, (int, float)):
        if not math.isfinite(cell):
            raise ParseError(_("“{value}” không phải là số tiền").format(value=show(cell)))
        amount = Decimal(str(cell))
    else:
        # fold() keeps the digits and separators and drops the accents of 'đồng', 'tỷ', 'triệu'
        text = _CURRENCY.sub("", fold(str(cell)).lstrip("'").strip())
        scale = 1
        found = _SCALE.search(text)
        if found:
            scale = _SCALES[found.group(1)]
            text = text[: found.start()]
        try:
            # Thousands dots are the rule for đồng: '1.000' is a thousand, not one.
            number = parse_number(text, thousands_hint=True)
        except ParseError as error:
            raise ParseError(_("“{value}” không phải là số tiền (ví dụ đúng: 1.250.000 hoặc 1.250.000 đồng)").format(
                value=show(cell))) from error
        try:
            amount = Decimal(repr(number)) * scale
        except InvalidOperation as error:
            raise ParseError(_("“{value}” không phải là số tiền").format(value=show(cell))) from error
    if amount < 0:
        raise ParseError(_("số tiền không được âm (“{value}”)").format(value=show(cell)))
    if amount != amount.to_integral_value():
        raise ParseError(_("“{value}”: số tiền phải là số đồng nguyên (không có phần lẻ)").format(value=show(cell)))
    return int(amount)


def format_amount(amount: int | None) -> str:
    """481179000 -> '481.179.000 đồng' (Vietnamese thousands dots)."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", ".") + " đồng"
