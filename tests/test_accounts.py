"""Accounts in the store: signing in, lockout, disabling, who may manage whom, settings, and
the audit log merged with the store's journal. Passwords are made at test time and looked
for, byte for byte, wherever they must not be."""
from __future__ import annotations

import json
import secrets
import time
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from argon2 import PasswordHasher

from queries.accounts import audit, passwords, service
from queries.accounts.audit import audit_events, audit_frame, upload_communes
from queries.accounts.permissions import CAN_BO_XA, LANH_DAO, LOCAL_ADMIN, QUAN_TRI, may_undo
from queries.accounts.places import Places
from queries.accounts.service import (
    WRONG_CREDENTIALS,
    InvalidInput,
    PermissionDenied,
    account_by_email,
    authenticate,
    change_own_password,
    change_settings,
    create_account,
    current_account,
    disable_account,
    enable_account,
    get_account,
    list_accounts,
    logout,
    set_password,
    sso_login,
    update_account,
)
from queries.db import Database
from queries.ingest.pipeline import check_file, store_checked
from queries.settings import load_settings
from queries.store import ROW_SCHEMAS, Store
from tests.upload_data import TODAY, make_data_dir


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> Places:
    folder = tmp_path_factory.mktemp("catalog")
    db = Database(store=folder / "store", include_demo=False, data_dir=make_data_dir(folder / "data"))
    return Places.from_database(db)


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "store"


def new_password() -> str:
    return secrets.token_urlsafe(12)


def make(store, places, username, role, password=None, actor=LOCAL_ADMIN, **scope):
    return create_account(actor, store, username=username, role=role, password=password or new_password(),
                          places=places, **scope)


def audit_actions(store) -> list[tuple[str, str, dict]]:
    return [(line["user"], line["action"], line["details"]) for line in audit.audit_lines(store)]


def at(monkeypatch, moment: str) -> None:
    """State the moment (Vietnam time) the next actions happen at."""
    monkeypatch.setenv("DTI_NOW", moment)


def every_file_bytes(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---- signing in ------------------------------------------------------------------------------


def test_sign_in_returns_the_account_without_its_hash_and_is_recorded(store, places):
    password = new_password()
    created = make(store, places, "An", CAN_BO_XA, password, communes=["Định Tiến"], provinces=["thanh hoa"],
                   name="Nguyễn Văn An", email="An.Nguyen@Example.vn")
    assert created.username == "an"  # user names are lower-case
    assert (created.provinces, created.communes, created.commune_names) == (
        ("Thanh Hóa",), ("thanh-hoa/dinh-tien",), ("Xã Định Tiến",))

    result = authenticate(store, " AN ", password)
    assert result.ok and result.message == "" and result.account == created
    assert "hash" not in repr(result.account) and "argon2" not in repr(result)
    assert account_by_email(store, "an.nguyen@example.VN") == created
    assert created.email == "an.nguyen@example.vn"
    logout(store, result.account)
    assert [(u, a) for u, a, _ in audit_actions(store)] == [
        (LOCAL_ADMIN.username, "account_created"), ("an", "login"), ("an", "logout")]


def test_unknown_user_and_wrong_password_get_the_same_answer_and_the_same_work(store, places, monkeypatch):
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"])
    verified = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: verified.append(1) or original(self, h, p))

    wrong = authenticate(store, "an", new_password())
    assert len(verified) == 1
    unknown = authenticate(store, "khong-co-ai", new_password())
    assert len(verified) == 2  # a dummy hash is checked, so the time is the same
    assert wrong.message == unknown.message == WRONG_CREDENTIALS == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert not wrong.ok and not unknown.ok and wrong.locked_until is unknown.locked_until is None
    failures = [d for _, a, d in audit_actions(store) if a == "login_failed"]
    assert failures == [{"username": "an", "reason": "wrong_password"},
                        {"username": "khong-co-ai", "reason": "unknown_user"}]


def test_unknown_user_takes_about_as_long_as_a_wrong_password_at_real_cost(store, places, monkeypatch):
    monkeypatch.delenv(passwords.TEST_ENV)
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"])

    def seconds(username):
        # CPU time (argon2 is all CPU): the comparison holds whatever else the machine runs
        started = time.process_time()
        authenticate(store, username, "sai-mat-khau-123")
        return time.process_time() - started

    wrong = min(seconds("an") for _ in range(2))
    unknown = min(seconds("khong-co-ai") for _ in range(2))
    assert wrong > 0.02  # the recommended argon2 cost, not the tests' cheap one
    assert unknown > 0.5 * wrong


def test_a_failed_sign_in_keeps_of_the_typed_name_only_what_could_be_a_user_name(store, places):
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"])
    typed_password = "Hoa@" + new_password()  # typed into the name box by mistake
    mixed_case = "Hoa2024" + new_password().replace("-", "").replace("_", "")[:8].lower()
    for typed in (typed_password, typed_password, mixed_case, "x" * 500, "nguyen.van.b", " AN "):
        authenticate(store, typed, new_password())
    logged = [d["username"] for _, a, d in audit_actions(store) if a == "login_failed"]
    masked = r"^\(không hợp lệ: (\d+|hơn 100) ký tự, mã [0-9a-f]{8}\)$"
    import re

    assert all(re.match(masked, text) for text in logged[:4]), logged
    assert logged[0] == logged[1] != logged[2]  # the same text, the same mark: attempts can be told apart
    assert logged[0].startswith(f"(không hợp lệ: {len(typed_password)} ký tự") and "hơn 100" in logged[3]
    assert logged[4:] == ["nguyen.van.b", "an"]  # could be a user name, or is one
    text = b"".join((store / "audit").glob("*.jsonl").__next__().read_bytes().splitlines())
    for secret in (typed_password, mixed_case, mixed_case.lower(), typed_password[:6], mixed_case[:6]):
        assert secret.encode() not in text
    assert audit_frame(store, viewer=LOCAL_ADMIN)["details"].to_list()[0].startswith("Tên đăng nhập “an”")


