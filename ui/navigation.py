"""The pages a person sees, built per run from who they are (Streamlit's st.navigation).

Not signed in: the leaders' pages, the presentation and the method when the setting
`public_view` is true (the default), else only the sign-in page. Signed in: the same, plus
the upload page for roles that may upload, and the admin pages for province admins. A page
missing from the navigation cannot be opened by its URL either; and every change a page
offers is checked again in queries/ (permissions are never only a hidden button).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from queries.accounts.permissions import Account, may_change_settings, may_manage_accounts, may_see_audit, may_upload
from queries.i18n import N_, _

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_KINDS = ("actuals", "targets", "communes", "tasks", "spending")


def _page(file: str, title: str, icon: str, default: bool = False) -> tuple | None:
    # Pages still being built on another branch are listed once their file exists.
    return (file, title, icon, default) if (ROOT / file).exists() else None


def _group(*pages) -> list:
    return [p for p in pages if p is not None]


def page_list(account: Account | None, public_view: bool) -> dict[str, list[tuple]]:
    """{group: [(file, title, icon, default), ...]} for this person."""
    sign_in = _page("app_pages/dang_nhap.py", _("Đăng nhập"), "🔑", default=account is None and not public_view)
    if account is None and not public_view:
        return {"": [sign_in]}
    pages = {
        _("Theo dõi"): _group(
            _page("app_pages/tong_quan.py", _("Tổng quan"), "🏠", default=True),
            _page("app_pages/tru_cot.py", _("Trụ cột"), "🧱"),
            _page("app_pages/xep_hang.py", _("Xếp hạng"), "🏆"),
            _page("app_pages/ho_so_xa.py", _("Hồ sơ xã"), "📋"),
            _page("app_pages/so_sanh.py", _("So sánh"), "⚖️"),
            _page("app_pages/don_vi_chu_tri.py", _("Đơn vị chủ trì"), "🏢"),
        ),
        _("Báo cáo tháng"): _group(
            _page("app_pages/tinh_hinh_bao_cao.py", _("Tình hình báo cáo"), "🗓️"),
            _page("app_pages/nhiem_vu.py", _("Nhiệm vụ"), "✅"),
            _page("app_pages/kinh_phi.py", _("Kinh phí"), "💰"),
        ),
    }
    if account is not None and any(may_upload(account, kind) for kind in UPLOAD_KINDS):
        pages[_("Nhập liệu")] = _group(_page("app_pages/tai_len.py", _("Tải lên số liệu"), "📤"))
    pages[_("Họp giao ban")] = _group(_page("app_pages/trinh_chieu.py", _("Trình chiếu"), "🖥️"))
    pages[_("Thông tin")] = _group(_page("app_pages/phuong_phap.py", _("Phương pháp"), "📐"))
    admin = _group(
        _page("app_pages/quan_tri.py", _("Quản trị"), "🛠️")
        if (may_manage_accounts(account) or may_change_settings(account)) else None,
        _page("app_pages/nhat_ky.py", _("Nhật ký"), "📜") if may_see_audit(account) else None,
    )
    if admin:
        pages[_("Quản trị")] = admin
    if account is None:
        pages[_("Tài khoản")] = [sign_in]
    return {group: items for group, items in pages.items() if items}


# Pages a role may not use: registered but hidden, so their address opens the page's own
# Vietnamese refusal instead of Streamlit's "Page not found".
GUARDED = (("app_pages/tai_len.py", N_("Tải lên số liệu"), "📤"), ("app_pages/quan_tri.py", N_("Quản trị"), "🛠️"),
           ("app_pages/nhat_ky.py", N_("Nhật ký"), "📜"))


def pages_for(account: Account | None, public_view: bool) -> dict[str, list[st.Page]]:
    listed = page_list(account, public_view)
    pages = {group: [st.Page(file, title=title, icon=icon, default=default) for file, title, icon, default in items]
             for group, items in listed.items()}
    shown = {file for items in listed.values() for file, *_unused in items}
    if account is not None or public_view:
        hidden = [st.Page(file, title=_(title), icon=icon, visibility="hidden")
                  for file, title, icon in GUARDED if file not in shown and (ROOT / file).exists()]
        if hidden:
            pages.setdefault("", []).extend(hidden)
    return pages
