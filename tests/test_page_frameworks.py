"""The pages that follow the framework of the month, through AppTest: what-if weights on Xếp
hạng, the map on Tổng quan and Trụ cột, a month scored under the eight groups, the method
page, and loading a framework or a province's boundaries on Quản trị."""
from __future__ import annotations

import json
import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from queries.accounts import service
from queries.accounts.audit import audit_events
from queries.accounts.permissions import LOCAL_ADMIN
from queries.accounts.places import Places
from queries.admin_loads import load_framework
from queries.db import Database
from queries.demo.boundaries import demo_communes, raw_files
from queries.settings import DEMO_STORE
from tests.test_pages import (  # noqa: F401
    DEMO,
    MONTH,
    demo_db,
    in_order,
    open_page,
    plotly_specs,
    store,
    text_of,
    vega_with,
)
from ui.markdown import literal

ROOT = Path(__file__).resolve().parents[1]
NOVEMBER = date(2026, 11, 1)
EIGHT = ROOT / "data" / "frameworks" / "dti-xa-8-nhom.csv"


def half_up(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def reference_whatif(db: Database, weights: dict[str, float], province: str = DEMO) -> dict[str, tuple]:
    """{commune name: (rank, score)} under `weights`, by plain arithmetic over the kept group
    scores (not the app's code): the weights' average of the groups with a target (their scores
    as kept, before the 2 decimals pages show), 2 decimals, ties share a rank."""
    groups = db.sql("select commune_id, group_code, group_score from group_scores_cache "
                    "where period = $period and framework_key = 'six-pillars@1'", period=NOVEMBER)
    by_commune: dict[str, list] = {}
    for row in groups.iter_rows(named=True):
        if row["group_score"] is not None:
            by_commune.setdefault(row["commune_id"], []).append((weights[row["group_code"]], row["group_score"]))
    names = dict(zip(*db.run_query("communes_in_province", province=province).select("commune_id", "commune_name")))
    scores = {}
    for commune, pairs in by_commune.items():
        if commune not in names:
            continue
        total = sum(w for w, _ in pairs)
        if total:
            scores[names[commune]] = half_up(round(sum(w * g for w, g in pairs) / total, 9))
    return {name: (1 + sum(other > score for other in scores.values()), score) for name, score in scores.items()}


def whatif_tables(at: AppTest):
    official = next(d.value for d in at.dataframe if "official_rank" in d.value.columns)
    assumed = next(d.value for d in at.dataframe if "change" in d.value.columns and "link" in d.value.columns)
    return official, assumed


def sliders(at: AppTest) -> dict[str, float]:
    return {s.key.removeprefix("xh_w_"): s.value for s in at.select_slider if s.key and s.key.startswith("xh_w_")}


# ---- Xếp hạng: what-if weights ------------------------------------------------------------------

def test_what_if_sliders_keep_100_and_rank_side_by_side(store, demo_db):
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH)
    label = literal("Sáu trụ cột DTI (six-pillars, phiên bản 1; chính thức)")
    assert f"Điểm tháng này tính theo bộ khung **{label}**." in text_of(at)
    at.toggle(key="xh_gia_dinh").set_value(True).run()
    assert not at.exception
    assert sliders(at) == {"HT": 12.5, "NL": 12.5, "AT": 12.5, "CQ": 25.0, "KT": 18.75, "XH": 18.75}
    assert {"12,5 %", "18,75 %", "100 %"} <= set(at.select_slider(key="xh_w_HT").options)  # a decimal comma
    official, assumed = whatif_tables(at)
    ranking = demo_db.run_query("ranking_by_month", period=NOVEMBER, province=DEMO)
    assert official["official_rank"].tolist() == ranking["rank"].to_list()
    assert assumed["rank"].tolist() == ranking["rank"].to_list()  # the official weights: the same ranking
    assert set(assumed["change"]) == {"="}
    assert "trong_so" not in at.query_params

    at.select_slider(key="xh_w_CQ").set_value(60.0).run()
    weights = sliders(at)
    assert weights["CQ"] == 60 and sum(weights.values()) == 100
    assert weights["KT"] == weights["XH"] and weights["HT"] + weights["NL"] + weights["AT"] == 20
    assert at.query_params["trong_so"] == "HT:6.75,NL:6.75,AT:6.5,CQ:60,KT:10,XH:10"
    weights = {c: weights[c] for c in ("HT", "NL", "AT", "CQ", "KT", "XH")}
    expected = reference_whatif(demo_db, weights)
    official, assumed = whatif_tables(at)
    shown = {link.split("#", 1)[1]: (rank, score) for link, rank, score in
             zip(assumed["link"], assumed["rank"], assumed["score"]) if rank == rank}
    assert shown == expected
    assert assumed["rank"].dropna().tolist() == sorted(assumed["rank"].dropna())  # best first
    official_rank = dict(zip(ranking["commune_name"], ranking["rank"]))
    moved = [name for name, (rank, _) in expected.items() if official_rank[name] != rank]
    assert moved
    assert f"{len(moved)} trên 100 xã đổi hạng so với xếp hạng chính thức" in text_of(at)
    assert "Trọng số giả định" in text_of(at) and "không thay đổi số liệu" in text_of(at)
    # nothing stored changed
    assert demo_db.run_query("ranking_by_month", period=NOVEMBER, province=DEMO)["rank"].to_list() == \
        ranking["rank"].to_list()

    at.button(key="xh_w_reset").click().run()
    assert sliders(at)["CQ"] == 25.0 and "trong_so" not in at.query_params


