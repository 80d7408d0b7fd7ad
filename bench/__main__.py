"""All benchmarks in one command: `python -m bench` (also `make bench`).

Each part is runnable alone: python -m bench.national, bench.pages_bench, bench.ingest_bench.
"""
import subprocess
import sys
from pathlib import Path

PARTS = ("bench.national", "bench.pages_bench", "bench.ingest_bench")
HERE = Path(__file__).resolve().parent

status = 0
for name in PARTS:
    if not (HERE / f"{name.split('.')[1]}.py").exists():
        continue
    print(f"== {name}", flush=True)
    status |= subprocess.run([sys.executable, "-m", name], cwd=HERE.parent).returncode
sys.exit(status)