def test_five_failures_lock_the_account_for_fifteen_minutes(store, places, monkeypatch):
    password = new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])
    at(monkeypatch, "2026-11-22T10:00:00+07:00")
    for _ in range(4):
        assert authenticate(store, "an", new_password()).message == WRONG_CREDENTIALS
    fifth = authenticate(store, "an", new_password())
    expected = ("Tài khoản tạm khóa do đăng nhập sai 5 lần liên tiếp. "
                "Hãy thử lại sau 10:15 ngày 22/11/2026 (giờ Việt Nam).")
    assert fifth.message == expected and fifth.locked_until.strftime("%H:%M") == "10:15"
    # While locked, even the right password gets the lock message.
    at(monkeypatch, "2026-11-22T10:14:00+07:00")
    assert authenticate(store, "an", password).message == expected

    at(monkeypatch, "2026-11-22T10:15:30+07:00")
    assert authenticate(store, "an", password).ok
    # After the lock, counting starts again from zero.
    for _ in range(4):
        assert authenticate(store, "an", new_password()).message == WRONG_CREDENTIALS
    assert authenticate(store, "an", password).ok
    reasons = [d["reason"] for _, a, d in audit_actions(store) if a == "login_failed" and d["username"] == "an"]
    assert reasons == ["wrong_password"] * 4 + ["locked_now", "locked"] + ["wrong_password"] * 4


def attempts(store, username: str, password: str, count: int, address: str | None = None) -> list[tuple]:
    results = [authenticate(store, username, password, address=address) for _ in range(count)]
    # The clock runs while the test does: the lock's end to the minute, as the message says it.
    return [(r.ok, r.message, r.locked_until and r.locked_until.strftime("%d/%m %H:%M")) for r in results]


def test_an_unknown_name_is_answered_exactly_like_a_known_one(store, places, monkeypatch):
    """Same messages, same lock, same work: the answers never tell whether a name exists."""
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"])
    hashed = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: hashed.append(1) or original(self, h, p))
    answers, work = {}, {}
    for name in ("an", "khong-co-ai"):
        at(monkeypatch, "2026-11-22T10:00:00+07:00")  # each name from the same moment
        before = len(hashed)
        answers[name] = attempts(store, name, new_password(), 7)
        work[name] = len(hashed) - before
    assert answers["an"] == answers["khong-co-ai"]
    assert [message for _, message, _ in answers["an"]] == [WRONG_CREDENTIALS] * 4 + [
        "Tài khoản tạm khóa do đăng nhập sai 5 lần liên tiếp. Hãy thử lại sau 10:15 ngày 22/11/2026 (giờ Việt Nam)."] * 3
    assert work == {"an": 5, "khong-co-ai": 5}  # a locked name is refused before any hashing
    # Nothing typed that is no account name is kept in the counters.
    assert b"khong-co-ai" not in (store / "accounts" / "logins.json").read_bytes()


def test_a_stranger_cannot_lock_a_person_out_from_another_address(store, places, monkeypatch):
    password = new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])
    at(monkeypatch, "2026-11-22T10:00:00+07:00")
    stranger, office = "198.51.100.7", "203.0.113.9"
    assert attempts(store, "an", new_password(), 6, stranger)[-1][1].startswith("Tài khoản tạm khóa do đăng nhập sai 5")
    assert authenticate(store, "an", password, address=office).ok  # the person, at their office
    # Guessing spread over many addresses: four times the limit locks the name for everyone.
    for i in range(20):
        last = authenticate(store, "an", new_password(), address=f"192.0.2.{i // 4}")
    assert last.message.startswith("Tài khoản tạm khóa do đăng nhập sai 20 lần liên tiếp.")
    assert authenticate(store, "an", password, address=office).message == last.message
    at(monkeypatch, "2026-11-22T10:16:00+07:00")
    assert authenticate(store, "an", password, address=office).ok


def test_an_address_that_keeps_failing_waits_ever_longer_and_is_refused_before_hashing(store, places, monkeypatch):
    change_settings(LOCAL_ADMIN, store, {"login_address_free_failures": 5, "login_address_max_wait_minutes": 1})
    password = new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])
    hashed = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: hashed.append(1) or original(self, h, p))
    guesser = "198.51.100.7"
    at(monkeypatch, "2026-11-22T10:00:00+07:00")
    # Five failures are free (each a new name: the name locks play no part), the sixth starts a wait.
    for i in range(6):
        assert authenticate(store, f"ten-{i}", new_password(), address=guesser).message == WRONG_CREDENTIALS
    assert len(hashed) == 6
    waiting = authenticate(store, "an", password, address=guesser)  # even the right password waits
    assert not waiting.ok and waiting.message == (
        "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn. Hãy chờ 1 giây rồi thử lại.")
    assert len(hashed) == 6  # refused before hashing
    assert authenticate(store, "an", password, address="203.0.113.9").ok  # another address is not held up
    waits = []
    for second in (2, 5, 10, 20, 40, 80, 160):  # each failure after its wait doubles it, up to a minute
        at(monkeypatch, f"2026-11-22T10:{second // 60:02d}:{second % 60:02d}+07:00")
        assert authenticate(store, f"khac-{second}", new_password(), address=guesser).message == WRONG_CREDENTIALS
        waits.append(authenticate(store, "an", password, address=guesser).message.split("chờ ")[1])
    assert waits == ["2 giây rồi thử lại.", "4 giây rồi thử lại.", "8 giây rồi thử lại.", "16 giây rồi thử lại.",
                     "32 giây rồi thử lại.", "60 giây rồi thử lại.", "60 giây rồi thử lại."]
    # Waiting attempts are not written to the audit log one by one (they cost nothing, and must
    # not fill the disk); the failure that started a wait says so.
    failed = [d for _, a, d in audit_actions(store) if a == "login_failed"]
    assert len(failed) == 13 and all(d.get("address") == guesser for d in failed)
    assert "address_wait_until" in failed[5] and "address_wait_until" not in failed[4]
    # An hour after its last failure the address starts afresh.
    at(monkeypatch, "2026-11-22T11:03:00+07:00")
    assert authenticate(store, "an", password, address=guesser).ok


