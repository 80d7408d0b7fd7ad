"""Real browser, accounts: signing in and out, one message for a wrong password,
what each role sees, an admin disabling an account, single sign-on through a local OIDC
provider, and no password or hash anywhere a person or a log could read it.

One Streamlit server (module fixture) over a store seeded with accounts and uploads serves
the tests of built-in accounts; the SSO tests start a provider (`oidc-provider-mock`) and a
second server over the same store, with an `[auth]` secrets file written in a temporary
folder (never in the repository's .streamlit/). Every test opens fresh browser contexts.
Screenshots of each state go to tests/artifacts/accounts_*.png.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from queries import clock
from queries.accounts.permissions import CAN_BO_XA, LANH_DAO, LOCAL_ADMIN, QUAN_TRI
from queries.accounts.places import Places
from queries.accounts.service import create_account
from queries.ingest.catalog import CatalogDatabase
from queries.store import Store
from tests.browser.conftest import ARTIFACTS, COUNT_RUNS, ROOT, _free_port, finished_runs, wait_for_run
from tests.conftest import TEST_NOW

# What people read, written out: the test is the specification of these words.
WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
ACCOUNT_DISABLED = "Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ Quản trị tỉnh."
NOT_GRANTED = "Tài khoản chưa được cấp quyền"
UPLOAD_PAGE, SIGN_IN_PAGE = "Tải lên số liệu", "Đăng nhập"
HASH_MARK = "$argon2"


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    role: str
    scope: dict
    email: str | None = None
    sso_only: bool = False  # no password: signs in by SSO only


PEOPLE = {
    "admin": Person("quantri.th", "Lê Thị Hoa", QUAN_TRI, {"provinces": ["Thanh Hóa"]}),
    "officer": Person("canbo.dt", "Nguyễn Văn An", CAN_BO_XA, {"communes": ["thanh-hoa/dinh-tien"]}),
    "colleague": Person("canbo.dt2", "Trần Thị Bình", CAN_BO_XA, {"communes": ["thanh-hoa/dinh-tien"]}),
    "leader": Person("lanhdao.th", "Phạm Văn Cường", LANH_DAO, {"provinces": ["Thanh Hóa"]}),
    "leaving": Person("canbo.nghi", "Đỗ Thị Dung", CAN_BO_XA, {"communes": ["thanh-hoa/dinh-tien"]}),
    "sso_officer": Person("canbo.sso", "Hoàng Văn Em", CAN_BO_XA, {"communes": ["thanh-hoa/dinh-tien"]},
                          email="em.hoang@dinhtien.thanhhoa.gov.vn", sso_only=True),
    "sso_leader": Person("lanhdao.sso", "Vũ Thị Giang", LANH_DAO, {"provinces": ["Thanh Hóa"]},
                         email="giang.vu@thanhhoa.gov.vn", sso_only=True),
}
# One upload each: the officer's own, and two by others of the same commune that the officer
# must not see (a colleague officer's, the province admin's).
HEADING = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
UPLOADS = (
    ("officer", "bao_cao_cua_an.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"),
    ("colleague", "bao_cao_cua_binh.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH02;70,5\n"),
    ("admin", "bao_cao_cua_tinh.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH01;40\n"),
)


# ---- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    """A process started for the tests, its output kept in files (test 7 reads them)."""
    process: subprocess.Popen
    url: str
    out: Path
    err: Path

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace") + self.err.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(command: list[str], env: dict, logs: Path, url: str, ready_path: str) -> Server:
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / "stdout.txt", logs / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
    server = Server(process, url, out, err)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            break
        try:
            if urllib.request.urlopen(url + ready_path, timeout=1).status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{command[2:4]} did not start: {server.output()[-2000:]}")


def start_app(store: Path, logs: Path, *extra: str, port: int | None = None) -> Server:
    port = port or _free_port()
    # The server lives on the tests' day; fast hashing matches the accounts seeded below.
    env = {**os.environ, "DTI_STORE": str(store), "DTI_NOW": TEST_NOW, "DTI_TEST_FAST_HASH": "1",
           "PYTHONUNBUFFERED": "1"}  # all its output in the files when test 7 reads them
    command = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", *extra]
    # `localhost` everywhere: the SSO cookie is set for the host the browser used.
    return start(command, env, logs, f"http://localhost:{port}", "/_stcore/health")


@dataclass
class App:
    server: Server
    store: Path
    root: Path
    # Kept out of repr(): pytest prints a failing test's arguments, and secrets never go
    # into test output.
    passwords: dict[str, str] = field(repr=False)
    # For test 7: what the browser showed, every secret of the run, every server started.
    seen: list[dict] = field(default_factory=list, repr=False)
    secrets: list[str] = field(default_factory=list, repr=False)
    servers: list[Server] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def password(self, key: str) -> str:
        return self.passwords[key]


def seed(root: Path) -> tuple[Path, dict[str, str]]:
    """A store with the accounts of PEOPLE (passwords made now) and the three uploads."""
    store = root / "store"
    # Without the demo province (100 generated communes) the first page renders in a
    # fraction of the time; the shipped communes are enough to tell the accounts apart.
    store.mkdir(parents=True)
    (store / "settings.json").write_text(json.dumps({"include_demo": False}), encoding="utf-8")
    passwords = {key: secrets.token_urlsafe(12) for key, person in PEOPLE.items() if not person.sso_only}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("DTI_STORE", str(store)), ("DTI_NOW", TEST_NOW), ("DTI_TEST_FAST_HASH", "1")):
            patch.setenv(name, value)
        clock.reset()
        places = Places.from_database(CatalogDatabase(store))
        for key, person in PEOPLE.items():
            create_account(LOCAL_ADMIN, store, username=person.username, role=person.role, name=person.name,
                           password=passwords.get(key), email=person.email, places=places, **person.scope)
        env = dict(os.environ)
    # Each upload through the importer's command line, as that account (`--as`).
    for key, file_name, text in UPLOADS:
        path = root / file_name
        path.write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "queries.ingest", str(path), "--as", PEOPLE[key].username,
                               "--json"], cwd=ROOT, env={**env, "DTI_STORE": str(store), "DTI_NOW": TEST_NOW},
                              capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)["stored"]["duplicate"] is False
    return store, passwords


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("accounts")
    store, passwords = seed(root)
    server = start_app(store, root / "app")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield App(server, store, root, passwords, secrets=list(passwords.values()), servers=[server])
    server.stop()


# ---- the browser ------------------------------------------------------------------------------

@pytest.fixture
def browse(browser, browser_context_args):
    """Opens a page in a fresh browser context (no cookie, no session): one per person."""
    contexts = []

    def new_page():
        context = browser.new_context(**browser_context_args)
        context.add_init_script(COUNT_RUNS)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def act(page, action) -> None:
    """Do something that makes Streamlit run the script, and wait for that run."""
    before = finished_runs(page)
    action()
    wait_for_run(page, before)


def submit(page, action) -> None:
    """Send an HTML form (sign-in, sign-out: they post to the routes serve.py adds, which send
    the browser on to a page), and wait for that page's first run."""
    with page.expect_navigation():
        action()
    # A new Streamlit session: on a server's first one, its tables are built first.
    wait_for_run(page, timeout=90_000)


