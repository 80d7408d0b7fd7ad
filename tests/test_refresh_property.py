"""Refreshing the tables change by change gives exactly the tables a full build from the files
gives, after any mix of uploads, supersessions, undos, redos, reviews, settings changes and
compactions. Hypothesis draws the sequences; a failure shrinks to a short one."""
from __future__ import annotations

import json
from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from queries.db import Database
from queries.store import ROW_SCHEMAS
from tests.upload_data import make_data_dir

COMMUNES = ("thanh-hoa/dinh-tien", "dong-nai/dai-phuoc", "dong-nai/minh-duc", "dong-nai/phu-my")
INDICATORS = ("XH05", "XH02", "HT01")
MONTHS = tuple(date(2026, m, 1) for m in range(1, 6))
TABLES = ("communes", "targets", "actuals", "actuals_intervals", "actuals_first_of_year",
          "month_reviews", "report_receipts", "scored_actuals", "spending", "spending_history",
          "tasks_history", "task_updates", "evidence", "upload_communes",
          "actuals_history", "targets_history", "communes_history", "uploads", "reviews",
          "commune_years", "commune_scores_cache", "ranking_cache", "group_scores_cache", "whatif_cache")

actual_rows = st.lists(st.tuples(st.sampled_from(COMMUNES), st.sampled_from(INDICATORS),
                                 st.sampled_from(MONTHS), st.integers(0, 100)), min_size=1, max_size=4)
target_rows = st.lists(st.tuples(st.sampled_from(COMMUNES), st.sampled_from(INDICATORS),
                                 st.integers(1, 100)), min_size=1, max_size=3)
operation = st.one_of(
    st.tuples(st.just("actuals"), actual_rows),
    st.tuples(st.just("targets"), target_rows),
    st.tuples(st.just("commune"), st.sampled_from(COMMUNES), st.sampled_from(("Xã Một", "Xã Hai"))),
    st.tuples(st.just("undo"), st.integers(0, 20)),
    st.tuples(st.just("redo"), st.integers(0, 20)),
    st.tuples(st.just("review"), st.sampled_from(COMMUNES), st.sampled_from(MONTHS)),
    st.tuples(st.just("weight"), st.integers(0, 300)),
    st.tuples(st.just("spending"), st.sampled_from(COMMUNES), st.integers(0, 10**9)),
    st.tuples(st.just("task"), st.sampled_from(COMMUNES), st.sampled_from(("chua_bat_dau", "hoan_thanh"))),
    st.just(("compact",)),
)
operations = st.lists(operation, min_size=1, max_size=12)


def _frame(kind: str, records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=ROW_SCHEMAS[kind], orient="row")


def apply(db: Database, op: tuple, uploads: list[str], number: int) -> None:
    store = db.store
    name = op[0]
    if name == "actuals":
        records = [{"row_number": i + 2, "commune_id": c, "indicator": ind, "period": m, "value": float(v),
                    "numerator": None, "denominator": None, "note": None} for i, (c, ind, m, v) in enumerate(op[1])]
        uploads.append(store.add_upload("actuals", _frame("actuals", records), file_name=f"{number}.csv",
                                        content=f"a{number}".encode()).upload_id)
    elif name == "targets":
        records = [{"row_number": i + 2, "commune_id": c, "indicator": ind, "year": 2026, "comparator": ">=",
                    "target": float(t), "target_text": f"≥ {t}%", "lead_unit": "Phòng VH-XH", "partner_units": None,
                    "source_doc": "KH thử", "source_item": None, "note": None} for i, (c, ind, t) in enumerate(op[1])]
        uploads.append(store.add_upload("targets", _frame("targets", records), file_name=f"{number}.csv",
                                        content=f"t{number}".encode()).upload_id)
    elif name == "commune":
        province = "Thanh Hóa" if op[1].startswith("thanh-hoa") else "Đồng Nai"
        records = [{"row_number": 2, "commune_id": op[1], "commune_code": None, "commune_name": op[2],
                    "province": province, "adult_population": 1000.0, "population_15plus": None,
                    "working_age_population": None, "is_demo": False}]
        uploads.append(store.add_upload("communes", _frame("communes", records), file_name=f"{number}.csv",
                                        content=f"c{number}".encode()).upload_id)
    elif name == "spending":
        records = [{"row_number": 2, "commune_id": op[1], "year": 2026, "item": "Chi tập huấn", "planned": op[2],
                    "spent": None, "source_doc": None, "source_item": None, "note": None}]
        uploads.append(store.add_upload("spending", _frame("spending", records), file_name=f"{number}.csv",
                                        content=f"s{number}".encode()).upload_id)
    elif name == "task":
        records = [{"row_number": 2, "commune_id": op[1], "plan_year": 2026, "item": "1.1", "status": op[2],
                    "completed_on": date(2026, 3, 2) if op[2] == "hoan_thanh" else None, "note": None}]
        uploads.append(store.add_upload("tasks", _frame("tasks", records), file_name=f"{number}.csv",
                                        content=f"k{number}".encode()).upload_id)
    elif name in ("undo", "redo") and uploads:
        getattr(store, name)(uploads[op[1] % len(uploads)])
    elif name == "review":
        store.add_review(op[1], op[2], "da_tham_dinh", user="tinh")
    elif name == "weight":
        store.root.mkdir(parents=True, exist_ok=True)
        (store.root / "settings.json").write_text(json.dumps({"weight_XH": op[1]}), encoding="utf-8")
    elif name == "compact":
        for kind in ("actuals", "targets", "communes"):
            store.compact(kind)


def tables(db: Database) -> dict[str, pl.DataFrame]:
    db.run_query("ranking_by_month", period=MONTHS[2], province=None)  # the same cached months in both
    db.run_query("ranking_by_month", period=MONTHS[4], province=None)
    # The caches may hold other months too (the build fills the months pages open on, which
    # move as results arrive): compare the months both were asked for. A month's ranks are
    # only served once the month before is cached too, so compare the ranked months.
    months = {"commune_scores_cache": MONTHS[1:], "ranking_cache": (MONTHS[2], MONTHS[4]),
              "group_scores_cache": MONTHS[1:], "whatif_cache": (MONTHS[2], MONTHS[4])}
    return {name: db.sql(f"select * from {name} where list_contains($months, period) order by all",
                         months=list(months[name])) if name in months
            else db.sql(f"select * from {name} order by all") for name in TABLES}


@settings(max_examples=12, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_refreshing_change_by_change_equals_building_from_the_files(tmp_path_factory, ops):
    folder = tmp_path_factory.mktemp("refresh")
    data_dir = make_data_dir(folder / "data")
    live = Database(store=folder / "store", include_demo=False, data_dir=data_dir, snapshots=False)
    live.run_query("ranking_by_month", period=MONTHS[2], province=None)  # cache some months early
    uploads: list[str] = []
    for number, op in enumerate(ops):
        apply(live, op, uploads, number)
        live.ensure_fresh()
    assert live.builds_from_files == 1  # every change was applied incrementally, none rebuilt
    incremental = tables(live)
    # The years kept per commune are exactly those of every target and result in force.
    assert incremental["commune_years"]["year"].unique().sort().to_list() == live.sql(
        "select distinct year from targets union select distinct year(period) from actuals order by 1")[:, 0].to_list()
    rebuilt = tables(Database(store=folder / "store", include_demo=False, data_dir=data_dir, snapshots=False))
    for name in TABLES:
        try:
            assert_frame_equal(incremental[name], rebuilt[name], check_exact=False, rel_tol=1e-12, abs_tol=1e-9)
        except AssertionError as difference:
            raise AssertionError(f"table {name}: {difference}") from None