def test_a_shared_address_opens_the_same_what_if_view(store, demo_db):
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH, trong_so="HT:10,NL:10,AT:10,CQ:10,KT:10,XH:50")
    assert at.toggle(key="xh_gia_dinh").value
    assert sliders(at) == {"HT": 10, "NL": 10, "AT": 10, "CQ": 10, "KT": 10, "XH": 50}
    _, assumed = whatif_tables(at)
    expected = reference_whatif(demo_db, {"HT": 10, "NL": 10, "AT": 10, "CQ": 10, "KT": 10, "XH": 50})
    assert {link.split("#", 1)[1]: score for link, score in zip(assumed["link"], assumed["score"])
            if score == score} == {name: score for name, (_, score) in expected.items()}
    assert "HT 10 %, NL 10 %, AT 10 %, CQ 10 %, KT 10 %, XH 50 %" in text_of(at)
    # Weights typed with any decimals stand on the sliders' quarter-percent stops, still 100 in all.
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH, trong_so="HT:33.33,NL:33.33,AT:33.34")
    assert sliders(at) == {"HT": 33.25, "NL": 33.25, "AT": 33.5, "CQ": 0, "KT": 0, "XH": 0} and not at.exception


def test_weights_in_the_address_that_do_not_add_up_are_refused_in_a_sentence(store):
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH, trong_so="HT:90,CQ:90")
    assert not at.exception
    assert any("Tổng các trọng số là 180 %, phải bằng 100 %" in w.value for w in at.warning)
    assert sliders(at)["CQ"] == 25.0  # the official weights


def test_what_if_under_the_eight_groups(store, demo_db):
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH, bo_khung="dti-xa-8-nhom")
    assert not at.exception
    assert sliders(at) == dict.fromkeys(["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"], 12.5)
    _, assumed = whatif_tables(at)
    assert {"NT", "TC"} <= set(assumed.columns)
    label = literal("DTI cấp xã: tám nhóm chỉ số (dti-xa-8-nhom, phiên bản 1; chưa chính thức)")
    assert f"theo bộ khung {label}" in text_of(at)


# ---- the map -----------------------------------------------------------------------------------------

def map_spec(at: AppTest) -> dict:
    return next(s for s in plotly_specs(at) if any(t.get("fill") == "toself" for t in s["data"]))


def with_map(at: AppTest, page: str) -> AppTest:
    """The page with its map switched on (off by default)."""
    at.toggle(key=f"dti_ban_do_{page}").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_overview_map_fills_each_commune_by_its_score_band(store, demo_db):
    at = with_map(open_page("tong_quan", tinh=DEMO, thang=MONTH), "tq")
    spec = map_spec(at)
    fills = [t for t in spec["data"] if t.get("fill") == "toself"]
    centres = [t for t in spec["data"] if t.get("mode") == "markers"][0]
    assert len(centres["customdata"]) == 100 and centres["customdata"][0][1] == DEMO
    ranking = demo_db.run_query("ranking_by_month", period=NOVEMBER, province=DEMO)
    best = ranking.row(0, named=True)
    band = "≥ 90 điểm" if best["score"] >= 90 else "80–90 điểm" if best["score"] >= 80 else "65–80 điểm"
    assert band in [t["name"] for t in fills]
    assert sum(t["x"].count(None) for t in fills) == 100  # one ring a commune
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"
    assert "**Ranh giới minh họa**" in text_of(at)
    # by report status, then the whole country
    at.segmented_control(key="tq-map-mau").set_value("bao_cao").run()
    names = {t["name"] for t in map_spec(at)["data"] if t.get("fill") == "toself"}
    assert names <= {"✅ Đúng hạn", "⏰ Trễ hạn", "❌ Chưa nộp", "⏳ Chưa đến hạn"} and names
    at.segmented_control(key="tq-map-pham-vi").set_value("ca-nuoc").run()
    assert not at.exception
    assert len([t for t in map_spec(at)["data"] if t.get("mode") == "markers"][0]["customdata"]) == 100


