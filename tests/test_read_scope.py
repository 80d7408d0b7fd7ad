"""What a person reads is scoped where data is read (queries/reading.py), not only by the
pages' filters: with the setting public_view off, a leader of Thanh Hóa gets nothing of Đồng
Nai through any page, any address (?tinh=, ?xa=, ?so_sanh=) or any export; a Vietnamese
sentence says why instead. With public_view on (the default) browsing stays as it was."""
from __future__ import annotations

import json

import pytest

from queries.accounts import service
from queries.accounts.permissions import LANH_DAO, LOCAL_ADMIN, QUAN_TRI, Account, readable_provinces
from queries.db import Database
from queries.reading import OutsideScope, ScopedReader
from queries.reports import export
from queries.reports.pack import build_pack_result
from tests.cycle_helpers import make_plan_data_dir
from tests.page_parts import OTHER_PARTS
from tests.test_page_cycle import DAI_PHUOC, MINH_DUC, OCTOBER, SEPTEMBER, account, open_page, report, vn
from tests.test_pages import _reset_caches, _use_database, spec_with_data

# Everything of Đồng Nai a page could show: its name, its communes' names and ids.
OF_DONG_NAI = ("Đồng Nai", "Đại Phước", "Minh Đức", "dong-nai/")
NOT_YOURS = "không thuộc phạm vi tài khoản của bạn (Tỉnh Thanh Hóa)."
ASKING_FOR_DONG_NAI = {"tinh": "Đồng Nai", "thang": "2026-10", "xa": DAI_PHUOC, "so_sanh": f"{DAI_PHUOC},{MINH_DUC}"}
LEADERS_PAGES = ("tong_quan", "tru_cot", "xep_hang", "ho_so_xa", "so_sanh", "don_vi_chu_tri", "tinh_hinh_bao_cao",
                 "nhiem_vu", "kinh_phi", "trinh_chieu")


def public_view(db, on: bool) -> None:
    service.change_settings(LOCAL_ADMIN, db.store.root, {"public_view": on})
    db.ensure_fresh()


def shown(at) -> str:
    """Every word and number on the page but its warnings: texts, figures, tables, choices, charts."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "error", "success", "title", "header", "subheader", "text"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox]
    parts += [" ".join(map(str, s.options)) for s in at.multiselect]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    parts += [json.dumps(spec_with_data(chart.proto), ensure_ascii=False, default=str)
              for kind in ("arrow_vega_lite_chart", "vega_lite_chart") for chart in at.get(kind)]
    parts += [b.proto.label for b in at.get("download_button")]
    return json.dumps(parts, ensure_ascii=False)


@pytest.fixture
def cycle_db(tmp_path, monkeypatch):
    """Thanh Hóa (Định Tiến) and Đồng Nai (Đại Phước, Minh Đức, Phú Mỹ) with targets, plans'
    tasks of both and Định Tiến's spending; reports of both provinces for September and October."""
    store = tmp_path / "store"
    monkeypatch.setenv("DTI_STORE", str(store))
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    db = Database(store=store, include_demo=False, data_dir=make_plan_data_dir(tmp_path / "data"), snapshots=False)
    for commune, value in (("thanh-hoa/dinh-tien", 80.0), (DAI_PHUOC, 70.0), (MINH_DUC, 66.0)):
        report(db, commune, SEPTEMBER, vn(15, 10), value, user="cb")
        report(db, commune, OCTOBER, vn(19, 11), value + 1, user="cb")
    _use_database(monkeypatch, db)
    yield db
    _reset_caches()


@pytest.fixture
def leader(cycle_db):
    public_view(cycle_db, False)
    return account(cycle_db, "ld.thanhhoa", LANH_DAO, provinces=["Thanh Hóa"])


@pytest.mark.parametrize("page", LEADERS_PAGES)
def test_a_leader_asking_by_address_for_another_province_gets_nothing_of_it(cycle_db, leader, page):
    at = open_page(page, leader, **ASKING_FOR_DONG_NAI)
    warnings = [w.value for w in at.warning]
    assert any(NOT_YOURS in w for w in warnings), warnings
    leaked = [word for word in OF_DONG_NAI if word in shown(at)]
    assert leaked == [], leaked
    # the page's other parts
    for part in OTHER_PARTS.get(page, ()):
        at = open_page(page, leader, **ASKING_FOR_DONG_NAI, muc=part)
        assert any(NOT_YOURS in w.value for w in at.warning), part
        leaked = [word for word in OF_DONG_NAI if word in shown(at)]
        assert leaked == [], (part, leaked)


