"""The plans' tasks and spending as the pages and exports read them: shipped rows,
uploads superseding them, and the task table as of a day."""
from __future__ import annotations

from datetime import date

import polars as pl

from queries.db import Database
from queries.settings import DATA_DIR
from queries.store import ROW_SCHEMAS

NGHIA_HANH, DINH_TIEN = "quang-ngai/nghia-hanh", "thanh-hoa/dinh-tien"


def test_the_shipped_tasks_and_spending_are_tables(tmp_path):
    db = Database(store=tmp_path, include_demo=False, data_dir=DATA_DIR, snapshots=False)
    assert db.sql("select count(*) from tasks where commune_id = $c", c=NGHIA_HANH).item() == 28
    spending = db.sql("select * from spending where commune_id = $c and year = 2024", c=DINH_TIEN)
    assert spending.height == 8 and spending["spent"].sum() == 481_179_000
    assert spending["source_doc"].str.contains("Định Tiến").all()


def test_a_task_reported_completed_is_no_longer_overdue(tmp_path):
    db = Database(store=tmp_path, include_demo=False, data_dir=DATA_DIR, snapshots=False)
    on = date(2026, 11, 22)  # the tests' day: the update below is received today

    def task(item: str) -> dict:
        rows = db.run_query("tasks_status", as_of=on, province=None, commune=NGHIA_HANH)
        return rows.filter(pl.col("item") == item).row(0, named=True)

    assert task("1.1")["deadline"] == date(2025, 9, 30) and task("1.1")["is_overdue"]
    update = pl.DataFrame([{"row_number": 2, "commune_id": NGHIA_HANH, "plan_year": 2025, "item": "1.1",
                            "status": "hoan_thanh", "completed_on": date(2025, 11, 3), "note": None}],
                          schema=ROW_SCHEMAS["tasks"], orient="row")
    db.store.add_upload("tasks", update, file_name="nhiem-vu.csv", content=b"1.1 done")
    done = task("1.1")
    assert (done["status"], done["is_overdue"], done["completed_late"]) == ("hoan_thanh", False, True)


def test_an_upload_supersedes_a_shipped_spending_line(tmp_path):
    db = Database(store=tmp_path, include_demo=False, data_dir=DATA_DIR, snapshots=False)
    line = db.sql("select item, spent from spending where commune_id = $c order by spent desc limit 1", c=DINH_TIEN)
    item = line["item"].item()
    rows = pl.DataFrame([{"row_number": 2, "commune_id": DINH_TIEN, "year": 2024, "item": item,
                          "planned": 400_000_000, "spent": 350_000_000, "source_doc": None, "source_item": None,
                          "note": None}], schema=ROW_SCHEMAS["spending"], orient="row")
    db.store.add_upload("spending", rows, file_name="kinh-phi.csv", content=b"spending")
    after = db.sql("select planned, spent, source from spending where commune_id = $c and item = $i", c=DINH_TIEN, i=item)
    assert after.rows() == [(400_000_000, 350_000_000, "upload")]
    assert db.sql("select sum(spent) from spending where commune_id = $c", c=DINH_TIEN).item() == 481_179_000
