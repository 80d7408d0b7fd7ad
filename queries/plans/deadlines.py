"""**Thời hạn của nhiệm vụ.** Kế hoạch ghi thời hạn bằng chữ; bảng điều khiển đổi chữ đó
thành một ngày theo một quy tắc duy nhất (chữ gốc luôn được giữ và hiển thị bên cạnh):

| Kế hoạch ghi | Hạn là | Ví dụ |
|---|---|---|
| một tháng: "Tháng 9/2025", "trong tháng 09/2025", "Hoàn thành trong tháng 9 năm 2025" | ngày cuối của tháng | 30/09/2025 |
| một quý: "Quý IV/2025", "Quý 4/2025", "Quý 3 năm 2025" | ngày cuối của quý | 31/12/2025 |
| một ngày: "Ngày 10/10/2025", "30/9/2025" | chính ngày đó | 10/10/2025 |
| một năm: "Năm 2025", "Trong năm 2025" | ngày cuối của năm | 31/12/2025 |
| "Trước …" một ngày, tháng, quý hoặc năm: "Hoàn thành trước ngày 20/12/2025", "Trước tháng 9/2025" | ngày liền trước ngày bắt đầu của mốc đó | 19/12/2025; 31/08/2025 |
| không ghi năm: "Ngày 10/10", "Tháng 9" | năm của kế hoạch | 10/10/2025 |
| có chữ "Thường xuyên" | nhiệm vụ thường xuyên: không có hạn, mỗi tháng báo cáo tình hình | — |
| cách ghi khác, ví dụ "Theo KH của tỉnh" | không có hạn; giữ nguyên chữ của kế hoạch | — |

Chữ hoa hay thường, có dấu hay không dấu, thừa dấu cách đều được hiểu như nhau
("quy iv/2025" = "Quý IV/2025"). Một nhiệm vụ **quá hạn** khi ngày xem đã qua hạn mà nhiệm
vụ chưa hoàn thành; nhiệm vụ thường xuyên và nhiệm vụ không có hạn không bao giờ quá hạn.
"""
# The docstring above is the rule as the method page shows it (METHOD_TEXT_VI): keep it and
# parse_deadline() in step. The patterns run on fold(text) (lower-case ASCII, single spaces),
# so 'Quý', 'QUÝ', 'quy' and NFD input are the same; a text must match as a whole (after the
# filler words 'hoàn thành', 'thực hiện', 'trong', 'ngày'), so a date quoted inside another
# sentence ("theo Kế hoạch số 41 ngày 10/9/2025") is never taken for a deadline.
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from queries.text import fold, nfc

METHOD_TEXT_VI = __doc__.strip()

_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"(?:\s*(?:[/.\-]|nam)\s*|\s+)(?P<year>\d{4})"
_PATTERNS = (
    # 20/12/2025, 10/10, ngay 10 thang 10 nam 2025
    ("day", re.compile(r"(?P<day>\d{1,2})\s*[/.\-]\s*(?P<month>\d{1,2})(?:\s*[/.\-]\s*(?P<year>\d{4}))?")),
    ("day", re.compile(r"(?P<day>\d{1,2})\s+thang\s+(?P<month>\d{1,2})(?:\s+nam\s+(?P<year>\d{4}))?")),
    # thang 9/2025, thang 09 nam 2025, t9/2025, thang 9
    ("month", re.compile(r"(?:thang|t)\s*(?P<month>\d{1,2})(?:" + _YEAR + r")?")),
    # 9/2025 (a four-digit year after the slash: a month, not a day)
    ("month", re.compile(r"(?P<month>\d{1,2})\s*[/.\-]\s*(?P<year>\d{4})")),
    # quy iv/2025, quy 4 nam 2025, q4/2025, quy iii
    ("quarter", re.compile(r"(?:quy|q)\s*(?P<quarter>iv|iii|ii|i|[1-4])(?:" + _YEAR + r")?")),
    ("year", re.compile(r"nam\s+(?P<year>\d{4})")),
)
# Words that say nothing about the date: "Hoàn thành trong tháng 9/2025" = "Tháng 9/2025".
_FILLER = re.compile(r"^(?:(?:hoan thanh|thuc hien|hoan thien)\s+)?")
_BEFORE = re.compile(r"^truoc\s+")
_DURING = re.compile(r"^(?:trong\s+(?:vong\s+)?|den\s+|vao\s+|ngay\s+|cham nhat\s+|han\s+)")


@dataclass(frozen=True)
class Deadline:
    date: date | None  # None: recurring, or a text the rule does not read as a date
    recurring: bool
    text: str  # as the plan wrote it (NFC, single spaces)


def _period(kind: str, found: re.Match, plan_year: int) -> tuple[date, date] | None:
    """First and last day of the day, month, quarter or year the text names."""
    groups = found.groupdict()
    year = int(groups["year"]) if groups.get("year") else plan_year
    try:
        if kind == "day":
            day = date(year, int(groups["month"]), int(groups["day"]))
            return day, day
        if kind == "month":
            month = int(groups["month"])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        if kind == "quarter":
            quarter = _ROMAN_QUARTERS.get(groups["quarter"]) or int(groups["quarter"])
            first_month = 3 * quarter - 2
            end_month = first_month + 2
            return date(year, first_month, 1), date(year, end_month, calendar.monthrange(year, end_month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, calendar.IllegalMonthError):  # 31/02, tháng 13: not a date
        return None


def parse_deadline(text: object, plan_year: int) -> Deadline:
    """The deadline a plan's "Thời gian thực hiện" cell states (the rule in the docstring)."""
    shown = "" if text is None else nfc(str(text))
    folded = fold(shown)
    if "thuong xuyen" in folded:
        return Deadline(None, True, shown)
    key = re.sub(r"[^a-z0-9/.\- ]+", " ", folded)  # drop ':', ',', '(' … but keep date marks
    key = re.sub(r"\s+", " ", key).strip(" .-")
    key = _FILLER.sub("", key)
    before = bool(_BEFORE.match(key))
    key = _BEFORE.sub("", key)
    while _DURING.match(key):
        key = _DURING.sub("", key)
    for kind, pattern in _PATTERNS:
        found = pattern.fullmatch(key)
        if found:
            span = _period(kind, found, plan_year)
            if span is None:
                break
            first, last = span
            return Deadline(first - timedelta(days=1) if before else last, False, shown)
    return Deadline(None, False, shown)
