"""Task statuses (tasks): how far a commune has gone with one task of its plan (item 1.1…)."""
from __future__ import annotations

import difflib
import re

from queries.cells import ParseError
from queries.i18n import N_, _
from queries.ingest.known import Commune
from queries.ingest.resolve import Context, RowProblem, commune_fields, read_year, resolved_commune
from queries.plans.tasks import STATUS_LABELS as TASK_STATUS_LABELS
from queries.plans.tasks import parse_task_item, parse_task_status, parse_task_update, resolve_task_item
from queries.text import fold

NAME = N_("trạng thái nhiệm vụ")
# The columns a file of this kind cannot do without, each given as alternatives, with the
# page's choice (a key of `defaults`) that may stand in for a missing one, or None.
REQUIRED = ((("muc",), None), (("trang_thai",), None), (("ten_xa", "ma_xa"), "commune"))
OPTIONAL = ("tinh", "nam", "ten_nhiem_vu", "ngay_hoan_thanh", "ghi_chu")  # read when the file has them
KEY = ("commune_id", "plan_year", "item")  # one status per key
SAME = ("status", "completed_on")  # two rows of one key with these equal are one row written twice


def read_task(ctx: Context, row, commune: Commune) -> tuple[int, str, str]:
    """(plan year, item, task name) of a task-status row, among the commune's plan tasks: the
    year written (or chosen on the page), else the newest plan of the commune with that item."""
    cell = ctx.cell(row, "muc")
    if cell is None:
        raise RowProblem("muc", ctx.at("muc", _("thiếu số mục nhiệm vụ (ví dụ 1.1)")))
    try:
        item = parse_task_item(cell.value)
    except ParseError as error:
        raise RowProblem("muc", ctx.at("muc", str(error))) from None
    plans = ctx.catalog.tasks.get(commune.commune_id, {})
    if not plans:
        raise RowProblem("muc", ctx.at("muc", _("{commune} ({province}) chưa có danh sách nhiệm vụ trong hệ thống; hãy "
                                               "gửi kế hoạch của xã cho Quản trị tỉnh").format(
            commune=commune.name, province=commune.province)))
    if ctx.cell(row, "nam") is not None or ctx.defaults.get("year"):
        year = read_year(ctx, row)
        if year not in plans:
            years = ", ".join(str(y) for y in sorted(plans))
            raise RowProblem("nam", ctx.at("nam", _("{commune} không có kế hoạch nhiệm vụ năm {year} (có kế hoạch năm "
                                                   "{years})").format(commune=commune.name, year=year, years=years)))
        years_tried = [year]
    else:
        years_tried = sorted(plans, reverse=True)
    refusal = None
    for year in years_tried:
        try:
            resolved = resolve_task_item(item, plans[year])
        except ParseError as error:
            # 'không có mục 9.9 …' names the plan; 'kế hoạch có 2 nhiệm vụ cùng số mục 8.4: …' asks which
            missing = str(error).startswith(_("không có mục"))
            refusal = refusal or (_("{reason} năm {year} của {commune}").format(reason=error, year=year, commune=commune.name)
                                  if missing else str(error))
            continue
        return year, resolved, plans[year][resolved]
    raise RowProblem("muc", ctx.at("muc", refusal))


def _names_agree(typed: str, name: str) -> bool:
    """The task name typed only confirms the item: a part of the name, half of its words
    ('Thành lập BCĐ' for 'Thành lập Ban chỉ đạo…': staff abbreviate), or close to it."""
    a, b = fold(typed), fold(name)
    if a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= 0.6:
        return True
    words = re.findall(r"\w+", a)
    return bool(words) and sum(w in set(re.findall(r"\w+", b)) for w in words) * 2 >= len(words)


def check_row(ctx: Context, row) -> dict:
    """A task's status as the commune reports it: commune, item (and plan year), status and,
    when completed, the day. 'Quá hạn' is derived, never typed (queries/plans/tasks.py)."""
    problems: list[RowProblem] = []
    warnings: list[tuple[str, str]] = []
    commune = resolved_commune(ctx, row, problems)
    year = item = task_name = None
    if commune is not None:
        try:
            year, item, task_name = read_task(ctx, row, commune)
        except RowProblem as problem:
            problems.append(problem)
    typed_name = ctx.text(row, "ten_nhiem_vu")
    if task_name and typed_name and not _names_agree(typed_name, task_name):
        warnings.append(("ten_nhiem_vu", ctx.at("ten_nhiem_vu", _(
            "mục {item} năm {year} là “{task}”, khác tên đã ghi “{typed}”; đã lưu theo số mục").format(
            item=item, year=year, task=task_name, typed=typed_name))))
    status = completed_on = None
    status_cell, date_cell = ctx.cell(row, "trang_thai"), ctx.cell(row, "ngay_hoan_thanh")
    if status_cell is None:
        problems.append(RowProblem("trang_thai", ctx.at("trang_thai", _(
            "thiếu trạng thái (Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành)"))))
    else:
        try:
            parse_task_status(status_cell.value)
        except ParseError as error:
            problems.append(RowProblem("trang_thai", ctx.at("trang_thai", str(error))))
        else:
            try:
                update = parse_task_update(status_cell.value, date_cell.value if date_cell else None, ctx.today)
                status, completed_on = update.status, update.completed_on
            except ParseError as error:
                problems.append(RowProblem("ngay_hoan_thanh", ctx.at("ngay_hoan_thanh", str(error))))
    record = {
        **commune_fields(ctx, row, commune),
        "plan_year": year,
        "item": item if item is not None else ctx.text(row, "muc"),
        "task_name": task_name or typed_name,
        "status": status,
        "completed_on": completed_on,
        "note": ctx.text(row, "ghi_chu"),
    }
    return {"record": record, "problems": problems, "warnings": warnings}


def describe_key(record: dict) -> str:
    return _("xã {commune}, nhiệm vụ mục {item} năm {year}").format(
        commune=record["commune_name"], item=record["item"], year=record["plan_year"])


def describe_value(record: dict) -> str:
    return status_text(record)


def status_text(record: dict) -> str:
    status = _(TASK_STATUS_LABELS.get(record.get("status"), ""))
    if record.get("completed_on"):
        status += _(" ngày {day}").format(day=record["completed_on"].strftime("%d/%m/%Y"))
    return status