def html_without_typed_passwords(page) -> str:
    """The page's HTML, less what the person typed into password boxes (their own browser
    keeps that while the box is on screen, as every sign-in form does)."""
    return page.evaluate("""() => {
        const copy = document.documentElement.cloneNode(true);
        copy.querySelectorAll('input[type=password]').forEach(box => box.removeAttribute('value'));
        return copy.outerHTML;
    }""")


def shot(app: App, page, name: str, tall: bool = False) -> None:
    """Screenshot into tests/artifacts/, after checking no traceback is shown; and keep what
    the page showed (text, HTML, address) for the test of secrets."""
    if tall:  # Streamlit scrolls inside its own container: a tall window shows the whole page
        page.set_viewport_size({"width": 1280, "height": 1700})
        page.wait_for_timeout(200)  # charts and tables lay themselves out again
    wait_for_run(page)
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"accounts_{name}.png"))
    app.seen.append({"name": name, "url": page.url, "text": page.inner_text("body"),
                     "html": html_without_typed_passwords(page)})
    if tall:
        page.set_viewport_size({"width": 1280, "height": 900})


def open_page(page, url: str) -> None:
    """Go to an address: a new Streamlit session (the sign-in, a cookie, survives it)."""
    page.goto(url)
    wait_for_run(page)


