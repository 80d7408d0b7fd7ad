"""`python -m queries.ingest`: check and store files, undo and redo uploads, on the server.

    python -m queries.ingest FILE... [--kind actuals|targets|communes|tasks|spending] [--dry-run] [--json]
                             [--store DIR] [--as USERNAME | --user NAME] [--reason "…"]
                             [--received-at 2026-12-19T23:59:00+07:00] [--evidence FILE]...
                             [--commune C] [--province P] [--period MONTH] [--year YEAR]
    python -m queries.ingest --undo UPLOAD_ID [--as USERNAME] [--reason "…"] [--json] [--store DIR]
    python -m queries.ingest --redo UPLOAD_ID [--as USERNAME] [--reason "…"] [--json] [--store DIR]
    (every form takes --database-url URL: the shared PostgreSQL database, default DTI_DATABASE_URL,
     and --lang vi|en: the language of the messages, default DTI_LANG or vi; JSON keys never change)

Who acts: with `--as USERNAME`, that account of the store, with exactly the permissions it has
on the page (a commune officer stores the rows of its own communes, a leader nothing). Without
it, the person at the terminal, who already holds the store's files, acts as the local
administrator (a country-wide Quản trị) and is recorded under their system user name, or the
name given with `--user`. Every change goes through queries/changes.py, like the page's.

- `--reason`: a Quản trị tỉnh changing a closed month must say why (recorded in the log);
  without it nothing is stored and the exit code is 2.
- `--received-at`: when the report really arrived (a report sent on paper or by e-mail before
  the deadline), a timezone-aware ISO 8601 time, not in the future; Quản trị only.
- `--evidence FILE` (repeatable): minh chứng linked to every upload of the run; each must be a
  PDF, PNG, JPEG, DOCX or XLSX by its content, within the setting evidence_max_mb. One refused
  file refuses the whole upload: nothing is stored, data rows included.

Output: one JSON object per file with --json (file, kind, rows, accepted, errors, warnings,
duplicates, and "stored": {"upload_id", "duplicate"} when stored); for undo and redo
{"undone"|"redone": UPLOAD_ID, "changed": bool, "errors": [...]}. Exit 0 when everything was
accepted (or undone, redone), 1 when some rows were rejected, 2 when a file could not be read
or was over a limit, the account may not do this, the database cannot be reached, or anything
else refused the change. Never a traceback: an unexpected error goes, with its traceback, to
<store>/logs/ingest.log.

Checking needs the catalog only (queries/ingest/catalog.py): the command costs what the file
costs, not a build of the store's tables.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from queries import changes, clock
from queries.accounts.permissions import ACCOUNT_DISABLED, LOCAL_ADMIN, Account
from queries.accounts.service import get_account
from queries.arguments import UsageError, VietnameseParser, language_of
from queries.cycle.evidence import Evidence, EvidenceError, check_evidence
from queries.i18n import _, use_language
from queries.ingest.catalog import CatalogDatabase
from queries.ingest.kinds import KIND_NAMES
from queries.ingest.log import LOG_FILE, UPLOAD_NAME, maintainer_log
from queries.ingest.pipeline import check_file
from queries.ingest.results import STATUS_DUPLICATE, CheckResult
from queries.store import KINDS
from queries.store.postgres import DatabaseUnavailable, use_database_url
from queries.text import clean_text

log = logging.getLogger(__name__)
RECEIVED_AT_EXAMPLE = "2026-12-19T23:59:00+07:00"

def _parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(prog="python -m queries.ingest",
                     description=_("Kiểm tra và lưu tệp số liệu của xã (CSV hoặc Excel .xlsx); hoàn tác, khôi phục lần tải lên."))
    parser.add_argument("files", nargs="*", metavar="FILE", help=_("tệp .csv hoặc .xlsx"))
    parser.add_argument("--kind", choices=KINDS, help=_("loại tệp (mặc định: nhận biết theo cột)"))
    parser.add_argument("--dry-run", action="store_true", help=_("chỉ kiểm tra, không lưu"))
    parser.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON (một đối tượng mỗi tệp)"))
    parser.add_argument("--store", help=_("thư mục lưu trữ (mặc định: DTI_STORE hoặc ./store)"))
    parser.add_argument("--database-url", metavar="URL",
                        help=_("cơ sở dữ liệu PostgreSQL dùng chung (mặc định: DTI_DATABASE_URL)"))
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--as", dest="as_user", metavar="USERNAME",
                     help=_("thực hiện với tài khoản này (đúng quyền của tài khoản như trên trang)"))
    who.add_argument("--user", help=_("tên ghi vào lịch sử khi chạy với quyền quản trị trên máy chủ "
                                    "(mặc định: tên người dùng hệ thống)"))
    parser.add_argument("--reason", help=_("lý do thay đổi tháng đã khóa sổ (bắt buộc với tháng đã khóa sổ)"))
    parser.add_argument("--received-at", metavar=_("THỜI_ĐIỂM"),
                        help=_("thời điểm nhận báo cáo, có múi giờ, ví dụ {example} (chỉ Quản trị)").format(
                            example=RECEIVED_AT_EXAMPLE))
    parser.add_argument("--evidence", action="append", default=[], metavar="FILE",
                        help=_("tệp minh chứng (PDF, PNG, JPEG, DOCX, XLSX); có thể ghi nhiều lần"))
    change = parser.add_mutually_exclusive_group()
    change.add_argument("--undo", metavar="UPLOAD_ID", help=_("hoàn tác lần tải lên này"))
    change.add_argument("--redo", metavar="UPLOAD_ID", help=_("khôi phục lần tải lên đã hoàn tác"))
    parser.add_argument("--commune", help=_("xã của cả tệp khi tệp không có cột xã (tên hoặc mã)"))
    parser.add_argument("--province", help=_("tỉnh của các xã khi tệp không có cột tỉnh"))
    parser.add_argument("--period", help=_("kỳ báo cáo của cả tệp khi tệp không có cột kỳ, vd. 03/2026"))
    parser.add_argument("--year", type=int, help=_("năm của cả tệp khi tệp không có cột năm"))
    return parser


@dataclass
class Session:
    """Everything one run decides before its files: who acts, and what comes with every upload."""

    db: CatalogDatabase
    actor: Account
    kind: str | None = None
    defaults: dict = field(default_factory=dict)
    dry_run: bool = False
    reason: str | None = None
    received_at: datetime | None = None
    evidence: list[Evidence] = field(default_factory=list)
    refusal: str | None = None  # a refused evidence file: every upload of the run is refused


def acting_account(db: CatalogDatabase, as_user: str | None, user: str | None) -> Account:
    """The account of --as as stored now, or the local administrator named --user (or the
    system user)."""
    if as_user is None:
        name = clean_text(user or "").strip()
        return dataclasses.replace(LOCAL_ADMIN, username=name) if name else LOCAL_ADMIN
    account = get_account(db.store.root, as_user)
    if account is None:
        raise UsageError(_("Không có tài khoản “{username}” trong kho dữ liệu {store}.").format(
            username=clean_text(as_user), store=db.store.root))
    if not account.active:
        raise UsageError(_("Tài khoản “{username}”: {reason}").format(username=account.username, reason=_(ACCOUNT_DISABLED)))
    return account


def received_moment(text: str | None, actor: Account) -> datetime | None:
    """--received-at as a moment: with its time zone, not in the future, and for an admin only."""
    if text is None:
        return None
    if not changes.is_admin(actor):
        raise UsageError(_("Chỉ Quản trị tỉnh được ghi ngày nhận báo cáo (--received-at)."))
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(_("--received-at “{value}” không phải là thời điểm ISO 8601 (ví dụ {example}).").format(
            value=clean_text(text), example=RECEIVED_AT_EXAMPLE)) from None
    if moment.tzinfo is None:
        raise UsageError(_("--received-at “{value}” thiếu múi giờ: ghi như {example} (+07:00 là giờ Việt Nam).").format(
            value=clean_text(text), example=RECEIVED_AT_EXAMPLE))
    now = clock.now()
    if moment > now:
        shown = now.astimezone(clock.VIETNAM).strftime("%d/%m/%Y %H:%M")
        raise UsageError(_("--received-at “{value}” ở tương lai (bây giờ là {now} giờ Việt Nam).").format(
            value=clean_text(text), now=shown))
    return moment


def evidence_files(paths: list[str], settings: dict) -> tuple[list[Evidence], str | None]:
    """The evidence files, each checked by its content; the first refusal, if any."""
    accepted = []
    for name in paths:
        try:
            content = Path(name).read_bytes()
        except OSError as error:
            return [], _("Không mở được tệp minh chứng “{file}”: {reason}; không lưu gì của lần tải lên này.").format(
                file=name, reason=os_reason(error))
        try:
            accepted.append(check_evidence(Path(name).name, content, float(settings["evidence_max_mb"])))
        except EvidenceError as error:
            return [], str(error)
    return accepted, None


def _state_change(session: Session, action: str, upload_id: str) -> tuple[int, dict, str]:
    """--undo / --redo through changes.undo / changes.redo, with the account's permissions."""
    key = "undone" if action == "undo" else "redone"
    upload_id = clean_text(upload_id).strip()
    try:
        changed = getattr(changes, action)(session.db, upload_id, session.actor, reason=session.reason)
    except changes.Refused as refusal:
        return (2, {key: upload_id, "changed": False, "errors": [_error(refusal.message)]},
                _("Lỗi: {message}").format(message=refusal.message))
    entry = session.db.store.upload(upload_id)
    names = {"upload": upload_id, "file": entry.get("file_name") or ""}
    if changed:
        text = (_("Đã hoàn tác lần tải lên {upload} (tệp “{file}”)") if action == "undo"
                else _("Đã khôi phục lần tải lên {upload} (tệp “{file}”)")).format(**names)
    else:
        text = (_("Lần tải lên {upload} (tệp “{file}”) đã ở trạng thái hoàn tác: không có gì thay đổi") if action == "undo"
                else _("Lần tải lên {upload} (tệp “{file}”) đã đang có hiệu lực: không có gì thay đổi")).format(**names)
    return 0, {key: upload_id, "changed": changed, "errors": []}, text


