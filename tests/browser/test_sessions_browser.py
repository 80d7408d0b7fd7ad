"""Real browser: a built-in sign-in that survives a reload and a typed address, and a sign-out
that ends the session on every replica sharing the store.

Two `streamlit run serve.py` processes (replicas A and B: different ports), started together so
that their clocks (both started at the tests' DTI_NOW) agree: once sharing one DTI_STORE (the
file store), once with a folder each and one PostgreSQL database, so that nothing is shared but
the database. Screenshots go to tests/artifacts/sessions_<backend>_*.png.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from queries.accounts.cookie import COOKIE_NAME
from tests.browser.conftest import ARTIFACTS, create_test_account, sign_in, start_server, stop_server

UPLOAD_PAGE, SIGN_IN_PAGE = "Tải lên số liệu", "Đăng nhập"
OFFICER, OFFICER_NAME = "canbo.phien", "Nguyễn Thị Phiên"
ENDED_HERE = "Phiên đăng nhập của bạn đã kết thúc"


@dataclass
class Replicas:
    backend: str
    store: Path
    a: str
    b: str
    password: str = field(repr=False)  # never in a failing test's output
    database_url: str | None = field(default=None, repr=False)

    def open_sessions(self) -> int:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                return conn.execute("select count(*) from sessions").fetchone()[0]
        return len(list((self.store / "accounts" / "sessions").glob("*.json")))


@pytest.fixture(scope="module", params=["files", "postgres"])
def replicas(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sessions")
    store = folder / "store"
    store.mkdir()
    # Without the demo province the pages render in a fraction of the time.
    no_demo = '{"include_demo": false}'
    database_url = None
    stores = [store, store]
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "postgres":
            database_url = request.getfixturevalue("postgres_cluster").create_database("browser_sessions")
            patch.setenv("DTI_DATABASE_URL", database_url)
            import psycopg

            with psycopg.connect(database_url) as conn:  # the schema, and the shared settings
                from queries.store.postgres import migrate

                migrate(conn)
                conn.execute("insert into shared_values (name, value) values ('settings', %s::jsonb)", (no_demo,))
            stores = [folder / "store-a", folder / "store-b"]
        else:
            (store / "settings.json").write_text(no_demo, encoding="utf-8")
        password = create_test_account(stores[0], OFFICER, "can_bo_xa", OFFICER_NAME,
                                       communes=["thanh-hoa/dinh-tien"])
        if database_url:
            from queries.store.postgres import close_pools

            close_pools()
    url_a, server_a = start_server(stores[0], database_url=database_url)
    try:
        url_b, server_b = start_server(stores[1], database_url=database_url)
    except Exception:
        stop_server(server_a)
        raise
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield Replicas(request.param, store, url_a, url_b, password, database_url)
    stop_server(server_a)
    stop_server(server_b)


@pytest.fixture
def browse(browser, browser_context_args):
    """A fresh browser context (its own cookies) per call."""
    contexts = []

    def new_context():
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def nav_titles(page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    # A link reads "🏠\n\nTổng quan": its icon, then its title.
    return [text.strip().splitlines()[-1].strip() for text in nav.get_by_role("link").all_inner_texts()]


# Settled: Streamlit's root says the script is not running (it marks it for its own end-to-end
# tests), the page's title is drawn, and nothing of an earlier run is still greyed out or a
# placeholder. A fresh server's first run builds its tables first: allow for that.
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid="stMain"] h1')
        && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stSkeletonElement"]');
}"""


def settle(page) -> None:
    page.wait_for_function(SETTLED, timeout=90_000)
    page.wait_for_timeout(300)


def open_page(page, url: str) -> None:
    """Type an address (a new page load: a new Streamlit session, the same cookies)."""
    page.goto(url)
    settle(page)


def shot(page, name: str, backend: str) -> None:
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"sessions_{backend}_{name}.png"))


