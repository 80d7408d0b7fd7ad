"""Command-line export of the computed tables.

    python -m queries.export ranking    [--province P] [--period YYYY-MM] [--format csv|json|xlsx]
                                        [--framework ID] [--weights GROUP=W,…]   (what-if: queries.reports.whatif)
    python -m queries.export frameworks [--format csv|json|xlsx]
    python -m queries.export progress   [--province P] [--period YYYY-MM] [--format csv|json|xlsx]
    python -m queries.export compliance [--province P] [--period YYYY-MM] [--format csv|json|xlsx]
    python -m queries.export tasks      [--province P] [--commune C] [--as-of YYYY-MM-DD] [--format …]
    python -m queries.export spending   [--province P] [--commune C] [--format …]
    python -m queries.export audit      [--since YYYY-MM-DD] [--format …]
    python -m queries.export pack        --province P  [--period YYYY-MM] [--out FILE.pdf]
    python -m queries.export template   [--kind actuals|targets|communes|tasks|spending] [--format xlsx|csv]
                                        [--province P] [--out FILE]

Without --province all provinces are ranked together. Without --period: the latest month
with reported values. Output goes to standard output unless --out names a file; the meeting
pack (a PDF: overview, ranking, each pillar, the communes most behind, the method note) is
for one province and goes to --out, by default tai-lieu-hop-<tinh>-<YYYY-MM>.pdf.

- `progress` carries each indicator's year-end projection (projected_year_end,
  projected_status: macro indicator_projection).
- `compliance`: one object per commune in Vietnamese order: commune_name, province, status
  ('dung_han' on time, 'tre_han' late, 'chua_nop' missing, 'chua_den_han' not yet due),
  received_at (ISO 8601 in Vietnam time, +07:00, or null), days_late (0 when on time, null
  when nothing was received); the rule is queries/cycle/calendar.py's, judged now.
- `tasks`: one object per task of the plans: commune_name, province, plan_year, item ("1.1"),
  group, name, deadline (ISO date or null), deadline_text, recurring, status
  ('chua_bat_dau' | 'dang_thuc_hien' | 'hoan_thanh'), completed_on, overdue (at --as-of,
  default today), lead_unit.
- `spending`: one object per commune, year and item: commune_name, province, year, item,
  planned, spent (whole đồng, null when not given), source (the document, or the upload).
- `audit`: the audit log, oldest first: time (ISO 8601, UTC), user, action, details.
- `frameworks`: every framework known (id, key, version, name, year_from, year_to, status,
  in_force: the runs of years it scores, groups with their weights and indicators).
- `ranking --framework ID --weights GROUP=W,…`: the what-if ranking (weights in percent,
  summing to 100; a group left out weighs 0), today's fields plus framework, weights and the
  official rank. Without --weights, the framework's own weights; without either, or with the
  framework in force that month and no weights, exactly the stored ranking.
- `template` writes the upload template the upload page offers (default: monthly results);
  with --province its "Danh mục" sheet lists only that province's communes. The CSV template
  is a heading line, the same for every province.

A wrong name, month or day is one Vietnamese sentence on standard error and exit code 2.

The functions (ranking, progress, compliance, tasks, spending, default_period, and
queries.reports.pack.build_pack) read through `db`: a Database reads everything (the server's
command line), a queries.reading.ScopedReader only what one person may read; a question
outside it raises queries.reading.OutsideScope.
The audit log and the templates do not need the store's computed tables and do not build them.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from queries import clock
from queries.arguments import VietnameseParser
from queries.data import DataSource
from queries.db import Database, get_database, month_start
from queries.errors import UserFacingError
from queries.ingest.catalog import CatalogDatabase
from queries.reports import whatif
from queries.reports.tables import to_xlsx_bytes
from queries.settings import PILLARS, store_dir
from queries.spreadsheet import to_csv_bytes
from queries.store import KINDS
from queries.store.postgres import use_database_url
from queries.text import format_month, province_key

PILLAR_CODES = [code for code, _ in PILLARS]

RANKING_HEADINGS = {
    "rank": "Hạng", "commune_name": "Xã", "province": "Tỉnh", "score": "Điểm tổng (0–100)",
    **{code: f"{name} ({code})" for code, name in PILLARS},
    "coverage": "Tỷ lệ chỉ tiêu có số liệu", "rank_change": "Thay đổi hạng so với tháng trước",
    "score_change": "Thay đổi điểm", "n_targets": "Số chỉ tiêu", "n_reported": "Số chỉ tiêu có số liệu",
    "n_achieved": "Số chỉ tiêu đạt", "is_demo": "Dữ liệu minh họa",
}
PROGRESS_HEADINGS = {
    "commune_name": "Xã", "province": "Tỉnh", "pillar": "Trụ cột", "indicator": "Mã chỉ tiêu",
    "indicator_name": "Chỉ tiêu", "unit": "Đơn vị tính", "target_text": "Mục tiêu",
    "target": "Mục tiêu (số)", "value": "Giá trị hiện tại", "value_period": "Kỳ báo cáo gần nhất",
    "points": "Điểm", "status": "Tình trạng", "lead_unit": "Cơ quan chủ trì",
    "source_doc": "Văn bản giao chỉ tiêu", "source_item": "Mục", "is_demo": "Dữ liệu minh họa",
    "projected_year_end": "Dự báo cuối năm", "projected_status": "Dự báo",
}
COMPLIANCE_HEADINGS = {"commune_name": "Xã", "province": "Tỉnh", "status": "Tình hình báo cáo",
                       "received_at": "Thời điểm nhận (giờ Việt Nam)", "days_late": "Số ngày trễ"}
TASK_HEADINGS = {
    "commune_name": "Xã", "province": "Tỉnh", "plan_year": "Năm kế hoạch", "item": "Mục", "group": "Nhóm",
    "name": "Nhiệm vụ", "deadline": "Thời hạn", "deadline_text": "Thời hạn (theo kế hoạch)",
    "recurring": "Thường xuyên", "status": "Trạng thái", "completed_on": "Ngày hoàn thành",
    "overdue": "Quá hạn", "lead_unit": "Đơn vị chủ trì",
}
SPENDING_HEADINGS = {"commune_name": "Xã", "province": "Tỉnh", "year": "Năm", "item": "Khoản chi",
                     "planned": "Dự toán (đồng)", "spent": "Đã chi (đồng)", "source": "Nguồn"}
AUDIT_HEADINGS = {"time": "Thời điểm (giờ Việt Nam)", "user": "Người thực hiện", "action": "Việc",
                  "details": "Chi tiết"}
# The codes stay codes in JSON (for programs); a spreadsheet shows the words.
COMPLIANCE_STATUS_WORDS = {"dung_han": "Đúng hạn", "tre_han": "Trễ hạn", "chua_nop": "Chưa nộp",
                           "chua_den_han": "Chưa đến hạn"}
TASK_STATUS_WORDS = {"chua_bat_dau": "Chưa bắt đầu", "dang_thuc_hien": "Đang thực hiện", "hoan_thanh": "Hoàn thành"}
RANKING_COLUMNS = ["rank", "commune_name", "province", "score", *PILLAR_CODES, "coverage",
                   "rank_change", "score_change", "n_targets", "n_reported", "n_achieved", "is_demo"]
PROGRESS_COLUMNS = list(PROGRESS_HEADINGS)


class UserError(UserFacingError):
    """A problem with what the user asked for; printed in Vietnamese, never a traceback."""


def parse_day(text: str | None, option: str) -> date | None:
    """'2026-11-22' -> date; anything else is the user's error, named."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"Ngày “{text}” ({option}) không đúng dạng YYYY-MM-DD (ví dụ 2026-11-22).") from None


