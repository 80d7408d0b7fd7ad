"""The monthly reporting cycle on the pages, through AppTest: the Tình hình báo cáo
grid (on time, late by N days, missing, not yet due), whom to call, the province admin's
review with its evidence files and the comment then shown on the commune's profile, the
leader's read-only view, this month's count on Tổng quan, and the uploader on the profile.

The store holds uploads made here with stated receipt times; the day is the tests' day
(DTI_NOW = 22/11/2026 10:00, Vietnam time): October's report was due on 20/11, November's
is not yet due.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from queries.accounts import service
from queries.accounts.permissions import CAN_BO_XA, LANH_DAO, LOCAL_ADMIN, QUAN_TRI
from queries.accounts.places import Places
from queries.clock import VIETNAM
from queries.db import Database
from queries.store import ROW_SCHEMAS
from tests.markdown_check import links, shown
from tests.test_pages import (  # noqa: F401 (store: a fixture)
    ROOT,
    _reset_caches,
    _use_database,
    in_order,
    metrics,
    store,
    table_with,
    text_of,
    vega_count,
    vega_with,
)
from tests.upload_data import make_data_dir

DAI_PHUOC, MINH_DUC, PHU_MY = "dong-nai/dai-phuoc", "dong-nai/minh-duc", "dong-nai/phu-my"
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
COMMENT = "Bổ sung biên bản kiểm tra điện thoại thông minh của thôn 3"


def vn(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=VIETNAM)


def report(db: Database, commune: str, period: date, received: datetime, value: float, *, user: str,
           evidence: list[dict] = ()) -> str:
    rows = pl.DataFrame([{"row_number": 2, "commune_id": commune, "indicator": "XH05", "period": period,
                          "value": value, "numerator": None, "denominator": None, "note": None}],
                        schema=ROW_SCHEMAS["actuals"], orient="row")
    return db.store.add_upload("actuals", rows, file_name=f"bao-cao-{period:%Y-%m}.xlsx", user=user,
                               content=f"{commune}{period}{received}".encode(), received_at=received,
                               evidence=list(evidence)).upload_id


@pytest.fixture
def cycle_db(tmp_path, monkeypatch):
    """Đồng Nai's three communes (two with a 2026 target) and these reports:
    Đại Phước: September on 15/10 and October on 19/11 23:00, both on time, October with a PDF;
    Minh Đức: September on 23/10 (late by 4 days), nothing for October;
    Phú Mỹ: nothing."""
    store = tmp_path / "store"
    monkeypatch.setenv("DTI_STORE", str(store))
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    db = Database(store=store, include_demo=False, data_dir=make_data_dir(tmp_path / "data"), snapshots=False)
    sha = db.store.put_blob(PDF)
    report(db, DAI_PHUOC, SEPTEMBER, vn(15, 10), 70.0, user="cb.daiphuoc")
    report(db, DAI_PHUOC, OCTOBER, vn(19, 11, 23), 72.5, user="cb.daiphuoc",
           evidence=[{"name": "bien-ban-thang-10.pdf", "sha256": sha, "type": "pdf", "size": len(PDF)}])
    report(db, MINH_DUC, SEPTEMBER, vn(23, 10), 66.0, user="cb.minhduc")
    _use_database(monkeypatch, db)
    yield db
    _reset_caches()


def account(db: Database, username: str, role: str, **scope):
    return service.create_account(LOCAL_ADMIN, db.store.root, username=username, role=role,
                                  password=secrets.token_urlsafe(12), name=f"Người {username}",
                                  places=Places.from_database(db), **scope)


def open_page(page: str, who=None, **params: str) -> AppTest:
    """dashboard.py as a browser opens it (the navigation of this person), then the page."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if who is not None:
        at.session_state["dti_account"] = who
    at.query_params.update({k: v for k, v in params.items() if k in ("tinh", "thang")})
    at.run()
    if page != "tong_quan":
        at.query_params.update(params)
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def row_of(frame, name: str) -> dict:
    return frame[frame["commune_name"] == name].iloc[0].to_dict()


