"""What checking a file found: one `Issue` per problem or warning, one `RowResult` per data
row, and the `CheckResult` of the file, with the documented JSON object of the command line
(`CheckResult.to_json`) and the frame of accepted rows the store keeps (`CheckResult.frame`).

Rows have a status: accepted (stored), rejected (not stored, with its problems) or duplicate
(the same row again in the file, stored once).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from queries.i18n import N_
from queries.store import ROW_SCHEMAS

STATUS_ACCEPTED, STATUS_REJECTED, STATUS_DUPLICATE = "accepted", "rejected", "duplicate"
# Marked for the catalogue: a page shows _(STATUS_NAMES[status]).
STATUS_NAMES = {STATUS_ACCEPTED: N_("Hợp lệ"), STATUS_REJECTED: N_("Lỗi"), STATUS_DUPLICATE: N_("Trùng, bỏ qua")}


@dataclass(frozen=True)
class Issue:
    row: int | None  # spreadsheet row; None for the whole file
    column: str | None  # canonical column name (gia_tri, …); None for the whole row
    message: str  # a full sentence in the interface's language, beginning with 'Dòng N' ('Row N') when there is a row

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowResult:
    row: int
    status: str
    record: dict  # parsed fields; what is stored when accepted
    problems: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class CheckResult:
    file_name: str
    kind: str | None
    content: bytes
    sha256: str
    source: str = ""  # how the file was read, in Vietnamese
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> heading in the file
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[Issue] = field(default_factory=list)
    file_warnings: list[Issue] = field(default_factory=list)
    defaults_used: dict[str, str] = field(default_factory=dict)  # canonical -> value shown
    # Months of accepted results that are closed: a Quản trị tỉnh stores them with a reason.
    closed_months: list[date] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.file_errors

    @property
    def accepted(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == STATUS_ACCEPTED]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == STATUS_REJECTED]

    @property
    def errors(self) -> list[Issue]:
        return self.file_errors + [p for r in self.rows for p in r.problems]

    @property
    def warnings(self) -> list[Issue]:
        return self.file_warnings + [w for r in self.rows for w in r.warnings]

    @property
    def exit_code(self) -> int:
        if self.file_errors:
            return 2
        return 1 if self.rejected else 0

    def store_content(self) -> bytes:
        """What identifies this upload for the store's "same file twice" rule: the file's
        bytes, plus the commune or month chosen on the page when they filled cells, so the
        same file sent for two communes is two uploads; and, when some rows were rejected,
        which rows were accepted: the same file stored by a commune officer (its own rows)
        and then by the province (every row), or again once a missing commune was added,
        brings rows the first upload did not, and must not be taken for a repeat."""
        content = self.content
        if self.defaults_used:
            marker = json.dumps(self.defaults_used, ensure_ascii=False, sort_keys=True)
            content += b"\n#dti-defaults " + marker.encode("utf-8")
        if self.rejected:
            content += b"\n#dti-rows " + ",".join(str(r.row) for r in self.accepted).encode("ascii")
        return content

    def frame(self) -> pl.DataFrame:
        """Accepted rows with exactly the store's columns for this kind."""
        schema = ROW_SCHEMAS[self.kind]
        rows = [{name: r.record.get(name) for name in schema} for r in self.accepted]
        return pl.DataFrame(rows, schema=schema, orient="row")

    def to_json(self) -> dict:
        return {
            "file": self.file_name,
            "kind": self.kind,
            "rows": len(self.rows),
            "accepted": [_json_record(r, self.kind) for r in self.accepted],
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "duplicates": [r.row for r in self.rows if r.status == STATUS_DUPLICATE],
        }


def _json_record(result: RowResult, kind: str) -> dict:
    record = {"row": result.row}
    for key, value in result.record.items():
        if key in ("row_number", "is_demo"):
            continue
        if isinstance(value, date):
            value = value.strftime("%Y-%m") if key == "period" else value.isoformat()
        record[key] = value
    return record
