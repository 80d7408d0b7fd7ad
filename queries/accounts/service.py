"""Signing in and out, managing accounts and changing settings.

Every function that changes something takes the acting account first, reads that account
again from the store (a page's copy may be stale: the account may have been disabled or its
role changed since) and checks the permission itself, raising `PermissionDenied`. Bad input
raises `InvalidInput`. Both carry a `message` fit to show as it is (Vietnamese, or English
when that is the language of the moment: queries.i18n), and neither ever contains a password
or a hash. Everything done is recorded in the audit log.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from queries import clock, i18n
from queries.accounts import audit_log, passwords, throttle
from queries.accounts.permissions import (
    ACCOUNT_DISABLED,
    CAN_BO_XA,
    LOCAL_ADMIN,
    ROLE_LABELS,
    ROLES,
    Account,
    may_change_settings,
    may_manage,
    may_manage_accounts,
)
from queries.accounts.pg_storage import SETTINGS as SETTINGS_VALUE
from queries.accounts.pg_storage import changing_value, read_value
from queries.accounts.places import PlaceError, Places
from queries.accounts.sessions import session_store
from queries.accounts.storage import USERNAME_PATTERN, AccountStorage, account_storage
from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.settings import SETTINGS, InvalidSetting, checked_values, load_settings
from queries.store.files import atomic_write, locked
from queries.store.postgres import database_url
from queries.text import clean_line, nfc

# Sentences marked for the catalogue, given out translated (_()) in the language of the moment.
WRONG_CREDENTIALS = N_("Tên đăng nhập hoặc mật khẩu không đúng.")
NO_ACCOUNT_FOR_EMAIL = N_("Không có tài khoản nào gắn với địa chỉ email này. Hãy liên hệ Quản trị tỉnh.")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 200
# One settings file serves the whole installation: a province's admin changing it would change
# every province's scores, sign-in and upload limits.
SETTINGS_COUNTRY_WIDE = N_("Cài đặt áp dụng cho cả nước, nên chỉ Quản trị toàn quốc (tài khoản Quản trị không "
                           "gắn tỉnh) được thay đổi. Hãy liên hệ Quản trị toàn quốc.")
SETTINGS_LOCK = ".settings.lock"
SETTINGS_FILE = "settings.json"


class AccountsError(UserFacingError):
    """A refusal of the accounts service."""


class PermissionDenied(AccountsError):
    """The acting account may not do this."""


class InvalidInput(AccountsError):
    """What was asked is not valid (unknown role, commune, name taken, short password…)."""


@dataclass(frozen=True)
class LoginResult:
    account: Account | None  # None when refused
    message: str  # in the language of the sign-in (Vietnamese by default); empty on success
    locked_until: datetime | None = None  # Vietnam time, when refused because locked

    @property
    def ok(self) -> bool:
        return self.account is not None


# ---- reading accounts ------------------------------------------------------------------------


def _account(record: Mapping) -> Account:
    return Account(
        username=record["username"], name=record.get("name") or "", role=record["role"],
        provinces=tuple(record.get("provinces") or ()), communes=tuple(record.get("communes") or ()),
        email=record.get("email"), active=bool(record.get("active", True)),
        commune_names=tuple(record.get("commune_names") or ()),
        credential_version=int(record.get("credential_version") or 0),
        language=record.get("language") if record.get("language") in i18n.LANGUAGES else None,
    )


def _new_credentials(record: dict) -> None:
    """The account's password, role, scope, e-mail or state changed: sessions holding the
    former version end at their next page run (current_account). The caller then calls
    _end_sessions, once the accounts file is written and its lock released."""
    record["credential_version"] = int(record.get("credential_version") or 0) + 1


def _end_sessions(store_root, username: str) -> None:
    """End the account's signed-in sessions (queries.accounts.sessions) on every replica."""
    session_store(store_root).end_all(username)


def normalize_username(text: str | None) -> str:
    """User names are compared lower-case, without surrounding spaces."""
    return clean_line(text).lower()


def get_account(store_root, username: str) -> Account | None:
    """The account as stored now (active or not), or None."""
    record = account_storage(store_root).record(normalize_username(username))
    return _account(record) if record else None


