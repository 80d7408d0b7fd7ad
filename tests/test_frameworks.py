"""Frameworks as data: the shipped files, the golden scores under both on the fixture, a year
switching frameworks (earlier years unchanged), loading a file (checks, permission, audit),
and what-if weights on the command line.

Fixture, June 2026, province Thử Nghiệm (tests/test_scoring.py has the points):

    commune       HT    NL    CQ    KT    XH    six pillars (100,100,100,200,150,150)   eight groups (equal)
    An Bình       50   100     0   100     –    30000/550 = 54,55                       250/4 = 62,50
    Đông Hòa      50     –     –     –   100    20000/250 = 80,00                       150/2 = 75,00
    Dương Minh     –    50     –   100     –    20000/250 = 80,00                       150/2 = 75,00
    Em Hai         0     –     –     –     –    0                                       0
    Phú Mới: no target, no score. Every fixture indicator (HT01, NL01, CQ01, KT08, XH01) stays in
    its pillar in the eight-group framework, so only the weights differ.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from queries.accounts import service
from queries.accounts.audit import audit_events, details_text
from queries.accounts.permissions import LOCAL_ADMIN
from queries.accounts.places import Places
from queries.admin_loads import LoadRefused, load_framework
from queries.db import Database
from queries.frameworks import FrameworkFileError, FrameworkRefused, parse_framework, shipped
from queries.frameworks.whatif import WeightsError, parse_weights, rank_under, rebalance
from queries.reports.whatif import Choice
from tests.conftest import FIXTURE_DIR

ROOT = Path(__file__).resolve().parents[1]
JUNE, DECEMBER_2025 = date(2026, 6, 1), date(2025, 12, 1)
SHIPPED = ROOT / "data" / "frameworks"
EIGHT = "dti-xa-8-nhom"


def frameworks_by_id() -> dict:
    return {f.id: f for f in shipped(ROOT / "data")}


def scores(frame: pl.DataFrame) -> dict[str, tuple]:
    return {r["commune_name"]: (r["rank"], r["score"]) for r in frame.to_dicts()}


def whatif(db: Database, framework_id: str, weights: dict[str, float], period: date = JUNE,
           province: str | None = "Thử Nghiệm") -> pl.DataFrame:
    framework = frameworks_by_id()[framework_id]
    return rank_under(db.run("whatif_base", period=period, province=province, framework=framework.key),
                      [weights.get(g.code, 0.0) for g in framework.groups])


# ---- the shipped files ---------------------------------------------------------------------------

def test_the_shipped_frameworks_come_from_the_catalog():
    catalog = pl.read_csv(ROOT / "data" / "indicators.csv")
    groups = dict(zip(catalog["code"], catalog["group"]))
    pillar_of = dict(zip(catalog["code"], catalog["pillar"]))
    found = {f.id: f for f in (parse_framework(p.read_bytes(), groups) for p in sorted(SHIPPED.glob("*.csv")))}
    assert set(found) == {"six-pillars", EIGHT}
    six, eight = found["six-pillars"], found[EIGHT]
    # The six pillars are the catalog's pillars, with the weights the settings had.
    assert [(g.code, g.weight) for g in six.groups] == [("HT", 100), ("NL", 100), ("AT", 100), ("CQ", 200),
                                                         ("KT", 150), ("XH", 150)]
    assert {code: g.code for g in six.groups for code, _ in g.members} == {
        c: p for c, p in pillar_of.items() if groups[c] == "pillar"}
    assert six.official and (six.year_from, six.year_to) == (2020, None)
    # Eight groups, nhận thức số and thể chế số beside the six; every pillar indicator once, no DM.
    assert [g.code for g in eight.groups] == ["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]
    members = [code for g in eight.groups for code, _ in g.members]
    assert sorted(members) == sorted(c for c, g in groups.items() if g == "pillar")
    assert not eight.official and eight.status == "chưa chính thức"
    assert eight.percentages() == dict.fromkeys([g.code for g in eight.groups], 12.5)
    # A file is its own canonical form: what the store keeps is the shipped bytes.
    assert six.to_csv() == (SHIPPED / "six-pillars.csv").read_bytes()


# ---- golden scores under both shipped frameworks ----------------------------------------------

def test_the_same_values_under_both_shipped_frameworks_golden(fixture_db):
    stored = fixture_db.run("ranking_by_month", period=JUNE, province="Thử Nghiệm")
    six = whatif(fixture_db, "six-pillars", {"HT": 12.5, "NL": 12.5, "AT": 12.5, "CQ": 25, "KT": 18.75, "XH": 18.75})
    expected_six = {"Xã Dương Minh": (1, 80.0), "Xã Đông Hòa": (1, 80.0), "Xã An Bình": (3, 54.55),
                    "Xã Em Hai": (4, 0.0), "Xã Phú Mới": (None, None)}
    assert scores(stored) == expected_six
    assert scores(six) == expected_six  # the official weights as percentages: the stored ranking
    assert six["rank_change_official"].drop_nulls().to_list() == [0, 0, 0, 0]

    eight = whatif(fixture_db, EIGHT, dict.fromkeys(["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"], 12.5))
    assert scores(eight) == {"Xã Dương Minh": (1, 75.0), "Xã Đông Hòa": (1, 75.0), "Xã An Bình": (3, 62.5),
                             "Xã Em Hai": (4, 0.0), "Xã Phú Mới": (None, None)}
    an_binh = eight.filter(pl.col("commune_name") == "Xã An Bình").row(0, named=True)
    assert (an_binh["official_rank"], an_binh["official_score"], an_binh["coverage"]) == (3, 54.55, 0.75)
    groups = fixture_db.run("group_scores_by_month", period=JUNE, province="Thử Nghiệm", commune="thu/an-binh",
                            framework=f"{EIGHT}@1")
    assert list(zip(groups["group_code"], groups["group_score"])) == [("HT", 50.0), ("NL", 100.0), ("CQ", 0.0),
                                                                       ("KT", 100.0)]


def test_what_if_weights_move_ranks_against_the_official_ones(fixture_db):
    # XH weighs half: Đông Hòa (50·10 + 100·50)/60 = 91,67; Dương Minh (50·10 + 100·10)/20 = 75;
    # An Bình (50 + 100 + 0 + 100)·10/40 = 62,5; Em Hai 0.
    frame = whatif(fixture_db, "six-pillars", {"HT": 10, "NL": 10, "AT": 10, "CQ": 10, "KT": 10, "XH": 50})
    rows = {r["commune_name"]: (r["rank"], r["score"], r["official_rank"], r["rank_change_official"])
            for r in frame.to_dicts()}
    assert rows == {"Xã Đông Hòa": (1, 91.67, 1, 0), "Xã Dương Minh": (2, 75.0, 1, -1),
                    "Xã An Bình": (3, 62.5, 3, 0), "Xã Em Hai": (4, 0.0, 4, 0), "Xã Phú Mới": (None, None, None, None)}
    # Nothing stored changed.
    assert scores(fixture_db.run("ranking_by_month", period=JUNE, province="Thử Nghiệm"))["Xã Đông Hòa"] == (1, 80.0)
    # The month before under the same weights gives the change in rank as the ranking has it.
    assert frame.filter(pl.col("commune_name") == "Xã Đông Hòa")["previous_rank"].item() is not None


# ---- a year switches frameworks ----------------------------------------------------------------

@pytest.fixture
def two_years(tmp_path) -> Path:
    """The fixture with the full catalog (so the shipped eight-group file is valid) and 2025 targets:
    Dec 2025, six pillars: An Bình HT01 20 of ≥40 → 50, CQ01 no value → 0: (100·50 + 200·0)/300 = 16,67;
    Dương Minh NL01 30 of ≥60 → 50 → 50,00. Eight groups (equal): An Bình (50 + 0)/2 = 25,00."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DIR, data)
    shutil.copy(ROOT / "data" / "indicators.csv", data / "indicators.csv")
    with open(data / "targets.csv", "a", encoding="utf-8") as targets:
        targets.write("thu/an-binh,HT01,2025,>=,40,≥ 40%,percent,Phòng Kinh tế,,KH thử 2025,1,\n"
                      "thu/an-binh,CQ01,2025,>=,50,≥ 50%,percent,Văn phòng HĐND-UBND,,KH thử 2025,2,\n"
                      "thu/duong-minh,NL01,2025,>=,60,≥ 60%,percent,Phòng Văn hóa - Xã hội,,KH thử 2025,1,\n")
    return data


