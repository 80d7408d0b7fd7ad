"""Checking and storing an uploaded file: monthly results (actuals), targets, communes, task
statuses (tasks) or spending (queries/ingest/kinds/, one module each).

    check_file(content, file_name, kind=None, db=None, defaults=None, today=None, actor=None) -> CheckResult
    store_checked(result, store, user="", *, actor=None, reason=None, evidence=(), received_at=None) -> Receipt

`check_file` never raises for anything wrong with the file: it reads the table
(`queries.ingest.readers`), parses every cell (`queries.ingest.parse`), resolves communes,
indicators and tasks against the catalog (bound parameters only) and returns what it
understood, row by row, with Vietnamese messages numbered as the spreadsheet shows the rows.
Without `db` it reads the catalog from the files (`queries.ingest.catalog.CatalogDatabase`),
not the store's full tables.

The account acting (`actor`, a queries.accounts.permissions.Account; None is the local
administrator of the command line) is checked the way the page checks it: a role that may
not upload this kind of file gets one file error; a row of a commune outside the account's
scope is a row error (the other rows are still accepted); for anyone but a Quản trị tỉnh, a
row of monthly results for a month already closed (queries/cycle/calendar.py) is a row error
naming the month, the day it closed and who can reopen it. A Quản trị tỉnh's rows of closed
months are accepted and listed in `CheckResult.closed_months`: storing them needs a reason.

Storing goes through `queries.changes.store_upload`, the one door for changes, which checks
all of this again. `store_checked` is that door for programs (tests, benchmarks, scripts on
the server): it acts as the local administrator under the name `user`.

The command line is `python -m queries.ingest` (queries/ingest/cli.py).

Values are refused unless finite and plausible for their unit (percent 0–100, yes/no 0 or 1,
count and numerator, denominator, population 0–max_count, per 1,000 0–max_per_1000), and a
month is refused when it lies before the year preceding the first target year (that year is
the baseline plans report against, so it is accepted). Amounts of spending are whole đồng,
at most queries.ingest.kinds.spending.MAX_AMOUNT.
"""
from __future__ import annotations

import dataclasses
import logging
import math
from datetime import date, datetime
from pathlib import Path

from queries import changes, clock
from queries.accounts import permissions
from queries.accounts.permissions import LOCAL_ADMIN, Account
from queries.cells import ParseError, is_blank
from queries.cycle import calendar
from queries.data import DataSource
from queries.i18n import N_, _
from queries.ingest.catalog import CatalogDatabase
from queries.ingest.kinds import KIND_NAMES, KINDS, detect_kind
from queries.ingest.known import Catalog
from queries.ingest.log import UPLOAD_NAME, maintainer_log
from queries.ingest.parse import parse_month
from queries.ingest.readers import ReadLimits, Table, TableError, label, read_table
from queries.ingest.resolve import Context, RowProblem, check_amount, names_column
from queries.ingest.results import STATUS_ACCEPTED, STATUS_DUPLICATE, STATUS_REJECTED, CheckResult, Issue, RowResult
from queries.settings import load_settings, store_dir
from queries.store import Receipt, content_hash
from queries.store.uploads import StoreReading
from queries.text import clean_line, clean_text, format_number

log = logging.getLogger(__name__)
UNEXPECTED_FILE_ERROR = N_("Không kiểm tra được tệp do lỗi của chương trình (lỗi đã được ghi lại); "
                           "hãy gửi tệp này cho quản trị viên")


# The reason recorded when a program stores a closed month through `store_checked` without
# giving one (the page and the command line ask the person for theirs).
PROGRAM_REASON = "Lưu bằng chương trình trên máy chủ (store_checked), không qua trang tải lên"
# `changes.store_upload` refuses with this when nothing can be stored; one class for both doors.
NothingToStore = changes.NothingToStore


def check_file(
    content: bytes,
    file_name: str,
    kind: str | None = None,
    db: DataSource | None = None,
    defaults: dict | None = None,
    today: date | None = None,
    actor: Account | None = None,
) -> CheckResult:
    """Read, understand and validate one uploaded file; never raises for a bad file.

    `defaults` fills what the file lacks: {"commune": commune_id or name, "province": name,
    "period": date or '03/2026', "year": 2026}. `actor` is the account uploading (None: the
    local administrator, LOCAL_ADMIN); its role and scope decide what it may store. `db` is
    a Database or a CatalogDatabase; without it the catalog is read from the files.
    """
    # The name is shown on the page and kept with the upload: no control characters in it.
    file_name = clean_line(str(file_name))
    upload = UPLOAD_NAME.set(file_name)
    result = CheckResult(file_name=file_name, kind=kind, content=content, sha256=content_hash(content))
    try:
        maintainer_log(_store_root(db))
        return _check(result, content, file_name, kind, db, defaults, today, actor or LOCAL_ADMIN)
    except Exception:  # a bug must never reach the user as a traceback
        log.exception("checking the file failed")
        result.rows = []
        result.file_errors = [Issue(None, None, _(UNEXPECTED_FILE_ERROR))]
        return result
    finally:
        UPLOAD_NAME.reset(upload)


