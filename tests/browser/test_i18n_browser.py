"""Both languages and phones in a real browser (Debian's chromium): every page in Vietnamese and
in English, at desktop width and at a phone's (390 × 844), saved as screenshots in
tests/artifacts/i18n/ to be looked at. At phone width the page itself never scrolls sideways
(wide tables and charts scroll inside their own frame). Streamlit's own English words on the
file uploader read Vietnamese on a Vietnamese page and stay English on an English one.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest

from queries import i18n
from tests.browser.conftest import (
    ARTIFACTS,
    COUNT_RUNS,
    create_test_account,
    sign_in,
    wait_for_app,
    wait_for_run,
    wait_until_still,
)
from tests.browser.test_pages_browser import settle

SHOTS = ARTIFACTS / "i18n"
QUERY = f"tinh={quote('Minh Họa')}&thang=2026-11"
# Every page an administrator opens (url path, the page's title in Vietnamese; in English the
# catalogue's translation of it).
PAGES_VI = [
    ("", "Tổng quan"), ("tru_cot", "Trụ cột"), ("xep_hang", "Xếp hạng"), ("ho_so_xa", "Hồ sơ xã"),
    ("so_sanh", "So sánh"), ("don_vi_chu_tri", "Đơn vị chủ trì"), ("tinh_hinh_bao_cao", "Tình hình báo cáo"),
    ("tinh_hinh_bao_cao?muc=muoi_hai_thang", "Tình hình báo cáo"),  # its grid, a part (tab) of its own
    ("nhiem_vu", "Nhiệm vụ"), ("kinh_phi", "Kinh phí"), ("tai_len", "Tải lên số liệu"),
    ("trinh_chieu", None),  # the presentation: slides, no page title
    ("phuong_phap", "Phương pháp tính điểm"), ("quan_tri", "Quản trị"), ("nhat_ky", "Nhật ký hoạt động"),
]
PAGES = [(path, title, i18n.catalogue("en")[title] if title else None) for path, title in PAGES_VI]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# What sticks out sideways, if anything: the page's own width against the screen's.
OVERFLOW = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const wide = [...document.querySelectorAll('[data-testid="stMainBlockContainer"] *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
    .filter(e => !e.closest('[data-testid="stDataFrame"], [data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"], .stDataFrame, table'))
    .slice(0, 5).map(e => (e.getAttribute('data-testid') || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().right));
  return {doc: document.documentElement.scrollWidth, main: main ? main.scrollWidth : 0,
          mainClient: main ? main.clientWidth : 0, inner: window.innerWidth, wide: wide};
}"""


# A country-wide administrator: every page, on every province (the demo one has the most to show).
NATIONAL = "quantri.toanquoc"


@pytest.fixture(scope="module")
def admin_password(app_store):
    return create_test_account(app_store, NATIONAL, "quan_tri", "Trần Quốc Toàn")


def full_screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main block, not the document, so the window
    is made as tall as the page for the picture (then put back)."""
    viewport = page.viewport_size
    height = page.evaluate(
        "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(height, 9000))})
    page.wait_for_timeout(300)  # charts follow the new width
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)


def _settled(page) -> None:
    """The page's title is drawn (checked before): now its run is over, nothing of the page
    before is greyed out, and its height has stopped changing."""
    wait_for_run(page, -1, timeout=90_000)
    wait_until_still(page)


def _context(browser, viewport):
    return browser.new_context(viewport=viewport, locale="vi-VN", device_scale_factor=1,
                               is_mobile=viewport is PHONE, has_touch=viewport is PHONE)


def address(path: str) -> str:
    """The page's path and the start of its query (a part of a page, ?muc=, keeps its own key)."""
    return f"{path}&" if "?" in path else f"{path}?"


