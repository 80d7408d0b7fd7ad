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

A wrong name, month or day is one sentence on standard error and exit code 2. Every form takes
--lang vi|en (default DTI_LANG, else vi): messages, CSV and .xlsx headings, statuses and the
catalog's indicator names in English; JSON stays the same in both languages.

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

from queries import clock, i18n
from queries.arguments import VietnameseParser, language_of
from queries.data import DataSource
from queries.db import Database, get_database, month_start
from queries.errors import UserFacingError
from queries.i18n import N_, _, use_language
from queries.ingest.catalog import CatalogDatabase
from queries.reports import whatif
from queries.reports.names import indicator_names
from queries.reports.tables import to_xlsx_bytes
from queries.settings import PILLARS, store_dir
from queries.spreadsheet import to_csv_bytes
from queries.status import PROJECTION_COLORS, STATUS_ORDER, status_name
from queries.store import KINDS
from queries.store.postgres import use_database_url
from queries.text import format_month, province_key

PILLAR_CODES = [code for code, _ in PILLARS]

RANKING_HEADINGS = {
    "rank": N_("Hạng"), "commune_name": N_("Xã"), "province": N_("Tỉnh"), "score": N_("Điểm tổng (0–100)"),
    **{code: f"{name} ({code})" for code, name in PILLARS},
    "coverage": N_("Tỷ lệ chỉ tiêu có số liệu"), "rank_change": N_("Thay đổi hạng so với tháng trước"),
    "score_change": N_("Thay đổi điểm"), "n_targets": N_("Số chỉ tiêu"), "n_reported": N_("Số chỉ tiêu có số liệu"),
    "n_achieved": N_("Số chỉ tiêu đạt"), "is_demo": N_("Dữ liệu minh họa"),
}
PROGRESS_HEADINGS = {
    "commune_name": N_("Xã"), "province": N_("Tỉnh"), "pillar": N_("Trụ cột"), "indicator": N_("Mã chỉ tiêu"),
    "indicator_name": N_("Chỉ tiêu"), "unit": N_("Đơn vị tính"), "target_text": N_("Mục tiêu"),
    "target": N_("Mục tiêu (số)"), "value": N_("Giá trị hiện tại"), "value_period": N_("Kỳ báo cáo gần nhất"),
    "points": N_("Điểm"), "status": N_("Tình trạng"), "lead_unit": N_("Cơ quan chủ trì"),
    "source_doc": N_("Văn bản giao chỉ tiêu"), "source_item": N_("Mục"), "is_demo": N_("Dữ liệu minh họa"),
    "projected_year_end": N_("Dự báo cuối năm"), "projected_status": N_("Dự báo"),
}
COMPLIANCE_HEADINGS = {"commune_name": N_("Xã"), "province": N_("Tỉnh"), "status": N_("Tình hình báo cáo"),
                       "received_at": N_("Thời điểm nhận (giờ Việt Nam)"), "days_late": N_("Số ngày trễ")}
TASK_HEADINGS = {
    "commune_name": N_("Xã"), "province": N_("Tỉnh"), "plan_year": N_("Năm kế hoạch"), "item": N_("Mục"),
    "group": N_("Nhóm"),
    "name": N_("Nhiệm vụ"), "deadline": N_("Thời hạn"), "deadline_text": N_("Thời hạn (theo kế hoạch)"),
    "recurring": N_("Thường xuyên"), "status": N_("Trạng thái"), "completed_on": N_("Ngày hoàn thành"),
    "overdue": N_("Quá hạn"), "lead_unit": N_("Đơn vị chủ trì"),
}
SPENDING_HEADINGS = {"commune_name": N_("Xã"), "province": N_("Tỉnh"), "year": N_("Năm"), "item": N_("Khoản chi"),
                     "planned": N_("Dự toán (đồng)"), "spent": N_("Đã chi (đồng)"), "source": N_("Nguồn")}
AUDIT_HEADINGS = {"time": N_("Thời điểm (giờ Việt Nam)"), "user": N_("Người thực hiện"), "action": N_("Việc"),
                  "details": N_("Chi tiết")}
# The codes stay codes in JSON (for programs); a spreadsheet shows the words.
COMPLIANCE_STATUS_WORDS = {"dung_han": N_("Đúng hạn"), "tre_han": N_("Trễ hạn"), "chua_nop": N_("Chưa nộp"),
                           "chua_den_han": N_("Chưa đến hạn")}
TASK_STATUS_WORDS = {"chua_bat_dau": N_("Chưa bắt đầu"), "dang_thuc_hien": N_("Đang thực hiện"),
                     "hoan_thanh": N_("Hoàn thành")}