# ---- the grid and whom to call -------------------------------------------------------------------
def grid_rows(at: AppTest) -> list[dict]:
    """The cells of the communes × months grid, from its Vega-Lite data."""
    return vega_with(at, "commune_name", "month_label", "detail")


def report_cells(at: AppTest) -> dict[tuple[str, str], str]:
    """(commune, month) -> the words of the grid's tooltip."""
    return {(c["commune_name"], c["month_label"]): c["detail"].split(" · ")[0] for c in grid_rows(at)}


def test_grid_shows_on_time_late_missing_and_not_yet_due(cycle_db):
    at = open_page("tinh_hinh_bao_cao", tinh="Đồng Nai", thang="2026-11", muc="muoi_hai_thang")
    cells = report_cells(at)
    # the months from the province's first (January, its targets' year) to the chosen one
    grid = grid_rows(at)
    assert in_order([c["month_label"] for c in grid]) == [f"{m:02d}/2026" for m in range(1, 12)]
    assert in_order([c["commune_name"] for c in grid])[-1] == "Xã Đại Phước"  # fewest months on time first
    assert [cells[("Xã Đại Phước", m)] for m in ("09/2026", "10/2026", "11/2026")] == [
        "✅ Đúng hạn", "✅ Đúng hạn", "⏳ Chưa đến hạn"]
    assert [cells[("Xã Minh Đức", m)] for m in ("09/2026", "10/2026")] == ["⏰ Trễ 4 ngày", "❌ Chưa nộp"]
    assert cells[("Xã Phú Mỹ", "08/2026")] == "❌ Chưa nộp" and cells[("Xã Phú Mỹ", "11/2026")] == "⏳ Chưa đến hạn"
    cell = {(c["commune_name"], c["month_label"]): c for c in grid}
    # icon (and days late) in the cell, the colour behind it the status's, its legend icon and words
    assert [(cell[("Xã Minh Đức", m)]["icon"], cell[("Xã Minh Đức", m)]["days"]) for m in ("09/2026", "10/2026")] == [
        ("⏰", "4"), ("❌", "")]
    assert [cell[("Xã Minh Đức", m)]["status_name"] for m in ("09/2026", "10/2026")] == ["⏰ Trễ (số ngày)", "❌ Chưa nộp"]
    assert (cell[("Xã Đại Phước", "11/2026")]["icon"], cell[("Xã Đại Phước", "11/2026")]["status_name"]) == (
        "⏳", "⏳ Chưa đến hạn")
    assert "nhận 23/10/2026 09:00" in cell[("Xã Minh Đức", "09/2026")]["detail"]
    assert not at.get("plotly_chart") and vega_count(at) >= 1  # no plotly.js: the grid is Vega-Lite
    # on-time rate over the months already due (January–October: ten), November left out
    table = table_with(at, "n_on_time")
    dai_phuoc, minh_duc = row_of(table, "Xã Đại Phước"), row_of(table, "Xã Minh Đức")
    assert dai_phuoc["on_time_rate"] == pytest.approx(2 / 10) and dai_phuoc["n_on_time"] == 2
    assert (minh_duc["on_time_rate"], minh_duc["n_late"], minh_duc["n_missing"]) == (0, 1, 9)
    assert dai_phuoc["11/2026"] == "⏳ Chưa đến hạn"
    assert not at.metric  # the month's figures are the first part's (a tab of their own)
    # November is not due yet: no commune is "missing" it
    at.query_params["muc"] = "thang"
    at.run()
    shown = metrics(at)
    assert shown["⏳ Chưa gửi"] == ("3", "chưa đến hạn") and "❌ Chưa nộp" not in shown
    assert shown["✅ Đúng hạn"][0] == "0"
    text = text_of(at)
    assert "trước ngày 20 tháng M+1" in text and "khóa sổ ngày 30/11/2026" in text  # the rule, settings in force


