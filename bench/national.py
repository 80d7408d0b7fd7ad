"""National scale, as ratios against peers measured in the same run (the national figures).

    python -m bench.national [--store DIR] [--repeat 5]

The national store: 34 provinces, 3,321 communes, 60 months (about 4 M monthly values),
generated once by `python -m queries.demo` into --store (default: a temporary folder) and
copied before anything writes to it. Each figure is a ratio of two times taken here, now:

  one-row upload       whole `python -m queries.ingest` process ÷ bare `python -c "import duckdb, polars"`
  after an upload      first national ranking in a warm process after an upload elsewhere ÷ warm ranking
                       (and, beside it, how long until that process shows the upload)
  new process          first national ranking in a new process, imports included ÷ one pandas rerun
                       (bench.peers.pandas_ranking, which reads every file each time), and
                       ÷ the bare `python -c "import duckdb, polars"`: what the command costs above
                       the two libraries it cannot do without (the project's bytecode compiled
                       first, as the image has it: deploy/Dockerfile)
  warm ranking         polars from frames already in memory ÷ ours
  what-if weights      the national ranking under a leader's own weights (whatif_base.sql, the group
                       scores kept, weighed by rank_under) ÷ the stored ranking's warm time: the first
                       of a month (the rows fetched) and a slider moved (the rows the page kept);
                       and under the eight groups
  readers              queries answered while uploads land: the slowest, against a warm query
All three rankings (ours, pandas, polars) are checked to agree. The Chromium page timings and
the memory of a replica are bench.browser_pages.
"""
from __future__ import annotations

import argparse
import compileall
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOVEMBER = date(2026, 11, 1)
# The day the benchmark lives on: the uploads below report October 2026, which is neither in
# the future nor closed on this day.
BENCH_NOW = "2026-11-22T10:00:00+07:00"
GOALS = {
    "one-row upload ÷ bare import": ("≤", 4.0),
    "first ranking after an upload ÷ warm ranking": ("≤", 3.0),
    "first ranking, new process ÷ pandas rerun": ("≤", 0.2),
    "first ranking, new process ÷ bare import": ("≤", 1.5),
    "polars in memory ÷ our warm ranking": ("≥", 10.0),
    "polars in memory ÷ the page's warm ranking": ("≥", 10.0),
    "what-if national ranking ÷ warm ranking": ("≤", 2.0),
    "what-if, a slider moved ÷ warm ranking": ("≤", 2.0),
}
WHATIF_WEIGHTS = {"HT": 10.0, "NL": 10.0, "AT": 10.0, "CQ": 40.0, "KT": 15.0, "XH": 15.0}