def resolve_commune(db: DataSource, text: str | None, province: str | None) -> str | None:
    """The commune id of --commune (id, code or name, within --province when given)."""
    if not text:
        return None
    # start-up time: the accounts package loads the accounts service, needed only here and for `audit`
    from queries.accounts.places import PlaceError, Places

    try:
        return Places.from_database(db).commune(text, [province] if province else []).commune_id
    except PlaceError as problem:
        raise UserError(str(problem).rstrip(".") + ".") from None


def resolve_province(db: DataSource, name: str | None) -> str | None:
    if not name:
        return None
    provinces = db.run("provinces")["province"].to_list()
    matches = [p for p in provinces if province_key(p) == province_key(name)]
    if not matches:
        raise UserError(f"Không có tỉnh “{name}”. Các tỉnh có dữ liệu: {', '.join(provinces)}.")
    return matches[0]


def default_period(db: DataSource) -> date:
    """The latest month with reported values, never after the current month."""
    today = clock.today()
    periods = db.run("periods_available")["period"].to_list()
    past = [p for p in periods if p <= today]
    return past[0] if past else month_start(today)


def ranking(db: DataSource, period: date, province: str | None) -> pl.DataFrame:
    return db.run("ranking_by_month", period=period, province=province)


def ranking_json(frame: pl.DataFrame) -> list[dict]:
    return [
        {
            "rank": row["rank"],
            "commune_id": row["commune_id"],
            "commune_name": row["commune_name"],
            "province": row["province"],
            "score": row["score"],
            "pillars": {code: row[code] for code in PILLAR_CODES},
            "coverage": row["coverage"],
            "rank_change": row["rank_change"],
            "is_demo": row["is_demo"],
        }
        for row in frame.iter_rows(named=True)
    ]


