"""Tasks, spending and the year-end projection on the pages, through AppTest:
the Nhiệm vụ page (counts, overdue first, a commune officer setting a status, read-only for a
leader), the Kinh phí page (Định Tiến 2024: 8 lines, 481.179.000 đ), the tasks of each lead
unit, the commune profile's tasks, spending and projection, and the projection on Tổng quan.
"""
from __future__ import annotations

import secrets
from datetime import date

import polars as pl
import pytest

from queries.accounts import service
from queries.accounts.permissions import CAN_BO_XA, LANH_DAO, LOCAL_ADMIN
from queries.accounts.places import Places
from queries.changes import Refused, set_task_status
from queries.db import Database
from queries.status import PROJECTION_COLORS
from tests.test_page_cycle import open_page
from tests.test_pages import (  # noqa: F401
    ONE,
    metrics,
    single_commune,
    store,
    table_with,
    text_of,
    vega_chart_with,
)
from ui.format import split_units

NGHIA_HANH = "quang-ngai/nghia-hanh"
TODAY = date(2026, 11, 22)


@pytest.fixture
def shipped(store, monkeypatch) -> Database:
    """The shipped plans (Nghĩa Hành's 28 tasks, Định Tiến's spending) over an empty store."""
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    return Database(store=store)


def make_account(db: Database, username: str, role: str, **scope):
    return service.create_account(LOCAL_ADMIN, db.store.root, username=username, role=role,
                                  password=secrets.token_urlsafe(12), name=f"Người {username}",
                                  places=Places.from_database(db), **scope)


def tasks_now(db: Database, as_of: date = TODAY) -> pl.DataFrame:
    return db.run_query("tasks_status", as_of=as_of, province=None, commune=NGHIA_HANH)


# ---- Nhiệm vụ ----------------------------------------------------------------------------------------
def test_tasks_page_counts_and_puts_overdue_first(shipped):
    at = open_page("nhiem_vu", tinh="Quảng Ngãi")
    expected = tasks_now(shipped)
    counts = dict(expected.group_by("status_label").len().iter_rows())
    shown = metrics(at)
    assert shown["⛔ Quá hạn"][0] == str(counts.get("Quá hạn", 0)) != "0"
    assert shown["⬜ Chưa bắt đầu"][0] == str(counts.get("Chưa bắt đầu", 0))
    assert shown["✅ Hoàn thành"][0] == "0" and shown["🔄 Đang thực hiện"][0] == "0"
    tasks = table_with(at, "deadline_shown")
    assert len(tasks) == 28
    overdue = tasks["status_text"].str.startswith("⛔ Quá hạn")
    n_overdue = int(overdue.sum())
    assert overdue.tolist() == [True] * n_overdue + [False] * (28 - n_overdue)  # overdue first
    days = [int(t.split()[3]) for t in tasks["status_text"][:n_overdue]]
    assert days == sorted(days, reverse=True)  # longest overdue first
    first = expected.sort("days_overdue", descending=True, nulls_last=True).row(0, named=True)
    assert tasks.iloc[0]["item"] == first["item"]
    assert tasks.iloc[0]["deadline_shown"] == f"{first['deadline']:%d/%m/%Y} ({first['deadline_text']})"
    assert "Thường xuyên" in tasks["deadline_shown"].tolist()  # recurring tasks are never overdue
    # by lead unit, spelling variants of one office together
    units = table_with(at, "office")
    assert "Phòng Văn hóa - Xã hội" in units["office"].tolist() and "PhòngVH-XH" not in units["office"].tolist()
    assert units["n_0"].is_monotonic_decreasing
    assert int(units["n_0"].sum()) >= n_overdue
    assert "không ai ghi tay" in text_of(at)
    assert "Đăng nhập bằng tài khoản cán bộ xã hoặc Quản trị tỉnh" in text_of(at)


