"""The session cookie: its name, the addresses of the routes that set and clear it, its
signing secret, and the other small signed things those routes hand the browser.

The cookie holds only a session id (queries.accounts.sessions), signed with `itsdangerous` and
dated: a cookie someone edited, one signed with another secret, or one older than the setting
`session_max_hours` is no cookie. The secret is `DTI_SESSION_SECRET` when set (at least 32
characters), else random bytes made once into `$DTI_STORE/accounts/.session_secret` (mode 0600),
or on PostgreSQL (DTI_DATABASE_URL) into the shared value 'session_secret', so that every
replica sharing the store or the database signs and checks alike. It is never logged or shown.

Signatures are dated by queries.clock, so a server started on another day (DTI_NOW) agrees with
itself; a date a little in the future (replicas' clocks a few minutes apart) is accepted.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from queries import clock
from queries.accounts.pg_storage import SESSION_SECRET, made_once
from queries.accounts.storage import FOLDER, LOCK_NAME
from queries.errors import UserFacingError
from queries.i18n import _
from queries.store.files import atomic_write, locked
from queries.store.postgres import database_url

COOKIE_NAME = "dti_session"
# The routes serve.py adds to Streamlit's server (web/signin.py), and the page that offers them.
SIGN_IN_PATH = "/tai-khoan/dang-nhap"
SIGN_OUT_PATH = "/tai-khoan/dang-xuat"
SIGN_IN_PAGE = "/dang_nhap"
# Set by serve.py: the pages then offer the forms that post to those routes; without it (AppTest,
# `streamlit run dashboard.py`) they sign in within the Streamlit session only.
ROUTES_ENV = "DTI_SIGNIN_ROUTES"
SECRET_ENV = "DTI_SESSION_SECRET"
SECRET_FILE = ".session_secret"
MIN_SECRET_LENGTH = 32
CLOCK_SKEW = timedelta(minutes=5)
MESSAGE_MAX_AGE = timedelta(minutes=5)

_SESSION_SALT = "dti-session"
_SIGN_OUT_SALT = "dti-sign-out"
_MESSAGE_SALT = "dti-sign-in-message"

_secrets: dict[Path, bytes] = {}
_secrets_lock = threading.Lock()


class SessionSecretError(UserFacingError):
    """The signing secret is unusable; the message says what to do."""


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def secret(store_root) -> bytes:
    """The signing secret (see the module's docstring)."""
    configured = os.environ.get(SECRET_ENV)
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise SessionSecretError(
                _("{variable} quá ngắn: cần ít nhất {count} ký tự ngẫu nhiên (ví dụ: {command}).").format(
                    variable=SECRET_ENV, count=MIN_SECRET_LENGTH,
                    command='python -c "import secrets; print(secrets.token_hex(32))"'))
        return configured.encode("utf-8")
    url = database_url()
    if url:
        shared = made_once(url, SESSION_SECRET, lambda: secrets.token_hex(32))
        if len(shared) < MIN_SECRET_LENGTH:
            raise SessionSecretError(_("Khóa phiên đăng nhập (session_secret) trong cơ sở dữ liệu bị hỏng (quá ngắn)."))
        return shared.encode("utf-8")
    path = Path(store_root) / FOLDER / SECRET_FILE
    with _secrets_lock:
        known = _secrets.get(path)
    if known:
        return known
    try:
        value = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with locked(Path(store_root) / LOCK_NAME):
            if not path.exists():  # another replica may have made it meanwhile
                _write_secret(path, secrets.token_hex(32).encode("ascii"))
            value = path.read_bytes()
    if len(value) < MIN_SECRET_LENGTH:
        raise SessionSecretError(_("Tệp khóa phiên đăng nhập {path} bị hỏng (quá ngắn): hãy xóa tệp này rồi khởi động "
                                   "lại các bản chạy (mọi người phải đăng nhập lại).").format(path=path))
    with _secrets_lock:
        _secrets[path] = value
    return value


def _write_secret(path: Path, data: bytes) -> None:
    atomic_write(path, data, private=True)


def _serializer(store_root, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(store_root), salt=salt, signer=_ClockSigner,
                                  signer_kwargs={"digest_method": hashlib.sha256})


def _loads(store_root, salt: str, value, max_age: timedelta):
    """The signed value, or None when it is not ours, altered, or older than `max_age`."""
    if not isinstance(value, str) or not value or len(value) > 4096:
        return None
    try:
        payload, signed_at = _serializer(store_root, salt).loads(value, return_timestamp=True)
    except BadData:
        return None
    age = clock.now() - signed_at
    if age > max_age or age < -CLOCK_SKEW:
        return None
    return payload


def sign_session(store_root, session_id: str) -> str:
    """The cookie's value: the session id, dated and signed; nothing else."""
    return _serializer(store_root, _SESSION_SALT).dumps(session_id)


def session_id(store_root, value: str | None, max_age: timedelta) -> str | None:
    """The session id a cookie carries, or None (not ours, altered, expired)."""
    payload = _loads(store_root, _SESSION_SALT, value, max_age)
    return payload if isinstance(payload, str) else None


def _session_mark(session_id_: str) -> str:
    return hashlib.sha256(("sign-out:" + session_id_).encode("utf-8")).hexdigest()[:32]


def sign_out_token(store_root, session_id_: str) -> str:
    """The token the sign-out form carries: tied to this session, so another site cannot make a
    browser sign out (it cannot read the page to learn it)."""
    return _serializer(store_root, _SIGN_OUT_SALT).dumps(_session_mark(session_id_))


def sign_out_token_ok(store_root, token: str | None, session_id_: str, max_age: timedelta) -> bool:
    return _loads(store_root, _SIGN_OUT_SALT, token, max_age) == _session_mark(session_id_)


def sign_message(store_root, message: str) -> str:
    """A refusal the sign-in route hands to the sign-in page through its address: signed, so
    that no link can make the page show words of someone else's."""
    return _serializer(store_root, _MESSAGE_SALT).dumps(message)


def message(store_root, token: str | None) -> str | None:
    payload = _loads(store_root, _MESSAGE_SALT, token, MESSAGE_MAX_AGE)
    return payload if isinstance(payload, str) else None


def return_path(text: str | None) -> str:
    """Where a route may send the browser back to: a path of this site ('/xep_hang?tinh=…'),
    else '/'. Never another site: not '//host', '/\\host', a scheme, nor control characters
    (browsers drop tabs and newlines, which would turn '/\\t/host' into '//host')."""
    if not isinstance(text, str) or not text.startswith("/") or len(text) > 1000:
        return "/"
    if text.startswith("//") or "\\" in text or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return "/"
    return text


def routes_served() -> bool:
    return os.environ.get(ROUTES_ENV) == "1"


__all__ = ["COOKIE_NAME", "ROUTES_ENV", "SECRET_ENV", "SIGN_IN_PAGE", "SIGN_IN_PATH", "SIGN_OUT_PATH",
           "SessionSecretError", "message", "return_path", "routes_served", "secret", "session_id",
           "sign_message", "sign_out_token", "sign_out_token_ok", "sign_session"]
