"""Upload benchmark: a 10,000-row monthly file checked and stored, and ranking speed after
1,000 uploads (with the store's automatic compaction, and without it for contrast).

    python -m bench.ingest_bench [--uploads 1000] [--keep DIR]

Everything is generated in a temporary folder: 100 communes of one province, 20 percent
indicators with 2026 targets, files written as offices write them (Windows-1258, `;`,
decimal commas, names without diacritics).
"""
from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from queries.db import Database
from queries.ingest.pipeline import check_file, store_checked
from queries.ingest.readers import decode, encode_windows_1258
from queries.settings import DATA_DIR
from queries.store import ROW_SCHEMAS, Store
from queries.store import uploads as store_module
from queries.text import fold

PROVINCE = "Tỉnh Thử Nghiệm"
COMMUNES = 100
TODAY = date(2026, 11, 22)


def make_data_dir(folder: Path) -> tuple[Path, list[str], list[str]]:
    """Catalog copied from data/, 100 communes, 2026 targets for 20 percent indicators."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / "indicators.csv", folder / "indicators.csv")
    catalog = pl.read_csv(folder / "indicators.csv")
    codes = catalog.filter(pl.col("unit") == "percent")["code"].to_list()[:20]
    names = [f"Xã Thử {i:03d}" for i in range(COMMUNES)]
    ids = [f"thu-nghiem/thu-{i:03d}" for i in range(COMMUNES)]
    pl.DataFrame({
        "commune_id": ids, "commune_code": [None] * COMMUNES, "commune_name": names,
        "province": [PROVINCE] * COMMUNES, "adult_population": [None] * COMMUNES,
        "population_15plus": [None] * COMMUNES, "working_age_population": [None] * COMMUNES,
        "is_demo": [False] * COMMUNES, "source": ["bench"] * COMMUNES,
    }).write_csv(folder / "communes.csv")
    pl.DataFrame({
        "commune_id": [c for c in ids for _ in codes], "indicator": codes * COMMUNES, "year": 2026,
        "comparator": ">=", "target": 90.0, "target_text": "≥ 90%", "unit": "percent", "lead_unit": None,
        "partner_units": None, "source_doc": "bench", "source_item": None, "note": None,
    }).write_csv(folder / "targets.csv")
    (folder / "actuals.csv").write_text(
        "commune_id,period,indicator,value,numerator,denominator,note,source_doc,source_item\n", encoding="utf-8")
    return folder, names, codes


def monthly_file(names: list[str], codes: list[str], months: list[int], seed: int) -> bytes:
    """One row per commune × indicator × month, as Vietnamese Excel saves CSV."""
    rng = random.Random(seed)
    lines = [f"BÁO CÁO KẾT QUẢ CHUYỂN ĐỔI SỐ {PROVINCE.upper()}", "",
             "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị;Ghi chú"]
    for name in names:
        for month in months:
            for code in codes:
                value = f"{rng.uniform(20, 99):.2f}".replace(".", ",")
                lines.append(f"{fold(name)};{fold(PROVINCE)};T{month}/2026;{code};{value};")
    return encode_windows_1258("\r\n".join(lines))


def xlsx_file(content_csv: bytes) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Số liệu")
    for line in decode(content_csv)[0].split("\r\n"):
        sheet.append(line.split(";") if line else [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def warm_median(fn, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        _, seconds = timed(fn)
        times.append(seconds)
    return statistics.median(times)


def bench_big_file(report: dict, data_dir: Path, names, codes, work: Path) -> None:
    db = Database(store=work / "big-store", include_demo=False, data_dir=data_dir)
    db.ensure_fresh()
    content = monthly_file(names, codes, [1, 2, 3, 4, 5], seed=1)
    result, seconds = timed(lambda: check_file(content, "tinh_thang_1_5.csv", db=db, today=TODAY))
    assert len(result.accepted) == 10_000 and not result.errors, result.errors[:3]
    report["10,000-row CSV (cp1258): check (s)"] = seconds
    _, seconds = timed(lambda: store_checked(result, db, user="bench"))
    report["10,000-row CSV: store (s)"] = seconds
    _, seconds = timed(db.ensure_fresh)
    report["10,000-row CSV: tables rebuilt after store (s)"] = seconds
    stored = db.sql("select count(*) as n from actuals where upload_id is not null")["n"][0]
    assert stored == 10_000, stored
    workbook = xlsx_file(content)
    result, seconds = timed(lambda: check_file(workbook, "tinh_thang_1_5.xlsx", db=db, today=TODAY))
    assert len(result.accepted) == 10_000, result.errors[:3]
    report["10,000-row .xlsx: check (s)"] = seconds


def _upload_frames(ids: list[str], codes: list[str], count: int) -> list[tuple[str, pl.DataFrame]]:
    """`count` uploads: one commune's month each, cycling over 100 communes × 10 months."""
    rng = random.Random(7)
    frames = []
    for number in range(count):
        commune, month = ids[number % len(ids)], 1 + (number // len(ids)) % 10
        rows = [{"row_number": 3 + i, "commune_id": commune, "indicator": code, "period": date(2026, month, 1),
                 "value": round(rng.uniform(20, 99), 2), "numerator": None, "denominator": None, "note": None}
                for i, code in enumerate(codes)]
        frames.append((f"{commune}-{month}-{number}", pl.DataFrame(rows, schema=ROW_SCHEMAS["actuals"], orient="row")))
    return frames


def bench_many_uploads(report: dict, data_dir: Path, codes, work: Path, uploads: int, compact: bool) -> pl.DataFrame:
    label = "with compaction" if compact else "never compacted"
    ids = [f"thu-nghiem/thu-{i:03d}" for i in range(COMMUNES)]
    frames = _upload_frames(ids, codes, uploads)
    root = work / f"many-{'compact' if compact else 'plain'}"
    saved = store_module.COMPACT_AFTER_FILES
    store_module.COMPACT_AFTER_FILES = saved if compact else 10**9
    try:
        store = Store(root)
        started = time.perf_counter()
        for name, frame in frames:
            store.add_upload("actuals", frame, file_name=f"{name}.csv", content=name.encode(), user="bench")
        report[f"{uploads:,} uploads, {label}: total store time (s)"] = time.perf_counter() - started
    finally:
        store_module.COMPACT_AFTER_FILES = saved
    report[f"{uploads:,} uploads, {label}: data files"] = len(store.data_files("actuals"))
    db = Database(store=root, include_demo=False, data_dir=data_dir)
    _, seconds = timed(db.ensure_fresh)
    report[f"{uploads:,} uploads, {label}: build tables (s)"] = seconds
    october = date(2026, 10, 1)
    report[f"{uploads:,} uploads, {label}: rank 100 communes, warm (s)"] = warm_median(
        lambda: db.run_query("ranking_by_month", period=october, province=PROVINCE))
    ranking = db.run_query("ranking_by_month", period=october, province=PROVINCE)
    if compact:
        one = _upload_frames(ids, codes, 1)[0][1]
        result_content = f"one more {time.time()}".encode()
        _, seconds = timed(lambda: store.add_upload("actuals", one, file_name="x.csv", content=result_content))
        report[f"one more upload into a store of {uploads:,} (s)"] = seconds
    return ranking.sort("commune_id")


def bench_at_the_limits(report: dict, work: Path) -> None:
    """A file at the importer's limits (50,000 rows, 1,000,000 cells) as .xlsx and CSV, in its
    own interpreter so the peak memory is this work's alone (the same measure the hostile-files
    test checks for rows and memory)."""
    import json
    import subprocess
    import sys

    folder = work / "limits"
    folder.mkdir(parents=True, exist_ok=True)
    code = f"from tests.test_hostile_files import measure_at_the_limits; measure_at_the_limits({str(folder)!r})"
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=600)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    for kind in ("xlsx", "csv"):
        report[f"check a file at the limits (50,000 rows x 20 columns), {kind}, s"] = float(measured[kind]["seconds"])
    report["peak memory of that check, MB"] = round(measured["peak_mb"])


def run(report: dict, uploads: int = 1000, keep: Path | None = None) -> dict:
    work = keep or Path(tempfile.mkdtemp(prefix="dti-ingest-bench-"))
    try:
        data_dir, names, codes = make_data_dir(work / "data")
        bench_big_file(report, data_dir, names, codes, work)
        bench_at_the_limits(report, work)
        compacted = bench_many_uploads(report, data_dir, codes, work, uploads, compact=True)
        plain = bench_many_uploads(report, data_dir, codes, work, uploads, compact=False)
        report["rankings identical with and without compaction"] = compacted.equals(plain)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_bench")
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args(argv)
    report: dict = {}
    run(report, args.uploads, args.keep)
    width = max(len(k) for k in report)
    for key, value in report.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
