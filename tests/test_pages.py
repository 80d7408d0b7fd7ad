"""The leaders' pages (Tổng quan, Trụ cột, Xếp hạng, Hồ sơ xã, So sánh, Đơn vị chủ trì) through
AppTest: on the shipped data, on an empty store, and with a single commune. Each test checks
what the page shows — figures, table rows, URL — not only that it ran.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from queries.db import Database
from queries.settings import PILLARS
from queries.status import STATUS_ORDER
from queries.text import format_number

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PAGES = ("tong_quan", "tru_cot", "xep_hang", "ho_so_xa", "so_sanh", "don_vi_chu_tri")
DEMO = "Minh Họa"
MONTH = "2026-11"


# ---- harness -----------------------------------------------------------------------------------
def _reset_caches() -> None:
    import queries.db
    import ui.state

    queries.db._databases.clear()
    ui.state.database.clear()
    ui.state._cached.clear()


@pytest.fixture
def store(tmp_path, monkeypatch, seed_tables):
    """A fresh, empty user store; the shipped data (plans and the demo province) still shows
    (opened from the session's snapshot of it, as a new process would)."""
    root = seed_tables(tmp_path / "store")
    monkeypatch.setenv("DTI_STORE", str(root))
    _reset_caches()
    yield root
    _reset_caches()


def _use_database(monkeypatch, database: Database) -> None:
    import ui.state

    monkeypatch.setattr(ui.state, "get_database", lambda *args, **kwargs: database)
    _reset_caches()


@pytest.fixture
def empty_data(tmp_path, monkeypatch, store):
    """No commune, no target, no result anywhere (an installation before its first upload)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "indicators.csv", data / "indicators.csv")
    _write(data / "communes.csv", COMMUNE_HEADER, [])
    _write(data / "targets.csv", TARGET_HEADER, [])
    _write(data / "actuals.csv", ACTUAL_HEADER, [])
    _use_database(monkeypatch, Database(store=store, include_demo=False, data_dir=data))
    yield data
    _reset_caches()


COMMUNE_HEADER = ["commune_id", "commune_code", "commune_name", "province", "adult_population",
                  "population_15plus", "working_age_population", "is_demo", "source"]
TARGET_HEADER = ["commune_id", "indicator", "year", "comparator", "target", "target_text", "unit", "lead_unit",
                 "partner_units", "source_doc", "source_item", "note"]
ACTUAL_HEADER = ["commune_id", "period", "indicator", "value", "numerator", "denominator", "note", "source_doc",
                 "source_item"]
ONE = "thu/mot-minh"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def single_commune(tmp_path, monkeypatch, store):
    """One commune, five 2026 targets in three pillars plus an innovation target, monthly results."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "indicators.csv", data / "indicators.csv")
    _write(data / "communes.csv", COMMUNE_HEADER,
           [[ONE, "", "Xã Một Mình", "Thử Nghiệm", "", "", "", "false", "test"]])
    doc = "Kế hoạch thử nghiệm số 1/KH-UBND"
    _write(data / "targets.csv", TARGET_HEADER, [
        [ONE, "HT01", 2026, ">=", 80, "≥ 80%", "percent", "Phòng Kinh tế", "", doc, "Phụ lục #1", ""],
        [ONE, "HT04", 2026, ">=", 100, "100%", "percent", "Phòng VH-XH", "", doc, "Phụ lục #2", ""],
        [ONE, "NL01", 2026, ">=", 90, "≥ 90%", "percent", "Phòng Văn hoá - Xã hội", "", doc, "Phụ lục #3", ""],
        [ONE, "CQ01", 2026, ">=", 50, "≥ 50%", "percent", "Văn phòng HĐND&UBND xã", "", doc, "Phụ lục #4", ""],
        [ONE, "CQ07", 2026, ">=", 90, "≥ 90%", "percent", "", "", doc, "Phụ lục #5", ""],
        [ONE, "DM01", 2026, ">=", 1, "≥ 01", "count", "Phòng Văn hóa - Xã hội", "", doc, "Phụ lục #6", ""],
    ])
    actuals = []
    for month, (ht01, nl01, cq01) in zip(range(1, 12), [(40 + 3 * m, 50 + 2 * m, 60) for m in range(11)]):
        actuals.append([ONE, f"2026-{month:02d}", "HT01", ht01, "", "", "", "test", ""])
        actuals.append([ONE, f"2026-{month:02d}", "NL01", nl01, "", "", "", "test", ""])
        actuals.append([ONE, f"2026-{month:02d}", "CQ01", cq01, "", "", "", "test", ""])
    actuals.append([ONE, "2025-12", "HT01", 38, "", "", "", "test", ""])
    actuals.append([ONE, "2026-11", "HT04", 100, 5, 5, "", "test", ""])
    _write(data / "actuals.csv", ACTUAL_HEADER, actuals)
    (store / "settings.json").write_text(json.dumps({"include_demo": False}), encoding="utf-8")
    database = Database(store=store, include_demo=False, data_dir=data)
    _use_database(monkeypatch, database)
    yield database
    _reset_caches()


def open_part(at: AppTest, part: str) -> AppTest:
    """Hồ sơ xã draws one part (tab) at a time, the open one named in the URL (?muc=)."""
    at.query_params["muc"] = part
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str, **params: str) -> AppTest:
    """Open dashboard.py with province and month in the URL (the default page runs first, as
    in a browser), then go to `page` with its own URL keys."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key in ("tinh", "thang"):
        if key in params:
            at.query_params[key] = params[key]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "tong_quan":
        at.query_params.update(params)
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [t.value for t in at.title] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def table_with(at: AppTest, column: str):
    """The first table on the page with this column (pages add sections; positions move)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def vega_count(at: AppTest) -> int:
    return len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart"))