def test_switching_a_year_s_framework_leaves_earlier_years_unchanged(two_years, tmp_path):
    store = tmp_path / "store"
    db = Database(store=store, include_demo=False, data_dir=two_years)
    december = {"Xã An Bình": 16.67, "Xã Dương Minh": 50.0}

    def year_end_2025() -> dict:
        frame = db.run("ranking_by_month", period=DECEMBER_2025, province="Thử Nghiệm")
        return {r["commune_name"]: r["score"] for r in frame.to_dicts() if r["score"] is not None}

    assert year_end_2025() == december
    eight_file = (SHIPPED / f"{EIGHT}.csv").read_bytes()
    # 2025 has passed (the tests live on 22/11/2026): a file reaching back is refused whole.
    back = eight_file.replace(b",1,2026,,", b",2,2025,,")
    with pytest.raises(FrameworkRefused, match="điểm các năm đã qua"):
        load_framework(db, LOCAL_ADMIN, back, "tu-2025.csv")
    assert not (store / "frameworks" / "loads.json").exists()

    loaded = load_framework(db, LOCAL_ADMIN, eight_file, "dti-xa-8-nhom.csv")
    assert loaded.key == f"{EIGHT}@1"
    june = db.run("ranking_by_month", period=JUNE, province="Thử Nghiệm")  # the same Database, no restart
    assert scores(june)["Xã An Bình"] == (3, 62.5) and scores(june)["Xã Đông Hòa"] == (1, 75.0)
    assert year_end_2025() == december  # 2025 keeps the six pillars it was computed with
    years = {r["year"]: r["framework_key"] for r in db.run("framework_of_years", this_year=2026).to_dicts()}
    assert years == {2025: "six-pillars@1", 2026: f"{EIGHT}@1", 2027: f"{EIGHT}@1"}
    # Under the eight groups, Dec 2025 would have been (50 + 0)/2 = 25 for An Bình: what-if says so.
    past = whatif(db, EIGHT, dict.fromkeys(["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"], 12.5), DECEMBER_2025)
    assert scores(past)["Xã An Bình"] == (2, 25.0)
    # A new process opens the snapshot and sees the same.
    again = Database(store=store, include_demo=False, data_dir=two_years)
    assert scores(again.run("ranking_by_month", period=JUNE, province="Thử Nghiệm"))["Xã An Bình"] == (3, 62.5)

    [event] = [e for e in audit_events(store) if e["action"] == "framework_loaded"]
    assert event["details"]["framework"] == f"{EIGHT}@1" and event["details"]["file_name"] == "dti-xa-8-nhom.csv"
    assert event["details"]["via"] == "command_line"
    assert details_text(event) == (  # the audit page reads a sentence, not the stored fields
        f"Bộ khung “DTI cấp xã: tám nhóm chỉ số” (dti-xa-8-nhom@1), {event['details']['years']}, chưa chính thức; "
        f"tệp “dti-xa-8-nhom.csv”; nhóm: {event['details']['groups']}")


