"""Quản trị: accounts of the province (create, disable, enable, new password), the method's
settings, each with its help text, the frameworks (load a new one) and the communes' boundaries
(the map). Every action is checked and recorded in queries/ (queries.accounts.service,
queries.admin_loads: permissions, validation, audit log); this page only collects input."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from queries.accounts import service
from queries.accounts.permissions import (
    CAN_BO_XA,
    ROLE_LABELS,
    ROLES,
    Account,
    may_change_settings,
    may_manage_accounts,
    scope_label,
    visible_provinces,
)
from queries.accounts.places import Places
from queries.admin_loads import FRAMEWORK_ONLY_COUNTRY, load_boundaries, load_framework, may_load_framework
from queries.errors import UserFacingError
from queries.frameworks.model import FrameworkFileError
from queries.frameworks.registry import SHIPPED_FOLDER
from queries.i18n import _
from queries.maps import boundaries
from queries.maps.geojson import MAX_MB as BOUNDARY_MAX_MB
from queries.settings import SETTINGS, load_settings, store_dir
from queries.text import format_number
from ui import page
from ui.auth import current_account
from ui.format import per_row
from ui.markdown import literal
from ui.state import database, query

page.header(_("Quản trị"), _("Tài khoản của tỉnh và các cài đặt của phương pháp tính điểm. Mọi thay đổi được ghi vào "
            "nhật ký hoạt động."))
account = current_account()
if not (may_manage_accounts(account) or may_change_settings(account)):
    st.error(_("Chỉ Quản trị tỉnh dùng được trang này."))
    st.stop()
store = store_dir()
SHOWN_DAMAGED = 10


def render_damaged_journal() -> None:
    """Lines of the journal the store set aside: everything else works, but someone must look."""
    damaged = database().store.damaged_lines()
    if not damaged:
        return
    lines = [f"- {literal(d.message)}" for d in damaged[:SHOWN_DAMAGED]]
    if len(damaged) > SHOWN_DAMAGED:
        lines.append(_("- … và {value} dòng khác (xem nhật ký của máy chủ).").format(value=len(damaged) - SHOWN_DAMAGED))
    st.warning(_("**Nhật ký thay đổi có {damaged} dòng hỏng, đã bị bỏ qua.** Mọi dòng khác vẫn được dùng và "
        "các lần tải lên mới vẫn được lưu; thay đổi ghi ở dòng hỏng không được tính. Hãy báo người "
        "bảo trì kiểm tra tệp và ổ đĩa của kho dữ liệu.\n\n").format(
        damaged=len(damaged)) + "\n".join(lines), icon="⚠️")


def refused(error: Exception) -> None:
    st.error(getattr(error, "message", None) or _("Không thực hiện được thao tác."), icon="⛔")


def render_accounts(account: Account, store: Path) -> None:
    accounts = service.list_accounts(account, store)
    st.dataframe(pl.DataFrame({
        _("Tên đăng nhập"): [a.username for a in accounts],
        _("Họ tên"): [a.name for a in accounts],
        _("Vai trò"): [_(a.role_label) for a in accounts],
        _("Phạm vi"): [_(scope_label(a)) for a in accounts],
        "Email": [a.email or "" for a in accounts],
        _("Trạng thái"): [_("Đang dùng") if a.active else _("Đã vô hiệu hóa") for a in accounts],
    }), hide_index=True, use_container_width=True)

    communes = query("communes_in_province", province=None)
    provinces = visible_provinces(account, sorted(set(communes["province"].to_list())))
    in_scope = communes.filter(pl.col("province").is_in(provinces))
    commune_labels = {r["commune_id"]: f"{r['commune_name']} ({r['province']})" for r in in_scope.iter_rows(named=True)}

    st.subheader(_("Thêm tài khoản"))
    with st.form("new_account", clear_on_submit=False):
        left, right = st.columns(2)
        username = left.text_input(_("Tên đăng nhập"), help=_("Chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang."))
        name = right.text_input(_("Họ tên"))
        role = left.selectbox(_("Vai trò"), ROLES, format_func=lambda r: _(ROLE_LABELS[r]))
        email = right.text_input(_("Email (để đăng nhập một lần, nếu có)"))
        chosen_provinces = left.multiselect(_("Tỉnh (Quản trị tỉnh, Lãnh đạo)"), provinces, placeholder=_("Chọn tỉnh"),
                                            help=_("Bỏ trống: toàn quốc (chỉ tài khoản toàn quốc được tạo)."))
        chosen_communes = right.multiselect(_("Xã (Cán bộ xã)"), list(commune_labels), format_func=commune_labels.get,
                                            placeholder=_("Chọn xã"))
        password = left.text_input(_("Mật khẩu"), type="password", help=_("Ít nhất 8 ký tự."))
        again = right.text_input(_("Nhập lại mật khẩu"), type="password")
        if st.form_submit_button(_("Tạo tài khoản"), type="primary"):
            if password != again:
                st.error(_("Hai lần nhập mật khẩu không giống nhau."))
            else:
                try:
                    created = service.create_account(
                        account, store, username=username, role=role, password=password or None, name=name,
                        email=email or None, provinces=chosen_provinces if role != CAN_BO_XA else (),
                        communes=chosen_communes if role == CAN_BO_XA else (),
                        places=Places.from_database(database()))
                except UserFacingError as error:
                    refused(error)
                else:
                    st.success(_("Đã tạo tài khoản “{username}” ({role_label}, {scope_label}).").format(
                        username=created.username,
                        role_label=_(created.role_label),
                        scope_label=_(scope_label(created))))

    st.subheader(_("Một tài khoản"))
    if not accounts:
        return
    chosen = st.selectbox(_("Tài khoản"), [a.username for a in accounts], key="account_choice",
                          format_func=lambda u: next(f"{a.username} — {a.name}" for a in accounts if a.username == u))
    target = next(a for a in accounts if a.username == chosen)
    left, right = st.columns(2)
    if target.active:
        if left.button(_("Vô hiệu hóa"), icon="🚫", key="disable"):
            try:
                service.disable_account(account, store, target.username)
            except UserFacingError as error:
                refused(error)
            else:
                st.session_state["admin_receipt"] = (_(
                    "Đã vô hiệu hóa “{username}”: người này không đăng nhập được nữa, và phiên đang "
                    "mở của họ kết thúc.").format(
                    username=target.username))
                st.rerun()
    elif left.button(_("Kích hoạt lại"), icon="✅", key="enable"):
        try:
            service.enable_account(account, store, target.username)
        except UserFacingError as error:
            refused(error)
        else:
            st.session_state["admin_receipt"] = _("Đã kích hoạt lại “{username}”.").format(username=target.username)
            st.rerun()
    with right.form("set_password"):
        new_password = st.text_input(_("Mật khẩu mới"), type="password")
        if st.form_submit_button(_("Đặt mật khẩu mới")):
            try:
                service.set_password(account, store, target.username, new_password)
            except UserFacingError as error:
                refused(error)
            else:
                st.success(_("Đã đặt mật khẩu mới cho “{username}”.").format(username=target.username))


def render_settings_read_only(current: dict) -> None:
    st.info(_("Cài đặt áp dụng cho cả nước (một bộ cài đặt cho mọi tỉnh), nên chỉ Quản trị toàn quốc (tài khoản "
            "Quản trị không gắn tỉnh) thay đổi được. Bạn xem được các giá trị đang dùng dưới đây."), icon="🔒")
    st.dataframe(pl.DataFrame({
        _("Tên"): [s.name for s in SETTINGS],
        _("Giá trị"): [str(current[s.name]) for s in SETTINGS],
        _("Mặc định"): [str(s.default) for s in SETTINGS],
        _("Giới hạn"): [_(s.bounds_text) or (", ".join(s.choices) if s.choices else _("có / không")) for s in SETTINGS],
        _("Ý nghĩa"): [_(s.help_vi) for s in SETTINGS],
    }), hide_index=True, use_container_width=True)


def render_settings(account: Account, store: Path) -> None:
    current = load_settings(store)
    if not may_change_settings(account):
        render_settings_read_only(current)
        return
    st.caption(_("Mỗi cài đặt kèm giải thích và giới hạn; thay đổi có hiệu lực ngay trên mọi trang, cho cả nước, và "
               "được ghi vào nhật ký (giá trị cũ và mới)."))
    with st.form("settings"):
        values = {}
        for setting in SETTINGS:
            value = current[setting.name]
            key = f"setting_{setting.name}"
            help_text = _(setting.help_vi) + (_(" (Giới hạn: {bounds_text}.)").format(
                bounds_text=_(setting.bounds_text)) if setting.bounds_text else "")
            if setting.kind == "choice":
                options = setting.choices
                values[setting.name] = st.selectbox(setting.name, options, index=options.index(value) if value in options else 0,
                                                    help=help_text, key=key)
            elif setting.kind == "bool":
                values[setting.name] = st.checkbox(setting.name, value=bool(value), help=help_text, key=key)
            elif setting.kind in ("whole", "number") and isinstance(setting.default, int):
                # No min/max on the widget: a stored value outside them would break the page;
                # queries.settings refuses an out-of-bounds value with a Vietnamese sentence.
                values[setting.name] = st.number_input(setting.name, value=int(value), step=1, help=help_text, key=key)
            elif setting.kind == "number":
                values[setting.name] = st.number_input(setting.name, value=float(value), step=0.05, format="%.2f",
                                                       help=help_text, key=key)
            else:
                values[setting.name] = st.text_input(setting.name, value=str(value), help=help_text, key=key)
            st.caption(_(setting.help_vi) + (_(" Giới hạn: {bounds_text}.").format(
                bounds_text=_(setting.bounds_text)) if setting.bounds_text else ""))
        if st.form_submit_button(_("Lưu cài đặt"), type="primary"):
            changed = {k: v for k, v in values.items() if v != current[k]}
            if not changed:
                st.info(_("Không có gì thay đổi."))
                return
            try:
                done = service.change_settings(account, store, changed)
            except UserFacingError as error:
                refused(error)
            else:
                st.success(_("Đã lưu: ") + "; ".join(f"{name}: {old} → {new}" for name, old, new in done))


def render_frameworks(account: Account) -> None:
    known = query("frameworks")
    st.dataframe(known.select(
        pl.col("name_vi").alias(_("Bộ khung")), pl.col("framework_id").alias(_("Mã")), pl.col("version").alias(_("Phiên bản")),
        pl.col("status").alias(_("Trọng số")), pl.col("n_groups").alias(_("Số nhóm")),
        per_row(known, "in_force", lambda runs: ", ".join(f"{r['first']}–{r['last'] or '…'}" for r in runs)
                if runs is not None else _("chưa dùng"), name=_("Đang tính điểm các năm"), skip_nulls=False)),
        hide_index=True, key="qt-khung")
    row = st.container(horizontal=True, gap="small")
    for path in sorted(SHIPPED_FOLDER.glob("*.csv")):
        row.download_button(_("⬇ Tệp mẫu {name}").format(name=path.name), path.read_bytes(), file_name=path.name, mime="text/csv",
                            on_click="ignore", key=f"qt-mau-{path.stem}")
    if not may_load_framework(account):
        st.info(_(FRAMEWORK_ONLY_COUNTRY), icon="🔒")
        return
    st.caption(_("Nạp một tệp CSV như tệp mẫu (mỗi dòng một chỉ tiêu: nhóm, tên nhóm, trọng số nhóm, trọng số chỉ tiêu). "
               "Bộ khung áp dụng cho các năm từ year_from (từ năm nay trở đi; điểm các năm trước giữ nguyên). Nội dung "
               "mới của một bộ khung đã có cần số phiên bản mới."))
    uploaded = st.file_uploader(_("Tệp bộ khung (.csv)"), type=["csv"], key="qt-khung-tep")
    if uploaded is not None and st.button(_("Nạp bộ khung"), type="primary", key="qt-khung-nap"):
        try:
            framework = load_framework(database(), account, uploaded.getvalue(), uploaded.name)
        except FrameworkFileError as error:
            refused(error)
            if len(error.problems) > 1:
                st.markdown("\n".join(f"- {literal(problem)}" for problem in error.problems))
        except UserFacingError as error:
            refused(error)
        else:
            database().ensure_fresh(wait=True)
            st.success(_("Đã nạp {label}: tính điểm {years_text}, trọng số {status}.").format(
                label=literal(framework.label),
                years_text=framework.years_text,
                status=framework.status))


def render_boundaries(account: Account) -> None:
    communes = query("communes_in_province", province=None)
    provinces = visible_provinces(account, sorted(set(communes["province"].to_list())))
    st.caption(_("Tệp GeoJSON ranh giới các xã của một tỉnh (kinh độ, vĩ độ WGS 84; tối đa {BOUNDARY_MAX_MB} "
        "MB). Mỗi vùng được ghép với một xã theo mã xã hoặc tên xã (không phân biệt dấu, hoa "
        "thường); ranh giới được đơn giản hóa một lần khi tải lên để bản đồ vẽ nhanh. Tệp mới thay "
        "tệp cũ của tỉnh.").format(
        BOUNDARY_MAX_MB=BOUNDARY_MAX_MB))
    have = [p for p in provinces if boundaries.path_for(store_dir(), p) is not None]
    if have:
        st.markdown(_("Tỉnh đã có ranh giới: ") + ", ".join(
            f"{literal(p)}{_(' (minh họa)') if boundaries.read(store_dir(), p).get('illustrative') else ''}" for p in have) + ".")
    if not provinces:
        st.info(_("Tài khoản của bạn không quản lý tỉnh nào có xã."), icon="🔒")
        return
    province = st.selectbox(_("Tỉnh"), provinces, key="qt-bd-tinh")
    uploaded = st.file_uploader(_("Tệp ranh giới (.geojson hoặc .json)"), type=["geojson", "json"], key="qt-bd-tep",
                                max_upload_size=BOUNDARY_MAX_MB)
    if uploaded is not None and st.button(_("Tải lên ranh giới"), type="primary", key="qt-bd-nap"):
        try:
            prepared = load_boundaries(database(), account, province, uploaded.getvalue(), uploaded.name)
        except UserFacingError as error:
            refused(error)
            return
        st.success(_("Đã lưu ranh giới {features} xã của tỉnh {province} (đơn giản hóa: {vertices_before} "
            "→ {vertices_after} điểm).").format(
            features=len(prepared.features),
            province=literal(province),
            vertices_before=format_number(prepared.vertices_before, 0),
            vertices_after=format_number(prepared.vertices_after, 0)))
        if prepared.unmatched:
            st.warning(_("**{unmatched} vùng trong tệp không khớp xã nào của tỉnh {province}** (không lưu):\n\n").format(
                unmatched=len(prepared.unmatched),
                province=literal(province))
                       + "\n".join(f"- {literal(label)}" for label in prepared.unmatched[:50])
                       + ("\n- …" if len(prepared.unmatched) > 50 else ""), icon="⚠️")
        if prepared.missing:
            st.info(_("{missing} xã của tỉnh chưa có ranh giới: ").format(missing=len(prepared.missing))
                    + ", ".join(literal(name) for name in prepared.missing[:30])
                    + ("…" if len(prepared.missing) > 30 else "") + ".", icon="ℹ️")


render_damaged_journal()
if st.session_state.get("admin_receipt"):
    st.success(st.session_state.pop("admin_receipt"))
accounts_tab, frameworks_tab, map_tab, settings_tab = st.tabs([_("Tài khoản"), _("Bộ khung chỉ số"), _("Bản đồ xã"),
    _("Cài đặt")])
with accounts_tab:
    if may_manage_accounts(account):
        render_accounts(account, store)
    else:
        st.info(_("Tài khoản của bạn không quản lý được tài khoản khác."))
with frameworks_tab:
    render_frameworks(account)
with map_tab:
    render_boundaries(account)
with settings_tab:
    render_settings(account, store)
