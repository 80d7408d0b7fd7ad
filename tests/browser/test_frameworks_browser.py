"""Frameworks, what-if weights and the map in a real browser (Debian's chromium), with
screenshots in tests/artifacts/ to be looked at:

- Xếp hạng: the what-if sliders (a key press moves one, the others follow, the sum stays 100 %),
  the official and what-if rankings side by side, the address that reopens the same view;
- the map of communes at province scale and for the whole country (34 fictional provinces,
  "minh họa"), and a click on a commune opening its profile;
- a province admin uploading a GeoJSON with two features that match no commune.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT, create_test_account, sign_in, start_server, stop_server
from tests.browser.test_pages_browser import full_screenshot, main_text, settle

DEMO = "Minh Họa"
QUERY = f"tinh={quote(DEMO)}&thang=2026-11"


def plot_data(page, index: int = -1) -> dict:
    """What Plotly drew in the page's plotly charts (the last one by default)."""
    return page.evaluate(f"""() => {{
        const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
        const gd = plots.at({index});
        return {{n: plots.length, traces: gd.data.map(t => ({{name: t.name, mode: t.mode, fill: t.fill,
                 points: (t.x || []).filter(v => v !== null).length, custom: (t.customdata || []).length}}))}};
    }}""")


def wait_for_map(page) -> None:
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .some(gd => gd.data.some(t => t.fill === 'toself'))""", timeout=90_000)
    settle(page)


def map_plot_index(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .findIndex(gd => gd.data.some(t => t.fill === 'toself'))""")


# ---- what-if sliders --------------------------------------------------------------------------------

