"""Several replicas, one store: deploy/run_replicas.py starts two `streamlit run dashboard.py`
behind nginx over a fresh store, and a real browser (Debian's chromium) checks what a
multi-replica installation must keep true for its users:

- nginx spreads new browsers over the replicas and keeps each browser on one (sticky);
- a file uploaded through nginx shows on the other replica within 2 seconds;
- two uploads at the same moment, one on each replica, both land;
- a replica killed right after an upload loses nothing, and its browsers carry on elsewhere;
- stopping the runner stops nginx and every replica.

The tests that leave every process running share one deployment (starting one costs a few
seconds) and each checks values of its own month, so none depends on another's upload or
on the order pytest runs them in; the test that kills a replica and the one that stops the
runner each start their own. Uploads are sent by the province admin of Đồng Nai, signed in
(its password made at test time); the replicas live on the tests' day, 22/11/2026, when
October and November 2026 are open.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from deploy.run_replicas import Tls, find_nginx, render_config, write_config
from deploy.run_replicas import main as run_replicas
from queries.db import Database
from tests.browser.conftest import (  # noqa: F401
    _free_port,
    browser_context_args,
    browser_type_launch_args,
    create_test_account,
    sign_in,
    wait_for_app,
)
from tests.conftest import TEST_NOW
from tests.upload_data import cp1258

# Timed against the wall clock ("within 2 seconds") with several servers of its own: run after the
# parallel part of the suite, alone (Makefile `test`).
pytestmark = pytest.mark.serial

# browser_type_launch_args and browser_context_args: Debian's chromium, as for the other browser
# tests (never `playwright install`).
ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "deploy" / "run_replicas.py"
HEADER = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\r\n"
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ '
                      r'upstream="(?P<upstream>[^"]*)" key=(?P<key>\S+)')


@dataclass
class Replica:
    name: str
    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Deployment:
    url: str
    store: Path
    runtime: Path
    replicas: list[Replica]
    nginx_pid: int
    runner: subprocess.Popen
    password: str  # of UPLOADER

    def replica_at(self, upstream: str) -> Replica:
        return next(r for r in self.replicas if upstream == f"127.0.0.1:{r.port}")

    def other_than(self, replica: Replica) -> Replica:
        return next(r for r in self.replicas if r is not replica)

    def log(self) -> list[dict]:
        text = (self.runtime / "access.log").read_text(encoding="utf-8")
        return [m.groupdict() for m in map(LOG_LINE.search, text.splitlines()) if m]

    def served(self, key: str) -> Replica:
        """The replica that served the first request of the browser with this key (nginx
        writes the line once the response is sent: wait for it)."""
        deadline = time.monotonic() + 10
        while not (lines := [entry for entry in self.log() if entry["key"] == key]):
            assert time.monotonic() < deadline, f"no request with key {key} in nginx's log"
            time.sleep(0.1)
        return self.replica_at(lines[0]["upstream"])


UPLOADER = "quantri.dongnai"


def create_uploader(store: Path) -> str:
    """The province admin of Đồng Nai in the shared store; returns its password."""
    return create_test_account(store, UPLOADER, "quan_tri", "Trần Văn Bình", provinces=["Đồng Nai"])


def open_upload_page(page, url: str, password: str) -> None:
    """Sign in, then go to the upload page through the menu (a typed address starts a new
    session, signed out)."""
    sign_in(page, url, UPLOADER, password)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Tải lên số liệu").click()
    expect(page.locator('[data-testid="stFileUploaderDropzoneInput"]').first).to_be_attached(timeout=30_000)


def start_deployment(tmp_path_factory, *options: str, replicas: int = 2) -> Deployment:
    """deploy/run_replicas.py with two replicas over a fresh store; returns once all answer."""
    if find_nginx(None) is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx; make test installs it)")
    runtime, store = tmp_path_factory.mktemp("replicas"), tmp_path_factory.mktemp("shared-store")
    password = create_uploader(store)
    # The replicas live on the tests' day, whatever day the suite runs.
    env = {**os.environ, "DTI_NOW": TEST_NOW, "DTI_TEST_FAST_HASH": "1"}
    with open(runtime / "runner.out", "wb") as out:
        runner = subprocess.Popen(
            [sys.executable, str(RUNNER), "--replicas", str(replicas), "--port", str(_free_port()),
             "--runtime-dir", str(runtime), "--store", str(store), *options],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    state_file = runtime / "replicas.json"
    deadline = time.monotonic() + 90
    while not state_file.exists():
        if runner.poll() is not None or time.monotonic() > deadline:
            runner.kill()
            pytest.fail("run_replicas.py did not start:\n" + (runtime / "runner.out").read_text())
        time.sleep(0.1)
    state = json.loads(state_file.read_text(encoding="utf-8"))
    return Deployment(url=state["url"], store=store, runtime=runtime, nginx_pid=state["nginx"]["pid"], runner=runner,
                      replicas=[Replica(r["name"], r["port"], r["pid"]) for r in state["replicas"]],
                      password=password)


def stop_deployment(deployment: Deployment) -> None:
    if deployment.runner.poll() is None:
        deployment.runner.terminate()
        try:
            deployment.runner.wait(timeout=20)
        except subprocess.TimeoutExpired:
            deployment.runner.kill()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Shared by the tests that leave every process running (pytest may run them in any order)."""
    running = start_deployment(tmp_path_factory)
    yield running
    stop_deployment(running)


