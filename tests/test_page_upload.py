"""The upload page (AppTest): pick a file, see what was understood and each row's status,
store the good rows, see them in the history, undo and redo; never a traceback."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries.accounts import service
from queries.accounts.permissions import LOCAL_ADMIN
from queries.settings import store_dir
from tests.markdown_check import links, shown
from tests.upload_data import cp1258, make_database

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "tai_len.py")

MONTHLY = cp1258(
    "BÁO CÁO THÁNG 3/2026;;;;\r\n"
    "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\r\n"
    "Xã Định Tiến;Thanh Hóa;03/2026;XH05;4227/5219\r\n"
    "dinh tien;thanh hoa;T3/2026;XH02;80,44%\r\n"
    "Dinh Tienn;Thanh Hoa;03/2026;XH01;40\r\n"
)


@pytest.fixture
def db(tmp_path, monkeypatch):
    """The page's Database: the test's catalog and an empty store, through ui.state."""
    import queries.db
    import ui.state

    monkeypatch.setenv("DTI_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    database = make_database(tmp_path)
    queries.db._databases.clear()
    queries.db._databases[(str(store_dir()), None)] = database
    ui.state.database.clear()
    yield database
    queries.db._databases.clear()
    ui.state.database.clear()


def account(username: str = "quantri", role: str = "quan_tri", **scope):
    """An account signed in on the page (a country-wide admin unless told otherwise)."""
    existing = service.get_account(store_dir(), username)
    if existing is not None:
        return existing
    return service.create_account(LOCAL_ADMIN, store_dir(), username=username, role=role,
                                  password=secrets.token_urlsafe(12), name=username, **scope)


def open_page(who=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["dti_account"] = who or account()
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not at.exception
    return at


def table(at: AppTest, column: str):
    """The dataframe that has `column` (dataframes have no keys in AppTest)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables with column {column!r}"
    return found[0]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_preview_store_history_undo_redo(db):
    at = open_page()
    assert at.title[0].value == "Tải lên số liệu"
    assert [b.label for b in at.get("download_button")][:2] == ["Tải mẫu Excel (.xlsx)", "Tải mẫu CSV"]
    assert "Chưa có tệp nào được tải lên." in [c.value for c in at.caption]

    upload(at, "thang3.csv", MONTHLY)
    understood = shown(at.info[0].value)  # Markdown: the file's own text in it is escaped
    assert "Đọc được: CSV, mã Windows-1258, phân cách bằng dấu chấm phẩy" in understood
    assert "Dòng tiêu đề: dòng 2" in understood
    assert "Loại: kết quả hằng tháng" in understood
    assert metrics(at) == {"Số dòng": "3", "Hợp lệ": "2", "Lỗi": "1", "Trùng, bỏ qua": "0"}
    preview = table(at, "Vấn đề")
    assert preview["Dòng"].tolist() == [3, 4, 5]
    assert preview["Trạng thái"].tolist() == ["✅ Hợp lệ", "✅ Hợp lệ", "❌ Lỗi"]
    assert preview["Xã"].tolist() == ["Xã Định Tiến", "Xã Định Tiến", "Dinh Tienn"]
    assert preview["Kỳ"].tolist() == ["Tháng 3/2026", "Tháng 3/2026", "Tháng 3/2026"]
    assert preview["Giá trị"].tolist() == ["80,99 %", "80,44 %", "40 %"]
    errors = table(at, "Nội dung")
    assert errors.to_dict("records") == [{
        "Dòng": 5, "Cột": "Tên xã",
        "Nội dung": "Dòng 5, cột Tên xã: không tìm thấy xã “Dinh Tienn” trong tỉnh Thanh Hóa — có phải “Xã Định Tiến”?",
    }]

    # March 2026 closed on 30/04/2026: an admin may still store it, giving a reason.
    store_button = at.button(key="store_button")
    assert store_button.label == "Lưu 2 dòng hợp lệ" and store_button.disabled
    assert "Tháng 3/2026" in at.warning[-1].value
    at.text_area(key="closed_reason").input("Bổ sung theo biên bản kiểm tra tháng 3").run()
    store_button = at.button(key="store_button")
    assert not store_button.disabled
    store_button.click().run()
    assert not at.exception
    assert shown(at.success[0].value).startswith("Đã lưu 2 dòng từ tệp “thang3.csv”")
    values = db.sql("select indicator, value from actuals where upload_id is not null order by indicator")
    assert values.rows() == [("XH02", 80.44), ("XH05", 80.99)]
    history = table(at, "Người gửi")
    assert history[["Tệp", "Dòng hợp lệ", "Dòng lỗi", "Trạng thái", "Lý do", "Người gửi"]].to_dict("records") == [
        {"Tệp": "thang3.csv", "Dòng hợp lệ": 2, "Dòng lỗi": 1, "Trạng thái": "Đang dùng",
         "Lý do": "Bổ sung theo biên bản kiểm tra tháng 3", "Người gửi": "quantri"}]
    assert history["Thời gian"][0][2] == "/" and len(history["Thời gian"][0]) == len("22/11/2026 22:04")

    # The picker is empty again; the same file sent again changes nothing and says so.
    assert "Xem trước" not in [m.value for m in at.markdown]
    upload(at, "thang3.csv", MONTHLY)
    at.text_area(key="closed_reason").input("Gửi lại").run()
    at.button(key="store_button").click().run()
    assert "đã được lưu trước đó" in at.info[0].value
    assert len(db.store.entries()) == 1

    upload_id = db.store.entries()[0]["upload_id"]
    at.button(key=f"undo-{upload_id}").click().run()
    assert "hãy ghi lý do" in at.warning[0].value  # a closed month: no undo without a reason
    at.text_input(key=f"reason-{upload_id}").input("Nhập nhầm tệp")
    at.button(key=f"undo-{upload_id}").click().run()
    assert not at.exception
    assert shown(at.success[0].value).startswith("Đã hoàn tác lần tải lên tệp “thang3.csv”")
    assert db.sql("select count(*) as n from actuals where upload_id is not null")["n"][0] == 0
    assert table(at, "Người gửi")["Trạng thái"].tolist() == ["Đã hoàn tác"]

    at.text_input(key=f"reason-{upload_id}").input("Tệp đúng")
    at.button(key=f"redo-{upload_id}").click().run()
    assert at.success[0].value.startswith("Đã khôi phục")
    assert db.sql("select count(*) as n from actuals where upload_id is not null")["n"][0] == 2


