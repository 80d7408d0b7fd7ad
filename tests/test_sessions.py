"""Signed-in sessions kept in the store behind a signed cookie (queries.accounts.sessions,
cookie, signin): idle and longest lifetimes, ending on sign-out and on every change of
credentials, tampered and expired cookies, bounds, and the session id only in the cookie.

Each test states its moments through DTI_NOW (queries.clock), as the app's servers do."""
from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import stat
from pathlib import Path

import pytest

from queries.accounts import audit, cookie, passwords, service, signin
from queries.accounts.permissions import LANH_DAO, LOCAL_ADMIN, QUAN_TRI
from queries.accounts.sessions import FileSessionStore, session_key, session_store
from queries.settings import InvalidSetting, checked_value
from queries.store.postgres import connection, database_url

START = "2026-11-22T10:00:00+07:00"


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")
    monkeypatch.delenv(cookie.SECRET_ENV, raising=False)


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture(params=["files", "postgres"])
def backend(request) -> str:
    """The tests that ask for it run on the store's files and on PostgreSQL (DTI_DATABASE_URL)."""
    if request.param == "postgres":
        request.getfixturevalue("pg_url")
    return request.param


def at(monkeypatch, moment: str) -> None:
    """The moment (Vietnam time) the next actions happen at."""
    monkeypatch.setenv("DTI_NOW", moment)


def person(store, username="lanhdao.tinh", role=LANH_DAO) -> tuple[object, str]:
    password = secrets.token_urlsafe(12)
    account = service.create_account(LOCAL_ADMIN, store, username=username, role=role, password=password,
                                     name="Phạm Văn Cường")
    return account, password


def signed_in(store, username: str, password: str) -> str:
    outcome = signin.sign_in(store, username, password, address="198.51.100.7")
    assert outcome.result.ok and outcome.cookie, outcome.result.message
    return outcome.cookie


def who(store, value: str) -> str | None:
    account = signin.resume(store, value).account
    return account.username if account else None


def session_files(store) -> list[Path]:
    return sorted((store / "accounts" / "sessions").glob("*.json"))


def session_count(store) -> int:
    """Sessions kept, live or not: files of the store, or rows of the database."""
    url = database_url()
    if url is None:
        return len(session_files(store))
    assert session_files(store) == []
    with connection(url) as conn:
        return conn.execute("select count(*) from sessions").fetchone()[0]


# ---- lifetimes ------------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_time_and_each_use_extends_it(store, monkeypatch, backend):
    at(monkeypatch, START)
    account, password = person(store)
    value = signed_in(store, account.username, password)
    for moment in ("2026-11-22T10:59:00+07:00", "2026-11-22T11:58:00+07:00", "2026-11-22T12:57:00+07:00"):
        at(monkeypatch, moment)  # 59 minutes after the last use each time: still signed in
        assert who(store, value) == account.username
    at(monkeypatch, "2026-11-22T13:58:00+07:00")  # 61 minutes unused
    assert who(store, value) is None

    # The setting, changed, applies to sessions already open.
    at(monkeypatch, "2026-11-22T14:00:00+07:00")
    value = signed_in(store, account.username, password)
    service.change_settings(LOCAL_ADMIN, store, {"session_idle_minutes": 10})
    at(monkeypatch, "2026-11-22T14:09:00+07:00")
    assert who(store, value) == account.username
    at(monkeypatch, "2026-11-22T14:20:00+07:00")
    assert who(store, value) is None


def test_a_session_ends_at_its_longest_lifetime_even_while_in_use(store, monkeypatch, backend):
    at(monkeypatch, START)
    account, password = person(store)
    value = signed_in(store, account.username, password)
    hour = 10
    for minutes in range(50, 12 * 60, 50):  # a click every 50 minutes, all day
        at(monkeypatch, f"2026-11-22T{hour + minutes // 60:02d}:{minutes % 60:02d}:00+07:00")
        assert who(store, value) == account.username, minutes
    at(monkeypatch, "2026-11-22T22:00:30+07:00")  # 12 hours and 30 seconds after signing in
    assert who(store, value) is None

    service.change_settings(LOCAL_ADMIN, store, {"session_max_hours": 1})
    at(monkeypatch, "2026-11-23T08:00:00+07:00")
    value = signed_in(store, account.username, password)
    at(monkeypatch, "2026-11-23T08:59:00+07:00")
    assert who(store, value) == account.username
    at(monkeypatch, "2026-11-23T09:00:30+07:00")
    assert who(store, value) is None


def test_the_lifetimes_are_settings_with_bounds():
    assert checked_value("session_idle_minutes", 60) == 60
    assert checked_value("session_max_hours", 12) == 12
    for name, value in (("session_idle_minutes", 2), ("session_idle_minutes", 10_000), ("session_max_hours", 0),
                        ("session_max_hours", 1000), ("session_max_hours", 1.5)):
        with pytest.raises(InvalidSetting) as refused:
            checked_value(name, value)
        assert refused.value.message.startswith(name + ": phải là số nguyên từ")


