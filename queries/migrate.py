"""`python -m queries.store migrate --to postgresql://…`: move a file store into PostgreSQL.

    python -m queries.store migrate --to postgresql://dti@db/dti [--store DIR] [--json]

Copies the journal (with its numbers), uploads and their state, every upload's rows, the files
as sent, evidence, settings, accounts, the sign-in throttle's state, the key of keyed hashes and
the audit log into an EMPTY database, in one transaction. Before committing it counts both
sides the same way (rows, uploads, sums of the numbers, accounts, audit lines) and commits only
when every figure is equal; the table of figures is printed. Sign-in sessions are not copied:
people sign in once more.

Safe to run again: a database this store was already copied into is left as it is (exit 0,
even once people have used it since: the copy's figures are kept in shared_values
'migrated_from'); one holding anything else is refused (exit 2). Exit 1 when the figures differ (nothing
is written; sums are compared to a billionth, since adding in another order changes the last
digits), 2 for a usage error or an unreachable server, with one Vietnamese sentence.
"""
from __future__ import annotations

import json
import math
import sys

from queries.accounts.pg_copy import accounts_database_counts, accounts_file_counts, copy_accounts
from queries.arguments import VietnameseParser, language_of
from queries.errors import UserFacingError
from queries.i18n import N_, _, use_language
from queries.settings import store_dir
from queries.store.copy_to_pg import copy_store, database_counts, file_counts
from queries.store.postgres import MIGRATION_LOCK, connection, server_name
from queries.store.uploads import Store


class MigrationRefused(UserFacingError):
    pass


def _parser() -> VietnameseParser:
    parser = VietnameseParser(prog="python -m queries.store",
                              description=_("Công cụ của kho dữ liệu: chuyển kho tệp sang PostgreSQL."))
    commands = parser.add_subparsers(dest="command", metavar=_("LỆNH"), parser_class=VietnameseParser)
    commands.required = True
    migrate = commands.add_parser("migrate", help=_("chép kho tệp vào một cơ sở dữ liệu PostgreSQL trống"))
    migrate.add_argument("--to", required=True, metavar="postgresql://…", help=_("địa chỉ cơ sở dữ liệu đích"))
    migrate.add_argument("--store", help=_("thư mục kho tệp (mặc định: DTI_STORE hoặc ./store)"))
    migrate.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    return parser


def _same(one: dict, other: dict) -> bool:
    """Equal figures: counts exactly; sums to a billionth (the two sides add the same numbers
    in a different order, and floating-point addition depends on the order)."""
    if one.keys() != other.keys():
        return False
    return all(math.isclose(one[k], other[k], rel_tol=1e-9, abs_tol=1e-6) if k.startswith("tổng ")
               else one[k] == other[k] for k in one)


def migrate_store(store_root, url: str) -> dict:
    """Copy the file store at `store_root` into the database at `url`; returns
    {"status": "copied" | "already" | "mismatch", "figures": {name: [files, database]}}
    ("mismatch": nothing was written)."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise MigrationRefused(_("Lỗi: --to phải là một địa chỉ postgresql://…"))
    store = Store(store_root, read_only=True)
    source = {**file_counts(store), **accounts_file_counts(store.root)}
    with connection(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        before = {**database_counts(conn), **accounts_database_counts(conn)}
        marker = conn.execute("select value from shared_values where name = 'migrated_from'").fetchone()
        if marker is not None and _same(marker[0].get("figures") or {}, source):
            # Copied from this very store before (perhaps used since): nothing to do again.
            return {"status": "already", "figures": {k: [source[k], before[k]] for k in source}}
        if any(before.values()):
            raise MigrationRefused(_("Cơ sở dữ liệu {server} đã có dữ liệu khác với kho {store}: lệnh chỉ chép vào một cơ "
                                     "sở dữ liệu trống.").format(server=server_name(url), store=store.root))
        copy_store(store, conn)  # DuplicateActiveCopies: a sentence for the operator
        copy_accounts(store.root, conn)
        after = {**database_counts(conn), **accounts_database_counts(conn)}
        figures = {k: [source[k], after.get(k)] for k in source}
        if not _same(after, source):
            conn.rollback()
            return {"status": "mismatch", "figures": figures}
        conn.execute("insert into shared_values (name, value) values ('migrated_from', %s::jsonb)",
                     (json.dumps({"store": str(store.root), "figures": source}, ensure_ascii=False),))
    return {"status": "copied", "figures": figures}


VERDICTS = {"copied": N_("Đã chép xong; số liệu hai bên khớp nhau."),
            "already": N_("Cơ sở dữ liệu đã có đúng dữ liệu của kho này (đã chép trước đó): không làm gì thêm."),
            "mismatch": N_("Số liệu hai bên không khớp: không ghi gì vào cơ sở dữ liệu.")}


def _figure(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def main(argv: list[str] | None = None) -> int:
    with use_language(language_of(sys.argv[1:] if argv is None else argv)):  # --lang, for this run only
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        result = migrate_store(store_dir(args.store), args.to)
    except UserFacingError as problem:
        message = problem.message
        print(message if message.startswith(_("Lỗi:")) else _("Lỗi: {message}").format(message=message), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        status, files_heading = result["status"], _("kho tệp")
        verdict = _(VERDICTS[status])
        width = max(len(name) for name in result["figures"])
        print(f"{'':{width}}  {files_heading:>16}  {'PostgreSQL':>16}")
        for name, (files, database) in result["figures"].items():
            print(f"{name:{width}}  {_figure(files):>16}  {_figure(database):>16}")
        print(verdict)
    return 1 if result["status"] == "mismatch" else 0
