"""Real browser: a commune officer signs in, opens the upload page, drops a Windows-1258 CSV
made by Excel, sees what was understood, stores the good rows and finds the upload in the
history."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, OFFICER, sign_in, wait_for_app
from tests.upload_data import cp1258

# October 2026: on the tests' day (22/11/2026) its report is due and the month still open.
MONTHLY = cp1258(
    "BÁO CÁO KẾT QUẢ CHUYỂN ĐỔI SỐ THÁNG 10/2026;;;;\r\n"
    ";;;;\r\n"
    "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\r\n"
    "Xã Định Tiến;Thanh Hóa;10/2026;XH05;4227/5219\r\n"
    "dinh tien;thanh hoa;T10/2026;XH02;80,44%\r\n"
    "Dinh Tienn;Thanh Hoa;10/2026;XH01;40\r\n"
)


def settle(page) -> None:
    """Storing reruns the page twice (store, then st.rerun): wait until no element of the
    previous run is still shown greyed out, so the screenshot shows the finished page."""
    wait_for_app(page)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=30_000)


def test_upload_preview_store_and_history(page, app_url, officer_password, tmp_path):
    file = tmp_path / "ket_qua_thang_10.csv"
    file.write_bytes(MONTHLY)
    sign_in(page, app_url, OFFICER, officer_password)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Tải lên số liệu").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Tải lên số liệu")).to_be_visible()

    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(file))
    wait_for_app(page)
    expect(page.get_by_text("Xem trước", exact=True)).to_be_visible()
    expect(page.get_by_text("CSV, mã Windows-1258, phân cách bằng dấu chấm phẩy")).to_be_visible()
    expect(page.locator('[data-testid="stMetricValue"]')).to_have_text(["3", "2", "1", "0"])
    expect(page.get_by_text("không tìm thấy xã “Dinh Tienn” trong tỉnh Thanh Hóa").first).to_be_attached()

    # Streamlit scrolls inside its own container: a tall window shows the whole page.
    page.set_viewport_size({"width": 1280, "height": 2000})
    wait_for_app(page)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "upload_preview.png"))

    page.get_by_role("button", name="Lưu 2 dòng hợp lệ").click()
    wait_for_app(page)
    expect(page.get_by_text("Đã lưu 2 dòng từ tệp “ket_qua_thang_10.csv”")).to_be_visible()
    expect(page.get_by_text("ket_qua_thang_10.csv · 2 dòng · đang dùng")).to_be_visible()
    # Other browser tests share this server's store: find the button on this upload's line.
    line = page.locator('[data-testid="stHorizontalBlock"]').filter(has_text="ket_qua_thang_10.csv · 2 dòng · đang dùng")
    expect(line.get_by_role("button", name="Hoàn tác")).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "upload.png"))

    line.get_by_role("button", name="Hoàn tác").click()
    wait_for_app(page)
    expect(page.get_by_text("ket_qua_thang_10.csv · 2 dòng · đã hoàn tác")).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
