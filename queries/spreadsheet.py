"""Writing spreadsheet cells safely: .xlsx cells through `write_cell`, CSV through `neutralise`
and `to_csv_bytes`, so text is treated the same way in every file the product makes (the
reports' tables, the upload templates):
- text that begins with =, +, - or @, also after leading spaces and in their full-width forms
  ＝ ＋ － ＠, or with a tab or carriage return, is never run as a formula: in .xlsx the cell
  is written as text with Excel's "quote prefix" flag (it shows exactly what was typed, and
  stays text even when someone edits it); in CSV, which has no types, it gets a leading
  apostrophe (the usual CSV-injection guard);
- control characters are dropped (`queries.text.clean_text`): the importer removes them,
  and text stored before it did must not make an export fail (openpyxl refuses them).
Numbers stay numbers (a negative number is a number, not text), dates stay dates.

Base module: the importer's templates (queries/ingest) and the reports (queries/reports) both
write through it, so it imports nothing of the project but other base modules.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from queries.text import clean_text

if TYPE_CHECKING:  # lazy: start-up time (openpyxl): writing CSV, as the pages do, never needs it
    from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
RISKY_FIRST = ("\t", "\r")


def is_risky(value: object) -> bool:
    """Text a spreadsheet could take for a formula: '=SUM(…)', '  +1', '＝HYPERLINK(…)'."""
    return isinstance(value, str) and (value.startswith(RISKY_FIRST) or value.lstrip().startswith(FORMULA_STARTS))


def neutralise(value: object) -> object:
    """For CSV: text without control characters; text a spreadsheet would run gets a
    leading apostrophe."""
    if isinstance(value, str):
        value = clean_text(value)
    if is_risky(value):
        return "'" + value
    return value


def write_cell(cell: Cell, value: object) -> None:
    """Put a value in an .xlsx cell; text loses its control characters, and risky text is
    stored as text, never as a formula."""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        value = clean_text(value)
    cell.value = value
    if is_risky(value):
        cell.data_type = "s"  # openpyxl would otherwise write "=…" as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def to_csv_bytes(frame: pl.DataFrame, headings: dict[str, str] | None = None) -> bytes:
    """UTF-8 with BOM, which Excel on Vietnamese Windows opens with the accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise((headings or {}).get(c, c)) for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
