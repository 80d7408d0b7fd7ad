"""What every leaders' page starts with: its title, what it answers, the filter row, the scope
line ("Tỉnh Minh Họa · Tháng 11/2026"), the demo-data notice; the explained empty states; the
words shown while a slow part is computed (never an empty page); and paging of long lists.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import streamlit as st

from queries import i18n
from queries.i18n import N_, _
from ui.format import in_sentence

DEMO_NOTICE = (
    N_("**Dữ liệu minh họa** — tỉnh Minh Họa và các xã của tỉnh do chương trình tạo ra để "
    "trình diễn, không phải số liệu thật của địa phương nào.")
)
NO_COMMUNES = (
    N_("Chưa có xã nào trong dữ liệu. Hãy tải danh sách xã và chỉ tiêu lên ở trang "
    "**Tải lên số liệu**.")
)


def header(title: str, question: str) -> None:
    st.title(title)
    st.caption(question)


def filter_row(n: int, widths: Iterable[float] | None = None):
    """A bordered row of n filter slots."""
    box = st.container(border=True, key="dti_filters")  # the key: ui/layout.py lays it out on phones
    return box.columns(list(widths) if widths else n, vertical_alignment="bottom")


def scope_line(*parts: str | None) -> None:
    st.markdown("**" + " · ".join(p for p in parts if p) + "**")


def demo_notice(is_demo: bool | Iterable[bool]) -> None:
    shown = is_demo if isinstance(is_demo, bool) else any(bool(v) for v in is_demo)
    if shown:
        st.warning(_(DEMO_NOTICE), icon="🧪")


def empty(message: str, title: str | None = None) -> None:
    st.info(message, icon="ℹ️", title=title)


def no_targets_message(scope_label: str, year: int) -> str:
    return (
        _("{scope_label} chưa có chỉ tiêu nào cho năm {year}, nên chưa có gì để chấm điểm. Hãy "
            "chọn một tháng của năm có kế hoạch, hoặc tải chỉ tiêu năm này lên.").format(
            scope_label=scope_label,
            year=year)
    )


def no_values_message(month_label: str) -> str:
    return (
        _("Chưa có số liệu {month_label}: chưa xã nào báo cáo kết quả cho các chỉ tiêu được giao, "
            "nên mọi chỉ tiêu đang tính 0 điểm.").format(
            month_label=in_sentence(month_label))
    )


def section(title: str, caption: str | None = None) -> None:
    st.subheader(title)
    if caption:
        st.caption(caption)


def tabs(param: str, sections: list[tuple[str, str]]) -> tuple[str, object]:
    """A long page's parts as tabs, only the open one drawn: the browser takes seconds to draw
    every chart and table of a long page at once, most of them below the fold. sections: (code,
    label) in order, the first open by default. The open part is kept in the URL (?param=code,
    the same in both languages), so a copied link or a reload opens it. Returns its code and
    its container."""
    labels = dict(sections)
    codes = list(labels)
    url = st.query_params.get(param)
    active = url if url in labels else codes[0]
    key = f"dti_tab_{param}_{i18n.current()}"  # the labels change with the language
    st.session_state[key] = labels[active]  # the URL decides, as for the filters

    def opened() -> None:
        label = st.session_state.get(key)
        code = next((c for c, text in sections if text == label), codes[0])
        if code == codes[0]:
            if param in st.query_params:
                del st.query_params[param]
        else:
            st.query_params[param] = code

    containers = st.tabs([labels[code] for code in codes], key=key, on_change=opened)
    return active, containers[codes.index(active)]


@contextmanager
def loading(words: str) -> Iterator[None]:
    """A spinner with what is being done ("Đang tính bảng xếp hạng…") around a slow part of a
    page, so the page never sits empty while its data loads; shown only past half a second."""
    with st.spinner(words):
        yield


def pager(n: int, per_page: int, key: str) -> tuple[int, int]:
    """Rows [start, stop) of the page of a long list of communes the reader chose ("51–98 / 98");
    a list that fits one page gives every row and shows no choice. The choices are numbers only:
    a choice shown in words would no longer be among the choices after the language changes."""
    if n <= per_page:
        return 0, n
    starts = list(range(0, n, per_page))
    start = st.selectbox(
        _("Trang"), starts, key=key,
        format_func=lambda s: f"{s + 1}–{min(s + per_page, n)} / {n}",
        help=_("{per_page} xã mỗi trang, theo thứ tự của bảng.").format(per_page=per_page), width=220,
    )
    return start, min(start + per_page, n)