# ---- ending ---------------------------------------------------------------------------------------


def test_sign_out_ends_the_session_for_every_process_sharing_the_store(store, monkeypatch):
    at(monkeypatch, START)
    account, password = person(store)
    value = signed_in(store, account.username, password)
    other_browser = signed_in(store, account.username, password)
    assert signin.sign_out(store, value).username == account.username
    # Another replica: its own objects over the same folder.
    assert FileSessionStore(store).get(cookie.session_id(store, value, signin.lifetimes(store).longest)) is None
    assert who(store, value) is None
    assert who(store, other_browser) == account.username  # only that session ended
    # A click on a replica that still had the page open does not bring it back.
    at(monkeypatch, "2026-11-22T10:30:00+07:00")
    session_id = cookie.session_id(store, value, signin.lifetimes(store).longest)
    session_store(store).touch(session_id)
    assert who(store, value) is None and len(session_files(store)) == 1
    assert [line["action"] for line in audit.audit_lines(store)][-1] == "logout"


@pytest.mark.parametrize("change", ["admin_sets_password", "own_password", "disabled", "role", "email"])
def test_a_change_of_credentials_ends_every_session_of_the_account(store, monkeypatch, change, backend):
    at(monkeypatch, START)
    account, password = person(store)
    colleague, colleague_password = person(store, "lanhdao.khac")
    values = [signed_in(store, account.username, password) for _ in range(3)]
    kept = signed_in(store, colleague.username, colleague_password)
    new = secrets.token_urlsafe(12)
    if change == "admin_sets_password":
        service.set_password(LOCAL_ADMIN, store, account.username, new)
    elif change == "own_password":
        service.change_own_password(store, account, password, new)
    elif change == "disabled":
        service.disable_account(LOCAL_ADMIN, store, account.username)
    elif change == "role":
        service.update_account(LOCAL_ADMIN, store, account.username, role=QUAN_TRI)
    else:
        service.update_account(LOCAL_ADMIN, store, account.username, email="cuong@example.vn")
    # Gone from the store at once (end_all), not only refused at the next look.
    assert [who(store, value) for value in values] == [None, None, None]
    assert session_count(store) == 1
    assert who(store, kept) == colleague.username
    # A name change alone changes no credentials.
    service.update_account(LOCAL_ADMIN, store, colleague.username, name="Tên mới")
    assert who(store, kept) == colleague.username


def test_a_session_holding_an_older_credential_version_is_refused_and_ended(store, monkeypatch, backend):
    """Should an end_all be missed (a process killed between the two writes), the version the
    session holds still decides."""
    at(monkeypatch, START)
    account, _ = person(store)
    stale = dataclasses.replace(account, credential_version=account.credential_version - 1)
    value = signin.open_session(store, stale)
    assert session_count(store) == 1
    resumed = signin.resume(store, value)
    assert resumed.account is None and resumed.ended
    assert session_count(store) == 0
    assert signin.resume(store, value) == signin.Resumed(None, ended=False)  # said once


# ---- the cookie -------------------------------------------------------------------------------------


def test_a_tampered_or_expired_cookie_is_refused(store, monkeypatch, backend):
    at(monkeypatch, START)
    account, password = person(store)
    value = signed_in(store, account.username, password)
    assert who(store, value) == account.username
    payload, stamp, signature = value.split(".")
    other_id = base64.urlsafe_b64encode(json.dumps(secrets.token_urlsafe(32)).encode()).decode().rstrip("=")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for altered in (f"{other_id}.{stamp}.{signature}", f"{payload}.{stamp}.{flipped}", f"{payload}.{stamp}.",
                    payload, "", "x" * 5000, value + "x"):
        assert who(store, altered) is None, altered[:40]
    # Signed with another secret (another installation, or the secret changed since).
    monkeypatch.setenv(cookie.SECRET_ENV, secrets.token_hex(32))
    assert who(store, value) is None
    monkeypatch.delenv(cookie.SECRET_ENV)
    assert who(store, value) == account.username

    longest = signin.lifetimes(store).longest
    at(monkeypatch, "2026-11-22T21:59:00+07:00")
    assert cookie.session_id(store, value, longest) is not None
    at(monkeypatch, "2026-11-22T22:01:00+07:00")
    assert cookie.session_id(store, value, longest) is None  # older than session_max_hours
    # Dated in the future: a little (replicas' clocks apart) is accepted, more is not.
    at(monkeypatch, "2026-11-22T09:57:00+07:00")
    assert cookie.session_id(store, value, longest) is not None
    at(monkeypatch, "2026-11-22T09:50:00+07:00")
    assert cookie.session_id(store, value, longest) is None


