"""The accounts on the shared PostgreSQL database (when DTI_DATABASE_URL is set), standing in for
the files of queries.accounts.storage behind the same interface:

    accounts                          one row per account (accounts.json)
    shared_values 'logins'            the sign-in throttle's state (logins.json)
    shared_values 'secret_key'        the key of keyed hashes (secret.key)
    shared_values 'session_secret'    the session cookie's signing secret (accounts/.session_secret)
    shared_values 'settings'          the settings' overrides (settings.json; queries.accounts.service)

Nothing is cached but the two secrets, which are made once (insert … on conflict do nothing)
and never change afterwards: an account disabled on one machine is refused by the others at
their next look-up. Writers of the accounts take one advisory lock for the transaction, so
that two machines checking "is this name or e-mail free" never both say yes; a shared value is
changed under its row's lock. Every value is bound; a JSON value travels as text cast to jsonb.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from queries.errors import UserFacingError
from queries.i18n import _
from queries.store.postgres import connection, retrying

# Advisory lock numbers of this package (queries.store.postgres has its own, 0x44544901…).
ACCOUNTS_LOCK = 0x44_54_49_A1
SESSIONS_LOCK = 0x44_54_49_A2

LOGINS = "logins"
SECRET_KEY = "secret_key"
SESSION_SECRET = "session_secret"
SETTINGS = "settings"

_made: dict[tuple[str, str], str] = {}
_made_lock = threading.Lock()


class SharedValueError(UserFacingError):
    """A shared value in the database is unusable; the message is Vietnamese."""


def as_json(value) -> str:
    """A value as the text bound to a `%s::jsonb` parameter."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def read_value(url: str, name: str, default=None):
    with connection(url) as conn:
        row = conn.execute("select value from shared_values where name = %s", (name,)).fetchone()
    return default if row is None else row[0]


def made_once(url: str, name: str, make: Callable[[], str]) -> str:
    """A text value made by the first process that asks and read by every other (a secret):
    made here only when absent, then read back, so racing machines all keep the winner's."""
    with _made_lock:
        known = _made.get((url, name))
    if known is not None:
        return known

    def work(conn):
        conn.execute("insert into shared_values (name, value) values (%s, %s::jsonb) on conflict (name) do nothing",
                     (name, as_json(make())))
        return conn.execute("select value from shared_values where name = %s", (name,)).fetchone()[0]

    value = retrying(url, work)  # safe to run again: the insert does nothing once the row is there
    if not isinstance(value, str):
        raise SharedValueError(_("Giá trị chung “{name}” trong cơ sở dữ liệu bị hỏng.").format(name=name))
    with _made_lock:
        _made[(url, name)] = value
    return value


@contextlib.contextmanager
def changing_value(url: str, name: str):
    """Yields the shared value `name` (a dict; {} when absent) read under its row's lock, in one
    transaction; what the block leaves in it is written back, version + 1, when it differs."""
    with connection(url) as conn:
        # The row must exist to be locked; a first writer's empty row is kept only if it writes.
        created = conn.execute("insert into shared_values (name, value) values (%s, '{}'::jsonb) "
                               "on conflict (name) do nothing", (name,)).rowcount
        value = conn.execute("select value from shared_values where name = %s for update", (name,)).fetchone()[0]
        if not isinstance(value, dict):
            value = {}
        before = copy.deepcopy(value)
        yield value
        if value != before:
            conn.execute("update shared_values set value = %s::jsonb, version = version + 1 where name = %s",
                         (as_json(value), name))
        elif created:
            conn.rollback()


class AccountRows:
    """AccountFiles' interface over the database (see the module's docstring)."""

    def __init__(self, store_root: str | os.PathLike, url: str):
        self.root = Path(store_root)
        self.url = url

    # ---- reading --------------------------------------------------------------------------
    def records(self) -> dict[str, dict]:
        """username -> stored record."""
        with connection(self.url) as conn:
            return dict(conn.execute("select username, record from accounts").fetchall())

    def record(self, username: str) -> dict | None:
        with connection(self.url) as conn:
            row = conn.execute("select record from accounts where username = %s", (username,)).fetchone()
        return row[0] if row else None

    def logins(self) -> dict:
        value = read_value(self.url, LOGINS, {})
        return value if isinstance(value, dict) else {}

    def keyed_hash(self, text: str) -> str:
        """As AccountFiles.keyed_hash, under the key every machine shares."""
        return hmac.new(self._key(), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def _key(self) -> bytes:
        value = made_once(self.url, SECRET_KEY, lambda: os.urandom(32).hex())
        try:
            key = bytes.fromhex(value)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise SharedValueError(_("Khóa băm (secret_key) trong cơ sở dữ liệu bị hỏng."))
        return key

    # ---- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def changing_accounts(self):
        """Yields a private copy of every record, read under the accounts' lock in one
        transaction; rows the block changed, added or removed are written back."""
        with connection(self.url) as conn:
            # A lock for the transaction, not row locks: a row lock cannot stop another machine
            # adding an account of the same name or e-mail meanwhile.
            conn.execute("select pg_advisory_xact_lock(%s)", (ACCOUNTS_LOCK,))
            records = dict(conn.execute("select username, record from accounts").fetchall())
            before = copy.deepcopy(records)
            yield records
            removed = [name for name in before if name not in records]
            if removed:
                conn.execute("delete from accounts where username = any(%s)", (removed,))
            changed = [(name, as_json(record)) for name, record in records.items() if before.get(name) != record]
            if changed:
                with conn.cursor() as cursor:
                    cursor.executemany("insert into accounts (username, record) values (%s, %s::jsonb) "
                                       "on conflict (username) do update set record = excluded.record", changed)

    @contextlib.contextmanager
    def changing_logins(self):
        with changing_value(self.url, LOGINS) as state:
            yield state


__all__ = ["ACCOUNTS_LOCK", "AccountRows", "LOGINS", "SESSIONS_LOCK", "SESSION_SECRET", "SETTINGS",
           "SharedValueError", "as_json", "changing_value", "made_once", "read_value"]


# ---- the audit log (audit/<YYYY-MM>.jsonl in the file store) ------------------------------------

def append_audit_line(url: str, moment, line: dict) -> None:
    """One line of the audit log, as the file version writes it, made once (no retry: a line
    must never be written twice)."""
    with connection(url) as conn:
        conn.execute('insert into audit (time, "user", action, line) values (%s, %s, %s, %s::jsonb)',
                     (moment, line.get("user") or "", line.get("action") or "", as_json(line)))


def read_audit_lines(url: str, since=None) -> list[dict]:
    """The audit lines in the order written; from the moment `since` on when given."""
    with connection(url) as conn:
        if since is None:
            rows = conn.execute("select line from audit order by id").fetchall()
        else:
            rows = conn.execute("select line from audit where time >= %s order by id", (since,)).fetchall()
    return [row[0] for row in rows]
