"""The one place pages get data from: a cached Database and cached query results, read
through the scope of the person signed in (queries.reading), so a page that forgets a filter
still shows nothing outside it.

Results are cached per version of what they read (Database.version_for): an upload or an undo
shows as soon as the tables have taken it in (a moment later, in the background), and an
answer about one province stays cached while other provinces upload.
"""
from __future__ import annotations

import threading

import polars as pl
import streamlit as st

from queries.accounts.permissions import readable_provinces
from queries.db import Database, get_database
from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.reading import ScopedReader
from queries.reports.names import with_indicator_names
from queries.store.postgres import DatabaseUnavailable
from ui.auth import current_account, public_view
from ui.page import loading

# What a reader sees while a query takes longer than half a second (never an empty page).
LOADING_WORDS = {
    "ranking_by_month": N_("Đang tính bảng xếp hạng…"),
    "whatif_base": N_("Đang xếp hạng theo trọng số giả định…"),
    "indicator_status": N_("Đang tính tình trạng các chỉ tiêu…"),
    "scores_by_month": N_("Đang tính điểm các tháng…"),
    "group_scores_by_month": N_("Đang tính điểm từng trụ cột…"),
    "compliance_by_month": N_("Đang đối chiếu báo cáo tháng của các xã…"),
    "projection_by_indicator": N_("Đang tính dự báo đến cuối năm…"),
    "indicator_trend": N_("Đang tải diễn biến các chỉ tiêu…"),
}


@st.cache_resource
def database() -> Database:
    # Background refresh: a page answers from the last complete tables at once; an upload
    # elsewhere (another session, another replica) shows a moment later, never by blocking.
    return get_database(background=True)


def read_scope() -> tuple[str, ...] | None:
    """The provinces this session reads (None: all), from the account signed in now (fresh from
    the store: its session may have ended since the run began) and the setting public_view."""
    return readable_provinces(current_account(), public_view())


def reader() -> ScopedReader:
    """The Database as this session may read it (for exports that ask more than one query)."""
    return ScopedReader(database(), read_scope())


# Bounded three ways: an upload makes many answers' versions new, so old entries would stay
# until their ttl; at national scale one answer pickles to 45 MB (indicator_status of every
# commune), so the size bounds the cache where the count alone would not.
@st.cache_data(ttl=600, max_entries=256, max_size="96MB", show_spinner=False)
def _cached(name: str, version: tuple, params: tuple, provinces: tuple[str, ...] | None) -> pl.DataFrame:
    return ScopedReader(database(), provinces).run_query(name, **dict(params))


_asked: dict[str, None] = {}  # the questions answered in this process (oldest first)
_asked_lock = threading.Lock()


def query(name: str, **params) -> pl.DataFrame:
    """A query's answer within this session's scope; a question outside it stops the page with
    its one Vietnamese sentence."""
    db = database()
    key = (name, db.version_for(name, params), tuple(sorted(params.items())), read_scope())
    seen = repr(key)  # a parameter may be a list: not hashable, its text is
    try:
        if seen in _asked:  # answered before: from the cache at once, no spinner to draw and clear
            answer = _cached(*key)
        else:
            with loading(_(LOADING_WORDS.get(name, N_("Đang tải số liệu…")))):
                answer = _cached(*key)
            with _asked_lock:  # sessions are threads
                _asked[seen] = None
                while len(_asked) > 1024:
                    _asked.pop(next(iter(_asked)))
    except DatabaseUnavailable:
        raise  # the whole page waits for the database (ui.reconnect), not this one table
    except UserFacingError as refusal:
        st.warning(refusal.message, icon="🔒")
        st.stop()
    # An indicator's name in the page's language (the catalog's name_en on an English page);
    # names of communes, units and documents stay as the plans write them.
    if "indicator_name" in answer.columns and "indicator" in answer.columns and name != "indicator_catalog":
        answer = with_indicator_names(answer, query)
    return answer
