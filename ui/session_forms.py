"""The sign-in and sign-out forms as plain HTML forms posting to the routes serve.py adds
(web/signin.py), drawn with st.html (part of the page, not a frame) in the dashboard's colours.

The password goes from the browser to the sign-in route in the request's body: never through
Streamlit's websocket, never in an address, and the browser's password manager knows the form.
Only an HTTP response can set or clear the session's HttpOnly cookie, which is why these are not
Streamlit widgets.
"""
from __future__ import annotations

from html import escape

import streamlit as st

from queries import i18n
from queries.accounts.cookie import SIGN_IN_PATH, SIGN_OUT_PATH
from queries.i18n import _


def _theme(name: str, default: str) -> str:
    value = st.get_option(f"theme.{name}")
    return escape(str(value)) if value else default


def _style() -> str:
    primary = _theme("primaryColor", "#0072B2")
    border = _theme("borderColor", "#D5DCE3")
    field = _theme("secondaryBackgroundColor", "#F2F5F8")
    text = _theme("textColor", "#1B2631")
    radius = _theme("baseRadius", "0.4rem")
    return f"""<style>
.dti-form {{margin:0;font-family:inherit;color:{text}}}
.dti-form label {{display:block;font-size:0.875rem;line-height:1.6;margin:0 0 0.25rem}}
.dti-form input[type=text], .dti-form input[type=password] {{display:block;width:100%;box-sizing:border-box;
  height:2.5rem;padding:0.5rem 0.75rem;margin:0 0 1rem;border:1px solid {border};border-radius:{radius};
  background:{field};color:{text};font:inherit}}
.dti-form input:focus {{outline:none;border-color:{primary}}}
.dti-form button {{display:flex;align-items:center;justify-content:center;gap:0.5rem;width:100%;
  min-height:2.5rem;padding:0.25rem 0.75rem;border-radius:{radius};font:inherit;font-size:0.875rem;cursor:pointer}}
.dti-form button.primary {{background:{primary};border:1px solid {primary};color:#FFFFFF}}
.dti-form button.primary:hover {{filter:brightness(0.92)}}
.dti-form button.secondary {{background:#FFFFFF;border:1px solid {border};color:{text}}}
.dti-form button.secondary:hover {{border-color:{primary};color:{primary}}}
.dti-form button:focus-visible {{outline:2px solid {primary};outline-offset:2px}}
</style>"""


def sign_in_form(back: str) -> None:
    """User name and password, posted to the sign-in route; `back` is where it returns to. The
    page's language goes along, so a refusal comes back in it."""
    user, password, button = escape(_("Tên đăng nhập")), escape(_("Mật khẩu")), escape(_("Đăng nhập"))
    st.html(_style() + f"""<form class="dti-form" method="post" action="{SIGN_IN_PATH}">
<label for="dti-username">{user}</label>
<input id="dti-username" type="text" name="username" autocomplete="username" autocapitalize="none"
  spellcheck="false" maxlength="200" required>
<label for="dti-password">{password}</label>
<input id="dti-password" type="password" name="password" autocomplete="current-password" maxlength="1000" required>
<input type="hidden" name="tiep" value="{escape(back)}">
<input type="hidden" name="lang" value="{escape(i18n.current())}">
<button type="submit" class="primary">{button}</button>
</form>""")


def sign_out_form(token: str) -> None:
    """The sidebar's "Đăng xuất": ends the session on the server and clears the cookie."""
    st.html(_style() + f"""<form class="dti-form" method="post" action="{SIGN_OUT_PATH}">
<input type="hidden" name="token" value="{escape(token)}">
<button type="submit" class="secondary"><span aria-hidden="true">🚪</span>{escape(_("Đăng xuất"))}</button>
</form>""")
