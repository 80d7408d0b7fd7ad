"""The kinds of file the importer reads, one module each, in the order the page offers them.

Each module declares:
    NAME        what the kind is called, in Vietnamese ("kết quả hằng tháng")
    REQUIRED    the columns it cannot do without, as alternatives, each with the page's choice
                (a key of `defaults`) that may stand in for a missing one
    OPTIONAL    the other columns it reads when the file has them
    KEY         the fields that identify a stored row (one value per key)
    SAME        the fields two rows of one key must share to be the same row written twice
    check_row(ctx, row) -> {"record": dict, "problems": [RowProblem], "warnings": [(column, text)]}
    describe_key(record), describe_value(record)   a row's key and value in a message

`queries.ingest.pipeline` runs them; `detect_kind` tells a file's kind from its columns.
"""
from __future__ import annotations

from queries.ingest.kinds import actuals, communes, spending, targets, tasks

KINDS = {"actuals": actuals, "targets": targets, "communes": communes, "tasks": tasks, "spending": spending}
# Marked for the catalogue where each kind declares it: a page shows _(KIND_NAMES[kind]).
KIND_NAMES = {name: kind.NAME for name, kind in KINDS.items()}


def detect_kind(columns: dict[str, int]) -> str | None:
    """Which kind of file, from the columns it names."""
    has = set(columns)
    indicator = bool(has & {"ma_chi_tieu", "ten_chi_tieu"})
    measured = bool(has & {"gia_tri", "tu_so", "mau_so"})
    if indicator and measured and ("ky_bao_cao" in has or "muc_tieu" not in has):
        return "actuals"
    if indicator and "muc_tieu" in has:
        return "targets"
    if not indicator and {"muc", "trang_thai"} <= has:
        return "tasks"
    if not indicator and "khoan_chi" in has and has & {"du_toan", "da_chi"}:
        return "spending"
    if not indicator and "ten_xa" in has and (has & {"tinh", "dan_so", "dan_so_15", "dan_so_lao_dong", "ma_xa"}):
        return "communes"
    return None
