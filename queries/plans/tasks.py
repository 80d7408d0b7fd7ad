"""Tasks (nhiệm vụ) of a commune's plan and their status: the rules and the upload cells.

A task's status is one of three states a commune reports — not started, in progress,
completed (with the day it was completed). "Quá hạn" (overdue) is never typed: it is derived
from the deadline (queries.plans.deadlines) and the day the table is looked at (`as_of`):

- a task is **overdue** at `as_of` when it has a deadline, `as_of` is after the deadline,
  and it was not completed on or before `as_of`;
- a task completed after its deadline is not overdue any more, but keeps `completed_late`;
- a recurring task ("Thường xuyên") and a task without a readable deadline are never overdue;
- a report that says "completed on 15/10/2025" counts as completed from that day on: looked
  at on 10/10/2025 the task is still in progress.

The SQL in queries/sql/tasks_status.sql applies the same rules to the shipped tasks and the
uploaded updates (the newest update per task wins); tests/test_tasks.py checks that it agrees
with the functions here row by row.

The upload of task statuses (one row per task) holds the columns in TASK_UPLOAD_COLUMNS; the
parse_* functions read its cells and raise queries.cells.ParseError with a Vietnamese
reason, as the other parsers do (the caller adds the row and column).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from queries.cells import ParseError, from_excel_serial, is_blank, show
from queries.data import typed_columns
from queries.i18n import N_, _
from queries.store import ROW_SCHEMAS
from queries.text import fold, format_date, nfc

NOT_STARTED, IN_PROGRESS, DONE = "chua_bat_dau", "dang_thuc_hien", "hoan_thanh"
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE)
# Marked for the catalogue: a page shows _(STATUS_LABELS[status]).
STATUS_LABELS = {NOT_STARTED: N_("Chưa bắt đầu"), IN_PROGRESS: N_("Đang thực hiện"), DONE: N_("Hoàn thành")}
OVERDUE_LABEL = N_("Quá hạn")

# Columns of data/tasks.csv (one row per task of a plan).
TASK_COLUMNS = (
    "commune_id", "plan_year", "seq", "group_no", "group_name", "item", "name", "required_result",
    "deadline_text", "deadline", "recurring", "lead_unit", "partner_units", "indicators",
    "source_doc", "source_item", "note",
)
# How the tasks table is typed when read from data/tasks.csv (read_csv all_varchar), as the
# engine types other rows (queries/sql/typed/); tasks_status.sql reads a table `tasks` of this shape.
TASK_CASTS = typed_columns("typed/plan_tasks")


# ---- the rules -----------------------------------------------------------------------------


def status_at(status: str, completed_on: date | None, as_of: date) -> str:
    """The reported status as it stood on `as_of`: a completion dated later is still in progress."""
    if status == DONE and completed_on is not None and completed_on > as_of:
        return IN_PROGRESS
    return status


def is_overdue(deadline: date | None, status: str, completed_on: date | None, as_of: date) -> bool:
    if deadline is None or as_of <= deadline:
        return False
    return status_at(status, completed_on, as_of) != DONE


def completed_late(deadline: date | None, status: str, completed_on: date | None) -> bool:
    return status == DONE and deadline is not None and completed_on is not None and completed_on > deadline


def status_label(deadline: date | None, status: str, completed_on: date | None, as_of: date) -> str:
    """What the pages show: 'Quá hạn' wins over 'Chưa bắt đầu' and 'Đang thực hiện'."""
    if is_overdue(deadline, status, completed_on, as_of):
        return OVERDUE_LABEL
    return STATUS_LABELS[status_at(status, completed_on, as_of)]


# ---- the upload ----------------------------------------------------------------------------

# Canonical column -> (Vietnamese label, headings people type, folded): the same shape as
# queries.ingest.readers.COLUMNS, into which these entries are meant to be merged.
TASK_UPLOAD_HEADINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "muc": (N_("Mục"), ("muc", "so muc", "ma nhiem vu", "muc nhiem vu", "item", "task")),
    "ten_nhiem_vu": (N_("Tên nhiệm vụ"), ("ten nhiem vu", "nhiem vu", "task name")),
    "trang_thai": (N_("Trạng thái"), ("trang thai", "tinh trang", "tien do", "status")),
    "ngay_hoan_thanh": (N_("Ngày hoàn thành"), (
        "ngay hoan thanh", "hoan thanh ngay", "ngay hoan thanh nhiem vu", "completed on", "completion date",
    )),
}
# ma_xa, ten_xa, tinh, nam and ghi_chu are the importer's existing columns.
TASK_UPLOAD_COLUMNS = ("ma_xa", "ten_xa", "tinh", "nam", "muc", "ten_nhiem_vu", "trang_thai", "ngay_hoan_thanh", "ghi_chu")
TASK_REQUIRED_COLUMNS = {"ten_xa", "muc", "trang_thai"}
TASK_COLUMN_HELP = {
    "nam": N_("Năm của kế hoạch (không bắt buộc), ví dụ 2025. Để trống: kế hoạch mới nhất của xã có mục này."),
    "muc": N_("Số mục của nhiệm vụ như trong phụ lục kế hoạch, ví dụ 1.1 hoặc 9."),
    "ten_nhiem_vu": N_("Tên nhiệm vụ (không bắt buộc, chỉ để đối chiếu; mục mới là căn cứ)."),
    "trang_thai": N_("Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành (có dấu hoặc không dấu). "
                     "Không ghi “Quá hạn”: quá hạn được tính tự động từ thời hạn."),
    "ngay_hoan_thanh": N_("Ngày hoàn thành, ghi ngày trước tháng: 15/10/2025 (hoặc một ô ngày của Excel). "
                          "Bắt buộc khi trạng thái là Hoàn thành; để trống với trạng thái khác."),
}
# What a stored task-status row holds (plus upload_id, added by the store), as polars types.
TASK_UPDATE_SCHEMA = ROW_SCHEMAS["tasks"]

_STATUS_WORDS = {
    # and the English an English template's drop-down offers (queries/ingest/template.py)
    NOT_STARTED: ("chua bat dau", "chua thuc hien", "chua trien khai", "chua lam", "not started"),
    IN_PROGRESS: ("dang thuc hien", "dang trien khai", "dang lam", "dang tien hanh", "in progress"),
    DONE: ("hoan thanh", "da hoan thanh", "da xong", "xong", "hoan tat", "completed", "done"),
}
_STATUS_BY_WORDS = {words: code for code, all_words in _STATUS_WORDS.items() for words in all_words}
_ITEM = re.compile(r"^(?:muc\s*)?(\d{1,2})(?:\s*[.,]\s*(\d{1,2}))?\s*([a-z])?\.?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")


def parse_task_status(cell: object) -> str:
    """'Hoàn thành', 'hoan thanh', 'hoan_thanh', 'Đã hoàn thành' -> 'hoan_thanh' (and the others)."""
    if isinstance(cell, str):
        key = re.sub(r"[\s_]+", " ", fold(cell)).strip(" .")
        if key in _STATUS_BY_WORDS:
            return _STATUS_BY_WORDS[key]
        if key in ("qua han", "tre han", "cham"):
            raise ParseError(_("“{value}”: quá hạn được tính tự động từ thời hạn của nhiệm vụ; hãy ghi trạng thái "
                               "thực tế (Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành)").format(value=show(cell)))
    raise ParseError(_("“{value}” không phải là trạng thái (ghi Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành)").format(
        value=show(cell)))


def parse_day(cell: object) -> date:
    """A day, written day first as in Vietnam: '15/10/2025', '15-10-2025', '2025-10-15', an
    Excel date cell or an Excel serial number (45945)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 20000 <= cell <= 80000:
        return from_excel_serial(cell)
    if isinstance(cell, str):
        text = fold(cell).lstrip("'").strip()
        found = _DAY_FIRST.match(text)
        parts = (found.group(3), found.group(2), found.group(1)) if found else None
        if not found and (found := _ISO_DAY.match(text)):
            parts = found.groups()
        if parts:
            year, month, day = (int(p) for p in parts)
            if not 1 <= month <= 12:
                raise ParseError(_("tháng {month} trong “{value}” không hợp lệ (ngày ghi trước tháng: 15/10/2025)").format(
                    month=month, value=show(cell)))
            try:
                return date(year, month, day)
            except ValueError as error:
                raise ParseError(_("“{value}” không phải là ngày có thật").format(value=show(cell))) from error
        if _SERIAL.match(text):
            return parse_day(float(text.replace(",", ".")))
    raise ParseError(_("“{value}” không phải là ngày (ví dụ đúng: 15/10/2025)").format(value=show(cell)))


