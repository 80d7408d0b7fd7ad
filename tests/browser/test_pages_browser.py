"""The leaders' pages in a real browser (Debian's chromium) on the shipped data: every page
opens without an error, a copied URL opens the same view, and each page is saved as a
screenshot in tests/artifacts/ to be looked at.

One browser tab walks through the pages like a leader would (a deep link first, then the
menu), which keeps the test well under a minute; the copied link opens in a second, fresh
browser context (a new session with nothing remembered).
"""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import ARTIFACTS

QUERY = f"tinh={quote('Minh Họa')}&thang=2026-11"
# (url path, menu entry and title, text the page must show)
PAGES = [
    ("tru_cot", "Trụ cột", "Tình trạng từng chỉ tiêu"),
    ("", "Tổng quan", "Các xã cần quan tâm nhất"),
    ("xep_hang", "Xếp hạng", "100 xã được xếp hạng"),
    ("ho_so_xa", "Hồ sơ xã", "Điểm theo trụ cột"),
    ("so_sanh", "So sánh", "Từng chỉ tiêu"),
    ("don_vi_chu_tri", "Đơn vị chủ trì", "Một đơn vị: chậm ở chỉ tiêu nào, xã nào"),
    ("tinh_hinh_bao_cao", "Tình hình báo cáo", "Xã cần nhắc"),
]
# Pages of what plans ask beyond targets, opened on a province that has them (deep links):
# (url path and query, title, text to wait for, text the page must show, screenshot name)
PLAN_PAGES = [
    (f"nhiem_vu?tinh={quote('Quảng Ngãi')}", "Nhiệm vụ", "Từng nhiệm vụ", "Quá hạn", "nhiem_vu"),
    (f"kinh_phi?tinh={quote('Thanh Hóa')}", "Kinh phí", "Từng khoản chi", "481.179.000 đ", "kinh_phi"),
    (f"ho_so_xa?tinh={quote('Quảng Ngãi')}&thang=2025-12&xa=quang-ngai%2Fnghia-hanh&muc=ke_hoach", "Hồ sơ xã",
     "Nhiệm vụ của xã", "tình hình đến ngày 31/12/2025", "ho_so_xa_nhiem_vu"),
    (f"ho_so_xa?tinh={quote('Thanh Hóa')}&thang=2025-12&xa=thanh-hoa%2Fdinh-tien&muc=ke_hoach", "Hồ sơ xã",
     "Dự toán và đã chi theo từng khoản", "đã chi 481.179.000 đ", "ho_so_xa_kinh_phi"),
]


