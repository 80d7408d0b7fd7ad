"""Real-browser tests: Debian's chromium driven by Playwright against `streamlit run serve.py`
(the dashboard with its sign-in routes, as `make run` serves it).

One Streamlit server per test session, on a free port, over a fresh temporary store.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import TEST_NOW

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}


# A commune officer of Xã Định Tiến on the shared server (its password made at test time).
OFFICER = "canbo.dinhtien"


@pytest.fixture(scope="session")
def app_store(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


def create_test_account(store: Path, username: str, role: str, name: str, **scope) -> str:
    """An account in the store with a password made now (returned, never written anywhere)."""
    from queries.accounts.permissions import LOCAL_ADMIN
    from queries.accounts.places import Places
    from queries.accounts.service import create_account
    from queries.ingest.catalog import CatalogDatabase

    password = secrets.token_urlsafe(12)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DTI_TEST_FAST_HASH", "1")
        create_account(LOCAL_ADMIN, store, username=username, role=role, name=name, password=password,
                       places=Places.from_database(CatalogDatabase(store)), **scope)
    return password


@pytest.fixture(scope="session")
def officer_password(app_store):
    return create_test_account(app_store, OFFICER, "can_bo_xa", "Nguyễn Văn An", communes=["thanh-hoa/dinh-tien"])


# And a province admin of Thanh Hóa, who reviews the communes' months.
ADMIN = "quantri.thanhhoa"


@pytest.fixture(scope="session")
def admin_password(app_store):
    return create_test_account(app_store, ADMIN, "quan_tri", "Lê Thị Hoa", provinces=["Thanh Hóa"])


def sign_in(page, url: str, username: str, password: str) -> None:
    """Sign in on the sign-in page (its form posts to the sign-in route, which sets the session
    cookie and sends the browser on); the sidebar then offers "Đăng xuất"."""
    page.goto(f"{url}/dang_nhap")
    wait_for_app(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").wait_for(timeout=30_000)
    wait_for_app(page)


def start_server(store: Path, host: str = "127.0.0.1", database_url: str | None = None) -> tuple[str, subprocess.Popen]:
    """`streamlit run serve.py` (the dashboard with its sign-in routes, as `make run` starts it)
    over `store` (with `database_url`, on PostgreSQL: the folder is then its own cache), on a
    free port; returns its address once it answers. The caller stops it."""
    port = _free_port()
    # The server lives on the tests' day (DTI_NOW), whatever day the suite runs.
    env = {**os.environ, "DTI_STORE": str(store), "DTI_NOW": TEST_NOW, "DTI_TEST_FAST_HASH": "1"}
    env.pop("DTI_DATABASE_URL", None)
    if database_url:
        env["DTI_DATABASE_URL"] = database_url
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://{host}:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        raise RuntimeError("streamlit did not start: " + server.stderr.read().decode()[-2000:])
    return url, server


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="session")
def app_url(app_store, officer_password):
    url, server = start_server(app_store)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield url
    stop_server(server)


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    page.wait_for_timeout(300)


# Streamlit marks its root element with the state of the script run, for its own end-to-end
# tests; counting the runs that finished lets a test wait for the run its click started
# instead of sleeping a guessed time.
COUNT_RUNS = """
window.__finishedRuns = 0;
new MutationObserver(changes => {
    for (const change of changes) {
        if (change.target.dataset.testScriptState === 'notRunning' && change.oldValue !== 'notRunning') {
            window.__finishedRuns += 1;
        }
    }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
# Settled: that run finished, nothing of an earlier run greyed out, and no element still a
# placeholder while the browser loads its code (a fresh context loads each kind once).
SETTLED = """after => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && window.__finishedRuns > after && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stSkeletonElement"]');
}"""


def finished_runs(page) -> int:
    return page.evaluate("window.__finishedRuns")


def wait_for_run(page, after: int = 0, timeout: int = 60_000) -> None:
    """Wait until a script run later than the `after`-th has finished and nothing of an
    earlier run is still shown greyed out. A run quick enough for React to draw its start and
    its end in one go leaves no trace in the attribute: when no run is counted within a few
    seconds, settled is the same without the count, once the page has stopped changing."""
    try:
        page.wait_for_function(SETTLED, arg=after, timeout=min(timeout, 8_000))
        return
    except PlaywrightTimeoutError:
        pass
    page.wait_for_function(SETTLED, arg=-1, timeout=timeout)
    wait_until_still(page, 300)


# The main block's height the same on two looks `ms` apart (charts drawn).
STILL = """ms => new Promise(done => {
  const height = () => (document.querySelector('[data-testid="stMain"]') || document.body).scrollHeight;
  const first = height();
  setTimeout(() => done(first === height()), ms);
})"""


def wait_until_still(page, ms: int = 150, tries: int = 100) -> None:
    for _ in range(tries):
        if page.evaluate(STILL, ms):
            return