def test_commune_officer_sets_a_task_status(shipped):
    officer = make_account(shipped, "cb.nghiahanh", CAN_BO_XA, communes=[NGHIA_HANH])
    at = open_page("nhiem_vu", officer, tinh="Quảng Ngãi")
    before = metrics(at)["⛔ Quá hạn"][0]
    key = f"{NGHIA_HANH}|2025|1.1"  # due 30/09/2025, overdue today
    at.selectbox(key="nv_task").select(key).run()
    at.selectbox(key=f"nv_status_{key}").select("hoan_thanh").run()
    at.date_input(key=f"nv_done_{key}").set_value(date(2025, 9, 20)).run()
    at.button(key="nv_save").click().run()
    assert not at.exception and not at.error
    assert "Đã ghi “Hoàn thành” cho mục 1.1 (Xã Nghĩa Hành)." in [s.value for s in at.success]
    shown = metrics(at)
    assert shown["✅ Hoàn thành"][0] == "1" and int(shown["⛔ Quá hạn"][0]) == int(before) - 1
    tasks = table_with(at, "deadline_shown")
    done = tasks[tasks["item"] == "1.1"].iloc[0]
    assert done["status_text"] == "✅ Hoàn thành 20/09/2025" and tasks.iloc[-1]["item"] == "1.1"  # done last
    # stored as a one-row upload by the officer, seen by the query
    row = tasks_now(shipped).filter(pl.col("item") == "1.1").row(0, named=True)
    assert (row["status"], row["completed_on"], row["is_overdue"]) == ("hoan_thanh", date(2025, 9, 20), False)
    assert shipped.sql("select \"user\" from uploads where kind = 'tasks'")["user"].to_list() == ["cb.nghiahanh"]


def test_tasks_are_read_only_for_a_leader_and_another_communes_officer(shipped):
    leader = make_account(shipped, "ld.quangngai", LANH_DAO, provinces=["Quảng Ngãi"])
    at = open_page("nhiem_vu", leader, tinh="Quảng Ngãi")
    assert not [b for b in at.button if b.key == "nv_save"] and not [s for s in at.selectbox if s.key == "nv_task"]
    assert "tài khoản của bạn chỉ xem được" in text_of(at)
    with pytest.raises(Refused, match="Lãnh đạo chỉ được xem"):  # and the rule itself refuses, not only the page
        set_task_status(shipped, leader, NGHIA_HANH, 2025, "1.1", "hoan_thanh", date(2025, 9, 20))
    other = make_account(shipped, "cb.sontay", CAN_BO_XA, communes=["quang-ngai/son-tay"])
    assert not [b for b in open_page("nhiem_vu", other, tinh="Quảng Ngãi").button if b.key == "nv_save"]


def test_tasks_page_without_tasks_says_where_there_are(shipped):
    at = open_page("nhiem_vu", tinh="Minh Họa")
    assert "Tỉnh Minh Họa chưa có kế hoạch nhiệm vụ nào" in text_of(at)
    assert "Tỉnh có nhiệm vụ: Quảng Ngãi" in text_of(at)
    assert not at.dataframe


# ---- Kinh phí ------------------------------------------------------------------------------------------
def test_spending_page_of_dinh_tien(shipped):
    at = open_page("kinh_phi", tinh="Thanh Hóa")
    shown = metrics(at)
    assert shown["Đã chi"][0] == "481.179.000 đ"
    assert shown["Dự toán"][0] == "–"  # the plan reports what was spent, not a budget
    assert shown["Số khoản chi"][0] == "8" and shown["Số xã có số liệu"][0] == "1"
    totals = table_with(at, "n_items")
    assert totals[["commune_name", "year", "n_items", "planned_text", "spent_text"]].values.tolist() == [
        ["Xã Định Tiến", 2024, 8, "–", "481.179.000"]]
    lines = table_with(at, "item")
    assert len(lines) == 8 and sum(int(t.replace(".", "")) for t in lines["spent_text"]) == 481_179_000
    assert lines.iloc[0][["item", "planned_text", "spent_text"]].tolist() == ["Chi camera an ninh", "–", "350.000.000"]
    at.selectbox(key="kp_nam").select(2024).run()
    assert metrics(at)["Đã chi"][0] == "481.179.000 đ" and "Năm 2024" in text_of(at)