@pytest.fixture
def own_deployment(tmp_path_factory):
    """For a test that kills or stops processes."""
    running = start_deployment(tmp_path_factory)
    yield running
    stop_deployment(running)


@pytest.fixture
def new_tab(browser):
    """A fresh browser (its own cookies, so its own sticky key) per call; all closed at the end."""
    contexts = []

    def open_tab():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def sticky_key(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "dti_replica")


def monthly_file(folder: Path, name: str, commune: str, province: str, month: str, indicator: str, value: str) -> Path:
    """A one-row monthly results file as a commune office's Excel saves it (Windows-1258, `;`)."""
    path = folder / name
    path.write_bytes(cp1258(f"{HEADER}{commune};{province};{month};{indicator};{value}\r\n"))
    return path


def go(page, url: str) -> None:
    """Start loading and return: the tests load pages on both replicas at once (2 cores)."""
    page.goto(url, wait_until="commit")


def choose_file(page, file: Path) -> None:
    """On the upload page: pick the file and wait for the preview's store button."""
    # the first uploader takes the results; the second, evidence
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(file), timeout=30_000)
    expect(page.get_by_role("button", name="Lưu 1 dòng hợp lệ")).to_be_enabled(timeout=30_000)


def confirmed(page, file: Path) -> None:
    expect(page.get_by_text(f"Đã lưu 1 dòng từ tệp “{file.name}”")).to_be_visible(timeout=30_000)