def test_the_session_id_is_only_in_the_cookie(store, monkeypatch):
    at(monkeypatch, START)
    account, password = person(store)
    value = signed_in(store, account.username, password)
    payload = value.split(".")[0]
    carried = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert isinstance(carried, str) and len(carried) == 43  # secrets.token_urlsafe(32), and nothing else
    assert account.username not in value and password not in value
    # The server files the session under the id's hash; the id itself is in no file of the store.
    [path] = session_files(store)
    assert path.name == session_key(carried) + ".json"
    for file in (p for p in store.rglob("*") if p.is_file()):
        data = file.read_bytes()
        assert carried.encode() not in data and value.encode() not in data, file
    assert json.loads(path.read_text()) == {"username": account.username, "credential_version": 0,
                                            "opened": pytest.approx(path.stat().st_mtime)}
    # Readable by the app's user only, like the accounts.
    assert stat.S_IMODE((store / "accounts").stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_signing_secret_is_made_once_in_the_store_or_given(store, monkeypatch):
    first = cookie.secret(store)
    path = store / "accounts" / cookie.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_bytes() == first
    cookie._secrets.clear()  # another process
    assert cookie.secret(store) == first and len(first) >= 32
    monkeypatch.setenv(cookie.SECRET_ENV, "ngan-qua")
    with pytest.raises(cookie.SessionSecretError) as refused:
        cookie.secret(store)
    assert "DTI_SESSION_SECRET quá ngắn" in refused.value.message and "ngan-qua" not in refused.value.message
    given = secrets.token_hex(32)
    monkeypatch.setenv(cookie.SECRET_ENV, given)
    assert cookie.secret(store) == given.encode()


def test_the_sign_out_token_belongs_to_one_session(store, monkeypatch, backend):
    at(monkeypatch, START)
    account, password = person(store)
    mine, theirs = signed_in(store, account.username, password), signed_in(store, account.username, password)
    token = signin.sign_out_token(store, mine)
    assert signin.sign_out_allowed(store, mine, token)
    assert not signin.sign_out_allowed(store, theirs, token)
    assert not signin.sign_out_allowed(store, mine, None) and not signin.sign_out_allowed(store, mine, "x")
    assert signin.sign_out_token(store, "not-a-cookie") is None


def test_a_refusal_message_travels_signed(store):
    token = cookie.sign_message(store, service.WRONG_CREDENTIALS)
    assert cookie.message(store, token) == service.WRONG_CREDENTIALS
    forged = base64.urlsafe_b64encode(json.dumps("Hãy gọi số 0900 000 000").encode()).decode().rstrip("=")
    assert cookie.message(store, forged + "." + token.split(".", 1)[1]) is None
    assert cookie.message(store, "Hãy gọi số này") is None


@pytest.mark.parametrize("asked, sent", [
    ("/tai_len", "/tai_len"), ("/xep_hang?tinh=Thanh+H%C3%B3a", "/xep_hang?tinh=Thanh+H%C3%B3a"), ("/", "/"),
    ("//evil.example/dang_nhap", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"),
    ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("javascript:alert(1)", "/"), ("tai_len", "/"),
    ("", "/"), (None, "/"), ("/" + "a" * 2000, "/"),
])
def test_only_paths_of_this_site_are_sent_back_to(asked, sent):
    assert cookie.return_path(asked) == sent


# ---- bounds -----------------------------------------------------------------------------------------


def test_sessions_are_bounded_per_account_and_in_all(store, monkeypatch):
    at(monkeypatch, START)
    sessions = FileSessionStore(store, max_per_account=3, max_sessions=5)
    account, _ = person(store)
    others = [person(store, f"lanhdao.{n}")[0] for n in range(3)]
    ids = []
    for minute in range(4):
        at(monkeypatch, f"2026-11-22T10:0{minute}:00+07:00")
        ids.append(sessions.open(account))
    at(monkeypatch, "2026-11-22T10:05:00+07:00")
    assert [sessions.get(i) is not None for i in ids] == [False, True, True, True]  # the least recently used went
    sessions.touch(ids[1])  # used again: now the most recent of the account
    at(monkeypatch, "2026-11-22T10:06:00+07:00")
    ids.append(sessions.open(account))
    assert [sessions.get(i) is not None for i in ids] == [False, True, False, True, True]
    at(monkeypatch, "2026-11-22T10:07:00+07:00")
    other_ids = [sessions.open(other) for other in others]  # 3 + 3 > 5: the least recently used of all goes
    alive = [sessions.get(i) is not None for i in ids + other_ids]
    assert alive == [False, True, False, False, True, True, True, True]  # ids[3], last used at 10:03
    assert len(session_files(store)) == 5
    # Expired sessions leave the folder when the next one opens.
    at(monkeypatch, "2026-11-22T23:00:00+07:00")
    sessions.open(account)
    assert len(session_files(store)) == 1