def test_the_login_counters_stay_bounded(store, places, monkeypatch):
    from queries.accounts import throttle

    monkeypatch.setattr(throttle, "MAX_NAMES", 30)
    monkeypatch.setattr(throttle, "MAX_ADDRESSES", 40)
    monkeypatch.setattr(throttle, "MAX_ADDRESSES_PER_NAME", 3)
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"])
    at(monkeypatch, "2026-11-22T10:00:00+07:00")
    for i in range(100):
        authenticate(store, f"ten-{i}", new_password(), address=f"198.51.{i // 250}.{i % 250}")
        authenticate(store, "an", new_password(), address=f"203.0.113.{i}")
    state = json.loads((store / "accounts" / "logins.json").read_text())
    assert len(state["names"]) <= 30 and len(state["addresses"]) <= 40
    assert len(state["names"]["an"]["addresses"]) <= 3
    # A day later, with nothing locked, everything is forgotten at the next failure.
    at(monkeypatch, "2026-11-23T11:00:00+07:00")
    authenticate(store, "moi", new_password())
    state = json.loads((store / "accounts" / "logins.json").read_text())
    assert len(state["names"]) == 1 and state["addresses"] == {}


def test_the_client_address_believes_proxy_headers_only_from_a_configured_proxy():
    from queries.accounts.throttle import client_address

    assert client_address("203.0.113.9") == "203.0.113.9"
    assert client_address("::ffff:203.0.113.9") == "203.0.113.9"  # IPv4 on a dual-stack server
    assert client_address(None) is None and client_address("::ffff:127.0.0.1") is None  # the server itself
    assert client_address("2001:db8:1:2:aaaa::1") == client_address("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_address("nonsense") is None
    # Not configured: X-Forwarded-For is whatever the client wrote, and is ignored.
    assert client_address("::ffff:127.0.0.1", "198.51.100.1") is None
    assert client_address("203.0.113.9", "198.51.100.1", "198.51.100.2") == "203.0.113.9"
    trusted = "127.0.0.1, ::1"
    # nginx ($proxy_add_x_forwarded_for) appends the address it saw; what is left of it is forged.
    assert client_address("::ffff:127.0.0.1", "198.51.100.1", trusted_proxies=trusted) == "198.51.100.1"
    assert client_address(None, "10.9.9.9, 198.51.100.1", trusted_proxies=trusted) == "198.51.100.1"
    assert client_address(None, "198.51.100.1, 127.0.0.1", trusted_proxies=trusted) == "198.51.100.1"
    assert client_address(None, None, "198.51.100.3", trusted_proxies=trusted) == "198.51.100.3"
    assert client_address(None, "not-an-address", trusted_proxies=trusted) is None
    # A peer that is not a trusted proxy is the client, whatever it sends.
    assert client_address("203.0.113.9", "198.51.100.1", trusted_proxies=trusted) == "203.0.113.9"
    assert client_address("10.0.0.5", "198.51.100.1", trusted_proxies="10.0.0.0/8") == "198.51.100.1"


def test_lockout_numbers_are_settings(store, places, monkeypatch):
    password = new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])
    change_settings(LOCAL_ADMIN, store, {"login_max_failures": 2, "login_lock_minutes": 60})
    at(monkeypatch, "2026-11-22T10:00:00+07:00")
    authenticate(store, "an", new_password())
    second = authenticate(store, "an", new_password())
    assert "sai 2 lần liên tiếp" in second.message and "11:00 ngày 22/11/2026" in second.message
    at(monkeypatch, "2026-11-22T10:59:00+07:00")
    assert not authenticate(store, "an", password).ok
    at(monkeypatch, "2026-11-22T11:01:00+07:00")
    assert authenticate(store, "an", password).ok


def test_a_disabled_account_cannot_sign_in_or_act_and_is_noticed_at_once(store, places):
    password, admin_password = new_password(), new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])
    make(store, places, "tinh", QUAN_TRI, admin_password, provinces=["Thanh Hóa"])
    session = authenticate(store, "an", password).account
    admin = authenticate(store, "tinh", admin_password).account

    disable_account(admin, store, "an")
    assert current_account(store, session) is None  # the session ends at its next look-up
    assert authenticate(store, "an", password).message == "Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ Quản trị tỉnh."
    assert authenticate(store, "an", new_password()).message == WRONG_CREDENTIALS  # says nothing without the password
    assert list_accounts(admin, store)[0].active is False

    enable_account(LOCAL_ADMIN, store, "an")
    assert authenticate(store, "an", password).ok
    # A page holding a stale copy of a disabled admin cannot act with it.
    disable_account(LOCAL_ADMIN, store, "tinh")
    with pytest.raises(PermissionDenied, match="không còn hiệu lực"):
        make(store, places, "moi", CAN_BO_XA, actor=admin, communes=["thanh-hoa/phu-my"])
    with pytest.raises(PermissionDenied):
        disable_account(admin, store, "an")


ISSUER = "https://sso.thanhhoa.gov.vn/realms/tinh"


def claims(email: str, sub: str = "kc-0001", verified=True, iss: str = ISSUER) -> dict:
    """What st.user holds after a provider's sign-in (the ID token's claims)."""
    return {"is_logged_in": True, "iss": iss, "sub": sub, "email": email, "email_verified": verified}


def test_a_password_reset_or_a_role_change_ends_the_open_sessions(store, places, monkeypatch):
    password = new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"], email="an@x.vn")
    admin = make(store, places, "tinh", QUAN_TRI, provinces=["Thanh Hóa"])

    def session():
        return authenticate(store, "an", password).account

    open_one = session()
    update_account(admin, store, "an", name="Nguyễn Văn An")  # a new name changes no right
    assert current_account(store, open_one) == get_account(store, "an")
    open_one = current_account(store, open_one)  # what a page run keeps
    password = new_password()
    set_password(admin, store, "an", password)
    assert current_account(store, open_one) is None
    for change in (lambda: update_account(admin, store, "an", places=places, communes=["thanh-hoa/phu-my"]),
                   lambda: update_account(LOCAL_ADMIN, store, "an", role=LANH_DAO, provinces=["Thanh Hóa"]),
                   lambda: update_account(LOCAL_ADMIN, store, "an", email="an.moi@x.vn"),
                   lambda: (disable_account(admin, store, "an"), enable_account(admin, store, "an"))):
        open_one = session()
        assert current_account(store, open_one) is not None
        change()
        assert current_account(store, open_one) is None
    # Changing one's own password ends the other sessions; the one that changed it keeps the
    # account it is handed back.
    here, elsewhere = session(), session()
    old, password = password, new_password()
    kept = change_own_password(store, here, old, password)
    assert current_account(store, kept) == kept and current_account(store, elsewhere) is None
    # Upgrading a weak hash at sign-in is the same password: no session ends.
    open_one = session()
    monkeypatch.delenv(passwords.TEST_ENV)
    assert authenticate(store, "an", password).ok
    assert current_account(store, open_one) == open_one


