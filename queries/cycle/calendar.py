"""When a month's report is due, and when the month closes.

The plans (seeds 003 and 004) have units report to the commune before the 15th and the commune
report to the province before the 20th of the next month. So, in Vietnam time (UTC+7):

- the report for month M is **on time** when it is received before day `report_deadline_day`
  (default 20) of month M+1, i.e. up to 19/(M+1) 23:59:59 +07:00;
- received on that day or later it is **late**, by (date received − deadline date + 1) days,
  both dates in Vietnam;
- nothing received: **missing** once the deadline has passed, **not yet due** before;
- month M **closes** `lock_after_days` (default 10) days after its deadline date, at 00:00:
  with the defaults October closes on 30 November. Commune staff can no longer change a
  closed month; a province admin can, giving a reason.

The query `compliance_by_month.sql` applies the same rule to every commune and month; a test
checks that the two agree.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from queries.clock import VIETNAM
from queries.i18n import N_, _
from queries.text import format_date, format_month

# Marked for the catalogue: a page shows _(STATUS_NAMES[code]).
STATUS_NAMES = {
    "dung_han": N_("Đúng hạn"),
    "tre_han": N_("Trễ hạn"),
    "chua_nop": N_("Chưa nộp"),
    "chua_den_han": N_("Chưa đến hạn"),
}


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def deadline_date(month: date, settings: dict) -> date:
    """The day the report for `month` is late from (Vietnam date)."""
    following = _next_month(month)
    return following.replace(day=int(settings["report_deadline_day"]))


def deadline_moment(month: date, settings: dict) -> datetime:
    return datetime.combine(deadline_date(month, settings), time(0, 0), tzinfo=VIETNAM)


def closes_on(month: date, settings: dict) -> date:
    return deadline_date(month, settings) + timedelta(days=int(settings["lock_after_days"]))


def is_closed(month: date, now: datetime, settings: dict) -> bool:
    closing = datetime.combine(closes_on(month, settings), time(0, 0), tzinfo=VIETNAM)
    return now >= closing


def report_status(month: date, received: datetime | None, now: datetime, settings: dict) -> tuple[str, int | None]:
    """(status code, days late) of a report for `month` received at `received` (or never)."""
    deadline = deadline_moment(month, settings)
    if received is None:
        return ("chua_nop" if now >= deadline else "chua_den_han"), None
    if received < deadline:
        return "dung_han", 0
    late = (received.astimezone(VIETNAM).date() - deadline.date()).days + 1
    return "tre_han", late


def closed_message(month: date, settings: dict) -> str:
    return _("{month} đã khóa sổ từ ngày {day}; chỉ Quản trị tỉnh mở lại được (kèm lý do)").format(
        month=format_month(month), day=format_date(closes_on(month, settings)))