def reported(page):
    """Tổng quan's “Xã đã báo cáo” metric: how many communes reported for the month ('1/2 xã')."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Xã đã báo cáo")
    return metric.locator('[data-testid="stMetricDelta"]')


def overview(base_url: str, province: str, month: str) -> str:
    return f"{base_url}/?tinh={quote(province)}&thang={month}"


def stored_values(store: Path) -> list[tuple]:
    """(commune, indicator, value) of every stored upload, as a fresh process reading the
    shared store sees them (no demo, the shipped plans)."""
    return Database(store=store, include_demo=False).sql(
        "select commune_id, indicator, value from actuals where upload_id is not null order by all").rows()


def test_new_browsers_are_spread_and_each_stays_on_one_replica(deployment):
    keys = []
    for _ in range(20):
        with urllib.request.urlopen(f"{deployment.url}/_stcore/health", timeout=10) as response:
            cookies = " ".join(response.headers.get_all("Set-Cookie"))
            keys.append(re.search(r"dti_replica=(\w+);", cookies).group(1))
    served = {deployment.served(key).name for key in keys}
    assert served == {"r1", "r2"}, "20 new browsers all went to one replica: not spread"

    request = urllib.request.Request(f"{deployment.url}/_stcore/health", headers={"Cookie": f"dti_replica={keys[0]}"})
    for _ in range(8):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert "dti_replica" not in str(response.headers.get_all("Set-Cookie"))  # the key is kept
    lines = [e for e in deployment.log() if e["key"] == keys[0]]
    assert len(lines) == 9 and len({e["upstream"] for e in lines}) == 1


def test_upload_through_nginx_shows_on_the_other_replica_within_2_seconds(deployment, new_tab, tmp_path):
    file = monthly_file(tmp_path, "dai_phuoc_11_2026.csv", "Xã Đại Phước", "Đồng Nai", "11/2026", "XH01", "55")
    uploader = new_tab()
    open_upload_page(uploader, deployment.url, deployment.password)
    key = sticky_key(uploader)
    serving = deployment.served(key)
    other = deployment.other_than(serving)

    # A leader has the province's overview open on the other replica: nobody reported yet.
    viewer = new_tab()
    go(viewer, overview(other.url, "Đồng Nai", "2026-11"))
    choose_file(uploader, file)
    expect(reported(viewer)).to_have_text("0/2 xã", timeout=30_000)
    viewer.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    viewer.locator("h1").first.click()  # the page has the keyboard focus

    uploader.get_by_role("button", name="Lưu 1 dòng hợp lệ").click()
    confirmed(uploader, file)
    # Asked again and again from the confirmation on (“r” is Streamlit's rerun key; any
    # click does the same), the other replica shows the new value within 2 seconds.
    confirmed_at = time.monotonic()
    while reported(viewer).inner_text().strip() != "1/2 xã":
        assert time.monotonic() - confirmed_at < 2.0, "the other replica did not show the upload within 2 s"
        viewer.keyboard.press("r")
        viewer.wait_for_timeout(200)

    # Sticky: everything this browser sent through nginx (page, websocket, upload) went to one
    # replica. The websocket's line is written when it closes.
    uploader.context.close()
    deadline = time.monotonic() + 10
    while not any(e["path"] == "/_stcore/stream" for e in deployment.log() if e["key"] == key):
        assert time.monotonic() < deadline, "the websocket never showed in nginx's log"
        time.sleep(0.2)
    lines = [e for e in deployment.log() if e["key"] == key]
    assert {e["upstream"] for e in lines} == {f"127.0.0.1:{serving.port}"}
    assert any(e["method"] == "PUT" and e["path"].startswith("/_stcore/upload_file/") and e["status"] == "204"
               for e in lines)
    assert any(e["path"] == "/_stcore/stream" and e["status"] == "101" for e in lines)


def test_uploads_at_the_same_moment_on_two_replicas_both_land(deployment, new_tab, tmp_path):
    first, second = deployment.replicas
    files = {
        first.name: monthly_file(tmp_path, "dai_phuoc_10_2026.csv", "Xã Đại Phước", "Đồng Nai", "10/2026", "XH01", "62"),
        second.name: monthly_file(tmp_path, "minh_duc_10_2026.csv", "Xã Minh Đức", "Đồng Nai", "10/2026", "XH01", "45"),
    }
    pages = {}
    for replica in (first, second):
        pages[replica.name] = new_tab()
        open_upload_page(pages[replica.name], replica.url, deployment.password)
    for replica in (first, second):
        choose_file(pages[replica.name], files[replica.name])
    for replica in (first, second):  # both clicks within milliseconds
        pages[replica.name].get_by_role("button", name="Lưu 1 dòng hợp lệ").click()
    for replica in (first, second):
        confirmed(pages[replica.name], files[replica.name])

    stored = stored_values(deployment.store)
    assert ("dong-nai/dai-phuoc", "XH01", 62.0) in stored
    assert ("dong-nai/minh-duc", "XH01", 45.0) in stored
    # Both replicas show both communes as reported for the month.
    for replica in (first, second):
        go(pages[replica.name], overview(replica.url, "Đồng Nai", "2026-10"))
    for page in pages.values():
        expect(reported(page)).to_have_text("2/2 xã", timeout=30_000)


def test_a_replica_killed_right_after_its_upload_loses_nothing(own_deployment, new_tab, tmp_path):
    deployment = own_deployment
    file = monthly_file(tmp_path, "minh_duc_10_2026.csv", "Xã Minh Đức", "Đồng Nai", "10/2026", "XH05", "4700/5219")
    page = new_tab()
    open_upload_page(page, deployment.url, deployment.password)
    choose_file(page, file)
    serving = deployment.served(sticky_key(page))
    page.get_by_role("button", name="Lưu 1 dòng hợp lệ").click()
    confirmed(page, file)
    os.kill(serving.pid, signal.SIGKILL)

    assert ("dong-nai/minh-duc", "XH05", 90.06) in stored_values(deployment.store)  # 4700/5219
    survivor = deployment.other_than(serving)
    # The same browser carries on through nginx: its key points at the dead replica, so nginx
    # sends it to the survivor, which shows the upload.
    go(page, overview(deployment.url, "Đồng Nai", "2026-10"))
    expect(reported(page)).to_have_text("1/2 xã", timeout=30_000)
    overview_line = next(e for e in deployment.log() if e["path"].startswith("/?tinh=") and e["key"] == sticky_key(page))
    assert overview_line["upstream"].endswith(f"127.0.0.1:{survivor.port}")
    # The runner notices and says so, and keeps serving.
    deadline = time.monotonic() + 5
    while f"bản chạy {serving.name}" not in (deployment.runtime / "runner.out").read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "the runner did not report the dead replica"
        time.sleep(0.2)
    assert deployment.runner.poll() is None


def test_stopping_the_runner_stops_nginx_and_every_replica(own_deployment):
    deployment = own_deployment
    pids = [deployment.nginx_pid, *(r.pid for r in deployment.replicas)]
    deployment.runner.send_signal(signal.SIGTERM)
    assert deployment.runner.wait(timeout=20) == 0
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} is still running"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{deployment.url}/_stcore/health", timeout=2)


def test_replicas_on_their_own_postgres_with_a_folder_each(tmp_path_factory, new_tab):
    """`--postgres --separate-folders`: the runner starts a cluster in its runtime folder, each
    replica has a folder of its own, the pages answer through nginx, and stopping the runner
    stops the cluster too."""
    from deploy.postgres_cluster import binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    running = start_deployment(tmp_path_factory, "--postgres", "--separate-folders")
    try:
        state = json.loads((running.runtime / "replicas.json").read_text(encoding="utf-8"))
        assert state["database"].startswith("127.0.0.1:") and state["database"].endswith("/dti")
        assert len(set(state["folders"])) == 2 and str(running.store) not in state["folders"]
        assert "postgresql://" not in (running.runtime / "runner.out").read_text()  # no URL, no password
        for _ in range(2):
            page = new_tab()
            page.goto(running.url)
            expect(page.get_by_role("heading", name="Tổng quan", level=1)).to_be_visible(timeout=90_000)
        touched = [folder for folder in state["folders"] if (Path(folder) / "settings.json").exists()]
        assert touched  # a replica that served a page keeps its copy of the shared settings
        assert not any((Path(folder) / "journal.jsonl").exists() for folder in state["folders"])
        data_dir = running.runtime / "postgres" / "data"
        assert (data_dir / "postmaster.pid").exists()
    finally:
        stop_deployment(running)
    assert running.runner.returncode == 0
    assert not (data_dir / "postmaster.pid").exists()  # the cluster stopped with the runner


# ---- TLS -----------------------------------------------------------------------------------------

def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now (never a file of the repository)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=dti.test", "-addext", "subjectAltName=DNS:dti.test,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def nginx_or_skip() -> str:
    nginx = find_nginx(None)
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx; make test installs it)")
    return nginx


def nginx_test(nginx: str, runtime: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([nginx, "-t", "-p", str(runtime), "-c", str(config), "-e", str(runtime / "error.log")],
                          capture_output=True, text=True, timeout=30)


def raw_get(url: str, cafile: Path | None = None) -> tuple[int, str | None]:
    """Status and Location of one request, redirects not followed."""
    import http.client
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=5,
                                                 context=ssl.create_default_context(cafile=str(cafile)))
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def test_the_tls_config_passes_nginx_t_and_serves_https_with_a_certificate_made_now(tmp_path):
    nginx = nginx_or_skip()
    cert, key = self_signed(tmp_path)
    runtime = tmp_path / "run"
    (runtime / "tmp").mkdir(parents=True)
    https_port, http_port, nobody = _free_port(), _free_port(), _free_port()
    config = write_config(runtime, f"127.0.0.1:{https_port}", [nobody], Tls(cert, key), f"127.0.0.1:{http_port}")
    text = config.read_text(encoding="utf-8")
    assert f"listen 127.0.0.1:{https_port} ssl;" in text and f'ssl_certificate     "{cert}";' in text
    assert f'ssl_certificate_key "{key}";' in text and "SameSite=Lax; Secure" in text
    checked = nginx_test(nginx, runtime, config)
    assert checked.returncode == 0, checked.stderr

    server = subprocess.Popen([nginx, "-p", str(runtime), "-c", str(config), "-e", str(runtime / "error.log"),
                               "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                # TLS with the certificate made above; no replica behind it, so nginx says 502
                assert raw_get(f"https://127.0.0.1:{https_port}/x", cafile=cert) == (502, None)
                break
            except (ConnectionError, OSError):
                assert time.monotonic() < deadline and server.poll() is None, "nginx did not start"
                time.sleep(0.1)
        # plain HTTP on the TLS port, and on the redirect port, is sent to https
        assert raw_get(f"http://127.0.0.1:{https_port}/x?a=1") == (301, f"https://127.0.0.1:{https_port}/x?a=1")
        assert raw_get(f"http://127.0.0.1:{http_port}/tai_len") == (301, f"https://127.0.0.1:{https_port}/tai_len")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_without_a_certificate_http_is_served_on_loopback_only(tmp_path, capsys):
    nginx = nginx_or_skip()
    runtime = tmp_path / "run"
    (runtime / "tmp").mkdir(parents=True)
    config = write_config(runtime, "127.0.0.1:8080", [8501], None, None)
    text = config.read_text(encoding="utf-8")
    assert "listen 127.0.0.1:8080;" in text and "ssl_certificate " not in text and 'SameSite=Lax";' in text
    assert nginx_test(nginx, runtime, config).returncode == 0
    assert render_config("127.0.0.1:8080", runtime, [8501]) == text

    assert run_replicas(["--host", "0.0.0.0", "--port", str(_free_port()), "--runtime-dir", str(runtime)]) == 2
    refused = capsys.readouterr().err
    assert refused.startswith("Lỗi: không mở HTTP không mã hóa trên 0.0.0.0") and "--tls-cert" in refused
    assert run_replicas(["--tls-cert", str(tmp_path / "cert.pem"), "--runtime-dir", str(runtime)]) == 2
    assert "--tls-cert và --tls-key phải đi cùng nhau" in capsys.readouterr().err
    assert not (runtime / "replicas.json").exists()


def test_the_secrets_file_is_never_committed():
    """.streamlit/secrets.toml holds the SSO client secret and st.login's cookie secret."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT, timeout=30)
    assert ignored.returncode == 0
    assert ".streamlit/secrets.toml" in (ROOT / "deploy" / "Dockerfile.dockerignore").read_text(encoding="utf-8")


def test_the_runner_serves_https_on_the_network_address_it_is_given(tmp_path, tmp_path_factory):
    nginx_or_skip()
    cert, key = self_signed(tmp_path)
    http_port = _free_port()
    deployment = start_deployment(tmp_path_factory, "--host", "127.0.0.1", "--tls-cert", str(cert),
                                  "--tls-key", str(key), "--http-port", str(http_port), replicas=1)
    try:
        assert deployment.url.startswith("https://127.0.0.1:")
        with urllib.request.urlopen(f"{deployment.url}/_stcore/health", timeout=10,
                                    context=__import__("ssl").create_default_context(cafile=str(cert))) as response:
            assert response.status == 200
        port = deployment.url.rsplit(":", 1)[1]
        assert raw_get(f"http://127.0.0.1:{http_port}/") == (301, f"https://127.0.0.1:{port}/")
    finally:
        stop_deployment(deployment)