def test_the_compare_page_does_not_take_communes_of_another_province_from_the_address(cycle_db, leader):
    at = open_page("so_sanh", leader, tinh="Thanh Hóa", thang="2026-10", so_sanh=f"{DAI_PHUOC},{MINH_DUC}")
    assert [w.value for w in at.warning] == [
        f"Xã Đại Phước (Đồng Nai) {NOT_YOURS}", f"Xã Minh Đức (Đồng Nai) {NOT_YOURS}"]
    assert not [word for word in OF_DONG_NAI if word in shown(at)]
    assert all(c.startswith("thanh-hoa/") for c in at.multiselect[0].value)  # the page's own default


def test_with_public_view_on_browsing_stays_as_it_was(cycle_db):
    leader = account(cycle_db, "ld.thanhhoa", LANH_DAO, provinces=["Thanh Hóa"])
    at = open_page("so_sanh", leader, tinh="Thanh Hóa", thang="2026-10", so_sanh=f"{DAI_PHUOC},{MINH_DUC}")
    assert not at.warning and at.multiselect[0].value == [DAI_PHUOC, MINH_DUC]
    assert "Đại Phước" in shown(at)


def test_who_reads_which_provinces():
    leader = Account("ld", "Lãnh đạo", LANH_DAO, provinces=("Thanh Hóa",))
    country = Account("qt", "Quản trị", QUAN_TRI)
    assert readable_provinces(leader, True) is None and readable_provinces(None, True) is None
    assert readable_provinces(leader, False) == ("Thanh Hóa",)
    assert readable_provinces(country, False) is None
    assert readable_provinces(None, False) == ()
    assert readable_provinces(Account("cu", "", LANH_DAO, active=False), True) == ()


def test_the_exports_give_a_leader_only_its_province(cycle_db, leader):
    db = cycle_db
    scoped = ScopedReader.for_account(db, leader)  # public_view off, as the store says
    assert scoped.provinces == ("Thanh Hóa",)

    assert set(export.ranking(scoped, OCTOBER, None)["province"]) == {"Thanh Hóa"}
    assert set(export.progress(scoped, OCTOBER, None)["province"]) == {"Thanh Hóa"}
    assert {r["province"] for r in export.compliance(scoped, OCTOBER, None)} == {"Thanh Hóa"}
    assert {r["province"] for r in export.tasks(scoped, None, None, OCTOBER)} == {"Thanh Hóa"}
    assert {r["province"] for r in export.spending(scoped, None, None)} == {"Thanh Hóa"}
    assert export.resolve_province(scoped, "thanh hoa") == "Thanh Hóa"
    with pytest.raises(export.UserError):
        export.resolve_province(scoped, "Đồng Nai")  # as if it did not exist

    province_refused = f"Tỉnh Đồng Nai {NOT_YOURS}"
    for asking in (lambda: export.ranking(scoped, OCTOBER, "Đồng Nai"),
                   lambda: export.compliance(scoped, OCTOBER, "Đồng Nai"),
                   lambda: build_pack_result("Đồng Nai", OCTOBER, db=scoped, charts=False)):
        with pytest.raises(OutsideScope) as refused:
            asking()
        assert refused.value.message == province_refused
    for asking in (lambda: export.tasks(scoped, None, DAI_PHUOC, OCTOBER),
                   lambda: export.spending(scoped, None, DAI_PHUOC)):
        with pytest.raises(OutsideScope) as refused:
            asking()
        assert refused.value.message == f"Xã Đại Phước (Đồng Nai) {NOT_YOURS}"
    # A sum over every province tells of the others too: refused unless a province is named.
    with pytest.raises(OutsideScope, match="Hãy chọn một tỉnh thuộc phạm vi tài khoản của bạn"):
        scoped.run_query("months_in_scope", province=None, today=OCTOBER)
    assert scoped.run_query("months_in_scope", province="Thanh Hóa", today=OCTOBER).height

    # The whole country, or public_view on: the exports are what they were.
    for everything in (ScopedReader.for_account(db, LOCAL_ADMIN), ScopedReader.for_account(db, leader, True)):
        assert everything.provinces is None
        assert export.ranking(everything, OCTOBER, None).equals(export.ranking(db, OCTOBER, None))
