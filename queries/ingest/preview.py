"""What the upload page shows of a checked file: one line per data row, with Vietnamese
headings, its status and its problems."""
from __future__ import annotations

import re

import polars as pl

from queries import i18n
from queries.i18n import N_, _
from queries.ingest.kinds.spending import amount_text
from queries.ingest.kinds.tasks import status_text
from queries.ingest.results import STATUS_NAMES, CheckResult
from queries.text import format_month, format_number


def _shown_number(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return ""
    if unit == "yes_no":
        return _("Có") if value >= 1 else _("Không")
    text = format_number(value, 2)
    mark = "." if i18n.current() == "en" else ","
    text = text.rstrip("0").rstrip(mark) if mark in text else text
    return text + (" %" if unit == "percent" else "")


def preview_frame(result: CheckResult) -> pl.DataFrame:
    """One line per data row, with its status and its problems; headings and statuses in the
    interface's language (the Vietnamese words are the msgids: _("Trạng thái") names the column)."""
    lines = []
    for row in result.rows:
        record = row.record
        line = {N_("Dòng"): row.row, N_("Trạng thái"): _(STATUS_NAMES[row.status])}
        if result.kind == "actuals":
            period = record.get("period")
            line |= {
                N_("Xã"): record.get("commune_name") or "", N_("Tỉnh"): record.get("province") or "",
                N_("Chỉ tiêu"): record.get("indicator") or "", N_("Kỳ"): format_month(period) if period else "",
                N_("Giá trị"): _shown_number(record.get("value"), record.get("unit")),
                N_("Tử số"): _shown_number(record.get("numerator")), N_("Mẫu số"): _shown_number(record.get("denominator")),
                N_("Ghi chú"): record.get("note") or "",
            }
        elif result.kind == "targets":
            line |= {
                N_("Xã"): record.get("commune_name") or "", N_("Tỉnh"): record.get("province") or "",
                N_("Chỉ tiêu"): record.get("indicator") or "", N_("Năm"): str(record.get("year") or ""),
                N_("Mục tiêu"): record.get("target_text") or "", N_("Đơn vị chủ trì"): record.get("lead_unit") or "",
                N_("Nguồn"): record.get("source_doc") or "",
            }
        elif result.kind == "tasks":
            line |= {
                N_("Xã"): record.get("commune_name") or "", N_("Tỉnh"): record.get("province") or "",
                N_("Năm"): str(record.get("plan_year") or ""), N_("Mục"): record.get("item") or "",
                N_("Nhiệm vụ"): record.get("task_name") or "", N_("Tình trạng"): status_text(record),
                N_("Ghi chú"): record.get("note") or "",
            }
        elif result.kind == "spending":
            line |= {
                N_("Xã"): record.get("commune_name") or "", N_("Tỉnh"): record.get("province") or "",
                N_("Năm"): str(record.get("year") or ""), N_("Khoản chi"): record.get("item") or "",
                N_("Dự toán (đồng)"): amount_text(record.get("planned")), N_("Đã chi (đồng)"): amount_text(record.get("spent")),
                N_("Ghi chú"): record.get("note") or "",
            }
        else:
            line |= {
                N_("Mã xã"): record.get("commune_code") or "", N_("Tên xã"): record.get("commune_name") or "",
                N_("Tỉnh"): record.get("province") or "", N_("Dân số"): _shown_number(record.get("adult_population")),
            }
        line[N_("Vấn đề")] = "; ".join(_without_row(i.message) for i in row.problems + row.warnings)
        lines.append({_(heading): value for heading, value in line.items()})
    return pl.DataFrame(lines) if lines else pl.DataFrame({_("Dòng"): [], _("Trạng thái"): []})


def _without_row(message: str) -> str:
    """'Dòng 7, cột Tên xã: …' -> 'cột Tên xã: …' (the preview has its own row column); 'Row 7, …' in English."""
    found = re.match(r"^(?:Dòng|Row) \d+(?:, |: )", message)
    return message[found.end():] if found else message
