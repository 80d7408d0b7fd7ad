"""A built-in sign-in that lives in a cookie and a server-side session: opened by the sign-in
route (web/signin.py), found again on every page run (ui/auth.py), ended by the sign-out route.

    sign_in(store, username, password, address) -> SignIn(result, cookie)   the password checked
        by service.authenticate (throttled, audited); on success a new session and its cookie value
    resume(store, cookie_value) -> Resumed(account, ended)   the account, fresh from the store,
        when the cookie is ours, its session alive and its account's credentials unchanged; a
        session holding an older credential version is ended here (`ended` says so, once)
    sign_out(store, cookie_value) -> Account | None   ends the session (audited)
    sign_out_token(store, cookie_value) / sign_out_allowed(store, cookie_value, token)
    lifetimes(store) -> Lifetimes   (the cookie's Max-Age is the longest lifetime)
"""
from __future__ import annotations

from dataclasses import dataclass

from queries.accounts import cookie, service
from queries.accounts.permissions import Account
from queries.accounts.service import LoginResult
from queries.accounts.sessions import Lifetimes, session_store


@dataclass(frozen=True)
class SignIn:
    result: LoginResult
    cookie: str | None = None  # the value to set, on success only


@dataclass(frozen=True)
class Resumed:
    account: Account | None
    ended: bool = False  # the session was refused just now: its account's credentials changed


def lifetimes(store_root) -> Lifetimes:
    return Lifetimes.from_settings(store_root)


def open_session(store_root, account: Account) -> str:
    """A session for an account already checked; returns the cookie's value."""
    return cookie.sign_session(store_root, session_store(store_root).open(account))


def sign_in(store_root, username: str, password: str, address: str | None = None) -> SignIn:
    result = service.authenticate(store_root, username, password, address=address)
    if not result.ok:
        return SignIn(result)
    return SignIn(result, open_session(store_root, result.account))


def _session_id(store_root, value: str | None) -> str | None:
    return cookie.session_id(store_root, value, lifetimes(store_root).longest)


def resume(store_root, value: str | None) -> Resumed:
    session_id = _session_id(store_root, value)
    if session_id is None:
        return Resumed(None)
    sessions = session_store(store_root)
    session = sessions.get(session_id)
    if session is None:
        return Resumed(None)
    fresh = service.get_account(store_root, session.username)
    if fresh is None or not fresh.active or fresh.credential_version != session.credential_version:
        sessions.end(session_id)
        return Resumed(None, ended=True)
    sessions.touch(session_id)
    return Resumed(fresh)


def sign_out(store_root, value: str | None) -> Account | None:
    """End the cookie's session, on every replica sharing the store; the account it held, if any."""
    session_id = _session_id(store_root, value)
    if session_id is None:
        return None
    sessions = session_store(store_root)
    session = sessions.get(session_id)
    sessions.end(session_id)
    account = service.get_account(store_root, session.username) if session else None
    service.logout(store_root, account)
    return account


def sign_out_token(store_root, value: str | None) -> str | None:
    """What the sign-out form must send back with this cookie (None without a valid cookie)."""
    session_id = _session_id(store_root, value)
    return cookie.sign_out_token(store_root, session_id) if session_id else None


def sign_out_allowed(store_root, value: str | None, token: str | None) -> bool:
    session_id = _session_id(store_root, value)
    return bool(session_id) and cookie.sign_out_token_ok(store_root, token, session_id,
                                                         lifetimes(store_root).longest)


__all__ = ["Resumed", "SignIn", "lifetimes", "open_session", "resume", "sign_in", "sign_out", "sign_out_allowed",
           "sign_out_token"]
