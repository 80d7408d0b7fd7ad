"""The senders of `bench.load_bench`: one process, N threads, each uploading a one-row file again and
again through the importer's command until a line arrives on stdin; then the counts, as JSON.

    python -m bench.load_senders WORK_DIR N EVERY_SECONDS   (DTI_STORE names the store)

Each upload is what `python -m queries.ingest FILE --json --user guiN` does, called in this
process: the store's lock, journal and files are the same, only the interpreter's start is
saved, so twenty senders do not take the cores the replicas are measured on. Each upload is one
result (XH05, October 2026) of a commune drawn at random among those with a target for it, in
every province, as offices across the country send theirs.
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


def communes_with_a_target() -> list[tuple[str, str]]:
    """(commune name, province) of every commune with a 2026 target for XH05, in a fixed order."""
    from queries.db import Database

    db = Database(background=False)
    rows = db.sql("""select distinct c.commune_name, c.province from targets as t join communes as c using (commune_id)
                     where t.indicator = 'XH05' and t.year = 2026 order by all""")
    return list(rows.iter_rows())


def send(work: Path, number: int, every: float, stop: threading.Event, counts: dict, lock: threading.Lock,
         communes: list[tuple[str, str]]) -> None:
    chance = random.Random(1000 + number)
    stop.wait(chance.uniform(0, every))  # the senders do not all start at the same instant
    value = 0
    while not stop.is_set():
        value += 1
        path = work / f"sender-{number}-{value}.csv"
        commune, province = chance.choice(communes)
        path.write_text("Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
                        f"{commune};{province};10/2026;XH05;{50 + (number * 7 + value) % 50},{value % 10}\n",
                        encoding="utf-8")
        code = ingest([str(path), "--json", "--user", f"gui{number}"])
        with lock:
            counts["stored" if code == 0 else "refused"] += 1
        stop.wait(every * chance.uniform(0.5, 1.5))


def main(argv: list[str]) -> int:
    work, senders, every = Path(argv[0]), int(argv[1]), float(argv[2])
    stop, lock = threading.Event(), threading.Lock()
    counts = {"stored": 0, "refused": 0}
    communes = communes_with_a_target()
    with contextlib.redirect_stdout(io.StringIO()):  # the importer's JSON lines, one per upload
        threads = [threading.Thread(target=send, args=(work, n, every, stop, counts, lock, communes)) for n in range(senders)]
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
