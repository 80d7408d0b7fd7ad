"""Sign-in sessions as rows of the shared database's `sessions` table (PostgreSQL): the same
fields, bounds and order as the files of queries.accounts.sessions, keyed by the id's SHA-256.
Touching is an UPDATE of an existing row, so an ended (deleted) session stays ended; opening
prunes and inserts in one transaction under an advisory lock."""
from __future__ import annotations

from pathlib import Path

from queries import clock
from queries.accounts.permissions import Account
from queries.accounts.pg_storage import SESSIONS_LOCK
from queries.accounts.session_rules import (
    MAX_PER_ACCOUNT,
    MAX_SESSIONS,
    TOUCH_EVERY,
    Lifetimes,
    Session,
    new_session_id,
    session_key,
)
from queries.store.postgres import connection, retrying


class PgSessionStore:
    """Sessions as rows of the shared database's `sessions` table (see the module's docstring).
    The lifetimes are still the local settings (`<store>/settings.json`, kept in step with the
    database's by the store)."""

    def __init__(self, store_root, url: str, *, max_per_account: int = MAX_PER_ACCOUNT,
                 max_sessions: int = MAX_SESSIONS):
        self.root = Path(store_root)
        self.url = url
        self.max_per_account = max_per_account
        self.max_sessions = max_sessions

    @staticmethod
    def _key(session_id: str) -> str | None:
        # As the files: only what a cookie of ours can hold names a session.
        if not isinstance(session_id, str) or not 20 <= len(session_id) <= 100:
            return None
        return session_key(session_id)

    def get(self, session_id: str) -> Session | None:
        key = self._key(session_id)
        if key is None:
            return None
        with connection(self.url) as conn:
            row = conn.execute("select username, credential_version, opened, last_used from sessions "
                               "where key = %s", (key,)).fetchone()
        if row is None:
            return None
        session = Session(row[0], int(row[1]), row[2], row[3])
        return None if Lifetimes.from_settings(self.root).ended(session, clock.now()) else session

    def touch(self, session_id: str) -> None:
        key = self._key(session_id)
        if key is None:
            return
        now = clock.now()
        # Only a row still there, and only once per TOUCH_EVERY: a sign-out elsewhere stays.
        retrying(self.url, lambda conn: conn.execute(
            "update sessions set last_used = %s where key = %s and last_used <= %s", (now, key, now - TOUCH_EVERY)))

    def end(self, session_id: str) -> None:
        key = self._key(session_id)
        if key is not None:
            retrying(self.url, lambda conn: conn.execute("delete from sessions where key = %s", (key,)))

    def end_all(self, username: str) -> int:
        return retrying(self.url, lambda conn: conn.execute(
            "delete from sessions where username = %s", (username,)).rowcount)

    def open(self, account: Account) -> str:
        session_id = new_session_id()
        key = session_key(session_id)
        now = clock.now()
        lifetimes = Lifetimes.from_settings(self.root)

        def work(conn):
            conn.execute("select pg_advisory_xact_lock(%s)", (SESSIONS_LOCK,))
            conn.execute("delete from sessions where last_used < %s or opened < %s",
                         (now - lifetimes.idle, now - lifetimes.longest))
            # The least recently used beyond the bounds, the new one counted (ties as the files:
            # by key).
            conn.execute("delete from sessions where key in (select key from sessions where username = %s "
                         "order by last_used desc, key desc offset %s)",
                         (account.username, max(0, self.max_per_account - 1)))
            conn.execute("delete from sessions where key in (select key from sessions "
                         "order by last_used desc, key desc offset %s)", (max(0, self.max_sessions - 1),))
            conn.execute("insert into sessions (key, username, credential_version, opened, last_used) "
                         "values (%s, %s, %s, %s, %s) on conflict (key) do nothing",
                         (key, account.username, account.credential_version, now, now))

        retrying(self.url, work)  # again after a cut-off commit: the row is there, nothing doubles
        return session_id
