"""The shipped data says what the signed plans say."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from queries.db import Database
from queries.settings import DATA_DIR

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "indicators.csv"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Database:
    return Database(store=tmp_path_factory.mktemp("store"), include_demo=False, data_dir=DATA_DIR)


def test_catalog_codes_are_the_spec_codes_unchanged():
    shipped_rows = {r["code"]: r for r in csv.DictReader(open(DATA_DIR / "indicators.csv", encoding="utf-8"))}
    if SPEC.exists():
        for spec_row in csv.DictReader(open(SPEC, encoding="utf-8")):
            row = shipped_rows[spec_row["code"]]
            assert {k: row[k] for k in spec_row} == spec_row
    pillars = {r["pillar"] for r in shipped_rows.values() if r["group"] == "pillar"}
    assert pillars == {"HT", "NL", "AT", "CQ", "KT", "XH"}
    assert all(r["pillar"] == "DM" for r in shipped_rows.values() if r["group"] == "innovation")


def test_dinh_tien_2024_results_as_the_plan_prints_them(shipped):
    rows = shipped.sql(
        """select indicator, value, numerator, denominator from actuals
        where commune_id = 'thanh-hoa/dinh-tien' and period = date '2024-12-01'"""
    )
    by_code = {r["indicator"]: r for r in rows.to_dicts()}
    assert (by_code["XH05"]["numerator"], by_code["XH05"]["denominator"], by_code["XH05"]["value"]) == (4227, 5219, 80.99)
    assert (by_code["XH02"]["numerator"], by_code["XH02"]["denominator"], by_code["XH02"]["value"]) == (4399, 5469, 80.44)
    assert (by_code["XH01"]["numerator"], by_code["XH01"]["denominator"], by_code["XH01"]["value"]) == (2092, 5219, 40.08)
    assert round(100 * 4227 / 5219, 2) == 80.99


def test_dinh_tien_population_figures(shipped):
    row = shipped.sql("select * from communes where commune_id = 'thanh-hoa/dinh-tien'").row(0, named=True)
    assert (row["adult_population"], row["population_15plus"], row["working_age_population"]) == (5219, 5469, 4164)
    assert row["commune_name"] == "Xã Định Tiến" and row["province"] == "Thanh Hóa" and not row["is_demo"]


def test_targets_per_plan(shipped):
    counts = {
        (r["commune_id"], r["year"]): r["n"]
        for r in shipped.sql("select commune_id, year, count(*) as n from targets group by all").to_dicts()
    }
    assert counts[("dong-nai/dai-phuoc", 2026)] == 24          # seed 003: 24 targets for 2026
    assert counts[("dong-nai/minh-duc", 2026)] > 0             # seed 004: 2026 and 2030
    assert counts[("dong-nai/minh-duc", 2030)] > 0
    assert counts[("quang-ngai/son-tay", 2025)] > 0            # seed 000: 2025
    assert counts[("thanh-hoa/dinh-tien", 2025)] > 0           # seed 001: 2025 targets


def test_comparators_and_sources(shipped):
    targets = shipped.sql("select * from targets")
    assert set(targets["comparator"].unique()) <= {">=", ">", "<=", "<"}
    assert targets["source_doc"].null_count() == 0
    greater = shipped.sql("select * from targets where comparator = '>'")
    assert greater.height > 0  # plans do use strict comparators ("> 30%")


def test_dinh_tien_scores_against_its_2025_targets(shipped):
    status = shipped.run_query("indicator_status", period=date(2025, 1, 1), province="Thanh Hóa",
                               commune="thanh-hoa/dinh-tien")
    xh05 = status.filter(status["indicator"] == "XH05")
    if xh05.height:  # a 2025 smartphone target exists: 2024's 80.99 is the value in force
        assert xh05["value"][0] == 80.99
    assert status.filter(status["value"].is_not_null()).height > 0
