"""The national figures on PostgreSQL beside the file store's, in the same run.

    python -m bench.postgres_bench [--store DIR] [--repeat 5] [--senders 20]

The national store (bench.national generates it) is copied once into a throwaway PostgreSQL
cluster (Debian's package, on loopback) with `python -m queries.store migrate`. Then, for each
backend, the same three figures:

  one-row upload         a whole `python -m queries.ingest` process ÷ bare `python -c "import duckdb, polars"`
  after another's upload the first national ranking in a warm process (machine A) after a one-row
                         upload made by another process (machine B) ÷ A's warm ranking; and how long
                         until A shows it
  twenty senders         twenty processes uploading one row each at the same moment: uploads a second

On PostgreSQL machines A and B have local folders of their own (the senders go to either); on
files they share one store folder, as the file store requires. A machine's first tables on
PostgreSQL are built from every row fetched once (its cache); later it fetches only new uploads.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.national import BENCH_NOW, NOVEMBER, ROOT, median_of, national_store, one_row_file, timed


def _env(folder: Path, url: str | None) -> dict:
    env = {**os.environ, "DTI_STORE": str(folder), "DTI_NOW": BENCH_NOW}
    env.pop("DTI_DATABASE_URL", None)
    if url:
        env["DTI_DATABASE_URL"] = url
    return env


def _senders(work: Path, folders: list[Path], url: str | None, start: int) -> float:
    """Wall time of len(folders) ingest processes started together, one row each."""
    processes = []
    started = time.perf_counter()
    for offset, folder in enumerate(folders):
        path = one_row_file(work, start + offset)
        processes.append(subprocess.Popen([sys.executable, "-m", "queries.ingest", str(path), "--json"],
                                          cwd=ROOT, env=_env(folder, url), stdout=subprocess.DEVNULL))
    codes = [process.wait() for process in processes]
    elapsed = time.perf_counter() - started
    if any(codes):
        raise RuntimeError(f"a sender failed: exit codes {codes}")
    return elapsed


def measure(label: str, work: Path, store_a: Path, store_b: Path, url: str | None, repeat: int, senders: int,
            bare: float, number: int) -> dict[str, float]:
    """The three figures for one backend; machine A is this process."""
    from queries.db import Database

    if url:
        os.environ["DTI_DATABASE_URL"] = url
    else:
        os.environ.pop("DTI_DATABASE_URL", None)
    started = time.perf_counter()
    db = Database(store=store_a, include_demo=False, background=True)
    db.run_query("ranking_by_month", period=NOVEMBER, province=None)
    opened = time.perf_counter() - started
    warm = median_of(lambda: db.run_query("ranking_by_month", period=NOVEMBER, province=None), 20)
    uploads, first, visible = [], [], []
    for step in range(repeat):
        path = one_row_file(work, number + step)
        uploads.append(timed([sys.executable, "-m", "queries.ingest", str(path), "--json"], _env(store_b, url)))
        started = time.perf_counter()
        db.run_query("ranking_by_month", period=NOVEMBER, province=None)
        first.append(time.perf_counter() - started)
        while db.version() != db.store_version():
            time.sleep(0.01)
        db.run_query("ranking_by_month", period=NOVEMBER, province=None)
        visible.append(time.perf_counter() - started)
    # Twenty people sending to two machines (A and B, both warm): on files they share one folder.
    folders = [(store_a, store_b)[i % 2] for i in range(senders)] if url else [store_b] * senders
    wall = _senders(work, folders, url, number + repeat)
    return {
        "tables ready in a new machine A (s)": opened,
        "warm national ranking (s)": warm,
        "one-row upload, whole process (s)": statistics.median(uploads),
        "one-row upload ÷ bare import": statistics.median(uploads) / bare,
        "first ranking after B's upload (s)": statistics.median(first),
        "first ranking after B's upload ÷ warm ranking": statistics.median(first) / warm,
        "until B's upload shows on A (s)": statistics.median(visible),
        f"{senders} senders at once: wall time (s)": wall,
        f"{senders} senders at once: uploads a second": senders / wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, help="where the national store is (generated when missing)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--senders", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ["DTI_NOW"] = BENCH_NOW
    sys.path.insert(0, str(ROOT))
    from deploy.postgres_cluster import Cluster, ClusterUnavailable

    source = national_store(args.store)
    work = Path(tempfile.mkdtemp(prefix="dti-pg-bench-"))
    files_store = work / "files-store"
    shutil.copytree(source, files_store)
    try:
        cluster = Cluster(Path(tempfile.mkdtemp(prefix="dti-pg-bench-cluster-")))
        cluster.init()
        cluster.start()
    except ClusterUnavailable as problem:
        print(f"  PostgreSQL is not available here ({problem}): skipped")
        return 0
    try:
        url = cluster.create_database("dti")
        started = time.perf_counter()
        copied = subprocess.run([sys.executable, "-m", "queries.store", "migrate", "--to", url, "--store", str(source)],
                                cwd=ROOT, capture_output=True, text=True, env=_env(work / "migrate", None))
        if copied.returncode != 0:  # said without the command line: it holds the cluster's password
            raise SystemExit(f"the migration failed (exit {copied.returncode}):\n{copied.stdout}{copied.stderr}")
        migrated = time.perf_counter() - started
        bare = median_of(lambda: timed([sys.executable, "-c", "import duckdb, polars"]), args.repeat)
        figures = {
            "files": measure("files", work, files_store, files_store, None, args.repeat, args.senders, bare, 0),
            "postgres": measure("postgres", work, work / "pg-machine-a", work / "pg-machine-b", url, args.repeat,
                                args.senders, bare, 1000),
        }
    finally:
        from queries.store.postgres import close_pools

        close_pools()
        cluster.stop("immediate")
        shutil.rmtree(cluster.folder, ignore_errors=True)
    print("National scale on both stores (34 provinces, 3,321 communes, 60 months)")
    print(f"  national store copied into PostgreSQL by `python -m queries.store migrate`: {migrated:.1f} s")
    print(f"  bare python -c 'import duckdb, polars': {bare:.3f} s")
    print(f"  {'':<50} {'files':>10} {'PostgreSQL':>11}")
    for name in figures["files"]:
        files, postgres = figures["files"][name], figures["postgres"][name]
        unit = "×" if "÷" in name else ""
        print(f"  {name:<50} {files:>9.3f}{unit or ' '} {postgres:>10.3f}{unit}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