def progress(db: DataSource, period: date, province: str | None) -> pl.DataFrame:
    """Every targeted indicator of every commune for the month, with its year-end projection."""
    status = db.run("indicator_status", period=period, province=province, commune=None)
    projection = db.run("indicator_projection", period=period, province=province, commune=None)
    return status.join(projection.select("commune_id", "indicator", "year", "projected_year_end", "projected_status"),
                       on=["commune_id", "indicator", "year"], how="left", maintain_order="left")


def compliance(db: DataSource, period: date, province: str | None) -> list[dict]:
    """Whether each commune's report for the month came on time, judged now."""
    frame = db.run("compliance_by_month", province=province, commune=None, period_from=period,
                         period_to=period, now=clock.now())
    return [{"commune_name": r["commune_name"], "province": r["province"], "status": r["status"],
             "received_at": r["received_at_vn"], "days_late": r["days_late"]}
            for r in frame.iter_rows(named=True)]


def tasks(db: DataSource, province: str | None, commune: str | None, as_of: date) -> list[dict]:
    frame = db.run("tasks_status", as_of=as_of, province=province, commune=commune)
    return [{"commune_name": r["commune_name"], "province": r["province"], "plan_year": r["plan_year"],
             "item": r["item"], "group": r["group_name"], "name": r["name"],
             "deadline": r["deadline"].isoformat() if r["deadline"] else None, "deadline_text": r["deadline_text"],
             "recurring": bool(r["recurring"]), "status": r["status"],
             "completed_on": r["completed_on"].isoformat() if r["completed_on"] else None,
             "overdue": bool(r["is_overdue"]), "lead_unit": r["lead_unit"]}
            for r in frame.iter_rows(named=True)]


def spending(db: DataSource, province: str | None, commune: str | None) -> list[dict]:
    frame = db.run("spending_by_commune", province=province, commune=commune)
    return [{"commune_name": r["commune_name"], "province": r["province"], "year": r["year"], "item": r["item"],
             "planned": r["planned"], "spent": r["spent"],
             "source": r["source_doc"] or (f"Tải lên {r['upload_id']}" if r["upload_id"] else None)}
            for r in frame.iter_rows(named=True)]


def audit(store_root: Path, since: date | None) -> list[dict]:
    from queries.accounts.audit import audit_events  # start-up time: the accounts service, only for `audit`

    return audit_events(store_root, since)


