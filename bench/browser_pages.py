"""Each page in Chromium, at national scale, against a trivial Streamlit page timed the same
way in the same run; and how much memory one replica holds when it has served them.

    python -m bench.browser_pages [--store DIR] [--repeat 3] [--pages tong_quan,ho_so_xa] [--province tat-ca]

Two servers on loopback: the dashboard over a copy of the national store (bench.national
makes it), and bench/trivial_app.py (a title, a metric and a 3-row table). Every opening is a
fresh browser context (a new Streamlit session); each page is opened once to warm the
server's caches, then --repeat times in turns with the trivial page (a busy moment of this
shared machine falls on both). An opening is settled when Streamlit's script state is back
to `notRunning`, no skeleton or stale element shows, and the DOM has not changed for 300 ms;
its time is from the start of navigation to the last DOM change (the browser's own clock, so
polling adds nothing). The figures are medians, the ratio the median of the pairs' ratios.
The server's CPU seconds per opening and its resident memory (VmRSS) after all pages are
read from /proc.
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
GOAL = 1.5


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


# Installed before any page script: the time (performance.now(), ms from navigation start) of
# the latest change anywhere in the document.
WATCH_CHANGES = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
# Settled: the script run is over, nothing waits to be drawn, and nothing changed for QUIET_MS.
QUIET_MS = 300
SETTLED = """quiet => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"], [data-stale="true"]'))
        return false;
    return performance.now() - window.__lastChange >= quiet;
}"""


def cpu_seconds(pid: int) -> float:
    """The server's user + system CPU time so far (every thread), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_time(browser, url: str, pid: int, timeout_s: float = 180) -> tuple[float, float]:
    """Seconds from navigation start to the page's last change once settled; server CPU seconds."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_init_script(WATCH_CHANGES)
    page = context.new_page()
    cpu = cpu_seconds(pid)
    page.goto(url)
    page.wait_for_function(SETTLED, arg=QUIET_MS, polling=50, timeout=timeout_s * 1000)
    elapsed = page.evaluate("() => window.__lastChange") / 1000
    cpu = cpu_seconds(pid) - cpu
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{url}: the page shows an error")
    context.close()
    return elapsed, cpu


def timed(browser, url: str, pid: int, trivial: tuple[str, int], repeat: int) -> dict[str, float]:
    """A page against the trivial page, opened in turns (so a busy moment of this shared machine
    falls on both): one warm-up opening each, then `repeat` pairs. Medians of the page's
    seconds, its server CPU seconds, the trivial page's seconds and of the pairs' ratios."""
    open_time(browser, url, pid)
    open_time(browser, *trivial)
    pages, cpus, bases, ratios = [], [], [], []
    for _ in range(repeat):
        base, _ = open_time(browser, *trivial)
        seconds, cpu = open_time(browser, url, pid)
        pages.append(seconds)
        cpus.append(cpu)
        bases.append(base)
        ratios.append(seconds / base)
    return {"seconds": statistics.median(pages), "cpu": statistics.median(cpus),
            "trivial": statistics.median(bases), "ratio": statistics.median(ratios)}


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
    parser.add_argument("--pages", help="comma-separated page paths (tong_quan for the first page); default: all")
    parser.add_argument("--province", default=PROVINCE, help="the province asked for (tat-ca: every province)")
    args = parser.parse_args(argv)
    pages = PAGES if not args.pages else ["" if p == "tong_quan" else p for p in args.pages.split(",")]
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
            query = f"?tinh={quote(args.province)}&thang=2026-11"
            # the server opens its tables (minutes when the machine is busy)
            first, _ = open_time(browser, f"{app}/{query}", dashboard.pid, timeout_s=900)
            for path in pages:
                rows.append((path or "tong_quan",
                             timed(browser, f"{app}/{path}{query}", dashboard.pid, (trivial_url, trivial.pid),
                                   args.repeat)))
            browser.close()
        memory = rss_mb(dashboard.pid)
    finally:
        for server in (dashboard, trivial):
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    print(f"Pages in Chromium, national store, {args.province}, Tháng 11/2026, warm (median of {args.repeat} "
          f"fresh sessions after one; settled: script notRunning, no skeleton, DOM quiet {QUIET_MS} ms; "
          f"load {os.getloadavg()[0]:.1f})")
    print(f"  first page of a new server (tables opened): {first:.2f} s")
    print(f"  {'page':<20} {'seconds':>7} {'trivial':>8} {'ratio':>6} {'server CPU':>11}")
    worst = 0.0
    for page, row in rows:
        worst = max(worst, row["ratio"])
        print(f"  {page:<20} {row['seconds']:7.2f} {row['trivial']:8.2f} {row['ratio']:5.2f}× {row['cpu']:9.2f} s")
    print(f"  slowest page ÷ trivial page: {worst:.2f}× (goal ≤ {GOAL:g}×: {'met' if worst <= GOAL else 'NOT met'})")
    print(f"  one replica's resident memory after these pages: {memory:,.0f} MB (goal < 1,536 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