def _walk(browser, app_url, admin_password, language: str, viewport: dict, name: str) -> list[str]:
    """Every page in one language at one width; returns what scrolled sideways, if anything."""
    context = _context(browser, viewport)
    context.add_init_script(COUNT_RUNS)  # wait_for_run reads its count
    page = context.new_page()
    problems: list[str] = []
    try:
        sign_in(page, app_url, NATIONAL, admin_password)
        for index, (path, title_vi, title_en) in enumerate(PAGES):
            if index:  # from page to page in the same session, as the menu goes (the browser's history)
                page.evaluate("url => { history.pushState({}, '', url); dispatchEvent(new PopStateEvent('popstate')); }",
                              f"/{address(path)}{QUERY}&lang={language}")
            else:  # the first page of a new server waits for its tables: its figures show then
                page.goto(f"{app_url}/{address(path)}{QUERY}&lang={language}")
                page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
            title = title_en if language == "en" else title_vi
            if title:
                page.locator("h1", has_text=title).first.wait_for(timeout=60_000)
            _settled(page)
            assert page.get_by_test_id("stException").count() == 0, f"{path}: a traceback reached the page"
            if title:
                assert page.locator("h1").first.inner_text().startswith(title), path
            if viewport is PHONE:
                sizes = page.evaluate(OVERFLOW)
                if sizes["doc"] > sizes["inner"] or sizes["main"] > sizes["mainClient"] + 1:
                    problems.append(f"{path or 'tong_quan'}: {sizes}")
            SHOTS.mkdir(parents=True, exist_ok=True)
            full_screenshot(page, SHOTS / f"{name}-{language}-{(path or 'tong_quan').replace('?muc=', '-')}.png")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_at_desktop_width(browser, app_url, admin_password, language):
    _walk(browser, app_url, admin_password, language, DESKTOP, "desktop")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_on_a_phone_without_sideways_scrolling(browser, app_url, admin_password, language):
    problems = _walk(browser, app_url, admin_password, language, PHONE, "phone")
    assert not problems, "the page scrolls sideways at 390 px:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_sign_in_page_in_both_languages(browser, app_url, viewport, name):
    context = _context(browser, viewport)
    page = context.new_page()
    try:
        for language, heading, field in (("vi", "Đăng nhập", "Tên đăng nhập"), ("en", "Sign in", "Username")):
            page.goto(f"{app_url}/dang_nhap?lang={language}")
            settle(page, heading)
            assert page.get_by_label(field).count() == 1
            SHOTS.mkdir(parents=True, exist_ok=True)
            full_screenshot(page, SHOTS / f"{name}-{language}-dang_nhap.png")
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def _uploader_words(page) -> tuple[str, str]:
    """What the first uploader's button and limit line show (CSS ::after content included)."""
    return page.evaluate("""() => {
      const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
      const shown = el => {
        if (!el) return '';
        const after = getComputedStyle(el, '::after').content;
        const size = parseFloat(getComputedStyle(el).fontSize);
        const own = size > 0 ? el.innerText : '';
        return (own + ' ' + (after && after !== 'none' ? after.replace(/^"|"$/g, '') : '')).trim();
      };
      return [shown(zone.querySelector('button [data-testid="stMarkdownContainer"]')),
              shown(zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span'))];
    }""")


def test_uploader_speaks_the_pages_language(browser, app_url, admin_password):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, app_url, NATIONAL, admin_password)
        page.goto(f"{app_url}/tai_len")
        settle(page, "Tải tệp lên")
        button, limit = _uploader_words(page)
        assert button == "Chọn tệp" and limit.startswith("Tối đa") and "MB mỗi tệp" in limit, (button, limit)
        page.get_by_test_id("stFileUploader").first.screenshot(path=str(SHOTS / "uploader-vi.png"))
        # a file dragged over the zone: Streamlit's "Drag and drop a file here" reads Vietnamese too
        transfer = page.evaluate_handle(
            "() => { const t = new DataTransfer(); t.items.add(new File(['x'], 'a.csv')); return t; }")
        zone = page.get_by_test_id("stFileUploaderDropzone").first
        zone.dispatch_event("dragenter", {"dataTransfer": transfer})
        overlay = zone.locator(":scope > div:not([data-testid])")
        overlay.wait_for(timeout=5_000)
        shown = overlay.evaluate("e => getComputedStyle(e.firstElementChild, '::after').content")
        assert shown.strip('"') == "Thả tệp vào đây", shown
        zone.dispatch_event("dragleave", {"dataTransfer": transfer})
        page.goto(f"{app_url}/tai_len?lang=en")
        settle(page, "Upload a file")
        button, limit = _uploader_words(page)
        assert button == "Upload" and "per file" in limit, (button, limit)
        page.get_by_test_id("stFileUploader").first.screenshot(path=str(SHOTS / "uploader-en.png"))
        wait_for_app(page)
    finally:
        context.close()


def test_language_switch_keeps_english_across_the_menu(browser, app_url, admin_password):
    """The switch in the sidebar, then a page chosen in the menu: still English (st.navigation
    drops ?lang=, the session keeps it and puts it back)."""
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, app_url, NATIONAL, admin_password)
        page.goto(f"{app_url}/xep_hang?{QUERY}")
        settle(page, "Xếp hạng")
        page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
        settle(page, "Ranking")
        assert "lang=en" in page.url
        page.get_by_test_id("stSidebarNav").get_by_text("Commune profile").click()
        settle(page, "Commune profile")
        assert page.locator("h1").first.inner_text().startswith("Commune profile")
        assert "lang=en" in page.url
        page.get_by_test_id("stSidebar").get_by_text("Tiếng Việt", exact=True).click()
        settle(page, "Hồ sơ xã")
        assert "lang=" not in page.url or "lang=vi" in page.url
    finally:
        context.close()
