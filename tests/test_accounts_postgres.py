"""The accounts side on the shared PostgreSQL database (DTI_DATABASE_URL): accounts, the sign-in
throttle, the hash key, sessions, the audit log, settings and the cookie's secret, seen alike
by two store folders on one database (two machines), and the commands' --database-url.

Each test gets an empty database of its own (the `pg_url` fixture) and states its moments
through DTI_NOW, like tests/test_sessions.py."""
from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from queries import clock
from queries.accounts import audit, audit_log, cookie, passwords, pg_storage, service, signin
from queries.accounts.cli import main as users_main
from queries.accounts.permissions import LANH_DAO, LOCAL_ADMIN
from queries.accounts.sessions import PgSessionStore, session_key, session_store
from queries.accounts.storage import AccountFiles, account_storage
from queries.settings import load_settings
from queries.store.postgres import ENV_NAME, connection

ROOT = Path(__file__).resolve().parent.parent
START = "2026-11-22T10:00:00+07:00"
ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")
    monkeypatch.delenv(cookie.SECRET_ENV, raising=False)


@pytest.fixture
def machines(tmp_path, pg_url) -> tuple[Path, Path]:
    """Two store folders (two machines' local stores) on the same database."""
    return tmp_path / "machine-a", tmp_path / "machine-b"


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("DTI_NOW", moment)


def person(store, username="lanhdao.tinh", role=LANH_DAO, **more):
    password = secrets.token_urlsafe(12)
    account = service.create_account(LOCAL_ADMIN, store, username=username, role=role, password=password,
                                     name="Phạm Văn Cường", **more)
    return account, password


def rows(url: str, query: str, params=()) -> list[tuple]:
    with connection(url) as conn:
        return conn.execute(query, params).fetchall()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ---- accounts -------------------------------------------------------------------------------------


def test_an_account_lives_in_the_database_and_signs_in(pg_url, tmp_path):
    store = tmp_path / "store"
    assert isinstance(account_storage(store), pg_storage.AccountRows)
    account, password = person(store)
    result = service.authenticate(store, account.username, password, address=ADDRESS)
    assert result.ok and result.account.username == "lanhdao.tinh"
    assert service.authenticate(store, account.username, password + "x").message == service.WRONG_CREDENTIALS
    [(username, record)] = rows(pg_url, "select username, record from accounts")
    assert username == "lanhdao.tinh" and record["role"] == LANH_DAO and record["password_hash"].startswith("$argon2")
    assert password not in json.dumps(record)
    # Nothing of the accounts in the local folder: no accounts.json, logins.json, key or audit file.
    assert not (store / "accounts" / "accounts.json").exists()
    assert [p for p in files_under(store) if p.suffix in (".json", ".jsonl", ".key")] == []


def test_two_machines_share_accounts_passwords_and_sessions(machines, pg_url, monkeypatch):
    a, b = machines
    at(monkeypatch, START)
    account, password = person(a)
    assert service.get_account(b, account.username) == account
    assert [x.username for x in service.list_accounts(LOCAL_ADMIN, b)] == ["lanhdao.tinh"]
    assert service.display_names(b, ["lanhdao.tinh"]) == {"lanhdao.tinh": "Phạm Văn Cường"}

    # Signed in on B, the session (and its cookie) is good on A too.
    outcome = signin.sign_in(b, account.username, password, address=ADDRESS)
    assert outcome.result.ok
    assert signin.resume(a, outcome.cookie).account.username == account.username

    # A new password set on A: B refuses the old one and the session B opened is over.
    new = secrets.token_urlsafe(12)
    service.set_password(LOCAL_ADMIN, a, account.username, new)
    assert not service.authenticate(b, account.username, password, address=ADDRESS).ok
    assert service.authenticate(b, account.username, new, address=ADDRESS).ok
    assert signin.resume(b, outcome.cookie).account is None
    assert rows(pg_url, "select count(*) from sessions") == [(0,)]
    # Disabled on B: A refuses it at the next look-up.
    service.disable_account(LOCAL_ADMIN, b, account.username)
    assert service.current_account(a, service.get_account(a, account.username)) is None
    assert service.authenticate(a, account.username, new).message != ""


def _url() -> str:
    return os.environ[ENV_NAME]


