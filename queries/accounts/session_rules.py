"""What a sign-in session is, whichever store keeps it (queries.accounts.sessions for files,
queries.accounts.pg_sessions for PostgreSQL): its fields, its lifetimes, the protocol both
stores answer, and how an id is made and filed (the id's SHA-256, never the id)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from queries.accounts.permissions import Account
from queries.settings import load_settings

SESSIONS_FOLDER = "sessions"
SUFFIX = ".json"
# Twenty browsers per person is more than anyone uses; ten thousand sessions is three for every
# commune of the country at once. Past either, the least recently used go first.
MAX_PER_ACCOUNT = 20
MAX_SESSIONS = 10_000
# A session's last use is written at most this often: a click every second must not write every
# second. The idle time is then measured to within this much.
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class Session:
    username: str
    credential_version: int
    opened: datetime
    last_used: datetime


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    longest: timedelta

    @classmethod
    def from_settings(cls, store_root) -> Lifetimes:
        values = load_settings(Path(store_root))
        return cls(timedelta(minutes=float(values["session_idle_minutes"])),
                   timedelta(hours=float(values["session_max_hours"])))

    def ended(self, session: Session, now: datetime) -> bool:
        return now - session.last_used > self.idle or now - session.opened > self.longest


class SessionStore(Protocol):
    """Where sessions live. Every replica sharing a store must share its sessions."""

    def open(self, account: Account) -> str:
        """A new session of this account; returns its id (for the cookie only)."""

    def get(self, session_id: str) -> Session | None:
        """The session, or None when there is none by that id or it has expired."""

    def touch(self, session_id: str) -> None:
        """The session was used now (keeps it from expiring while idle)."""

    def end(self, session_id: str) -> None:
        """End one session (sign-out)."""

    def end_all(self, username: str) -> int:
        """End every session of an account; returns how many there were."""


def session_key(session_id: str) -> str:
    """What the server files a session under: the id's SHA-256. The id is 256 random bits, so
    a plain hash (no key, no stretching) cannot be turned back."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