def vega_charts(at: AppTest) -> list[dict]:
    """The page's Vega-Lite specs, each {"spec", "rows"}: rows are the records of its data (one
    dataset per chart, as ui/charts.py builds them; Streamlit sends it as Arrow beside the spec)."""
    charts = []
    for kind in ("vega_lite_chart", "arrow_vega_lite_chart"):
        for chart in at.get(kind):
            spec = spec_with_data(chart.proto)
            rows = [row for dataset in spec.get("datasets", {}).values() for row in dataset]
            charts.append({"spec": spec, "rows": rows})
    return charts


def spec_with_data(proto) -> dict:
    """A Vega-Lite chart's spec with its named datasets back in it (Streamlit sends them as
    Arrow beside the spec)."""
    spec = json.loads(proto.spec)
    for dataset in getattr(proto, "datasets", []):
        if dataset.data.data:
            rows = pl.read_ipc_stream(io.BytesIO(dataset.data.data)).to_dicts()
            spec.setdefault("datasets", {})[dataset.name or "_"] = rows
    return spec


def vega_with(at: AppTest, *columns: str) -> list[dict]:
    """The rows of the one Vega-Lite chart whose data has these columns."""
    (rows,) = [c["rows"] for c in vega_charts(at) if c["rows"] and set(columns) <= set(c["rows"][0])]
    return rows


def in_order(values: list) -> list:
    """Distinct values, in their first order."""
    return list(dict.fromkeys(values))


def vega_chart_with(at: AppTest, *fields: str) -> tuple[dict, pl.DataFrame]:
    """The one Vega-Lite chart with a dataset of all these columns: its spec and that dataset."""
    [found] = [(chart["spec"], pl.DataFrame(rows)) for chart in vega_charts(at)
               for rows in chart["spec"].get("datasets", {}).values() if rows and set(fields) <= set(rows[0])]
    return found


def vi(value: float, decimals: int = 2) -> str:
    return format_number(value, decimals)


@pytest.fixture
def demo_db(store) -> Database:
    return Database(store=store)