def menu_link(page, title: str):
    """A page's link in the sidebar menu, unfolding the menu first: Streamlit folds a menu
    of more than ten pages behind a "View N more" button."""
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text():
        more.click()
        expect(more).to_contain_text("less")
    return nav.get_by_role("link", name=title, exact=True) if title else nav.get_by_role("link")


def nav_titles(page) -> list[str]:
    # A link reads "🏠\n\nTổng quan": its icon, then its title.
    return [text.strip().splitlines()[-1].strip() for text in menu_link(page, "").all_inner_texts()]


def go_to(page, title: str) -> None:
    """Open a page by its link in the sidebar menu."""
    act(page, menu_link(page, title).click)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def sign_in(page, url: str | None, username: str, password: str) -> None:
    """Sign in on the sign-in page (opened first at `url`, unless None: already open)."""
    if url is not None:
        open_page(page, f"{url}/dang_nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    submit(page, page.get_by_role("button", name=SIGN_IN_PAGE, exact=True).click)
    outcome = page.get_by_test_id("stAlertContentError").or_(sidebar(page).get_by_role("button", name="Đăng xuất"))
    expect(outcome.first).to_be_visible(timeout=30_000)  # the first page after signing in, on a busy machine
    wait_for_run(page)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def table_rows(grid) -> list[dict[str, str]]:
    """The rows of a st.dataframe, read from the table the grid keeps for screen readers
    (the grid itself is drawn on a canvas)."""
    return grid.evaluate("""grid => {
        const heads = [...grid.querySelectorAll('table thead th')].map(cell => cell.textContent.trim());
        return [...grid.querySelectorAll('table tbody tr')].map(row => Object.fromEntries(
            [...row.querySelectorAll('td')].map((cell, i) => [heads[i], cell.textContent.trim()])));
    }""")


def error_texts(page) -> list[str]:
    # An alert reads "⛔\n\nmessage": its icon, then its text.
    return [t.strip().splitlines()[-1].strip() for t in page.get_by_test_id("stAlertContentError").all_inner_texts()]


# ---- 1. built-in account: in and out -------------------------------------------------------------


def test_sign_in_and_out_with_a_built_in_account(browse, app):
    page = browse()
    open_page(page, f"{app.url}/dang_nhap")
    titles = nav_titles(page)
    assert SIGN_IN_PAGE in titles and "Tổng quan" in titles and UPLOAD_PAGE not in titles

    sign_in(page, None, "canbo.dt", app.password("officer"))
    expect(sidebar(page)).to_contain_text("Nguyễn Văn An")
    expect(sidebar(page)).to_contain_text("Cán bộ xã, Xã Định Tiến")
    titles = nav_titles(page)
    assert UPLOAD_PAGE in titles and SIGN_IN_PAGE not in titles
    assert "Quản trị" not in titles and "Nhật ký" not in titles
    shot(app, page, "signed_in_officer")

    submit(page, sidebar(page).get_by_role("button", name="Đăng xuất").click)
    expect(sidebar(page)).not_to_contain_text("Nguyễn Văn An")
    titles = nav_titles(page)
    assert SIGN_IN_PAGE in titles and UPLOAD_PAGE not in titles
    shot(app, page, "signed_out")


# ---- 2. a wrong password ----------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(browse, app):
    page = browse()
    open_page(page, f"{app.url}/dang_nhap")
    answers = {}
    for case, username in (("wrong_password", "lanhdao.th"), ("unknown_user", "khong.co.ai")):
        typed = "sai-" + secrets.token_urlsafe(8)
        app.secrets.append(typed)
        sign_in(page, None, username, typed)
        answers[case] = error_texts(page)
        shot(app, page, case)
        assert SIGN_IN_PAGE in nav_titles(page)  # still a visitor
    assert answers == {"wrong_password": [WRONG_CREDENTIALS], "unknown_user": [WRONG_CREDENTIALS]}


# ---- 3. a commune officer's uploads -------------------------------------------------------------------


def test_a_commune_officer_sees_only_their_own_uploads(browse, app):
    senders = {entry["user"] for entry in Store(app.store).entries()}
    assert senders == {"canbo.dt", "canbo.dt2", "quantri.th"}  # the others' uploads are there to hide

    page = browse()
    sign_in(page, app.url, "canbo.dt", app.password("officer"))
    go_to(page, UPLOAD_PAGE)
    expect(page.get_by_test_id("stMarkdown").filter(has_text="Người gửi:")).to_have_text(
        "Người gửi: Nguyễn Văn An — Cán bộ xã, Xã Định Tiến")
    expect(page.get_by_text("Bạn thấy các lần tải lên của chính mình.")).to_be_visible()
    shot(app, page, "officer_history", tall=True)

    history = table_rows(page.get_by_test_id("stDataFrame"))
    assert [(row["Tệp"], row["Người gửi"], row["Trạng thái"]) for row in history] == [
        ("bao_cao_cua_an.csv", "canbo.dt", "Đang dùng")]
    # Nor anywhere else on the page (the undo buttons, the captions).
    text = page.inner_text("body")
    assert "bao_cao_cua_binh.csv" not in text and "bao_cao_cua_tinh.csv" not in text
    assert page.get_by_role("button", name="Hoàn tác").count() == 1


# ---- 4. a leader ----------------------------------------------------------------------------------


def ask_for_path(page, path: str) -> None:
    """Ask for a page by its address within the same session, as the browser's back and
    forward buttons do (typing the address would start a new session, signed out)."""
    act(page, lambda: page.evaluate(
        "path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }", path))


def test_a_leader_has_no_upload_page_even_by_its_address(browse, app):
    page = browse()
    sign_in(page, app.url, "lanhdao.th", app.password("leader"))
    expect(sidebar(page)).to_contain_text("Phạm Văn Cường")
    expect(sidebar(page)).to_contain_text("Lãnh đạo, Tỉnh Thanh Hóa")
    titles = nav_titles(page)
    assert UPLOAD_PAGE not in titles and "Quản trị" not in titles and SIGN_IN_PAGE not in titles
    assert {"Tổng quan", "Xếp hạng", "Hồ sơ xã"} <= set(titles)
    shot(app, page, "signed_in_leader")

    ask_for_path(page, "/xep_hang")  # the way works for a page the leader has...
    expect(page.get_by_role("heading", name="Xếp hạng")).to_be_visible()
    ask_for_path(page, "/tai_len")  # ...and not for one they do not: the page says why
    expect(page.get_by_text("chỉ xem số liệu, không tải lên")).to_be_visible()
    expect(sidebar(page)).to_contain_text("Phạm Văn Cường")  # still signed in
    assert page.get_by_test_id("stFileUploader").count() == 0
    shot(app, page, "leader_asks_for_upload")

    open_page(page, f"{app.url}/tai_len")  # typed into the address bar: a new session, still signed in
    expect(sidebar(page)).to_contain_text("Phạm Văn Cường")
    expect(page.get_by_text("chỉ xem số liệu, không tải lên")).to_be_visible()
    assert page.get_by_test_id("stFileUploader").count() == 0
    shot(app, page, "upload_address_typed")


# ---- 5. an admin disables an account ----------------------------------------------------------------


def test_an_admin_disables_an_account_and_its_open_session_ends(browse, app):
    leaving = browse()
    sign_in(leaving, app.url, "canbo.nghi", app.password("leaving"))
    expect(sidebar(leaving)).to_contain_text("Đỗ Thị Dung")

    admin = browse()
    sign_in(admin, app.url, "quantri.th", app.password("admin"))
    go_to(admin, "Quản trị")
    # Streamlit's select box is a combo box: the arrow key opens it, typing filters it.
    box = admin.get_by_role("combobox", name="Tài khoản")
    box.press("ArrowDown")
    box.fill("canbo.nghi")
    act(admin, admin.get_by_role("option", name="canbo.nghi — Đỗ Thị Dung").click)
    act(admin, admin.get_by_role("button", name="Vô hiệu hóa").click)
    expect(admin.get_by_role("button", name="Kích hoạt lại")).to_be_visible()
    # The grid's table for screen readers follows the canvas a frame later: expect() retries.
    accounts = admin.get_by_test_id("stDataFrame").first.locator("tbody tr")
    expect(accounts.filter(has_text="canbo.nghi")).to_contain_text("Đã vô hiệu hóa")
    expect(accounts.filter(has_text="canbo.dt2")).to_contain_text("Đang dùng")
    shot(app, admin, "admin_disabled_account", tall=True)

    # The session already open ends at its next click.
    go_to(leaving, "Xếp hạng")
    expect(sidebar(leaving)).not_to_contain_text("Đỗ Thị Dung")
    titles = nav_titles(leaving)
    assert SIGN_IN_PAGE in titles and UPLOAD_PAGE not in titles
    shot(app, leaving, "disabled_session_ended")

    # Signing in again, with the right password, is refused.
    go_to(leaving, SIGN_IN_PAGE)
    sign_in(leaving, None, "canbo.nghi", app.password("leaving"))
    assert error_texts(leaving) == [ACCOUNT_DISABLED]
    assert SIGN_IN_PAGE in nav_titles(leaving)
    shot(app, leaving, "disabled_sign_in_refused")

    # Both are in the activity log the admin reads.
    go_to(admin, "Nhật ký")
    log = admin.get_by_test_id("stDataFrame").first.locator("tbody tr")
    expect(log.filter(has_text="Vô hiệu hóa tài khoản").filter(has_text="canbo.nghi")).to_have_count(1)
    expect(log.filter(has_text="Đăng nhập sai").filter(has_text="canbo.nghi")).to_have_count(1)
    shot(app, admin, "audit_log", tall=True)


# ---- 6. single sign-on ------------------------------------------------------------------------------


STRANGER = "nguoi.la@example.com"  # verified by the provider, without an account here


@dataclass
class SSO:
    app: Server
    provider: Server


@pytest.fixture(scope="module")
def sso(app):
    """oidc-provider-mock on a free loopback port and a second app server over the same store,
    its `[auth]` in a secrets file of the test's own (client secret and cookie secret made now)."""
    folder = app.root / "sso"
    provider_port, app_port = _free_port(), _free_port()
    # The provider vouches for these e-mails (email_verified): the app accepts no other. Their
    # `sub` is what the provider's form takes (sso_sign_in types it).
    verified = [json.dumps({"sub": email, "email": email, "email_verified": True})
                for email in [p.email for p in PEOPLE.values() if p.sso_only] + [STRANGER]]
    provider = start([sys.executable, "-m", "oidc_provider_mock", "--port", str(provider_port),
                      *[arg for claims in verified for arg in ("--user-claims", claims)]],
                     {**os.environ, "PYTHONUNBUFFERED": "1"},
                     folder / "provider", f"http://localhost:{provider_port}", "/.well-known/openid-configuration")
    client_secret, cookie_secret = secrets.token_urlsafe(24), secrets.token_hex(32)
    app.secrets += [client_secret, cookie_secret]
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "bang-dieu-khien-cds"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "http://localhost:{provider_port}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    try:
        server = start_app(app.store, folder / "app", "--secrets.files", str(secrets_file), port=app_port)
    except Exception:
        provider.stop()
        raise
    app.servers += [server, provider]
    yield SSO(server, provider)
    server.stop()
    provider.stop()


def sso_sign_in(page, sso: SSO, email: str, screenshot: str | None = None) -> None:
    """The SSO button, then the provider's form: its `sub`, which it also gives as the e-mail."""
    open_page(page, f"{sso.app.url}/dang_nhap")
    page.get_by_role("button", name="Đăng nhập bằng tài khoản một lần (SSO)").click()
    page.wait_for_url(f"{sso.provider.url}/oauth2/authorize**")
    page.locator('input[name="sub"]').fill(email)
    if screenshot:
        page.screenshot(path=str(ARTIFACTS / f"accounts_{screenshot}.png"))
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{sso.app.url}/**")
    wait_for_run(page)


def test_single_sign_on_maps_the_e_mail_to_an_account(browse, app, sso):
    officer = browse()
    sso_sign_in(officer, sso, "em.hoang@dinhtien.thanhhoa.gov.vn", screenshot="sso_provider")
    expect(sidebar(officer)).to_contain_text("Hoàng Văn Em")
    expect(sidebar(officer)).to_contain_text("Cán bộ xã, Xã Định Tiến")
    assert UPLOAD_PAGE in nav_titles(officer)
    shot(app, officer, "sso_signed_in_officer")
    # The identity cookie keeps the person signed in in a new session (a typed address).
    open_page(officer, f"{sso.app.url}/tai_len")
    expect(officer.get_by_role("heading", name=UPLOAD_PAGE)).to_be_visible()
    expect(sidebar(officer)).to_contain_text("Hoàng Văn Em")

    officer.get_by_role("button", name="Đăng xuất").click()
    # st.logout() goes through the provider's end-of-session page (the mock asks to confirm)
    # and back to the app, where the identity cookie is gone.
    try:
        officer.wait_for_url(f"{sso.provider.url}/oauth2/end_session**", timeout=6_000)
    except PlaywrightTimeoutError:
        pass  # the new session below tells whether the sign-out held
    else:
        officer.get_by_role("button", name="End session").click()
        officer.wait_for_url(f"{sso.app.url}/**")
    open_page(officer, sso.app.url)
    assert "Hoàng Văn Em" not in sidebar(officer).inner_text(), (
        "after Đăng xuất, opening the app again signed the person in again: the identity cookie was kept")
    titles = nav_titles(officer)
    assert SIGN_IN_PAGE in titles and UPLOAD_PAGE not in titles
    shot(app, officer, "sso_signed_out")

    leader = browse()
    sso_sign_in(leader, sso, "giang.vu@thanhhoa.gov.vn")
    expect(sidebar(leader)).to_contain_text("Vũ Thị Giang")
    assert UPLOAD_PAGE not in nav_titles(leader)
    open_page(leader, f"{sso.app.url}/tai_len")  # by its address, still signed in
    expect(sidebar(leader)).to_contain_text("Vũ Thị Giang")
    expect(leader.get_by_text("chỉ xem số liệu, không tải lên")).to_be_visible()
    assert leader.get_by_test_id("stFileUploader").count() == 0
    shot(app, leader, "sso_leader_asks_for_upload")


def test_single_sign_on_without_an_account_browses_read_only(browse, app, sso):
    stranger = browse()
    sso_sign_in(stranger, sso, STRANGER)
    expect(sidebar(stranger)).to_contain_text(NOT_GRANTED)
    titles = nav_titles(stranger)
    assert UPLOAD_PAGE not in titles and "Quản trị" not in titles and "Tổng quan" in titles
    shot(app, stranger, "sso_not_granted")
    go_to(stranger, "Xếp hạng")
    expect(stranger.get_by_role("heading", name="Xếp hạng")).to_be_visible()
    expect(sidebar(stranger)).to_contain_text(NOT_GRANTED)
    go_to(stranger, SIGN_IN_PAGE)
    expect(stranger.get_by_test_id("stMain")).to_contain_text(NOT_GRANTED)
    shot(app, stranger, "sso_not_granted_sign_in_page")


def test_single_sign_on_refuses_an_e_mail_the_provider_did_not_verify(browse, app, sso):
    """A subject the provider does not know: it gives its name as the e-mail, unverified. That
    e-mail is an officer's (in other letter case): the app must not take it."""
    impostor = browse()
    sso_sign_in(impostor, sso, "EM.HOANG@dinhtien.thanhhoa.gov.vn")
    expect(sidebar(impostor)).to_contain_text(NOT_GRANTED)
    expect(sidebar(impostor)).to_contain_text("chưa xác nhận địa chỉ email")
    assert "Hoàng Văn Em" not in sidebar(impostor).inner_text()
    assert UPLOAD_PAGE not in nav_titles(impostor)
    shot(app, impostor, "sso_unverified_email")


# ---- 7. no secret anywhere -------------------------------------------------------------------------


def test_no_password_or_hash_reaches_a_page_or_a_log(browse, app):
    """Over every page the tests before it showed (with their passwords typed, right and
    wrong), the servers' output and the store; and a wrong password of its own, so that it
    has a page to look at when run alone."""
    page = browse()
    typed = "sai-" + secrets.token_urlsafe(8)
    app.secrets.append(typed)
    sign_in(page, app.url, "quantri.th", typed)
    shot(app, page, "secrets_wrong_password")

    def leaks(text: str) -> bool:  # the answer only: a failure must not print a secret
        return any(secret in text for secret in app.secrets)

    assert [seen["name"] for seen in app.seen if leaks(seen["url"] + seen["text"] + seen["html"])] == []
    assert [seen["name"] for seen in app.seen if HASH_MARK in seen["text"] + seen["html"]] == []
    for server in app.servers:
        output = server.output()
        assert not leaks(output) and HASH_MARK not in output, f"{server.process.args[2:4]} printed a secret"
        assert "Traceback" not in output, output[-3000:]
    # In the store, hashes are in the accounts file only, and no password is in plain text.
    files = [path for path in app.store.rglob("*") if path.is_file()]
    assert [path for path in files if leaks(path.read_bytes().decode("utf-8", "replace"))] == []
    assert {path.relative_to(app.store).as_posix() for path in files
            if HASH_MARK.encode() in path.read_bytes()} == {"accounts/accounts.json"}