def parse_task_item(cell: object) -> str:
    """'1.1', 'Mục 1.1', '1,1', the number 1.1 from Excel, '8.4b', 9 -> '1.1', …, '8.4b', '9'.

    An Excel number cell cannot tell 1.10 from 1.1; the plans number at most nine tasks per
    group, so this does not arise."""
    if isinstance(cell, bool):
        raise ParseError(_("“{value}” không phải là số mục nhiệm vụ (ví dụ đúng: 1.1)").format(value=show(cell)))
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # Excel gives 9.0 for a cell showing 9
    text = repr(cell) if isinstance(cell, float) else str(cell)
    found = _ITEM.match(fold(text).strip())
    if not found or (isinstance(cell, float) and found.group(3)):
        raise ParseError(_("“{value}” không phải là số mục nhiệm vụ (ví dụ đúng: 1.1)").format(value=show(cell)))
    group, sub, letter = found.groups()
    return f"{int(group)}" + (f".{int(sub)}" if sub else "") + (letter or "")


def resolve_task_item(item: str, task_names: Mapping[str, str]) -> str:
    """The task `item` names among one plan's tasks {item: name}. The plan of Nghĩa Hành prints
    8.4 twice (stored as 8.4a and 8.4b): '8.4' then asks which one."""
    if item in task_names:
        return item
    variants = sorted(k for k in task_names if re.fullmatch(re.escape(item) + r"[a-z]", k))
    if variants:
        choices = _(" hoặc ").join(f"{k} ({_short(task_names[k])})" for k in variants)
        raise ParseError(_("kế hoạch có {count} nhiệm vụ cùng số mục {item}: ghi {choices}").format(
            count=len(variants), item=item, choices=choices))
    raise ParseError(_("không có mục {item} trong danh sách nhiệm vụ của kế hoạch").format(item=item))


def _short(name: str, limit: int = 40) -> str:
    name = nfc(name)
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class TaskUpdate:
    status: str
    completed_on: date | None


def parse_task_update(status_cell: object, date_cell: object, today: date) -> TaskUpdate:
    """Status and completion date of one row, checked together: 'Hoàn thành' needs its day,
    the other statuses take none, and a task cannot be completed after today."""
    status = parse_task_status(status_cell)
    if is_blank(date_cell):
        if status == DONE:
            raise ParseError(_("nhiệm vụ đã hoàn thành cần ghi ngày hoàn thành (ví dụ 15/10/2025)"))
        return TaskUpdate(status, None)
    completed_on = parse_day(date_cell)
    if status != DONE:
        raise ParseError(_("có ngày hoàn thành {day} nhưng trạng thái là “{status}”; chỉ ghi ngày hoàn thành khi "
                           "nhiệm vụ đã hoàn thành").format(day=format_date(completed_on), status=_(STATUS_LABELS[status])))
    if completed_on > today:
        raise ParseError(_("ngày hoàn thành {day} ở sau hôm nay ({today})").format(
            day=format_date(completed_on), today=format_date(today)))
    return TaskUpdate(status, completed_on)
