"""Readers never wait for a refresh: while uploads land and the tables take them in,
queries keep answering from the last complete version, each about as fast as a warm query,
and every upload shows soon after."""
from __future__ import annotations

import statistics
import threading
import time
from datetime import date

import polars as pl
import pytest

from queries.db import Database
from queries.settings import DATA_DIR
from queries.store import ROW_SCHEMAS

# A reader's wait is wall-clock time: run after the parallel part of the suite, alone (Makefile `test`).
pytestmark = pytest.mark.serial

NOVEMBER = date(2026, 11, 1)
MARGIN = 0.5  # seconds above a warm query: a loaded CI machine, never a rebuild (several seconds)


def rows(commune: str, value: float) -> pl.DataFrame:
    return pl.DataFrame([{"row_number": 2, "commune_id": commune, "indicator": "XH05", "period": NOVEMBER,
                          "value": value, "numerator": None, "denominator": None, "note": None}],
                        schema=ROW_SCHEMAS["actuals"], orient="row")


def test_readers_keep_answering_while_uploads_land(tmp_path):
    # The shipped data and the demo province (100 communes, ~47,000 values): big enough that a
    # rebuild from the files would be seen, small enough for the suite.
    db = Database(store=tmp_path / "store", include_demo=True, data_dir=DATA_DIR, background=True, snapshots=False)

    def ask():
        db.run_query("ranking_by_month", period=NOVEMBER, province="Minh Họa")
        db.run_query("indicator_status", period=NOVEMBER, province="Minh Họa", commune=None)

    ask()
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        ask()
        warm.append(time.perf_counter() - started)
    warm_query = statistics.median(warm)
    build_seconds = db.last_refresh_seconds

    waits: list[float] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            started = time.perf_counter()
            ask()
            waits.append(time.perf_counter() - started)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    communes = db.sql("select commune_id from communes where province = 'Minh Họa' order by commune_id limit 8")
    for number, commune in enumerate(communes["commune_id"].to_list()):
        db.store.add_upload("actuals", rows(commune, 50.0 + number), file_name=f"{number}.csv",
                            content=f"upload {number}".encode())
        time.sleep(0.15)
    # Every upload shows soon after, without anyone having waited for it.
    deadline = time.time() + 10
    while db.version() != db.store_version() and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()

    assert db.version() == db.store_version()
    assert db.builds_from_files == 1  # each upload was applied change by change
    shown = db.sql("select count(*) from actuals where upload_id is not null and source = 'upload'").item()
    assert shown == 8
    assert len(waits) >= 10
    assert max(waits) <= warm_query + MARGIN, (max(waits), warm_query, build_seconds)
