"""Writing tables for people: .xlsx with Vietnamese headings and CSV that Excel opens.

Cells that begin with =, +, - or @ are neutralised (prefixed with an apostrophe) so that a
spreadsheet never runs them as formulas; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(frame: pl.DataFrame, headings: dict[str, str] | None = None) -> bytes:
    """UTF-8 with BOM, which Excel on Vietnamese Windows opens with the accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([(headings or {}).get(c, c) for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx_bytes(
    sheets: dict[str, pl.DataFrame],
    headings: dict[str, str] | None = None,
    number_formats: dict[str, str] | None = None,
    title: str | None = None,
) -> bytes:
    """One sheet per frame; heading row bold and frozen; column widths fitted."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    headings = headings or {}
    number_formats = number_formats or {}
    for sheet_name, frame in sheets.items():
        sheet = workbook.create_sheet(sheet_name[:31])
        first_row = 1
        if title:
            sheet.cell(row=1, column=1, value=neutralise(title)).font = Font(bold=True, size=13)
            first_row = 3
        for col, name in enumerate(frame.columns, start=1):
            cell = sheet.cell(row=first_row, column=col, value=headings.get(name, name))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E79")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for r, row in enumerate(frame.iter_rows(), start=first_row + 1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, datetime):
                    value = value.replace(tzinfo=None)
                cell = sheet.cell(row=r, column=c, value=neutralise(value))
                fmt = number_formats.get(frame.columns[c - 1])
                if fmt and isinstance(value, (int, float)):
                    cell.number_format = fmt
                elif isinstance(value, date):
                    cell.number_format = "dd/mm/yyyy"
        sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)
        for col, name in enumerate(frame.columns, start=1):
            values = [headings.get(name, name)] + [str(v) for v in frame[name].head(200).to_list() if v is not None]
            width = min(60, max(8, max(len(v) for v in values) + 2))
            sheet.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