def current_account(store_root, account: Account | None) -> Account | None:
    """What a signed-in session should hold now: the account as stored, or None when it was
    disabled or removed since, or its credentials changed since the session signed in (its
    credential_version differs: a new password, role, scope or e-mail); the session then
    ends. Cheap: one os.stat when nothing changed (one indexed query on PostgreSQL)."""
    if account is None:
        return None
    if account is LOCAL_ADMIN:
        return account
    fresh = get_account(store_root, account.username)
    if fresh is None or not fresh.active or fresh.credential_version != account.credential_version:
        return None
    return fresh


def email_key(email: str | None) -> str:
    """An e-mail as accounts store and compare it: NFC, no surrounding spaces, ASCII letters
    lower-case. Only ASCII is lowered: mail systems treat A–Z and a–z alike, while Unicode
    case folding would make distinct addresses equal ('ſ' folds to 's', 'ß' to 'ss'), letting
    an identity provider's user claim someone else's account."""
    return nfc(email or "").strip().translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _record_by_email(records: Mapping[str, Mapping], email: str | None) -> dict | None:
    wanted = email_key(email)
    if not wanted:
        return None
    for record in records.values():
        if email_key(record.get("email")) == wanted:
            return record
    return None


def account_by_email(store_root, email: str | None) -> Account | None:
    """The account whose e-mail is exactly this one (email_key), active or not."""
    record = _record_by_email(account_storage(store_root).records(), email)
    return _account(record) if record else None


UNKNOWN_PERSON = N_("(không rõ)")


def display_names(store_root, usernames: Iterable[str | None]) -> dict[str, str]:
    """{user name: what any visitor may read of who did something}: the person's name, or
    their role when the account has no name; never the user name, which is half of what
    signing in asks for. A name with no account (the server's command line under another
    system user) reads as UNKNOWN_PERSON, the command line of this server as its own label."""
    records = account_storage(store_root).records()
    names = {}
    for username in {u for u in usernames if u}:
        record = records.get(username)
        if record is not None:
            role = record.get("role")
            names[username] = record.get("name") or _(ROLE_LABELS.get(role, UNKNOWN_PERSON))
        elif username == LOCAL_ADMIN.username:
            names[username] = _(LOCAL_ADMIN.name)
        else:
            names[username] = _(UNKNOWN_PERSON)
    return names


def fresh_actor(store_root, actor: Account | None) -> Account:
    """The acting account as stored now; never trust the copy a caller holds."""
    if actor is LOCAL_ADMIN:
        return actor
    fresh = current_account(store_root, actor)
    if fresh is None:
        raise PermissionDenied(_("Tài khoản của bạn không còn hiệu lực. Hãy đăng nhập lại.") if actor
                               else _("Hãy đăng nhập để làm việc này."))
    return fresh


def _actor_details(actor: Account) -> dict:
    return {"via": "command_line"} if actor is LOCAL_ADMIN else {}


def manageable_usernames(store_root, actor: Account | None) -> set[str]:
    return {name for name, record in account_storage(store_root).records().items()
            if may_manage(actor, record.get("provinces") or ())}


def list_accounts(actor: Account, store_root) -> list[Account]:
    """The accounts the actor manages, by user name."""
    actor = fresh_actor(store_root, actor)
    if not may_manage_accounts(actor):
        raise PermissionDenied(_("Chỉ Quản trị tỉnh được quản lý tài khoản."))
    records = account_storage(store_root).records()
    return [_account(records[name]) for name in sorted(records)
            if may_manage(actor, records[name].get("provinces") or ())]


# ---- signing in and out ------------------------------------------------------------------------


def _lock_message(until: datetime, failures: int) -> str:
    local = until.astimezone(clock.VIETNAM)
    return _("Tài khoản tạm khóa do đăng nhập sai {failures} lần liên tiếp. Hãy thử lại sau {time} ngày {day} "
             "(giờ Việt Nam).").format(failures=failures, time=f"{local:%H:%M}", day=f"{local:%d/%m/%Y}")


