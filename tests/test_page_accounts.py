"""Signing in, the pages each role sees, the admin page and the audit log page (AppTest)."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries.accounts import cookie, service
from queries.accounts.permissions import LOCAL_ADMIN
from queries.accounts.places import Places
from queries.settings import store_dir
from tests.test_page_upload import db  # noqa: F401,F811  the page's Database over the test catalog
from ui.navigation import page_list

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def people(db):
    """One account of each role, with passwords made now."""
    store, places = store_dir(), Places.from_database(db)
    made = {}
    for username, role, scope in (
        ("admin.th", "quan_tri", {"provinces": ["Thanh Hóa"]}),
        ("canbo.dt", "can_bo_xa", {"communes": ["thanh-hoa/dinh-tien"]}),
        ("lanhdao", "lanh_dao", {"provinces": ["Đồng Nai"]}),
    ):
        password = secrets.token_urlsafe(12)
        account = service.create_account(LOCAL_ADMIN, store, username=username, role=role, password=password,
                                         name=f"Người {username}", places=places, **scope)
        made[username] = (account, password)
    return made


def page(name: str, account=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    if account is not None:
        at.session_state["dti_account"] = account
    return at


def titles(account, public_view=True) -> dict[str, list[str]]:
    return {group: [title for _, title, _, _ in items] for group, items in page_list(account, public_view).items()}


def test_each_role_sees_only_its_pages(people):
    anonymous = titles(None)
    assert "Nhập liệu" not in anonymous and "Quản trị" not in anonymous
    assert anonymous["Tài khoản"] == ["Đăng nhập"] and "Tổng quan" in anonymous["Theo dõi"]
    assert titles(None, public_view=False) == {"": ["Đăng nhập"]}
    leader = titles(people["lanhdao"][0])
    assert "Nhập liệu" not in leader and "Quản trị" not in leader and "Tài khoản" not in leader
    officer = titles(people["canbo.dt"][0])
    assert officer["Nhập liệu"] == ["Tải lên số liệu"] and "Quản trị" not in officer
    admin = titles(people["admin.th"][0])
    assert admin["Nhập liệu"] == ["Tải lên số liệu"] and admin["Quản trị"] == ["Quản trị", "Nhật ký"]


def test_sign_in_with_a_wrong_password_then_the_right_one(people):
    _, password = people["canbo.dt"]
    at = page("dang_nhap").run()
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    at.text_input[0].input("canbo.dt")
    at.text_input[1].input(password + "x")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    assert "dti_account" not in at.session_state
    at.text_input[0].input("khong.co.ai")
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]  # the same message
    at.text_input[0].input("canbo.dt")
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["dti_account"].username == "canbo.dt"
    # Nothing the page shows carries the password.
    shown = [m.value for m in at.markdown] + [s.value for s in at.success] + [e.value for e in at.error]
    assert "Bạn đang đăng nhập" in " ".join(shown) and password not in " ".join(shown)


def test_served_with_the_sign_in_routes_the_password_never_goes_through_streamlit(people, monkeypatch):
    """serve.py serves the routes: the page is then an HTML form posting to the sign-in route,
    with no Streamlit text box (whose value would cross the websocket), and says a refusal
    the route signed, once."""
    monkeypatch.setenv(cookie.ROUTES_ENV, "1")
    at = page("dang_nhap")
    at.query_params["tiep"] = "//evil.example/"
    at.run()
    assert not at.exception and len(at.text_input) == 0 and len(at.button) == 0
    [form] = [element.proto.body for element in at.get("html")]
    assert f'action="{cookie.SIGN_IN_PATH}"' in form and 'method="post"' in form
    assert 'name="password"' in form and 'type="password"' in form and 'autocomplete="current-password"' in form
    assert 'name="tiep" value="/"' in form  # never another site
    assert [e.value for e in at.error] == []

    at = page("dang_nhap")
    at.query_params["loi"] = cookie.sign_message(store_dir(), "Tên đăng nhập hoặc mật khẩu không đúng.")
    at.query_params["tiep"] = "/tai_len"
    at.run()
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    assert 'name="tiep" value="/tai_len"' in at.get("html")[0].proto.body
    assert "loi" not in at.query_params  # a reload does not say it again
    forged = page("dang_nhap")
    forged.query_params["loi"] = "Hãy gọi số 0900 000 000 để được cấp lại mật khẩu"
    forged.run()
    assert [e.value for e in forged.error] == []


def test_the_admin_creates_and_disables_an_account_in_its_province(people, db):
    admin = people["admin.th"][0]
    at = page("quan_tri", admin).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert set(shown["Tên đăng nhập"]) == {"admin.th", "canbo.dt"}  # not the leader of another province
    password = secrets.token_urlsafe(12)
    form = {t.label: t for t in at.text_input}
    form["Tên đăng nhập"].input("canbo.moi")
    form["Họ tên"].input("Trần Thị Mới")
    form["Mật khẩu"].input(password)
    form["Nhập lại mật khẩu"].input(password)
    [role] = [s for s in at.selectbox if s.label == "Vai trò"]
    role.set_value("can_bo_xa")
    [communes] = [m for m in at.multiselect if m.label == "Xã (Cán bộ xã)"]
    communes.set_value(["thanh-hoa/phu-my"])
    [create] = [b for b in at.button if b.label == "Tạo tài khoản"]
    create.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    made = service.get_account(store_dir(), "canbo.moi")
    assert made.communes == ("thanh-hoa/phu-my",) and made.role == "can_bo_xa"

    [chosen] = [s for s in at.selectbox if s.label == "Tài khoản"]
    chosen.set_value("canbo.dt")
    at.run()
    [disable] = [b for b in at.button if b.label == "Vô hiệu hóa"]
    disable.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not service.get_account(store_dir(), "canbo.dt").active
    assert not service.authenticate(store_dir(), "canbo.dt", people["canbo.dt"][1]).ok


def test_the_admin_page_names_a_damaged_journal_line_and_uploads_go_on(people, db):
    from queries.ingest.pipeline import check_file, store_checked
    from tests.markdown_check import shown

    def send(name: str, value: int) -> None:
        text = f"Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\nXã Định Tiến;Thanh Hóa;10/2026;XH05;{value}\n"
        store_checked(check_file(text.encode(), name, db=db), db)

    admin = people["admin.th"][0]
    send("thang10.csv", 81)
    at = page("quan_tri", admin).run()
    assert not at.exception and not at.warning
    with (db.store.root / "journal.jsonl").open("ab") as journal:
        journal.write(b'{"seq": 2, "action": "undo", "upload_id": \n')  # damaged in the middle
    send("thang10-sua.csv", 82)
    assert len(db.store.entries()) == 2
    at = page("quan_tri", admin).run()
    assert not at.exception
    [warning] = [shown(w.value) for w in at.warning]
    assert warning.startswith("Nhật ký thay đổi có 1 dòng hỏng, đã bị bỏ qua.")
    assert "Dòng 2 của tệp nhật ký thay đổi journal.jsonl bị bỏ qua: không đọc được" in warning


def test_a_leader_cannot_use_the_admin_pages(people):
    for name in ("quan_tri", "nhat_ky"):
        at = page(name, people["lanhdao"][0]).run()
        assert at.error and "Chỉ Quản trị tỉnh" in at.error[0].value


def test_the_audit_page_lists_sign_ins_and_account_changes(people):
    service.authenticate(store_dir(), "canbo.dt", people["canbo.dt"][1])
    service.authenticate(store_dir(), "canbo.dt", "sai-mat-khau")
    at = page("nhat_ky", people["admin.th"][0]).run()
    assert not at.exception
    log = at.dataframe[0].value
    assert {"Đăng nhập", "Đăng nhập sai"} <= set(log["Hoạt động"])
    assert "canbo.dt" in set(log["Người thực hiện"])
    text = " ".join(str(v) for v in log.to_numpy().ravel())
    assert people["canbo.dt"][1] not in text and "argon2" not in text


def test_a_province_admin_reads_the_settings_but_only_a_country_wide_admin_changes_them(people, db):
    province_admin = people["admin.th"][0]
    at = page("quan_tri", province_admin).run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Lưu cài đặt"] and not at.number_input
    assert any("chỉ Quản trị toàn quốc" in i.value for i in at.info)
    shown = at.dataframe[-1].value
    row = shown[shown["Tên"] == "upload_max_mb"].iloc[0]
    assert (row["Giá trị"], row["Giới hạn"]) == ("20", "từ 1 đến 50")

    country_admin = service.create_account(LOCAL_ADMIN, store_dir(), username="quantri.quoc", role="quan_tri",
                                           password=secrets.token_urlsafe(12), name="Quản trị toàn quốc")
    at = page("quan_tri", country_admin).run()
    [upload_max_mb] = [n for n in at.number_input if n.label == "upload_max_mb"]
    upload_max_mb.set_value(10**6)
    [save] = [b for b in at.button if b.label == "Lưu cài đặt"]
    save.click().run()
    assert [e.value for e in at.error] == ["upload_max_mb: phải là số nguyên từ 1 đến 50."]
    [upload_max_mb] = [n for n in at.number_input if n.label == "upload_max_mb"]
    upload_max_mb.set_value(30)
    [save] = [b for b in at.button if b.label == "Lưu cài đặt"]
    save.click().run()
    assert not at.error and any("upload_max_mb: 20 → 30" in s.value for s in at.success)


def dashboard(account=None) -> AppTest:
    """dashboard.py as a browser opens it, with this account signed in."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if account is not None:
        at.session_state["dti_account"] = account
    return at.run()