@pytest.fixture(scope="module")
def tab(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    yield context.new_page()
    context.close()


def settle(page, text: str | None = None, timeout_ms: int = 40_000) -> None:
    """Wait until the script run is over and the page stops growing (charts drawn)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    if text:
        page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_ms)
    last, stable = -1, 0
    for _ in range(timeout_ms // 200):
        page.wait_for_timeout(200)
        busy = page.locator('[data-testid="stStatusWidget"]').count()
        height = page.evaluate(
            "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
        stable = stable + 1 if (height == last and not busy) else 0
        last = height
        if stable >= 2:
            return


def full_screenshot(page, name: str) -> None:
    """Streamlit scrolls inside its main area, so grow the window to the page before the shot."""
    height = page.evaluate(
        "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
    page.set_viewport_size({"width": 1280, "height": max(900, min(height, 14_000))})
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def check_page(page, title: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("h1").first.inner_text().strip() == title
    # the app's own menu (not Streamlit's listing of a legacy pages folder)
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("Đơn vị chủ trì").count() == 1 and nav.get_by_text("tong quan").count() == 0
    content = page.locator('[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"], '
                           '[data-testid="stDataFrame"]')
    # a long page's text can be there seconds before its charts are drawn (a fresh session on a busy machine)
    content.first.wait_for(timeout=40_000)
    assert content.count() >= 1


WITHOUT_PLOTLY = ("tru_cot", "", "tinh_hinh_bao_cao")  # plotly.js costs seconds: only the map, when chosen


def check_no_plotly(page, path: str) -> None:
    if path in WITHOUT_PLOTLY:
        assert page.locator('[data-testid="stPlotlyChart"]').count() == 0, path
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1, path


def test_every_page_opens_without_error(tab, app_url):
    first, *others = PAGES
    path, title, marker = first
    # a deep link is the first thing this tab opens
    tab.goto(f"{app_url}/{path}?{QUERY}&tru_cot=CQ")
    settle(tab, marker)
    check_page(tab, title)
    check_no_plotly(tab, path)
    assert "Tỉnh Minh Họa · Tháng 11/2026 · Trụ cột Chính quyền số" in main_text(tab)
    full_screenshot(tab, path)
    for path, title, marker in others:
        tab.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        settle(tab, marker)
        check_page(tab, title)
        if path == "tinh_hinh_bao_cao":  # its grid is a part of its own (a tab), drawn when opened
            tab.get_by_role("tab", name="Mười hai tháng qua").click()
            settle(tab, "Rê chuột vào một ô")
            assert "muc=muoi_hai_thang" in tab.url
        check_no_plotly(tab, path)
        assert f"/{path}" in tab.url and "thang=2026-11" in tab.url
        if path != "so_sanh":
            assert "Tỉnh Minh Họa · Tháng 11/2026" in main_text(tab)
        full_screenshot(tab, path or "tong_quan")


def test_plan_pages_on_the_provinces_that_have_them(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        for path, title, marker, expected, name in PLAN_PAGES:
            page.goto(f"{app_url}/{path}")
            settle(page, marker)
            check_page(page, title)
            assert expected in main_text(page), name
            full_screenshot(page, name)
    finally:
        context.close()


def test_copied_url_opens_the_same_view(tab, app_url, browser):
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("Hồ sơ xã", exact=True).click()
    settle(tab, "Vì sao điểm này?")
    # search without diacritics, then change the month
    search = tab.get_by_label("Tìm xã")
    search.fill("thinh vinh")
    search.press("Enter")
    settle(tab, "Xã Thịnh Vinh · Tỉnh Minh Họa")
    tab.get_by_role("combobox", name="Tháng").click()
    tab.get_by_role("option", name="Tháng 9/2026", exact=True).click()
    settle(tab, "Xã Thịnh Vinh · Tỉnh Minh Họa · Tháng 9/2026")
    # a part of the profile (a tab, drawn when opened) is in the address too
    tab.get_by_role("tab", name="Các chỉ tiêu").click()
    settle(tab, "Các chỉ tiêu được giao")
    copied = tab.url
    assert "xa=minh-hoa%2Fthinh-vinh" in copied and "thang=2026-09" in copied and "muc=chi_tieu" in copied

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        other = context.new_page()
        other.goto(copied)
        settle(other, "Các chỉ tiêu được giao")
        check_page(other, "Hồ sơ xã")
        assert "Xã Thịnh Vinh · Tỉnh Minh Họa · Tháng 9/2026" in main_text(other)
        assert other.get_by_role("tab", name="Các chỉ tiêu").get_attribute("aria-selected") == "true"
    finally:
        context.close()

    # the choice follows to another page through the menu
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("Xếp hạng", exact=True).click()
    settle(tab, "xã được xếp hạng")
    check_page(tab, "Xếp hạng")
    assert "/xep_hang" in tab.url and "thang=2026-09" in tab.url
    assert "Tỉnh Minh Họa · Tháng 9/2026" in main_text(tab)


def test_commune_profile_draws_vega_lite_only_and_its_grid_scrolls_in_its_frame_on_a_phone(browser, app_url):
    """Hồ sơ xã loads no plotly.js (its 4.7 MB script made the page ~1.7× slower to settle): its
    charts are Vega-Lite. It draws its first part (a tab) only; another is drawn when its tab is
    clicked, and named in the address. On a phone the grid of small charts, wider than the
    screen, scrolls sideways inside its own frame; the page itself does not."""
    url = f"{app_url}/ho_so_xa?{QUERY}&xa=minh-hoa%2Fan-ha"
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        try:
            page = context.new_page()
            page.goto(url)
            settle(page, "Điểm tổng qua các tháng")
            assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2  # pillars, score by month
            assert page.locator('.st-key-hs-trends-frame').count() == 0
            page.get_by_role("tab", name="Diễn biến trong năm").click()
            settle(page, "Diễn biến từng chỉ tiêu trong năm")
            page.locator('.st-key-hs-trends-frame [data-testid="stVegaLiteChart"] canvas, '
                         '.st-key-hs-trends-frame [data-testid="stVegaLiteChart"] svg').first.wait_for(timeout=40_000)
            assert "muc=dien_bien" in page.url
            assert page.locator('[data-testid="stPlotlyChart"], .js-plotly-plot').count() == 0
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
            if viewport["width"] < 640:
                frame = page.locator('.st-key-hs-trends-frame [data-testid="stVegaLiteChart"]')
                wide, shown, overflow = frame.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
                assert wide > shown and overflow == "auto"
        finally:
            context.close()