def test_the_pillar_page_maps_the_group_and_says_when_a_province_has_no_boundaries(store):
    at = with_map(open_page("tru_cot", tinh=DEMO, thang=MONTH, tru_cot="CQ"), "tc")
    spec = map_spec(at)
    centres = [t for t in spec["data"] if t.get("mode") == "markers"][0]
    assert "Điểm chính quyền số" in centres["hovertext"][0]
    at = with_map(open_page("tru_cot", tinh="Đồng Nai", thang=MONTH, tru_cot="CQ"), "tc")
    assert "Chưa có ranh giới xã của tỉnh Đồng Nai" in "\n".join(i.value for i in at.info)


def test_clicking_a_commune_on_the_map_names_its_profile():
    from ui.maps import clicked

    event = {"selection": {"points": [{"customdata": ["minh-hoa/an-ha", "Minh Họa"], "point_index": 3}]}}
    assert clicked(event) == ("minh-hoa/an-ha", "Minh Họa")
    assert clicked({"selection": {"points": [{"x": 1}]}}) is None and clicked(None) is None


# ---- a month under the eight groups --------------------------------------------------------------

def test_pages_of_a_month_scored_under_the_eight_groups(store):
    load_framework(Database(store=store), LOCAL_ADMIN, EIGHT.read_bytes(), EIGHT.name)
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH)
    table = next(d.value for d in at.dataframe if "link" in d.value.columns)
    assert {"NT", "TC", "HT", "XH"} <= set(table.columns)
    assert "chưa chính thức" in text_of(at)
    at = open_page("tru_cot", tinh=DEMO, thang=MONTH, tru_cot="NT")
    assert not at.exception
    assert "Nhóm Nhận thức số" in text_of(at)
    assert set(at.dataframe[0].value["indicator"]) <= {"NL04", "NL05", "XH08", "XH09"}
    at = open_page("tong_quan", tinh=DEMO, thang=MONTH)
    heat = vega_with(at, "commune_name", "column", "value_text")
    assert in_order([cell["column"] for cell in heat])[1:] == ["Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số",
                                        "An toàn thông tin mạng", "Chính quyền số", "Kinh tế số", "Xã hội số"]
    at = open_page("ho_so_xa", tinh=DEMO, thang=MONTH, xa="minh-hoa/an-ha", muc="vi_sao")
    assert not at.exception
    me = Database(store=store).run("ranking_by_month", period=NOVEMBER, province=DEMO).filter(
        pl.col("commune_id") == "minh-hoa/an-ha").row(0, named=True)
    why = next(d.value for d in at.dataframe if "contribution" in d.value.columns and "weight" in d.value.columns)
    assert set(why["weight"]) == {125.0}  # the eight groups' weights, not the six pillars'
    assert round(why["contribution"].sum(), 2) == me["score"]  # the explanation adds up to the score
    # So sánh draws the eight groups, and both it and Đơn vị chủ trì name the month's groups.
    two = Database(store=store).run("ranking_by_month", period=NOVEMBER, province=DEMO)["commune_id"][:2]
    at = open_page("so_sanh", tinh=DEMO, thang=MONTH, so_sanh=",".join(two))
    assert not at.exception and "8 nhóm chỉ số" in text_of(at)
    specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart")]
    [chart] = [spec for spec in specs if "Nhận thức số" in spec]  # the groups' order
    assert "Thể chế số" in chart
    cells = next(d.value for d in at.dataframe if "indicator" in d.value.columns)
    assert {"Nhận thức số", "Thể chế số"} <= set(cells["pillar_name"])
    at = open_page("don_vi_chu_tri", tinh=DEMO, thang=MONTH)
    assert not at.exception
    offices = next(d.value for d in at.dataframe if "n_behind" in d.value.columns and "indicator" in d.value.columns)
    eight_names = {"Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số", "An toàn thông tin mạng",
                   "Chính quyền số", "Kinh tế số", "Xã hội số", "Đổi mới sáng tạo"}
    assert set(offices["pillar_name"]) <= eight_names
    method = AppTest.from_file(str(ROOT / "app_pages" / "phuong_phap.py"), default_timeout=60).run()
    text = text_of(method)
    assert "| 2025 | Sáu trụ cột DTI | `six-pillars`, phiên bản 1 | chính thức |" in text
    assert f"| 2026 | {literal('DTI cấp xã: tám nhóm chỉ số')} | `dti-xa-8-nhom`, phiên bản 1 | chưa chính thức |" in text