def render_rows(what: str, rows: list[dict], fmt: str, title: str) -> bytes:
    """compliance, tasks, spending and audit: JSON as the objects are; CSV and .xlsx with
    Vietnamese headings, statuses in words and times in Vietnam time."""
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    headings = {"compliance": COMPLIANCE_HEADINGS, "tasks": TASK_HEADINGS, "spending": SPENDING_HEADINGS,
                "audit": AUDIT_HEADINGS}[what]
    table = pl.DataFrame([_for_people(what, row) for row in rows], schema=_people_schema(what), orient="row")
    if fmt == "csv":
        return to_csv_bytes(table, headings)
    sheet = {"compliance": "Báo cáo tháng", "tasks": "Nhiệm vụ", "spending": "Kinh phí", "audit": "Nhật ký"}[what]
    return to_xlsx_bytes({sheet: table}, headings=headings, number_formats={"planned": "#,##0", "spent": "#,##0"},
                         title=title)


def _people_schema(what: str) -> dict:
    if what == "compliance":
        return {"commune_name": pl.Utf8, "province": pl.Utf8, "status": pl.Utf8, "received_at": pl.Datetime("us"),
                "days_late": pl.Int64}
    if what == "tasks":
        return {"commune_name": pl.Utf8, "province": pl.Utf8, "plan_year": pl.Int64, "item": pl.Utf8,
                "group": pl.Utf8, "name": pl.Utf8, "deadline": pl.Date, "deadline_text": pl.Utf8,
                "recurring": pl.Utf8, "status": pl.Utf8, "completed_on": pl.Date, "overdue": pl.Utf8,
                "lead_unit": pl.Utf8}
    if what == "spending":
        return {"commune_name": pl.Utf8, "province": pl.Utf8, "year": pl.Int64, "item": pl.Utf8,
                "planned": pl.Int64, "spent": pl.Int64, "source": pl.Utf8}
    return {"time": pl.Datetime("us"), "user": pl.Utf8, "action": pl.Utf8, "details": pl.Utf8}


def _local(moment: str | None):
    """An ISO time as a naive Vietnam time, which spreadsheets show as it is."""
    from datetime import datetime

    return datetime.fromisoformat(moment).astimezone(clock.VIETNAM).replace(tzinfo=None) if moment else None


def _for_people(what: str, row: dict) -> dict:
    row = dict(row)
    yes_no = {True: "Có", False: "Không"}
    if what == "compliance":
        row["status"] = COMPLIANCE_STATUS_WORDS.get(row["status"], row["status"])
        row["received_at"] = _local(row["received_at"])
    elif what == "tasks":
        row["status"] = TASK_STATUS_WORDS.get(row["status"], row["status"])
        row["recurring"], row["overdue"] = yes_no[row["recurring"]], yes_no[row["overdue"]]
        for key in ("deadline", "completed_on"):
            row[key] = date.fromisoformat(row[key]) if row[key] else None
    elif what == "audit":
        from queries.accounts.audit import ACTION_LABELS, details_text  # start-up time, as in audit()

        row["details"] = details_text(row)
        row["action"] = ACTION_LABELS.get(row["action"], row["action"])
        row["time"] = _local(row["time"])
    return row


