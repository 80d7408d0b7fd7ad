"""Load: sessions opening pages on two replicas behind nginx while senders upload.

    python -m bench.load_bench [--sessions 20] [--senders 20] [--seconds 120] [--think 5]
                               [--send-every 10] [--store DIR]

deploy/run_replicas.py starts two replicas and nginx on loopback over a copy of --store (by
default a new store over the shipped data and the demo province). Each session is a tab
speaking Streamlit's websocket protocol (`bench.st_client`): nginx's cookie keeps it on one
replica, and a view is timed from the page's request to the server's `script_finished`, the
server's whole part of a view (the browser's drawing is `bench.browser_pages`'s). First each
replica is asked for every page directly (its tables opened, its caches warm), then one session
opens each page through nginx three times: its idle time (median). Then the --sessions sessions
are opened at once, each showing its first page (a new session on its replica: reported apart,
as people open their tabs before a meeting), and then, for --seconds:

  - --sessions sessions each open the pages in turn, the way leaders click through a meeting,
    reading each page for --think seconds (0.5–1.5× at random, the same seed every run) before
    the next;
  - --senders threads of one sender process each upload a one-row file through the importer's
    command (`queries.ingest.cli.main`, what `python -m queries.ingest` runs, without a new
    interpreter each time), one every --send-every seconds (0.5–1.5× at random), each with a
    new value so every upload is stored;
  - the replicas' resident memory (VmRSS) is read every 5 s.

Reported: the load offered (views and uploads a second), page views and errors (an exception
drawn on the page, page not found, no answer), the slowest view of each page against its idle
time (goal: none above 3×), uploads stored and refused, and memory at the start, at its
highest and at the end (flat: the end within 10 % of the start of the loaded phase).
Everything is bounded: a fixed number of sessions and senders, a fixed time, loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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


async def browse(base: str, replicas: list[str], sessions: int, seconds: float, think: float, on_idle_measured
                 ) -> tuple[dict[str, float], dict[str, list[float]], list[str], list[float]]:
    from bench.st_client import Session

    idle: dict[str, float] = {}
    loaded: dict[str, list[float]] = {name: [] for name in PAGES}
    errors: list[str] = []
    for replica in replicas:  # every replica opens its tables and warms each page (nginx sends a session to one)
        async with Session(replica) as warming:
            for path in PAGES.values():
                await warming.view(path, timeout=600)
    async with Session(base) as alone:
        for name, path in PAGES.items():
            await alone.view(path)  # warm this page's caches first
            idle[name] = statistics.median([await alone.view(path) for _ in range(3)])
    # People open their tabs before a meeting starts: each session is opened and shows its first
    # page (a new session on its replica, timed apart: `arrivals`) before the loaded phase.
    arrivals: list[float] = []
    opened = 0
    all_open, begin = asyncio.Event(), asyncio.Event()
    deadline = 0.0

    async def session(number: int) -> None:
        nonlocal opened
        chance = random.Random(number)
        names = list(PAGES)
        step = number  # each session starts on a different page
        async with Session(base) as tab:
            try:
                arrivals.append(await tab.view(PAGES[names[step % len(names)]], timeout=300))
            except Exception as problem:  # noqa: BLE001 (counted and reported)
                errors.append(f"first view: {type(problem).__name__}: {str(problem)[:120]}")
            step += 1
            opened += 1
            if opened == sessions:
                all_open.set()
            await begin.wait()
            await asyncio.sleep(chance.uniform(0, think))  # people do not all click at the same instant
            while time.monotonic() < deadline:
                name = names[step % len(names)]
                step += 1
                try:
                    loaded[name].append(await tab.view(PAGES[name], timeout=max(5.0, deadline - time.monotonic() + 30)))
                except Exception as problem:  # noqa: BLE001 (counted and reported)
                    words = str(problem).splitlines()[0][:120] if str(problem) else ""
                    errors.append(f"{name}: {type(problem).__name__}: {words}")
                    if tab.socket.close_code is not None:  # the connection is gone: this tab stops
                        break
                await asyncio.sleep(think * chance.uniform(0.5, 1.5))

    async def start() -> None:
        nonlocal deadline
        await all_open.wait()
        on_idle_measured()  # the senders start now, with the loaded phase
        deadline = time.monotonic() + seconds
        begin.set()

    await asyncio.gather(start(), *(session(n) for n in range(sessions)))
    return idle, loaded, errors, arrivals


def start_senders(store: Path, work: Path, senders: int, every: float) -> subprocess.Popen:
    """One process, `senders` threads (bench.load_senders): its counts come back as JSON on stdout."""
    env = {**os.environ, "DTI_NOW": NOW, "DTI_STORE": str(store)}
    return subprocess.Popen([sys.executable, "-m", "bench.load_senders", str(work), str(senders), str(every)],
                            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=5.0, help="seconds a session reads a page (mean)")
    parser.add_argument("--send-every", type=float, default=10.0, help="seconds between a sender's uploads (mean)")
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
    senders: list[subprocess.Popen] = []

    def watch_memory() -> None:
        while not stop.is_set():
            memory.append((time.monotonic(), sum(rss_mb(pid) for pid in pids)))
            stop.wait(5)

    def start_load() -> None:
        threading.Thread(target=watch_memory, daemon=True).start()
        if args.senders:
            senders.append(start_senders(store, work, args.senders, args.send_every))

    counts = {"stored": 0, "refused": 0}
    try:
        replicas = [f"http://127.0.0.1:{r['port']}" for r in state["replicas"]]
        idle, loaded, errors, arrivals = asyncio.run(browse(state["url"], replicas, args.sessions, args.seconds, args.think,
                                                  start_load))
        for sender in senders:  # a line on stdin: stop after the upload under way; the counts come back
            out, _ = sender.communicate("stop\n", timeout=120)
            counts = json.loads(out.strip().splitlines()[-1])
    finally:
        stop.set()
        for sender in senders:
            if sender.poll() is None:
                sender.kill()
        runner.terminate()
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            runner.kill()
    report(idle, loaded, errors, counts, memory, args, arrivals)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def report(idle, loaded, errors, counts, memory, args, arrivals) -> None:
    views = sum(len(times) for times in loaded.values())
    print(f"Load: {args.sessions} sessions (websocket, a page every {args.think:g} s read) on 2 replicas behind "
          f"nginx, {args.senders} senders (an upload every {args.send_every:g} s each), {args.seconds:.0f} s")
    print(f"  offered: {views / args.seconds:.2f} views/s, {counts['stored'] / args.seconds:.2f} uploads/s")
    print(f"  page views: {views}, errors: {len(errors)}; uploads stored: {counts['stored']}, refused: {counts['refused']}")
    if arrivals:
        print(f"  before: {len(arrivals)} sessions opened at once, first view median {statistics.median(arrivals):.2f} s, "
              f"slowest {max(arrivals):.2f} s (a new session on its replica; not in the ratios below)")
    worst = 0.0
    for name, times in loaded.items():
        if not times:
            continue
        ratio = max(times) / idle[name]
        worst = max(worst, ratio)
        p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
        print(f"  {name:<20} idle {idle[name]:6.2f} s   under load: median {statistics.median(times):6.2f} s, "
              f"95 % {p95:6.2f} s, slowest {max(times):6.2f} s = {ratio:5.2f}× idle")
    print(f"  slowest view ÷ its idle time: {worst:.2f}× (goal ≤ {GOAL:g}×: {'met' if worst <= GOAL else 'NOT met'})")
    if memory:
        values = [mb for _, mb in memory]
        print(f"  replicas' memory (VmRSS, both): start {values[0]:.0f} MB, highest {max(values):.0f} MB, "
              f"end {values[-1]:.0f} MB ({'flat' if values[-1] <= values[0] * 1.1 else 'grew'})")
        # The curve tells growth that levels off (caches and DuckDB's buffers filling to their
        # bounds) from growth that does not.
        started = memory[0][0]
        minutes = {int((at - started) // 60): mb for at, mb in memory}
        print("  memory at the end of each minute: " + ", ".join(f"{mb:.0f}" for _, mb in sorted(minutes.items())) + " MB")
    for problem in errors[:10]:
        print(f"  error: {problem}")


if __name__ == "__main__":
    sys.exit(main())