def test_a_province_of_a_hundred_communes_is_shown_fifty_a_page(store):
    """The demo province's 100 communes: the grid and the communes' table show the same 50 at a
    time, in the table's order (fewest months on time first); the second page the other 50; the
    download keeps the whole province."""
    at = open_page("tinh_hinh_bao_cao", tinh="Minh Họa", thang="2026-11", muc="muoi_hai_thang")
    pager = at.selectbox(key="bc-page")
    assert pager.options == ["1–50 / 100", "51–100 / 100"]
    grid = grid_rows(at)
    first = table_with(at, "n_on_time")
    rows = in_order([c["commune_name"] for c in grid])
    assert len(rows) == 50 and first["commune_name"].tolist() == rows
    assert len(in_order([c["month_label"] for c in grid])) == 12 and len(first) == 50

    pager.select(50).run()
    assert not at.exception
    rows = in_order([c["commune_name"] for c in grid_rows(at)])
    second = table_with(at, "n_on_time")
    assert second["commune_name"].tolist() == rows and len(second) == 50
    assert set(first["commune_name"]).isdisjoint(second["commune_name"])
    rates = [r if r == r else 2.0 for r in first["on_time_rate"].tolist() + second["on_time_rate"].tolist()]
    assert rates == sorted(rates)  # one order across the pages (a commune with no month due last)

    # every province at once is not a grid anyone reads: the page shows one province
    nation = open_page("tinh_hinh_bao_cao", tinh="tat-ca", thang="2026-11", muc="muoi_hai_thang")
    assert nation.selectbox(key="dti_tinh").value != "tat-ca"
    assert len(in_order([c["commune_name"] for c in grid_rows(nation)])) <= 50


def test_communes_to_call_are_those_missing_or_late_for_the_month_last_due(cycle_db):
    at = open_page("tinh_hinh_bao_cao", tinh="Đồng Nai", thang="2026-11")
    calls = table_with(at, "units")
    # November is not due: October is the month to chase
    assert "Xã chưa nộp hoặc nộp trễ báo cáo tháng 10/2026 (tháng gần nhất đã qua hạn, hạn 20/11/2026)" in text_of(at)
    assert calls["commune_name"].tolist() == ["Xã Minh Đức", "Xã Phú Mỹ"]
    assert calls["report_text"].tolist() == ["❌ Chưa nộp", "❌ Chưa nộp"]
    assert calls["units"].tolist() == ["Phòng Văn hóa - Xã hội", "(chưa giao đơn vị chủ trì)"]
    assert "**2 xã** cần nhắc: 2 chưa nộp, 0 nộp trễ." in text_of(at)

    september = open_page("tinh_hinh_bao_cao", tinh="Đồng Nai", thang="2026-09")
    calls = table_with(september, "units")
    assert calls["commune_name"].tolist() == ["Xã Phú Mỹ", "Xã Minh Đức"]  # missing before late
    assert calls["report_text"].tolist() == ["❌ Chưa nộp", "⏰ Trễ 4 ngày"]
    shown = metrics(september)
    assert shown["✅ Đúng hạn"][0] == "1/3" and shown["⏰ Trễ hạn"][0] == "1" and shown["❌ Chưa nộp"][0] == "1"


def test_overview_counts_this_months_reports(cycle_db):
    october = open_page("tong_quan", tinh="Đồng Nai", thang="2026-10")
    shown = metrics(october)
    assert shown["✅ Đúng hạn"][0] == "1"
    assert shown["⏰ Trễ hạn"][0] == "0" and shown["❌ Chưa nộp"][0] == "2"
    assert "**Báo cáo tháng 10/2026** · hạn nộp: trước ngày 20/11/2026" in text_of(october)
    assert "Cơ sở tính điểm: mọi số liệu đã nhận" in text_of(october)
    november = open_page("tong_quan", tinh="Đồng Nai", thang="2026-11")
    assert metrics(november)["⏳ Chưa gửi"] == ("3", "chưa đến hạn")
    assert "**Báo cáo tháng 11/2026** · hạn nộp: trước ngày 20/12/2026 (chưa đến hạn)" in text_of(november)