def test_sso_matches_an_active_account_by_its_verified_email(store, places):
    make(store, places, "ld", LANH_DAO, provinces=["Đồng Nai"], email="Lanh.Dao@DongNai.gov.vn")
    result = sso_login(store, claims("lanh.dao@dongnai.gov.vn"))
    assert result.ok and result.account.username == "ld"
    assert result.account.email == "lanh.dao@dongnai.gov.vn"  # stored ASCII lower-case, as compared
    assert sso_login(store, claims("khac@dongnai.gov.vn", sub="kc-9")).message.startswith(
        "Không có tài khoản nào gắn với địa chỉ email")
    disable_account(LOCAL_ADMIN, store, "ld")
    assert not sso_login(store, claims("LANH.DAO@dongnai.gov.vn")).ok
    # An SSO-only account (no password) cannot be entered with any password.
    create_account(LOCAL_ADMIN, store, username="sso", role=LANH_DAO, email="sso@x.vn", places=places)
    assert authenticate(store, "sso", "").message == WRONG_CREDENTIALS
    with pytest.raises(InvalidInput, match="Email sso@x.vn đã gắn với tài khoản “sso”"):
        make(store, places, "sso2", LANH_DAO, email="SSO@x.vn")


def test_sso_needs_a_verified_email(store, places):
    make(store, places, "ld", LANH_DAO, provinces=["Đồng Nai"], email="ld@dongnai.gov.vn")
    for verified in (False, None, "false", 1, "yes"):
        result = sso_login(store, claims("ld@dongnai.gov.vn", verified=verified))
        assert not result.ok and result.message.startswith("Nhà cung cấp đăng nhập một lần chưa xác nhận"), verified
    missing = claims("ld@dongnai.gov.vn")
    del missing["email_verified"]
    assert not sso_login(store, missing).ok
    for incomplete in ({**claims("ld@dongnai.gov.vn"), "sub": ""}, {**claims("ld@dongnai.gov.vn"), "iss": None},
                       {"email": "ld@dongnai.gov.vn", "email_verified": True}):
        assert sso_login(store, incomplete).message.startswith("Thông tin đăng nhập một lần không đầy đủ")
    assert sso_login(store, claims("ld@dongnai.gov.vn", verified="true")).ok  # some providers send a string
    reasons = [d["reason"] for _, a, d in audit_actions(store) if a == "login_failed"]
    assert reasons == ["email_not_verified"] * 6 + ["sso_incomplete"] * 3


def test_sso_binds_the_account_to_the_first_issuer_and_subject(store, places):
    make(store, places, "ld", LANH_DAO, provinces=["Đồng Nai"], email="ld@dongnai.gov.vn")
    assert sso_login(store, claims("ld@dongnai.gov.vn", sub="kc-0001")).ok
    stored = json.loads((store / "accounts" / "accounts.json").read_text())["accounts"]["ld"]
    assert (stored["sso_issuer"], stored["sso_subject"]) == (ISSUER, "kc-0001")
    assert sso_login(store, claims("ld@dongnai.gov.vn", sub="kc-0001")).ok
    # Another identity showing the same e-mail: another subject, or the same subject at another issuer.
    for other in (claims("ld@dongnai.gov.vn", sub="kc-6666"),
                  claims("ld@dongnai.gov.vn", sub="kc-0001", iss="https://evil.example/realms/x")):
        result = sso_login(store, other)
        assert not result.ok and result.message.startswith("Tài khoản gắn với email này đã liên kết với một danh tính")
    # The bound identity cannot take a second account either.
    make(store, places, "ld2", LANH_DAO, provinces=["Đồng Nai"], email="ld2@dongnai.gov.vn")
    assert not sso_login(store, claims("ld2@dongnai.gov.vn", sub="kc-0001")).ok
    # An admin giving the account a new e-mail releases the binding: the new address binds afresh.
    update_account(LOCAL_ADMIN, store, "ld", email="lanh.dao@dongnai.gov.vn")
    assert sso_login(store, claims("lanh.dao@dongnai.gov.vn", sub="kc-7777")).ok
    assert not sso_login(store, claims("lanh.dao@dongnai.gov.vn", sub="kc-0001")).ok


def test_sso_compares_emails_exactly_not_by_unicode_case_folding(store, places):
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"], email="sa@x.vn")
    make(store, places, "hans", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"], email="strasse@x.vn")
    # 'ſ' (long s) case-folds to 's', 'ß' to 'ss': other addresses all the same.
    for lookalike in ("ſa@x.vn", "ſA@x.vn", "straße@x.vn", "STRAẞE@x.vn", "sa@x.vn\u200b"):
        assert account_by_email(store, lookalike) is None, lookalike
        assert not sso_login(store, claims(lookalike, sub=lookalike)).ok
    assert account_by_email(store, "  SA@X.VN ").username == "an"  # ASCII case and spaces only
    import unicodedata

    make(store, places, "dinh", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"], email="định@x.vn")
    assert account_by_email(store, unicodedata.normalize("NFD", "định@x.vn")).username == "dinh"


def test_own_password_change_needs_the_current_one(store, places):
    old, new = new_password(), new_password()
    account = make(store, places, "an", CAN_BO_XA, old, communes=["thanh-hoa/dinh-tien"])
    with pytest.raises(InvalidInput, match="Mật khẩu hiện tại không đúng"):
        change_own_password(store, account, new_password(), new)
    change_own_password(store, account, old, new)
    assert authenticate(store, "an", new).ok and not authenticate(store, "an", old).ok


def test_a_vietnamese_password_typed_decomposed_still_signs_in(store, places):
    import unicodedata

    password = "Mật khẩu của Định Tiến " + new_password()
    make(store, places, "an", CAN_BO_XA, unicodedata.normalize("NFC", password), communes=["thanh-hoa/dinh-tien"])
    assert authenticate(store, "an", unicodedata.normalize("NFD", password)).ok


def test_a_weak_hash_is_upgraded_at_the_next_sign_in(store, places, monkeypatch):
    password = new_password()
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])  # test-cost hash
    monkeypatch.delenv(passwords.TEST_ENV)
    assert authenticate(store, "an", password).ok
    stored = json.loads((store / "accounts" / "accounts.json").read_text())["accounts"]["an"]["password_hash"]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


