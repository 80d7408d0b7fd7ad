"""Golden tests of the scoring method on tests/fixture, every number computed by hand.

Fixture (province "Thử Nghiệm", month 2026-06; weights HT 100, NL 100, AT 100, CQ 200,
KT 150, XH 150):

- Xã An Bình: HT01 40 of ≥80 → 50 points (a 90 reported for 2026-07 is after the month
  and ignored); NL01 80 of >80 → 100 points but not achieved (> at the boundary);
  CQ01 no value → 0 points ("no evidence, no points"); KT08 5 of ≥2 → capped at 100;
  DM01 (innovation) is in no pillar. No AT or XH targets: those pillars are left out.
  Overall = (100·50 + 100·100 + 200·0 + 150·100) / (100+100+200+150) = 30000/550 = 54.55.
- Xã Đông Hòa: HT01 25 of ≥50 → 50; XH01 40 of ≥40 → 100, achieved (≥ at the boundary).
  Overall = (100·50 + 150·100) / 250 = 80.00.
- Xã Dương Minh: NL01 25 of ≥50 → 50; KT08 6 of ≥4 → 100. Overall = 20000/250 = 80.00:
  an exact tie with Đông Hòa; Dương sorts before Đông (D before Đ).
- Xã Em Hai: HT01 no value → 0. Xã Phú Mới: no targets at all → no score, no rank.
- Xã Ánh Dương (province "Khác"): HT01 10 of ≥10 → 100.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from queries.db import Database

JUNE = date(2026, 6, 1)


def ranking(db: Database, province: str | None, period: date = JUNE) -> list[dict]:
    frame = db.run_query("ranking_by_month", period=period, province=province)
    return frame.select(
        "rank", "commune_name", "score", "HT", "NL", "AT", "CQ", "KT", "XH",
        "coverage", "previous_rank", "rank_change",
    ).to_dicts()


def test_ranking_within_a_province_golden(fixture_db):
    assert ranking(fixture_db, "Thử Nghiệm") == [
        # May: Dương Minh 84.00 (NL01 30 from 2025-11 → 60 pts), Đông Hòa 68.00 (HT01 10 → 20 pts)
        {"rank": 1, "commune_name": "Xã Dương Minh", "score": 80.0, "HT": None, "NL": 50.0, "AT": None,
         "CQ": None, "KT": 100.0, "XH": None, "coverage": 1.0, "previous_rank": 1, "rank_change": 0},
        {"rank": 1, "commune_name": "Xã Đông Hòa", "score": 80.0, "HT": 50.0, "NL": None, "AT": None,
         "CQ": None, "KT": None, "XH": 100.0, "coverage": 1.0, "previous_rank": 2, "rank_change": 1},
        {"rank": 3, "commune_name": "Xã An Bình", "score": 54.55, "HT": 50.0, "NL": 100.0, "AT": None,
         "CQ": 0.0, "KT": 100.0, "XH": None, "coverage": 0.75, "previous_rank": 3, "rank_change": 0},
        {"rank": 4, "commune_name": "Xã Em Hai", "score": 0.0, "HT": 0.0, "NL": None, "AT": None,
         "CQ": None, "KT": None, "XH": None, "coverage": 0.0, "previous_rank": 4, "rank_change": 0},
        {"rank": None, "commune_name": "Xã Phú Mới", "score": None, "HT": None, "NL": None, "AT": None,
         "CQ": None, "KT": None, "XH": None, "coverage": None, "previous_rank": None, "rank_change": None},
    ]


def test_ranking_all_provinces_shares_ranks_1_2_2_4(fixture_db):
    rows = ranking(fixture_db, None)
    assert [(r["rank"], r["commune_name"], r["score"]) for r in rows] == [
        (1, "Xã Ánh Dương", 100.0),
        (2, "Xã Dương Minh", 80.0),
        (2, "Xã Đông Hòa", 80.0),
        (4, "Xã An Bình", 54.55),
        (5, "Xã Em Hai", 0.0),
        (None, "Xã Phú Mới", None),
    ]
    # May, all provinces: Dương Minh 84 (1), Đông Hòa 68 (2), An Bình 50 (3),
    # Em Hai 0 and Ánh Dương 0 (its first value is in June) share 4.
    assert {r["commune_name"]: r["rank_change"] for r in rows} == {
        "Xã Ánh Dương": 3, "Xã Dương Minh": -1, "Xã Đông Hòa": 0, "Xã An Bình": -1,
        "Xã Em Hai": -1, "Xã Phú Mới": None,
    }


def test_previous_month_scores(fixture_db):
    may = {r["commune_name"]: r["score"] for r in ranking(fixture_db, "Thử Nghiệm", date(2026, 5, 1))}
    # An Bình in May: HT01's value in force is the 20 of Dec 2025 (any year counts) → 25 pts;
    # (100·25 + 100·100 + 200·0 + 150·100) / 550 = 50.00
    assert may == {"Xã Dương Minh": 84.0, "Xã Đông Hòa": 68.0, "Xã An Bình": 50.0,
                   "Xã Em Hai": 0.0, "Xã Phú Mới": None}


def test_indicator_points_and_status_golden(fixture_db):
    frame = fixture_db.run_query("indicator_status", period=JUNE, province=None, commune=None)
    rows = {
        (r["commune_id"], r["indicator"]): (r["value"], r["points"], r["achieved"], r["status"])
        for r in frame.to_dicts()
    }
    assert rows == {
        # baseline 20 (Dec 2025), expected in June 20 + 60·6/12 = 50, R = 20/30 = 0.67
        ("thu/an-binh", "HT01"): (40.0, 50.0, False, "Cần đẩy nhanh"),
        # first value of the year is the only value: no path can be drawn
        ("thu/an-binh", "NL01"): (80.0, 100.0, False, "Chưa đủ dữ liệu"),
        ("thu/an-binh", "CQ01"): (None, 0.0, False, "Chưa có số liệu"),
        ("thu/an-binh", "KT08"): (5.0, 100.0, True, "Đạt"),
        ("thu/an-binh", "DM01"): (None, 0.0, False, "Chưa có số liệu"),
        # baseline 10 (Feb), expected 10 + 40·4/10 = 26, R = 15/16 = 0.9375
        ("thu/dong-hoa", "HT01"): (25.0, 50.0, False, "Cần đẩy nhanh"),
        ("thu/dong-hoa", "XH01"): (40.0, 100.0, True, "Đạt"),
        # baseline 30 (Nov 2025), expected 40, R = -5/10: going backwards
        ("thu/duong-minh", "NL01"): (25.0, 50.0, False, "Đi lùi"),
        ("thu/duong-minh", "KT08"): (6.0, 100.0, True, "Đạt"),
        ("thu/em-hai", "HT01"): (None, 0.0, False, "Chưa có số liệu"),
        ("khac/anh-duong", "HT01"): (10.0, 100.0, True, "Đạt"),
    }
    an_binh_ht = frame.filter((frame["commune_id"] == "thu/an-binh") & (frame["indicator"] == "HT01")).row(0, named=True)
    assert an_binh_ht["baseline"] == 20.0
    assert an_binh_ht["expected_value"] == pytest.approx(50.0)
    assert an_binh_ht["progress_ratio"] == pytest.approx(2 / 3)
    assert an_binh_ht["value_period"] == JUNE  # the July value is ignored


def test_value_after_the_month_counts_from_its_month(fixture_db):
    july = fixture_db.run_query("indicator_status", period=date(2026, 7, 1), province="Thử Nghiệm",
                                commune="thu/an-binh")
    ht = july.filter(july["indicator"] == "HT01").row(0, named=True)
    assert (ht["value"], ht["achieved"], ht["status"]) == (90.0, True, "Đạt")


def test_unreported_rule_exclude_is_a_setting(tmp_path):
    from tests.conftest import FIXTURE_DIR

    store = tmp_path / "store"
    store.mkdir()
    (store / "settings.json").write_text(json.dumps({"unreported_rule": "exclude"}))
    db = Database(store=store, include_demo=False, data_dir=FIXTURE_DIR)
    scores = {r["commune_name"]: r["score"] for r in ranking(db, "Thử Nghiệm")}
    # An Bình without its unreported CQ01: (100·50 + 100·100 + 150·100) / 350 = 85.71
    assert scores["Xã An Bình"] == 85.71
    assert scores["Xã Em Hai"] is None  # nothing reported, nothing to average


def test_weights_are_settings(tmp_path):
    from tests.conftest import FIXTURE_DIR

    store = tmp_path / "store"
    store.mkdir()
    (store / "settings.json").write_text(json.dumps({"weight_CQ": 100, "weight_KT": 100}))
    db = Database(store=store, include_demo=False, data_dir=FIXTURE_DIR)
    scores = {r["commune_name"]: r["score"] for r in ranking(db, "Thử Nghiệm")}
    # An Bình with equal weights: (50 + 100 + 0 + 100) / 4 = 62.5
    assert scores["Xã An Bình"] == 62.5


def test_an_edited_settings_file_takes_effect_without_a_restart(tmp_path):
    from tests.conftest import FIXTURE_DIR

    store = tmp_path / "store"
    store.mkdir()
    db = Database(store=store, include_demo=False, data_dir=FIXTURE_DIR)
    assert {r["commune_name"]: r["score"] for r in ranking(db, "Thử Nghiệm")}["Xã An Bình"] == 54.55
    (store / "settings.json").write_text(json.dumps({"unreported_rule": "exclude"}))
    assert {r["commune_name"]: r["score"] for r in ranking(db, "Thử Nghiệm")}["Xã An Bình"] == 85.71
