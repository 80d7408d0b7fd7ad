"""The benchmark's two peer rankings (bench/peers.py) rank exactly as the engine does: on the
fixture (golden values of test_scoring.py), on edge cases of the method, and on a store
built by hand after the journal contract (undo, redo, superseded values, a compaction whose
replaced file is still on disk, an uncommitted last line)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from bench.peers import (
    RankingsDisagree,
    agree,
    load_frames,
    pandas_ranking,
    polars_ranking,
    read_journal,
    round_half_away,
)
from queries.db import Database
from queries.settings import load_settings
from queries.store import ROW_SCHEMAS
from tests.conftest import FIXTURE_DIR

JUNE = date(2026, 6, 1)
SHOWN = ["score", "HT", "NL", "AT", "CQ", "KT", "XH"]


def three_rankings(store: Path, data_dir: Path, period: date):
    settings = load_settings(store)
    engine = Database(store=store, include_demo=False, data_dir=data_dir)
    return (engine.run_query("ranking_by_month", period=period, province=None),
            pandas_ranking(store, data_dir, period, settings),
            polars_ranking(load_frames(store, data_dir), period, settings))


def as_rows(ranking) -> list[tuple]:
    frame = pl.from_pandas(ranking) if not isinstance(ranking, pl.DataFrame) else ranking
    return frame.sort("commune_id").select("commune_id", "rank", *SHOWN).rows()


# ---- the fixture: golden values and the engine -----------------------------------------------


@pytest.mark.parametrize("settings, an_binh", [
    ({}, 54.55),  # (100·50 + 100·100 + 200·0 + 150·100) / 550
    ({"unreported_rule": "exclude"}, 85.71),  # CQ01 left out: 30000 / 350
    ({"weight_CQ": 100, "weight_KT": 100}, 62.5),  # (50 + 100 + 0 + 100) / 4
])
def test_peers_give_the_golden_ranking_of_the_fixture(tmp_path, settings, an_binh):
    store = tmp_path / "store"
    store.mkdir()
    (store / "settings.json").write_text(json.dumps(settings))
    engine, by_pandas, by_polars = three_rankings(store, FIXTURE_DIR, JUNE)
    result = agree(engine, by_pandas, by_polars)
    assert result.communes == 6 and result.boundary == ()
    scores = {r["commune_id"]: (r["rank"], r["score"]) for r in by_polars.to_dicts()}
    assert scores["thu/an-binh"][1] == an_binh
    assert scores["thu/phu-moi"] == (None, None)  # no targets: no score, no rank
    if not settings:
        # test_scoring.py: 1, 2, 2, 4, 5 with Dương Minh and Đông Hòa tied at 80.00
        assert scores == {"khac/anh-duong": (1, 100.0), "thu/duong-minh": (2, 80.0),
                          "thu/dong-hoa": (2, 80.0), "thu/an-binh": (4, 54.55),
                          "thu/em-hai": (5, 0.0), "thu/phu-moi": (None, None)}
        an_binh = by_pandas.set_index("commune_id").loc["thu/an-binh"]
        assert [an_binh[p] for p in ("HT", "NL", "CQ", "KT")] == [50.0, 100.0, 0.0, 100.0]
        assert np.isnan(an_binh["AT"]) and np.isnan(an_binh["XH"])


def test_peers_agree_with_the_engine_in_may(tmp_path):
    # May: Ánh Dương's first value is in June, so it shares rank 4 at 0 with Em Hai.
    engine, by_pandas, by_polars = three_rankings(tmp_path / "store", FIXTURE_DIR, date(2026, 5, 1))
    agree(engine, by_pandas, by_polars)
    assert {r[0]: r[1] for r in as_rows(by_pandas)}["khac/anh-duong"] == 4


# ---- edge cases of the method, against the engine --------------------------------------------

INDICATORS = """code,pillar,name_vi,name_en,unit,direction,seen_in,group
HT01,HT,Cáp quang,Fibre,percent,up,t,pillar
NL01,NL,Tập huấn,Training,percent,up,t,pillar
AT01,AT,Sự cố mất an toàn thông tin,Security incidents,count,down,t,pillar
CQ01,CQ,Thủ tục trực tuyến,Online procedures,percent,up,t,pillar
KT01,KT,Doanh nghiệp số,Digital firms,count,,t,pillar
XH01,XH,Chữ ký số,Digital signatures,percent,up,t,pillar
DM01,DM,Sáng kiến,Innovation,count,up,t,innovation
ZZ01,ZZ,Ngoài trụ cột,No pillar,count,up,t,other
"""
COMMUNES = """commune_id,commune_code,commune_name,province,adult_population,population_15plus,working_age_population,is_demo,source
p/c1,,Xã Một,P,,,,false,t
p/c2,,Xã Hai,P,,,,false,t
p/c3,,Xã Ba,P,,,,false,t
p/c4,,Xã Bốn,P,,,,false,t
p/c5,,Xã Năm,P,,,,false,t
p/c6,,Xã Sáu,P,,,,false,t
q/c7,,Xã Bảy,Q,,,,,t
"""
TARGET_HEADER = "commune_id,indicator,year,comparator,target,target_text,unit,lead_unit,partner_units,source_doc,source_item,note\n"
TARGETS = [
    # c1: down and under target → 100; up with target 0 → 100; a target without a number
    # (text only) and a value → 100 (least(NULL, 1) is 1); newest value blank → unreported
    ("p/c1", "AT01", 2026, "<=", "5"), ("p/c1", "HT01", 2026, ">=", "0"),
    ("p/c1", "NL01", 2026, ">=", ""), ("p/c1", "CQ01", 2026, ">=", "50"),
    # c2: down and over → 100·5/10; negative value → 0; a third; innovation and no-pillar ignored
    ("p/c2", "AT01", 2026, "<=", "5"), ("p/c2", "KT01", 2026, ">=", "3"),
    ("p/c2", "XH01", 2026, ">=", "30"), ("p/c2", "DM01", 2026, ">=", "1"),
    ("p/c2", "ZZ01", 2026, ">=", "1"),
    # c3: down with target 0 and value 0 → 100; only a value after the month → unreported;
    # a 2025 target with a value is another year
    ("p/c3", "AT01", 2026, "<=", "0"), ("p/c3", "HT01", 2026, ">=", "100"),
    ("p/c3", "NL01", 2025, ">=", "10"),
    # c4: targets of 2025 only; c5: an indicator nobody knows; c6: nothing reported
    ("p/c4", "HT01", 2025, ">=", "10"), ("p/c5", "XX99", 2026, ">=", "1"),
    ("p/c6", "HT01", 2026, ">=", "50"), ("p/c6", "CQ01", 2026, ">=", "50"),
    # c7: last year's value counts; a commune not in the list is ignored
    ("q/c7", "HT01", 2026, ">=", "20"), ("ghost/c9", "HT01", 2026, ">=", "20"),
    # down with a negative target and a positive value → 100·greatest(-1, 0)/2 = 0
    ("q/c7", "AT01", 2026, "<=", "-1"),
]
ACTUAL_HEADER = "commune_id,period,indicator,value,numerator,denominator,note,source_doc,source_item\n"
ACTUALS = [
    ("p/c1", "2026-05", "AT01", "3"), ("p/c1", "2026-06", "HT01", "0"),
    ("p/c1", "2026-02", "NL01", "40"), ("p/c1", "2026-03", "CQ01", "50"), ("p/c1", "2026-05", "CQ01", ""),
    ("p/c2", "2026-06", "AT01", "10"), ("p/c2", "2026-06", "KT01", "-2"),
    ("p/c2", "2026-06", "XH01", "10"), ("p/c2", "2026-06", "DM01", "5"), ("p/c2", "2026-06", "ZZ01", "0"),
    ("p/c3", "2026-04", "AT01", "0"), ("p/c3", "2026-07", "HT01", "100"), ("p/c3", "2025-06", "NL01", "10"),
    ("p/c4", "2025-12", "HT01", "10"), ("q/c7", "2025-11", "HT01", "10"), ("q/c7", "2026-06", "AT01", "2"),
    ("ghost/c9", "2026-06", "HT01", "20"),
]


@pytest.fixture(scope="module")
def edge_data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("edge-data")
    (folder / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    (folder / "communes.csv").write_text(COMMUNES, encoding="utf-8")
    (folder / "targets.csv").write_text(TARGET_HEADER + "".join(
        f"{c},{i},{y},{op},{t},,,,,t,,\n" for c, i, y, op, t in TARGETS), encoding="utf-8")
    (folder / "actuals.csv").write_text(ACTUAL_HEADER + "".join(
        f"{c},{p},{i},{v},,,,t,\n" for c, p, i, v in ACTUALS), encoding="utf-8")
    return folder


@pytest.mark.parametrize("rule, expected", [
    ("zero", {
        # (100·100 + 100·100 + 100·100 + 200·0) / 500
        "p/c1": (1, 60.0, 100.0, 100.0, 100.0, 0.0, None, None),
        # (100·50 + 150·0 + 150·33.33…) / 400
        "p/c2": (3, 25.0, None, None, 50.0, None, 0.0, 33.33),
        "p/c3": (2, 50.0, 0.0, None, 100.0, None, None, None),
        "p/c4": (None, None, None, None, None, None, None, None),
        "p/c5": (None, None, None, None, None, None, None, None),
        "p/c6": (5, 0.0, 0.0, None, None, 0.0, None, None),
        "q/c7": (3, 25.0, 50.0, None, 0.0, None, None, None),
    }),
    ("exclude", {
        "p/c1": (1, 100.0, 100.0, 100.0, 100.0, None, None, None),
        "p/c2": (3, 25.0, None, None, 50.0, None, 0.0, 33.33),
        "p/c3": (1, 100.0, None, None, 100.0, None, None, None),
        "p/c4": (None, None, None, None, None, None, None, None),
        "p/c5": (None, None, None, None, None, None, None, None),
        "p/c6": (None, None, None, None, None, None, None, None),
        "q/c7": (3, 25.0, 50.0, None, 0.0, None, None, None),
    }),
])
def test_edge_cases_rank_as_the_engine_does(tmp_path, edge_data, rule, expected):
    store = tmp_path / "store"
    store.mkdir()
    (store / "settings.json").write_text(json.dumps({"unreported_rule": rule}))
    engine, by_pandas, by_polars = three_rankings(store, edge_data, JUNE)
    assert agree(engine, by_pandas, by_polars).boundary == ()
    for ranking in (engine, by_pandas, by_polars):
        got = {row[0]: tuple(None if isinstance(v, float) and np.isnan(v) else v for v in row[1:])
               for row in as_rows(ranking)}
        assert got == expected


def test_a_half_cent_average_rounds_the_same_whatever_the_order(tmp_path):
    # (99.16 + 96.82 + 99.34 + 99.86) / 4 is 98.795; summed in some orders it comes out as
    # 98.79499999999999 and would show 98.79. The peers snap to 9 decimals first: 98.80.
    values = [99.16, 96.82, 99.34, 99.86]
    engine_values = []
    for shift in range(len(values)):
        data_dir = tmp_path / f"order{shift}"
        data_dir.mkdir()
        order = values[shift:] + values[:shift]
        (data_dir / "indicators.csv").write_text("code,pillar,name_vi,name_en,unit,direction,seen_in,group\n" + "".join(
            f"XH0{i},XH,x,x,percent,up,t,pillar\n" for i in range(1, 5)), encoding="utf-8")
        (data_dir / "communes.csv").write_text(COMMUNES.splitlines()[0] + "\np/x,,Xã X,P,,,,false,t\n", encoding="utf-8")
        (data_dir / "targets.csv").write_text(TARGET_HEADER + "".join(
            f"p/x,XH0{i},2026,>=,100,,,,,t,,\n" for i in range(1, 5)), encoding="utf-8")
        (data_dir / "actuals.csv").write_text(ACTUAL_HEADER + "".join(
            f"p/x,2026-06,XH0{i},{v},,,,t,\n" for i, v in enumerate(order, start=1)), encoding="utf-8")
        engine, by_pandas, by_polars = three_rankings(tmp_path / "store", data_dir, JUNE)
        assert by_pandas["XH"].tolist() == by_polars["XH"].to_list() == [98.8]
        agree(engine, by_pandas, by_polars)  # the engine's cent may be either
        engine_values += engine["XH"].to_list()
    assert set(engine_values) <= {98.79, 98.8}


# ---- a store built by hand after the journal contract ---------------------------------------


def write_rows(store: Path, kind: str, name: str, rows: list[dict]) -> str:
    frame = pl.DataFrame(rows, schema={**ROW_SCHEMAS[kind], "upload_id": pl.String}, orient="row")
    relative = f"uploads/{kind}/{name}.parquet"
    (store / relative).parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(store / relative)
    return relative


def actual(upload_id, row_number, commune, indicator, month, value):
    return {"row_number": row_number, "commune_id": commune, "indicator": indicator,
            "period": month, "value": value, "upload_id": upload_id}


@pytest.fixture
def journal_store(tmp_path) -> Path:
    store = tmp_path / "store"
    store.mkdir()
    u1 = [actual("u1", 2, "thu/an-binh", "HT01", JUNE, 60.0)]  # supersedes the shipped 40
    u2 = [actual("u2", 2, "thu/an-binh", "CQ01", date(2026, 5, 1), 50.0)]  # undone below
    # The same key twice in one upload: the higher row number wins, wherever it is in the file.
    u3 = [actual("u3", 3, "thu/em-hai", "HT01", JUNE, 25.0),
          actual("u3", 2, "thu/em-hai", "HT01", JUNE, 10.0),
          actual("u3", 5, "thu/duong-minh", "KT08", JUNE, 4.0)]
    # undone, then redone; a later upload wins even with a lower row number
    u7 = [actual("u7", 2, "thu/duong-minh", "KT08", JUNE, 1.0)]
    files = {
        "u1": write_rows(store, "actuals", "u1", u1),
        "u2": write_rows(store, "actuals", "u2", u2),
        "u3": write_rows(store, "actuals", "u3", u3),
    }
    compacted = write_rows(store, "actuals", "compacted-u3", u1 + u2 + u3)
    # The replaced u1 file stays on disk (a reader listed it before the compactor removed
    # it) with a row the compaction does not hold: read, it would cost An Bình its KT08.
    write_rows(store, "actuals", "u1", u1 + [actual("u1", 9, "thu/an-binh", "KT08", JUNE, 0.0)])
    # A file whose journal line never came (crash between the two writes): not live.
    write_rows(store, "actuals", "u9", [actual("u9", 2, "thu/dong-hoa", "HT01", JUNE, 0.0)])
    u7_file = write_rows(store, "actuals", "u7", u7)
    targets = write_rows(store, "targets", "u5", [
        {"row_number": 2, "commune_id": "thu/phu-moi", "indicator": "HT01", "year": 2026,
         "comparator": ">=", "target": 50.0, "upload_id": "u5"},
        {"row_number": 3, "commune_id": "thu/an-binh", "indicator": "NL01", "year": 2026,
         "comparator": ">", "target": 160.0, "upload_id": "u5"},
    ])
    communes = write_rows(store, "communes", "u6", [
        {"row_number": 2, "commune_id": "thu/moi-lap", "commune_name": "Xã Mới Lập",
         "province": "Thử Nghiệm", "upload_id": "u6"},
        {"row_number": 3, "commune_id": "thu/em-hai", "commune_name": "Xã Em Hai Mới",
         "province": "Thử Nghiệm", "upload_id": "u6"},
    ])
    lines = [
        {"seq": 1, "action": "upload", "upload_id": "u1", "kind": "actuals", "file": files["u1"]},
        {"seq": 2, "action": "upload", "upload_id": "u2", "kind": "actuals", "file": files["u2"]},
        {"seq": 3, "action": "upload", "upload_id": "u3", "kind": "actuals", "file": files["u3"]},
        {"seq": 4, "action": "undo", "upload_id": "u2"},
        {"seq": 5, "action": "compact", "kind": "actuals", "file": compacted,
         "replaces": [files["u1"], files["u2"], files["u3"]]},
        {"seq": 6, "action": "upload", "upload_id": "u5", "kind": "targets", "file": targets},
        {"seq": 7, "action": "upload", "upload_id": "u6", "kind": "communes", "file": communes},
        {"seq": 8, "action": "upload", "upload_id": "u7", "kind": "actuals", "file": u7_file},
        {"seq": 9, "action": "undo", "upload_id": "u7"},
        # a raw U+2028 inside a string must not split the line
        {"seq": 10, "action": "review", "upload_id": "u1", "note": "đã xem\u2028xong"},
        {"seq": 11, "action": "redo", "upload_id": "u7"},
    ]
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    # A write in progress: no newline yet, so not committed; honoured, it would undo u1.
    text += json.dumps({"seq": 12, "action": "undo", "upload_id": "u1"})
    (store / "journal.jsonl").write_text(text, encoding="utf-8")
    return store


def test_the_journal_decides_which_uploads_and_files_count(journal_store):
    journal = read_journal(journal_store)
    assert journal.active_seq == {"u1": 1, "u3": 3, "u5": 6, "u6": 7, "u7": 8}
    assert sorted(p.name for p in journal.live_files["actuals"]) == ["compacted-u3.parquet", "u7.parquet"]


def test_peers_rank_a_hand_built_store(journal_store):
    # June, default weights, by hand:
    # An Bình: HT01 60/80 → 75 (u1); NL01 80 of the new target 160 → 50 (u5); CQ01 unreported
    #   (u2 undone) → 0; KT08 5/2 → 100 (the stale row of the replaced file is not read)
    #   → (100·75 + 100·50 + 200·0 + 150·100) / 550 = 50.00
    # Em Hai (renamed by u6): HT01 25/50 → 50 (row 3 beats row 2 of u3)
    # Dương Minh: NL01 25/50 → 50, KT08 1/4 → 25 (u7 redone, beats u3's 4) → 8750 / 250 = 35.00
    # Phú Mới: HT01 target from u5, nothing reported → 0; Mới Lập (u6): no targets, no rank
    expected = pl.DataFrame(
        [("khac/anh-duong", 1, 100.0, 100.0, None, None, None, None, None),
         ("thu/dong-hoa", 2, 80.0, 50.0, None, None, None, None, 100.0),
         ("thu/an-binh", 3, 50.0, 75.0, 50.0, None, 0.0, 100.0, None),
         ("thu/em-hai", 3, 50.0, 50.0, None, None, None, None, None),
         ("thu/duong-minh", 5, 35.0, None, 50.0, None, None, 25.0, None),
         ("thu/phu-moi", 6, 0.0, 0.0, None, None, None, None, None),
         ("thu/moi-lap", None, None, None, None, None, None, None, None)],
        schema={"commune_id": pl.String, "rank": pl.Int64, **{c: pl.Float64 for c in SHOWN}},
        orient="row",
    )
    settings = load_settings(journal_store)
    by_pandas = pandas_ranking(journal_store, FIXTURE_DIR, "2026-06", settings)
    by_polars = polars_ranking(load_frames(journal_store, FIXTURE_DIR), "2026-06", settings)
    assert agree(expected, by_pandas, by_polars, names=("by hand", "pandas", "polars")).boundary == ()
    names = dict(zip(by_polars["commune_id"], by_polars["commune_name"]))
    assert (names["thu/em-hai"], names["thu/moi-lap"]) == ("Xã Em Hai Mới", "Xã Mới Lập")


# ---- agree() and rounding ----------------------------------------------------------------------


def test_agree_names_each_difference_and_allows_only_half_cent_boundaries():
    base = pl.DataFrame({"commune_id": ["a", "b", "c"], "rank": [1, 2, 2], "score": [90.0, 80.0, 80.0],
                         **{p: [None, None, None] for p in SHOWN[1:]}},
                        schema_overrides={p: pl.Float64 for p in SHOWN[1:]})
    assert agree(base, base.to_pandas(), base).communes == 3

    with pytest.raises(RankingsDisagree, match=r"c: score duckdb=80.0 pandas=79.0"):
        agree(base, base.with_columns(score=pl.Series([90.0, 80.0, 79.0]), rank=pl.Series([1, 2, 3])), base)
    with pytest.raises(RankingsDisagree, match=r"polars: b has rank 3 for score 80.0, expected 2"):
        agree(base, base, base.with_columns(rank=pl.Series([1, 3, 2])))
    with pytest.raises(RankingsDisagree, match=r"c: missing from pandas"):
        agree(base, base.head(2), base)

    # b is 80.005 before rounding: 80.00 or 80.01 both stand, and the ranks follow the scores.
    peer = base.with_columns(score=pl.Series([90.0, 80.01, 80.0]), rank=pl.Series([1, 2, 3]),
                             score_unrounded=pl.Series([90.0, 80.005, 80.0]))
    assert agree(base, peer, peer).boundary == ("b: score duckdb=80.0 pandas=80.01",
                                                "b: score duckdb=80.0 polars=80.01")
    # ... but a cent apart without a half cent behind it is a difference.
    with pytest.raises(RankingsDisagree, match=r"b: score duckdb=80.0 pandas=80.01"):
        agree(base, peer.with_columns(score_unrounded=pl.Series([90.0, 80.0072, 80.0])), peer)


def test_rounding_is_duckdbs():
    values = np.array([2.675, 0.285, 1.005, -2.5, 98.795, 98.79499999999999, 54.545454, 80.005,
                       -0.005, 0.0049999999999999, 1e-12])
    engine = duckdb.sql("select round(v, 2) as r from (select unnest($v::DOUBLE[]) as v)",
                        params={"v": values.tolist()}).fetchnumpy()["r"]
    assert round_half_away(values, 2).tolist() == engine.tolist()
