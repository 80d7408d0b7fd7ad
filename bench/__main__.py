"""All benchmarks in one command: `python -m bench` (also `make bench`).

Each part is runnable alone: python -m bench.national (the national ratios against the pandas
and polars peers), bench.browser_pages (pages in Chromium at national scale, memory),
bench.pages_bench (server-side page renders at province scale), bench.memory (one replica's
memory at national scale, server side), bench.ingest_bench (files).
"""
import subprocess
import sys
from pathlib import Path

PARTS = ("bench.national", "bench.postgres_bench", "bench.browser_pages", "bench.pages_bench", "bench.memory",
         "bench.ingest_bench", "bench.load_bench")
HERE = Path(__file__).resolve().parent

status = 0
for name in PARTS:
    print(f"== {name}", flush=True)
    status |= subprocess.run([sys.executable, "-m", name],
                             cwd=HERE.parent).returncode
sys.exit(status)