# ---- managing accounts ------------------------------------------------------------------------


def test_new_accounts_are_checked(store, places):
    cases = [
        (dict(username="an", role="tester"), "Vai trò “tester” không hợp lệ"),
        (dict(username="an", role=CAN_BO_XA), "phải gắn với ít nhất một xã"),
        (dict(username="an", role=CAN_BO_XA, communes=["Phú Mỹ"]), "Có nhiều xã tên “Phú Mỹ”"),
        (dict(username="an", role=CAN_BO_XA, communes=["Xã Không Có"]), "Không tìm thấy xã “Xã Không Có”"),
        (dict(username="an", role=CAN_BO_XA, communes=["dong-nai/phu-my"], provinces=["Thanh Hóa"]),
         "thuộc tỉnh Đồng Nai, không thuộc tỉnh đã ghi"),
        (dict(username="an", role=QUAN_TRI, provinces=["Hà Giang"]), "Không có tỉnh “Hà Giang”"),
        (dict(username="an", role=LANH_DAO, communes=["thanh-hoa/phu-my"]), "Chỉ tài khoản Cán bộ xã mới gắn với xã"),
        (dict(username="Nguyễn An", role=LANH_DAO), "Tên đăng nhập “nguyễn an” không hợp lệ"),
        (dict(username="an", role=LANH_DAO, email="khong-phai-email"), "Địa chỉ email “khong-phai-email” không hợp lệ"),
        (dict(username="an", role=LANH_DAO, password=""), "Mật khẩu không được để trống."),
        (dict(username="an", role=LANH_DAO, password="ngan"), "Mật khẩu phải có ít nhất 8 ký tự."),
        (dict(username="an", role=LANH_DAO, password=" co-khoang-trang"), "khoảng trắng"),
        (dict(username="an", role=LANH_DAO, password="AN-12345", username_override="an-12345"),
         "Mật khẩu không được trùng tên đăng nhập."),
        (dict(username="an", role=LANH_DAO, password=None), "chỉ đăng nhập được bằng SSO"),
    ]
    for arguments, message in cases:
        arguments = dict(arguments)
        if "username_override" in arguments:
            arguments["username"] = arguments.pop("username_override")
        arguments.setdefault("password", new_password())
        with pytest.raises(InvalidInput) as error:
            create_account(LOCAL_ADMIN, store, places=places, **arguments)
        assert message in error.value.message, arguments
    make(store, places, "an", LANH_DAO)
    with pytest.raises(InvalidInput, match="Tài khoản “an” đã có."):
        make(store, places, "AN", LANH_DAO)
    assert [a.username for a in list_accounts(LOCAL_ADMIN, store)] == ["an"]