def _wait_message(until: datetime, now: datetime) -> str:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    wait = (_("{count} giây").format(count=seconds) if seconds < 120
            else _("{count} phút").format(count=math.ceil(seconds / 60)))
    return _("Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn. Hãy chờ {wait} rồi thử lại.").format(wait=wait)


def _refused(refusal: throttle.Refusal, now: datetime) -> LoginResult:
    message = (_wait_message(refusal.until, now) if refusal.kind == "address"
               else _lock_message(refusal.until, refusal.failures))
    return LoginResult(None, message, refusal.until.astimezone(clock.VIETNAM))


def _name_key(files: AccountStorage, name: str, known: bool) -> str:
    """The throttle's key of a typed name: the user name of an account; for anything else a
    keyed hash, so that no typed text (perhaps a password typed in the wrong box) is kept."""
    return name if known else "?" + files.keyed_hash(name)[:32]


def authenticate(store_root, username: str, password: str, address: str | None = None) -> LoginResult:
    """Check a user name and password, for an attempt from `address` (a key from
    queries.accounts.throttle.client_address; None when the server cannot tell).

    A name that is no account is treated exactly as one that is: the same messages, the same
    locks (queries.accounts.throttle), the same work (a dummy hash is checked). A locked name
    or a waiting address is refused before any password is hashed. Recorded in the audit
    log, without the password."""
    files = account_storage(store_root)
    name = normalize_username(username)
    record = files.record(name) if USERNAME_PATTERN.match(name) else None
    key = _name_key(files, name, record is not None)
    logged = name if record is not None else audit_log.typed_username(username, store_root)
    settings = load_settings(Path(store_root))
    where = {"address": address} if address else {}
    now = clock.now()
    started = None  # the lock or wait this attempt's failure starts

    refusal = throttle.refusal(files.logins(), key, address, now, settings)
    if refusal is None:
        correct = passwords.verify(record.get("password_hash") if record else None, password)  # slow: unlocked
        with files.changing_logins() as state:
            now = clock.now()
            refusal = throttle.refusal(state, key, address, now, settings)  # another process, meanwhile
            if refusal is None:
                if correct:
                    throttle.record_success(state, key)
                else:
                    started = throttle.record_failure(state, key, address, now, settings)
            elif refusal.kind == "name":
                throttle.record_address_failure(state, address, now, settings)
            throttle.prune(state, now)
    elif refusal.kind == "name":
        # Knocking on a locked name is a failure of the address too; a waiting address is not
        # even counted (nor logged: its attempts cost nothing, and must not fill the disk).
        with files.changing_logins() as state:
            throttle.record_address_failure(state, address, now, settings)
            throttle.prune(state, now)
    if refusal is not None:
        if refusal.kind == "name":
            audit_log.record(store_root, logged, "login_failed", {"username": logged, "reason": "locked", **where})
        return _refused(refusal, now)
    if not correct:
        reason = "wrong_password" if record is not None else "unknown_user"
        details = {"username": logged, "reason": reason, **where}
        if started is not None:
            details["reason" if started.kind == "name" else "address_wait_until"] = (
                "locked_now" if started.kind == "name" else audit_log.iso_utc(started.until))
        audit_log.record(store_root, logged, "login_failed", details)
        return _refused(started, now) if started is not None and started.kind == "name" else \
            LoginResult(None, _(WRONG_CREDENTIALS))
    if not record.get("active", True):
        audit_log.record(store_root, name, "login_failed", {"username": name, "reason": "disabled", **where})
        return LoginResult(None, _(ACCOUNT_DISABLED))
    if passwords.needs_rehash(record["password_hash"]):
        _store_hash(files, name, passwords.hash_password(password), previous=record["password_hash"], new_password=False)
    audit_log.record(store_root, name, "login", {"method": "password", **where})
    return LoginResult(_account(record), "")