def test_a_version_names_one_content(two_years, tmp_path):
    db = Database(store=tmp_path / "store", include_demo=False, data_dir=two_years)
    eight_file = (SHIPPED / f"{EIGHT}.csv").read_text(encoding="utf-8")
    changed = eight_file.replace(",NT,Nhận thức số,125,", ",NT,Nhận thức số,200,")
    with pytest.raises(FrameworkRefused, match="phiên bản 1 đã có với nội dung khác: hãy ghi phiên bản mới"):
        load_framework(db, LOCAL_ADMIN, changed.encode("utf-8"), "sua.csv")
    official = changed.replace(",1,2026,,chưa chính thức,", ",2,2027,,chính thức,")
    framework = load_framework(db, LOCAL_ADMIN, official.encode("utf-8"), "chinh-thuc.csv")
    assert (framework.key, framework.official, framework.percentages()["NT"]) == (f"{EIGHT}@2", True, 200 / 1075 * 100)
    listed = {r["framework_key"]: r for r in db.run("frameworks").to_dicts()}
    assert listed[f"{EIGHT}@2"]["in_force"] == [{"first": 2027, "last": None}]
    assert listed["six-pillars@1"]["in_force"] == [{"first": 2000, "last": 2026}]


def without_english(text: str) -> str:
    """A framework file as it was before the optional group_name_en column (the last one)."""
    return "".join(line.rsplit(",", 1)[0] + "\n" for line in text.splitlines())


