"""National-scale benchmark: generate 34 provinces × 3,321 communes × 60 months, then time
the export command and warm ranking queries over it.

    python -m bench.national [--store DIR] [--months 60]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def warm_median(fn, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", help="reuse or create the national store here")
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args(argv)
    workdir = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="dti-national-"))
    results = {}
    if not (workdir / "manifest").exists():
        results["generate (s)"] = timed([sys.executable, "-m", "queries.demo", "--provinces", "34",
                                         "--communes", "3321", "--months", str(args.months),
                                         "--end", "2026-11", "--store", str(workdir), "--seed", "11"])
    results["store size (MB)"] = sum(p.stat().st_size for p in workdir.rglob("*") if p.is_file()) / 1e6
    results["export ranking, all provinces, cold process (s)"] = timed(
        [sys.executable, "-m", "queries.export", "ranking", "--format", "json", "--period", "2026-11",
         "--store", str(workdir)])

    from queries.db import Database

    db = Database(store=workdir, include_demo=False)
    db.ensure_fresh()
    results["load tables (s)"] = db.load_seconds
    november = date(2026, 11, 1)
    results["rank 3,321 communes, warm (s)"] = warm_median(
        lambda: db.run_query("ranking_by_month", period=november, province=None))
    results["rank one province, warm (s)"] = warm_median(
        lambda: db.run_query("ranking_by_month", period=november, province="Minh Họa 05"))
    results["indicator status one province, warm (s)"] = warm_median(
        lambda: db.run_query("indicator_status", period=november, province="Minh Họa 05", commune=None))
    results["12-month score trend one province, warm (s)"] = warm_median(
        lambda: db.sql("select * from commune_scores($a, $b, $p, null)",
                       a=date(2025, 12, 1), b=november, p="Minh Họa 05"))
    rows = db.sql("select count(*) as n from actuals").item()
    print(f"National scale: 34 provinces, 3,321 communes, {args.months} months, {rows:,} monthly values")
    for name, value in results.items():
        print(f"  {name:<50} {value:8.3f}")
    print(f"  store: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
