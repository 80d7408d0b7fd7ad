"""Command-line export of the computed tables.

    python -m queries.export ranking  [--province P] [--period YYYY-MM] [--format csv|json|xlsx]
    python -m queries.export progress [--province P] [--period YYYY-MM] [--format csv|json|xlsx]
    python -m queries.export pack      --province P  [--period YYYY-MM] [--out FILE.pdf]
    python -m queries.export template  [--kind actuals|targets|communes] [--format xlsx|csv]
                                       [--province P] [--out FILE]

Without --province all provinces are ranked together. Without --period: the latest month
with reported values. Output goes to standard output unless --out names a file; the meeting
pack (a PDF: overview, ranking, each pillar, the communes most behind, the method note) is
for one province and goes to --out, by default tai-lieu-hop-<tinh>-<YYYY-MM>.pdf.
`template` writes the upload template the upload page offers (default: monthly results);
with --province its "Danh mục" sheet lists only that province's communes. The CSV template
is a heading line, the same for every province.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from queries import clock
from queries.db import Database, get_database, month_start
from queries.settings import PILLARS
from queries.reports.tables import to_csv_bytes, to_xlsx_bytes
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
}
RANKING_COLUMNS = ["rank", "commune_name", "province", "score", *PILLAR_CODES, "coverage",
                   "rank_change", "score_change", "n_targets", "n_reported", "n_achieved", "is_demo"]
PROGRESS_COLUMNS = list(PROGRESS_HEADINGS)


class UserError(Exception):
    """A problem with what the user asked for; printed in Vietnamese, never a traceback."""


def resolve_province(db: Database, name: str | None) -> str | None:
    if not name:
        return None
    provinces = db.run_query("provinces")["province"].to_list()
    matches = [p for p in provinces if province_key(p) == province_key(name)]
    if not matches:
        raise UserError(f"Không có tỉnh “{name}”. Các tỉnh có dữ liệu: {', '.join(provinces)}.")
    return matches[0]


def default_period(db: Database) -> date:
    """The latest month with reported values, never after the current month."""
    today = clock.today()
    periods = db.run_query("periods_available")["period"].to_list()
    past = [p for p in periods if p <= today]
    return past[0] if past else month_start(today)


def ranking(db: Database, period: date, province: str | None) -> pl.DataFrame:
    return db.run_query("ranking_by_month", period=period, province=province)


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


def progress(db: Database, period: date, province: str | None) -> pl.DataFrame:
    return db.run_query("indicator_status", period=period, province=province, commune=None)


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
                        "points": "0.00"},
        title=title,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries.export",
                                     description="Xuất bảng xếp hạng, tiến độ chỉ tiêu hoặc tài liệu họp (PDF).")
    parser.add_argument("what", choices=["ranking", "progress", "pack", "template"],
                        help="ranking: xếp hạng; progress: tiến độ chỉ tiêu; pack: tài liệu họp (PDF); "
                             "template: tệp mẫu để tải số liệu lên")
    parser.add_argument("--province", help="tên tỉnh; bỏ trống để xếp hạng chung tất cả các tỉnh")
    parser.add_argument("--period", help="tháng YYYY-MM; mặc định: tháng gần nhất có số liệu")
    parser.add_argument("--format", choices=["csv", "json", "xlsx"],
                        help="mặc định csv; tệp mẫu (template): xlsx hoặc csv, mặc định xlsx")
    parser.add_argument("--kind", choices=["actuals", "targets", "communes"], default="actuals",
                        help="loại tệp mẫu (template): kết quả hằng tháng, chỉ tiêu năm hoặc danh sách xã")
    parser.add_argument("--store", help="thư mục lưu dữ liệu tải lên (mặc định DTI_STORE hoặc ./store)")
    parser.add_argument("--out", help="ghi ra tệp thay vì màn hình")
    args = parser.parse_args(argv)
    try:
        db = get_database(args.store)
        try:
            period = month_start(args.period) if args.period else default_period(db)
        except ValueError:
            raise UserError(f"Tháng “{args.period}” không đúng dạng YYYY-MM (ví dụ 2026-03).") from None
        province = resolve_province(db, args.province)
        if args.what == "pack":
            return write_pack(db, province, period, args.out)
        if args.what == "template":
            output = template_file(db, args.kind, args.format or "xlsx", province)
        else:
            frame = ranking(db, period, province) if args.what == "ranking" else progress(db, period, province)
            output = render(args.what, frame, args.format or "csv", period, province)
    except UserError as problem:
        print(f"Lỗi: {problem}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_bytes(output)
    else:
        sys.stdout.buffer.write(output)
    return 0


def template_file(db: Database, kind: str, fmt: str, province: str | None) -> bytes:
    """The upload template, as the upload page offers it."""
    from queries.ingest.template import csv_template, xlsx_template

    if fmt == "xlsx":
        return xlsx_template(db, kind, clock.today(), province=province)
    if fmt == "csv":
        return csv_template(kind)
    raise UserError("Tệp mẫu chỉ có dạng xlsx hoặc csv (--format xlsx hoặc --format csv).")


def write_pack(db: Database, province: str | None, period: date, out: str | None) -> int:
    from queries.reports.pack import build_pack_result, pack_file_name

    if province is None:
        provinces = ", ".join(db.run_query("provinces")["province"].to_list())
        raise UserError(f"Tài liệu họp làm cho một tỉnh: thêm --province (các tỉnh có dữ liệu: {provinces}).")
    try:
        result = build_pack_result(province, period, db=db)
    except FileNotFoundError as problem:
        raise UserError(str(problem)) from None
    path = Path(out or pack_file_name(province, period))
    path.write_bytes(result.content)
    print(f"Đã ghi {path} ({result.pages} trang, {result.seconds:.1f} giây).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
