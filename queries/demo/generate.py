"""Deterministic generator of synthetic demo data in clearly fictional provinces.

    python -m queries.demo --provinces 1 --communes 100 --months 23 --store data/demo --seed 7
    python -m queries.demo --provinces 34 --communes 3321 --months 60 --store /tmp/national

Every generated commune is marked is_demo, lives in a province named "Minh Họa …"
(Vietnamese for "illustration"), and every screen that shows it says "Dữ liệu minh họa".
The data imitates reality: S-shaped progress towards each year's target, month-to-month
noise, a few communes that stop reporting and a few that go backwards.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from queries import clock
from queries.settings import DATA_DIR
from queries.store import ROW_SCHEMAS, Store
from queries.text import make_commune_id, slug

FIRST_SYLLABLES = (
    "An Bình Hòa Phú Tân Thạnh Long Mỹ Phước Vĩnh Đông Tây Nam Bắc Trung Hưng Quang Minh "
    "Thanh Xuân Hải Sơn Lâm Hồng Kim Ngọc Gia Đức Thuận Lộc Tiến Định Thịnh Khánh Đại "
    "Tường Cẩm Yên Ân Ea"
).split()
SECOND_SYLLABLES = (
    "Lợi Phong Hiệp Điền Thủy Lạc Hải Hà Sơn Thành Khê Giang Châu Tân Hòa Phước Mỹ An "
    "Vinh Quý Thọ Nguyên Lương Trạch Xương Đạt Hưng Lập Dương Cường Ninh Bảo Thắng "
    "Thới Trường Uyên Đồng Lâm Ích Nhơn"
).split()
LEAD_UNITS = {
    "HT": "Phòng Kinh tế",
    "NL": "Phòng Văn hóa - Xã hội",
    "AT": "Văn phòng HĐND-UBND",
    "CQ": "Trung tâm Phục vụ hành chính công",
    "KT": "Phòng Kinh tế",
    "XH": "Phòng Văn hóa - Xã hội",
}
SPECIAL_LEADS = {"XH03": "Trạm Y tế", "XH04": "Công an xã", "XH13": "Công an xã",
                 "NL05": "Trường học trên địa bàn", "XH12": "Trường học trên địa bàn"}
GENERATOR_USER = "queries.demo (dữ liệu minh họa)"
# Shares of the population: these come with a numerator and the adult population as
# denominator, as in seed 001's report (4227/5219); office figures have no denominator here.
POPULATION_BASED = {"XH01", "XH02", "XH03", "XH04", "XH05", "XH06", "XH08", "XH09", "XH13", "NL04"}


def province_names(count: int) -> list[str]:
    return ["Minh Họa"] if count == 1 else [f"Minh Họa {i + 1:02d}" for i in range(count)]


def month_list(end: date, months: int) -> list[date]:
    index = end.year * 12 + end.month - 1
    return [date((i) // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def generate(provinces: int, communes: int, months: int, seed: int, end: date) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    catalog = pl.read_csv(DATA_DIR / "indicators.csv").filter(
        pl.col("pillar").is_in(list(LEAD_UNITS))
    )
    periods = month_list(end, months)
    years = sorted({p.year for p in periods})

    # -- communes: spread as evenly as possible over the provinces
    names = province_names(provinces)
    per_province = np.full(provinces, communes // provinces)
    per_province[: communes % provinces] += 1
    # "Thạnh Hòa" and "Thanh Hòa" fold to the same id: keep one name per id
    combos = list({slug(f"{a} {b}"): f"{a} {b}" for a in FIRST_SYLLABLES for b in SECOND_SYLLABLES if a != b}.values())
    commune_rows = []
    for province, n in zip(names, per_province):
        picks = rng.choice(len(combos), size=n, replace=False)
        for _j, pick in enumerate(picks):
            name = f"Xã {combos[pick]}"
            commune_rows.append({
                "row_number": len(commune_rows) + 2,
                "commune_id": make_commune_id(province, name),
                "commune_code": None,
                "commune_name": name,
                "province": province,
                "adult_population": float(rng.integers(3_000, 30_000)),
                "population_15plus": None,
                "working_age_population": None,
                "is_demo": True,
            })
    communes_frame = pl.DataFrame(commune_rows, schema=ROW_SCHEMAS["communes"], orient="row")

    # -- each province picks ~24 indicators (4 per pillar); each commune targets most of them
    by_pillar = {p: catalog.filter(pl.col("pillar") == p) for p in LEAD_UNITS}
    province_plan = {}
    for province in names:
        chosen = []
        for frame in by_pillar.values():
            k = min(4, frame.height)
            chosen += list(frame[rng.choice(frame.height, size=k, replace=False)].iter_rows(named=True))
        province_plan[province] = chosen

    target_rows, actual_cols = [], {k: [] for k in ("commune_id", "indicator", "period", "value", "numerator", "denominator")}
    t_index = np.arange(len(periods))
    for commune in commune_rows:
        quality = rng.beta(2.5, 2)  # how well this commune does overall
        stops_at = int(rng.integers(len(periods) // 2, len(periods))) if rng.random() < 0.04 else None
        backwards_from = int(rng.integers(len(periods) // 3, len(periods) - 2)) if rng.random() < 0.04 else None
        for ind in province_plan[commune["province"]]:
            if rng.random() < 0.12:  # not every commune has every target
                continue
            unit, code = ind["unit"], ind["code"]
            lead = SPECIAL_LEADS.get(code, LEAD_UNITS[ind["pillar"]])
            if unit == "percent":
                start = rng.uniform(5, 60)
                first_target = float(np.clip(round((start + rng.uniform(15, 45)) / 5) * 5, 30, 100))
                step = float(rng.choice([5, 10]))
                level = min(100.0, start + (first_target + step * (len(years) - 1) - start) * (0.3 + 0.9 * quality))
            elif unit == "yes_no":
                start, first_target, step, level = 0.0, 1.0, 0.0, 1.0
            else:  # counts and per-1000 figures
                start = float(rng.integers(0, 3))
                first_target = float(start + rng.integers(1, 5))
                step = float(rng.integers(0, 3))
                level = (first_target + step * (len(years) - 1)) * (0.3 + 0.9 * quality)
            for y_index, year in enumerate(years):
                target = min(100.0, first_target + step * y_index) if unit == "percent" else first_target + step * y_index
                comparator = ">" if unit == "percent" and rng.random() < 0.1 and target < 100 else ">="
                target_rows.append({
                    "row_number": len(target_rows) + 2, "commune_id": commune["commune_id"],
                    "indicator": code, "year": year, "comparator": comparator, "target": target,
                    "target_text": f"{'≥' if comparator == '>=' else '>'} {target:g}{'%' if unit == 'percent' else ''}",
                    "lead_unit": lead, "partner_units": None,
                    "source_doc": f"Kế hoạch chuyển đổi số năm {year} (minh họa)",
                    "source_item": None, "note": "Dữ liệu minh họa",
                })
            # S-shaped path over the whole span, plus noise
            midpoint = rng.uniform(0.2, 0.8) * len(periods)
            steepness = rng.uniform(0.12, 0.4)
            path = start + (level - start) / (1 + np.exp(-steepness * (t_index - midpoint)))
            if backwards_from is not None:
                path[backwards_from:] -= np.linspace(0, (level - start) * 0.35, len(periods) - backwards_from)
            if unit == "yes_no":
                values = (path > 0.5).astype(float)
            elif unit == "percent":
                values = np.clip(path + rng.normal(0, 1.5, len(periods)), 0, 100).round(2)
            else:
                values = np.maximum(0, np.round(path + rng.normal(0, 0.3, len(periods))))
            reported = rng.random(len(periods)) > 0.03
            if stops_at is not None:
                reported[stops_at:] = False
            keep = np.flatnonzero(reported)
            actual_cols["commune_id"] += [commune["commune_id"]] * len(keep)
            actual_cols["indicator"] += [code] * len(keep)
            actual_cols["period"] += [periods[i] for i in keep]
            actual_cols["value"] += values[keep].tolist()
            if code in POPULATION_BASED:
                denominator = commune["adult_population"]
                actual_cols["numerator"] += np.round(values[keep] / 100 * denominator).tolist()
                actual_cols["denominator"] += [denominator] * len(keep)
            else:
                actual_cols["numerator"] += [None] * len(keep)
                actual_cols["denominator"] += [None] * len(keep)

    targets = pl.DataFrame(target_rows, schema=ROW_SCHEMAS["targets"], orient="row")
    actuals = pl.DataFrame(actual_cols).with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("note"),
        pl.col("numerator").cast(pl.Float64), pl.col("denominator").cast(pl.Float64),
    )
    return {"communes": communes_frame, "targets": targets, "actuals": actuals}


def received_days(actuals: pl.DataFrame, seed: int, exact: bool) -> pl.DataFrame:
    """When each commune's report for each month arrived: most communes before the 20th of
    the next month (the plans' deadline), some a few days late, each commune with its own
    habit. `exact=False` (national scale) rounds the days to five dates a month, so a month
    is a handful of uploads rather than thousands. A separate random stream keeps the values
    the same as without this."""
    rng = np.random.default_rng(seed + 1)
    reports = actuals.select("commune_id", "period").unique().sort("commune_id", "period")
    communes = reports["commune_id"].unique().sort()
    punctuality = dict(zip(communes.to_list(), rng.beta(6, 1.5, communes.len()).tolist()))
    on_time = rng.random(reports.height) < np.array([punctuality[c] for c in reports["commune_id"].to_list()])
    day = np.where(on_time, rng.integers(3, 20, reports.height), rng.integers(20, 29, reports.height))
    if not exact:
        day = np.select([day <= 10, day <= 15, day <= 19, day <= 23], [10, 15, 19, 22], 27)
    return reports.with_columns(pl.Series("day", day, dtype=pl.Int32))


def _received_at(period: date, day: int, end: date) -> datetime:
    """09:00 Vietnam time on `day` of the month after `period`; the reports of the last
    month, which would arrive after the data ends, arrive early instead, between the 15th and
    the 19th of that month."""
    following = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    if following > end:
        following, day = period, 15 + day % 5
    return datetime(following.year, following.month, day, 2, 0, tzinfo=UTC)


def write(frames: dict[str, pl.DataFrame], store: Store, seed: int) -> None:
    """One upload per kind for the plan; then the results as the communes sent them: one
    upload per month and day of arrival (see received_days); then, for a province-sized
    demo, the province's reviews of the months before the last two."""
    first = frames["actuals"]["period"].min()
    end = frames["actuals"]["period"].max()
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    for kind in ("communes", "targets"):
        frame = frames[kind]
        store.add_upload(kind, frame, file_name=f"minh-hoa-{kind}.parquet",
                         content=f"demo:{seed}:{kind}:{frame.height}".encode() + frame.hash_rows().to_numpy().tobytes(),
                         user=GENERATOR_USER, moment=start)
    small = frames["communes"].height <= 500
    days = received_days(frames["actuals"], seed, exact=small)
    actuals = frames["actuals"].join(days, on=["commune_id", "period"]).sort("period", "day", "commune_id", "indicator")
    for (period, day), batch in actuals.group_by("period", "day", maintain_order=True):
        rows = batch.with_row_index("row_number", offset=2).with_columns(pl.col("row_number").cast(pl.Int32))
        received = _received_at(period, day, end)
        store.add_upload("actuals", rows.select(list(ROW_SCHEMAS["actuals"])),
                         file_name=f"minh-hoa-ket-qua-{period:%Y-%m}-nhan-{received:%d-%m}.parquet",
                         content=f"demo:{seed}:{period}:{day}".encode() + rows.hash_rows().to_numpy().tobytes(),
                         user=GENERATOR_USER, moment=received)
    store.compact("actuals")
    store.cleanup(no_grace=True)  # a new store nobody reads yet: no reader needs the merged files
    if small:
        write_reviews(days, store, seed, end)


def write_reviews(days: pl.DataFrame, store: Store, seed: int, end: date) -> None:
    """The province reviewed every month up to two before the last: most months approved,
    a few sent back for more evidence."""
    rng = np.random.default_rng(seed + 2)
    limit = date(end.year - (end.month <= 2), (end.month - 3) % 12 + 1, 1)
    reviewed = days.filter(pl.col("period") <= limit)
    sent_back = rng.random(reviewed.height) < 0.04
    for (commune_id, period), back in zip(reviewed.select("commune_id", "period").iter_rows(), sent_back):
        if back:
            store.add_review(commune_id, period, "yeu_cau_bo_sung", user=GENERATOR_USER,
                             comment="Bổ sung biên bản, ảnh chụp minh chứng (dữ liệu minh họa)")
        else:
            store.add_review(commune_id, period, "da_tham_dinh", user=GENERATOR_USER)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sinh dữ liệu minh họa (không phải số liệu thật).")
    parser.add_argument("--provinces", type=int, default=1)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--months", type=int, default=23, help="số tháng, tính lùi từ --end")
    parser.add_argument("--end", default=None, help="tháng cuối YYYY-MM (mặc định: tháng hiện tại)")
    parser.add_argument("--store", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    today = clock.today()
    end = date(int(args.end[:4]), int(args.end[5:7]), 1) if args.end else date(today.year, today.month, 1)
    target = Path(args.store)
    if target.exists() and any(target.iterdir()):
        print(f"Thư mục {target} đã có dữ liệu; hãy chọn thư mục trống.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    frames = generate(args.provinces, args.communes, args.months, args.seed, end)
    generated = time.perf_counter() - started
    write(frames, Store(target), args.seed)
    total = time.perf_counter() - started
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"{frames['communes'].height} xã, {frames['targets'].height} chỉ tiêu, "
          f"{frames['actuals'].height} số liệu tháng; sinh {generated:.1f} s, tổng {total:.1f} s; "
          f"{size / 1e6:.1f} MB tại {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