# ---- shipped data: the demo province, November 2026 -------------------------------------------------
def test_overview_on_shipped_data(store, demo_db):
    at = open_page("tong_quan", tinh=DEMO, thang=MONTH)
    ranking = demo_db.run_query("ranking_by_month", period=_date(MONTH), province=DEMO)
    shown = metrics(at)
    assert shown["Số xã"][0] == "100"
    assert shown["Điểm trung bình"][0] == vi(ranking["score"].mean())
    assert shown["Xã đã báo cáo"] == ("96,0 %", "96/100 xã")
    # the link to the reports' twelve months opens that part of the page, on this province and month
    [reports] = [link.proto for link in at.get("page_link") if "12 tháng" in link.proto.label]
    assert parse_qs(reports.query_string) == {"tinh": [DEMO], "thang": [MONTH], "muc": ["muoi_hai_thang"]}
    status = demo_db.run_query("indicator_status", period=_date(MONTH), province=DEMO, commune=None)
    achieved = status.filter(pl.col("status") == "Đạt").height
    assert shown["Chỉ tiêu đạt"][0] == f"{vi(100 * achieved / status.height, 1)} %"
    assert "Tỉnh Minh Họa · Tháng 11/2026" in text_of(at)
    assert "Dữ liệu minh họa" in text_of(at)  # demo data labelled
    weakest = table_with(at, "weakest_pillar")
    assert len(weakest) == 10
    bottom = ranking.sort("rank", descending=True).head(10)
    assert weakest["rank"].tolist() == bottom["rank"].to_list()
    assert weakest["commune_name"].tolist() == bottom["commune_name"].to_list()
    # each opens the profile on why the commune scores what it scores
    assert all("ho_so_xa?" in link and "xa=minh-hoa%2F" in link and link.endswith("&muc=vi_sao") for link in weakest["link"])
    heat = vega_with(at, "commune_name", "column", "value_text")
    rows = in_order([cell["commune_name"] for cell in heat])
    assert rows == ranking["commune_name"].to_list()[:30]  # best first, 30 communes a page
    best = ranking.row(0, named=True)
    assert {(c["column"], c["value_text"]) for c in heat if c["commune_name"] == best["commune_name"]} >= {
        ("Điểm tổng", vi(best["score"], 1)), ("Hạ tầng số", vi(best["HT"], 1))}
    assert vega_count(at) >= 5  # statuses, distribution, pillars, months, the heat map
    assert not at.get("plotly_chart")  # no plotly.js on first view: the map waits to be chosen
    assert at.query_params["tinh"] == DEMO and at.query_params["thang"] == MONTH
    pages = at.selectbox(key="tq-heat-page")
    assert pages.options == ["1–30 / 100", "31–60 / 100", "61–90 / 100", "91–100 / 100"]
    pages.select(90).run()  # the last page: the ten lowest
    heat = vega_with(at, "commune_name", "column", "value_text")
    assert in_order([cell["commune_name"] for cell in heat]) == ranking["commune_name"].to_list()[90:]


def test_pillar_page_on_shipped_data(store, demo_db):
    at = open_page("tru_cot", tinh=DEMO, thang=MONTH, tru_cot="CQ")
    status = demo_db.run_query("indicator_status", period=_date(MONTH), province=DEMO, commune=None)
    cq = status.filter(pl.col("pillar") == "CQ")
    shown = metrics(at)
    assert "Điểm chính quyền số trung bình" in shown
    assert shown["Trọng số trong điểm tổng"] == ("25,0 %", "200/800")
    summary = at.dataframe[0].value
    assert summary["indicator"].tolist() == sorted(cq["indicator"].unique().to_list())
    assert int(summary["n"].sum()) == cq.height
    assert int(summary[["n_achieved", "n_on_track", "n_behind", "n_missing"]].sum().sum()) <= cq.height
    first = summary["indicator"].tolist()[0]
    assert at.query_params["chi_tieu"] == first and at.query_params["tru_cot"] == "CQ"
    dots = vega_with(at, "commune_name", "target_text", "status_label")
    assert len(dots) == 30  # the thirty most behind, by default
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    behind = (cq.filter(pl.col("indicator") == first)
              .with_columns(pl.col("status").replace_strict(order).alias("status_order"))
              .sort(["points", "status_order"], descending=[False, True], nulls_last=False).head(30))
    assert {d["commune_name"] for d in dots} == set(behind["commune_name"])
    assert vega_count(at) == 3  # statuses by indicator, trend with target and path, each commune's dot
    assert not at.get("plotly_chart")  # no plotly.js on first view: the map waits to be chosen


