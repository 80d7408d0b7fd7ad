"""The monthly reporting cycle as the pages show it: each month's report as icon and words
(✅ Đúng hạn, ⏰ Trễ 3 ngày, ❌ Chưa nộp, ⏳ Chưa đến hạn), the province's review of a month,
the rule written with the settings in force, the basis of every score, and evidence files
to download. The rules themselves live in queries/cycle/ and queries/changes.py.
"""
from __future__ import annotations

from datetime import date, datetime

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from queries import clock
from queries.changes import AWAITING_REVIEW, REVIEW_STATUSES
from queries.cycle import calendar
from queries.cycle.evidence import TYPES, download_name
from queries.db import Database
from queries.i18n import N_, _
from queries.status import REPORT_COLORS, TINT_TEXT
from queries.text import format_date, format_month, format_number
from ui.format import in_sentence
from ui.markdown import literal

# ---- one month's report ------------------------------------------------------------------------
REPORT_ICONS = {"dung_han": "✅", "tre_han": "⏰", "chua_nop": "❌", "chua_den_han": "⏳"}
DUE = ("dung_han", "tre_han", "chua_nop")  # months whose deadline has passed (or that were sent)


def report_text(status: str | None, days_late: int | None = None) -> str:
    """'✅ Đúng hạn', '⏰ Trễ 3 ngày', '❌ Chưa nộp', '⏳ Chưa đến hạn'."""
    if status is None:
        return "–"
    if status == "tre_han":
        return _("⏰ Trễ {days_late} ngày").format(days_late=days_late) if days_late else _("⏰ Trễ hạn")
    return f"{REPORT_ICONS[status]} {_(calendar.STATUS_NAMES[status])}"


_BY_ICON = {icon: REPORT_COLORS[status] for status, icon in REPORT_ICONS.items()}


def report_style(text: object) -> str:
    """CSS of a grid cell from its text (the icon it starts with)."""
    if isinstance(text, str) and text[:1] in _BY_ICON:
        return f"background-color: {_BY_ICON[text[:1]]}; color: {TINT_TEXT}"
    return ""


def on_time_rates(grid: pl.DataFrame) -> pl.DataFrame:
    """Per commune over the grid's months: months due, on time, late, missing and the on-time
    rate (months not yet due left out; null when none is due). grid: compliance_by_month rows."""
    return grid.group_by("commune_id").agg(
        pl.col("status").is_in(list(DUE)).sum().alias("n_due"),
        (pl.col("status") == "dung_han").sum().alias("n_on_time"),
        (pl.col("status") == "tre_han").sum().alias("n_late"),
        (pl.col("status") == "chua_nop").sum().alias("n_missing"),
    ).with_columns(
        pl.when(pl.col("n_due") > 0).then(pl.col("n_on_time") / pl.col("n_due")).alias("on_time_rate")
    )


# ---- the province's review ----------------------------------------------------------------------
REVIEW_ICONS = {"da_tham_dinh": "☑️", "yeu_cau_bo_sung": "📝", AWAITING_REVIEW[0]: "🕓"}
REVIEW_NAMES = {**REVIEW_STATUSES, AWAITING_REVIEW[0]: AWAITING_REVIEW[1]}
NOTHING_TO_REVIEW = N_("– (chưa có số liệu)")


def review_name(review_status: str) -> str:
    """'Đã thẩm định', 'Yêu cầu bổ sung', 'Chờ thẩm định' in the page's language."""
    return _(REVIEW_NAMES.get(review_status, review_status))


def review_text(review_status: str | None, received: bool) -> str:
    """The review state of a commune's month: reviewed or asked to complete as the province
    said; awaiting review when a report came and nobody reviewed it yet."""
    if review_status is None:
        review_status = AWAITING_REVIEW[0] if received else None
    if review_status is None:
        return _(NOTHING_TO_REVIEW)
    return f"{REVIEW_ICONS[review_status]} {_(REVIEW_NAMES[review_status])}"


