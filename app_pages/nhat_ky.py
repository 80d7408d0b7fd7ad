"""Nhật ký: every change, who made it and when (Vietnam time): sign-ins, uploads, undo and
redo, reviews, accounts, settings. Read from the store by queries.accounts.audit, which also
decides what this admin may see."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries import clock
from queries.accounts.audit import ACTION_LABELS, audit_frame, upload_communes
from queries.accounts.permissions import may_see_audit
from queries.accounts.places import Places
from queries.i18n import _
from queries.settings import store_dir
from ui import page
from ui.auth import current_account
from ui.downloads import table_downloads
from ui.state import database, query

page.header(_("Nhật ký hoạt động"), _("Ai đã làm gì, lúc nào (giờ Việt Nam): đăng nhập, tải lên, hoàn tác, khôi phục, "
            "thẩm định, tài khoản và cài đặt. Không ghi mật khẩu."))
account = current_account()
if not may_see_audit(account):
    st.error(_("Chỉ Quản trị tỉnh được xem nhật ký hoạt động."))
    st.stop()


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)  # one version of the tables in use at a time
def _upload_communes(version: tuple) -> dict:
    return upload_communes(database())


db = database()
frame = audit_frame(store_dir(), viewer=account, places=Places.from_database(db),
                    upload_communes=_upload_communes(db.version()))
if frame.is_empty():
    page.empty(_("Chưa có hoạt động nào được ghi."))
    st.stop()

communes = query("communes_in_province", province=None)
names = dict(zip(communes["commune_id"].to_list(), communes["commune_name"].to_list()))
slots = page.filter_row(4)
people = [_("Tất cả"), *sorted(set(frame["user"].drop_nulls().to_list()))]
person = slots[0].selectbox(_("Người thực hiện"), people)
actions = [_("Tất cả"), *[a for a in ACTION_LABELS if a in set(frame["action"].to_list())]]
action = slots[1].selectbox(_("Hoạt động"), actions, format_func=lambda a: _(ACTION_LABELS.get(a, a)))
touched = sorted({c for cs in frame["communes"].to_list() for c in (cs or [])}, key=lambda c: names.get(c, c))
commune = slots[2].selectbox(_("Xã"), [_("Tất cả"), *touched], format_func=lambda c: names.get(c, c))
months = [_("Tất cả"), *sorted(set(frame["month"].to_list()), reverse=True)]
month = slots[3].selectbox(_("Tháng"), months, format_func=lambda m: m if m == _("Tất cả") else _("Tháng {m}/{m2}").format(
    m=m[5:],
    m2=m[:4]))

shown = frame
if person != _("Tất cả"):
    shown = shown.filter(pl.col("user") == person)
if action != _("Tất cả"):
    shown = shown.filter(pl.col("action") == action)
if commune != _("Tất cả"):
    shown = shown.filter(pl.col("communes").list.contains(commune))
if month != _("Tất cả"):
    shown = shown.filter(pl.col("month") == month)

table = shown.select(
    pl.col("time").dt.strftime("%d/%m/%Y %H:%M:%S").alias(_("Thời gian")),
    pl.col("user").alias(_("Người thực hiện")),
    pl.col("action_label").alias(_("Hoạt động")),
    pl.col("details").alias(_("Chi tiết")),
    pl.col("upload_id").fill_null("").alias(_("Mã tải lên")),
)
st.caption(_("{height} hoạt động, mới nhất trước.").format(height=shown.height))
st.dataframe(table, hide_index=True, use_container_width=True)
table_downloads(table, f"nhat-ky-{clock.today():%Y-%m-%d}", "audit")