def test_a_password_reset_signs_the_open_session_out_at_its_next_run(people):
    officer, password = people["canbo.dt"]
    session = service.authenticate(store_dir(), "canbo.dt", password).account
    at = dashboard(session)
    assert not at.exception and at.session_state["dti_account"].username == "canbo.dt"
    at.run()
    assert at.session_state["dti_account"].username == "canbo.dt"  # nothing changed: still signed in

    service.set_password(people["admin.th"][0], store_dir(), "canbo.dt", secrets.token_urlsafe(12))
    at.run()
    assert not at.exception
    assert "dti_account" not in at.session_state
    [ended] = [w.value for w in at.warning if "đã kết thúc" in w.value]
    assert ended.startswith("Phiên đăng nhập của bạn đã kết thúc: mật khẩu, vai trò hoặc phạm vi")

    # A role change does the same to a session opened after the reset.
    session = service.authenticate(store_dir(), "lanhdao", people["lanhdao"][1]).account
    at = dashboard(session)
    service.update_account(LOCAL_ADMIN, store_dir(), "lanhdao", role="quan_tri", provinces=["Đồng Nai"])
    at.run()
    assert "dti_account" not in at.session_state


@pytest.fixture
def navigation_built(monkeypatch):
    """The visible titles of every navigation dashboard.py builds, in order (a spy on
    ui.navigation.page_list, which the real navigation is made from)."""
    import ui.navigation

    built = []
    original = ui.navigation.page_list

    def spy(account, public_view):
        listed = original(account, public_view)
        built.append([title for items in listed.values() for _, title, _, _ in items])
        return listed

    monkeypatch.setattr(ui.navigation, "page_list", spy)
    return built