def _store_root(db: DataSource | None) -> Path:
    root = getattr(getattr(db, "store", None), "root", None)
    return Path(root) if root is not None else store_dir()


def _check(result: CheckResult, content: bytes, file_name: str, kind: str | None, db: DataSource | None,
           defaults: dict | None, today: date | None, actor: Account) -> CheckResult:
    if not any(permissions.may_upload(actor, k) for k in KINDS):
        # A leader (or a disabled account) learns it before anything is read.
        result.file_errors.append(Issue(None, None, permissions.upload_refusal(actor, kind or "actuals")))
        return result
    try:
        settings = getattr(db, "settings", None) if db is not None else load_settings()
        table = read_table(content, file_name, ReadLimits.from_settings(settings))
    except TableError as error:
        result.file_errors.append(Issue(None, None, str(error)))
        return result
    result.source, result.header_row = table.source, table.header_row
    result.columns = {name: table.headings[index] for name, index in table.columns.items()}
    if kind is None:
        kind = detect_kind(table.columns)
        if kind is None:
            result.file_errors.append(Issue(None, None, _(
                "Không nhận ra loại tệp từ dòng tiêu đề (dòng {row}): tệp kết quả cần "
                "các cột Tên xã, Kỳ báo cáo, Mã chỉ tiêu, Giá trị; tệp chỉ tiêu cần Năm, Mã chỉ tiêu, "
                "Mục tiêu; danh sách xã cần Tên xã, Tỉnh; tệp nhiệm vụ cần Tên xã, Mục, Trạng thái; "
                "tệp kinh phí cần Tên xã, Năm, Khoản chi, Dự toán hoặc Đã chi").format(row=table.header_row)))
            return result
    elif kind not in KINDS:
        result.file_errors.append(Issue(None, None, _(
            "Loại tệp “{kind}” không có; chọn actuals, targets, communes, tasks hoặc spending").format(kind=kind)))
        return result
    refusal = permissions.upload_refusal(actor, kind)
    if refusal:
        result.file_errors.append(Issue(None, None, refusal))
        return result
    result.kind = kind
    # What the page or the command line chose is text typed by someone too.
    defaults = {k: clean_text(v) if isinstance(v, str) else v for k, v in (defaults or {}).items()}
    if isinstance(defaults.get("period"), str):
        try:
            defaults["period"] = parse_month(defaults["period"])
        except ParseError as error:
            result.file_errors.append(Issue(None, "ky_bao_cao", _("Kỳ báo cáo đã chọn: {reason}").format(reason=error)))
            return result
    missing = _missing_columns(table, kind, defaults)
    if missing:
        result.file_errors.append(Issue(None, missing[0], _missing_message(table, kind, missing)))
        return result
    if not table.rows:
        result.file_errors.append(Issue(None, None, _("Tệp không có dòng số liệu nào dưới dòng tiêu đề (dòng {row})").format(
            row=table.header_row)))
        return result
    _note_columns(result, table)
    if db is None:
        db = CatalogDatabase()
    settings = getattr(db, "settings", None) or load_settings()
    ctx = Context(table, Catalog.from_database(db), kind, defaults, today or clock.today(),
                  actor=actor, settings=settings, now=clock.now())
    for row in table.rows:
        result.rows.append(_check_row(ctx, row))
    _mark_repeats(result.rows, kind)
    result.defaults_used = {k: v for k, v in ctx.used_defaults.items()}
    if kind == "actuals":
        months = {r.record["period"] for r in result.accepted if r.record.get("period")}
        result.closed_months = sorted(m for m in months if calendar.is_closed(m, ctx.now, settings))
    return result


def _missing_columns(table: Table, kind: str, defaults: dict) -> list[str]:
    missing = []
    for alternatives, default_key in KINDS[kind].REQUIRED:
        if not any(a in table.columns for a in alternatives) and not (default_key and defaults.get(default_key)):
            missing.append(alternatives[0])
    return missing


def _missing_message(table: Table, kind: str, missing: list[str]) -> str:
    names = ", ".join(f"“{label(m)}” ({m})" for m in missing)
    page_hint = ""
    if set(missing) & {"ten_xa", "ky_bao_cao"}:
        page_hint = _("; nếu cả tệp là của một xã hoặc một tháng, hãy chọn xã và kỳ báo cáo trên trang tải lên")
    return _("Tệp {kind} thiếu cột {columns} ở dòng tiêu đề (dòng {row})").format(
        kind=_(KIND_NAMES[kind]), columns=names, row=table.header_row) + page_hint


