"""Password hashing with argon2id (argon2-cffi), at the library's recommended parameters
(RFC 9106 low-memory profile: 64 MiB, 3 passes, 4 lanes; about a quarter of a second here).

`DTI_TEST_FAST_HASH=1` lowers the cost to almost nothing so the test suite can create and
log in many accounts. It is for tests only: a hash made that way is upgraded to the
recommended parameters at the next successful login without it (check_needs_rehash).
"""
from __future__ import annotations

import logging
import os
import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from queries.i18n import _

log = logging.getLogger(__name__)

MIN_LENGTH = 8
MAX_LENGTH = 1024  # argon2 takes any length; this only keeps a pasted book from costing time
TEST_ENV = "DTI_TEST_FAST_HASH"


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    if fast:
        log.warning("%s is set: passwords are hashed at a test-only cost", TEST_ENV)
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2-cffi's default is RFC 9106's low-memory recommendation


def hasher() -> PasswordHasher:
    return _hasher(os.environ.get(TEST_ENV) == "1")


def normal(password: str) -> str:
    """The same password typed with a composing or a decomposing Vietnamese keyboard (Unikey,
    Telex, macOS) gives the same characters: NFKC, as NIST SP 800-63B advises."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str | None, username: str = "") -> str | None:
    """Why a new password is not acceptable (in the interface's language), or None."""
    password = normal(password or "")
    if not password:
        return _("Mật khẩu không được để trống.")
    if len(password) < MIN_LENGTH:
        return _("Mật khẩu phải có ít nhất {count} ký tự.").format(count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Mật khẩu quá dài (tối đa {count} ký tự).").format(count=MAX_LENGTH)
    if password.strip() != password:
        # Usually a space pasted along: the person would never type it again at login.
        return _("Mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng.")
    if username and password.casefold() == username.casefold():
        return _("Mật khẩu không được trùng tên đăng nhập.")
    return None


def hash_password(password: str) -> str:
    return hasher().hash(normal(password))


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches. With no hash (an account that signs in only by SSO),
    a hash of a random password is checked instead, so the answer takes the same time."""
    if not password_hash or not password or len(password) > MAX_LENGTH:
        dummy_verify()
        return False
    try:
        return hasher().verify(password_hash, normal(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


# A hash, at the recommended parameters, of a random password nobody kept: checking a
# password against it costs what a real check costs, without hashing anything at start-up.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$McjFDOt2prz0VWuuWWKA6Q$eeVmChu3NQ515gGuQahpxsYfnqkIWb7HxVKPG66CPS8"


@lru_cache(maxsize=2)
def _dummy_hash(fast: bool) -> str:
    if not fast and not _hasher(fast).check_needs_rehash(_DUMMY_HASH):
        return _DUMMY_HASH
    return _hasher(fast).hash(secrets.token_urlsafe(16))  # other parameters: match them


def dummy_verify() -> None:
    """Spend the time of one verification, for a user name that does not exist: an
    attacker cannot tell unknown names from wrong passwords by the time the answer takes."""
    fast = os.environ.get(TEST_ENV) == "1"
    try:
        _hasher(fast).verify(_dummy_hash(fast), secrets.token_urlsafe(16))
    except VerificationError:
        pass