@pytest.mark.parametrize(("page", "key", "params"), [("tong_quan", "tq", {}), ("tru_cot", "tc", {"tru_cot": "CQ"})])
def test_the_map_is_drawn_only_when_chosen_and_the_url_keeps_the_choice(store, page, key, params):
    """plotly.js (the map's) costs a page seconds in the browser: Tổng quan and Trụ cột draw
    no Plotly chart until the reader switches the map on; a link or a reload keeps it on."""
    at = open_page(page, tinh=DEMO, thang=MONTH, **params)
    switch = at.toggle(key=f"dti_ban_do_{key}")
    assert not at.get("plotly_chart") and switch.value is False and "ban_do" not in at.query_params
    assert "Bật để xem bản đồ các xã, của tỉnh hoặc cả nước." in text_of(at)
    switch.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    (drawn,) = at.get("plotly_chart")  # the map, as before: a filled shape per commune, clickable centres
    spec = json.loads(drawn.proto.spec)
    assert any(trace.get("fill") == "toself" for trace in spec["data"])
    assert at.query_params["ban_do"] == "1"
    assert "Bật để xem bản đồ" not in text_of(at)
    # a link with the map on opens with it
    link = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    link.query_params.update({"tinh": DEMO, "thang": MONTH})
    link.run()
    link.query_params.update({**params, "ban_do": "1"})
    link.switch_page(f"app_pages/{page}.py").run()
    assert not link.exception and len(link.get("plotly_chart")) == 1
    assert link.toggle(key=f"dti_ban_do_{key}").value is True
    # off again: no map, and the URL forgets it
    at.toggle(key=f"dti_ban_do_{key}").set_value(False).run()
    assert not at.get("plotly_chart") and "ban_do" not in at.query_params


def test_ranking_on_shipped_data(store, demo_db):
    at = open_page("xep_hang", tinh=DEMO, thang=MONTH)
    ranking = demo_db.run_query("ranking_by_month", period=_date(MONTH), province=DEMO)
    table = at.dataframe[0].value
    assert len(table) == 100
    assert table["rank"].tolist() == ranking["rank"].to_list()
    assert table["link"].iloc[0].endswith("#" + ranking["commune_name"][0])
    assert table["score"].tolist() == ranking["score"].to_list()
    assert set(table.columns) >= {"change", "HT", "NL", "AT", "CQ", "KT", "XH", "coverage", "trend"}
    assert all(len(points) == 13 for points in table["trend"])  # a small trend: 12 months back and this one
    changes = dict(zip(ranking["commune_name"].to_list(), ranking["rank_change"].to_list()))
    for link, change in zip(table["link"], table["change"]):
        expected = changes[link.split("#", 1)[1]]
        assert change == ("=" if expected == 0 else f"▲ {expected}" if expected > 0 else f"▼ {-expected}")

    # diacritic-insensitive search
    at.text_input(key="xh_tim").input("cam ninh").run()
    found = at.dataframe[0].value
    assert [link.split("#", 1)[1] for link in found["link"]] == ["Xã Cẩm Ninh"]

    # Vietnamese alphabetical order: Â/Ă after A, Đ after D (not after Z)
    at.text_input(key="xh_tim").input("").run()
    at.selectbox(key="xh_sap_xep").select("ten").run()
    names = [link.split("#", 1)[1] for link in at.dataframe[0].value["link"]]
    expected = demo_db.run_query("communes_in_province", province=DEMO)["commune_name"].to_list()
    assert names == expected
    assert names.index("Xã Đại Hải") > names.index("Xã Cẩm Trường")
    assert names.index("Xã Đại Hải") < names.index("Xã Ea Hòa")


def test_ranking_of_all_provinces(store):
    at = open_page("xep_hang", tinh="tat-ca", thang=MONTH)
    table = at.dataframe[0].value
    assert len(table) == 105
    assert "province" in table.columns
    assert "Tất cả các tỉnh" in text_of(at)
    assert "chưa có chỉ tiêu năm 2026" in text_of(at)  # the communes whose plans are for 2025