def test_what_if_sliders_rank_side_by_side_and_the_address_reopens_them(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{app_url}/xep_hang?{QUERY}")
    settle(page, "100 xã được xếp hạng")
    page.get_by_text("Thử trọng số giả định").click()
    settle(page, "Theo trọng số giả định")
    assert "Xếp hạng chính thức" in main_text(page)
    # A slider moves by the keyboard as by the mouse: CQ to 100 %, every other group to 0.
    cq = page.get_by_test_id("stSlider").filter(has_text="Chính quyền số (CQ)").get_by_role("slider")
    cq.focus()
    cq.press("End")
    settle(page, "CQ 100 %")
    assert page.locator('[data-testid="stException"]').count() == 0
    text = main_text(page)
    assert "Trọng số giả định: HT 0 %, NL 0 %, AT 0 %, CQ 100 %, KT 0 %, XH 0 %" in text
    assert "xã đổi hạng so với xếp hạng chính thức" in text
    weights = parse_qs(urlparse(page.url).query)["trong_so"][0]
    assert weights == "HT:0,NL:0,AT:0,CQ:100,KT:0,XH:0"
    full_screenshot(page, "frameworks_whatif_sliders")

    # The address, sent to someone else: a fresh session opens the same what-if view.
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    other.goto(page.url)
    settle(other, "Theo trọng số giả định")
    assert "CQ 100 %" in main_text(other)
    thumb = other.get_by_test_id("stSlider").filter(has_text="Chính quyền số (CQ)").get_by_test_id("stSliderThumbValue")
    assert thumb.inner_text().startswith("100")
    other.context.close()
    context.close()


# ---- the map, at province and national scale ------------------------------------------------------------

@pytest.fixture(scope="module")
def national_url(tmp_path_factory):
    """A server over a store of 34 fictional provinces (30 communes each, 14 months) with their
    fictional boundaries, beside the shipped data: the country on one map."""
    store = tmp_path_factory.mktemp("national-store")
    subprocess.run([sys.executable, "-m", "queries.demo", "--provinces", "34", "--communes", "1020", "--months", "14",
                    "--end", "2026-11", "--store", str(store), "--seed", "11"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "queries.demo.boundaries", "--store", str(store)], cwd=ROOT, check=True,
                   stderr=subprocess.DEVNULL)
    url, server = start_server(store)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield url
    stop_server(server)


def test_the_map_at_province_and_national_scale_and_a_click_opens_the_profile(browser, national_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{national_url}/?tinh={quote('Minh Họa 05')}&thang=2026-11")
    settle(page, "Bản đồ các xã")
    # no map (and no plotly.js) until the reader asks for it
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    assert "Bật để xem bản đồ các xã" in main_text(page)
    page.get_by_text("🗺️ Hiện bản đồ", exact=True).click()
    wait_for_map(page)
    assert parse_qs(urlparse(page.url).query)["ban_do"] == ["1"]  # a link or a reload keeps the map
    index = map_plot_index(page)
    assert index >= 0
    drawn = plot_data(page, index)
    centres = [t for t in drawn["traces"] if t["mode"] == "markers"][0]
    assert centres["custom"] == 30  # the province's communes
    assert {t["name"] for t in drawn["traces"] if t["fill"] == "toself"} <= {
        "≥ 90 điểm", "80–90 điểm", "65–80 điểm", "50–65 điểm", "< 50 điểm", "Chưa có điểm"}
    page.locator('[data-testid="stPlotlyChart"]').nth(index).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.locator('[data-testid="stPlotlyChart"]').nth(index).screenshot(path=str(ARTIFACTS / "map_province.png"))

    page.get_by_test_id("stButtonGroup").get_by_text("Cả nước", exact=True).click()
    # The rerun may not have begun when the click returns (a busy machine): wait for the map it draws.
    page.wait_for_function("""(least) => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .some(gd => gd.data.some(t => t.fill === 'toself')
                    && gd.data.some(t => t.mode === 'markers' && (t.customdata || []).length >= least))""",
                           arg=34 * 30, timeout=90_000)
    settle(page)
    index = map_plot_index(page)
    drawn = plot_data(page, index)
    centres = [t for t in drawn["traces"] if t["mode"] == "markers"][0]
    assert centres["custom"] >= 34 * 30  # every fictional province (and the shipped demo's 100)
    page.locator('[data-testid="stPlotlyChart"]').nth(index).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.locator('[data-testid="stPlotlyChart"]').nth(index).screenshot(path=str(ARTIFACTS / "map_national.png"))

    # Back to the province; a click on a commune's centre opens its profile, same month.
    page.get_by_test_id("stButtonGroup").get_by_text("Tỉnh Minh Họa 05", exact=True).click()
    settle(page)
    index = map_plot_index(page)
    target = page.evaluate(f"""() => {{
        const gd = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')][{index}];
        const t = gd.data.find(t => t.mode === 'markers');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        return {{x: box.left + xa._offset + xa.l2p(t.x[0]), y: box.top + ya._offset + ya.l2p(t.y[0]),
                 id: t.customdata[0][0]}};
    }}""")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url("**/ho_so_xa**", timeout=30_000)
    settle(page, "Vì sao điểm này?")
    query = parse_qs(urlparse(page.url).query)
    assert query["xa"] == [target["id"]] and query["thang"] == ["2026-11"]
    full_screenshot(page, "map_click_profile")
    context.close()


# ---- a GeoJSON with communes that match nothing -------------------------------------------------------

def test_a_province_uploads_a_geojson_with_unmatched_communes(browser, app_url, app_store, tmp_path):
    from queries.demo.boundaries import demo_communes, raw_files
    from queries.settings import DEMO_STORE

    password = create_test_account(app_store, "quantri.minhhoa", "quan_tri", "Trần Văn Bình", provinces=[DEMO])
    raw = raw_files(demo_communes(DEMO_STORE))[DEMO]
    raw["features"][0]["properties"]["ten_xa"] = "Xã Không Có Thật"
    raw["features"][5]["properties"]["ten_xa"] = "Phường Ngoài Tỉnh"
    path = tmp_path / "ranh-gioi-minh-hoa.geojson"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, app_url, "quantri.minhhoa", password)
    page.goto(f"{app_url}/quan_tri")
    settle(page, "Tài khoản")
    page.get_by_role("tab", name="Bản đồ xã").click()
    settle(page, "Tệp ranh giới")
    page.get_by_role("tabpanel", name="Bản đồ xã").locator(
        '[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    settle(page, "Tải lên ranh giới")
    page.get_by_role("button", name="Tải lên ranh giới").click()
    settle(page, "Đã lưu ranh giới 98 xã")
    text = main_text(page)
    assert "2 vùng trong tệp không khớp xã nào của tỉnh Minh Họa" in text
    assert "Xã Không Có Thật" in text and "Phường Ngoài Tỉnh" in text
    assert "2 xã của tỉnh chưa có ranh giới" in text
    full_screenshot(page, "boundaries_unmatched")

    page.goto(f"{app_url}/?{QUERY}&ban_do=1")  # a link with the map on
    settle(page, "Bản đồ các xã")
    wait_for_map(page)
    index = map_plot_index(page)
    centres = [t for t in plot_data(page, index)["traces"] if t["mode"] == "markers"][0]
    assert centres["custom"] == 98  # the province's own file now, not the shipped illustration
    assert "98 trên 100 xã có ranh giới trên bản đồ." in main_text(page)
    page.locator('[data-testid="stPlotlyChart"]').nth(index).screenshot(path=str(ARTIFACTS / "map_uploaded.png"))
    context.close()
    shutil.rmtree(app_store / "boundaries", ignore_errors=True)  # other tests of the session see the shipped file
