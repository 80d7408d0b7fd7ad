"""What a plan asks beyond numeric targets, as the pages show it: tasks (nhiệm vụ) with their
status, deadline and lead unit, overdue first; spending (kinh phí) in đồng; and the province
choice of the pages that have no month (tasks and spending are not monthly figures).
The rules are in queries/plans/ and queries/sql/tasks_status.sql; nothing is decided here.
"""
from __future__ import annotations

import calendar
from datetime import date

import polars as pl
import streamlit as st

from queries import clock
from queries.accounts.permissions import visible_provinces
from queries.i18n import _
from queries.plans.tasks import DONE, OVERDUE_LABEL, STATUS_LABELS
from queries.status import TASK_TINTS, TINT_TEXT
from queries.text import format_date, format_number, province_key
from ui import filters
from ui.auth import current_account
from ui.downloads import table_downloads
from ui.format import format_moment, per_row, split_units, vi_table
from ui.state import query, reader

# Statuses as the pages show them, worst first; "Quá hạn" is derived, never reported.
TASK_ORDER = (OVERDUE_LABEL, STATUS_LABELS["chua_bat_dau"], STATUS_LABELS["dang_thuc_hien"],
              STATUS_LABELS["hoan_thanh"])
TASK_ICONS = {OVERDUE_LABEL: "⛔", STATUS_LABELS["chua_bat_dau"]: "⬜", STATUS_LABELS["dang_thuc_hien"]: "🔄",
              STATUS_LABELS["hoan_thanh"]: "✅"}
_TASK_BACKGROUNDS = {TASK_ICONS[OVERDUE_LABEL]: TASK_TINTS["qua_han"], TASK_ICONS[STATUS_LABELS[DONE]]: TASK_TINTS[DONE]}


def province_filter(container) -> tuple[str | None, pl.DataFrame]:
    """The province selector alone (same URL key ?tinh= and remembered choice as the other
    pages), for pages without a month. Returns (province, province_activity)."""
    provinces = query("province_activity", today=filters.today())
    # the provinces this account reads, as on the other pages (filters.scope_filters)
    shown = visible_provinces(current_account(), provinces["province"].to_list())
    provinces = provinces.filter(pl.col("province").is_in(shown))
    if provinces.is_empty():
        return None, provinces
    names = provinces["province"].to_list()
    labels = {row["province"]: _("{province} (dữ liệu minh họa)").format(
        province=row['province']) if row["is_demo"] else row["province"]
              for row in provinces.iter_rows(named=True)}
    by_key = {province_key(n): n for n in names}
    filters._refuse_url("tinh", lambda url: url not in names and province_key(url) not in by_key,
                        reader().province_refusal)
    chosen = filters._select(container, _("Tỉnh"), "tinh", names, labels, filters.default_province(provinces),
                             match=lambda url: url if url in names else by_key.get(province_key(url)),
                             forget=("thang", "xa", "so_sanh"))
    return chosen, provinces


# ---- tasks ---------------------------------------------------------------------------------------
def as_of_month(period: date) -> date:
    """The day a monthly page looks at tasks on: the month's last day, or today in the current month."""
    last = period.replace(day=calendar.monthrange(period.year, period.month)[1])
    return min(clock.today(), last)


def task_counts(tasks: pl.DataFrame) -> dict[str, int]:
    """How many tasks are in each status (tasks_status rows; 'Quá hạn' wins over the others)."""
    found = dict(tasks.group_by("status_label").len().iter_rows()) if tasks.height else {}
    return {label: int(found.get(label, 0)) for label in TASK_ORDER}


def task_metrics(tasks: pl.DataFrame, as_of: date) -> None:
    counts = task_counts(tasks)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("{TASK_ICONS} Quá hạn").format(TASK_ICONS=TASK_ICONS[OVERDUE_LABEL]), counts[OVERDUE_LABEL], border=True,
              help=_("Đã qua hạn mà chưa hoàn thành (tính đến {as_of}); tính tự động, không ai ghi tay.").format(
                  as_of=format_date(as_of)))
    for column, label in zip((m2, m3, m4), reversed(TASK_ORDER[1:])):
        column.metric(f"{TASK_ICONS[label]} {_(label)}", counts[label], border=True,
                      help=_("Không kể các nhiệm vụ quá hạn.") if label != STATUS_LABELS["hoan_thanh"] else None)


def _status_text(row: dict) -> str:
    label = row["status_label"]
    text = f"{TASK_ICONS.get(label, '')} {_(label)}"
    if label == OVERDUE_LABEL and row.get("days_overdue"):
        text += _(" {days_overdue} ngày").format(days_overdue=row['days_overdue'])
    elif label == STATUS_LABELS["hoan_thanh"] and row.get("completed_on"):
        text += f" {format_date(row['completed_on'])}" + (_(" (trễ hạn)") if row.get("completed_late") else "")
    return text


def _deadline_text(row: dict) -> str:
    if row["recurring"]:
        return _("Thường xuyên")
    if row["deadline"] is None:
        return _("Không rõ hạn ({deadline_text})").format(deadline_text=row['deadline_text']) if row["deadline_text"] else _(
            "Không ghi hạn")
    shown = format_date(row["deadline"])
    return shown if row["deadline_text"] in (None, "", shown) else f"{shown} ({row['deadline_text']})"