def _error(message: str) -> dict:
    return {"row": None, "column": None, "message": message}


def _print(data: dict, text: str, as_json: bool) -> None:
    print(json.dumps(data, ensure_ascii=False) if as_json else text, flush=True)


# ---- one file ----------------------------------------------------------------------------------


def _summary(result: CheckResult) -> str:
    lines = [_("Tệp: {file}").format(file=result.file_name)]
    if result.source:
        lines.append(_("Đọc được: {source}; dòng tiêu đề là dòng {row}").format(source=result.source, row=result.header_row))
    if result.kind and result.readable:
        duplicates = sum(1 for r in result.rows if r.status == STATUS_DUPLICATE)
        lines.append(
            _("Loại: {kind} — {rows} dòng: {accepted} hợp lệ, {rejected} lỗi").format(
                kind=_(KIND_NAMES[result.kind]), rows=len(result.rows), accepted=len(result.accepted),
                rejected=len(result.rejected))
            + (_(", {count} trùng").format(count=duplicates) if duplicates else "")
        )
    if result.errors:
        lines.append(_("Lỗi:"))
        lines.extend(f"  {e.message}" for e in result.errors)
    if result.warnings:
        lines.append(_("Lưu ý:"))
        lines.extend(f"  {w.message}" for w in result.warnings)
    return "\n".join(lines)


