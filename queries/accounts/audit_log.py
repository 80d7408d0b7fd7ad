"""Appending to the audit log: what the accounts service (sign-ins, accounts, passwords,
settings) records, one JSON line each in `<store>/audit/<YYYY-MM>.jsonl` (month of the UTC
time): {"time": ISO UTC, "user": who acted, "action": code, "details": {...}}.

Lines are only ever appended (O_APPEND, under `<store>/.audit.lock`, flushed to disk); a line
cut short by a crash stays alone on its line, and readers skip it. No line holds a password or
a password hash: a failed sign-in records the name typed only when it is an account's or could
be one (typed_username). Reading the log, and who may read it, is queries.accounts.audit.

On PostgreSQL (DTI_DATABASE_URL) each line is a row of the `audit` table instead (`line` holds
the same object), so every machine writes to, and reads, one log.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from queries import clock
from queries.accounts.pg_storage import append_audit_line
from queries.accounts.storage import USERNAME_PATTERN, account_storage
from queries.i18n import N_, _
from queries.store.files import locked
from queries.store.postgres import database_url
from queries.text import clean_line

AUDIT_FOLDER = "audit"
LOCK_NAME = ".audit.lock"

# Marked for the catalogue: action_label(code) shows one in the interface's language.
ACTION_LABELS = {
    "login": N_("Đăng nhập"),
    "login_failed": N_("Đăng nhập sai"),
    "logout": N_("Đăng xuất"),
    "upload": N_("Tải lên"),
    "undo": N_("Hoàn tác"),
    "redo": N_("Khôi phục"),
    "review": N_("Thẩm định"),
    "account_created": N_("Tạo tài khoản"),
    "account_changed": N_("Sửa tài khoản"),
    "account_disabled": N_("Vô hiệu hóa tài khoản"),
    "account_enabled": N_("Kích hoạt lại tài khoản"),
    "password_set": N_("Đặt lại mật khẩu"),
    "password_changed": N_("Đổi mật khẩu"),
    "language_changed": N_("Đổi ngôn ngữ giao diện"),
    "settings_changed": N_("Thay đổi cài đặt"),
    "framework_loaded": N_("Nạp bộ khung chỉ số"),
    "boundaries_loaded": N_("Tải lên ranh giới xã"),
}
# Already committed in the store's journal, one line each: never appended here.
JOURNAL_ACTIONS = ("upload", "undo", "redo", "review")  # "compact" is the store's housekeeping
# The longest typed text whose length the log states exactly (an e-mail the identity provider
# gave is also cut there).
MAX_TYPED_USERNAME = 100


def action_label(action: str | None) -> str:
    """'Đăng nhập' (or 'Sign-in'): what an action code is called, in the interface's language."""
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else (action or "")


def iso_utc(moment: datetime) -> str:
    """How the log (and the accounts file) write a moment: ISO 8601 in UTC, to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_utc(text: str | None) -> datetime | None:
    """A moment as iso_utc wrote it (one without a zone is taken as UTC); None for anything else."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record(store_root: str | os.PathLike, user: str, action: str, details: Mapping | None = None) -> dict:
    """Append one line to the audit log and return it."""
    if action not in ACTION_LABELS or action in JOURNAL_ACTIONS:
        raise ValueError(f"not an audit action: {action!r}")
    moment = clock.now()
    line = {"time": iso_utc(moment), "user": user, "action": action, "details": dict(details or {})}
    url = database_url()
    if url:
        append_audit_line(url, moment, line)
        return line
    data = (json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")
    folder = Path(store_root) / AUDIT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{moment.astimezone(UTC):%Y-%m}.jsonl"
    with locked(Path(store_root) / LOCK_NAME):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a line cut short by a crash stays alone on its line
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    return line


def typed_username(text: str | None, store_root: str | os.PathLike) -> str:
    """What the log keeps of a name typed at the sign-in form that is no account's: the name
    itself when it could be one (lower-case, as USERNAME_PATTERN allows: someone mistyping
    theirs, or guessing), else only its length and a keyed hash (people type their password
    into the name box; the hash tells repeated attempts apart without keeping any of it).
    Kept in Vietnamese whatever the language (queries.accounts.audit.shown_user translates it)."""
    typed = clean_line(text)
    if typed == typed.lower() and USERNAME_PATTERN.match(typed):
        return typed
    # Stored in the log as it is (data, in Vietnamese whatever the page's language).
    length = f"{len(typed)}" if len(typed) <= MAX_TYPED_USERNAME else f"hơn {MAX_TYPED_USERNAME}"
    return f"(không hợp lệ: {length} ký tự, mã {account_storage(store_root).keyed_hash(typed)[:8]})"
