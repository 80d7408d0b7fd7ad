"""Writing tables for people: .xlsx with Vietnamese headings (CSV is queries/spreadsheet.py's
`to_csv_bytes`).

Every cell is written by `queries.spreadsheet.write_cell`, like every other spreadsheet the
product writes: risky text stays text, never a formula; control characters are dropped.
Numbers stay numbers, dates stay dates.
"""
from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from queries.i18n import _
from queries.spreadsheet import write_cell

HEADING_FILL = "1F4E79"
DEFAULT_FORMATS = {int: "#,##0", float: "#,##0.00"}  # Excel shows these with the reader's separators


def to_xlsx_bytes(
    sheets: dict[str, pl.DataFrame],
    headings: dict[str, str] | None = None,
    number_formats: dict[str, str] | None = None,
    title: str | None = None,
) -> bytes:
    """One sheet per frame: optional title on row 1, heading row bold, frozen and filterable,
    numbers as numbers with a format, dates as dates, column widths fitted, printed landscape
    on one page wide with the heading row repeated."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    headings = headings or {}
    number_formats = number_formats or {}
    thin = Side(style="thin", color="BFBFBF")
    for sheet_name, frame in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(sheet_name))
        heading_row = 1
        if title:
            write_cell(sheet.cell(row=1, column=1), title)
            sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
            heading_row = 3
        for col, name in enumerate(frame.columns, start=1):
            cell = sheet.cell(row=heading_row, column=col)
            write_cell(cell, headings.get(name, name))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=HEADING_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = Border(bottom=thin)
        formats = [number_formats.get(name) for name in frame.columns]
        for r, row in enumerate(frame.iter_rows(), start=heading_row + 1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                write_cell(cell, value)
                fmt = formats[c - 1]
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, (int, float)):
                    cell.number_format = fmt or DEFAULT_FORMATS[int if isinstance(value, int) else float]
                elif isinstance(value, (date, datetime)):
                    cell.number_format = fmt or ("dd/mm/yyyy hh:mm" if isinstance(value, datetime) else "dd/mm/yyyy")
        sheet.freeze_panes = sheet.cell(row=heading_row + 1, column=1)
        if frame.width:
            last = f"{get_column_letter(frame.width)}{heading_row + max(frame.height, 1)}"
            sheet.auto_filter.ref = f"A{heading_row}:{last}"
        sheet.print_title_rows = f"{heading_row}:{heading_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        heading_lines = 1
        for col, name in enumerate(frame.columns, start=1):
            values = [str(v) for v in frame[name].head(200).to_list() if v is not None]
            heading = str(headings.get(name, name))
            longest = max([len(v) for v in values] + [min(len(heading), 24)])
            width = min(60, max(8, longest + 2))
            sheet.column_dimensions[get_column_letter(col)].width = width
            heading_lines = max(heading_lines, -(-len(heading) // max(1, width - 2)))
        # wrapped headings: Excel does not grow a row written by a program, so set its height
        sheet.row_dimensions[heading_row].height = 15 * min(heading_lines, 4) + 3
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    """Excel forbids []:*?/\\ in sheet names and allows 31 characters."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or _("Bảng")
    return cleaned[:31].strip()