RANKING_COLUMNS = ["rank", "commune_name", "province", "score", *PILLAR_CODES, "coverage",
                   "rank_change", "score_change", "n_targets", "n_reported", "n_achieved", "is_demo"]
PROGRESS_COLUMNS = list(PROGRESS_HEADINGS)


def in_language(headings: dict[str, str]) -> dict[str, str]:
    """A table of headings (msgids) in the interface's language; a pillar's column keeps its
    code: 'Hạ tầng số (HT)' / 'Digital infrastructure (HT)'."""
    pillars = {f"{name} ({code})": f"{_(name)} ({code})" for code, name in PILLARS}
    return {key: pillars[text] if text in pillars else _(text) for key, text in headings.items()}


class UserError(UserFacingError):
    """A problem with what the user asked for; printed as one sentence (--lang), never a traceback."""


def parse_day(text: str | None, option: str) -> date | None:
    """'2026-11-22' -> date; anything else is the user's error, named."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(_("Ngày “{day}” ({option}) không đúng dạng YYYY-MM-DD (ví dụ 2026-11-22).").format(
            day=text, option=option)) from None


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
        raise UserError(_("Không có tỉnh “{name}”. Các tỉnh có dữ liệu: {provinces}.").format(
            name=name, provinces=", ".join(provinces)))
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
             "source": r["source_doc"] or (_("Tải lên {upload}").format(upload=r["upload_id"]) if r["upload_id"] else None)}
            for r in frame.iter_rows(named=True)]


def audit(store_root: Path, since: date | None) -> list[dict]:
    from queries.accounts.audit import audit_events  # start-up time: the accounts service, only for `audit`

    return audit_events(store_root, since)


def render_rows(what: str, rows: list[dict], fmt: str, title: str) -> bytes:
    """compliance, tasks, spending and audit: JSON as the objects are (the same in every
    language); CSV and .xlsx with headings and statuses in words in the interface's language,
    and times in Vietnam time."""
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    headings = in_language({"compliance": COMPLIANCE_HEADINGS, "tasks": TASK_HEADINGS, "spending": SPENDING_HEADINGS,
                            "audit": AUDIT_HEADINGS}[what])
    table = pl.DataFrame([_for_people(what, row) for row in rows], schema=_people_schema(what), orient="row")
    if fmt == "csv":
        return to_csv_bytes(table, headings)
    sheet = _(SHEET_NAMES[what])
    return to_xlsx_bytes({sheet: table}, headings=headings, number_formats={"planned": "#,##0", "spent": "#,##0"},
                         title=title)


SHEET_NAMES = {"compliance": N_("Báo cáo tháng"), "tasks": N_("Nhiệm vụ"), "spending": N_("Kinh phí"),
               "audit": N_("Nhật ký")}


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
    yes_no = {True: _("Có"), False: _("Không")}
    if what == "compliance":
        row["status"] = _(COMPLIANCE_STATUS_WORDS.get(row["status"], row["status"]))
        row["received_at"] = _local(row["received_at"])
    elif what == "tasks":
        row["status"] = _(TASK_STATUS_WORDS.get(row["status"], row["status"]))
        row["recurring"], row["overdue"] = yes_no[row["recurring"]], yes_no[row["overdue"]]
        for key in ("deadline", "completed_on"):
            row[key] = date.fromisoformat(row[key]) if row[key] else None
    elif what == "audit":
        from queries.accounts.audit import ACTION_LABELS, details_text  # start-up time, as in audit()

        row["details"] = details_text(row)
        row["action"] = ACTION_LABELS.get(row["action"], row["action"])
        row["time"] = _local(row["time"])
    return row


def render(what: str, frame: pl.DataFrame, fmt: str, period: date, province: str | None,
           indicator_names: dict[str, str] | None = None) -> bytes:
    """ranking and progress: JSON as the query gives them (the same in every language); CSV and
    .xlsx with headings in the interface's language and, in English, the indicators' English
    names (`indicator_names`, code -> name) and the statuses in English words."""
    if what == "ranking":
        columns, headings = RANKING_COLUMNS, in_language(RANKING_HEADINGS)
    else:
        columns, headings = PROGRESS_COLUMNS, in_language(PROGRESS_HEADINGS)
    if fmt == "json":  # for programs: the same keys and values in every language
        rows = ranking_json(frame) if what == "ranking" else frame.select(columns).to_dicts()
        return (json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")
    table = frame.select(columns)
    if what == "progress" and i18n.current() != "vi":
        table = _progress_in_language(table, indicator_names or {})
    if fmt == "csv":
        return to_csv_bytes(table, headings)
    scope = province or _("tất cả các tỉnh")
    title = (_("Xếp hạng chuyển đổi số cấp xã") if what == "ranking" else _("Tiến độ chỉ tiêu")) + \
        f" – {scope} – {format_month(period)}"
    if frame["is_demo"].any():
        title += _(" (có dữ liệu minh họa)")
    return to_xlsx_bytes(
        {_("Xếp hạng") if what == "ranking" else _("Tiến độ"): table},
        headings=headings,
        number_formats={"coverage": "0.0%", "score": "0.00", **{c: "0.00" for c in PILLAR_CODES},
                        "points": "0.00", "projected_year_end": "0.00"},
        title=title,
    )


def _progress_in_language(table: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """A progress table for people reading English: the catalog's English indicator names and
    the statuses in words (names of communes, units and documents stay as the plans write them)."""
    # The words are chosen here, not in a polars callback: its threads do not see the language.
    words = {status: status_name(status) for status in [*STATUS_ORDER, *PROJECTION_COLORS]}
    return table.with_columns(
        pl.col("indicator").replace_strict(names, default=None).fill_null(pl.col("indicator_name"))
        .alias("indicator_name"),
        pl.col("status").replace(words),
        pl.col("projected_status").replace(words),
    )


WHAT = {  # msgids
    "ranking": N_("xếp hạng"), "progress": N_("tiến độ chỉ tiêu (kèm dự báo cuối năm)"),
    "compliance": N_("tình hình nộp báo cáo tháng"), "tasks": N_("nhiệm vụ của kế hoạch"), "spending": N_("kinh phí"),
    "audit": N_("nhật ký hoạt động"), "pack": N_("tài liệu họp (PDF)"), "template": N_("tệp mẫu để tải số liệu lên"),
    "frameworks": N_("các bộ khung chỉ số (nhóm, trọng số, chỉ tiêu)"),
}


def _parser() -> VietnameseParser:
    parser = VietnameseParser(prog="python -m queries.export",
                              description=_("Xuất bảng xếp hạng, tiến độ chỉ tiêu, tình hình báo cáo, nhiệm vụ, "
                                          "kinh phí, nhật ký hoặc tài liệu họp (PDF)."))
    parser.add_argument("what", choices=list(WHAT), help="; ".join(f"{k}: {_(v)}" for k, v in WHAT.items()))
    parser.add_argument("--province", help=_("tên tỉnh; bỏ trống để lấy tất cả các tỉnh"))
    parser.add_argument("--commune", help=_("xã (tên, mã); cho tasks và spending"))
    parser.add_argument("--period", help=_("tháng YYYY-MM; mặc định: tháng gần nhất có số liệu"))
    parser.add_argument("--as-of", help=_("ngày YYYY-MM-DD để xét nhiệm vụ quá hạn (tasks); mặc định: hôm nay"))
    parser.add_argument("--since", help=_("nhật ký từ ngày YYYY-MM-DD (audit)"))
    parser.add_argument("--format", choices=["csv", "json", "xlsx"],
                        help=_("mặc định csv; tệp mẫu (template): xlsx hoặc csv, mặc định xlsx"))
    parser.add_argument("--kind", choices=KINDS, default="actuals",
                        help=_("loại tệp mẫu (template): actuals kết quả hằng tháng, targets chỉ tiêu năm, "
                             "communes danh sách xã, tasks trạng thái nhiệm vụ, spending kinh phí"))
    parser.add_argument("--framework", help=_("bộ khung chỉ số cho xếp hạng giả định (ranking), ví dụ six-pillars"))
    parser.add_argument("--weights", help=_("trọng số giả định theo phần trăm, tổng 100 (ranking), ví dụ HT=20,CQ=30,…"))
    parser.add_argument("--store", help=_("thư mục lưu dữ liệu tải lên (mặc định DTI_STORE hoặc ./store)"))
    parser.add_argument("--database-url", metavar="URL",
                        help=_("cơ sở dữ liệu PostgreSQL dùng chung (mặc định: DTI_DATABASE_URL)"))
    parser.add_argument("--out", help=_("ghi ra tệp thay vì màn hình"))
    return parser


def main(argv: list[str] | None = None) -> int:
    # The language for this run (the parser's help and complaints too), and back after it for
    # whoever called main() in-process.
    with use_language(language_of(sys.argv[1:] if argv is None else argv)):
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        use_database_url(args.database_url)
        output = _export(args)
    except UserFacingError as problem:
        message = problem.message
        print(message if message.startswith(_("Lỗi:")) else _("Lỗi: {message}").format(message=message), file=sys.stderr)
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
        title = _("Nhật ký hoạt động") + (_(" từ ngày {day}").format(day=f"{since:%d/%m/%Y}") if since else "")
        return render_rows("audit", audit(store_dir(args.store), since), fmt, title)
    if args.what == "template":
        catalog = CatalogDatabase(args.store)  # the template needs the catalog only
        return template_file(catalog, args.kind, fmt, _province_in(catalog, args.province))
    # What can be wrong with what was typed is said before any table is built.
    try:
        period = month_start(args.period) if args.period else None
    except ValueError:
        raise UserError(_("Tháng “{month}” không đúng dạng YYYY-MM (ví dụ 2026-03).").format(month=args.period)) from None
    as_of = parse_day(args.as_of, "--as-of")
    if (args.framework or args.weights) and args.what != "ranking":
        raise UserError(_("--framework và --weights chỉ dùng cho xếp hạng (ranking)."))
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
    scope = province or _("tất cả các tỉnh")
    if args.what == "pack":
        write_pack(db, province, period, args.out)
        return None
    if args.what == "compliance":
        return render_rows("compliance", compliance(db, period, province), fmt,
                           _("Tình hình nộp báo cáo {month} – {scope}").format(month=_in_sentence(period), scope=scope))
    if args.what in ("tasks", "spending"):
        commune = resolve_commune(db, args.commune, province)
        if args.what == "spending":
            return render_rows("spending", spending(db, province, commune), fmt,
                               _("Kinh phí chuyển đổi số – {scope}").format(scope=scope))
        as_of = as_of or clock.today()
        return render_rows("tasks", tasks(db, province, commune, as_of), fmt,
                           _("Nhiệm vụ của kế hoạch – {scope} – đến ngày {day}").format(scope=scope, day=f"{as_of:%d/%m/%Y}"))
    if choice is not None and not choice.official:
        return whatif.render_whatif(whatif.whatif_ranking(db, period, province, choice), choice, fmt,
                                    whatif.whatif_title(choice, scope, period))
    frame = ranking(db, period, province) if args.what == "ranking" else progress(db, period, province)
    names = indicator_names(db.run, "en") if args.what == "progress" and i18n.current() == "en" else None
    return render(args.what, frame, fmt, period, province, names)


def _province_in(catalog: DataSource, name: str | None) -> str | None:
    """--province of a template, as the catalog writes it."""
    if not name:
        return None
    provinces = catalog.run("province_names")["province"].to_list()
    matches = [p for p in provinces if province_key(p) == province_key(name)]
    if not matches:
        raise UserError(_("Không có tỉnh “{name}”. Các tỉnh có dữ liệu: {provinces}.").format(
            name=name, provinces=", ".join(provinces)))
    return matches[0]


def template_file(db: DataSource, kind: str, fmt: str, province: str | None) -> bytes:
    """The upload template, as the upload page offers it."""
    from queries.ingest.template import csv_template, xlsx_template  # start-up time: the readers, only for templates

    if fmt == "xlsx":
        return xlsx_template(db, kind, clock.today(), province=province)
    if fmt == "csv":
        return csv_template(kind)
    raise UserError(_("Tệp mẫu chỉ có dạng xlsx hoặc csv (--format xlsx hoặc --format csv)."))


def write_pack(db: Database, province: str | None, period: date, out: str | None) -> None:
    from queries.reports.pack import build_pack_result, pack_file_name  # start-up time: fpdf, only for the pack

    if province is None:
        provinces = ", ".join(db.run("provinces")["province"].to_list())
        raise UserError(_("Tài liệu họp làm cho một tỉnh: thêm --province (các tỉnh có dữ liệu: {provinces}).").format(
            provinces=provinces))
    try:
        result = build_pack_result(province, period, db=db)
    except FileNotFoundError as problem:
        raise UserError(str(problem)) from None
    path = Path(out or pack_file_name(province, period))
    path.write_bytes(result.content)
    print(_("Đã ghi {path} ({pages} trang, {seconds:.1f} giây).").format(path=path, pages=result.pages,
                                                                     seconds=result.seconds), file=sys.stderr)


def _in_sentence(period: date) -> str:
    """'tháng 11/2026' inside a Vietnamese sentence; 'November 2026' in English."""
    return format_month(period).lower() if i18n.current() == "vi" else format_month(period)


if __name__ == "__main__":
    sys.exit(main())
