"""What the upload page shows of a checked file: one line per data row, with Vietnamese
headings, its status and its problems."""
from __future__ import annotations

import re

import polars as pl

from queries.ingest.kinds.spending import amount_text
from queries.ingest.kinds.tasks import status_text
from queries.ingest.results import STATUS_NAMES, CheckResult
from queries.text import format_month, format_number


def _shown_number(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return ""
    if unit == "yes_no":
        return "Có" if value >= 1 else "Không"
    text = format_number(value, 2)
    text = text.rstrip("0").rstrip(",") if "," in text else text
    return text + (" %" if unit == "percent" else "")


def preview_frame(result: CheckResult) -> pl.DataFrame:
    """One line per data row, in Vietnamese, with its status and its problems."""
    lines = []
    for row in result.rows:
        record = row.record
        line = {"Dòng": row.row, "Trạng thái": STATUS_NAMES[row.status]}
        if result.kind == "actuals":
            period = record.get("period")
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Chỉ tiêu": record.get("indicator") or "", "Kỳ": format_month(period) if period else "",
                "Giá trị": _shown_number(record.get("value"), record.get("unit")),
                "Tử số": _shown_number(record.get("numerator")), "Mẫu số": _shown_number(record.get("denominator")),
                "Ghi chú": record.get("note") or "",
            }
        elif result.kind == "targets":
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Chỉ tiêu": record.get("indicator") or "", "Năm": str(record.get("year") or ""),
                "Mục tiêu": record.get("target_text") or "", "Đơn vị chủ trì": record.get("lead_unit") or "",
                "Nguồn": record.get("source_doc") or "",
            }
        elif result.kind == "tasks":
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Năm": str(record.get("plan_year") or ""), "Mục": record.get("item") or "",
                "Nhiệm vụ": record.get("task_name") or "", "Tình trạng": status_text(record),
                "Ghi chú": record.get("note") or "",
            }
        elif result.kind == "spending":
            line |= {
                "Xã": record.get("commune_name") or "", "Tỉnh": record.get("province") or "",
                "Năm": str(record.get("year") or ""), "Khoản chi": record.get("item") or "",
                "Dự toán (đồng)": amount_text(record.get("planned")), "Đã chi (đồng)": amount_text(record.get("spent")),
                "Ghi chú": record.get("note") or "",
            }
        else:
            line |= {
                "Mã xã": record.get("commune_code") or "", "Tên xã": record.get("commune_name") or "",
                "Tỉnh": record.get("province") or "", "Dân số": _shown_number(record.get("adult_population")),
            }
        line["Vấn đề"] = "; ".join(_without_row(i.message) for i in row.problems + row.warnings)
        lines.append(line)
    return pl.DataFrame(lines) if lines else pl.DataFrame({"Dòng": [], "Trạng thái": []})


def _without_row(message: str) -> str:
    """'Dòng 7, cột Tên xã: …' -> 'cột Tên xã: …' (the preview has its own row column)."""
    found = re.match(r"^Dòng \d+(?:, |: )", message)
    return message[found.end():] if found else message