def _store_hash(files: AccountStorage, username: str, password_hash: str, previous: str | None = None,
                new_password: bool = True) -> dict | None:
    """Store a hash; `new_password` (not a mere upgrade of the same password's hash) ends the
    account's open sessions. Returns the record as stored, or None when nothing was stored."""
    with files.changing_accounts() as records:
        record = records.get(username)
        # `previous`: store only over the hash we checked, never one set meanwhile by an admin.
        if record is None or (previous is not None and record.get("password_hash") != previous):
            return None
        record["password_hash"] = password_hash
        record["updated_at"] = audit_log.iso_utc(clock.now())
        if new_password:
            _new_credentials(record)
        stored = dict(record)
    if new_password:
        _end_sessions(files.root, username)
    return stored


SSO_NOT_VERIFIED = N_("Nhà cung cấp đăng nhập một lần chưa xác nhận địa chỉ email này, nên không dùng nó để "
                      "đăng nhập được. Hãy liên hệ Quản trị tỉnh.")
SSO_INCOMPLETE = N_("Thông tin đăng nhập một lần không đầy đủ (thiếu email hoặc mã định danh). Hãy liên hệ Quản "
                    "trị tỉnh.")
SSO_OTHER_IDENTITY = N_("Tài khoản gắn với email này đã liên kết với một danh tính đăng nhập một lần khác. "
                        "Hãy liên hệ Quản trị tỉnh.")


def _claim_text(claims: Mapping, name: str) -> str:
    value = claims.get(name)
    return nfc(value).strip() if isinstance(value, str) else ""


