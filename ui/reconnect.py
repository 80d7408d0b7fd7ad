"""A page while the shared database is unreachable (a PostgreSQL restart, a network cut): one
sentence, "Đang kết nối lại cơ sở dữ liệu…", and the page comes back by itself once the server
answers; never a traceback. With the embedded file store this never shows."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from queries.i18n import _
from queries.store.postgres import RECONNECTING, DatabaseUnavailable, database_url, reachable

RETRY_SECONDS = 2


def run_while_connected(script: Callable[[], None]) -> None:
    """Run the page; if the database went away, say so and wait for it."""
    try:
        script()
    except DatabaseUnavailable:
        st.info(_(RECONNECTING), icon="🔄")
        st.caption(_("Trang sẽ tự mở lại khi máy chủ cơ sở dữ liệu trả lời. Số liệu đã lưu không bị mất."))
        _wait_for_database()


@st.fragment(run_every=RETRY_SECONDS)
def _wait_for_database() -> None:
    url = database_url()
    if url and reachable(url):
        st.rerun(scope="app")
