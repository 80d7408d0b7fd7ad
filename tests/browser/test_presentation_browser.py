"""Presentation mode in a real browser at 1280×720, the size a projector shows: opened with
?trinh_chieu=1, driven through every slide with the keyboard, one screenshot per slide in
tests/artifacts/slide-NN.png (look at them: that is what the room sees)."""
from __future__ import annotations

import re
from urllib.parse import quote

from tests.browser.conftest import ARTIFACTS, wait_for_app

N_SLIDES = 12


def _counter(page) -> str:
    return page.locator(".tc-counter").inner_text().replace("\n", " ").strip()


def _wait_for_slide(page, number: int) -> None:
    page.wait_for_function(
        "n => { const c = document.querySelector('.tc-counter');"
        " return c && c.innerText.trim().startsWith(n + ' /'); }",
        arg=number, timeout=20_000)
    wait_for_app(page)
    page.wait_for_selector(".tc-cover, .tc-head", timeout=20_000)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=20_000)
    page.wait_for_timeout(300)


def test_presentation_mode_by_keyboard(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/?trinh_chieu=1&tinh={quote('Minh Họa')}&thang=2026-11")
    wait_for_app(page)
    _wait_for_slide(page, 1)
    assert re.search(r"/trinh_chieu\b", page.url)

    # no sidebar, no toolbar: the room sees only the slide and a small navigation bar
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    assert page.locator(".tc-cover").is_visible()
    assert "Minh Họa" in page.locator(".tc-cover").inner_text()

    titles = []
    for number in range(1, N_SLIDES + 1):
        _wait_for_slide(page, number)
        assert _counter(page) == f"{number} / {N_SLIDES}"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / f"slide-{number:02d}.png"))
        heading = page.locator(".tc-title, .tc-cover-title").first
        titles.append(heading.inner_text())
        # large type: headings and every fact readable from the back of the room
        assert float(heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
        sizes = page.locator(".tc-fact-label, .tc-fact-note, .tc-bullets li, table.tc-table td").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert all(size >= 20 for size in sizes), sizes
        # nothing spills under the navigation bar at the bottom
        nav_top = page.locator(".st-key-tc-nav").bounding_box()["y"]
        content = page.locator(".tc-head, .tc-cover, .tc-fact, .tc-bullets, table.tc-table, "
                               '[data-testid="stPlotlyChart"]')
        bottoms = [box["y"] + box["height"] for box in
                   (content.nth(i).bounding_box() for i in range(content.count())) if box]
        assert max(bottoms) <= nav_top + 1, (number, max(bottoms), nav_top)
        if number < N_SLIDES:
            page.keyboard.press("ArrowRight")

    assert titles[0] == "Tiến độ chuyển đổi số cấp xã"
    assert titles[1:3] == ["Tổng quan toàn tỉnh", "Xếp hạng: 10 xã dẫn đầu"]
    assert titles[-1] == "Cách tính điểm"

    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, N_SLIDES - 1)
    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, N_SLIDES - 2)
    assert _counter(page) == f"{N_SLIDES - 2} / {N_SLIDES}"
    # the presenter's clicker sends Page Down
    page.keyboard.press("PageDown")
    _wait_for_slide(page, N_SLIDES - 1)
