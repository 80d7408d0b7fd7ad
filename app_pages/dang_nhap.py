"""Đăng nhập: a built-in account (username and password) or, where the province has an
identity provider, single sign-on. Served by serve.py, the form posts straight to the sign-in
route, which checks the password against its argon2 hash and sets the session cookie: the
password never goes through Streamlit's connection. Elsewhere (AppTest, `streamlit run
dashboard.py`) it is a Streamlit form and the sign-in lasts as long as the page's session.
The password is never kept, logged or shown."""
from __future__ import annotations

import streamlit as st

from queries.i18n import _
from ui import auth, page, session_forms
from ui.markdown import literal

page.header(_("Đăng nhập"), _("Cán bộ xã đăng nhập để tải số liệu lên; lãnh đạo và quản trị tỉnh để xem và quản lý "
            "số liệu của tỉnh mình."))
if not auth.public_view():
    st.info(_("Bảng điều khiển này chỉ dành cho tài khoản đã được cấp. Hãy đăng nhập."), icon="🔒")
if auth.sso_refusal():
    st.warning(f"{_(auth.NOT_GRANTED)}: {literal(auth.sso_refusal())}", icon="🔒")

account = auth.current_account()
if account is not None:
    st.success(_("Bạn đang đăng nhập: {name} ({role_label}).").format(
        name=literal(account.name or account.username),
        role_label=_(account.role_label)), icon="✅")
    st.stop()

left, _unused = st.columns([1, 1])
with left:
    if auth.sso_configured():
        if st.button(_("Đăng nhập bằng tài khoản một lần (SSO)"), icon="🪪", use_container_width=True):
            st.login()
        st.caption(_("Hoặc đăng nhập bằng tài khoản được cấp trên bảng điều khiển:"))
    if auth.cookie_routes():
        refusal = auth.sign_in_refusal()
        with st.container(border=True):
            session_forms.sign_in_form(auth.return_to())
        if refusal:
            st.error(refusal, icon="⛔")
    else:
        with st.form("dti_login", border=True):
            username = st.text_input(_("Tên đăng nhập"), autocomplete="username")
            password = st.text_input(_("Mật khẩu"), type="password", autocomplete="current-password")
            submitted = st.form_submit_button(_("Đăng nhập"), type="primary", use_container_width=True)
        if submitted:
            problem = auth.sign_in(username, password)
            if problem:
                st.error(problem, icon="⛔")
            else:
                st.rerun()  # the navigation is rebuilt for this account, opening on its first page
