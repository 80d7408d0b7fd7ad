"""`python -m queries.users`: manage accounts on the server, without signing in.

    python -m queries.users add USERNAME --role quan_tri|can_bo_xa|lanh_dao [--province P]...
                                [--commune C]... [--name "Họ tên"] [--email E] [--password-stdin]
    python -m queries.users update USERNAME [--role R] [--province P]... [--commune C]... [--name N] [--email E]
    python -m queries.users list [--json]
    python -m queries.users disable USERNAME
    python -m queries.users enable USERNAME
    python -m queries.users set-password USERNAME --password-stdin
    (every command takes --store DIR; default DTI_STORE or ./store; and --database-url URL, the
    shared PostgreSQL database, default DTI_DATABASE_URL; without either, the store's files)

The password is read from standard input (one line), never from the command line, where
any user of the machine could read it in the process list; at a terminal it is asked twice
without echo. The person at the terminal acts as a country-wide administrator and is
recorded in the audit log under their system user name (getpass.getuser()).

Communes are named as the importer names them: id, code, or name within --province.
Every command takes --lang vi|en (default DTI_LANG, else vi): help, messages and the table in
that language; --json's keys and values never change. Exit 0 on success, 2 with one sentence
on any error (a database that cannot be reached too). Never a traceback.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys

from queries.accounts.permissions import LOCAL_ADMIN, ROLE_LABELS, ROLES, Account, role_label, scope_label
from queries.accounts.service import (
    InvalidInput,
    create_account,
    disable_account,
    enable_account,
    list_accounts,
    normalize_username,
    set_password,
    update_account,
)
from queries.arguments import VietnameseParser, error_line, language_of
from queries.errors import UserFacingError
from queries.i18n import _, use_language
from queries.settings import store_dir
from queries.store.postgres import use_database_url

log = logging.getLogger(__name__)


class _Parser(VietnameseParser):
    help_command = "python -m queries.users"  # sub-commands' complaints point at the whole command


def _parser() -> argparse.ArgumentParser:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", default=argparse.SUPPRESS,
                       help=_("thư mục lưu trữ (mặc định: DTI_STORE hoặc ./store)"))
    store.add_argument("--database-url", default=argparse.SUPPRESS, metavar="URL",
                       help=_("cơ sở dữ liệu PostgreSQL dùng chung (mặc định: DTI_DATABASE_URL)"))
    parser = _Parser(prog="python -m queries.users", parents=[store],
                     description=_("Quản lý tài khoản người dùng (chạy trên máy chủ, với quyền quản trị)."))
    commands = parser.add_subparsers(dest="command", metavar=_("LỆNH"), parser_class=_Parser)
    commands.required = True
    username = _("TÊN_ĐĂNG_NHẬP")

    def scope_options(sub, role_required: bool) -> None:
        sub.add_argument("--role", required=role_required, metavar=_("VAI_TRÒ"),
                         help=_("quan_tri (Quản trị tỉnh), can_bo_xa (Cán bộ xã) hoặc lanh_dao (Lãnh đạo)"))
        sub.add_argument("--province", action="append", default=None, metavar=_("TỈNH"),
                         help=_("tỉnh phụ trách (lặp lại được); bỏ trống: toàn quốc"))
        sub.add_argument("--commune", action="append", default=None, metavar=_("XÃ"),
                         help=_("xã của Cán bộ xã: mã xã, mã định danh hoặc tên trong --province (lặp lại được)"))
        sub.add_argument("--name", help=_("họ tên"))
        sub.add_argument("--email", help=_("email (đăng nhập SSO)"))

    add = commands.add_parser("add", parents=[store], help=_("tạo tài khoản"))
    add.add_argument("username", metavar=username)
    scope_options(add, role_required=True)
    add.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu từ đầu vào chuẩn (một dòng)"))

    update = commands.add_parser("update", parents=[store], help=_("sửa vai trò, phạm vi, họ tên hoặc email"))
    update.add_argument("username", metavar=username)
    scope_options(update, role_required=False)

    listing = commands.add_parser("list", parents=[store], help=_("liệt kê tài khoản"))
    listing.add_argument("--json", action="store_true", help=_("in dạng JSON"))

    for name, text in (("disable", _("vô hiệu hóa tài khoản")), ("enable", _("kích hoạt lại tài khoản"))):
        sub = commands.add_parser(name, parents=[store], help=text)
        sub.add_argument("username", metavar=username)

    password = commands.add_parser("set-password", parents=[store], help=_("đặt lại mật khẩu"))
    password.add_argument("username", metavar=username)
    password.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu từ đầu vào chuẩn (một dòng)"))
    return parser


def _read_password() -> str:
    if sys.stdin is None:
        raise InvalidInput(_("Không có đầu vào chuẩn để đọc mật khẩu."))
    if sys.stdin.isatty():
        first = getpass.getpass(_("Mật khẩu: "))
        if getpass.getpass(_("Nhập lại mật khẩu: ")) != first:
            raise InvalidInput(_("Hai lần nhập mật khẩu không khớp."))
        return first
    try:
        sys.stdin.reconfigure(encoding="utf-8")
    except (AttributeError, ValueError):
        pass
    try:
        return sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise InvalidInput(_("Mật khẩu đọc từ đầu vào chuẩn không phải văn bản UTF-8.")) from None


def _row(account: Account) -> dict:
    """What --json prints: codes and names as stored, the same in every language."""
    return {"username": account.username, "name": account.name, "role": account.role,
            "provinces": list(account.provinces), "communes": list(account.communes),
            "commune_names": list(account.commune_names), "email": account.email, "active": account.active}


def _summary(account: Account) -> str:
    return f"{account.role_label}, {scope_label(account)}"


def _table(accounts: list[Account]) -> str:
    if not accounts:
        return _("Chưa có tài khoản nào.")
    head = (_("Tên đăng nhập"), _("Họ tên"), _("Vai trò"), _("Phạm vi"), _("Email"), _("Trạng thái"))
    active, disabled = _("hoạt động"), _("đã vô hiệu hóa")
    rows = [(a.username, a.name or "–", a.role_label, scope_label(a), a.email or "–",
             active if a.active else disabled) for a in accounts]
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in (head, *rows)]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _run(args) -> str:
    root = store_dir(getattr(args, "store", None))
    actor = LOCAL_ADMIN
    if args.command == "add":
        if not args.password_stdin and not args.email:
            raise InvalidInput(_("Hãy đưa mật khẩu qua --password-stdin (không bao giờ ghi mật khẩu trên dòng lệnh), "
                                 "hoặc ghi --email cho tài khoản chỉ đăng nhập bằng SSO."))
        password = _read_password() if args.password_stdin else None
        account = create_account(actor, root, username=args.username, role=args.role, password=password,
                                 name=args.name or "", email=args.email, provinces=args.province or (),
                                 communes=args.commune or ())
        return _("Đã tạo tài khoản “{username}” ({summary}).").format(username=account.username,
                                                                    summary=_summary(account))
    if args.command == "update":
        changes = {k: v for k, v in (("role", args.role), ("provinces", args.province), ("communes", args.commune),
                                     ("name", args.name), ("email", args.email)) if v is not None}
        if not changes:
            raise InvalidInput(_("Không có gì để sửa: hãy ghi --role, --province, --commune, --name hoặc --email."))
        account = update_account(actor, root, args.username, **changes)
        return _("Đã sửa tài khoản “{username}” ({summary}).").format(username=account.username,
                                                                    summary=_summary(account))
    if args.command == "list":
        accounts = list_accounts(actor, root)
        if args.json:
            return json.dumps([_row(a) for a in accounts], ensure_ascii=False, indent=1)
        return _table(accounts)
    if args.command == "disable":
        account = disable_account(actor, root, args.username)
        return _("Đã vô hiệu hóa tài khoản “{username}”: không đăng nhập được nữa.").format(username=account.username)
    if args.command == "enable":
        account = enable_account(actor, root, args.username)
        return _("Đã kích hoạt lại tài khoản “{username}”.").format(username=account.username)
    if args.command == "set-password":
        if not args.password_stdin:
            raise InvalidInput(_("Hãy đưa mật khẩu qua --password-stdin (không bao giờ ghi mật khẩu trên dòng lệnh)."))
        set_password(actor, root, args.username, _read_password())
        return _("Đã đặt mật khẩu mới cho tài khoản “{username}”; các phiên đang đăng nhập của tài khoản này đã kết "
                 "thúc.").format(username=normalize_username(args.username))
    raise InvalidInput(_("Lệnh “{command}” không hợp lệ.").format(command=args.command))


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
    argv = sys.argv[1:] if argv is None else list(argv)
    with use_language(language_of(argv)):  # --lang (or DTI_LANG), for this run only
        return _main(argv)


def _main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        use_database_url(getattr(args, "database_url", None))
        if getattr(args, "role", None) is not None and args.role not in ROLES:
            choices = ", ".join(f"{code} ({role_label(code)})" for code in ROLE_LABELS)
            raise InvalidInput(_("Vai trò “{role}” không hợp lệ: chọn {choices}.").format(role=args.role,
                                                                                        choices=choices))
        print(_run(args), flush=True)
        return 0
    except UserFacingError as error:
        print(error_line(error.message), file=sys.stderr)  # "Lỗi: " once ("Error: " in English)
        return 2
    except OSError as error:
        print(_("Lỗi: không ghi/đọc được kho dữ liệu ({reason}).").format(
            reason=error.strerror or type(error).__name__), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("Đã dừng."), file=sys.stderr)
        return 2
    except SystemExit as done:  # --help
        return int(done.code or 0) if isinstance(done.code, int) else 0
    except Exception as error:  # never a traceback for the person at the terminal
        log.debug("users command failed", exc_info=True)
        # The type only: an unexpected message might quote what was read from the input.
        print(_("Lỗi không mong đợi ({kind}).").format(kind=type(error).__name__), file=sys.stderr)
        return 2