# ---- the review ------------------------------------------------------------------------------------
def test_admin_asks_for_more_and_the_commune_sees_the_comment(cycle_db):
    admin = account(cycle_db, "qt.dongnai", QUAN_TRI, provinces=["Đồng Nai"])
    service.create_account(LOCAL_ADMIN, cycle_db.store.root, username="cb.daiphuoc", role=CAN_BO_XA,
                           name="Nguyễn Thị Phước", password=secrets.token_urlsafe(12),
                           places=Places.from_database(cycle_db), communes=[DAI_PHUOC])
    at = open_page("tinh_hinh_bao_cao", admin, tinh="Đồng Nai", thang="2026-11", muc="tham_dinh")
    at.selectbox(key="bc_review_month_2026-11-01").select(OCTOBER).run()
    # the work list: communes awaiting review first
    assert at.selectbox(key="bc_review_commune").options[0].startswith("Xã Đại Phước — 🕓 Chờ thẩm định")
    at.selectbox(key="bc_review_commune").select(DAI_PHUOC).run()
    declared = table_with(at, "uploader")
    assert declared[["indicator", "value_text", "uploader", "received_at_vn", "n_evidence"]].values.tolist() == [
        ["XH05", "72,5 %", "Nguyễn Thị Phước", "19/11/2026 23:00", 1]]  # the person, never the user name
    downloads = [shown(b.proto.label) for b in at.get("download_button")]
    assert any("bien-ban-thang-10.pdf (PDF" in label for label in downloads)
    assert "✅ Đúng hạn (nhận lúc 19/11/2026 23:00)" in text_of(at)

    # asking for more without saying what is refused, in Vietnamese
    at.radio(key="bc_review_status").set_value("yeu_cau_bo_sung")
    at.button(key="bc_review_save").click().run()
    assert [e.value for e in at.error] == ["Hãy ghi rõ Xã Đại Phước cần bổ sung gì cho tháng 10/2026."]
    assert cycle_db.sql("select count(*) as n from reviews")["n"][0] == 0

    at.text_area(key="bc_review_comment").input(COMMENT)
    at.button(key="bc_review_save").click().run()
    assert not at.exception and not at.error
    assert "Đã ghi “Yêu cầu bổ sung” cho Xã Đại Phước, tháng 10/2026." in [s.value for s in at.success]
    stored = cycle_db.sql("select * from month_reviews").row(0, named=True)
    assert (stored["commune_id"], stored["period"], stored["review_status"], stored["comment"], stored["reviewer"]) == (
        DAI_PHUOC, OCTOBER, "yeu_cau_bo_sung", COMMENT, "qt.dongnai")

    # the commune's profile shows the state and the province's comment
    profile = open_page("ho_so_xa", tinh="Đồng Nai", thang="2026-10", xa=DAI_PHUOC)
    text = text_of(profile)
    assert "**Thẩm định của tỉnh:** 📝 Yêu cầu bổ sung" in text
    assert f"**Tỉnh yêu cầu bổ sung số liệu tháng 10/2026:** {COMMENT}" in text
    assert "qt.dongnai" in shown(text)
    # and the review column of the communes' table
    grid = table_with(open_page("tinh_hinh_bao_cao", tinh="Đồng Nai", thang="2026-10", muc="muoi_hai_thang"), "n_on_time")
    assert row_of(grid, "Xã Đại Phước")["review_text"] == "📝 Yêu cầu bổ sung"
    assert row_of(grid, "Xã Phú Mỹ")["review_text"] == "– (chưa có số liệu)"


