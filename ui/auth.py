"""Who is using the dashboard, in the Streamlit session.

A person signs in with a built-in account (username and password, checked by
queries.accounts.service.authenticate: argon2 hashes, lockout after repeated failures) or,
where the province has an identity provider, with single sign-on through Streamlit's own
`st.login()` / `st.user` (OIDC, configured in `.streamlit/secrets.toml` `[auth]`); the provider's
claims (a verified e-mail, and the issuer and subject the account is bound to) are judged by
queries.accounts.service.sso_login. The account is re-read from the store on
every run, so one disabled by an admin, or whose password, role, scope or e-mail changed (its
credential_version differs from the one the session signed in with), on any replica, is
signed out at once.

Served by serve.py, the built-in sign-in is a cookie: the sign-in route opens a session in the
store and sets it (queries.accounts.signin, web/signin.py), every page run reads it here
(`st.context.cookies`) and finds the session and the account again, so the sign-in survives a
reload, a typed address and another replica, and a sign-out anywhere ends it everywhere. Where
there is no HTTP route to set a cookie (AppTest, `streamlit run dashboard.py`), the sign-in
is kept in the Streamlit session only (`SESSION_KEY`), as is an SSO sign-in.

Pages ask `current_account()`; what an account may do is decided in queries/ (permissions,
changes), never here.
"""
from __future__ import annotations

import logging
import os
from urllib.parse import urlencode

import streamlit as st

from queries.accounts import cookie, service, signin, throttle
from queries.accounts.permissions import Account, describe
from queries.i18n import N_, _
from queries.settings import load_settings, store_dir
from ui import session_forms
from ui.markdown import literal

log = logging.getLogger(__name__)

SESSION_KEY = "dti_account"
SSO_REFUSED_KEY = "dti_sso_refused"
ENDED_KEY = "dti_session_ended"  # True: credentials changed; EXPIRED: the cookie's session is over
COOKIE_USER_KEY = "dti_cookie_account"  # the account the cookie signed in, in this Streamlit session
RETURN_KEY = "dti_return_to"
EXPIRED = "expired"
NOT_GRANTED = N_("Tài khoản chưa được cấp quyền")
TRUSTED_PROXIES_ENV = "DTI_TRUSTED_PROXIES"