def session_cookie(context) -> dict:
    [found] = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    return found


def expect_signed_in(page) -> None:
    expect(sidebar(page)).to_contain_text(OFFICER_NAME)
    titles = nav_titles(page)
    assert UPLOAD_PAGE in titles and SIGN_IN_PAGE not in titles


def expect_visitor(page) -> None:
    expect(sidebar(page).get_by_role("button", name="Đăng xuất")).to_have_count(0)
    assert OFFICER_NAME not in sidebar(page).inner_text()
    titles = nav_titles(page)
    assert SIGN_IN_PAGE in titles and UPLOAD_PAGE not in titles


def sign_out(page) -> None:
    """The sidebar's button posts to the sign-out route, which sends the browser on."""
    with page.expect_navigation():
        sidebar(page).get_by_role("button", name="Đăng xuất").click()
    settle(page)


def test_a_sign_in_survives_a_reload_and_a_typed_address_until_sign_out(browse, replicas):
    context = browse()
    page = context.new_page()
    sign_in(page, replicas.a, OFFICER, replicas.password)
    settle(page)
    expect_signed_in(page)
    shot(page, "signed_in", replicas.backend)

    # The cookie: HttpOnly (no page script reads it), SameSite=Lax, for the whole site, plain
    # HTTP here (a loopback server), kept for the longest lifetime of a session (12 hours).
    cookie = session_cookie(context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert cookie["secure"] is False
    assert 11.9 * 3600 < cookie["expires"] - time.time() <= 12 * 3600
    assert COOKIE_NAME not in page.evaluate("document.cookie")
    assert replicas.password not in cookie["value"] and OFFICER not in cookie["value"]

    page.reload()
    settle(page)
    expect_signed_in(page)
    shot(page, "after_reload", replicas.backend)

    open_page(page, f"{replicas.a}/xep_hang")  # typed into the address bar
    expect(page.get_by_role("heading", name="Xếp hạng", level=1)).to_be_visible()
    expect_signed_in(page)
    open_page(page, f"{replicas.a}/tai_len")
    expect(page.get_by_test_id("stFileUploader").first).to_be_visible()
    expect(page.get_by_text(f"Người gửi: {OFFICER_NAME}")).to_be_visible()
    shot(page, "typed_address_upload_page", replicas.backend)

    sign_out(page)
    expect_visitor(page)
    assert [c for c in context.cookies() if c["name"] == COOKIE_NAME] == []
    page.reload()
    settle(page)
    expect_visitor(page)
    shot(page, "signed_out_after_reload", replicas.backend)
    assert replicas.open_sessions() == 0


def test_sign_out_on_replica_a_signs_the_browser_out_on_replica_b(browse, replicas):
    """The second context holds a copy of the first one's cookie, the same session: only its
    end in the shared store can sign it out on the other replica."""
    first = browse()
    on_a = first.new_page()
    sign_in(on_a, replicas.a, OFFICER, replicas.password)
    settle(on_a)
    expect_signed_in(on_a)

    second = browse()
    second.add_cookies([session_cookie(first)])
    on_b = second.new_page()
    open_page(on_b, f"{replicas.b}/tai_len")
    expect_signed_in(on_b)
    expect(on_b.get_by_test_id("stFileUploader").first).to_be_visible()
    shot(on_b, "replica_b_signed_in", replicas.backend)

    sign_out(on_a)
    expect_visitor(on_a)

    # The page open on B ends at its next click, and says why; a reload there is a visitor's.
    nav = on_b.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Xếp hạng").click()
    expect(sidebar(on_b)).to_contain_text(ENDED_HERE)
    settle(on_b)
    expect_visitor(on_b)
    shot(on_b, "replica_b_after_sign_out_on_a", replicas.backend)
    on_b.reload()
    settle(on_b)
    expect_visitor(on_b)
    shot(on_b, "replica_b_reloaded", replicas.backend)