def test_commune_and_month_chosen_on_the_page(db):
    at = open_page()
    upload(at, "chi_so.csv", "Mã chỉ tiêu;Giá trị\nXH05;80,99\n".encode())
    assert shown(at.error[0].value).startswith("Tệp kết quả hằng tháng thiếu cột “Tên xã” (ten_xa), “Kỳ báo cáo” (ky_bao_cao)")
    at.selectbox(key="default_commune").set_value("thanh-hoa/dinh-tien")
    at.selectbox(key="default_period").set_value("03/2026").run()
    assert not at.exception
    assert metrics(at)["Hợp lệ"] == "1"
    assert "Lấy từ trang: xã Xã Định Tiến (Thanh Hóa), Tháng 3/2026" in shown(at.info[0].value)
    at.text_area(key="closed_reason").input("Số liệu tháng 3 gửi chậm").run()
    at.button(key="store_button").click().run()
    assert db.sql("select commune_id, period::VARCHAR as p, value from actuals where upload_id is not null").rows() == [
        ("thanh-hoa/dinh-tien", "2026-03-01", 80.99)]


def test_a_file_that_is_not_a_table_gets_one_clear_message(db):
    at = open_page()
    upload(at, "anh.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert [shown(e.value) for e in at.error] == ["Tệp không phải là bảng số liệu (không phải CSV hay Excel .xlsx)"]
    assert "store_button" not in [b.key for b in at.button]


OCTOBER_FILE = ("Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
                "Xã Định Tiến;Thanh Hóa;10/2026;XH05;82\n"
                "Xã Phú Mỹ;Đồng Nai;10/2026;XH05;70\n").encode()


def test_a_commune_officer_stores_own_rows_with_evidence_and_sees_only_own_uploads(db):
    # Someone else's upload first: the officer must not see it.
    other = account("canbo.pm", "can_bo_xa", communes=["dong-nai/phu-my"])
    at = open_page(other)
    upload(at, "phu-my.csv", OCTOBER_FILE)
    at.button(key="store_button").click().run()
    assert len(db.store.entries()) == 1

    officer = account("canbo.dt", "can_bo_xa", communes=["thanh-hoa/dinh-tien"])
    at = open_page(officer)
    assert "Cán bộ xã, Xã Định Tiến" in " ".join(shown(m.value) for m in at.markdown)
    assert "Chưa có tệp nào được tải lên." in [c.value for c in at.caption]  # not the other's
    upload(at, "thang10.csv", OCTOBER_FILE)
    assert metrics(at)["Hợp lệ"] == "1" and metrics(at)["Lỗi"] == "1"
    assert table(at, "Nội dung")["Nội dung"].tolist() == [
        "Dòng 3: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)"]
    # A "PDF" that is not one refuses the upload, naming the file.
    at.file_uploader(key="upload_evidence_0").set_value([("bien-ban.pdf", b"MZ\x90\x00 program", "application/pdf")]).run()
    assert any("“bien-ban.pdf”" in shown(e.value) for e in at.error)
    assert at.button(key="store_button").disabled
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
    at.file_uploader(key="upload_evidence_0").set_value([("bien-ban.pdf", pdf, "application/pdf")]).run()
    at.button(key="store_button").click().run()
    assert shown(at.success[0].value).startswith("Đã lưu 1 dòng từ tệp “thang10.csv”, kèm 1 tệp minh chứng")
    history = table(at, "Người gửi")
    assert history[["Tệp", "Người gửi", "Minh chứng"]].to_dict("records") == [
        {"Tệp": "thang10.csv", "Người gửi": "canbo.dt", "Minh chứng": 1}]
    [mine] = [e for e in db.store.entries() if e["user"] == "canbo.dt"]
    assert mine["evidence"][0]["name"] == "bien-ban.pdf"
    assert db.store.blob_path(mine["evidence"][0]["sha256"]).read_bytes() == pdf


# No "/": evidence keeps only the last part of a path, as browsers send it.
HOSTILE = "[x](http:evil.example) ![](https:evil.example) www.evil.example a@evil.example"


@pytest.mark.parametrize("text", [
    "[x](http://evil.example)", "![](http://evil.example/i.png)", "<http://evil.example>", "http://evil.example",
    "HTTPS://evil.example/x", "www.evil.example", "a@evil.example", "<img src=x onerror=alert(1)>",
    "[x][1]\n\n[1]: http://evil.example", "**đậm** _nghiêng_ `mã` ~~gạch~~ :red[đỏ] $x^2$ # tiêu đề",
    "- một\n1. hai\n> ba\n| a | b |\n|---|---|", "\\[x\\](http://evil.example) &lt; &amp;",
])
def test_literal_markdown_shows_what_was_typed_and_never_a_link(text):
    from ui.markdown import literal

    assert links(text) or text.startswith(("**", "-", "\\", "[x][1]")), "the example should be hostile"
    assert links(literal(text)) == []
    assert shown(literal(text)) == "\n".join(line.strip() for line in text.splitlines() if line.strip())


def test_file_names_and_cells_show_as_text_and_the_errors_csv_runs_no_formula(db, monkeypatch):
    """A file name, a heading or a cell is never a link or an image on the page, and the
    errors CSV goes through the same formula guard as every other export."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    downloads = {}
    real = MediaFileManager.add

    def add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        downloads[file_name] = path_or_data
        return real(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    name = f"{HOSTILE}.csv"
    content = ("=Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
               "Xã Định Tiến;Thanh Hóa;10/2026;XH05;82\n"
               f"{HOSTILE};Thanh Hóa;10/2026;XH05;70\n").encode()
    at = open_page()
    upload(at, name, content)
    understood = at.info[0].value
    assert links(understood) == [] and f"Tệp: {name}" in shown(understood)
    errors_csv = downloads["loi_tai_len.csv"].decode("utf-8-sig").splitlines()
    assert errors_csv[1].startswith("3,'=Tên xã,") and f"“{HOSTILE}”" in errors_csv[1]

    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
    at.file_uploader(key="upload_evidence_0").set_value([(f"{HOSTILE}.pdf", pdf, "application/pdf")]).run()
    [evidence] = [c.value for c in at.caption if "Minh chứng kèm theo" in c.value]
    assert links(evidence) == [] and shown(evidence) == f"Minh chứng kèm theo: {HOSTILE}.pdf"
    at.button(key="store_button").click().run()
    assert not at.exception
    receipt = at.success[0].value
    assert links(receipt) == [] and shown(receipt).startswith(f"Đã lưu 1 dòng từ tệp “{name}”")
    [row] = [m.value for m in at.markdown if "evil" in m.value]  # the history's undo line
    assert links(row) == [] and name in shown(row)