def sign_out_button(at: AppTest):
    [button] = [b for b in at.button if b.key == "dti_sign_out"]
    return button


def test_signing_out_lists_a_visitor_s_pages_at_once(people, navigation_built):
    at = dashboard(people["canbo.dt"][0])
    assert "Tải lên số liệu" in navigation_built[-1]
    sign_out_button(at).click().run()
    assert not at.exception and "dti_account" not in at.session_state
    assert "Tải lên số liệu" not in navigation_built[-1] and "Đăng nhập" in navigation_built[-1]
    assert not [b for b in at.button if b.key == "dti_sign_out"]


def test_signing_out_of_single_sign_on_lists_a_visitor_s_pages_at_once(people, navigation_built):
    service.update_account(LOCAL_ADMIN, store_dir(), "canbo.dt", email="an@dinhtien.gov.vn")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": secrets.token_hex(16),
                          "client_id": "dti", "client_secret": secrets.token_hex(16),
                          "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
    at.user = {"is_logged_in": True, "iss": "http://localhost:9", "sub": "an-1", "email": "an@dinhtien.gov.vn",
               "email_verified": True}
    at.run()
    assert not at.exception and at.session_state["dti_account"].username == "canbo.dt"
    assert "Tải lên số liệu" in navigation_built[-1]
    sign_out_button(at).click().run()
    assert not at.exception and "dti_account" not in at.session_state
    assert "Tải lên số liệu" not in navigation_built[-1] and "Đăng nhập" in navigation_built[-1]