# ---- Quản trị: loading a framework and boundaries ---------------------------------------------------

def admin_page(account) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "quan_tri.py"), default_timeout=60)
    at.session_state["dti_account"] = account
    return at.run()


def test_the_admin_page_loads_a_framework_with_line_by_line_messages(store, monkeypatch):
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    country = service.create_account(LOCAL_ADMIN, store, username="qt.quoc", role="quan_tri",
                                     password=secrets.token_urlsafe(12), name="Quản trị toàn quốc")
    at = admin_page(country)
    broken = EIGHT.read_text(encoding="utf-8").replace(",NT,Nhận thức số,125,NL04,", ",NT,Nhận thức số,-1,ZZ01,")
    at.get("file_uploader")[0].set_value(("bo-khung.csv", broken.encode("utf-8"), "text/csv"))
    at.run()
    at.button(key="qt-khung-nap").click().run()
    assert [e.value for e in at.error][0].startswith("Tệp bộ khung có 3 lỗi, chưa nạp gì: Dòng 2: trọng số nhóm NT phải là số dương")
    assert not (store / "frameworks").exists()
    at.get("file_uploader")[0].set_value(("bo-khung.csv", EIGHT.read_bytes(), "text/csv"))
    at.run()
    at.button(key="qt-khung-nap").click().run()
    label = literal("DTI cấp xã: tám nhóm chỉ số (dti-xa-8-nhom, phiên bản 1)")
    assert any(f"Đã nạp {label}: tính điểm từ năm 2026" in s.value for s in at.success)
    assert [e["details"]["framework"] for e in audit_events(store) if e["action"] == "framework_loaded"] == [
        "dti-xa-8-nhom@1"]


def test_a_province_uploads_its_boundaries_and_sees_the_unmatched_ones(store, monkeypatch):
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    db = Database(store=store)
    admin = service.create_account(LOCAL_ADMIN, store, username="qt.minhhoa", role="quan_tri",
                                   password=secrets.token_urlsafe(12), name="QT Minh Họa", provinces=[DEMO],
                                   places=Places.from_database(db))
    raw = raw_files(demo_communes(DEMO_STORE))[DEMO]
    raw["features"][0]["properties"]["ten_xa"] = "Xã Không Có Thật"
    raw["features"][1]["properties"]["ten_xa"] = "Xã Cũng Không Có"
    at = admin_page(admin)
    uploader = [u for u in at.get("file_uploader") if "ranh giới" in u.label][0]
    uploader.set_value(("ranh-gioi.geojson", json.dumps(raw, ensure_ascii=False).encode("utf-8"), "application/json"))
    at.run()
    at.button(key="qt-bd-nap").click().run()
    assert not at.exception and not at.error
    assert any("Đã lưu ranh giới 98 xã của tỉnh Minh Họa (đơn giản hóa:" in s.value for s in at.success)
    warning = "\n".join(w.value for w in at.warning)
    assert "2 vùng trong tệp không khớp xã nào của tỉnh Minh Họa" in warning
    assert "Xã Không Có Thật" in warning and "Xã Cũng Không Có" in warning
    assert any("2 xã của tỉnh chưa có ranh giới" in i.value for i in at.info)
    stored = json.loads((store / "boundaries" / "minh-hoa.geojson").read_text(encoding="utf-8"))
    assert len(stored["features"]) == 98 and stored["illustrative"] is False
    [event] = [e for e in audit_events(store) if e["action"] == "boundaries_loaded"]
    assert (event["user"], event["details"]["matched"], len(event["details"]["unmatched"])) == ("qt.minhhoa", 98, 2)