def sso_login(store_root, claims: Mapping) -> LoginResult:
    """Sign in a person an OIDC provider vouched for, from the claims of its ID token (what
    Streamlit's st.user holds: iss, sub, email, email_verified…).

    The e-mail counts only when the provider says it verified it (`email_verified` true), and
    must equal an account's e-mail exactly (email_key). The first sign-in binds the account to
    the provider's issuer and subject (`iss`, `sub`); from then on only that identity enters
    it, whatever e-mail another identity shows. An identity already bound to one account
    does not bind another."""
    email = _claim_text(claims, "email")
    issuer, subject = _claim_text(claims, "iss"), _claim_text(claims, "sub")
    logged_email = email[:audit_log.MAX_TYPED_USERNAME]
    if not (email and issuer and subject):
        audit_log.record(store_root, "", "login_failed", {"email": logged_email, "reason": "sso_incomplete"})
        return LoginResult(None, _(SSO_INCOMPLETE))
    verified = claims.get("email_verified")
    # Some providers send the claim as the string "true" (it is a JSON boolean in the spec).
    if not (verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")):
        audit_log.record(store_root, "", "login_failed", {"email": logged_email, "reason": "email_not_verified"})
        return LoginResult(None, _(SSO_NOT_VERIFIED))
    files = account_storage(store_root)
    record = _record_by_email(files.records(), email)
    if record is None:
        audit_log.record(store_root, "", "login_failed", {"email": logged_email, "reason": "no_account_for_email"})
        return LoginResult(None, _(NO_ACCOUNT_FOR_EMAIL))
    username = record["username"]
    if not record.get("active", True):
        audit_log.record(store_root, username, "login_failed",
                     {"username": username, "email": record.get("email"), "reason": "disabled"})
        return LoginResult(None, _(ACCOUNT_DISABLED))
    bound_now = False
    if (record.get("sso_issuer"), record.get("sso_subject")) != (issuer, subject):
        with files.changing_accounts() as records:
            current = records.get(username)
            bound_elsewhere = any(other != username and (r.get("sso_issuer"), r.get("sso_subject")) == (issuer, subject)
                                  for other, r in records.items())
            if current is not None and (current.get("sso_issuer"), current.get("sso_subject")) == (issuer, subject):
                outcome, record = "bound", dict(current)  # bound by another replica meanwhile
            elif current is None or current.get("sso_subject") or bound_elsewhere:
                outcome = "sso_identity_mismatch"
            else:
                current["sso_issuer"], current["sso_subject"] = issuer, subject
                current["updated_at"] = audit_log.iso_utc(clock.now())
                outcome, bound_now = "bound", True
                record = dict(current)
        if outcome != "bound":
            audit_log.record(store_root, username, "login_failed",
                         {"username": username, "email": record.get("email"), "reason": outcome})
            return LoginResult(None, _(SSO_OTHER_IDENTITY))
    details = {"method": "sso", "email": record.get("email")}
    if bound_now:  # the first sign-in: which identity now owns the account
        details.update(sso_issuer=issuer, sso_subject=subject)
    audit_log.record(store_root, username, "login", details)
    return LoginResult(_account(record), "")


def logout(store_root, account: Account | None) -> None:
    if account is not None:
        audit_log.record(store_root, account.username, "logout")


# ---- managing accounts ---------------------------------------------------------------------------


def _scope(role: str, provinces: Iterable[str], communes: Iterable[str], places: Places | None, store_root
           ) -> tuple[list[str], list[str], list[str]]:
    """(provinces, commune ids, commune names) of an account, from what was typed or chosen."""
    provinces = [provinces] if isinstance(provinces, str) else provinces  # one name, not its letters
    communes = [communes] if isinstance(communes, str) else communes
    provinces, communes = [p for p in provinces if p and str(p).strip()], [c for c in communes if c and str(c).strip()]
    if role not in ROLES:
        raise InvalidInput(_("Vai trò “{role}” không hợp lệ: chọn quan_tri (Quản trị tỉnh), can_bo_xa (Cán bộ xã) "
                             "hoặc lanh_dao (Lãnh đạo).").format(role=role))
    if role != CAN_BO_XA and communes:
        raise InvalidInput(_("Chỉ tài khoản Cán bộ xã mới gắn với xã; tài khoản {role} gắn với tỉnh.").format(
            role=_(ROLE_LABELS[role])))
    if role == CAN_BO_XA and not communes:
        raise InvalidInput(_("Tài khoản Cán bộ xã phải gắn với ít nhất một xã."))
    if not provinces and not communes:
        return [], [], []
    places = places or Places.for_store(store_root)
    try:
        resolved_provinces = _unique(places.province(p) for p in provinces)
        found = [places.commune(c, resolved_provinces) for c in communes]
    except PlaceError as error:
        raise InvalidInput(str(error)) from None
    if role != CAN_BO_XA:
        return resolved_provinces, [], []
    found = list({c.commune_id: c for c in found}.values())
    return _unique(c.province for c in found), [c.commune_id for c in found], [c.name for c in found]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _clean_email(email: str | None) -> str | None:
    email = email_key(email)  # stored as compared: ASCII lower-case
    if not email:
        return None
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(_("Địa chỉ email “{email}” không hợp lệ.").format(email=email))
    return email


def _clean_name(name: str | None) -> str:
    name = clean_line(name)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(_("Họ tên quá dài (tối đa {limit} ký tự).").format(limit=MAX_NAME_LENGTH))
    return name


def _email_taken(records: Mapping[str, Mapping], email: str | None, username: str) -> None:
    if not email:
        return
    for other, record in records.items():
        if other != username and email_key(record.get("email")) == email_key(email):
            raise InvalidInput(_("Email {email} đã gắn với tài khoản “{other}”.").format(email=email, other=other))


def _deny_scope(actor: Account) -> PermissionDenied:
    return PermissionDenied(_("Quản trị tỉnh chỉ quản lý được tài khoản thuộc tỉnh của mình ({provinces}); tài "
                              "khoản toàn quốc do Quản trị toàn quốc tạo.").format(provinces=", ".join(actor.provinces)))


def _check_manager(actor: Account) -> None:
    if not may_manage_accounts(actor):
        raise PermissionDenied(_("Chỉ Quản trị tỉnh được quản lý tài khoản."))


def create_account(
    actor: Account,
    store_root,
    *,
    username: str,
    role: str,
    password: str | None = None,
    name: str = "",
    email: str | None = None,
    provinces: Iterable[str] = (),
    communes: Iterable[str] = (),
    places: Places | None = None,
) -> Account:
    """A new account. `provinces` and `communes` may be typed as the importer accepts them
    (commune id, code, or name within the given provinces); they are stored as canonical
    province names and commune ids. Without a password the account signs in by SSO only, so
    it needs an e-mail. `places` defaults to the communes of the store's Database."""
    actor = fresh_actor(store_root, actor)
    _check_manager(actor)
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(_("Tên đăng nhập “{username}” không hợp lệ: 2–64 ký tự gồm chữ thường không dấu, chữ số, "
                             "dấu chấm, gạch ngang, gạch dưới; bắt đầu bằng chữ hoặc số.").format(username=username))
    files = account_storage(store_root)
    if username in files.records():
        raise InvalidInput(_("Tài khoản “{username}” đã có.").format(username=username))
    provinces, commune_ids, commune_names = _scope(role, provinces, communes, places, store_root)
    if not may_manage(actor, provinces):
        raise _deny_scope(actor)
    email = _clean_email(email)
    name = _clean_name(name)
    if password is None:
        if not email:
            raise InvalidInput(_("Tài khoản không có mật khẩu chỉ đăng nhập được bằng SSO: hãy ghi email."))
        password_hash = None
    else:
        problem = passwords.password_problem(password, username)
        if problem:
            raise InvalidInput(problem)
        password_hash = passwords.hash_password(password)
    now = audit_log.iso_utc(clock.now())
    record = {"username": username, "name": name, "role": role, "provinces": provinces,
              "communes": commune_ids, "commune_names": commune_names, "email": email, "active": True,
              "password_hash": password_hash, "created_at": now, "updated_at": now}
    with files.changing_accounts() as records:
        if username in records:
            raise InvalidInput(_("Tài khoản “{username}” đã có.").format(username=username))
        _email_taken(records, email, username)
        records[username] = record
    with files.changing_logins() as logins:
        throttle.forget_name(logins, username)  # counters of an earlier account of that name, if any
    audit_log.record(store_root, actor.username, "account_created", {
        "target": username, "role": role, "name": name, "email": email, "provinces": provinces,
        "communes": commune_ids, "commune_names": commune_names, **_actor_details(actor)})
    return _account(record)


EDITABLE_FIELDS = ("name", "role", "provinces", "communes", "email")


def update_account(actor: Account, store_root, username: str, *, places: Places | None = None, **changes) -> Account:
    """Change some of name, role, provinces, communes, email. A can_bo_xa's provinces follow
    its communes; changing the role away from can_bo_xa drops the communes. Nobody changes
    their own role or scope."""
    actor = fresh_actor(store_root, actor)
    _check_manager(actor)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(_("Không sửa được trường: {fields}.").format(fields=", ".join(unknown)))
    username = normalize_username(username)
    files = account_storage(store_root)
    old = files.record(username)
    if old is None:
        raise InvalidInput(_("Không có tài khoản “{username}”.").format(username=username))
    if not may_manage(actor, old.get("provinces") or ()):
        raise _deny_scope(actor)
    new = dict(old)
    if "name" in changes:
        new["name"] = _clean_name(changes["name"])
    if "email" in changes:
        new["email"] = _clean_email(changes["email"])
        if email_key(new["email"]) != email_key(old.get("email")):
            # A new address may belong to another person: the next SSO sign-in binds afresh.
            new.pop("sso_issuer", None)
            new.pop("sso_subject", None)
    scope_fields = {"role", "provinces", "communes"} & set(changes)
    if scope_fields:
        if username == actor.username:
            raise PermissionDenied(_("Không tự đổi được vai trò hay phạm vi của chính mình."))
        role = changes.get("role", old["role"])
        provinces = changes.get("provinces", old.get("provinces") or ())
        if role == CAN_BO_XA:
            communes = changes.get("communes", old.get("communes") or ())
            if "provinces" not in changes and "communes" in changes:
                provinces = ()  # the old provinces came from the old communes
        else:
            communes = changes.get("communes", ())
        new["role"] = role
        new["provinces"], new["communes"], new["commune_names"] = _scope(role, provinces, communes, places, store_root)
        if not may_manage(actor, new["provinces"]):
            raise _deny_scope(actor)
    diff = {field: [old.get(field), new.get(field)] for field in EDITABLE_FIELDS
            if (old.get(field) or None) != (new.get(field) or None)}
    if not diff:
        return _account(old)
    if "communes" in diff:
        diff["commune_names"] = [old.get("commune_names"), new.get("commune_names")]
    if {"role", "provinces", "communes", "email"} & set(diff):
        _new_credentials(new)  # what the open sessions may do, or who may sign in, changed
    new["updated_at"] = audit_log.iso_utc(clock.now())
    with files.changing_accounts() as records:
        if records.get(username) != old:
            raise InvalidInput(_("Tài khoản “{username}” vừa được người khác sửa: hãy tải lại và sửa lại.").format(
                username=username))
        _email_taken(records, new.get("email"), username)
        records[username] = new
    if new.get("credential_version") != old.get("credential_version"):
        _end_sessions(store_root, username)
    audit_log.record(store_root, actor.username, "account_changed",
                 {"target": username, "changes": diff, **_actor_details(actor)})
    return _account(new)


def _set_active(actor: Account, store_root, username: str, active: bool) -> Account:
    actor = fresh_actor(store_root, actor)
    _check_manager(actor)
    username = normalize_username(username)
    if username == actor.username and not active:
        raise PermissionDenied(_("Không tự vô hiệu hóa được tài khoản của chính mình."))
    files = account_storage(store_root)
    with files.changing_accounts() as records:
        record = records.get(username)
        if record is None:
            raise InvalidInput(_("Không có tài khoản “{username}”.").format(username=username))
        if not may_manage(actor, record.get("provinces") or ()):
            raise _deny_scope(actor)
        changed = bool(record.get("active", True)) != active
        if changed:
            record["active"] = active
            record["updated_at"] = audit_log.iso_utc(clock.now())
            if not active:
                _new_credentials(record)  # even once enabled again, the old sessions stay ended
        result = _account(record)
    if changed and not active:
        _end_sessions(store_root, username)
    if changed:
        if active:
            with files.changing_logins() as logins:
                throttle.forget_name(logins, username)  # enabling again also lifts a lock
        audit_log.record(store_root, actor.username, "account_enabled" if active else "account_disabled",
                     {"target": username, **_actor_details(actor)})
    return result


def disable_account(actor: Account, store_root, username: str) -> Account:
    """The account can no longer sign in, and sessions holding it end at their next look-up
    (current_account). Nothing is deleted: its history keeps its name."""
    return _set_active(actor, store_root, username, False)


def enable_account(actor: Account, store_root, username: str) -> Account:
    return _set_active(actor, store_root, username, True)


def set_password(actor: Account, store_root, username: str, password: str) -> None:
    """An administrator sets another account's password (and lifts its lock)."""
    actor = fresh_actor(store_root, actor)
    _check_manager(actor)
    username = normalize_username(username)
    files = account_storage(store_root)
    record = files.record(username)
    if record is None:
        raise InvalidInput(_("Không có tài khoản “{username}”.").format(username=username))
    if not may_manage(actor, record.get("provinces") or ()):
        raise _deny_scope(actor)
    problem = passwords.password_problem(password, username)
    if problem:
        raise InvalidInput(problem)
    _store_hash(files, username, passwords.hash_password(password))
    with files.changing_logins() as logins:
        throttle.forget_name(logins, username)
    audit_log.record(store_root, actor.username, "password_set", {"target": username, **_actor_details(actor)})


def change_own_password(store_root, account: Account, old_password: str, new_password: str) -> Account:
    """Anyone signed in changes their own password, giving the current one. Every session of
    the account ends: the cookie sessions at once (end_all), this one too; a Streamlit-session
    sign-in survives only by keeping the returned account (the new version)."""
    account = fresh_actor(store_root, account)
    files = account_storage(store_root)
    record = files.record(account.username) or {}
    if not passwords.verify(record.get("password_hash"), old_password):
        raise InvalidInput(_("Mật khẩu hiện tại không đúng."))
    problem = passwords.password_problem(new_password, account.username)
    if problem:
        raise InvalidInput(problem)
    stored = _store_hash(files, account.username, passwords.hash_password(new_password),
                         previous=record.get("password_hash"))
    if stored is None:
        raise InvalidInput(_("Mật khẩu vừa được đặt lại ở nơi khác: hãy đăng nhập lại rồi đổi mật khẩu."))
    audit_log.record(store_root, account.username, "password_changed", {"target": account.username})
    return _account(stored)


def set_own_language(store_root, account: Account, language: str) -> Account:
    """Anyone signed in keeps the interface's language ('vi' or 'en') in their account: the next
    sign-in, in any browser, opens in it. A preference, not a credential: sessions stay open.
    The record gains a `language` key (an account written before has none: Vietnamese), in the
    accounts file or the PostgreSQL row's JSON alike, so older records and readers still work."""
    account = fresh_actor(store_root, account)
    code = i18n.normalise(language)
    files = account_storage(store_root)
    with files.changing_accounts() as records:
        record = records.get(account.username)
        if record is None:
            raise InvalidInput(_("Không có tài khoản “{username}”.").format(username=account.username))
        old = record.get("language")
        if old == code:
            return _account(record)
        record["language"] = code
        record["updated_at"] = audit_log.iso_utc(clock.now())
        result = _account(record)
    audit_log.record(store_root, account.username, "language_changed",
                     {"target": account.username, "old": old or i18n.DEFAULT, "new": code})
    return result


# ---- settings -------------------------------------------------------------------------------------

def _merged_settings(kept: dict, new_values: Mapping[str, object]) -> list[tuple[str, object, object]]:
    """Put `new_values`, checked, into `kept` (what settings.json holds: the values that differ
    from the defaults, and keys of other versions, which stay); returns (name, old, new) of
    each value that changed, in the table's order. `kept` is left alone when one value is bad."""
    defaults = {s.name: s.default for s in SETTINGS}
    current = {**defaults, **{k: v for k, v in kept.items() if k in defaults}}
    try:
        merged = checked_values(current, new_values)
    except InvalidSetting as error:
        raise InvalidInput(error.message) from None
    changes = [(s.name, current[s.name], merged[s.name]) for s in SETTINGS
               if s.name in new_values and current[s.name] != merged[s.name]]
    if changes:
        for name in defaults:
            kept.pop(name, None)
        kept.update({k: v for k, v in merged.items() if v != defaults[k]})
    return changes


def _write_settings_file(root: Path, kept: Mapping) -> None:
    root.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(kept, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    atomic_write(root / SETTINGS_FILE, data)


def change_settings(actor: Account, store_root, new_values: Mapping[str, object]) -> list[tuple[str, object, object]]:
    """Validate and store new values of settings (`queries.settings.SETTINGS`) in
    `<store>/settings.json`; returns (name, old, new) for each value that changed, in the
    table's order, and records them in the audit log. Nothing is stored if one value is bad.

    On PostgreSQL the values are the shared value 'settings' (the same content as the file),
    changed under its row's lock so that two administrators on two machines keep both their
    changes; this store's settings.json is then written at once (the other machines' stores
    copy the shared value when its version changes)."""
    actor = fresh_actor(store_root, actor)
    if not may_change_settings(actor):
        raise PermissionDenied(_(SETTINGS_COUNTRY_WIDE))
    root = Path(store_root)
    url = database_url()
    if url:
        with changing_value(url, SETTINGS_VALUE) as kept:
            changes = _merged_settings(kept, new_values)
        if changes:
            with locked(root / SETTINGS_LOCK):
                # What the database holds now: a later change by another process of this
                # machine, written first, is not overwritten with this older one.
                _write_settings_file(root, read_value(url, SETTINGS_VALUE, {}))
    else:
        path = root / SETTINGS_FILE
        with locked(root / SETTINGS_LOCK):
            kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            changes = _merged_settings(kept, new_values)
            if changes:
                _write_settings_file(root, kept)
    if changes:
        audit_log.record(store_root, actor.username, "settings_changed", {
            "changes": [{"name": n, "old": o, "new": v} for n, o, v in changes], **_actor_details(actor)})
    return changes


__all__ = [
    "AccountsError", "InvalidInput", "LoginResult", "PermissionDenied", "WRONG_CREDENTIALS", "account_by_email",
    "authenticate", "change_own_password", "change_settings", "create_account", "current_account", "email_key",
    "disable_account", "display_names", "enable_account", "get_account", "list_accounts", "logout",
    "normalize_username",
    "set_password", "sso_login", "update_account",
]
