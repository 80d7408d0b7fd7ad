"""Signed-in sessions kept on the server, so that a sign-in survives a reload, a typed address
and a move to another replica, and ends everywhere at once.

The browser holds only a random id (`secrets.token_urlsafe(32)`) in a signed cookie
(queries.accounts.cookie). The server keeps, per session: whose it is, the account's credential
version when it opened, when it opened and when it was last used. The id itself is never
written down: a session is filed under the SHA-256 of its id, so whoever reads the store (a
backup, a support copy) cannot take over a session with what they find there.

    SessionStore          the protocol (open, get, touch, end, end_all): a PostgreSQL store can
                          stand beside the file one and be chosen in session_store()
    FileSessionStore      one small file per session in $DTI_STORE/accounts/sessions/
    PgSessionStore        one row per session in the shared database's `sessions` table
    session_store(store_root) -> SessionStore   the database's when DTI_DATABASE_URL is set

A session is over when unused for `session_idle_minutes`, `session_max_hours` after it opened
(both settings, read at every look-up), at sign-out (end), and when its account's password,
role, scope or e-mail changes or it is disabled (end_all; queries.accounts.signin also refuses
a session holding an older credential version, should end_all have been missed).

Files: `<sha256 of the id>.json` holds the username, the credential version and the opening
time; the file's modification time is when the session was last used. Touching is
`os.utime`, which fails on a file another process has just removed, so a sign-out on one
replica is never undone by a click on another. Opening and ending everything of an account
take the accounts' lock (queries.accounts.storage); the folder is readable by the app's user
only, like the accounts. Bounded: an account keeps its MAX_PER_ACCOUNT most recently used
sessions and the store its MAX_SESSIONS most recent ones; expired files are removed whenever a
session opens.

Rows (PostgreSQL): the same fields, keyed by the id's SHA-256, `last_used` a column. Touching
is an UPDATE of an existing row, so an ended (deleted) session stays ended; opening prunes and
inserts in one transaction under an advisory lock, with the same bounds and the same order
(least recently used first) as the files.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from queries import clock
from queries.accounts.permissions import Account
from queries.accounts.pg_sessions import PgSessionStore
from queries.accounts.session_rules import (
    MAX_PER_ACCOUNT,
    MAX_SESSIONS,
    SESSIONS_FOLDER,
    SUFFIX,
    TOUCH_EVERY,
    Lifetimes,
    Session,
    SessionStore,
    _moment,
    new_session_id,
    session_key,
)
from queries.accounts.storage import FOLDER, LOCK_NAME
from queries.store.files import atomic_write, locked
from queries.store.postgres import database_url


class FileSessionStore:
    """Sessions as files in `<store>/accounts/sessions/` (see the module's docstring)."""

    def __init__(self, store_root, *, max_per_account: int = MAX_PER_ACCOUNT, max_sessions: int = MAX_SESSIONS):
        self.root = Path(store_root)
        self.folder = self.root / FOLDER / SESSIONS_FOLDER
        self.lock_path = self.root / LOCK_NAME
        self.max_per_account = max_per_account
        self.max_sessions = max_sessions

    def _path(self, session_id: str) -> Path | None:
        # Only what a cookie of ours can hold: anything else names no file (nor a path outside).
        if not isinstance(session_id, str) or not 20 <= len(session_id) <= 100:
            return None
        return self.folder / (session_key(session_id) + SUFFIX)

    @staticmethod
    def _read(path: Path) -> Session | None:
        try:
            with open(path, "rb") as handle:
                used = os.fstat(handle.fileno()).st_mtime
                record = json.loads(handle.read().decode("utf-8"))
            return Session(str(record["username"]), int(record["credential_version"]),
                           _moment(float(record["opened"])), _moment(used))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged file is no session; the next opening removes it

    def get(self, session_id: str) -> Session | None:
        path = self._path(session_id)
        session = self._read(path) if path else None
        if session is None or Lifetimes.from_settings(self.root).ended(session, clock.now()):
            return None
        return session

    def touch(self, session_id: str) -> None:
        path = self._path(session_id)
        if path is None:
            return
        now = clock.now()
        try:
            if now - _moment(os.stat(path).st_mtime) < TOUCH_EVERY:
                return
            stamp = now.timestamp()
            os.utime(path, (stamp, stamp))
        except FileNotFoundError:
            pass  # ended meanwhile (a sign-out elsewhere): it stays ended

    def end(self, session_id: str) -> None:
        path = self._path(session_id)
        if path is not None:
            path.unlink(missing_ok=True)

    def open(self, account: Account) -> str:
        session_id = new_session_id()
        now = clock.now()
        body = json.dumps({"username": account.username, "credential_version": account.credential_version,
                           "opened": now.timestamp()}, sort_keys=True).encode("utf-8")
        self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the accounts' folder: owner only
        self.folder.mkdir(mode=0o700, exist_ok=True)
        with locked(self.lock_path):
            self._prune(now, account.username)
            _write_private(self.folder / (session_key(session_id) + SUFFIX), body, now.timestamp())
        return session_id

    def end_all(self, username: str) -> int:
        if not self.folder.exists():
            return 0
        ended = 0
        with locked(self.lock_path):
            for path, session in self._sessions():
                if session is not None and session.username == username:
                    path.unlink(missing_ok=True)
                    ended += 1
        return ended

    def _sessions(self) -> list[tuple[Path, Session | None]]:
        return [(path, self._read(path)) for path in self.folder.glob("*" + SUFFIX)]

    def _prune(self, now: datetime, username: str) -> None:
        """Before a new session of `username`: remove the expired and the damaged, then the
        least recently used beyond the bounds (the new one counted)."""
        lifetimes = Lifetimes.from_settings(self.root)
        live = []
        for path, session in self._sessions():
            if session is None or lifetimes.ended(session, now):
                path.unlink(missing_ok=True)
            else:
                live.append((session.last_used, path, session.username))
        live.sort()  # oldest use first
        own = [entry for entry in live if entry[2] == username]
        dropped = {path for _, path, _ in own[:max(0, len(own) - self.max_per_account + 1)]}
        rest = [entry for entry in live if entry[1] not in dropped]
        dropped |= {path for _, path, _ in rest[:max(0, len(rest) - self.max_sessions + 1)]}
        for path in dropped:
            path.unlink(missing_ok=True)
        for path in self.folder.glob("*" + SUFFIX + ".*"):  # temporary files a crash left
            path.unlink(missing_ok=True)


def _write_private(path: Path, data: bytes, used: float) -> None:
    """Write a file readable by its owner only, atomically, with `used` as its modification
    time (the session's last use)."""
    atomic_write(path, data, private=True, mtime=used)


def session_store(store_root) -> SessionStore:
    """The sessions every replica sharing this store (or this database) sees."""
    url = database_url()
    return PgSessionStore(store_root, url) if url else FileSessionStore(store_root)


__all__ = ["FileSessionStore", "Lifetimes", "MAX_PER_ACCOUNT", "MAX_SESSIONS", "PgSessionStore", "Session",
           "SessionStore", "new_session_id", "session_key", "session_store"]