def test_an_older_copy_without_english_names_is_the_same_version(two_years, tmp_path):
    """The shipped files gained group_name_en; an administrator re-loading the copy of the same
    id and version kept from before is not refused, and the English names stay known."""
    store = tmp_path / "store"
    db = Database(store=store, include_demo=False, data_dir=two_years)
    eight_file = (SHIPPED / f"{EIGHT}.csv").read_text(encoding="utf-8")
    older = without_english(eight_file)
    assert "group_name_en" not in older and parse_framework(older.encode("utf-8")).groups[0].name_en == ""
    framework = load_framework(db, LOCAL_ADMIN, older.encode("utf-8"), "ban-cu.csv")
    assert framework.key == f"{EIGHT}@1"
    assert framework.group("NT").name_en == "Digital awareness"
    kept = parse_framework((store / "frameworks" / f"{EIGHT}@1.csv").read_bytes())
    assert kept.group("NT").name_en == "Digital awareness"
    assert kept.content_hash() == frameworks_by_id()[EIGHT].content_hash()
    # Loaded again, now with the column, and again without it: the same version each time.
    assert load_framework(db, LOCAL_ADMIN, eight_file.encode("utf-8"), "ban-moi.csv").key == f"{EIGHT}@1"
    assert load_framework(db, LOCAL_ADMIN, older.encode("utf-8"), "ban-cu.csv").key == f"{EIGHT}@1"
    assert parse_framework((store / "frameworks" / f"{EIGHT}@1.csv").read_bytes()).content_hash() == kept.content_hash()
    # Other English names than the known ones, or other weights without them: another content.
    renamed = eight_file.replace(",Digital awareness", ",Digital literacy")
    with pytest.raises(FrameworkRefused, match="phiên bản 1 đã có với nội dung khác"):
        load_framework(db, LOCAL_ADMIN, renamed.encode("utf-8"), "ten-khac.csv")
    heavier = older.replace(",NT,Nhận thức số,125,", ",NT,Nhận thức số,200,")
    with pytest.raises(FrameworkRefused, match="phiên bản 1 đã có với nội dung khác"):
        load_framework(db, LOCAL_ADMIN, heavier.encode("utf-8"), "nang-hon.csv")
    assert [e["details"]["file_name"] for e in audit_events(store) if e["action"] == "framework_loaded"] == [
        "ban-cu.csv", "ban-moi.csv", "ban-cu.csv"]


def test_only_a_country_wide_admin_loads_a_framework(two_years, tmp_path, monkeypatch):
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    store = tmp_path / "store"
    db = Database(store=store, include_demo=False, data_dir=two_years)
    province_admin = service.create_account(LOCAL_ADMIN, store, username="qt.thu", role="quan_tri", password="mk-dai-du-8",
                                            name="QT", provinces=["Thử Nghiệm"], places=Places.from_database(db))
    with pytest.raises(LoadRefused, match="chỉ Quản trị toàn quốc"):
        load_framework(db, province_admin, (SHIPPED / f"{EIGHT}.csv").read_bytes(), "x.csv")
    assert not (store / "frameworks").exists()


# ---- checking a framework file ---------------------------------------------------------------------

