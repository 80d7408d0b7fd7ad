"""Xã Định Tiến's 2024 spending (seed 001, Phần I mục II.10) in data/spending.csv, and the
amounts of a spending upload as staff write them."""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import duckdb
import pytest

from queries.cells import ParseError
from queries.plans.spending import (
    SPENDING_CASTS,
    SPENDING_COLUMNS,
    format_amount,
    parse_amount,
)
from queries.settings import DATA_DIR

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_00bd2fb5e4734a78.txt"
STATED_TOTAL = "Tổng chi: 481.179.000 đồng"


def shipped_rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_spending() -> list[dict]:
    return shipped_rows("spending.csv")


def test_eight_items_add_up_to_the_stated_total():
    rows = load_spending()
    assert list(rows[0]) == list(SPENDING_COLUMNS)
    assert len(rows) == 8
    assert sum(int(r["spent"]) for r in rows) == 481_179_000
    assert {(r["commune_id"], r["year"], r["planned"]) for r in rows} == {("thanh-hoa/dinh-tien", "2024", "")}
    assert [(r["item"], int(r["spent"])) for r in rows] == [
        ("Chi camera an ninh", 350_000_000),
        ("Chi phần mềm diệt virut", 6_279_000),
        ("Chi Camera thông minh", 85_000_000),
        ("Chi Cổng thông tin điện tử", 4_300_000),
        ("Chi tập huấn CĐS", 12_000_000),
        ("Chi dịch vụ truyền hình hội nghị trực tuyến", 6_600_000),
        ("Chi tuyên truyền CĐS", 7_000_000),
        ("Chi khác", 10_000_000),
    ]
    assert [r["source_item"] for r in rows] == [f"Phần I II.10 khoản {n}" for n in range(1, 9)]
    actuals_doc = {r["source_doc"] for r in shipped_rows("actuals.csv")}
    assert {r["source_doc"] for r in rows} == actuals_doc  # the same Phần I of the same plan
    for r in rows:
        assert all(v == unicodedata.normalize("NFC", v) for v in r.values())


@pytest.mark.skipif(not SEED.exists(), reason="the seed plans are not next to the repository")
def test_the_seed_states_the_total_and_each_line():
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    assert STATED_TOTAL in " ".join(lines)
    for n, r in enumerate(load_spending(), 1):
        assert f"{n}. {r['item']}: {format_amount(int(r['spent']))}" in lines


def test_the_csv_reads_into_typed_columns():
    con = duckdb.connect()
    row = con.sql(
        f"select sum(spent) as total, typeof(sum(spent)) as type, count(planned) as planned "
        f"from (select {SPENDING_CASTS} from read_csv($path, header=true, all_varchar=true))",
        params={"path": str(DATA_DIR / "spending.csv")},
    ).fetchall()
    assert row == [(481_179_000, "HUGEINT", 0)]


@pytest.mark.parametrize(("cell", "amount"), [
    ("1.250.000", 1_250_000), ("481.179.000 đồng", 481_179_000), ("481.179.000 Đồng", 481_179_000),
    ("1.250.000đ", 1_250_000), ("1.250.000 đ", 1_250_000), ("1.000 VNĐ", 1_000), ("1.000", 1_000),
    ("1250000", 1_250_000), (" 1 250 000 ", 1_250_000), ("1,250,000", 1_250_000),
    (1_250_000, 1_250_000), (1_250_000.0, 1_250_000), ("'1.250.000", 1_250_000), ("0", 0),
    ("350 triệu", 350_000_000), ("350 triệu đồng", 350_000_000), ("1,2 tỷ", 1_200_000_000),
    ("1,5 triệu", 1_500_000), (unicodedata.normalize("NFD", "481.179.000 đồng"), 481_179_000),
])
def test_amounts(cell, amount):
    assert parse_amount(cell) == amount


@pytest.mark.parametrize(("cell", "reason"), [
    ("-5.000", "số tiền không được âm"),
    (-5000, "số tiền không được âm"),
    (float("inf"), "không phải là số tiền"),
    ("abc", "không phải là số tiền"),
    ("đồng", "không phải là số tiền"),
    ("1,5", "số đồng nguyên"),
    ("1.234,5", "số đồng nguyên"),
    (True, "không phải là số tiền"),
    ("", "chưa ghi số tiền"),
    (float("nan"), "chưa ghi số tiền"),
])
def test_amounts_refused(cell, reason):
    with pytest.raises(ParseError, match=reason):
        parse_amount(cell)


def test_amount_shown_in_vietnamese():
    assert format_amount(481_179_000) == "481.179.000 đồng"
    assert format_amount(None) == "–"