def test_spending_page_without_spending(shipped):
    at = open_page("kinh_phi", tinh="Đồng Nai")
    assert "Tỉnh Đồng Nai chưa có số liệu kinh phí nào. Tỉnh có số liệu kinh phí: Thanh Hóa." in text_of(at)
    assert not at.dataframe


# ---- the profile's tasks and spending, the lead units' tasks --------------------------------------------
def test_profile_shows_tasks_and_spending(shipped):
    at = open_page("ho_so_xa", tinh="Quảng Ngãi", thang="2025-12", xa=NGHIA_HANH, muc="ke_hoach")
    as_of = date(2025, 12, 31)  # the end of the month looked at
    tasks = table_with(at, "deadline_shown")
    expected = tasks_now(shipped, as_of)
    assert len(tasks) == 28
    assert int(tasks["status_text"].str.startswith("⛔").sum()) == expected["is_overdue"].sum()
    assert "tình hình đến ngày 31/12/2025" in text_of(at)
    assert "commune_name" not in tasks.columns  # one commune: no commune column

    spending = open_page("ho_so_xa", tinh="Thanh Hóa", thang="2025-12", xa="thanh-hoa/dinh-tien", muc="ke_hoach")
    assert "**Năm 2024**: 8 khoản, đã chi **481.179.000 đ**" in text_of(spending)
    assert len(table_with(spending, "item")) == 8


def test_lead_units_page_lists_each_units_tasks(shipped):
    at = open_page("don_vi_chu_tri", tinh="Quảng Ngãi", thang="2025-12", don_vi="Phòng Văn hóa - Xã hội")
    summary = table_with(at, "n_0")
    expected = tasks_now(shipped, date(2025, 12, 31)).with_columns(
        pl.col("lead_unit").map_elements(split_units, return_dtype=pl.List(pl.Utf8))).explode("lead_unit")
    culture = expected.filter(pl.col("lead_unit") == "Phòng Văn hóa - Xã hội")
    row = summary[summary["office"] == "Phòng Văn hóa - Xã hội"].iloc[0]
    assert row["n"] == culture.height and row["n_0"] == culture["is_overdue"].sum()
    assert summary["n_0"].is_monotonic_decreasing
    mine = table_with(at, "deadline_shown")
    assert len(mine) == culture.height
    assert f"**Phòng Văn hóa - Xã hội** chủ trì {culture.height} nhiệm vụ, **{culture['is_overdue'].sum()} quá hạn**" \
        in text_of(at)


