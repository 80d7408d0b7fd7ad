"""The sign-in and sign-out routes (web/signin.py) over HTTP, without a browser: the cookie's
flags, requests from another site, redirects only within the site, the refusal carried back,
the sign-out token, and the client address behind a trusted proxy.

Starlette's test client drives the routes themselves (the real ones serve.py mounts); the
real-browser walk through them is tests/browser/test_sessions_browser.py."""
from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from queries.accounts import audit, cookie, passwords, service, signin
from queries.accounts.permissions import LANH_DAO, LOCAL_ADMIN
from queries.accounts.sessions import session_store
from web.signin import routes

HOST = "http://testserver"


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")
    monkeypatch.delenv(cookie.SECRET_ENV, raising=False)
    monkeypatch.delenv("DTI_TRUSTED_PROXIES", raising=False)


@pytest.fixture
def store(tmp_path, monkeypatch):
    root = tmp_path / "store"
    monkeypatch.setenv("DTI_STORE", str(root))
    return root


@pytest.fixture
def leader(store):
    password = secrets.token_urlsafe(12)
    service.create_account(LOCAL_ADMIN, store, username="lanhdao.tinh", role=LANH_DAO, password=password,
                           name="Phạm Văn Cường")
    return "lanhdao.tinh", password


def client(base_url: str = HOST, peer: str = "198.51.100.7") -> TestClient:
    return TestClient(Starlette(routes=routes()), base_url=base_url, follow_redirects=False, client=(peer, 50000))


def post_sign_in(http: TestClient, username: str, password: str, back: str | None = "/tai_len", origin=HOST,
                 **headers):
    data = {"username": username, "password": password}
    if back is not None:
        data["tiep"] = back
    if origin is not None:
        headers["Origin"] = origin
    return http.post(cookie.SIGN_IN_PATH, data=data, headers=headers)


def set_cookie(response) -> dict[str, str] | None:
    """The session cookie's attributes as sent (lower-case names), or None."""
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        if cookie.COOKIE_NAME in parsed:
            morsel = parsed[cookie.COOKIE_NAME]
            flags = {key: str(morsel[key]) for key in morsel.keys() if morsel[key]}
            lowered = header.lower()
            flags.update(httponly=str("httponly" in lowered), secure=str("; secure" in lowered))
            return {"value": morsel.value, **flags}
    return None


def test_signing_in_sets_an_httponly_lax_cookie_and_goes_back(store, leader):
    response = post_sign_in(client(), *leader)
    assert response.status_code == 303 and response.headers["location"] == "/tai_len"
    sent = set_cookie(response)
    assert sent["httponly"] == "True" and sent["samesite"].lower() == "lax" and sent["path"] == "/"
    assert sent["secure"] == "False"  # plain http here (a loopback server)
    assert sent["max-age"] == str(12 * 3600)
    assert signin.resume(store, sent["value"]).account.username == "lanhdao.tinh"
    assert response.headers["cache-control"] == "no-store"
    assert leader[1] not in response.headers.get("location", "")
    login = [line for line in audit.audit_lines(store) if line["action"] == "login"]
    assert login[-1]["details"] == {"method": "password", "address": "198.51.100.7"}


def test_over_https_the_cookie_is_secure(store, leader, monkeypatch):
    assert set_cookie(post_sign_in(client("https://testserver"), *leader, origin="https://testserver"))["secure"] == "True"
    # Behind a proxy that ends TLS: believed only from a proxy named in DTI_TRUSTED_PROXIES.
    behind = client(peer="10.0.0.5")
    assert set_cookie(post_sign_in(behind, *leader, **{"X-Forwarded-Proto": "https"}))["secure"] == "False"
    monkeypatch.setenv("DTI_TRUSTED_PROXIES", "10.0.0.0/24")
    assert set_cookie(post_sign_in(behind, *leader, **{"X-Forwarded-Proto": "https"}))["secure"] == "True"


@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"},
    {"origin": "http://testserver.evil.example"},
    {"origin": None, "Referer": "http://evil.example/dang_nhap"},
    {"origin": None},  # neither: refused rather than guessed
    {"origin": "null"},
])
def test_a_sign_in_another_site_makes_the_browser_send_is_refused(store, leader, headers):
    response = post_sign_in(client(), *leader, **headers)
    assert response.status_code == 403 and set_cookie(response) is None
    assert "không được gửi từ trang của bảng điều khiển" in response.text
    assert not list(store.glob("accounts/sessions/*.json"))
    assert [line for line in audit.audit_lines(store) if line["action"] in ("login", "login_failed")] == []


