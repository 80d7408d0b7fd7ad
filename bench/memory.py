"""Where one replica's memory goes at national scale, server side (no browser).

    python -m bench.memory [--store DIR] [--repeat 3]

Each run is a new process (a replica just started) over a copy of the national store
(bench.national makes it) that already holds the snapshot of its tables, as a deployed store
does. It opens every page through AppTest, each page as a new session: first for one
province (PROVINCE), then for all provinces (?tinh=tat-ca). It reads its own VmHWM (the peak)
and VmRSS from /proc/self/status after each step, and after each of the two rounds where the
memory is (the breakdown):

  duckdb        DuckDB's own account of the memory it holds (duckdb_memory(), by tag: buffer
                pool of the tables, hash tables, …; and pragma database_size's memory_usage)
  cache_data    what st.cache_data holds, per cached function: entries, their pickled bytes
                (what Streamlit keeps) and the Polars frames' estimated_size once unpickled
                (what a page holds while it uses one)
  sessions      each page's session state (Polars frames by estimated_size, the rest pickled),
                the largest session and the sum over the round's sessions
  malloc free   what glibc's malloc keeps for reuse without giving it back (mallinfo2)
  other         VmRSS less the above: Python, the libraries' code and data (the step "libraries
                imported" shows their share before any page), Polars' and DuckDB's allocators

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


def value_bytes(value) -> int:
    """A Polars frame's estimated_size; anything else's pickled length (0 if it cannot be)."""
    import pickle

    import polars as pl

    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size())
    try:
        return len(pickle.dumps(value))
    except Exception:  # a lock, a connection: not the session's data
        return 0


def cache_data_breakdown() -> dict[str, dict[str, float]]:
    """{cached function: entries, pickled MB, frames MB (estimated_size once unpickled)}."""
    import pickle

    from streamlit.runtime.caching.cache_data_api import _data_caches

    with _data_caches._caches_lock:
        caches = [cache for by_key in _data_caches._function_caches.values() for cache in by_key.values()]
    found: dict[str, dict[str, float]] = {}
    for cache in caches:
        row = found.setdefault(cache.display_name.rsplit(".", 1)[-1], {"entries": 0, "pickled_mb": 0.0, "frames_mb": 0.0})
        storage = cache.storage
        memory = getattr(storage, "_mem_cache", None)
        if memory is None:
            continue
        with storage._mem_cache_lock:
            entries = list(memory.values())
        for pickled in entries:
            row["entries"] += 1
            row["pickled_mb"] += len(pickled) / 2**20
            row["frames_mb"] += value_bytes(pickle.loads(pickled).value) / 2**20 if pickled else 0.0
    return found


def duckdb_breakdown(db) -> dict[str, float]:
    """DuckDB's memory by tag (MB, the tags holding any), its total and database_size's memory_usage."""
    tags = db.sql("select tag, memory_usage_bytes as b from duckdb_memory() where memory_usage_bytes > 0 order by b desc")
    found = {f"duckdb {tag}": b / 2**20 for tag, b in tags.iter_rows()}
    found["duckdb total"] = sum(found.values())
    sizes = db.sql("pragma database_size")
    found["duckdb database_size memory_usage (text)"] = ", ".join(
        f"{r['database_name']}: {r['memory_usage']}" for r in sizes.iter_rows(named=True))
    return found


def child(store: Path) -> None:
    """One replica: every page for one province, then for all provinces; JSON lines out."""
    os.environ["DTI_STORE"] = str(store)
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from queries.db import get_database

    def report(step: str, **extra) -> None:
        print(json.dumps({"step": step, **proc_status(), **extra}), flush=True)

    report("imports")
    import altair  # noqa: F401  what the pages import, before any page runs: the libraries' own share
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import pyarrow  # noqa: F401

    import ui.charts  # noqa: F401
    import ui.maps  # noqa: F401
    report("libraries imported")
    db = get_database(background=True)  # the one ui.state.database() hands the pages
    db.ensure_fresh()
    report("tables open", opened_from=db.opened_from)
    for label, province in (("one province", PROVINCE), ("all provinces", "tat-ca")):
        sessions = []
        for name in PAGES:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
            at.query_params.update({"tinh": province, "thang": MONTH})
            at.switch_page(f"app_pages/{name}.py")
            started = time.perf_counter()
            at.run()
            seconds = time.perf_counter() - started
            if at.exception:
                raise RuntimeError(f"{name} ({label}): {[e.value for e in at.exception][:1]}")
            sessions.append((name, sum(value_bytes(v) for v in at.session_state.to_dict().values()) / 2**20))
            del at
            report(f"{label}: {name}", seconds=seconds)
        gc.collect()
        largest = max(sessions, key=lambda item: item[1])
        report(f"breakdown {label}", breakdown={
            **duckdb_breakdown(db),
            "cache_data": cache_data_breakdown(),
            "sessions sum": sum(mb for _, mb in sessions),
            "largest session": largest[1], "largest session page": largest[0],
            "malloc free": malloc_free_mb(),
        })
    time.sleep(1.0)  # background threads (the store watcher) settle
    report("sessions gone", duckdb_mb=duckdb_breakdown(db)["duckdb total"],
           cache_data_mb=sum(row["pickled_mb"] for row in cache_data_breakdown().values()),
           malloc_free_mb=malloc_free_mb())


def print_breakdown(label: str, row: dict) -> None:
    """Where the replica's memory is after serving every page for `label`, MB."""
    found = row["breakdown"]
    print(f"  where the memory is after every page for {label} (VmRSS {row['VmRSS']:,.0f} MB):")
    duck = {k: v for k, v in found.items() if k.startswith("duckdb ") and isinstance(v, float)}
    for key, mb in duck.items():
        if key != "duckdb total":
            print(f"    {key:<44} {mb:8.1f}")
    print(f"    {'DuckDB, total':<44} {duck['duckdb total']:8.1f}    ({found['duckdb database_size memory_usage (text)']})")
    pickled = sum(r["pickled_mb"] for r in found["cache_data"].values())
    for name, r in sorted(found["cache_data"].items(), key=lambda item: -item[1]["pickled_mb"]):
        print(f"    st.cache_data {name:<30} {r['pickled_mb']:8.1f}    ({r['entries']} entries; Polars frames "
              f"{r['frames_mb']:.1f} MB once unpickled)")
    print(f"    {'st.cache_data, total pickled':<44} {pickled:8.1f}")
    print(f"    {'session state, every session summed':<44} {found['sessions sum']:8.2f}    (largest: "
          f"{found['largest session page']}, {found['largest session']:.2f} MB)")
    print(f"    {'malloc free (kept for reuse)':<44} {found['malloc free']:8.1f}")
    other = row["VmRSS"] - duck["duckdb total"] - pickled - found["sessions sum"] - found["malloc free"]
    print(f"    {'other (Python, libraries, allocators)':<44} {other:8.1f}    (libraries imported: "
          f"{row['libraries_mb']:,.0f} MB of VmRSS before any page)")


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
    libraries = next(row["VmRSS"] for row in runs[0] if row["step"] == "libraries imported")
    breakdowns = {row["step"]: {**row, "libraries_mb": libraries} for row in runs[0] if "breakdown" in row}
    runs = [[row for row in run if "breakdown" not in row] for run in runs]
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
    for step, row in breakdowns.items():
        print_breakdown(step.removeprefix("breakdown "), row)
    print(f"  peak {peak:,.0f} MB (goal ≤ {GOAL_PEAK_MB:,}: {'met' if peak <= GOAL_PEAK_MB else 'NOT met'}); "
          f"kept {kept:,.0f} MB (goal ≤ {GOAL_KEPT_MB}: {'met' if kept <= GOAL_KEPT_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