def render(what: str, frame: pl.DataFrame, fmt: str, period: date, province: str | None) -> bytes:
    if what == "ranking":
        columns, headings = RANKING_COLUMNS, RANKING_HEADINGS
    else:
        columns, headings = PROGRESS_COLUMNS, PROGRESS_HEADINGS
    if fmt == "json":
        rows = ranking_json(frame) if what == "ranking" else frame.select(columns).to_dicts()
        return (json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")
    table = frame.select(columns)
    if fmt == "csv":
        return to_csv_bytes(table, headings)
    scope = province or "tất cả các tỉnh"
    title = f"{'Xếp hạng chuyển đổi số cấp xã' if what == 'ranking' else 'Tiến độ chỉ tiêu'} – {scope} – {format_month(period)}"
    if frame["is_demo"].any():
        title += " (có dữ liệu minh họa)"
    return to_xlsx_bytes(
        {"Xếp hạng" if what == "ranking" else "Tiến độ": table},
        headings=headings,
        number_formats={"coverage": "0.0%", "score": "0.00", **{c: "0.00" for c in PILLAR_CODES},
                        "points": "0.00", "projected_year_end": "0.00"},
        title=title,
    )


WHAT = {
    "ranking": "xếp hạng", "progress": "tiến độ chỉ tiêu (kèm dự báo cuối năm)",
    "compliance": "tình hình nộp báo cáo tháng", "tasks": "nhiệm vụ của kế hoạch", "spending": "kinh phí",
    "audit": "nhật ký hoạt động", "pack": "tài liệu họp (PDF)", "template": "tệp mẫu để tải số liệu lên",
    "frameworks": "các bộ khung chỉ số (nhóm, trọng số, chỉ tiêu)",
}


def _parser() -> VietnameseParser:
    parser = VietnameseParser(prog="python -m queries.export",
                              description="Xuất bảng xếp hạng, tiến độ chỉ tiêu, tình hình báo cáo, nhiệm vụ, "
                                          "kinh phí, nhật ký hoặc tài liệu họp (PDF).")
    parser.add_argument("what", choices=list(WHAT), help="; ".join(f"{k}: {v}" for k, v in WHAT.items()))
    parser.add_argument("--province", help="tên tỉnh; bỏ trống để lấy tất cả các tỉnh")
    parser.add_argument("--commune", help="xã (tên, mã); cho tasks và spending")
    parser.add_argument("--period", help="tháng YYYY-MM; mặc định: tháng gần nhất có số liệu")
    parser.add_argument("--as-of", help="ngày YYYY-MM-DD để xét nhiệm vụ quá hạn (tasks); mặc định: hôm nay")
    parser.add_argument("--since", help="nhật ký từ ngày YYYY-MM-DD (audit)")
    parser.add_argument("--format", choices=["csv", "json", "xlsx"],
                        help="mặc định csv; tệp mẫu (template): xlsx hoặc csv, mặc định xlsx")
    parser.add_argument("--kind", choices=KINDS, default="actuals",
                        help="loại tệp mẫu (template): actuals kết quả hằng tháng, targets chỉ tiêu năm, "
                             "communes danh sách xã, tasks trạng thái nhiệm vụ, spending kinh phí")
    parser.add_argument("--framework", help="bộ khung chỉ số cho xếp hạng giả định (ranking), ví dụ six-pillars")
    parser.add_argument("--weights", help="trọng số giả định theo phần trăm, tổng 100 (ranking), ví dụ HT=20,CQ=30,…")
    parser.add_argument("--store", help="thư mục lưu dữ liệu tải lên (mặc định DTI_STORE hoặc ./store)")
    parser.add_argument("--database-url", metavar="URL",
                        help="cơ sở dữ liệu PostgreSQL dùng chung (mặc định: DTI_DATABASE_URL)")
    parser.add_argument("--out", help="ghi ra tệp thay vì màn hình")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        use_database_url(args.database_url)
        output = _export(args)
    except UserFacingError as problem:
        message = problem.message
        print(message if message.startswith("Lỗi:") else f"Lỗi: {message}", file=sys.stderr)
        return 2
    if output is None:
        return 0
    if args.out:
        Path(args.out).write_bytes(output)
    else:
        sys.stdout.buffer.write(output)
    return 0


def _export(args) -> bytes | None:
    fmt = args.format or ("xlsx" if args.what == "template" else "csv")
    if args.what == "audit":
        # The log is the store's journal and audit files: no tables to build.
        since = parse_day(args.since, "--since")
        title = "Nhật ký hoạt động" + (f" từ ngày {since:%d/%m/%Y}" if since else "")
        return render_rows("audit", audit(store_dir(args.store), since), fmt, title)
    if args.what == "template":
        catalog = CatalogDatabase(args.store)  # the template needs the catalog only
        return template_file(catalog, args.kind, fmt, _province_in(catalog, args.province))
    # What can be wrong with what was typed is said before any table is built.
    try:
        period = month_start(args.period) if args.period else None
    except ValueError:
        raise UserError(f"Tháng “{args.period}” không đúng dạng YYYY-MM (ví dụ 2026-03).") from None
    as_of = parse_day(args.as_of, "--as-of")
    if (args.framework or args.weights) and args.what != "ranking":
        raise UserError("--framework và --weights chỉ dùng cho xếp hạng (ranking).")
    db = get_database(args.store)
    if args.what == "frameworks":
        return whatif.render_frameworks(whatif.frameworks_rows(db), fmt)
    what_if = args.framework is not None or args.weights is not None
    if what_if:  # the framework and the weights typed are checked before any table is built
        whatif.choose(db.data_dir, db.store.root, period or month_start(clock.today()), args.framework,
                      args.weights, db.settings)
    period = period or default_period(db)
    choice = whatif.choose(db.data_dir, db.store.root, period, args.framework, args.weights,
                           db.settings) if what_if else None
    province = resolve_province(db, args.province)
    scope = province or "tất cả các tỉnh"
    if args.what == "pack":
        write_pack(db, province, period, args.out)
        return None
    if args.what == "compliance":
        return render_rows("compliance", compliance(db, period, province), fmt,
                           f"Tình hình nộp báo cáo {format_month(period).lower()} – {scope}")
    if args.what in ("tasks", "spending"):
        commune = resolve_commune(db, args.commune, province)
        if args.what == "spending":
            return render_rows("spending", spending(db, province, commune), fmt, f"Kinh phí chuyển đổi số – {scope}")
        as_of = as_of or clock.today()
        return render_rows("tasks", tasks(db, province, commune, as_of), fmt,
                           f"Nhiệm vụ của kế hoạch – {scope} – đến ngày {as_of:%d/%m/%Y}")
    if choice is not None and not choice.official:
        return whatif.render_whatif(whatif.whatif_ranking(db, period, province, choice), choice, fmt,
                                    whatif.whatif_title(choice, scope, period))
    frame = ranking(db, period, province) if args.what == "ranking" else progress(db, period, province)
    return render(args.what, frame, fmt, period, province)


def _province_in(catalog: DataSource, name: str | None) -> str | None:
    """--province of a template, as the catalog writes it."""
    if not name:
        return None
    provinces = catalog.run("province_names")["province"].to_list()
    matches = [p for p in provinces if province_key(p) == province_key(name)]
    if not matches:
        raise UserError(f"Không có tỉnh “{name}”. Các tỉnh có dữ liệu: {', '.join(provinces)}.")
    return matches[0]


def template_file(db: DataSource, kind: str, fmt: str, province: str | None) -> bytes:
    """The upload template, as the upload page offers it."""
    from queries.ingest.template import csv_template, xlsx_template  # start-up time: the readers, only for templates

    if fmt == "xlsx":
        return xlsx_template(db, kind, clock.today(), province=province)
    if fmt == "csv":
        return csv_template(kind)
    raise UserError("Tệp mẫu chỉ có dạng xlsx hoặc csv (--format xlsx hoặc --format csv).")


def write_pack(db: Database, province: str | None, period: date, out: str | None) -> None:
    from queries.reports.pack import build_pack_result, pack_file_name  # start-up time: fpdf, only for the pack

    if province is None:
        provinces = ", ".join(db.run("provinces")["province"].to_list())
        raise UserError(f"Tài liệu họp làm cho một tỉnh: thêm --province (các tỉnh có dữ liệu: {provinces}).")
    try:
        result = build_pack_result(province, period, db=db)
    except FileNotFoundError as problem:
        raise UserError(str(problem)) from None
    path = Path(out or pack_file_name(province, period))
    path.write_bytes(result.content)
    print(f"Đã ghi {path} ({result.pages} trang, {result.seconds:.1f} giây).", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