def timed(args: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def median_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def medians_in_turns(first, second, repeat: int) -> tuple[float, float]:
    """The medians of two functions timed in turns (a, b, a, b, …): both see the same load on
    a shared machine, so their ratio holds when the wall clock does not."""
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((first, a), (second, b)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def median_of_cpu(fn, repeat: int) -> float:
    """The process's CPU time (every DuckDB thread included) of fn, median of `repeat`."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return statistics.median(times)


def page_cache_hit(db):
    """The warm ranking as a page gets it: ui/state.py's query keeps each answer in st.cache_data,
    keyed by the data's version, so a page asks DuckDB once per version; a hit hashes the
    arguments and unpickles the frame."""
    import logging

    import streamlit as st

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime": the cache works in memory

    @st.cache_data(max_entries=8, show_spinner=False)
    def cached(name: str, version: str, params: tuple):
        return db.run_query(name, **dict(params))

    params = (("period", NOVEMBER), ("province", None))
    cached("ranking_by_month", str(db.version()), params)
    return lambda: cached("ranking_by_month", str(db.version()), params)


def warm_floor(db) -> str:
    """The warm national ranking taken apart: DuckDB's cost of any query, the scan of the kept
    ranking, the rows handed over (Arrow), and the Polars frame the app gets."""
    from queries.data import frame
    from queries.db import sql_text

    cursor = db._cursor()  # noqa: SLF001 - the benchmark times the parts of one query
    params = {"period": NOVEMBER, "province": None}
    text = sql_text("ranking_by_month")
    parts = {
        "empty query": lambda: cursor.sql("select 1").fetchall(),
        "count of the month's rows": lambda: cursor.sql(
            "select count(*) from ranking_cache where period = $period and scope = coalesce($province, '@all')",
            params=params).fetchall(),
        "the ranking as a Polars frame (the app)": lambda: frame(cursor.sql(text, params=params)),
        "the ranking as Python tuples": lambda: cursor.sql(text, params=params).fetchall(),
        "whole run_query (freshness check included)": lambda: db.run_query("ranking_by_month", **params),
    }
    return "; ".join(f"{name} {median_of(fn, 30) * 1000:.2f} ms" for name, fn in parts.items())


def national_store(path: Path | None) -> Path:
    store = path or Path(tempfile.gettempdir()) / "dti-national-bench"
    if not (store / "journal.jsonl").exists():
        if store.exists():
            shutil.rmtree(store)
        print(f"  generating the national store in {store} …", flush=True)
        subprocess.run([sys.executable, "-m", "queries.demo", "--provinces", "34", "--communes", "3321",
                        "--months", "60", "--end", "2026-11", "--store", str(store), "--seed", "11"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return store


def one_row_file(folder: Path, number: int) -> Path:
    path = folder / f"mot-dong-{number}.csv"
    path.write_text(f"Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\nXã Định Tiến;Thanh Hóa;10/2026;XH05;{70 + number % 30},5\n",
                    encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, help="where the national store is (generated when missing)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["DTI_NOW"] = BENCH_NOW
    sys.path.insert(0, str(ROOT))
    source = national_store(args.store)
    work = Path(tempfile.mkdtemp(prefix="dti-national-work-"))
    store = work / "store"
    shutil.copytree(source, store)
    env = {**os.environ, "DTI_STORE": str(store)}
    results: dict[str, float] = {}
    notes: list[str] = []

    from bench.peers import agree, load_frames, pandas_ranking, polars_ranking
    from queries.db import Database

    # -- a warm process (the app's way: background refresh) and the snapshot for new ones
    started = time.perf_counter()
    db = Database(store=store, include_demo=False, background=True)
    ours = db.run_query("ranking_by_month", period=NOVEMBER, province=None)
    notes.append(f"tables ready in {time.perf_counter() - started:.2f} s ({db.opened_from}); "
                 f"{db.sql('select count(*) from actuals').item():,} monthly values, {ours.height:,} communes ranked")
    if db.opened_from == "files":
        db._save_snapshot()  # noqa: SLF001 - the benchmark wants the snapshot a server would leave
    warm = median_of(lambda: db.run_query("ranking_by_month", period=NOVEMBER, province=None), 20)
    results["our warm national ranking (s)"] = warm

    # -- what-if weights: the same national ranking under other weights, nothing stored changes.
    # The first what-if of a month fetches the rows the weights do not change (whatif_base.sql)
    # and weighs them; the page keeps those rows (st.cache_data), so each slider move after it
    # only weighs and ranks them (rank_under).
    from queries.frameworks.whatif import rank_under, rebalance

    def base(framework: str):
        return db.run_query("whatif_base", period=NOVEMBER, province=None, framework=framework)

    def what_if(framework: str, weights: dict[str, float], rows=None):
        return rank_under(base(framework) if rows is None else rows, list(weights.values()))

    def stored():
        return db.run_query("ranking_by_month", period=NOVEMBER, province=None)

    what_if("six-pillars@1", WHATIF_WEIGHTS)
    warm_beside, results["what-if national ranking, first of the month (s)"] = medians_in_turns(
        stored, lambda: what_if("six-pillars@1", WHATIF_WEIGHTS), 30)
    kept = base("six-pillars@1")
    moves = itertools.cycle([rebalance(WHATIF_WEIGHTS, "CQ", 20 + n) for n in range(20)])  # new weights each time
    warm_beside_moves, results["what-if national ranking, a slider moved (s)"] = medians_in_turns(
        stored, lambda: what_if("six-pillars@1", next(moves), kept), 30)
    results["  warm stored ranking, taken in turns with them (s)"] = (warm_beside + warm_beside_moves) / 2
    eight = dict.fromkeys(["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"], 12.5)
    results["what-if national ranking, eight groups (s)"] = median_of(lambda: what_if("dti-xa-8-nhom@1", eight), 20)
    official = what_if("six-pillars@1", {"HT": 12.5, "NL": 12.5, "AT": 12.5, "CQ": 25.0, "KT": 18.75, "XH": 18.75})
    stored = db.run_query("ranking_by_month", period=NOVEMBER, province=None)
    same = official.select("commune_id", "rank", "score").equals(stored.select("commune_id", "rank", "score"))
    notes.append(f"what-if at the official weights = the stored ranking: {same}")
    # CPU time too: on a shared machine the wall clock also measures the neighbours
    cpu_warm = median_of_cpu(lambda: db.run_query("ranking_by_month", period=NOVEMBER, province=None), 20)
    cpu_whatif = median_of_cpu(lambda: what_if("six-pillars@1", WHATIF_WEIGHTS), 20)
    notes.append(f"what-if (first of the month) ÷ warm ranking in CPU time: {cpu_whatif * 1000:.1f} ms ÷ "
                 f"{cpu_warm * 1000:.1f} ms = {cpu_whatif / cpu_warm:.2f}×")

    # -- a one-row upload, as a whole process, against the bare interpreter
    bare = median_of(lambda: timed([sys.executable, "-c", "import duckdb, polars"]), args.repeat)
    upload_times, first_after, visible_after = [], [], []
    for number in range(args.repeat):
        path = one_row_file(work, number)
        upload_times.append(timed([sys.executable, "-m", "queries.ingest", str(path), "--json",
                                   "--store", str(store)], env))
        # The warm process learns of it on its next query: that query does not wait.
        started = time.perf_counter()
        db.run_query("ranking_by_month", period=NOVEMBER, province=None)
        first_after.append(time.perf_counter() - started)
        while db.version() != db.store_version():
            time.sleep(0.01)
        visible_after.append(time.perf_counter() - started)
    results["bare python -c 'import duckdb, polars' (s)"] = bare
    results["one-row upload, whole process (s)"] = statistics.median(upload_times)
    results["first ranking after an upload (s)"] = statistics.median(first_after)
    results["  … until the upload shows in that process (s)"] = statistics.median(visible_after)

    # -- a new process, imports included, against one pandas rerun and the bare import
    db._save_snapshot()  # noqa: SLF001 - as the server does from time to time
    compileall.compile_dir(ROOT / "queries", quiet=1)  # the image's bytecode (PYTHONDONTWRITEBYTECODE may be set)
    script = ("from datetime import date; from queries.db import Database; "
              "Database(include_demo=False).run_query('ranking_by_month', period=date(2026, 11, 1), province=None)")
    # Taken in turns with the bare import, so both see the same load on the machine.
    new_process, bare_again = [], []
    for _ in range(args.repeat):
        new_process.append(timed([sys.executable, "-c", script], env))
        bare_again.append(timed([sys.executable, "-c", "import duckdb, polars"]))
    results["first ranking, new process (s)"] = statistics.median(new_process)
    results["  bare import, taken in turns with it (s)"] = statistics.median(bare_again)
    pandas_frame = pandas_ranking(store, db.data_dir, NOVEMBER, db.settings)
    results["pandas rerun, reading every file (s)"] = median_of(
        lambda: pandas_ranking(store, db.data_dir, NOVEMBER, db.settings), 3)

    # -- polars from frames in memory
    started = time.perf_counter()
    frames = load_frames(store, db.data_dir)
    notes.append(f"polars frames loaded once in {time.perf_counter() - started:.2f} s")
    polars_frame = polars_ranking(frames, NOVEMBER, db.settings)
    results["polars ranking, frames in memory (s)"] = median_of(
        lambda: polars_ranking(frames, NOVEMBER, db.settings), args.repeat)
    notes.append("rankings: " + str(agree(db.run_query("ranking_by_month", period=NOVEMBER, province=None),
                                          pandas_frame, polars_frame)))

    # -- where the warm query's time goes (its floor), and what a page pays for it
    results["the page's warm ranking, st.cache_data hit (s)"] = median_of(page_cache_hit(db), 20)
    notes.append("warm ranking's floor: " + warm_floor(db))

    # -- readers while uploads land
    latencies: list[float] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            db.run_query("ranking_by_month", period=NOVEMBER, province=None)
            db.run_query("indicator_status", period=NOVEMBER, province="Minh Họa 05", commune=None)
            latencies.append(time.perf_counter() - started)

    province_warm = median_of(lambda: (db.run_query("ranking_by_month", period=NOVEMBER, province=None),
                                       db.run_query("indicator_status", period=NOVEMBER, province="Minh Họa 05",
                                                    commune=None)), 10)
    thread = threading.Thread(target=reader)
    thread.start()
    for number in range(args.repeat, args.repeat + 8):
        timed([sys.executable, "-m", "queries.ingest", str(one_row_file(work, number)), "--json",
               "--store", str(store)], env)
    time.sleep(0.5)
    stop.set()
    thread.join()
    slowest = max(latencies)
    blocked = sum(1 for t in latencies if t > province_warm * 3 + 0.1)
    results["reader: warm query pair (s)"] = province_warm
    results["reader: slowest of those while 8 uploads landed (s)"] = slowest
    notes.append(f"readers: {len(latencies)} query pairs during 8 uploads, {blocked} slower than 3× warm + 0.1 s")

    ratios = {
        "one-row upload ÷ bare import": results["one-row upload, whole process (s)"] / bare,
        "first ranking after an upload ÷ warm ranking": results["first ranking after an upload (s)"] / warm,
        "first ranking, new process ÷ pandas rerun": results["first ranking, new process (s)"]
        / results["pandas rerun, reading every file (s)"],
        "first ranking, new process ÷ bare import": results["first ranking, new process (s)"]
        / results["  bare import, taken in turns with it (s)"],
        "polars in memory ÷ our warm ranking": results["polars ranking, frames in memory (s)"] / warm,
        "polars in memory ÷ the page's warm ranking": results["polars ranking, frames in memory (s)"]
        / results["the page's warm ranking, st.cache_data hit (s)"],
        "what-if national ranking ÷ warm ranking": results["what-if national ranking, first of the month (s)"]
        / results["  warm stored ranking, taken in turns with them (s)"],
        "what-if, a slider moved ÷ warm ranking": results["what-if national ranking, a slider moved (s)"]
        / results["  warm stored ranking, taken in turns with them (s)"],
    }
    print("National scale: 34 provinces, 3,321 communes, 60 months")
    for name, value in results.items():
        print(f"  {name:<56} {value:9.4f}")
    print("  ratios (goal):")
    for name, value in ratios.items():
        sign, goal = GOALS[name]
        met = value <= goal if sign == "≤" else value >= goal
        print(f"    {name:<52} {value:7.2f}×  ({sign} {goal:g}×: {'met' if met else 'NOT met'})")
    print(f"    page views blocked by a refresh: {blocked}")
    for note in notes:
        print(f"  {note}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