def sso_configured() -> bool:
    """Whether `[auth]` is set up in secrets.toml (Streamlit's OIDC login)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError):
        return False
    except Exception:  # a malformed secrets file must not take the page down
        log.warning("could not read .streamlit/secrets.toml", exc_info=True)
        return False


def _sso_claims() -> dict | None:
    """The claims of the identity provider's ID token (iss, sub, email, email_verified…), when
    this browser is signed in by SSO; queries.accounts.service.sso_login judges them."""
    if not sso_configured():
        return None
    try:
        if st.user.is_logged_in:
            return dict(st.user.to_dict())
    except Exception:
        log.warning("reading st.user failed", exc_info=True)
    return None


def current_account() -> Account | None:
    """The signed-in account, fresh from the store, or None (not signed in, disabled, or an
    SSO identity without an account)."""
    account = st.session_state.get(SESSION_KEY)
    if account is not None:
        fresh = service.current_account(store_dir(), account)
        if fresh is None:  # disabled, removed or its credentials changed since: the session ends, and says why
            st.session_state.pop(SESSION_KEY, None)
            st.session_state[ENDED_KEY] = True
            return None
        st.session_state[SESSION_KEY] = fresh
        return fresh
    value = _cookie()
    if value:
        resumed = signin.resume(store_dir(), value)
        if resumed.account is not None:
            st.session_state[COOKIE_USER_KEY] = resumed.account
            st.session_state.pop(ENDED_KEY, None)
            return resumed.account
        previous = st.session_state.pop(COOKIE_USER_KEY, None)
        if resumed.ended or previous is not None:
            # Ended while this page was open: say why (an admin's change, or time / a sign-out).
            changed = resumed.ended or service.current_account(store_dir(), previous) is None
            st.session_state[ENDED_KEY] = True if changed else EXPIRED
    claims = _sso_claims()
    if claims and not st.session_state.get(SSO_REFUSED_KEY):
        result = service.sso_login(store_dir(), claims)
        if result.ok:
            st.session_state[SESSION_KEY] = result.account
            return result.account
        email = claims.get("email")
        st.session_state[SSO_REFUSED_KEY] = result.message + (f" (email: {email})" if isinstance(email, str) else "")
    return None


def _cookie() -> str | None:
    """The session cookie this browser sent when the page opened (HttpOnly: only the server
    reads it), or None."""
    try:
        value = st.context.cookies.get(cookie.COOKIE_NAME)
    except Exception:  # no browser behind this run (a test's bare run)
        return None
    return value if isinstance(value, str) and value else None


def cookie_routes() -> bool:
    """Whether serve.py serves the sign-in routes, so the pages offer their forms."""
    return cookie.routes_served()


def remember_page(url_path: str) -> None:
    """Note the page being shown (with its address's questions): the sign-in form sends the
    person back there."""
    if url_path.startswith("dang_nhap"):
        return
    query = urlencode(st.query_params.to_dict())
    st.session_state[RETURN_KEY] = "/" + url_path + ("?" + query if query else "")


def return_to() -> str:
    """Where the sign-in route sends the browser once signed in: `?tiep=` of the sign-in page's
    address, else the page shown before it, else the first page; a path of this site only."""
    return cookie.return_path(st.query_params.get("tiep") or st.session_state.get(RETURN_KEY) or "/")


def sign_in_refusal() -> str | None:
    """The message the sign-in route sent back (`?loi=`, signed by it), once: it leaves the
    address, so a reload does not show it again."""
    token = st.query_params.get("loi")
    if token is None:
        return None
    del st.query_params["loi"]
    return cookie.message(store_dir(), token)


def sso_refusal() -> str | None:
    """Why a person signed in by SSO has no account here (no account for the e-mail, the
    e-mail not verified by the provider, or the account bound to another identity)."""
    return st.session_state.get(SSO_REFUSED_KEY)


def public_view() -> bool:
    return bool(load_settings(store_dir())["public_view"])


def client_address() -> str | None:
    """Where this browser connects from, as the sign-in throttle keys it (None when the server
    cannot tell). Streamlit gives the connection's peer; behind a proxy (deploy/nginx.conf.template
    sets X-Forwarded-For) every peer is the proxy, so the headers are believed only from the
    proxies named in DTI_TRUSTED_PROXIES (e.g. "127.0.0.1,::1"): a client can write any header."""
    try:
        peer = st.context.ip_address
        headers = st.context.headers
        # Several X-Forwarded-For lines read as one list, in order (as uvicorn reads them).
        forwarded = ", ".join(headers.get_all("X-Forwarded-For")) or None
        real_ip = headers.get("X-Real-IP")
    except Exception:  # no browser behind this run (a test's bare run)
        return None
    if peer is not None and not isinstance(peer, str):
        return None
    return throttle.client_address(peer, forwarded if isinstance(forwarded, str) else None,
                                   real_ip if isinstance(real_ip, str) else None,
                                   os.environ.get(TRUSTED_PROXIES_ENV, ""))


def sign_in(username: str, password: str) -> str | None:
    """Sign in with a built-in account; None on success, else the one message to show."""
    result = service.authenticate(store_dir(), username, password, address=client_address())
    if not result.ok:
        return result.message
    st.session_state[SESSION_KEY] = result.account
    st.session_state.pop(ENDED_KEY, None)
    return None


def sign_out() -> bool:
    """End the session; True when the identity provider's sign-out was started (its redirect
    follows). The sidebar's button calls this as its callback, before the run that builds the
    navigation, so that run already lists a visitor's pages."""
    account = st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(SSO_REFUSED_KEY, None)
    if account is not None:
        service.logout(store_dir(), account)
    # Nothing of the session's choices should outlive the person who made them.
    for key in list(st.session_state.keys()):
        if str(key).startswith(("_dti_", "dti_", "upload_")):
            st.session_state.pop(key, None)
    if _sso_claims():
        st.logout()  # ends the provider's cookie too, and reruns
        return True
    return False


def _sign_out_token() -> str | None:
    """The sign-out form's token, when this run's account came from the cookie."""
    if st.session_state.get(SESSION_KEY) is not None or not st.session_state.get(COOKIE_USER_KEY):
        return None
    return signin.sign_out_token(store_dir(), _cookie())


def sidebar(account: Account | None) -> None:
    """Who is signed in, with the sign-out button; or the way to sign in."""
    with st.sidebar:
        if account is not None:
            st.markdown(f"**{literal(account.name or account.username)}**")
            st.caption(describe(account).split(" — ", 1)[-1])
            token = _sign_out_token()
            if token:  # the sign-out route ends the session and clears the cookie
                session_forms.sign_out_form(token)
            else:
                st.button(_("Đăng xuất"), key="dti_sign_out", icon="🚪", use_container_width=True, on_click=sign_out)
        elif sso_refusal():
            st.warning(f"{_(NOT_GRANTED)}: {literal(sso_refusal())}", icon="🔒")
            st.button(_("Đăng xuất"), key="dti_sign_out", icon="🚪", use_container_width=True, on_click=sign_out)
        elif st.session_state.get(ENDED_KEY) == EXPIRED:
            st.warning(_("Phiên đăng nhập của bạn đã kết thúc: quá lâu không dùng, đã hết thời gian tối đa, hoặc "
                       "đã đăng xuất ở một cửa sổ khác. Hãy đăng nhập lại."), icon="🔒")
        elif st.session_state.get(ENDED_KEY):
            st.warning(_("Phiên đăng nhập của bạn đã kết thúc: mật khẩu, vai trò hoặc phạm vi "
                       "của tài khoản vừa được thay đổi, hoặc tài khoản đã bị vô hiệu hóa. Hãy đăng nhập lại, hoặc liên "
                       "hệ Quản trị tỉnh."), icon="🔒")
