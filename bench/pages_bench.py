"""Leaders' pages at province scale (the shipped demo province: 100 communes, monthly results
Jan 2025 – Nov 2026): how long each page takes to render, server side, through AppTest.

    python -m bench.pages_bench [--repeat 5]

For each page:
  first open      a new process's first render of the page (tables built, nothing cached)
  warm            the same view again (what a leader waits for after any click that does not
                  change the data asked for: the query results are cached per store version)
  new selection   another commune / pillar / month on a warm process: the page's queries run
                  against the warm database, nothing cached for that selection
  queries         the part of "new selection" spent in DuckDB queries
The target is under one second warm.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = "Minh Họa"
MONTH = "2026-11"
# page, its own URL keys, and a second selection that asks for new data
PAGES = [
    ("tong_quan", {}, {"thang": "2026-10"}),
    ("tru_cot", {"tru_cot": "HT"}, {"tru_cot": "CQ"}),
    ("xep_hang", {}, {"thang": "2026-09"}),
    ("ho_so_xa", {"xa": "minh-hoa/an-ha"}, {"xa": "minh-hoa/kim-son"}),
    ("so_sanh", {"so_sanh": "minh-hoa/an-ha,minh-hoa/thinh-vinh,minh-hoa/cam-ninh"},
     {"so_sanh": "minh-hoa/kim-son,minh-hoa/hai-tan"}),
    ("don_vi_chu_tri", {}, {"thang": "2026-08"}),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["DTI_STORE"] = tempfile.mkdtemp(prefix="dti-pages-bench-")
    sys.path.insert(0, str(ROOT))

    from streamlit.testing.v1 import AppTest

    import ui.state

    query_seconds = [0.0]
    original = ui.state.Database.run_query

    def timed_query(self, name, **params):
        started = time.perf_counter()
        try:
            return original(self, name, **params)
        finally:
            query_seconds[0] += time.perf_counter() - started

    ui.state.Database.run_query = timed_query

    def render(at: AppTest) -> float:
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"page failed: {[e.value for e in at.exception]}")
        return elapsed

    rows = []
    for page, params, other in PAGES:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params.update({"tinh": PROVINCE, "thang": MONTH})
        at.run()
        at.query_params.update(params)
        at.switch_page(f"app_pages/{page}.py")
        first = render(at)
        warm = statistics.median(render(at) for _ in range(args.repeat))
        at.query_params.update(other)
        query_seconds[0] = 0.0
        new = render(at)
        queries = query_seconds[0]
        rows.append((page, first, warm, new, queries))

    from queries.db import get_database

    db = get_database()
    communes = db.run_query("communes_in_province", province=PROVINCE).height
    values = db.sql("select count(*) as n from actuals").item()
    print(f"Leaders' pages, province scale: {PROVINCE} ({communes} communes), {MONTH}, "
          f"{values:,} monthly values loaded; server-side render through AppTest, seconds")
    print(f"  {'page':<16} {'first open':>10} {'warm':>8} {'new selection':>14} {'(queries)':>10}")
    for page, first, warm, new, queries in rows:
        print(f"  {page:<16} {first:>10.3f} {warm:>8.3f} {new:>14.3f} {queries:>10.3f}")
    worst = max(r[2] for r in rows)
    print(f"  slowest warm page: {worst:.3f} s ({'under' if worst < 1 else 'OVER'} the 1 s target)")
    return 0 if worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