def _note_columns(result: CheckResult, table: Table) -> None:
    for heading in table.unknown_headings:
        result.file_warnings.append(Issue(None, None, _("Cột “{heading}” không dùng đến: bỏ qua").format(heading=heading)))
    for heading in table.repeated_headings:
        result.file_warnings.append(Issue(None, None, _("Cột “{heading}” lặp lại một cột đã có: chỉ dùng cột đầu tiên").format(
            heading=heading)))


# ---- one row: what its kind found, then scope, closed months, plausibility -----------------


def _check_row(ctx: Context, row) -> RowResult:
    """One row; any unexpected failure becomes a message on that row, never a traceback."""
    try:
        outcome = KINDS[ctx.kind].check_row(ctx, row)
        problems = [_issue(row.number, p.column, p.message) for p in outcome["problems"]]
        problems += _overflow_problem(ctx, row)
        problems += _implausible_numbers(ctx, row, outcome["record"], outcome["problems"])
        warnings = [_issue(row.number, column, text) for column, text in outcome["warnings"]]
        outside = _outside_scope(ctx, row, outcome["record"])
        if outside:  # nothing else about the row matters: this account cannot store it
            problems, warnings = outside, []
        else:
            problems += _closed_month(ctx, row, outcome["record"])
        status = STATUS_REJECTED if problems else STATUS_ACCEPTED
        return RowResult(row.number, status, outcome["record"], problems, warnings)
    except Exception:  # a bug must cost one row, not the upload
        log.exception("checking row %s failed", row.number)
        issue = _issue(row.number, None, _("không đọc được dòng này (lỗi chương trình đã được ghi lại)"))
        return RowResult(row.number, STATUS_REJECTED, {"row_number": row.number}, [issue])


def _outside_scope(ctx: Context, row, record: dict) -> list[Issue]:
    """'Dòng 5: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)'."""
    commune_id = record.get("commune_id")
    if commune_id is None:
        return []
    name = record.get("commune_name") or commune_id
    column = next((c for c in ("ten_xa", "ma_xa", "tinh") if c in ctx.table.columns), None)
    if ctx.kind == "communes":
        # The commune's province now decides, not the one the file writes: a file may not
        # take another province's commune (and its values) into the uploader's own.
        current = ctx.catalog.by_id.get(commune_id)
        message = permissions.commune_row_refusal(ctx.actor, name, current.province if current else None,
                                                  record.get("province"))
        if message is None:
            return []
        if current is not None and permissions.province_in_scope(ctx.actor, current.province) \
                and "tinh" in ctx.table.columns:
            column = "tinh"  # the commune is the account's own: the province written is what is refused
    elif permissions.commune_in_scope(ctx.actor, commune_id, record.get("province")):
        return []
    else:
        message = permissions.row_refusal(ctx.actor, name, record.get("province"))
    return [Issue(row.number, column, _("Dòng {row}: {message}").format(row=row.number, message=message))]


def _closed_month(ctx: Context, row, record: dict) -> list[Issue]:
    """Commune staff cannot change a closed month; a Quản trị tỉnh can (with a reason, asked
    when storing), so the row stays accepted for them."""
    period = record.get("period")
    if ctx.kind != "actuals" or period is None or changes.is_admin(ctx.actor):
        return []
    if not calendar.is_closed(period, ctx.now, ctx.settings):
        return []
    return [_issue(row.number, "ky_bao_cao", ctx.at("ky_bao_cao", calendar.closed_message(period, ctx.settings)))]


_POPULATION_FIELDS = {"adult_population": "dan_so", "population_15plus": "dan_so_15",
                      "working_age_population": "dan_so_lao_dong"}


def _implausible_numbers(ctx: Context, row, record: dict, found: list[RowProblem]) -> list[Issue]:
    """The last guard before a record is accepted: every number in it is finite, and each
    population is a plausible count (0–max_count). The field readers already refuse such
    values; this keeps any path that forgets from storing a score-bending number."""
    problems = []
    flagged = {p.column for p in found}
    for key, value in record.items():
        if not isinstance(value, float) and not (isinstance(value, int) and not isinstance(value, bool)):
            continue
        column = _POPULATION_FIELDS.get(key)
        if column is not None and column not in flagged and ctx.cell(row, column) is not None:
            try:
                check_amount(ctx, float(value), column, _("dân số"))
            except RowProblem as problem:
                problems.append(_issue(row.number, problem.column, problem.message))
        elif isinstance(value, float) and not math.isfinite(value) and not found:
            problems.append(_issue(row.number, None, _("giá trị “{field}” không phải là số hữu hạn").format(field=key)))
    return problems


