"""Each page in Chromium, at national scale, against a trivial Streamlit page in the same run;
and how much memory one replica holds when it has served them.

    python -m bench.browser_pages [--store DIR] [--repeat 3]

Two servers on loopback: the dashboard over a copy of the national store (bench.national
makes it), and bench/trivial_app.py (a title, a metric and a 3-row table). For every page, a
fresh browser context opens the page's URL and the clock stops when the page has settled:
Streamlit's run is over and the page has stopped growing for 0.4 s (charts drawn). The
figure is the median of --repeat openings, divided by the trivial page's. The server's
resident memory (VmRSS) is read from /proc after all pages.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = "Minh Họa 05"
PAGES = ["", "tru_cot", "xep_hang", "ho_so_xa", "so_sanh", "don_vi_chu_tri", "tinh_hinh_bao_cao",
         "nhiem_vu", "kinh_phi", "phuong_phap"]
GOAL = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(script: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"{script} did not start")


def settled(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    last, stable = -1, 0
    while stable < 2:
        page.wait_for_timeout(200)
        busy = page.locator('[data-testid="stStatusWidget"]').count()
        height = page.evaluate("() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
        stable = stable + 1 if (height == last and not busy) else 0
        last = height


def open_time(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    settled(page)
    elapsed = time.perf_counter() - started - 0.4  # the two quiet checks that prove it settled
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{url}: the page shows an error")
    context.close()
    return elapsed


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    from bench.national import BENCH_NOW, national_store

    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    source = national_store(args.store)
    work = Path(tempfile.mkdtemp(prefix="dti-pages-work-"))
    store = work / "store"
    shutil.copytree(source, store)
    env = {**os.environ, "DTI_STORE": str(store), "DTI_NOW": BENCH_NOW}
    dashboard, app = serve("dashboard.py", env)
    trivial, trivial_url = serve("bench/trivial_app.py", env)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"])
            query = f"?tinh={quote(PROVINCE)}&thang=2026-11"
            first = open_time(browser, f"{app}/{query}")  # the server opens its tables
            open_time(browser, trivial_url)
            base = statistics.median(open_time(browser, trivial_url) for _ in range(args.repeat))
            for path in PAGES:
                times = [open_time(browser, f"{app}/{path}{query}") for _ in range(args.repeat)]
                rows.append((path or "tong_quan", statistics.median(times)))
            browser.close()
        memory = rss_mb(dashboard.pid)
    finally:
        for server in (dashboard, trivial):
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    print(f"Pages in Chromium, national store, province {PROVINCE}, Tháng 11/2026 (median of {args.repeat}, seconds)")
    print(f"  first page of a new server (tables opened): {first:.2f} s")
    print(f"  trivial Streamlit page (title, metric, 3-row table): {base:.2f} s")
    worst = 0.0
    for page, seconds in rows:
        ratio = seconds / base
        worst = max(worst, ratio)
        print(f"  {page:<20} {seconds:6.2f} s  {ratio:5.2f}×")
    print(f"  slowest page ÷ trivial page: {worst:.2f}× (goal ≤ {GOAL:g}×: {'met' if worst <= GOAL else 'NOT met'})")
    print(f"  one replica's resident memory after all pages: {memory:,.0f} MB (goal < 1,536 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