def test_commune_profile_on_shipped_data(store, demo_db):
    commune = "minh-hoa/an-ha"
    at = open_page("ho_so_xa", tinh=DEMO, thang=MONTH, xa=commune)
    ranking = demo_db.run_query("ranking_by_month", period=_date(MONTH), province=DEMO)
    me = ranking.filter(pl.col("commune_id") == commune).row(0, named=True)
    shown = metrics(at)
    assert shown["Điểm tổng"][0] == vi(me["score"])
    assert shown["Hạng trong tỉnh"][0] == f"{me['rank']}/100"
    assert "Xã Ân Hà · Tỉnh Minh Họa · Tháng 11/2026" in text_of(at)
    assert "Số liệu gần nhất: **Tháng 11/2026**, nhận ngày 19/11/2026" in text_of(at)

    # the first part: the pillars against the province (the why, the indicators and the trends
    # are parts of their own, drawn when opened)
    assert not at.dataframe and vega_count(at) == 2
    _spec, pillars_chart = vega_chart_with(at, "pillar_name", "series", "value", "tip")

    open_part(at, "vi_sao")
    pillars, why = (at.dataframe[i].value for i in range(2))
    # why this score: the contributions add up to the score, the weights are the settings'
    assert pillars["weight"].tolist() == [100, 100, 100, 200, 150, 150]
    assert round(pillars["contribution"].sum(), 2) == me["score"]
    assert round(why["contribution"].sum(), 2) == me["score"]
    assert why["lost"].is_monotonic_decreasing
    assert "Điểm tổng " + vi(me["score"]) in text_of(at)
    # where the points were lost: each pillar's bar is its loss, from where the one above ended
    _spec, steps = vega_chart_with(at, "label", "start", "end")
    assert steps["label"].to_list() == ["Điểm tối đa", *pillars["pillar_name"].tolist(), "Điểm đạt được"]
    lost = steps.filter(pl.col("kind") == "lost")
    assert (lost["start"] - lost["end"]).to_list() == pytest.approx(pillars["lost"].tolist())
    assert lost["start"].to_list() == [100.0, *lost["end"].to_list()[:-1]]
    assert steps["end"][-1] == pytest.approx(me["score"], abs=0.01)
    assert 100 - (lost["start"] - lost["end"]).sum() == pytest.approx(me["score"], abs=0.01)

    open_part(at, "chi_tieu")
    indicators = at.dataframe[0].value
    # every targeted indicator, with target, value, status, lead unit, period, date and source
    targets = demo_db.sql("select count(*) as n from targets where commune_id = $c and year = 2026", c=commune)
    assert len(indicators) == targets["n"][0]
    row = indicators.iloc[0]
    assert row["target_text"].startswith("≥") and row["value_text"].endswith("%")  # 56,3 %
    # a share of the population shows its numerator and denominator: 49,6 % (13.259/26.711)
    with_counts = indicators[indicators["indicator"].isin(["XH01", "XH02", "XH04", "XH05", "NL04"])]
    assert len(with_counts) and with_counts["value_text"].str.fullmatch(r"[\d,]+ % \([\d.]+/[\d.]+\)").all()
    assert row["status_text"].split(" ", 1)[1] in ("Đạt", "Đúng tiến độ", "Cần đẩy nhanh", "Chậm", "Đi lùi")
    assert row["lead_unit"] and row["source"].startswith("Kế hoạch")
    # trends: one panel per indicator with value, target and path, the first pillar's at first
    open_part(at, "dien_bien")
    assert at.query_params["muc"] == "dien_bien"
    assert at.selectbox(key="dti_tru_cot").value == "HT"
    trends, long = vega_chart_with(at, "indicator", "series", "y_text")
    first_pillar = indicators[indicators["indicator"].str.startswith("HT")]
    assert len(trends["concat"]) == len(first_pillar) and set(long["indicator"]) == set(first_pillar["indicator"])
    assert set(long["series"]) == {"Giá trị", "Lộ trình cần đạt", "Mục tiêu năm"}
    assert at.query_params["xa"] == commune

    # Vega-Lite only: the page loads no plotly.js (its 4.7 MB script made the page 1.7× slower)
    assert not at.get("plotly_chart")
    # the pillars against the province: the bars are the commune's scores, the diamonds the medians
    codes = {name: code for code, name in PILLARS}
    scored = ranking.filter(pl.col("score").is_not_null())
    bars = pillars_chart.filter(pl.col("series") == "Xã Ân Hà")
    medians = pillars_chart.filter(pl.col("series") == "Trung vị của tỉnh")
    assert bars["pillar_name"].to_list() == medians["pillar_name"].to_list() == pillars["pillar_name"].tolist()
    assert bars["value"].to_list() == pytest.approx([me[codes[n]] for n in bars["pillar_name"]])
    assert medians["value"].to_list() == pytest.approx([scored[codes[n]].median() for n in medians["pillar_name"]])
    assert medians["tip"][0] == f"{vi(medians['value'][0], 1)} điểm"

    at.selectbox(key="dti_tru_cot").select("tat-ca").run()  # every pillar: a panel for each indicator
    trends, long = vega_chart_with(at, "indicator", "series", "y_text")
    assert len(trends["concat"]) == len(indicators)
    assert set(long["indicator"]) == set(indicators["indicator"])