def process_file(path: Path, session: Session) -> tuple[int, dict, str]:
    """Check one file as `session.actor` and, unless it is a dry run, store it through
    `changes.store_upload` with the session's evidence, received_at and reason. Returns
    (exit code, the documented JSON object, the text for the terminal)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        message = _("Không mở được tệp “{file}”: {reason}").format(file=path, reason=os_reason(error))
        return 2, _json_failure(str(path), session.kind, message), message
    result = check_file(content, path.name, kind=session.kind, db=session.db, defaults=session.defaults,
                        actor=session.actor)
    output = result.to_json()
    output["file"] = str(path)
    text = _summary(result)
    code = result.exit_code

    def refuse(message: str, hint: str = "") -> None:
        nonlocal code, text
        output["errors"].insert(0, {"row": None, "column": None, "message": message})
        code = 2
        text += "\n" + _("Không lưu gì: {message}").format(message=message) + hint

    if session.refusal:  # a refused evidence file refuses the whole upload
        refuse(session.refusal)
    elif session.dry_run:
        text += "\n" + _("Chạy thử (--dry-run): chưa lưu gì")
        if result.closed_months and not session.reason:
            text += "\n" + _("Tháng đã khóa sổ: khi lưu hãy ghi lý do (--reason “…”)")
    elif result.readable and result.accepted:
        try:
            receipt = changes.store_upload(session.db, result, session.actor, evidence=session.evidence,
                                           received_at=session.received_at, reason=session.reason)
        except changes.Refused as refusal:
            refuse(refusal.message, _(" Ghi lý do bằng --reason “…”.") if refusal.message == _(changes.REASON_NEEDED) else "")
        else:
            output["stored"] = {"upload_id": receipt.upload_id, "duplicate": receipt.duplicate}
            text += "\n" + (_("Tệp này đã được lưu trước đó (mã {upload}): không có gì thay đổi").format(upload=receipt.upload_id)
                            if receipt.duplicate else _("Đã lưu {rows} dòng (mã tải lên {upload})").format(
                                rows=len(result.accepted), upload=receipt.upload_id))
    return code, output, text


def os_reason(error: OSError) -> str:
    """Why a file could not be opened, in the interface's language (the system's own words are English)."""
    if isinstance(error, FileNotFoundError):
        return _("không có tệp này")
    if isinstance(error, IsADirectoryError):
        return _("đây là thư mục, không phải tệp")
    if isinstance(error, PermissionError):
        return _("không có quyền đọc tệp này")
    return str(error.strerror or error)


def _json_failure(file_name: str | None, kind: str | None, message: str) -> dict:
    """The documented JSON object of a file that could not be checked at all."""
    return {"file": file_name, "kind": kind, "rows": 0, "accepted": [],
            "errors": [{"row": None, "column": None, "message": message}], "warnings": [], "duplicates": []}


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
    argv = sys.argv[1:] if argv is None else list(argv)
    # The language for this run (the parser's help and complaints too), and back after it for
    # whoever called main() in-process.
    with use_language(language_of(argv)):
        return _main(argv)


def _main(argv: list[str]) -> int:
    wants_json = "--json" in argv
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:  # Ctrl-C: what was stored is stored; a file half-way is not
        print("\n" + _("Đã dừng (Ctrl-C)."), file=sys.stderr)
        return 130
    except UsageError as problem:
        if wants_json:
            print(json.dumps(_json_failure(None, None, str(problem)), ensure_ascii=False))
        else:
            print(problem, file=sys.stderr)
        return 2


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    use_database_url(args.database_url)
    if args.undo or args.redo:
        if args.files:
            raise UsageError(_("Lỗi: --undo và --redo không dùng cùng với tệp."))
    elif not args.files:
        raise UsageError(_("Lỗi: cần ít nhất một tệp, hoặc --undo/--redo. Xem: python -m queries.ingest --help"))
    worst = 0
    current = None
    log_path = LOG_FILE
    try:
        db = CatalogDatabase(args.store)
        log_path = maintainer_log(db.store.root)
        try:
            session = _session(args, db)
        except UsageError as problem:
            return _refuse_all(args, str(problem))
        if args.undo or args.redo:
            action, upload_id = ("undo", args.undo) if args.undo else ("redo", args.redo)
            current = upload_id
            code, output, text = _state_change(session, action, upload_id)
            _print(output, text, args.json)
            return code
        for name in args.files:
            current = name
            code, output, text = process_file(Path(name), session)
            worst = max(worst, code)
            _print(output, text, args.json)
            if not args.json and len(args.files) > 1:
                print()
    except BrokenPipeError:
        raise
    except DatabaseUnavailable as error:  # its own sentence: what was stored before it is stored
        print(error.message, file=sys.stderr)  # for the operator, JSON or not
        if args.json and (args.undo or args.redo):
            key = "undone" if args.undo else "redone"
            print(json.dumps({key: current, "changed": False, "errors": [_error(error.message)]}, ensure_ascii=False))
        elif args.json:
            print(json.dumps(_json_failure(current, args.kind, error.message), ensure_ascii=False))
        return 2
    except Exception:  # never a traceback for the person at the terminal: one sentence
        token = UPLOAD_NAME.set(str(current))
        log.exception("python -m queries.ingest failed")
        UPLOAD_NAME.reset(token)
        what = (_(" khi xử lý lần tải lên “{name}”") if args.undo or args.redo else _(" khi xử lý tệp “{name}”")).format(
            name=current)
        message = _("Lỗi không mong đợi của chương trình{where}; chi tiết đã được ghi vào {log}, hãy gửi cho quản trị "
                    "viên").format(where=what if current else "", log=log_path)
        if not args.json:
            print(message, file=sys.stderr)
        elif args.undo or args.redo:
            key = "undone" if args.undo else "redone"
            print(json.dumps({key: current, "changed": False, "errors": [_error(message)]}, ensure_ascii=False))
        else:
            print(json.dumps(_json_failure(current, args.kind, message), ensure_ascii=False))
        return 2
    return worst


def _session(args, db: CatalogDatabase) -> Session:
    actor = acting_account(db, args.as_user, args.user)
    session = Session(db=db, actor=actor, kind=args.kind, dry_run=args.dry_run,
                      reason=clean_text(args.reason).strip() or None if args.reason else None)
    if args.undo or args.redo:
        return session
    session.defaults = {k: v for k, v in (("commune", args.commune), ("province", args.province),
                                          ("period", args.period), ("year", args.year)) if v}
    session.received_at = received_moment(args.received_at, actor)
    session.evidence, session.refusal = evidence_files(args.evidence, db.settings)
    return session


def _refuse_all(args, message: str) -> int:
    """A refusal before any file is read (unknown account, --received-at…): every file, or the
    undo, gets the same sentence; nothing is stored."""
    if args.undo or args.redo:
        key, upload_id = ("undone", args.undo) if args.undo else ("redone", args.redo)
        _print({key: upload_id, "changed": False, "errors": [_error(message)]}, message, args.json)
        return 2
    for name in args.files:
        _print(_json_failure(name, args.kind, message), _("Tệp: {file}").format(file=name) + f"\n{message}", args.json)
    return 2


if __name__ == "__main__":
    sys.exit(main())