def test_a_change_writes_only_its_own_row(machines, pg_url):
    a, b = machines
    first, _ = person(a)
    person(b, "lanhdao.khac")
    before = dict(rows(pg_url, "select username, xmin::text from accounts"))
    service.update_account(LOCAL_ADMIN, b, "lanhdao.khac", name="Tên mới")
    after = dict(rows(pg_url, "select username, xmin::text from accounts"))
    assert after[first.username] == before[first.username]  # not rewritten
    assert after["lanhdao.khac"] != before["lanhdao.khac"]
    assert service.get_account(a, "lanhdao.khac").name == "Tên mới"
    # A refused change inside the block writes nothing.
    service.update_account(LOCAL_ADMIN, a, first.username, email="cuong@example.vn")
    with pytest.raises(service.InvalidInput) as refused:
        service.update_account(LOCAL_ADMIN, b, "lanhdao.khac", email="Cuong@example.vn")
    assert "đã gắn với tài khoản “lanhdao.tinh”" in refused.value.message
    assert service.get_account(a, "lanhdao.khac").email is None


def test_a_writer_of_the_accounts_waits_for_the_other_machines_writer(machines):
    """The accounts' lock spans machines: a writer on B reads the accounts only once A's
    writer is done, so both never say "this name or e-mail is free" (a row lock could not
    stop B adding a new row meanwhile)."""
    a, b = machines
    person(a, "nguoi.co.san")  # the schema and one row exist before the race
    inside = threading.Event()
    seen_by_b = []

    def writer_on_a():
        with account_storage(a).changing_accounts() as records:
            inside.set()
            threading.Event().wait(0.5)  # B tries meanwhile
            records["nguoi.mot"] = {**records["nguoi.co.san"], "username": "nguoi.mot", "email": "chung@example.vn"}

    def writer_on_b():
        inside.wait(10)
        with account_storage(b).changing_accounts() as records:
            seen_by_b.append(sorted(records))

    threads = [threading.Thread(target=writer_on_a), threading.Thread(target=writer_on_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen_by_b == [["nguoi.co.san", "nguoi.mot"]]
    with pytest.raises(service.InvalidInput) as refused:
        person(b, "nguoi.hai", email="Chung@example.vn")
    assert "đã gắn với tài khoản “nguoi.mot”" in refused.value.message


def test_lockout_counters_are_shared_by_two_machines(machines, monkeypatch):
    a, b = machines
    at(monkeypatch, START)
    account, password = person(a)
    for attempt in range(5):  # login_max_failures wrong answers from one address, on either machine
        result = service.authenticate((a, b)[attempt % 2], account.username, "sai-" + secrets.token_hex(4),
                                      address=ADDRESS)
        assert not result.ok
    for store in (a, b):
        refused = service.authenticate(store, account.username, password, address=ADDRESS)
        assert not refused.ok and refused.locked_until is not None and "tạm khóa" in refused.message
    state = account_storage(b).logins()
    assert state["names"][account.username]["addresses"][ADDRESS]["locked_until"]
    # An admin's new password on B lifts the lock on A.
    new = secrets.token_urlsafe(12)
    service.set_password(LOCAL_ADMIN, b, account.username, new)
    assert service.authenticate(a, account.username, new, address=ADDRESS).ok


def test_the_keyed_hash_is_the_same_on_every_machine(machines, pg_url, tmp_path, monkeypatch):
    a, b = machines
    typed = "mat-khau-go-nham-" + secrets.token_hex(4)
    first = account_storage(a).keyed_hash(typed)
    pg_storage._made.clear()  # another process
    assert account_storage(b).keyed_hash(typed) == first != account_storage(b).keyed_hash(typed + "!")
    [(value, version)] = rows(pg_url, "select value, version from shared_values where name = 'secret_key'")
    assert len(bytes.fromhex(value)) == 32 and version == 1
    assert not (a / "accounts" / "secret.key").exists()
    # A typed name that is no account is logged the same way whichever machine saw it.
    assert audit_log.typed_username("Ô " + typed, a) == audit_log.typed_username("Ô " + typed, b)
    # Without the database each folder keeps its own key, as before.
    monkeypatch.delenv(ENV_NAME)
    assert isinstance(account_storage(a), AccountFiles)
    assert AccountFiles(tmp_path / "c").keyed_hash(typed) != AccountFiles(tmp_path / "d").keyed_hash(typed)


def test_the_cookie_secret_is_made_once_in_the_database(machines, pg_url, monkeypatch):
    a, b = machines
    first = cookie.secret(a)
    pg_storage._made.clear()  # another process
    assert cookie.secret(b) == first and len(first) >= 32
    assert not (a / "accounts" / cookie.SECRET_FILE).exists()
    assert rows(pg_url, "select value from shared_values where name = 'session_secret'") == [(first.decode(),)]
    given = secrets.token_hex(32)
    monkeypatch.setenv(cookie.SECRET_ENV, given)  # the environment still wins
    assert cookie.secret(a) == given.encode()


# ---- sessions -------------------------------------------------------------------------------------


def test_sessions_open_get_touch_end_and_expire_in_the_database(machines, pg_url, monkeypatch):
    a, b = machines
    at(monkeypatch, START)
    account, _ = person(a)
    assert isinstance(session_store(a), PgSessionStore)
    on_a, on_b = session_store(a), session_store(b)
    session_id = on_a.open(account)
    [(key, username, version)] = rows(pg_url, "select key, username, credential_version from sessions")
    assert (key, username, version) == (session_key(session_id), account.username, 0)
    assert key == hashlib.sha256(session_id.encode()).hexdigest()
    assert not any(session_id in str(cell) for row in rows(pg_url, "select * from sessions") for cell in row)
    seen = on_b.get(session_id)
    assert seen.username == account.username and seen.opened == seen.last_used
    assert on_b.get("x" * 43) is None and on_b.get("short") is None and on_b.get(None) is None

    # Touched at most every TOUCH_EVERY: 10 s later nothing is written, 40 s later it is.
    at(monkeypatch, "2026-11-22T10:00:10+07:00")
    on_b.touch(session_id)
    assert on_a.get(session_id).last_used == seen.last_used
    at(monkeypatch, "2026-11-22T10:00:40+07:00")
    on_b.touch(session_id)
    assert on_a.get(session_id).last_used - seen.last_used == pytest.approx(timedelta(seconds=40), abs=timedelta(seconds=5))

    # Idle for the setting's 60 minutes: over.
    at(monkeypatch, "2026-11-22T11:00:00+07:00")
    assert on_a.get(session_id) is not None
    at(monkeypatch, "2026-11-22T11:01:00+07:00")
    assert on_a.get(session_id) is None

    # end on one machine; a touch on the other does not bring it back.
    at(monkeypatch, "2026-11-22T12:00:00+07:00")
    second = on_a.open(account)
    assert rows(pg_url, "select count(*) from sessions") == [(1,)]  # the expired one went at this opening
    on_a.end(second)
    at(monkeypatch, "2026-11-22T12:05:00+07:00")
    on_b.touch(second)
    assert on_b.get(second) is None and rows(pg_url, "select count(*) from sessions") == [(0,)]

    # end_all ends the account's sessions only, and says how many.
    colleague, _ = person(a, "lanhdao.khac")
    mine = [on_a.open(account), on_b.open(account)]
    theirs = on_b.open(colleague)
    assert on_b.end_all(account.username) == 2
    assert [on_a.get(i) for i in mine] == [None, None] and on_a.get(theirs).username == colleague.username
    assert on_a.end_all("nobody") == 0


def test_sessions_in_the_database_are_bounded_like_the_files(machines, monkeypatch):
    a, _ = machines
    at(monkeypatch, START)
    sessions = PgSessionStore(a, _url(), max_per_account=3, max_sessions=5)
    account, _ = person(a)
    others = [person(a, f"lanhdao.{n}")[0] for n in range(3)]
    ids = []
    for minute in range(4):
        at(monkeypatch, f"2026-11-22T10:0{minute}:00+07:00")
        ids.append(sessions.open(account))
    at(monkeypatch, "2026-11-22T10:05:00+07:00")
    assert [sessions.get(i) is not None for i in ids] == [False, True, True, True]
    sessions.touch(ids[1])
    at(monkeypatch, "2026-11-22T10:06:00+07:00")
    ids.append(sessions.open(account))
    assert [sessions.get(i) is not None for i in ids] == [False, True, False, True, True]
    at(monkeypatch, "2026-11-22T10:07:00+07:00")
    other_ids = [sessions.open(other) for other in others]
    alive = [sessions.get(i) is not None for i in ids + other_ids]
    assert alive == [False, True, False, False, True, True, True, True]
    assert rows(_url(), "select count(*) from sessions") == [(5,)]
    at(monkeypatch, "2026-11-22T23:00:00+07:00")
    sessions.open(account)
    assert rows(_url(), "select count(*) from sessions") == [(1,)]


# ---- the audit log --------------------------------------------------------------------------------


def test_audit_lines_written_on_one_machine_are_read_on_the_other(machines, pg_url, monkeypatch):
    a, b = machines
    written = []
    for moment, store, user, action in (
        ("2026-11-20T23:30:00+07:00", a, "an", "login"),      # the 20th in Vietnam
        ("2026-11-21T00:30:00+07:00", b, "an", "logout"),     # the 21st in Vietnam, still the 20th in UTC
        ("2026-11-22T09:00:00+07:00", a, "binh", "login"),
    ):
        at(monkeypatch, moment)
        written.append(audit_log.record(store, user, action, {"address": ADDRESS, "when": date(2026, 11, 1)}))
    assert audit.audit_lines(b) == json.loads(json.dumps(written, default=str))
    assert written[0]["details"]["when"] == date(2026, 11, 1)  # what the caller gets back is what it gave
    assert audit.audit_lines(a)[0]["details"]["when"] == "2026-11-01"  # stored as the file stores it
    assert [line["action"] for line in audit.audit_lines(a, since=date(2026, 11, 21))] == ["logout", "login"]
    assert [line["user"] for line in audit.audit_lines(b, since=date(2026, 11, 22))] == ["binh"]
    assert [e["action"] for e in audit.audit_events(b, since=date(2026, 11, 21))] == ["logout", "login"]
    assert rows(pg_url, 'select "user", action from audit order by id') == [
        ("an", "login"), ("an", "logout"), ("binh", "login")]
    assert not (a / audit_log.AUDIT_FOLDER).exists() and not (b / audit_log.AUDIT_FOLDER).exists()


# ---- settings -------------------------------------------------------------------------------------


def test_settings_changed_on_one_machine_are_in_the_database(machines, pg_url, monkeypatch):
    a, b = machines
    # A local file another version of the app left: the database, not it, is what was before.
    b.mkdir(parents=True)
    (b / "settings.json").write_text(json.dumps({"session_idle_minutes": 15}), encoding="utf-8")
    changes = service.change_settings(LOCAL_ADMIN, a, {"session_idle_minutes": 30, "login_max_failures": 5})
    assert changes == [("session_idle_minutes", 60, 30)]  # the other value is its default already
    [(value, version)] = rows(pg_url, "select value, version from shared_values where name = 'settings'")
    assert value["session_idle_minutes"] == 30 and version >= 1
    assert json.loads((a / "settings.json").read_text(encoding="utf-8")) == value  # seen here at once
    assert load_settings(a)["session_idle_minutes"] == 30
    # Changed again on B: the old value it reports is the database's (30), not its file's (15).
    [(name, old, new)] = service.change_settings(LOCAL_ADMIN, b, {"session_idle_minutes": 45})
    assert (name, old, new) == ("session_idle_minutes", 30, 45)
    [(value2, version2)] = rows(pg_url, "select value, version from shared_values where name = 'settings'")
    assert value2 == {**value, "session_idle_minutes": 45} and version2 == version + 1
    assert json.loads((b / "settings.json").read_text(encoding="utf-8")) == value2
    # Nothing changed, nothing written; a bad value stores nothing.
    assert service.change_settings(LOCAL_ADMIN, a, {"session_idle_minutes": 45}) == []
    with pytest.raises(service.InvalidInput):
        service.change_settings(LOCAL_ADMIN, a, {"session_idle_minutes": 45, "login_max_failures": -1})
    assert rows(pg_url, "select value, version from shared_values where name = 'settings'") == [(value2, version2)]
    assert [line["action"] for line in audit.audit_lines(b)] == ["settings_changed", "settings_changed"]


def test_two_admins_changing_settings_at_once_keep_both_changes(machines, pg_url):
    a, b = machines
    for round_ in range(4):
        barrier = threading.Barrier(2)
        errors = []

        def change(store, values, barrier=barrier, errors=errors):
            barrier.wait()
            try:
                service.change_settings(LOCAL_ADMIN, store, values)
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)

        idle, failures = 20 + round_, 6 + round_
        threads = [threading.Thread(target=change, args=(a, {"session_idle_minutes": idle})),
                   threading.Thread(target=change, args=(b, {"login_max_failures": failures}))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        [(value,)] = rows(pg_url, "select value from shared_values where name = 'settings'")
        assert (value["session_idle_minutes"], value["login_max_failures"]) == (idle, failures), round_


def test_the_lifetimes_a_session_store_uses_follow_the_local_settings(machines, monkeypatch):
    a, _ = machines
    at(monkeypatch, START)
    account, _ = person(a)
    service.change_settings(LOCAL_ADMIN, a, {"session_idle_minutes": 10})
    session_id = session_store(a).open(account)
    at(monkeypatch, "2026-11-22T10:09:00+07:00")
    assert session_store(a).get(session_id) is not None
    at(monkeypatch, "2026-11-22T10:11:00+07:00")
    assert session_store(a).get(session_id) is None


# ---- the commands -----------------------------------------------------------------------------------


def test_the_users_command_takes_database_url(machines, pg_url, monkeypatch, capsys):
    a, b = machines
    monkeypatch.delenv(ENV_NAME)  # only the option names the database (the fixture restores the variable)
    password = secrets.token_urlsafe(12)
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    code = users_main(["add", "lanhdao.tinh", "--role", "lanh_dao", "--password-stdin", "--store", str(a),
                       "--database-url", pg_url])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and "Đã tạo tài khoản “lanhdao.tinh”" in out
    code = users_main(["--database-url", pg_url, "list", "--json", "--store", str(b)])
    out, _ = capsys.readouterr()
    assert code == 0 and [row["username"] for row in json.loads(out)] == ["lanhdao.tinh"]
    assert service.authenticate(b, "lanhdao.tinh", password).ok
    assert not (a / "accounts" / "accounts.json").exists()
    with connection(pg_url) as conn:
        assert conn.execute("select count(*) from audit where action = 'account_created'").fetchone() == (1,)


def test_an_unreachable_database_is_one_vietnamese_sentence_and_exit_2(tmp_path):
    from deploy.postgres_cluster import free_port

    secret = secrets.token_urlsafe(12)
    url = f"postgresql://dti:{secret}@127.0.0.1:{free_port()}/dti"
    env = {k: v for k, v in os.environ.items() if k != ENV_NAME}
    env["PYTHONPATH"] = str(ROOT)
    store = str(tmp_path / "store")
    sample = tmp_path / "mau.csv"
    sample.write_text("commune_id,indicator,period,value\n", encoding="utf-8")
    commands = {
        "users": [sys.executable, "-m", "queries.users", "list", "--store", store, "--database-url", url],
        "export": [sys.executable, "-m", "queries.export", "audit", "--store", store, "--database-url", url],
        "ingest": [sys.executable, "-m", "queries.ingest", str(sample), "--as", "lanhdao.tinh", "--store", store,
                   "--database-url", url],
    }
    running = {name: subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, text=True) for name, argv in commands.items()}
    for name, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, (name, out, err)
        assert "Không kết nối được cơ sở dữ liệu PostgreSQL 127.0.0.1:" in err, (name, err)
        assert "Traceback" not in out + err and secret not in out + err, name


def test_without_a_url_the_file_store_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_NAME, raising=False)
    store = tmp_path / "store"
    account, password = person(store)
    assert isinstance(account_storage(store), AccountFiles)
    assert (store / "accounts" / "accounts.json").exists()
    assert signin.sign_in(store, account.username, password).result.ok
    assert list((store / "accounts" / "sessions").glob("*.json"))
    assert (store / audit_log.AUDIT_FOLDER).is_dir()


def test_parsing_a_moment_back_from_the_database_keeps_the_instant(machines, monkeypatch):
    a, _ = machines
    at(monkeypatch, START)
    account, _ = person(a)
    session_id = session_store(a).open(account)
    opened = session_store(a).get(session_id).opened
    assert opened.tzinfo is not None
    assert abs(opened - datetime.fromisoformat(START)) < timedelta(seconds=5)
    assert abs(opened - clock.now()) < timedelta(seconds=5)


def test_the_first_use_from_several_threads_at_once_finds_the_schema(pg_url):
    """A page server's first requests arrive together: none may get the pool before the schema."""
    barrier = threading.Barrier(4)
    errors = []

    def first_use():
        barrier.wait()
        try:
            assert rows(pg_url, "select count(*) from accounts") == [(0,)]
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