def test_compare_on_shipped_data(store, demo_db):
    chosen = ["minh-hoa/an-ha", "minh-hoa/thinh-vinh", "minh-hoa/cam-ninh"]
    at = open_page("so_sanh", tinh=DEMO, thang=MONTH, so_sanh=",".join(chosen))
    ranking = demo_db.run_query("ranking_by_month", period=_date(MONTH), province=DEMO)
    scores = dict(zip(ranking["commune_id"].to_list(), ranking["score"].to_list()))
    assert [m.value for m in at.metric] == [vi(scores[c]) for c in chosen]
    table = at.dataframe[0].value
    assert list(table.columns[3:]) == ["Xã Ân Hà", "Xã Thịnh Vinh", "Xã Cẩm Ninh"]
    assert "Hạng trong tỉnh: **1/100**" in text_of(at)
    assert vega_count(at) == 2
    assert at.query_params["so_sanh"] == ",".join(chosen)


def test_lead_units_on_shipped_data(store, demo_db):
    at = open_page("don_vi_chu_tri", tinh=DEMO, thang=MONTH, don_vi="phong van hoa - xa hoi")
    status = demo_db.run_query("indicator_status", period=_date(MONTH), province=DEMO, commune=None)
    summary = at.dataframe[0].value
    assert summary["office"].tolist().count("Phòng Văn hóa - Xã hội") == 1
    assert int(summary["n"].sum()) >= status.height
    assert summary["n_behind"].is_monotonic_decreasing
    assert at.query_params["don_vi"] == "Phòng Văn hóa - Xã hội"  # found without diacritics, written in full
    behind = at.dataframe[2].value
    assert set(s.split(" ", 1)[1] for s in behind["status_text"]) <= {"Cần đẩy nhanh", "Chậm", "Đi lùi",
                                                                    "Chưa có số liệu"}
    assert "**Phòng Văn hóa - Xã hội** chủ trì" in text_of(at)


def test_widget_changes_are_written_to_the_url_and_kept_across_pages(store):
    at = open_page("ho_so_xa", tinh=DEMO, thang=MONTH, xa="minh-hoa/an-ha")
    at.selectbox(key="dti_thang").select("2026-09").run()
    assert at.query_params["thang"] == "2026-09"
    at.text_input(key="dti_tim_xa").input("thinh vinh").run()
    assert at.query_params["xa"] == "minh-hoa/thinh-vinh"
    assert "Xã Thịnh Vinh · Tỉnh Minh Họa · Tháng 9/2026" in text_of(at)
    # another page without those keys in its URL opens on the same choice
    at.query_params.clear()
    at.switch_page("app_pages/tru_cot.py").run()
    assert at.query_params["tinh"] == DEMO and at.query_params["thang"] == "2026-09"
    at.switch_page("app_pages/so_sanh.py").run()
    assert at.query_params["so_sanh"].startswith("minh-hoa/thinh-vinh,")
    # choosing another province resets the month to that province's default
    at.selectbox(key="dti_tinh").select("Thanh Hóa").run()
    assert at.query_params["tinh"] == "Thanh Hóa" and at.query_params["thang"] == "2025-12"