def task_rows(tasks: pl.DataFrame) -> pl.DataFrame:
    """tasks_status rows made readable and ordered overdue first (longest overdue first), then
    by deadline, then completed ones; with the lead unit under one name per office."""
    order = {label: i for i, label in enumerate(TASK_ORDER)}
    return tasks.with_columns(
        per_row(tasks, ["status_label", "days_overdue", "completed_on", "completed_late"], _status_text,
                name="status_text"),
        per_row(tasks, ["recurring", "deadline", "deadline_text"], _deadline_text, name="deadline_shown"),
        per_row(tasks, "lead_unit", lambda units: "; ".join(split_units(units)), name="lead", skip_nulls=False),
        pl.col("status_label").replace_strict(order, default=9).alias("status_order"),
        per_row(tasks, "last_update_at", format_moment, name="updated_text", skip_nulls=False),
    ).sort(["status_order", "days_overdue", "deadline", "commune_name", "seq"],
           descending=[False, True, False, False, False], nulls_last=True)


def task_style(text: object) -> str:
    if isinstance(text, str) and text[:1] in _TASK_BACKGROUNDS:
        return f"background-color: {_TASK_BACKGROUNDS[text[:1]]}; color: {TINT_TEXT}"
    return ""


def show_tasks(rows: pl.DataFrame, key: str, *, with_commune: bool, name: str, title: str) -> None:
    """The task table (rows from task_rows) with its downloads."""
    columns = ["status_text", *(["commune_name"] if with_commune else []), "item", "name", "deadline_shown",
               "lead", "required_result", "updated_text"]
    st.dataframe(
        vi_table(rows.select(columns), styles={"status_text": task_style}),
        hide_index=True,
        column_config={
            "status_text": st.column_config.TextColumn(_("Tình trạng"), width=170),
            "commune_name": st.column_config.TextColumn(_("Xã"), width=110),
            "item": st.column_config.TextColumn(_("Mục"), width=50),
            "name": st.column_config.TextColumn(_("Nhiệm vụ"), width=330),
            "deadline_shown": st.column_config.TextColumn(
                _("Thời hạn"), width=150, help=_("Ngày hạn theo quy tắc đọc thời hạn; trong ngoặc là chữ của kế hoạch")),
            "lead": st.column_config.TextColumn(_("Đơn vị chủ trì"), width=170),
            "required_result": st.column_config.TextColumn(_("Kết quả cần đạt"), width=260),
            "updated_text": st.column_config.TextColumn(_("Cập nhật lần cuối"), width=120),
        },
        key=key,
    )
    table_downloads(
        rows.select("commune_name", "item", "name", "status_label", "completed_on", "deadline_text", "deadline",
                    "recurring", "lead", "partner_units", "required_result", "days_overdue", "source_doc"),
        name, f"{key}-dl",
        headings={"commune_name": _("Xã"), "item": _("Mục"), "name": _("Nhiệm vụ"), "status_label": _("Tình trạng"),
                  "completed_on": _("Ngày hoàn thành"), "deadline_text": _("Thời hạn (kế hoạch ghi)"),
                  "deadline": _("Ngày hạn"), "recurring": _("Thường xuyên"), "lead": _("Đơn vị chủ trì"),
                  "partner_units": _("Đơn vị phối hợp"), "required_result": _("Kết quả cần đạt"),
                  "days_overdue": _("Số ngày quá hạn"), "source_doc": _("Văn bản")},
        title=title,
    )


# ---- spending ------------------------------------------------------------------------------------
def spending_totals(spending: pl.DataFrame) -> pl.DataFrame:
    """Per commune and year: number of items, planned and spent (null when no line says)."""
    return (
        spending.group_by("commune_id", "commune_name", "year", maintain_order=True)
        .agg(pl.len().alias("n_items"),
             pl.when(pl.col("planned").is_not_null().any()).then(pl.col("planned").sum()).alias("planned"),
             pl.when(pl.col("spent").is_not_null().any()).then(pl.col("spent").sum()).alias("spent"))
        .with_columns(pl.when(pl.col("planned") > 0).then(pl.col("spent") / pl.col("planned")).alias("spent_share"))
    )


DONG_FORMATS = {"planned": "#,##0", "spent": "#,##0"}


def with_dong_text(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """`<column>_text` for each amount: '481.179.000' ('–' when the report does not say). Text,
    because the table widget shows an empty cell as 'None' whatever its format says."""
    return frame.with_columns(
        per_row(frame, c, lambda v: format_number(v, 0), name=f"{c}_text").fill_null("–") for c in columns)


def dong_column(label: str, width: int = 130):
    return st.column_config.TextColumn(label, width=width, alignment="right")


def show_spending_lines(spending: pl.DataFrame, key: str, *, with_commune: bool, name: str, title: str) -> None:
    columns = [*(["commune_name"] if with_commune else []), "year", "item", "planned_text", "spent_text",
               "source_doc"]
    st.dataframe(
        with_dong_text(spending, "planned", "spent").select(columns),
        hide_index=True,
        column_config={
            "commune_name": st.column_config.TextColumn(_("Xã"), width=120),
            "year": st.column_config.NumberColumn(_("Năm"), format="%d", width=60),
            "item": st.column_config.TextColumn(_("Khoản chi"), width=280),
            "planned_text": dong_column(_("Dự toán (đồng)")),
            "spent_text": dong_column(_("Đã chi (đồng)")),
            "source_doc": st.column_config.TextColumn(_("Văn bản báo cáo"), width="large"),
        },
        key=key,
    )
    table_downloads(
        spending.select("commune_name", "year", "item", "planned", "spent", "source_doc", "source_item"),
        name, f"{key}-dl",
        headings={"commune_name": _("Xã"), "year": _("Năm"), "item": _("Khoản chi"), "planned": _("Dự toán (đồng)"),
                  "spent": _("Đã chi (đồng)"), "source_doc": _("Văn bản báo cáo"), "source_item": _("Mục")},
        number_formats=DONG_FORMATS, title=title,
    )
