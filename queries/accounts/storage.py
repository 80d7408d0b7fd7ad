"""The accounts as files in the store, shared by every process (app replicas, command line).

    accounts/accounts.json   every account, password hash included (never leaves this package)
    accounts/logins.json     failed-login counters, locks and waits (queries.accounts.throttle)
    accounts/secret.key      random bytes that key the hashes standing for typed text that is no
                             account name (login counters, the audit log), made on first use
    .accounts.lock           taken by every writer of these files

With DTI_DATABASE_URL set they live in the shared database instead
(queries.accounts.pg_storage.AccountRows, the same interface): `account_storage(store_root)`
returns the one to use, and is what every caller asks.

Both files are small and rewritten whole, atomically (queries.store.files.atomic_write), under
the lock: a reader sees the old version or the new one. Readers keep the parsed file and read
it again only when its identity (inode, size, mtime) changed, one `os.stat` per look-up, so an
account disabled in one process is refused by the others at their next look-up. The folder
is created readable by its owner only: it holds password hashes.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Protocol

from queries.accounts.pg_storage import AccountRows
from queries.errors import UserFacingError
from queries.i18n import _
from queries.store.files import atomic_write, locked
from queries.store.postgres import database_url

FOLDER = "accounts"
ACCOUNTS_FILE = "accounts.json"
LOGINS_FILE = "logins.json"
KEY_FILE = "secret.key"
LOCK_NAME = ".accounts.lock"
# A user name, the key of an account in accounts.json: lower-case ASCII, 2–64 characters.
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

_cache: dict[Path, tuple[tuple, dict]] = {}
_keys: dict[Path, bytes] = {}
_cache_lock = threading.Lock()


class AccountFileError(UserFacingError):
    """The accounts file cannot be read; the message is Vietnamese."""


def _signature(path: Path) -> tuple | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _read(path: Path) -> dict:
    signature = _signature(path)
    if signature is None:
        return {}
    with _cache_lock:
        cached = _cache.get(path)
        if cached and cached[0] == signature:
            return cached[1]
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except PermissionError as error:
        raise AccountFileError(
            _("Không đọc được tệp tài khoản {path} (không có quyền): hãy chạy lệnh bằng cùng người dùng với ứng "
              "dụng.").format(path=path)) from error
    except ValueError as error:
        raise AccountFileError(_("Tệp tài khoản {path} bị hỏng, không đọc được.").format(path=path)) from error
    with _cache_lock:
        _cache[path] = (signature, data)
    return data


class AccountFiles:
    def __init__(self, store_root: str | os.PathLike):
        self.root = Path(store_root)
        self.folder = self.root / FOLDER
        self.accounts_path = self.folder / ACCOUNTS_FILE
        self.logins_path = self.folder / LOGINS_FILE
        self.lock_path = self.root / LOCK_NAME

    # ---- reading (no lock: files are replaced whole) --------------------------------------
    def records(self) -> dict[str, dict]:
        """username -> stored record. Shared with the cache: do not modify."""
        return _read(self.accounts_path).get("accounts", {})

    def record(self, username: str) -> dict | None:
        return self.records().get(username)

    def logins(self) -> dict:
        """The throttle's state (queries.accounts.throttle). Shared with the cache: do not modify."""
        return _read(self.logins_path)

    def keyed_hash(self, text: str) -> str:
        """A hash of `text` under the store's secret key: it tells equal texts apart from
        different ones without letting anyone who reads it try guesses offline."""
        return hmac.new(self._key(), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def _key(self) -> bytes:
        path = self.folder / KEY_FILE
        with _cache_lock:
            cached = _keys.get(path)
        if cached:
            return cached
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            self._ensure_folder()
            with locked(self.lock_path):
                if not path.exists():
                    atomic_write(path, secrets.token_bytes(32))
                key = path.read_bytes()
        if len(key) < 16:
            raise AccountFileError(_("Tệp khóa {path} bị hỏng (quá ngắn).").format(path=path))
        with _cache_lock:
            _keys[path] = key
        return key

    # ---- writing -----------------------------------------------------------------------------
    def _ensure_folder(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    @contextlib.contextmanager
    def changing_accounts(self):
        """Yields a private copy of every record (username -> record), read under the lock;
        what the block leaves in it is written back when it differs."""
        self._ensure_folder()
        with locked(self.lock_path):
            records = copy.deepcopy(_read(self.accounts_path).get("accounts", {}))
            before = copy.deepcopy(records)
            yield records
            if records != before:
                self._write(self.accounts_path, {"accounts": records})

    @contextlib.contextmanager
    def changing_logins(self):
        self._ensure_folder()
        with locked(self.lock_path):
            state = copy.deepcopy(_read(self.logins_path))
            before = copy.deepcopy(state)
            yield state
            if state != before:
                self._write(self.logins_path, state)

    @staticmethod
    def _write(path: Path, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        atomic_write(path, body.encode("utf-8"))


class AccountStorage(Protocol):
    """Where the accounts, the throttle's state and the hash key live (files or database)."""

    root: Path

    def records(self) -> dict[str, dict]: ...

    def record(self, username: str) -> dict | None: ...

    def logins(self) -> dict: ...

    def keyed_hash(self, text: str) -> str: ...

    def changing_accounts(self) -> contextlib.AbstractContextManager[dict[str, dict]]: ...

    def changing_logins(self) -> contextlib.AbstractContextManager[dict]: ...


def account_storage(store_root: str | os.PathLike) -> AccountStorage:
    """The shared database's accounts when DTI_DATABASE_URL is set, else the store's files."""
    url = database_url()
    return AccountRows(store_root, url) if url else AccountFiles(store_root)