def test_leader_sees_review_states_without_the_review_form(cycle_db):
    cycle_db.store.add_review(MINH_DUC, SEPTEMBER, "yeu_cau_bo_sung", user="qt.dongnai", comment=COMMENT)
    leader = account(cycle_db, "ld.dongnai", LANH_DAO, provinces=["Đồng Nai"])
    at = open_page("tinh_hinh_bao_cao", leader, tinh="Đồng Nai", thang="2026-10", muc="tham_dinh")
    assert not at.radio and not [b for b in at.button if b.key == "bc_review_save"]
    assert "Chỉ tài khoản Quản trị tỉnh của tỉnh này thẩm định được" in text_of(at)
    asked = table_with(at, "comment")
    assert asked[["commune_name", "comment"]].values.tolist() == [["Xã Minh Đức", COMMENT]]
    # an admin of another province is not offered Đồng Nai at all (nor its review)
    other = account(cycle_db, "qt.thanhhoa", QUAN_TRI, provinces=["Thanh Hóa"])
    theirs = open_page("tinh_hinh_bao_cao", other, tinh="Đồng Nai", thang="2026-10")
    assert theirs.selectbox(key="dti_tinh").options == ["Thanh Hóa"] and theirs.query_params["tinh"] == "Thanh Hóa"


# ---- provenance and evidence on the profile ----------------------------------------------------------
def test_profile_names_the_uploader_and_the_evidence_of_each_value(cycle_db):
    # Anyone may read the profile: it names people, never their user names.
    for username, role, name, scope in (("cb.daiphuoc", CAN_BO_XA, "Nguyễn Thị Phước", {"communes": [DAI_PHUOC]}),
                                        ("qt.dongnai", QUAN_TRI, "Trần Văn Nai", {"provinces": ["Đồng Nai"]})):
        service.create_account(LOCAL_ADMIN, cycle_db.store.root, username=username, role=role, name=name,
                               password=secrets.token_urlsafe(12), places=Places.from_database(cycle_db), **scope)
    cycle_db.store.add_review(MINH_DUC, OCTOBER, "yeu_cau_bo_sung", user="qt.dongnai", comment=COMMENT)
    at = open_page("ho_so_xa", tinh="Đồng Nai", thang="2026-10", xa=DAI_PHUOC, muc="chi_tieu")
    indicators = table_with(at, "uploader_text")
    row = indicators[indicators["indicator"] == "XH05"].iloc[0]
    assert (row["value_text"], row["uploader_text"], row["evidence_text"]) == (
        "72,5 %", "Nguyễn Thị Phước", "📎 1 tệp")
    assert any("bien-ban-thang-10.pdf" in shown(b.proto.label) for b in at.get("download_button"))
    text = text_of(at)
    assert "**Báo cáo tháng 10/2026:** ✅ Đúng hạn (nhận lúc 19/11/2026 23:00)" in text
    assert "**Thẩm định của tỉnh:** 🕓 Chờ thẩm định" in text
    assert "cb.daiphuoc" not in text
    # September's value of Minh Đức came without evidence, from a user name with no account
    at = open_page("ho_so_xa", tinh="Đồng Nai", thang="2026-10", xa=MINH_DUC, muc="chi_tieu")
    minh_duc = table_with(at, "uploader_text")
    assert minh_duc[["value_period", "uploader_text", "evidence_text"]].values.tolist()[0][1:] == [
        "(không rõ)", "Không có"]
    text = text_of(at)
    assert "— Trần Văn Nai, 22/11/2026" in text and "qt.dongnai" not in text and "cb.minhduc" not in text


def test_page_on_an_empty_installation_explains(empty_data):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("app_pages/tinh_hinh_bao_cao.py").run()
    assert not at.exception
    assert "Chưa có xã nào trong dữ liệu" in text_of(at) and not at.dataframe


@pytest.fixture
def empty_data(tmp_path, monkeypatch):
    import shutil

    from tests.test_pages import ACTUAL_HEADER, COMMUNE_HEADER, DATA, TARGET_HEADER, _write

    store = tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("DTI_STORE", str(store))
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "indicators.csv", data / "indicators.csv")
    _write(data / "communes.csv", COMMUNE_HEADER, [])
    _write(data / "targets.csv", TARGET_HEADER, [])
    _write(data / "actuals.csv", ACTUAL_HEADER, [])
    _use_database(monkeypatch, Database(store=store, include_demo=False, data_dir=data))
    yield data
    _reset_caches()


