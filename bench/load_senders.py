"""The senders of `bench.load_bench`: one process, N threads, each uploading a one-row file again and
again through the importer's command until a line arrives on stdin; then the counts, as JSON.

    python -m bench.load_senders WORK_DIR N EVERY_SECONDS   (DTI_STORE names the store)

Each upload is what `python -m queries.ingest FILE --json --user guiN` does, called in this
process: the store's lock, journal and files are the same, only the interpreter's start is
saved, so twenty senders do not take the cores the replicas are measured on.
"""
from __future__ import annotations

import contextlib
import io
import json
import random
import sys
import threading
from pathlib import Path

from queries.ingest.cli import main as ingest


def send(work: Path, number: int, every: float, stop: threading.Event, counts: dict, lock: threading.Lock) -> None:
    chance = random.Random(1000 + number)
    stop.wait(chance.uniform(0, every))  # the senders do not all start at the same instant
    value = 0
    while not stop.is_set():
        value += 1
        path = work / f"sender-{number}-{value}.csv"
        path.write_text("Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
                        f"Xã Định Tiến;Thanh Hóa;10/2026;XH05;{50 + (number * 7 + value) % 50},{value % 10}\n",
                        encoding="utf-8")
        code = ingest([str(path), "--json", "--user", f"gui{number}"])
        with lock:
            counts["stored" if code == 0 else "refused"] += 1
        stop.wait(every * chance.uniform(0.5, 1.5))


def main(argv: list[str]) -> int:
    work, senders, every = Path(argv[0]), int(argv[1]), float(argv[2])
    stop, lock = threading.Event(), threading.Lock()
    counts = {"stored": 0, "refused": 0}
    with contextlib.redirect_stdout(io.StringIO()):  # the importer's JSON lines, one per upload
        threads = [threading.Thread(target=send, args=(work, n, every, stop, counts, lock)) for n in range(senders)]
        for thread in threads:
            thread.start()
        sys.stdin.readline()
        stop.set()
        for thread in threads:
            thread.join()
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