# ---- time and the rule -------------------------------------------------------------------------
def cycle_now() -> datetime:
    """Now, to the hour. Deadlines fall at midnight in Vietnam, a whole hour in UTC, so every
    status is the same as with the exact time, and query results can be cached for the hour."""
    return clock.now().replace(minute=0, second=0, microsecond=0)


def month_before(month: date, n: int = 1) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def focus_month(period: date, now: datetime, settings: dict) -> date:
    """The month whose report to chase: `period` when its deadline has passed, else the latest
    month before it whose deadline has."""
    month = period
    while calendar.deadline_moment(month, settings) > now:
        month = month_before(month)
    return month


def is_due(month: date, now: datetime, settings: dict) -> bool:
    return calendar.deadline_moment(month, settings) <= now


def rule_text(settings: dict) -> str:
    """The reporting rule with the settings in force, in one sentence for a caption."""
    day = int(settings["report_deadline_day"])
    example = date(2026, 10, 1)
    return (_("Báo cáo tháng M **đúng hạn** khi tỉnh nhận được **trước ngày {day} tháng M+1** (giờ Việt "
        "Nam); nhận từ ngày {day} trở đi là **trễ hạn** (trễ 1 ngày nếu nhận đúng ngày {day}); qua "
        "hạn mà chưa nhận là **chưa nộp**. Ví dụ: {example} đúng hạn nếu nhận trước "
        "{deadline_date}, khóa sổ ngày {closes_on} ({lock_after_days} ngày sau hạn).").format(
        day=day,
        example=in_sentence(format_month(example)),
        deadline_date=format_date(calendar.deadline_date(example, settings)),
        closes_on=format_date(calendar.closes_on(example, settings)),
        lock_after_days=int(settings['lock_after_days'])))


def score_basis_text(settings: dict) -> str:
    if settings.get("score_basis") == "reviewed":
        return (_("Cơ sở tính điểm: chỉ số liệu đã thẩm định (tháng chưa được tỉnh thẩm định dùng số liệu "
                "đã thẩm định gần nhất)."))
    return _("Cơ sở tính điểm: mọi số liệu đã nhận (kể cả tháng chưa được tỉnh thẩm định).")


def score_basis_caption(settings: dict) -> None:
    """The short line every score carries (setting score_basis)."""
    st.caption("ℹ️ " + score_basis_text(settings))


# ---- evidence files ------------------------------------------------------------------------------
def size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size >= 1024 * 1024:
        return f"{format_number(size / 1024 / 1024, 1)} MB"
    return f"{format_number(max(size / 1024, 0.1), 1)} KB"


def evidence_button(container, db: Database, file: dict, key: str) -> None:
    """A download button for one evidence file: `file` has name, sha256, kind, size and
    priority (which store it came from: 1 = the first source of the Database). The bytes are
    read only when clicked."""
    stores = [store for _unused, store in db.sources]
    priority = int(file.get("priority") or 1)
    store = stores[priority - 1] if 0 < priority <= len(stores) else db.store
    sha = file["sha256"]
    kind_label, mime = TYPES.get(file.get("kind") or "", (_("tệp"), "application/octet-stream"))
    # Saved under a safe name with the extension of its content, never the name as stored.
    name = download_name(file.get("name"), file.get("kind"))
    label = f"⬇ {literal(name)} ({kind_label}, {size_text(file.get('size'))})"  # labels are Markdown
    if not store.has_blob(sha):
        container.caption(_("{name}: tệp không còn trong kho lưu trữ.").format(name=literal(name)))
        return
    container.download_button(label, data=lambda: store.read_blob(sha) or b"", file_name=name, mime=mime,
                              key=key, on_click="ignore")


# ---- links ---------------------------------------------------------------------------------------
def page_link(container, page: str, **kwargs) -> None:
    """st.page_link that says nothing when the page is not in the navigation (a page run on its
    own, or one not yet listed in dashboard.py)."""
    try:
        container.page_link(page, **kwargs)
    except (StreamlitAPIException, KeyError):
        pass