def test_evidence_is_downloaded_under_a_safe_name_with_the_extension_of_its_content(cycle_db, monkeypatch):
    """A file stored before names were checked, "bien-ban-\u202efdp.cmd" holding a PDF (it reads
    "bien-ban-dmc.pdf"), is offered and saved as bien-ban-fdp.pdf."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    sha = cycle_db.store.put_blob(PDF)
    report(cycle_db, MINH_DUC, OCTOBER, vn(19, 11), 60.0, user="cb.minhduc",
           evidence=[{"name": "bien-ban-\u202efdp.cmd", "sha256": sha, "type": "pdf", "size": len(PDF)}])
    served = []
    real = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        served.append((file_name, mimetype))
        return real(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    at = open_page("ho_so_xa", tinh="Đồng Nai", thang="2026-10", xa=MINH_DUC, muc="chi_tieu")
    [label] = [b.proto.label for b in at.get("download_button") if "bien-ban" in shown(b.proto.label)]
    assert shown(label).startswith("⬇ bien-ban-fdp.pdf (PDF") and "\u202e" not in label
    assert ("bien-ban-fdp.pdf", "application/pdf") in served
    assert not [name for name, _ in served if name and not name.endswith((".pdf", ".xlsx", ".csv", ".png", ".svg"))]


HOSTILE = "[biên bản](http://evil.example) ![](http://evil.example/i.png) www.evil.example"


def test_comments_and_evidence_names_show_as_text_never_as_links(cycle_db):
    """A review comment and an evidence file's name are shown as typed: no link, no image."""
    sha = cycle_db.store.put_blob(PDF)
    report(cycle_db, MINH_DUC, OCTOBER, vn(19, 11), 60.0, user="cb.minhduc",
           evidence=[{"name": "[x](http:evil.example) ![](https:evil.example).pdf", "sha256": sha, "type": "pdf",
                      "size": len(PDF)}])
    admin = account(cycle_db, "qt.dongnai", QUAN_TRI, provinces=["Đồng Nai"])
    cycle_db.store.add_review(MINH_DUC, OCTOBER, "yeu_cau_bo_sung", user="qt.dongnai", comment=HOSTILE)

    review = open_page("tinh_hinh_bao_cao", admin, tinh="Đồng Nai", thang="2026-11", muc="tham_dinh")
    review.selectbox(key="bc_review_month_2026-11-01").select(OCTOBER).run()
    review.selectbox(key="bc_review_commune").select(MINH_DUC).run()
    [caption] = [c.value for c in review.caption if "Lần thẩm định gần nhất" in c.value]
    assert links(caption) == [] and f"nhận xét: “{HOSTILE}”" in shown(caption)
    [label] = [b.proto.label for b in review.get("download_button") if "evil" in shown(b.proto.label)]
    assert links(label) == [] and shown(label).startswith("⬇ [x](http_evil.example) ![](https_evil.example).pdf")

    profile = open_page("ho_so_xa", tinh="Đồng Nai", thang="2026-10", xa=MINH_DUC, muc="chi_tieu")
    [warning] = [w.value for w in profile.warning if "yêu cầu bổ sung" in w.value]
    assert links(warning) == [] and HOSTILE in shown(warning)
    [label] = [b.proto.label for b in profile.get("download_button") if "evil" in shown(b.proto.label)]
    assert links(label) == []

    officer = account(cycle_db, "cb.minhduc", "can_bo_xa", communes=[MINH_DUC])
    upload_page = open_page("tai_len", officer)
    [asked] = [w.value for w in upload_page.warning if "evil" in shown(w.value)]
    assert links(asked) == [] and HOSTILE in shown(asked)
