"""An answer is cached under Database.version_for: the same key must always mean the same answer.
An upload in one province leaves the keys (and so the cached pages) of every other province as
they were; anything that may change every province (a weight, a commune catalog) moves them all.
Hypothesis draws sequences of changes; after each, every query whose file says `reads:` is asked
about each province and each commune, and an answer whose key did not move must not have changed."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from queries.data import SQL_DIR, sql_header
from queries.db import Database
from tests.test_refresh_property import apply, operation
from tests.test_sql_columns import example_params
from tests.upload_data import make_data_dir

PROVINCES = ("Thanh Hóa", "Đồng Nai")
ASKED_COMMUNES = ("thanh-hoa/dinh-tien", "dong-nai/minh-duc")  # one of each province
DATES = {"period": date(2026, 5, 1), "period_from": date(2026, 1, 1), "period_to": date(2026, 5, 1)}


def queries_that(reads: str) -> list[str]:
    return sorted(p.stem for p in SQL_DIR.glob("*.sql") if sql_header(p.stem).get("reads") == reads)


def questions() -> list[tuple[str, dict]]:
    """Every `reads:` query asked about each province and each commune (its other parameters
    from its example line)."""
    asked = []
    for name in queries_that("province"):
        base = {**example_params(name), **{k: v for k, v in DATES.items() if k in example_params(name)}}
        if "province" in base:
            asked += [(name, {**base, "province": p} | ({"commune": None} if "commune" in base else {}))
                      for p in PROVINCES]
        if "commune" in base:
            asked += [(name, {**base, "commune": c} | ({"province": None} if "province" in base else {}))
                      for c in ASKED_COMMUNES]
    return asked + [(name, example_params(name)) for name in queries_that("reference") + queries_that("targets")]


def test_every_reads_line_is_one_the_database_knows():
    for path in SQL_DIR.glob("*.sql"):
        reads = sql_header(path.stem).get("reads")
        assert reads in (None, "province", "targets", "reference"), path.name
        if reads == "province":  # keyed by the province or commune it is asked about
            assert {"province", "commune"} & set(example_params(path.stem)), path.name
    assert len(queries_that("province")) >= 20 and "ranking_by_month" in queries_that("province")


@pytest.fixture(scope="module")
def asked():
    return questions()


# No shrinking: each step asks ~60 questions, and the message already names the change and the query.
@settings(max_examples=3, derandomize=True, deadline=None, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=2, max_size=5))
def test_an_answer_whose_key_did_not_move_did_not_change(tmp_path_factory, asked, ops):
    folder = tmp_path_factory.mktemp("versions")
    db = Database(store=folder / "store", include_demo=False, data_dir=make_data_dir(folder / "data"), snapshots=False)
    before = {i: (db.version_for(name, params), db.run_query(name, **params)) for i, (name, params) in enumerate(asked)}
    uploads: list[str] = []
    for number, op in enumerate(ops):
        apply(db, op, uploads, number)
        db.ensure_fresh()
        for i, (name, params) in enumerate(asked):
            key, answer = db.version_for(name, params), db.run_query(name, **params)
            if key == before[i][0]:
                try:
                    assert_frame_equal(answer, before[i][1])
                except AssertionError as difference:
                    raise AssertionError(f"{name} {params} changed under the same key after {op}: {difference}") from None
            before[i] = (key, answer)


def test_an_upload_moves_its_province_only(tmp_path):
    db = Database(store=tmp_path / "store", include_demo=False, data_dir=make_data_dir(tmp_path / "data"), snapshots=False)
    one = {"period": DATES["period"], "province": "Thanh Hóa"}
    other = {"period": DATES["period"], "province": "Đồng Nai"}
    commune = {"period": DATES["period"], "commune": "dong-nai/phu-my"}
    keys = lambda: (db.version(), db.version_for("ranking_by_month", one),  # noqa: E731
                    db.version_for("ranking_by_month", other), db.version_for("value_provenance", commune),
                    db.version_for("ranking_by_month", {"period": DATES["period"], "province": None}),
                    db.version_for("pillar_weights", {}), db.version_for("plan_documents", {}))
    start = keys()
    apply(db, ("actuals", [("dong-nai/minh-duc", "XH05", DATES["period"], 40)]), [], 1)
    db.ensure_fresh()
    after = keys()
    assert after[0] != start[0]  # the tables moved on
    assert after[1] == start[1]  # Thanh Hóa's ranking is still the one cached
    assert after[2] != start[2] and after[3] != start[3]  # Đồng Nai's, and one of its communes'
    assert after[4] != start[4]  # the ranking of every province
    assert after[5] == start[5]  # the pillars and their weights
    assert after[6] == start[6]  # the plans' documents: results changed, no target

    apply(db, ("targets", [("dong-nai/minh-duc", "XH05", 70)]), [], 4)
    db.ensure_fresh()
    assert keys()[6] != after[6] and keys()[1] == after[1]  # a target in Đồng Nai: the documents move
    after = keys()

    apply(db, ("commune", "thanh-hoa/dinh-tien", "Xã Hai"), [], 2)  # a commune catalog: may move any
    db.ensure_fresh()
    renamed = keys()
    assert all(renamed[i] != after[i] for i in range(7))

    apply(db, ("weight", 200), [], 3)
    db.ensure_fresh()
    assert keys()[5] != renamed[5]