CATALOG = {"HT01": "pillar", "NL01": "pillar", "CQ01": "pillar", "KT08": "pillar", "XH01": "pillar",
           "DM01": "innovation"}
HEAD = "framework_id,framework_name,version,year_from,year_to,status,document,group_code,group_name,group_weight,indicator,indicator_weight\n"


def test_a_framework_file_is_checked_line_by_line_in_vietnamese():
    text = (HEAD
            + "tinh-x,Bộ của tỉnh X,1,2027,2026,tạm,QĐ 1,HT,Hạ tầng số,100,HT01,1\n"
            + "tinh-x,,,,,,,HT,,120,NL01,\n"
            + "tinh-x,,,,,,,CQ,Chính quyền số,-5,CQ01,1\n"
            + "tinh-x,,,,,,,KT,Kinh tế số,50,ZZ99,1\n"
            + "tinh-x,,,,,,,KT,,,DM01,1\n"
            + "tinh-x,,,,,,,KT,,,HT01,1\n"
            + "tinh-x,,,,,,,XH,Xã hội số,50,XH01,abc\n"
            + "khac,,,,,,,XH,,,KT08,1\n")
    with pytest.raises(FrameworkFileError) as raised:
        parse_framework(text.encode("utf-8"), CATALOG)
    assert raised.value.problems == [
        "Dòng 3: trọng số nhóm HT (120) khác dòng 2 (100)",
        "Dòng 4: trọng số nhóm CQ phải là số dương (lớn hơn 0), không phải “-5”",
        "Dòng 5: không có chỉ tiêu mã “ZZ99” trong danh mục chỉ tiêu",
        "Dòng 6: DM01 là chỉ tiêu đổi mới sáng tạo, được theo dõi riêng và không tính vào nhóm nào",
        "Dòng 7: chỉ tiêu HT01 đã có ở dòng 2; mỗi chỉ tiêu chỉ thuộc một nhóm",
        "Dòng 8: trọng số chỉ tiêu XH01 “abc” không phải là số",
        "Dòng 9: framework_id “khac” khác dòng đầu (“tinh-x”); một tệp là một bộ khung",
        "Dòng 2: năm kết thúc 2026 trước năm bắt đầu 2027",
        "Dòng 2: trạng thái “tạm” phải là “chính thức” hoặc “chưa chính thức”",
        "Dòng 4: nhóm CQ chưa có trọng số (cột group_weight)",
        "Dòng 5: nhóm KT không có chỉ tiêu nào hợp lệ",
    ]
    assert raised.value.message.startswith("Tệp bộ khung có 11 lỗi, chưa nạp gì: Dòng 3: trọng số nhóm HT")


def test_a_framework_file_in_excel_s_ways_reads_the_same():
    text = (HEAD + "tinh-x,Bộ của tỉnh X,1,2027,,Chinh thuc,QĐ 1,ht,Hạ tầng số,\"12,5\",ht01,\n"
            + "tinh-x,,,,,,,XH,Xã hội số,87.5,XH01,2\n")
    semicolons = text.replace(",", ";").replace('"12;5"', "12,5")
    for data in (text.encode("utf-8-sig"), text.encode("utf-16"), semicolons.encode("utf-8")):
        framework = parse_framework(data, CATALOG)
        assert [(g.code, g.weight, g.members) for g in framework.groups] == [
            ("HT", 12.5, (("HT01", 1.0),)), ("XH", 87.5, (("XH01", 2.0),))]
        assert framework.official
    with pytest.raises(FrameworkFileError, match="thiếu cột: group_weight"):
        parse_framework(b"framework_id,framework_name,version,year_from,status,group_code,group_name,indicator\n", CATALOG)
    with pytest.raises(FrameworkFileError, match="Tệp trống"):
        parse_framework(b"", CATALOG)
    with pytest.raises(FrameworkFileError, match="quá lớn"):
        parse_framework(b"x" * 2_000_000, CATALOG)


# ---- what-if weights ---------------------------------------------------------------------------------

