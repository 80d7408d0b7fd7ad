"""Golden tests of the year-end projection (queries/sql/macros/03_projection.sql) on a tiny
hand-made fixture, every number worked out by hand; the month looked at is April 2026.

Province "Thử Nghiệm":
- xa-a XH01 (percent, ≥ 80): Jan 52, Feb 55, Apr 61 (no March) → the line through (1, 52),
  (2, 55), (4, 61) has slope 3 and intercept 49 → December 49 + 36 = 85 → met. This is the
  worked example of the method text. A value of Dec 2025 (10) and one of May 2026 (99) must
  not count.
- xa-b XH01 (percent, > 85): the same values → 85 is not above 85 → not met.
- xa-a HT01 (percent, ≥ 90): Jan 20, Feb 22, Mar 24 → slope 2, intercept 18 → 42 → not met.
- xa-a CQ01 (percent, ≥ 50): 50, 50, 50 → flat at 50 → met (≥ at the boundary).
- xa-a NL01 (percent): Jan 10, Feb 20 → two values only → no projection.
- xa-a HT02 (percent, ≥ 100): 40, 50, 60 → 30 + 120 = 150 → clipped to 100 → met.
- xa-a AT03 (count, direction down, ≤ 5): 30, 20, 10 → 40 − 120 = −80 → clipped to 0 → met.
- xa-a HT07 (yes/no, ≥ 1): 0, 1, 1 → slope 0.5 → December ≈ 5.67 → clipped to 1 → met.
- xa-a KT01 (count, ≥ 3): no value at all → no projection, 0 values.
- xa-a XH02 has a 2025 target only: not projected in 2026.
Province "Khác": xa-c XH01 (≥ 80): 52, 55, 61 → met.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from queries.data import SQL_DIR
from queries.plans.projection import (
    METHOD_TEXT_VI,
    NOT_ENOUGH_DATA,
    PROJECTED_MET,
    PROJECTED_NOT_MET,
)

APRIL = date(2026, 4, 1)

COMMUNES = [("xa-a", "Xã A", "Thử Nghiệm"), ("xa-b", "Xã B", "Thử Nghiệm"), ("xa-c", "Xã C", "Khác")]
INDICATORS = [
    ("XH01", "percent", "up"), ("HT01", "percent", "up"), ("CQ01", "percent", "up"),
    ("NL01", "percent", "up"), ("HT02", "percent", "up"), ("AT03", "count", "down"),
    ("HT07", "yes_no", "up"), ("KT01", "count", "up"), ("XH02", "percent", "up"),
]
TARGETS = [
    ("xa-a", "XH01", 2026, ">=", 80), ("xa-b", "XH01", 2026, ">", 85), ("xa-a", "HT01", 2026, ">=", 90),
    ("xa-a", "CQ01", 2026, ">=", 50), ("xa-a", "NL01", 2026, ">=", 50), ("xa-a", "HT02", 2026, ">=", 100),
    ("xa-a", "AT03", 2026, "<=", 5), ("xa-a", "HT07", 2026, ">=", 1), ("xa-a", "KT01", 2026, ">=", 3),
    ("xa-a", "XH02", 2025, ">=", 50), ("xa-c", "XH01", 2026, ">=", 80),
]
EXAMPLE = [(1, 52), (2, 55), (4, 61)]
SERIES = {
    ("xa-a", "XH01"): [*EXAMPLE, (5, 99)],
    ("xa-b", "XH01"): EXAMPLE,
    ("xa-c", "XH01"): EXAMPLE,
    ("xa-a", "HT01"): [(1, 20), (2, 22), (3, 24)],
    ("xa-a", "CQ01"): [(1, 50), (2, 50), (3, 50)],
    ("xa-a", "NL01"): [(1, 10), (2, 20)],
    ("xa-a", "HT02"): [(1, 40), (2, 50), (3, 60)],
    ("xa-a", "AT03"): [(1, 30), (2, 20), (3, 10)],
    ("xa-a", "HT07"): [(1, 0), (2, 1), (3, 1)],
    ("xa-a", "XH02"): [(1, 70), (2, 80), (3, 90)],
}


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute("create table communes (commune_id VARCHAR, commune_name VARCHAR, province VARCHAR, is_demo BOOLEAN)")
    con.executemany("insert into communes values (?, ?, ?, false)", COMMUNES)
    con.execute("create table indicators (code VARCHAR, unit VARCHAR, direction VARCHAR)")
    con.executemany("insert into indicators values (?, ?, ?)", INDICATORS)
    con.execute("create table targets (commune_id VARCHAR, indicator VARCHAR, year INTEGER, comparator VARCHAR, target DOUBLE)")
    con.executemany("insert into targets values (?, ?, ?, ?, ?)", TARGETS)
    con.execute("create table actuals (commune_id VARCHAR, indicator VARCHAR, period DATE, value DOUBLE)")
    rows = [(c, i, date(2026, m, 1), float(v)) for (c, i), series in SERIES.items() for m, v in series]
    rows.append(("xa-a", "XH01", date(2025, 12, 1), 10.0))  # last year's value: not in 2026's line
    con.executemany("insert into actuals values (?, ?, ?, ?)", rows)
    con.execute("create table refresh_scope (commune_id VARCHAR)")  # named by scoped_communes
    for name in ("00_scoped_communes.sql", "03_projection.sql"):
        con.execute((SQL_DIR / "macros" / name).read_text(encoding="utf-8"))
    yield con
    con.close()


def projection(con, period=APRIL, province=None, commune=None) -> dict[tuple[str, str], dict]:
    rows = con.sql(
        "select * from indicator_projection($period, $province, $commune)",
        params={"period": period, "province": province, "commune": commune},
    ).pl().to_dicts()
    return {(r["commune_id"], r["indicator"]): r for r in rows}


def test_projection_golden(con):
    rows = projection(con)
    got = {key: (r["n_values"], r["projected_year_end"], r["projected_status"]) for key, r in rows.items()}
    assert got == {
        ("xa-a", "XH01"): (3, 85.0, PROJECTED_MET),
        ("xa-b", "XH01"): (3, 85.0, PROJECTED_NOT_MET),
        ("xa-c", "XH01"): (3, 85.0, PROJECTED_MET),
        ("xa-a", "HT01"): (3, 42.0, PROJECTED_NOT_MET),
        ("xa-a", "CQ01"): (3, 50.0, PROJECTED_MET),
        ("xa-a", "NL01"): (2, None, NOT_ENOUGH_DATA),
        ("xa-a", "HT02"): (3, 100.0, PROJECTED_MET),
        ("xa-a", "AT03"): (3, 0.0, PROJECTED_MET),
        ("xa-a", "HT07"): (3, 1.0, PROJECTED_MET),
        ("xa-a", "KT01"): (0, None, NOT_ENOUGH_DATA),
    }


def test_line_and_target_are_returned(con):
    rows = projection(con)
    example = rows[("xa-a", "XH01")]
    assert example["slope"] == pytest.approx(3) and example["intercept"] == pytest.approx(49)
    assert (example["comparator"], example["target"], example["period"]) == (">=", 80.0, APRIL)
    assert rows[("xa-b", "XH01")]["comparator"] == ">"
    flat = rows[("xa-a", "CQ01")]
    assert flat["slope"] == pytest.approx(0) and flat["intercept"] == pytest.approx(50)
    assert rows[("xa-a", "NL01")]["slope"] is None and rows[("xa-a", "NL01")]["intercept"] is None


def test_only_the_years_values_up_to_the_month_count(con):
    # In February xa-a's XH01 has two values (Jan, Feb): the Dec 2025 value does not make a third.
    february = projection(con, period=date(2026, 2, 1))
    assert february[("xa-a", "XH01")]["n_values"] == 2
    assert february[("xa-a", "XH01")]["projected_status"] == NOT_ENOUGH_DATA
    # In May the 99 of May joins: (1,52) (2,55) (4,61) (5,99): mean month 3, mean value 66.75,
    # slope 100 / 10 = 10, intercept 36.75 → December 156.75 → clipped to 100.
    may = projection(con, period=date(2026, 5, 1))
    assert may[("xa-a", "XH01")]["n_values"] == 4
    assert may[("xa-a", "XH01")]["slope"] == pytest.approx(10)
    assert may[("xa-a", "XH01")]["intercept"] == pytest.approx(36.75)
    assert may[("xa-a", "XH01")]["projected_year_end"] == 100.0


def test_targets_of_another_year_are_not_projected(con):
    assert ("xa-a", "XH02") not in projection(con)
    in_2025 = projection(con, period=date(2025, 12, 1))
    # 2025's XH02 target has no 2025 values (the series is in 2026)
    assert set(in_2025) == {("xa-a", "XH02")}
    assert in_2025[("xa-a", "XH02")]["projected_status"] == NOT_ENOUGH_DATA


def test_scope(con):
    assert {k[0] for k in projection(con, province="Khác")} == {"xa-c"}
    assert set(projection(con, commune="xa-b")) == {("xa-b", "XH01")}


def test_the_method_text_states_the_example_the_test_checks():
    for fragment in ("52 %", "55 %", "61 %", "49 + 12 × 3 = 85 %", "ít nhất 3 tháng", "Dự kiến không đạt"):
        assert fragment in METHOD_TEXT_VI


def test_macro_loads_in_the_database_and_reads_its_tables(fixture_db):
    # The Database runs every file in queries/sql/macros/; the fixture has at most two 2026
    # values per indicator, so nothing can be projected yet in June 2026.
    rows = fixture_db.sql(
        "select commune_id, indicator, n_values, projected_status from indicator_projection($p, $prov, null)",
        p=date(2026, 6, 1), prov="Thử Nghiệm",
    ).to_dicts()
    got = {(r["commune_id"], r["indicator"]): (r["n_values"], r["projected_status"]) for r in rows}
    assert got[("thu/an-binh", "HT01")] == (1, NOT_ENOUGH_DATA)  # Dec 2025 and Jul 2026 left out
    assert got[("thu/dong-hoa", "HT01")] == (2, NOT_ENOUGH_DATA)
    assert got[("thu/em-hai", "HT01")] == (0, NOT_ENOUGH_DATA)
    assert len(got) == 10  # every 2026 target of the province's communes, DM01 included