# ---- empty store: nothing reported, or nothing at all ------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_pages_with_targets_but_no_results(store, page):
    """Đồng Nai's two plans set 2026 targets and nothing has been reported yet."""
    at = open_page(page, tinh="Đồng Nai", thang=MONTH, xa="dong-nai/minh-duc", tru_cot="HT")
    text = text_of(at)
    assert "dữ liệu minh họa" not in text.lower()  # real communes only
    shown = metrics(at)
    if page == "tong_quan":
        assert shown["Số xã"][0] == "2" and shown["Xã đã báo cáo"][0] == "0,0 %"
        assert "Chưa có số liệu tháng 11/2026" in text
        assert not vega_count(at) and not at.get("plotly_chart")  # no blank charts
    elif page == "tru_cot":
        assert shown["Chỉ tiêu đã đạt"][0] == "0,0 %"
        assert "Chưa có số liệu của chỉ tiêu" in text and "Chưa xã nào báo cáo số liệu chỉ tiêu" in text
        assert vega_count(at) == 1 and not at.get("plotly_chart")  # the statuses; no trend, no dots of nothing
    elif page == "xep_hang":
        assert at.dataframe[0].value["score"].tolist() == [0.0, 0.0]
        assert "Chưa có số liệu tháng 11/2026" in text
    elif page == "ho_so_xa":
        assert shown["Có số liệu"][0] == "0,0 %"
        assert "Xã Minh Đức chưa báo cáo số liệu nào" in text
        assert "tính 0 điểm" in text and "Chưa có số liệu nào, nên chưa có biểu đồ điểm" in text
        for part in ("diem", "vi_sao", "chi_tieu", "dien_bien", "du_bao"):  # no charts of zeros in any part
            assert not open_part(at, part).get("plotly_chart") and not vega_count(at), part
        assert "Chưa có số liệu nào trong năm 2026" in text_of(open_part(at, "dien_bien"))
        indicators = open_part(at, "chi_tieu").dataframe[-1].value
        assert len(indicators) == 21 and set(indicators["status_text"]) == {"⬜ Chưa có số liệu"}
        assert indicators["source"].str.contains("138/KH-UBND").all()  # the signed plan it came from
    elif page == "so_sanh":
        assert len(at.metric) == 2
        assert "chưa báo cáo số liệu nào năm này" in text and not vega_count(at)
    elif page == "don_vi_chu_tri":
        assert int(at.dataframe[0].value["n_missing"].sum()) == int(at.dataframe[0].value["n"].sum())


@pytest.mark.parametrize("page", ("tong_quan", "tru_cot", "xep_hang", "don_vi_chu_tri"))
def test_pages_for_a_year_without_targets(store, page):
    at = open_page(page, tinh="Quảng Ngãi", thang=MONTH)
    assert "chưa có chỉ tiêu nào cho năm 2026" in text_of(at) or "Không xã nào" in text_of(at)
    assert not at.get("plotly_chart") and not vega_count(at) and not at.dataframe


@pytest.mark.parametrize("page", PAGES)
def test_pages_on_an_empty_installation(empty_data, page):
    at = open_page(page)
    assert "Chưa có xã nào trong dữ liệu" in text_of(at)
    assert not at.dataframe and not at.get("plotly_chart") and not vega_count(at)