def test_a_province_admin_manages_its_province_only(store, places):
    admin = make(store, places, "tinh", QUAN_TRI, provinces=["Thanh Hóa"])
    staff = make(store, places, "an", CAN_BO_XA, actor=admin, communes=["Định Tiến"])
    assert staff.provinces == ("Thanh Hóa",)
    make(store, places, "qt2", QUAN_TRI, actor=admin, provinces=["Thanh Hóa"])  # a colleague: allowed
    make(store, places, "dn", CAN_BO_XA, communes=["Đại Phước"])  # made by the local admin
    for attempt in (
        lambda: make(store, places, "moi", CAN_BO_XA, actor=admin, communes=["dong-nai/dai-phuoc"]),
        lambda: make(store, places, "moi", LANH_DAO, actor=admin),  # country-wide
        lambda: make(store, places, "moi", QUAN_TRI, actor=admin, provinces=["Thanh Hóa", "Đồng Nai"]),
        lambda: disable_account(admin, store, "dn"),
        lambda: set_password(admin, store, "dn", new_password()),
        lambda: update_account(admin, store, "an", places=places, communes=["dong-nai/dai-phuoc"]),
        lambda: update_account(admin, store, "tinh", places=places, provinces=["Đồng Nai"]),  # itself
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert [a.username for a in list_accounts(admin, store)] == ["an", "qt2", "tinh"]
    with pytest.raises(PermissionDenied, match="Không tự vô hiệu hóa"):
        disable_account(admin, store, "tinh")
    # Neither a commune officer nor a leader manages accounts or settings.
    leader = make(store, places, "ld", LANH_DAO, provinces=["Thanh Hóa"])
    for actor in (staff, leader):
        with pytest.raises(PermissionDenied, match="Chỉ Quản trị tỉnh được quản lý tài khoản."):
            list_accounts(actor, store)
        with pytest.raises(PermissionDenied, match="chỉ Quản trị toàn quốc"):
            change_settings(actor, store, {"public_view": False})
    # A caller cannot promote a commune officer by handing in a doctored copy of the account.
    forged = staff.__class__(**{**staff.__dict__, "role": QUAN_TRI, "provinces": (), "communes": ()})
    with pytest.raises(PermissionDenied):
        list_accounts(forged, store)


def test_updates_are_recorded_field_by_field(store, places):
    make(store, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"], name="An")
    changed = update_account(LOCAL_ADMIN, store, "an", places=places, communes=["Phú Mỹ"], provinces=["Thanh Hóa"],
                             name="Nguyễn Văn An")
    assert (changed.communes, changed.name) == (("thanh-hoa/phu-my",), "Nguyễn Văn An")
    promoted = update_account(LOCAL_ADMIN, store, "an", places=places, role=QUAN_TRI, provinces=["Đồng Nai"])
    assert (promoted.role, promoted.provinces, promoted.communes) == (QUAN_TRI, ("Đồng Nai",), ())
    assert update_account(LOCAL_ADMIN, store, "an", places=places, name="Nguyễn Văn An") == promoted  # no change
    changes = [d["changes"] for _, a, d in audit_actions(store) if a == "account_changed"]
    assert changes == [
        {"name": ["An", "Nguyễn Văn An"], "communes": [["thanh-hoa/dinh-tien"], ["thanh-hoa/phu-my"]],
         "commune_names": [["Xã Định Tiến"], ["Xã Phú Mỹ"]]},
        {"role": [CAN_BO_XA, QUAN_TRI], "provinces": [["Thanh Hóa"], ["Đồng Nai"]],
         "communes": [["thanh-hoa/phu-my"], []], "commune_names": [["Xã Phú Mỹ"], []]},
    ]
    with pytest.raises(InvalidInput, match="Không sửa được trường: password_hash"):
        update_account(LOCAL_ADMIN, store, "an", places=places, password_hash="x")
    frame = audit_frame(store, viewer=LOCAL_ADMIN)
    assert frame.filter(pl.col("action") == "account_changed")["details"].to_list() == [
        "Tài khoản an: vai trò: Cán bộ xã → Quản trị tỉnh; tỉnh: Thanh Hóa → Đồng Nai; xã: Xã Phú Mỹ → –",
        "Tài khoản an: họ tên: An → Nguyễn Văn An; xã: Xã Định Tiến → Xã Phú Mỹ",
    ]


def test_passwords_and_hashes_appear_nowhere_but_as_a_hash(store, places, monkeypatch):
    first, second, wrong = new_password(), new_password(), new_password()
    make(store, places, "an", CAN_BO_XA, first, communes=["thanh-hoa/dinh-tien"])
    authenticate(store, "an", first)
    authenticate(store, "an", wrong)
    authenticate(store, "an", first + " ")
    set_password(LOCAL_ADMIN, store, "an", second)
    messages = []
    for attempt in (lambda: set_password(LOCAL_ADMIN, store, "an", second[:5]),
                    lambda: make(store, places, second, CAN_BO_XA, second)):
        with pytest.raises(InvalidInput) as error:
            attempt()
        messages.append(str(error.value))
    stored_hash = json.loads((store / "accounts" / "accounts.json").read_text())["accounts"]["an"]["password_hash"]
    assert stored_hash.startswith("$argon2id$")
    for path, content in every_file_bytes(store).items():
        for secret in (first, second, wrong):
            assert secret.encode() not in content, path
        if path.name != "accounts.json":
            assert stored_hash.encode() not in content and b"$argon2" not in content, path
    assert not any(secret in message for message in messages for secret in (first, wrong))
    assert "password_hash" not in json.dumps([a.__dict__ for a in list_accounts(LOCAL_ADMIN, store)])
    assert oct((store / "accounts").stat().st_mode & 0o777) == "0o700"


# ---- settings ------------------------------------------------------------------------------------


def test_settings_are_validated_stored_and_audited(store):
    bad = [
        ({"weight_HT": -1}, "weight_HT: phải là số từ 0 đến 2.000."),
        ({"weight_HT": "nhiều"}, "weight_HT: phải là một số."),
        ({"on_track_ratio": 1.5}, "on_track_ratio: phải là số từ 0 đến 1."),
        ({"on_track_ratio": 0.5}, "on_track_ratio (mức Đúng tiến độ) phải lớn hơn speed_up_ratio"),
        ({"speed_up_ratio": 0.95}, "phải lớn hơn speed_up_ratio"),
        ({"unreported_rule": "bo"}, "unreported_rule: chọn một trong zero, exclude."),
        ({"public_view": "false"}, "public_view: phải là có (true) hoặc không (false)."),
        ({"login_max_failures": 0}, "login_max_failures: phải là số nguyên từ 1 đến 20."),
        ({"login_lock_minutes": 2.5}, "login_lock_minutes: phải là số nguyên từ 1 đến 1.440."),
        ({"login_lock_minutes": True}, "login_lock_minutes: phải là một số."),
        ({"mat_khau": "x"}, "Không có cài đặt: mat_khau."),
        ({"weight_XH": 10, "public_view": 1}, "public_view: phải là có"),  # one bad value: nothing stored
    ]
    for values, message in bad:
        with pytest.raises(InvalidInput) as error:
            change_settings(LOCAL_ADMIN, store, values)
        assert message in error.value.message, values
    assert not (store / "settings.json").exists()

    changes = change_settings(LOCAL_ADMIN, store, {"public_view": False, "weight_HT": 120, "on_track_ratio": 0.9,
                                                   "login_max_failures": 5.0})
    assert changes == [("weight_HT", 100, 120), ("on_track_ratio", 0.95, 0.9), ("public_view", True, False)]
    assert json.loads((store / "settings.json").read_text()) == {
        "on_track_ratio": 0.9, "public_view": False, "weight_HT": 120}
    settings = load_settings(store)
    assert (settings["public_view"], settings["weight_HT"], settings["login_max_failures"]) == (False, 120, 5)
    assert change_settings(LOCAL_ADMIN, store, {"weight_HT": 120}) == []  # nothing changed, nothing recorded
    assert change_settings(LOCAL_ADMIN, store, {"weight_HT": 100}) == [("weight_HT", 120, 100)]
    assert "weight_HT" not in json.loads((store / "settings.json").read_text())  # back to the default
    recorded = [d["changes"] for _, a, d in audit_actions(store) if a == "settings_changed"]
    assert recorded == [
        [{"name": "weight_HT", "old": 100, "new": 120}, {"name": "on_track_ratio", "old": 0.95, "new": 0.9},
         {"name": "public_view", "old": True, "new": False}],
        [{"name": "weight_HT", "old": 120, "new": 100}],
    ]
    assert audit_frame(store, viewer=LOCAL_ADMIN).filter(pl.col("action") == "settings_changed")["details"].to_list()[-1] == \
        "weight_HT: 100 → 120; on_track_ratio: 0.95 → 0.9; public_view: có → không"


def test_every_number_setting_has_a_floor_and_a_ceiling_in_the_table(store):
    from queries.settings import SETTINGS

    for setting in SETTINGS:
        if setting.kind in ("whole", "number"):
            assert setting.low is not None and setting.high is not None, setting.name
            assert setting.low <= setting.default <= setting.high, setting.name
    huge = [
        ({"upload_max_mb": 10**6}, "upload_max_mb: phải là số nguyên từ 1 đến 50."),
        ({"login_max_failures": 10**9}, "login_max_failures: phải là số nguyên từ 1 đến 20."),
        ({"login_lock_minutes": 10**7}, "login_lock_minutes: phải là số nguyên từ 1 đến 1.440."),
        ({"upload_max_rows": 10**9}, "upload_max_rows: phải là số nguyên từ 1 đến 1.000.000."),
        ({"evidence_max_mb": 51}, "evidence_max_mb: phải là số nguyên từ 1 đến 50."),
        ({"weight_CQ": 1e12}, "weight_CQ: phải là số từ 0 đến 2.000."),
        ({"lock_after_days": 10**5}, "lock_after_days: phải là số nguyên từ 0 đến 90."),
        ({"max_count": 10**12}, "max_count: phải là số nguyên từ 1 đến 1.000.000.000."),
    ]
    for values, message in huge:
        with pytest.raises(InvalidInput) as error:
            change_settings(LOCAL_ADMIN, store, values)
        assert error.value.message == message, values
    assert not (store / "settings.json").exists()
    assert change_settings(LOCAL_ADMIN, store, {"upload_max_mb": 50, "login_max_failures": 20}) == [
        ("login_max_failures", 5, 20), ("upload_max_mb", 20, 50)]


def test_only_a_country_wide_admin_changes_the_settings(store, places):
    province_admin = make(store, places, "tinh", QUAN_TRI, provinces=["Thanh Hóa"])
    country_admin = make(store, places, "quoc", QUAN_TRI)
    for values in ({"weight_HT": 120}, {"login_max_failures": 10}, {"upload_max_mb": 30}, {"public_view": False}):
        with pytest.raises(PermissionDenied) as error:
            change_settings(province_admin, store, values)
        assert error.value.message.startswith("Cài đặt áp dụng cho cả nước, nên chỉ Quản trị toàn quốc")
    assert not (store / "settings.json").exists()
    assert change_settings(country_admin, store, {"weight_HT": 120}) == [("weight_HT", 100, 120)]


# ---- the audit log ---------------------------------------------------------------------------------


def _rows(commune: str, value: float) -> pl.DataFrame:
    return pl.DataFrame(
        [{"row_number": 2, "commune_id": commune, "indicator": "XH05", "period": date(2026, 10, 1), "value": value,
          "numerator": None, "denominator": None, "note": None}],
        schema=ROW_SCHEMAS["actuals"], orient="row")


def test_audit_events_merge_the_journal_and_the_audit_lines_in_time_order(store, places, monkeypatch):
    data = Store(store)
    password = new_password()
    at(monkeypatch, "2026-10-31T23:30:00+07:00")  # 16:30 UTC: still October everywhere
    make(store, places, "an", CAN_BO_XA, password, communes=["thanh-hoa/dinh-tien"])
    at(monkeypatch, "2026-11-01T00:30:00+07:00")  # November in Vietnam, October in UTC
    authenticate(store, "an", password)
    at(monkeypatch, "2026-11-01T08:00:00+07:00")
    first = data.add_upload("actuals", _rows("thanh-hoa/dinh-tien", 81), file_name="thang10.csv",
                            content=b"a", user="an", rows_rejected=1).upload_id
    second = data.add_upload("actuals", _rows("thanh-hoa/dinh-tien", 82), file_name="thang10b.csv",
                             content=b"b", user="an").upload_id
    at(monkeypatch, "2026-11-02T09:00:00+07:00")
    data.undo(second, user="an", reason="nhầm tệp")
    at(monkeypatch, "2026-11-02T09:30:00+07:00")
    logout(store, service.get_account(store, "an"))
    at(monkeypatch, "2026-11-03T10:00:00+07:00")
    data.redo(second, user="tinh")
    data.compact("actuals")  # housekeeping, not a person's act
    at(monkeypatch, "2026-11-04T10:00:00+07:00")
    data.add_review("thanh-hoa/dinh-tien", date(2026, 10, 1), "da_tham_dinh", user="tinh", comment="Đạt")
    at(monkeypatch, "2026-11-05T10:00:00+07:00")
    authenticate(store, "an", new_password())

    assert sorted(p.name for p in (store / "audit").iterdir()) == ["2026-10.jsonl", "2026-11.jsonl"]
    events = audit_events(store)
    assert [(e["time"], e["user"], e["action"]) for e in events] == [
        ("2026-10-31T16:30:00+00:00", LOCAL_ADMIN.username, "account_created"),
        ("2026-10-31T17:30:00+00:00", "an", "login"),
        ("2026-11-01T01:00:00+00:00", "an", "upload"),
        ("2026-11-01T01:00:00+00:00", "an", "upload"),
        ("2026-11-02T02:00:00+00:00", "an", "undo"),
        ("2026-11-02T02:30:00+00:00", "an", "logout"),
        ("2026-11-03T03:00:00+00:00", "tinh", "redo"),
        ("2026-11-04T03:00:00+00:00", "tinh", "review"),
        ("2026-11-05T03:00:00+00:00", "an", "login_failed"),
    ]
    assert events[2]["details"] == {"upload_id": first, "kind": "actuals", "file_name": "thang10.csv",
                                    "rows_accepted": 1, "rows_rejected": 1, "received_at": None, "reason": None,
                                    "periods": ["2026-10"]}
    assert events[4]["details"] == {"upload_id": second, "reason": "nhầm tệp", "kind": "actuals",
                                    "file_name": "thang10b.csv"}
    assert events[7]["details"] == {"commune_id": "thanh-hoa/dinh-tien", "period": "2026-10",
                                    "status": "da_tham_dinh", "comment": "Đạt"}
    # `since` is a day in Vietnam: 1 November starts at 17:00 UTC on 31 October.
    assert [e["action"] for e in audit_events(store, since=date(2026, 11, 1))] == [
        "login", "upload", "upload", "undo", "logout", "redo", "review", "login_failed"]
    assert [e["action"] for e in audit_events(store, since=date(2026, 11, 4))] == ["review", "login_failed"]

    frame = audit_frame(store, viewer=LOCAL_ADMIN, places=places)
    assert frame.columns == ["time", "month", "user", "action", "action_label", "details", "target", "upload_id",
                             "communes"]
    newest, oldest = frame.row(0, named=True), frame.row(-1, named=True)
    assert (newest["time"], newest["month"], newest["action_label"], newest["details"]) == (
        datetime(2026, 11, 5, 10, 0), "2026-11", "Đăng nhập sai", "Tên đăng nhập “an”: sai mật khẩu")
    assert (oldest["month"], oldest["details"], oldest["target"]) == (
        "2026-10", "Tài khoản an (Cán bộ xã, Xã Định Tiến)", "an")
    labelled = dict(zip(frame["action"], frame["details"]))
    assert labelled["review"] == "Xã Định Tiến, Tháng 10/2026: đã thẩm định; ý kiến: Đạt"
    assert labelled["undo"] == f"Lần tải lên {second} (tệp “thang10b.csv”); lý do: nhầm tệp"
    assert frame.filter(pl.col("action") == "upload")["details"].to_list()[-1] == \
        "Tệp “thang10.csv” (kết quả hằng tháng): 1 dòng hợp lệ, 1 dòng lỗi; kỳ Tháng 10/2026"
    assert frame.filter(pl.col("user") == "tinh")["action_label"].to_list() == ["Thẩm định", "Khôi phục"]


def test_a_cut_short_audit_line_is_skipped_and_the_next_starts_on_its_own_line(store, places):
    make(store, places, "an", LANH_DAO)
    path = next((store / "audit").iterdir())
    with open(path, "ab") as handle:
        handle.write(b'{"time":"2026-11-22T03:00:00+00:00","user":"x","act')
    assert len(audit_events(store)) == 1
    logout(store, service.get_account(store, "an"))
    assert [e["action"] for e in audit_events(store)] == ["account_created", "logout"]


def test_upload_communes_drive_undo_and_the_log_of_a_province_admin(tmp_path, monkeypatch):
    at(monkeypatch, TODAY.isoformat())
    root = tmp_path / "store"
    db = Database(store=root, include_demo=False, data_dir=make_data_dir(tmp_path / "data"))
    places = Places.from_database(db)
    staff = make(root, places, "an", CAN_BO_XA, communes=["thanh-hoa/dinh-tien"])
    admin_th = make(root, places, "tinh", QUAN_TRI, provinces=["Thanh Hóa"])
    admin_dn = make(root, places, "dongnai", QUAN_TRI, provinces=["Đồng Nai"])

    def upload(text: str, user: str) -> str:
        result = check_file(text.encode("utf-8"), "thang3.csv", db=db, today=TODAY)
        assert result.errors == []
        return store_checked(result, db, user=user).upload_id

    at(monkeypatch, "2026-11-22T09:00:00+07:00")  # the journal keeps whole seconds: a later moment
    own = upload("ten_xa;tinh;ky_bao_cao;ma_chi_tieu;gia_tri\nĐịnh Tiến;Thanh Hóa;03/2026;XH05;80\n", "an")
    both = upload("ten_xa;tinh;ky_bao_cao;ma_chi_tieu;gia_tri\nĐịnh Tiến;Thanh Hóa;03/2026;XH02;70\n"
                  "Đại Phước;Đồng Nai;03/2026;XH05;60\n", "tinh")
    touched = upload_communes(db)
    assert touched[own] == {"thanh-hoa/dinh-tien": "Thanh Hóa"}
    assert touched[both] == {"thanh-hoa/dinh-tien": "Thanh Hóa", "dong-nai/dai-phuoc": "Đồng Nai"}
    entries = {e["upload_id"]: e for e in db.store.entries()}
    assert may_undo(staff, entries[own], touched[own]) and not may_undo(staff, entries[both], touched[both])
    assert may_undo(admin_th, entries[own], touched[own]) and not may_undo(admin_th, entries[both], touched[both])
    assert may_undo(LOCAL_ADMIN, entries[both], touched[both])

    everything = audit_frame(root, viewer=LOCAL_ADMIN, places=places, upload_communes=touched)
    assert everything.filter(pl.col("upload_id") == both)["communes"].to_list() == [
        ["dong-nai/dai-phuoc", "thanh-hoa/dinh-tien"]]
    assert everything.filter(pl.col("communes").list.contains("dong-nai/dai-phuoc"))["upload_id"].to_list() == [both]
    seen_by_th = audit_frame(root, viewer=admin_th, places=places, upload_communes=touched)
    # Its own acts, those of and on the accounts it manages, uploads of its communes only.
    assert list(zip(seen_by_th["user"], seen_by_th["action"], seen_by_th["target"])) == [
        ("tinh", "upload", None), ("an", "upload", None), (LOCAL_ADMIN.username, "account_created", "tinh"),
        (LOCAL_ADMIN.username, "account_created", "an")]
    seen_by_dn = audit_frame(root, viewer=admin_dn, places=places, upload_communes=touched)
    assert list(zip(seen_by_dn["action"], seen_by_dn["target"])) == [("account_created", "dongnai")]
    with pytest.raises(PermissionDenied, match="Chỉ Quản trị tỉnh được xem nhật ký hoạt động."):
        audit_frame(root, viewer=staff)
    assert audit_frame(root, viewer=LOCAL_ADMIN).height == everything.height == 5
    assert audit_frame(root, viewer=make(root, places, "toan-quoc", QUAN_TRI)).height == 6  # + its creation
    assert everything.filter(pl.col("action") == "account_created")["target"].to_list() == ["dongnai", "tinh", "an"]
    assert (everything["time"].dt.date() == TODAY).all() and everything["month"].unique().to_list() == ["2026-11"]
