"""Load: browser sessions opening pages against two replicas behind nginx while senders upload.

    python -m bench.load_bench [--sessions 20] [--senders 20] [--seconds 120] [--store DIR]

deploy/run_replicas.py starts two replicas and nginx on loopback over a copy of --store (by
default a new store over the shipped data and the demo province). First each page is opened
alone, three times, by one browser: its idle time (median). Then, for --seconds:

  - --sessions Chromium contexts (one browser, Playwright's async API) each open the pages in
    turn, the way leaders click through a meeting, timing each until it has settled;
  - --senders threads each run `python -m queries.ingest` with a one-row file, again and again
    (a new value each time, so every upload is stored);
  - the replicas' resident memory (VmRSS) is read every 5 s.

Reported: page views and errors (a page showing an exception, a navigation that failed), the
slowest view of each page against its idle time (goal: none above 3×), uploads stored and
refused, and memory at the start, at its highest and at the end (flat: the end within 10 % of
the start of the loaded phase). Everything is bounded: a fixed number of sessions and senders,
a fixed time, loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"Tổng quan": "", "Trụ cột": "tru_cot", "Xếp hạng": "xep_hang", "Hồ sơ xã": "ho_so_xa",
         "Tình hình báo cáo": "tinh_hinh_bao_cao", "Phương pháp": "phuong_phap"}
GOAL = 3.0
NOW = "2026-11-22T10:00:00+07:00"
# Settled as the browser tests define it: the script is not running, the page's title is drawn
# and nothing of an earlier run is greyed out or a placeholder.
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid="stMain"] h1')
        && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stSkeletonElement"]');
}"""


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start_replicas(store: Path, runtime: Path) -> tuple[subprocess.Popen, dict]:
    from bench.browser_pages import free_port

    env = {**os.environ, "DTI_NOW": NOW}
    runner = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "run_replicas.py"), "--replicas", "2",
                               "--port", str(free_port()), "--runtime-dir", str(runtime), "--store", str(store)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = runtime / "replicas.json"
    deadline = time.monotonic() + 120
    while not state.exists():
        if runner.poll() is not None or time.monotonic() > deadline:
            runner.kill()
            raise RuntimeError("the replicas did not start")
        time.sleep(0.2)
    return runner, json.loads(state.read_text(encoding="utf-8"))


async def open_page(context, url: str) -> float:
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(url, timeout=120_000)
        await page.wait_for_function(SETTLED, timeout=120_000)
        elapsed = time.perf_counter() - started
        if await page.get_by_test_id("stException").count():
            raise RuntimeError("the page shows an error")
        return elapsed
    finally:
        await page.close()


async def browse(base: str, sessions: int, seconds: float, on_idle_measured) -> tuple[
        dict[str, float], dict[str, list[float]], list[str]]:
    from playwright.async_api import async_playwright

    idle: dict[str, float] = {}
    loaded: dict[str, list[float]] = {name: [] for name in PAGES}
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        for name, path in PAGES.items():
            await open_page(context, f"{base}/{path}")  # warm this page's caches first
            idle[name] = statistics.median([await open_page(context, f"{base}/{path}") for _ in range(3)])
        await context.close()
        on_idle_measured()  # the senders start now, with the loaded phase
        deadline = time.monotonic() + seconds

        async def session(number: int) -> None:
            own = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            names = list(PAGES)
            step = number  # each session starts on a different page
            while time.monotonic() < deadline:
                name = names[step % len(names)]
                step += 1
                try:
                    loaded[name].append(await open_page(own, f"{base}/{PAGES[name]}"))
                except Exception as problem:  # noqa: BLE001 (counted and reported)
                    errors.append(f"{name}: {str(problem).splitlines()[0][:120]}")
            await own.close()

        await asyncio.gather(*(session(n) for n in range(sessions)))
        await browser.close()
    return idle, loaded, errors


def send(store: Path, work: Path, number: int, stop: threading.Event, counts: dict) -> None:
    env = {**os.environ, "DTI_NOW": NOW, "DTI_STORE": str(store)}
    value = 0
    while not stop.is_set():
        value += 1
        path = work / f"sender-{number}-{value}.csv"
        path.write_text("Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
                        f"Xã Định Tiến;Thanh Hóa;10/2026;XH05;{50 + (number * 7 + value) % 50},{value % 10}\n",
                        encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "queries.ingest", str(path), "--json", "--user", f"gui{number}"],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        counts["stored" if done.returncode == 0 else "refused"] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--store", type=Path, help="a store to copy (default: a new one over the shipped data)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="dti-load-"))
    store = work / "store"
    if args.store:
        shutil.copytree(args.store, store)
    else:
        store.mkdir()
    runner, state = start_replicas(store, work / "runtime")
    pids = [r["pid"] for r in state["replicas"]]
    memory: list[tuple[float, float]] = []
    stop = threading.Event()

    def watch_memory() -> None:
        while not stop.is_set():
            memory.append((time.monotonic(), sum(rss_mb(pid) for pid in pids)))
            stop.wait(5)

    counts = {"stored": 0, "refused": 0}

    def start_load() -> None:
        threading.Thread(target=watch_memory, daemon=True).start()
        for number in range(args.senders):
            threading.Thread(target=send, args=(store, work, number, stop, counts), daemon=True).start()

    try:
        idle, loaded, errors = asyncio.run(browse(state["url"], args.sessions, args.seconds, start_load))
    finally:
        stop.set()
        runner.terminate()
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            runner.kill()
    report(idle, loaded, errors, counts, memory, args)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def report(idle, loaded, errors, counts, memory, args) -> None:
    views = sum(len(times) for times in loaded.values())
    print(f"Load: {args.sessions} browser sessions on 2 replicas behind nginx, {args.senders} senders, "
          f"{args.seconds:.0f} s")
    print(f"  page views: {views}, errors: {len(errors)}; uploads stored: {counts['stored']}, refused: {counts['refused']}")
    worst = 0.0
    for name, times in loaded.items():
        if not times:
            continue
        ratio = max(times) / idle[name]
        worst = max(worst, ratio)
        print(f"  {name:<20} idle {idle[name]:6.2f} s   under load: median {statistics.median(times):6.2f} s, "
              f"slowest {max(times):6.2f} s = {ratio:5.2f}× idle")
    print(f"  slowest view ÷ its idle time: {worst:.2f}× (goal ≤ {GOAL:g}×: {'met' if worst <= GOAL else 'NOT met'})")
    if memory:
        values = [mb for _, mb in memory]
        print(f"  replicas' memory (VmRSS, both): start {values[0]:.0f} MB, highest {max(values):.0f} MB, "
              f"end {values[-1]:.0f} MB ({'flat' if values[-1] <= values[0] * 1.1 else 'grew'})")
    for problem in errors[:10]:
        print(f"  error: {problem}")


if __name__ == "__main__":
    sys.exit(main())
