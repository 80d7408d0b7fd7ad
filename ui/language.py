"""The interface's language for this script run, and the switch in the sidebar.

Chosen, in order: `?lang=` in the address (a link in English stays English), the language picked
earlier in this browser session (st.navigation drops the address's questions on a page switch,
so it is put back on each run), the signed-in account's saved language, else Vietnamese. The
dashboard calls `choose()` at the top of every run, before st.navigation, so page titles are
translated too. For a signed-in person the switch also saves the choice to the account
(queries.accounts.service.set_own_language, audited).
"""
from __future__ import annotations

import logging

import streamlit as st

from queries import i18n
from queries.accounts import service
from queries.accounts.permissions import Account
from queries.errors import UserFacingError
from queries.i18n import _
from queries.settings import store_dir

log = logging.getLogger(__name__)

URL_KEY = "lang"
SESSION_KEY = "dti_language"      # the language picked in this browser session
WIDGET_KEY = "dti_language_switch"
ACCOUNT_KEY = "dti_language_account"  # the account the session's language was taken from
MESSAGE_KEY = "dti_language_message"


def _from_url() -> str | None:
    value = st.query_params.get(URL_KEY)
    if value is None:
        return None
    code = str(value).strip().lower()
    return code if code in i18n.LANGUAGES else None


def choose(account: Account | None) -> str:
    """The language for this run (set for everything below), kept in the address."""
    url = _from_url()
    if url is not None:
        st.session_state[SESSION_KEY] = url
    username = account.username if account is not None else None
    if st.session_state.get(ACCOUNT_KEY) != username:
        # Someone signed in (or out) in this session: their saved language wins over the
        # one picked before, unless the address says otherwise.
        st.session_state[ACCOUNT_KEY] = username
        if url is None and account is not None and account.language:
            st.session_state[SESSION_KEY] = account.language
    language = i18n.set_language(st.session_state.get(SESSION_KEY)
                                 or (account.language if account is not None else None) or i18n.DEFAULT)
    # English is always in the address (a link sent on opens in English); Vietnamese only when
    # the account's own language would say otherwise.
    fallback = (account.language if account is not None else None) or i18n.DEFAULT
    try:
        if language != i18n.DEFAULT or fallback != i18n.DEFAULT:
            if st.query_params.get(URL_KEY) != language:
                st.query_params[URL_KEY] = language
        elif URL_KEY in st.query_params:
            del st.query_params[URL_KEY]
    except Exception:  # a bare run without a browser: nothing to keep
        log.debug("could not write ?lang=", exc_info=True)
    return language


def url_params() -> dict[str, str]:
    """{'lang': 'en'} on an English page, else {}: for links built by hand (page_link, a
    commune's profile) so they open in the same language."""
    language = i18n.current()
    return {URL_KEY: language} if language != i18n.DEFAULT else {}


def _switched(account: Account | None) -> None:
    chosen = st.session_state.get(WIDGET_KEY)
    if chosen is None:  # the chosen language clicked again: it stays
        return
    language = i18n.normalise(chosen)
    st.session_state[SESSION_KEY] = language
    st.query_params[URL_KEY] = language
    if account is None:
        return
    try:
        service.set_own_language(store_dir(), account, language)
    except UserFacingError as error:
        st.session_state[MESSAGE_KEY] = error.message
    except Exception:
        log.exception("saving the language to the account failed")
        st.session_state[MESSAGE_KEY] = _("Chưa lưu được ngôn ngữ vào tài khoản; trang vẫn hiện bằng ngôn ngữ đã chọn.")


def switch(account: Account | None) -> None:
    """Tiếng Việt / English in the sidebar (each name in its own language)."""
    st.session_state[WIDGET_KEY] = i18n.current()
    with st.sidebar:
        st.segmented_control(
            _("Ngôn ngữ"), list(i18n.LANGUAGES), format_func=i18n.LANGUAGE_NAMES.get, key=WIDGET_KEY,
            selection_mode="single", on_change=_switched, args=(account,), label_visibility="collapsed",
            help=_("Ngôn ngữ của giao diện. Tên xã, đơn vị và chỉ tiêu giữ nguyên như trong kế hoạch."),
        )
        message = st.session_state.pop(MESSAGE_KEY, None)
        if message:
            st.warning(message, icon="⚠️")