def test_weights_are_percentages_summing_to_100():
    six = frameworks_by_id()["six-pillars"]
    assert parse_weights("HT=50, cq=50", six) == {"HT": 50, "NL": 0, "AT": 0, "CQ": 50, "KT": 0, "XH": 0}
    assert parse_weights("HT:12.5,NL:12.5,AT:12.5,CQ:25,KT:18.75,XH:18.75", six)["KT"] == 18.75
    for text, message in (
        ("HT=50,CQ=40", "Tổng các trọng số là 90 %, phải bằng 100 %."),
        ("HT=50,ZZ=50", "Không có nhóm “ZZ” trong bộ khung six-pillars (các nhóm: HT, NL, AT, CQ, KT, XH)."),
        ("HT=-10,CQ=110", "Trọng số của nhóm HT là -10: trọng số không được âm."),
        ("HT=abc", "Trọng số của nhóm HT “abc” không phải là số."),
        ("HT=60,HT=40", "Nhóm HT được ghi hai lần."),
        ("một trăm", "Không hiểu “một trăm”: hãy viết NHÓM=SỐ PHẦN TRĂM, cách nhau bằng dấu phẩy, ví dụ HT=20,XH=30."),
    ):
        with pytest.raises(WeightsError) as raised:
            parse_weights(text, six)
        assert raised.value.message == message


def test_moving_one_slider_keeps_the_sum_at_100():
    official = {"HT": 12.5, "NL": 12.5, "AT": 12.5, "CQ": 25, "KT": 18.75, "XH": 18.75}
    moved = rebalance(official, "CQ", 50)
    assert moved["CQ"] == 50 and sum(moved.values()) == 100
    # the others keep their proportions (KT and XH 1,5 times HT, NL, AT: 12,5 and 8⅓), in quarters
    assert moved["KT"] == moved["XH"] == 12.5 and sorted([moved["HT"], moved["NL"], moved["AT"]]) == [8.25, 8.25, 8.5]
    assert rebalance(moved, "CQ", 100) == {"HT": 0, "NL": 0, "AT": 0, "CQ": 100, "KT": 0, "XH": 0}
    back = rebalance({"HT": 0, "NL": 0, "AT": 0, "CQ": 100, "KT": 0, "XH": 0}, "CQ", 40)
    assert back == {"HT": 12, "NL": 12, "AT": 12, "CQ": 40, "KT": 12, "XH": 12}
    odd = rebalance(official, "HT", 33.3)
    assert sum(odd.values()) == 100 and all(v * 4 == int(v * 4) for v in odd.values())


# ---- the command line ----------------------------------------------------------------------------------

def export(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DTI_STORE": str(tmp_path / "store"),
           "DTI_DATA_DIR": str(FIXTURE_DIR), "DTI_NOW": "2026-11-22T10:00:00+07:00"}
    return subprocess.run([sys.executable, "-m", "queries.export", *args], cwd=ROOT, capture_output=True,
                          timeout=120, env=env)