def _overflow_problem(ctx: Context, row) -> list[Issue]:
    """CSV cells beyond the heading: most often an unquoted decimal comma ('80,44' split in
    two), which would otherwise store 80 and drop 44."""
    if not ctx.table.source.startswith("CSV"):
        return []
    extra = [c for c in row.cells[len(ctx.table.headings):] if not is_blank(c.value)]
    if not extra:
        return []
    return [_issue(row.number, None, _(
        "có {cells} ô, nhiều hơn {columns} cột của dòng tiêu đề — có thể số thập phân dùng dấu phẩy trong tệp phân "
        "cách bằng dấu phẩy; hãy đặt số trong ngoặc kép hoặc lưu tệp với dấu chấm phẩy").format(
        cells=len(ctx.table.headings) + len(extra), columns=len(ctx.table.headings)))]


def _issue(row: int, column: str | None, message: str) -> Issue:
    # Field readers say 'cột X: reason' (ctx.at); the row is named once, in front.
    if names_column(message):
        return Issue(row, column, _("Dòng {row}, {message}").format(row=row, message=message))
    return Issue(row, column, _("Dòng {row}: {message}").format(row=row, message=message))


# ---- the same key twice in one file --------------------------------------------------------


def _same(a: dict, b: dict, kind: str) -> bool:
    return all(a.get(f) == b.get(f) for f in KINDS[kind].SAME)


def _mark_repeats(rows: list[RowResult], kind: str) -> None:
    """The same key twice in one file: the same value again is harmless (kept once); two
    different values reject every row of that key, since we cannot know which is right."""
    groups: dict[tuple, list[RowResult]] = {}
    for result in rows:
        if result.status == STATUS_ACCEPTED:
            groups.setdefault(tuple(result.record.get(k) for k in KINDS[kind].KEY), []).append(result)
    for group in groups.values():
        if len(group) < 2:
            continue
        first = group[0]
        if all(_same(first.record, other.record, kind) for other in group[1:]):
            for other in group[1:]:
                other.status = STATUS_DUPLICATE
                other.warnings.append(Issue(other.row, None, _("Dòng {row}: trùng dòng {first}, chỉ lưu một lần").format(
                    row=other.row, first=first.row)))
            continue
        # At most a few rows and values in each message: a file repeating one key on 50,000
        # rows would otherwise write every row into every message (billions of characters).
        rows_text = _first_few([str(r.row) for r in group], _("dòng"))
        what = KINDS[kind].describe_key(first.record)
        values = _first_few([KINDS[kind].describe_value(r.record) for r in group], _("giá trị"), " ≠ ")
        for other in group:
            other.status = STATUS_REJECTED
            other.problems.append(Issue(other.row, None, _(
                "Dòng {row}: {what} có ở các dòng {rows} với giá trị khác nhau ({values}); hãy giữ lại một dòng").format(
                row=other.row, what=what, rows=rows_text, values=values)))


def _first_few(items: list[str], noun: str, separator: str = ", ", shown: int = 5) -> str:
    """'11, 12' — or '11, 12, 13, 14, 15 và 49.994 dòng khác' when there are many."""
    if len(items) <= shown:
        return separator.join(items)
    return separator.join(items[:shown]) + _(" và {count} {noun} khác").format(
        count=format_number(len(items) - shown, 0), noun=noun)


# ---- storing -------------------------------------------------------------------------------


def store_checked(result: CheckResult, store, user: str = "", *, actor: Account | None = None,
                  reason: str | None = None, evidence=(), received_at: datetime | None = None) -> Receipt:
    """Store the accepted rows of a checked file as one upload, through
    `queries.changes.store_upload` (which checks the account and the calendar again). `store`
    is a Database, a CatalogDatabase, a Store or a directory. The same file again changes
    nothing.

    For programs: without `actor` it acts as the local administrator recorded as `user` (the
    system user when empty), and a closed month is stored with PROGRAM_REASON unless a reason
    is given. The page and the command line call `changes.store_upload` with the person's own
    account and reason. Raises NothingToStore, or changes.Refused with a Vietnamese message.
    """
    db = _database(store)
    if actor is None:
        actor = dataclasses.replace(LOCAL_ADMIN, username=user) if user else LOCAL_ADMIN
        if not (reason or "").strip() and result.kind == "actuals" and result.readable:
            months = {r.record["period"] for r in result.accepted if r.record.get("period")}
            if changes.closed_months(months, db):
                reason = PROGRAM_REASON
    return changes.store_upload(db, result, actor, evidence=evidence, received_at=received_at, reason=reason)


def _database(store):
    """What changes.store_upload needs (`store`, `settings`) from what the caller holds."""
    if isinstance(getattr(store, "store", None), StoreReading) and hasattr(store, "settings"):
        return store
    return CatalogDatabase(store.root if isinstance(store, StoreReading) else store)
