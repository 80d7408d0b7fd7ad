"""Real browser, the monthly cycle: a commune officer sends a month's results with a piece of evidence,
the province admin looks at it on "Tình hình báo cáo" and asks for more, and the officer sees
the province's comment. Screenshots: tests/artifacts/cycle_*.png."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, ARTIFACTS, OFFICER, sign_in, wait_for_app

# October 2026: due on 20/11, still open on the tests' day (22/11/2026).
OCTOBER = ("Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\r\n"
           "Xã Định Tiến;Thanh Hóa;10/2026;XH06;66,5\r\n").encode()
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
COMMENT = "Bổ sung biên bản nghiệm thu camera và ảnh chụp tại trụ sở"


def settled(page) -> None:
    wait_for_app(page)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=30_000)


def menu(page, title: str) -> None:
    """Go to a page through the menu: a typed address would start a new session."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    settled(page)


def choose(page, label: str, option: str, which: int = -1) -> None:
    """Pick an option of a Streamlit select box by its label (the last such box unless told)."""
    box = page.get_by_role("combobox", name=label, exact=True).nth(which)
    box.click()
    # The list is virtual (only the options in view exist): typing filters it first.
    box.fill(option)
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)
    expect(page.get_by_role("combobox", name=label, exact=True).nth(which)).to_have_value(re.compile(re.escape(option)))


def test_evidence_then_review_then_the_officer_reads_the_comment(browser, app_url, officer_password,
                                                                 admin_password, tmp_path):
    data, evidence = tmp_path / "thang10.csv", tmp_path / "bien-ban-nghiem-thu.pdf"
    data.write_bytes(OCTOBER)
    evidence.write_bytes(PDF)

    # The officer sends October's results with the minutes as evidence.
    officer = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="vi-VN").new_page()
    sign_in(officer, app_url, OFFICER, officer_password)
    menu(officer, "Tải lên số liệu")
    uploaders = officer.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploaders.nth(0).set_input_files(str(data))
    wait_for_app(officer)
    uploaders.nth(1).set_input_files(str(evidence))
    wait_for_app(officer)
    expect(officer.get_by_text("Minh chứng kèm theo: bien-ban-nghiem-thu.pdf")).to_be_visible()
    officer.get_by_role("button", name="Lưu 1 dòng hợp lệ").click()
    wait_for_app(officer)
    expect(officer.get_by_text("kèm 1 tệp minh chứng").first).to_be_visible()
    settled(officer)
    officer.screenshot(path=str(ARTIFACTS / "cycle_officer_upload.png"), full_page=True)

    # The province admin opens the month, sees the evidence, asks for more.
    admin = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="vi-VN").new_page()
    sign_in(admin, app_url, ADMIN, admin_password)
    menu(admin, "Tình hình báo cáo")  # the admin's province, Thanh Hóa
    choose(admin, "Tháng", "Tháng 10/2026", which=0)  # the page's month; the review takes it
    admin.get_by_role("tab", name="Thẩm định số liệu").click()  # the review is a part of its own
    settled(admin)
    choose(admin, "Xã", "Xã Định Tiến")
    expect(admin.get_by_role("button", name="bien-ban-nghiem-thu.pdf").first).to_be_visible()
    admin.get_by_text("Yêu cầu bổ sung", exact=True).click()
    admin.get_by_label("Nhận xét gửi xã").fill(COMMENT)
    admin.get_by_role("button", name="Lưu thẩm định").click()
    wait_for_app(admin)
    expect(admin.get_by_text("Đã ghi “Yêu cầu bổ sung” cho Xã Định Tiến").first).to_be_visible()
    assert admin.locator('[data-testid="stException"]').count() == 0
    settled(admin)
    admin.screenshot(path=str(ARTIFACTS / "cycle_admin_review.png"), full_page=True)

    # The officer reads the province's comment, on the upload page and on the profile.
    menu(officer, "Tổng quan")
    menu(officer, "Tải lên số liệu")
    expect(officer.get_by_text(COMMENT).first).to_be_visible()
    officer.screenshot(path=str(ARTIFACTS / "cycle_officer_comment.png"), full_page=True)
    menu(officer, "Hồ sơ xã")  # the officer's province opens by default
    choose(officer, "Tháng", "Tháng 10/2026")
    expect(officer.get_by_text(COMMENT).first).to_be_visible()
    settled(officer)
    officer.screenshot(path=str(ARTIFACTS / "cycle_officer_profile.png"), full_page=True)
    assert officer.locator('[data-testid="stException"]').count() == 0
    officer.context.close()
    admin.context.close()