def test_the_command_line_lists_frameworks_and_ranks_under_what_if_weights(tmp_path):
    listed = export(tmp_path, "frameworks", "--format", "json")
    assert listed.returncode == 0, listed.stderr.decode()
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["name"], r["year_from"], r["year_to"]) for r in rows] == [
        ("six-pillars", "Sáu trụ cột DTI", 2020, None), (EIGHT, "DTI cấp xã: tám nhóm chỉ số", 2026, None)]
    assert [g["code"] for g in rows[1]["groups"]] == ["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]
    cq = rows[0]["groups"][3]
    assert (cq["code"], cq["name"], cq["weight"], cq["share"]) == ("CQ", "Chính quyền số", 200.0, 25.0)
    assert cq["indicators"] == [f"CQ{i:02d}" for i in range(1, 16)]

    base = ("ranking", "--province", "Thử Nghiệm", "--period", "2026-06", "--format", "json")
    today = export(tmp_path, *base)
    same = export(tmp_path, *base, "--framework", "six-pillars")
    assert today.returncode == same.returncode == 0 and today.stdout == same.stdout  # exactly today's ranking
    moved = export(tmp_path, *base, "--weights", "HT=10,NL=10,AT=10,CQ=10,KT=10,XH=50")
    assert moved.returncode == 0, moved.stderr.decode()
    rows = json.loads(moved.stdout)
    assert set(json.loads(today.stdout)[0]) < set(rows[0])  # today's fields, and more
    assert [(r["commune_name"], r["rank"], r["score"], r["official_rank"]) for r in rows[:2]] == [
        ("Xã Đông Hòa", 1, 91.67, 1), ("Xã Dương Minh", 2, 75.0, 1)]
    assert rows[0]["weights"] == {"HT": 10, "NL": 10, "AT": 10, "CQ": 10, "KT": 10, "XH": 50}
    eight = json.loads(export(tmp_path, *base, "--framework", EIGHT).stdout)
    assert [(r["commune_name"], r["score"]) for r in eight][:3] == [("Xã Dương Minh", 75.0), ("Xã Đông Hòa", 75.0),
                                                                   ("Xã An Bình", 62.5)]
    csv_text = export(tmp_path, *base[:-1], "csv", "--weights", "CQ=100").stdout.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Hạng (trọng số giả định),Xã,Tỉnh,Điểm tổng theo trọng số giả định")


@pytest.mark.parametrize("weights, message", [
    ("HT=50,CQ=40", "Lỗi: Tổng các trọng số là 90 %, phải bằng 100 %.\n"),
    ("ZZ=100", "Lỗi: Không có nhóm “ZZ” trong bộ khung six-pillars (các nhóm: HT, NL, AT, CQ, KT, XH).\n"),
    ("HT=-10,CQ=110", "Lỗi: Trọng số của nhóm HT là -10: trọng số không được âm.\n"),
    ("HT=abc", "Lỗi: Trọng số của nhóm HT “abc” không phải là số.\n"),
])
def test_bad_weights_exit_2_with_one_vietnamese_sentence(tmp_path, weights, message):
    result = export(tmp_path, "ranking", "--period", "2026-06", "--format", "json", "--weights", weights)
    assert (result.returncode, result.stdout, result.stderr.decode()) == (2, b"", message)
    assert not (tmp_path / "store" / "cache").exists()  # said before any table was built


def test_an_unknown_framework_is_one_sentence(tmp_path):
    result = export(tmp_path, "ranking", "--framework", "ha-noi", "--format", "json")
    assert result.returncode == 2
    assert result.stderr.decode() == f"Lỗi: Không có bộ khung “ha-noi”. Các bộ khung có: {EIGHT}, six-pillars.\n"


def test_choice_of_the_official_framework_reads_the_stored_ranking():
    six = frameworks_by_id()["six-pillars"]
    assert Choice(six, six.percentages(), True).official


def test_the_meeting_pack_says_which_framework_and_version_the_scores_use(two_years, tmp_path):
    from queries.reports.pack import ranking_table
    from queries.reports.slides import build_deck

    db = Database(store=tmp_path / "store", include_demo=False, data_dir=two_years)
    deck = build_deck(db.run, "Thử Nghiệm", JUNE, settings=db.settings)
    method = deck.slide("phuong-phap").bullets
    assert method[0] == ("Điểm tháng 6/2026 tính theo bộ khung Sáu trụ cột DTI (six-pillars, phiên bản 1; chính thức); "
                         "điểm các năm trước giữ bộ khung đã dùng để tính năm đó.")
    assert "trọng số: HT 100, NL 100, AT 100, CQ 200, KT 150, XH 150." in method[4]
    assert [s.key for s in deck.slides if s.kind == "pillar"] == [f"tru-cot-{c}" for c in ("HT", "NL", "AT", "CQ", "KT", "XH")]

    load_framework(db, LOCAL_ADMIN, (SHIPPED / f"{EIGHT}.csv").read_bytes(), "dti-xa-8-nhom.csv")
    deck = build_deck(db.run, "Thử Nghiệm", JUNE, settings=db.settings)
    assert deck.framework == "DTI cấp xã: tám nhóm chỉ số (dti-xa-8-nhom, phiên bản 1; chưa chính thức)"
    assert [s.title for s in deck.slides if s.kind == "pillar"][:2] == ["Nhận thức số (NT)", "Thể chế số (TC)"]
    assert "Điểm nhóm = trung bình điểm các chỉ tiêu có mục tiêu của xã trong nhóm." in deck.slide("phuong-phap").bullets
    assert list(ranking_table(deck.ranking, deck.groups).columns)[3:11] == ["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]


def test_a_framework_loaded_on_one_machine_scores_on_the_other(two_years, tmp_path, pg_url):
    """On PostgreSQL a load is shared: machine B (its own folder) scores June under the eight
    groups once A has loaded them, without a restart."""
    one = Database(store=tmp_path / "a", include_demo=False, data_dir=two_years)
    two = Database(store=tmp_path / "b", include_demo=False, data_dir=two_years)
    assert scores(two.run("ranking_by_month", period=JUNE, province="Thử Nghiệm"))["Xã An Bình"] != (3, 62.5)
    load_framework(one, LOCAL_ADMIN, (SHIPPED / f"{EIGHT}.csv").read_bytes(), "dti-xa-8-nhom.csv")
    assert scores(two.run("ranking_by_month", period=JUNE, province="Thử Nghiệm"))["Xã An Bình"] == (3, 62.5)
    assert (tmp_path / "b" / "frameworks" / "loads.json").exists()  # copied down from the database


def test_why_this_score_weighs_indicators_as_the_framework_does(two_years, tmp_path):
    """A framework whose group holds two of An Bình's indicators at weights 3 and 1: the profile's
    explanation (ui/scoring.py, Polars) gives the score the tables computed (SQL), and the two
    indicators' shares are 3 : 1."""
    from ui.scoring import explain_score

    db = Database(store=tmp_path / "store", include_demo=False, data_dir=two_years)
    six = (SHIPPED / "six-pillars.csv").read_text(encoding="utf-8").splitlines()
    rows = [six[0], six[1].replace("six-pillars,Sáu trụ cột DTI,1,2020,", "thu-trong-so,Thử trọng số chỉ tiêu,1,2026,")
            .replace("chính thức", "chưa chính thức").replace(",HT01,1", ",HT01,3")]
    rows += [line.replace("six-pillars,", "thu-trong-so,", 1).replace(",NL,,,NL02,", ",NL,Nhân lực số,100,NL02,")
             for line in six[2:] if ",NL01," not in line]
    rows.append("thu-trong-so,,,,,,,HT,,,NL01,1")
    framework = load_framework(db, LOCAL_ADMIN, ("\n".join(rows) + "\n").encode("utf-8"), "thu.csv")
    assert framework.key == "thu-trong-so@1"

    stored = {r["commune_id"]: r["score"] for r in db.run("ranking_by_month", period=JUNE,
                                                          province="Thử Nghiệm").to_dicts()}
    members = db.run("framework_members", framework=framework.key, period=None)
    groups = db.run("framework_groups", framework=framework.key, period=None)
    member_of = dict(zip(members["indicator"], members["group_code"]))
    indicators = db.run("commune_indicators", period=JUNE, commune="thu/an-binh").with_columns(
        pl.col("indicator").replace_strict(member_of, default=None).alias("pillar"))
    explanation = explain_score(indicators, groups, dict(zip(members["indicator"], members["weight"])))
    assert round(explanation.score, 2) == stored["thu/an-binh"]
    assert explanation.indicators["contribution"].sum() == pytest.approx(explanation.score)
    share = dict(zip(explanation.indicators["indicator"], explanation.indicators["share"]))
    assert share["HT01"] == pytest.approx(3 * share["NL01"])
    assert "trung bình có trọng số của điểm các chỉ tiêu" in explanation.text
    # Under equal weights the sentence stays the plain average.
    plain = explain_score(indicators, groups, None)
    assert "trung bình điểm các chỉ tiêu của trụ cột đó" in plain.text