def test_the_referer_stands_in_for_a_missing_origin(store, leader):
    response = post_sign_in(client(), *leader, origin=None, Referer=f"{HOST}/dang_nhap")
    assert response.status_code == 303 and set_cookie(response)


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
                                  "javascript:alert(1)", None])
def test_signing_in_never_sends_the_browser_to_another_site(store, leader, back):
    response = post_sign_in(client(), *leader, back=back)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_a_refusal_goes_back_to_the_sign_in_page_with_its_message(store, leader):
    typed = "sai-" + secrets.token_urlsafe(8)
    response = post_sign_in(client(), leader[0], typed)
    assert response.status_code == 303 and set_cookie(response) is None
    where = urlsplit(response.headers["location"])
    assert where.path == cookie.SIGN_IN_PAGE and typed not in response.headers["location"]
    query = parse_qs(where.query)
    assert query["tiep"] == ["/tai_len"]
    assert cookie.message(store, query["loi"][0]) == service.WRONG_CREDENTIALS
    assert leader[0] not in response.headers["location"]  # nor the name typed


def test_a_body_that_is_no_sign_in_form_is_refused(store, leader):
    response = client().post(cookie.SIGN_IN_PATH, content=b"username=a&password=" + b"x" * 20_000,
                             headers={"Origin": HOST, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and set_cookie(response) is None


def test_get_leads_to_the_pages(store):
    http = client()
    assert http.get(cookie.SIGN_IN_PATH).headers["location"] == cookie.SIGN_IN_PAGE
    assert http.get(cookie.SIGN_OUT_PATH).headers["location"] == "/"


def test_signing_out_needs_the_session_token_and_ends_the_session(store, leader):
    http = client()
    value = set_cookie(post_sign_in(http, *leader))["value"]
    http.cookies.set(cookie.COOKIE_NAME, value)
    # Without the form's token (another site's form), or from another site: nothing ends.
    assert http.post(cookie.SIGN_OUT_PATH, data={}, headers={"Origin": HOST}).status_code == 403
    token = signin.sign_out_token(store, value)
    assert http.post(cookie.SIGN_OUT_PATH, data={"token": token},
                     headers={"Origin": "http://evil.example"}).status_code == 403
    assert signin.resume(store, value).account is not None

    response = http.post(cookie.SIGN_OUT_PATH, data={"token": token}, headers={"Origin": HOST})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cleared = set_cookie(response)
    assert cleared["value"] == "" and cleared["max-age"] == "0" and cleared["httponly"] == "True"
    assert signin.resume(store, value).account is None
    assert not list(store.glob("accounts/sessions/*.json"))
    assert [line["action"] for line in audit.audit_lines(store)][-1] == "logout"


def test_signing_out_with_a_cookie_that_names_no_session_only_clears_it(store):
    http = client()
    http.cookies.set(cookie.COOKIE_NAME, "khong-phai-cookie-cua-ta")
    response = http.post(cookie.SIGN_OUT_PATH, data={}, headers={"Origin": HOST})
    assert response.status_code == 303 and set_cookie(response)["max-age"] == "0"


def test_behind_a_trusted_proxy_the_throttle_sees_the_browser(store, leader, monkeypatch):
    """As ui/auth.py keys it: X-Forwarded-For only from a proxy named in DTI_TRUSTED_PROXIES."""
    proxy = client(peer="127.0.0.1")
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    post_sign_in(proxy, leader[0], "sai-1", **forwarded)
    monkeypatch.setenv("DTI_TRUSTED_PROXIES", "127.0.0.1,::1")
    post_sign_in(proxy, leader[0], "sai-2", **forwarded)
    failed = [line["details"].get("address") for line in audit.audit_lines(store) if line["action"] == "login_failed"]
    assert failed == [None, "203.0.113.9"]  # the proxy itself (loopback) is not throttled by address


def test_the_session_store_is_the_one_the_routes_use(store, leader):
    value = set_cookie(post_sign_in(client(), *leader))["value"]
    session_id = cookie.session_id(store, value, signin.lifetimes(store).longest)
    assert session_store(store).get(session_id).username == "lanhdao.tinh"