# ---- the projection ---------------------------------------------------------------------------------------
def test_profile_projection_table_and_chart(single_commune):
    """HT01 rises 3 points a month from 40 (January) to 70 (November): 73 % in December, short
    of ≥ 80 %; CQ01 stays at 60 % (≥ 50 %): met; HT04 has one month only: not enough data."""
    at = open_page("ho_so_xa", tinh="Thử Nghiệm", thang="2026-11", xa=ONE, muc="du_bao")
    table = table_with(at, "projected_text")
    by_code = {r["indicator"]: r for r in table.to_dict("records")}
    assert (by_code["HT01"]["projected_text"], by_code["HT01"]["status_text"]) == ("73 %", "⚠️ Dự kiến không đạt")
    assert by_code["HT01"]["n_values"] == 11
    assert (by_code["NL01"]["projected_text"], by_code["NL01"]["status_text"]) == ("72 %", "⚠️ Dự kiến không đạt")
    assert (by_code["CQ01"]["projected_text"], by_code["CQ01"]["status_text"]) == ("60 %", "✅ Dự kiến đạt")
    assert by_code["HT04"]["status_text"] == "❔ Chưa đủ dữ liệu dự báo" and by_code["HT04"]["projected_text"] == "–"
    assert table["status_text"].tolist()[0] == "⚠️ Dự kiến không đạt"  # the misses first
    assert "**2/6 chỉ tiêu** dự kiến không đạt mục tiêu năm 2026" in text_of(at)
    # the chart of the first miss (Vega-Lite, no Plotly on the page): values, the dashed line to
    # December ending at 73, the diamond with its number, the dotted target
    assert not at.get("plotly_chart")
    spec, rows = vega_chart_with(at, "role", "series", "y_text")
    part = {role: rows.filter(pl.col("role") == role) for role in ("values", "trend", "end", "target")}
    assert part["values"]["y"].to_list() == [40 + 3 * m for m in range(11)]
    assert part["values"]["series"][0] == "Giá trị đã báo cáo"
    trend = part["trend"]
    assert trend["series"][0] == "Xu hướng, dự báo tới tháng 12"
    assert trend["y"][-1] == pytest.approx(73) and trend["period"][-1].startswith("2026-12-01")
    assert part["end"]["y_text"].to_list() == ["73 %"] and part["end"]["period"][0].startswith("2026-12-01")
    assert part["end"]["series"][0] == "⚠️ Dự kiến không đạt"
    assert part["target"]["y"].to_list() == [80, 80]
    assert part["target"]["series"][0] == "Mục tiêu năm: ≥ 80%"
    assert part["target"]["tip"][0] == "Mục tiêu năm 2026: ≥ 80%"
    scales = {name: enc["scale"] for layer in spec["layer"] for name, enc in layer["encoding"].items()
              if isinstance(enc, dict) and "scale" in enc and enc.get("field") == "series"}
    looks = {series: (colour, dash, shape) for series, colour, dash, shape in zip(
        scales["color"]["domain"], scales["color"]["range"], scales["strokeDash"]["range"], scales["shape"]["range"])}
    assert looks["Xu hướng, dự báo tới tháng 12"][1] == [6, 4]  # dashed
    assert looks["Mục tiêu năm: ≥ 80%"][1] == [2, 3]  # dotted
    assert looks["⚠️ Dự kiến không đạt"][2] == "diamond"
    assert looks["⚠️ Dự kiến không đạt"][0] == looks["Xu hướng, dự báo tới tháng 12"][0] == PROJECTION_COLORS[
        "Dự kiến không đạt"]
    assert any(layer["mark"]["type"] == "text" and layer["encoding"]["text"]["field"] == "y_text"
               for layer in spec["layer"])  # the projected value written beside its diamond


@pytest.mark.parametrize("language, no, yes", [("vi", "Chưa", "Có"), ("en", "No", "Yes")])
def test_projection_of_a_yes_no_indicator_reads_no_and_yes(language, no, yes):
    from queries import i18n
    from ui import plan_charts

    points = pl.DataFrame({"month_number": [1, 2, 3], "value": [0.0, 1.0, 1.0]})
    projection = {"year": 2026, "unit": "yes_no", "slope": 0.5, "intercept": -0.3, "projected_year_end": 1.0,
                  "projected_status": "Dự kiến đạt", "target": 1.0, "target_text": "Có"}
    with i18n.use_language(language):
        spec = plan_charts.projection_chart(points, projection, "").to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    assert y["axis"]["values"] == [0, 1]
    assert y["axis"]["labelExpr"] == f'datum.value < 0.5 ? "{no}" : "{yes}"'
    assert y["scale"]["domain"][0] < 0 and y["scale"]["domain"][1] > 1  # the ticks are not on the frame
    assert spec["config"]["locale"]["number"]["decimal"] == ("," if language == "vi" else ".")


def test_overview_projection_by_pillar(single_commune):
    at = open_page("tong_quan", tinh="Thử Nghiệm", thang="2026-11")
    by_pillar = table_with(at, "n_missed")
    rows = {r["pillar_name"]: (r["n_missed"], r["n_met"], r["n_unknown"]) for r in by_pillar.to_dict("records")}
    # HT01 and NL01 heading for a miss, CQ01 met; HT04 (one month) and CQ07 (none) not enough data
    assert rows == {"Hạ tầng số": (1, 0, 1), "Nhân lực số": (1, 0, 0), "Chính quyền số": (0, 1, 1)}
    assert metrics(at)["⚠️ Dự kiến không đạt"] == ("66,7 %", "2/3 lượt chỉ tiêu")
    assert "Cách dự báo" in " ".join(link.proto.label for link in at.get("page_link"))