# ---- a single commune -------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_pages_with_a_single_commune(single_commune, page):
    at = open_page(page)
    assert at.query_params["tinh"] == "Thử Nghiệm"
    assert at.query_params["thang"] == "2026-11"  # the latest month with results
    text = text_of(at)
    ranking = single_commune.run_query("ranking_by_month", period=_date("2026-11"), province="Thử Nghiệm")
    score = ranking["score"][0]
    shown = metrics(at)
    if page == "tong_quan":
        assert shown["Số xã"][0] == "1"
        assert shown["Điểm trung bình"][0] == vi(score)
        assert shown["Xã đã báo cáo"][0] == "100,0 %"
        assert table_with(at, "weakest_pillar")["commune_name"].tolist() == ["Xã Một Mình"]
    elif page == "tru_cot":
        assert at.dataframe[0].value["indicator"].tolist() == ["HT01", "HT04"]
        assert shown["Trọng số trong điểm tổng"] == ("12,5 %", "100/800")
    elif page == "xep_hang":
        table = at.dataframe[0].value
        assert table["rank"].tolist() == [1] and table["score"].tolist() == [score]
    elif page == "ho_so_xa":
        assert at.query_params["xa"] == ONE
        assert shown["Điểm tổng"][0] == vi(score) and shown["Hạng trong tỉnh"][0] == "1/1"
        pillars, why = (open_part(at, "vi_sao").dataframe[i].value for i in range(2))
        assert pillars["pillar_name"].tolist() == ["Hạ tầng số", "Nhân lực số", "Chính quyền số"]
        assert round(why["contribution"].sum(), 2) == score
        assert "DM01" not in why["indicator"].tolist()
        why_text = text_of(at)
        indicators = open_part(at, "chi_tieu").dataframe[0].value
        assert "Đổi mới sáng tạo (không tính điểm)" in indicators["group"].tolist()  # DM01, never in a score
        assert "(chưa giao)" in indicators["lead_unit"].tolist()
        assert "Trụ cột không có chỉ tiêu nào năm này nên không tính: An toàn thông tin mạng" in text + why_text + text_of(at)
    elif page == "so_sanh":
        assert "Chọn từ 2 đến 4 xã" in text
    elif page == "don_vi_chu_tri":
        offices = at.dataframe[0].value["office"].tolist()
        # "Phòng VH-XH" and "Phòng Văn hoá - Xã hội" are one office; a target without one is shown as such
        assert sorted(offices) == sorted(["Phòng Văn hóa - Xã hội", "Phòng Kinh tế", "Văn phòng HĐND-UBND",
                                          "(Chưa giao đơn vị chủ trì)"])


def _date(month: str):
    from queries.db import month_start

    return month_start(month)


# ---- Phương pháp, on the three data sets ----------------------------------------------------------
def test_method_page_on_every_data_set(store, single_commune):
    at = open_page("phuong_phap")
    text = text_of(at)
    assert "100 × min(giá trị ÷ mục tiêu; 1)" in text
    sources = at.dataframe[2].value
    assert sources["Văn bản"].tolist() == ["Kế hoạch thử nghiệm số 1/KH-UBND"]
    assert sources["Số chỉ tiêu"].tolist() == [6]


def test_method_page_with_no_data_still_explains(store, empty_data):
    at = open_page("phuong_phap")
    assert "Điểm tổng được **làm tròn 2 chữ số thập phân rồi mới xếp hạng**" in text_of(at)
    # weights, statuses, settings: no table of source documents when there are none
    assert len(at.dataframe) == 3
    assert at.dataframe[2].value["Tên"].tolist()[0] == "weight_HT"


def test_method_page_on_shipped_data_lists_the_real_plans(store):
    at = open_page("phuong_phap")
    provinces = set(at.dataframe[2].value["Tỉnh"])
    assert provinces == {"Đồng Nai", "Quảng Ngãi", "Thanh Hóa"}  # demo plans are not listed


def test_a_page_says_what_it_is_computing_while_it_waits(store, monkeypatch):
    """Every question not answered before runs under a spinner with Vietnamese words (shown past
    half a second), so a page is never an empty body while its data loads; an answer already
    cached draws no spinner."""
    import contextlib

    import ui.state

    said = []

    @contextlib.contextmanager
    def loading(words):
        said.append(words)
        yield

    monkeypatch.setattr(ui.state, "loading", loading)
    ui.state._asked.clear()
    open_page("tong_quan", tinh=DEMO, thang=MONTH)
    assert "Đang tính bảng xếp hạng…" in said and "Đang tính tình trạng các chỉ tiêu…" in said
    assert all(words.startswith("Đang ") and words.endswith("…") for words in said)
    said.clear()
    open_page("tong_quan", tinh=DEMO, thang=MONTH)
    assert said == []
