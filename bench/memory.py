"""Where one replica's memory goes at national scale, server side (no browser).

    python -m bench.memory [--store DIR] [--repeat 3]

Each run is a new process (a replica just started) over a copy of the national store
(bench.national makes it) that already holds the snapshot of its tables, as a deployed store
does. It opens every page through AppTest, each page as a new session: first for one
province (PROVINCE), then for all provinces (?tinh=tat-ca). It reads its own VmHWM (the peak)
and VmRSS from /proc/self/status after each step, and at the end where the memory is:

  duckdb        DuckDB's own account of the memory it holds (duckdb_memory(): buffer pool,
                hash tables, …) for the replica's tables
  cache_data    the serialized bytes st.cache_data holds (Streamlit's own statistics)
  malloc free   what glibc's malloc keeps for reuse without giving it back (mallinfo2)

The goal: a peak ≤ 1 GB while serving every page, ≤ 0.6 GB kept once the sessions are gone.
bench.browser_pages measures the same server in Chromium (slower, one province only).
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = "Minh Họa 05"
MONTH = "2026-11"
PAGES = ["tong_quan", "tru_cot", "xep_hang", "ho_so_xa", "so_sanh", "don_vi_chu_tri", "tinh_hinh_bao_cao",
         "nhiem_vu", "kinh_phi", "trinh_chieu", "phuong_phap"]
GOAL_PEAK_MB, GOAL_KEPT_MB = 1024, 600


def proc_status() -> dict[str, float]:
    """VmHWM and VmRSS of this process, MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = int(value.split()[0]) / 1024
    return found


def malloc_free_mb() -> float:
    """Bytes glibc's malloc holds free (fordblks of mallinfo2), MB; NaN where unavailable."""
    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        return libc.mallinfo2().fordblks / 2**20
    except (OSError, AttributeError):
        return float("nan")


def child(store: Path) -> None:
    """One replica: every page for one province, then for all provinces; JSON lines out."""
    os.environ["DTI_STORE"] = str(store)
    sys.path.insert(0, str(ROOT))
    from streamlit.runtime.caching.cache_data_api import _data_caches
    from streamlit.testing.v1 import AppTest

    from queries.db import get_database

    def report(step: str, **extra) -> None:
        print(json.dumps({"step": step, **proc_status(), **extra}), flush=True)

    report("imports")
    db = get_database(background=True)  # the one ui.state.database() hands the pages
    db.ensure_fresh()
    report("tables open", opened_from=db.opened_from)
    for label, province in (("one province", PROVINCE), ("all provinces", "tat-ca")):
        for name in PAGES:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
            at.query_params.update({"tinh": province, "thang": MONTH})
            at.switch_page(f"app_pages/{name}.py")
            started = time.perf_counter()
            at.run()
            seconds = time.perf_counter() - started
            if at.exception:
                raise RuntimeError(f"{name} ({label}): {[e.value for e in at.exception][:1]}")
            del at
            report(f"{label}: {name}", seconds=seconds)
    gc.collect()
    cached = sum(stat.byte_length for stats in _data_caches.get_stats().values() for stat in stats)
    held = float(db.sql("select coalesce(sum(memory_usage_bytes), 0) as b from duckdb_memory()").item())
    time.sleep(1.0)  # background threads (the store watcher) settle
    report("sessions gone", duckdb_mb=held / 2**20, cache_data_mb=cached / 2**20, malloc_free_mb=malloc_free_mb())


def run_once(store: Path, env: dict) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "bench.memory", "--child", str(store)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, help="the national store (bench.national generates it)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the replica (settings.json of the store copy), e.g. duckdb_memory_mb=384")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench.national import BENCH_NOW, national_store

    source = national_store(args.store)
    work = Path(tempfile.mkdtemp(prefix="dti-memory-work-"))
    store = work / "store"
    shutil.copytree(source, store)
    env = {**os.environ, "DTI_STORE": str(store), "DTI_NOW": BENCH_NOW}
    if args.set:
        path = store / "settings.json"
        values = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        values.update({name: json.loads(value) for name, value in (item.split("=", 1) for item in args.set)})
        path.write_text(json.dumps(values), encoding="utf-8")
    try:
        # The snapshot a deployed store has: made once here, not measured.
        subprocess.run([sys.executable, "-c", "from queries.db import Database; db = Database(); db.ensure_fresh(); "
                        "db._save_snapshot() if db.opened_from == 'files' else None"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs = [run_once(store, env) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    steps = [row["step"] for row in runs[0]]
    print(f"One replica at national scale, every page through AppTest (median of {args.repeat} new processes, MB; "
          f"load {os.getloadavg()[0]:.1f}){' with ' + ', '.join(args.set) if args.set else ''}")
    print(f"  {'after':<34} {'VmRSS':>7} {'VmHWM':>7} {'seconds':>8}")
    for index, step in enumerate(steps):
        rss = statistics.median(run[index]["VmRSS"] for run in runs)
        hwm = statistics.median(run[index]["VmHWM"] for run in runs)
        seconds = f"{statistics.median(run[index]['seconds'] for run in runs):8.2f}" if "seconds" in runs[0][index] else ""
        print(f"  {step:<34} {rss:7.0f} {hwm:7.0f} {seconds}")
    last = [run[-1] for run in runs]
    peak = statistics.median(row["VmHWM"] for row in last)
    kept = statistics.median(row["VmRSS"] for row in last)
    for key in ("duckdb_mb", "cache_data_mb", "malloc_free_mb"):
        print(f"  at the end, {key[:-3]:<22} {statistics.median(row[key] for row in last):7.0f}")
    print(f"  peak {peak:,.0f} MB (goal ≤ {GOAL_PEAK_MB:,}: {'met' if peak <= GOAL_PEAK_MB else 'NOT met'}); "
          f"kept {kept:,.0f} MB (goal ≤ {GOAL_KEPT_MB}: {'met' if kept <= GOAL_KEPT_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
