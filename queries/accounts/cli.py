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
Exit 0 on success, 2 with a Vietnamese message on any error (a database that cannot be reached
too). Never a traceback.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys

from queries.accounts.permissions import LOCAL_ADMIN, ROLE_LABELS, ROLES, Account, scope_label
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
from queries.arguments import VietnameseParser
from queries.errors import UserFacingError
from queries.settings import store_dir
from queries.store.postgres import use_database_url

log = logging.getLogger(__name__)

class _Parser(VietnameseParser):
    help_command = "python -m queries.users"  # sub-commands' complaints point at the whole command


def _parser() -> argparse.ArgumentParser:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", default=argparse.SUPPRESS,
                       help="thư mục lưu trữ (mặc định: DTI_STORE hoặc ./store)")
    store.add_argument("--database-url", default=argparse.SUPPRESS, metavar="URL",
                       help="cơ sở dữ liệu PostgreSQL dùng chung (mặc định: DTI_DATABASE_URL)")
    parser = _Parser(prog="python -m queries.users", parents=[store],
                     description="Quản lý tài khoản người dùng (chạy trên máy chủ, với quyền quản trị).")
    commands = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)
    commands.required = True

    def scope_options(sub, role_required: bool) -> None:
        sub.add_argument("--role", required=role_required, metavar="VAI_TRÒ",
                         help="quan_tri (Quản trị tỉnh), can_bo_xa (Cán bộ xã) hoặc lanh_dao (Lãnh đạo)")
        sub.add_argument("--province", action="append", default=None, metavar="TỈNH",
                         help="tỉnh phụ trách (lặp lại được); bỏ trống: toàn quốc")
        sub.add_argument("--commune", action="append", default=None, metavar="XÃ",
                         help="xã của Cán bộ xã: mã xã, mã định danh hoặc tên trong --province (lặp lại được)")
        sub.add_argument("--name", help="họ tên")
        sub.add_argument("--email", help="email (đăng nhập SSO)")

    add = commands.add_parser("add", parents=[store], help="tạo tài khoản")
    add.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    scope_options(add, role_required=True)
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (một dòng)")

    update = commands.add_parser("update", parents=[store], help="sửa vai trò, phạm vi, họ tên hoặc email")
    update.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    scope_options(update, role_required=False)

    listing = commands.add_parser("list", parents=[store], help="liệt kê tài khoản")
    listing.add_argument("--json", action="store_true", help="in dạng JSON")

    for name, text in (("disable", "vô hiệu hóa tài khoản"), ("enable", "kích hoạt lại tài khoản")):
        sub = commands.add_parser(name, parents=[store], help=text)
        sub.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")

    password = commands.add_parser("set-password", parents=[store], help="đặt lại mật khẩu")
    password.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    password.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (một dòng)")
    return parser


def _read_password() -> str:
    if sys.stdin is None:
        raise InvalidInput("Không có đầu vào chuẩn để đọc mật khẩu.")
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise InvalidInput("Hai lần nhập mật khẩu không khớp.")
        return first
    try:
        sys.stdin.reconfigure(encoding="utf-8")
    except (AttributeError, ValueError):
        pass
    try:
        return sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise InvalidInput("Mật khẩu đọc từ đầu vào chuẩn không phải văn bản UTF-8.") from None


def _row(account: Account) -> dict:
    return {"username": account.username, "name": account.name, "role": account.role,
            "provinces": list(account.provinces), "communes": list(account.communes),
            "commune_names": list(account.commune_names), "email": account.email, "active": account.active}


def _summary(account: Account) -> str:
    return f"{account.role_label}, {scope_label(account)}"


def _table(accounts: list[Account]) -> str:
    if not accounts:
        return "Chưa có tài khoản nào."
    head = ("Tên đăng nhập", "Họ tên", "Vai trò", "Phạm vi", "Email", "Trạng thái")
    rows = [(a.username, a.name or "–", a.role_label, scope_label(a), a.email or "–",
             "hoạt động" if a.active else "đã vô hiệu hóa") for a in accounts]
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in (head, *rows)]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _run(args) -> str:
    root = store_dir(getattr(args, "store", None))
    actor = LOCAL_ADMIN
    if args.command == "add":
        if not args.password_stdin and not args.email:
            raise InvalidInput("Hãy đưa mật khẩu qua --password-stdin (không bao giờ ghi mật khẩu trên dòng lệnh), "
                               "hoặc ghi --email cho tài khoản chỉ đăng nhập bằng SSO.")
        password = _read_password() if args.password_stdin else None
        account = create_account(actor, root, username=args.username, role=args.role, password=password,
                                 name=args.name or "", email=args.email, provinces=args.province or (),
                                 communes=args.commune or ())
        return f"Đã tạo tài khoản “{account.username}” ({_summary(account)})."
    if args.command == "update":
        changes = {k: v for k, v in (("role", args.role), ("provinces", args.province), ("communes", args.commune),
                                     ("name", args.name), ("email", args.email)) if v is not None}
        if not changes:
            raise InvalidInput("Không có gì để sửa: hãy ghi --role, --province, --commune, --name hoặc --email.")
        account = update_account(actor, root, args.username, **changes)
        return f"Đã sửa tài khoản “{account.username}” ({_summary(account)})."
    if args.command == "list":
        accounts = list_accounts(actor, root)
        if args.json:
            return json.dumps([_row(a) for a in accounts], ensure_ascii=False, indent=1)
        return _table(accounts)
    if args.command == "disable":
        account = disable_account(actor, root, args.username)
        return f"Đã vô hiệu hóa tài khoản “{account.username}”: không đăng nhập được nữa."
    if args.command == "enable":
        account = enable_account(actor, root, args.username)
        return f"Đã kích hoạt lại tài khoản “{account.username}”."
    if args.command == "set-password":
        if not args.password_stdin:
            raise InvalidInput("Hãy đưa mật khẩu qua --password-stdin (không bao giờ ghi mật khẩu trên dòng lệnh).")
        set_password(actor, root, args.username, _read_password())
        return (f"Đã đặt mật khẩu mới cho tài khoản “{normalize_username(args.username)}”; "
                "các phiên đang đăng nhập của tài khoản này đã kết thúc.")
    raise InvalidInput(f"Lệnh “{args.command}” không hợp lệ.")


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
    try:
        args = _parser().parse_args(argv)
        use_database_url(getattr(args, "database_url", None))
        if getattr(args, "role", None) is not None and args.role not in ROLES:
            choices = ", ".join(f"{code} ({label})" for code, label in ROLE_LABELS.items())
            raise InvalidInput(f"Vai trò “{args.role}” không hợp lệ: chọn {choices}.")
        print(_run(args), flush=True)
        return 0
    except UserFacingError as error:
        message = error.message
        print(message if message.startswith("Lỗi:") else f"Lỗi: {message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Lỗi: không ghi/đọc được kho dữ liệu ({error.strerror or type(error).__name__}).", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 2
    except SystemExit as done:  # --help
        return int(done.code or 0) if isinstance(done.code, int) else 0
    except Exception as error:  # never a traceback for the person at the terminal
        log.debug("users command failed", exc_info=True)
        # The type only: an unexpected message might quote what was read from the input.
        print(f"Lỗi không mong đợi ({type(error).__name__}).", file=sys.stderr)
        return 2
