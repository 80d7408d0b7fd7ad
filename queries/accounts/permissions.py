"""Who may do what: the single place the rules of roles and scopes live.

Everything here is a pure function of an `Account` (or `None`, a visitor who is not signed
in) and the thing asked about: no file, no clock, no Streamlit. The importer and the pages
ask these functions; the service (queries.accounts.service) asks them again before it
changes anything, so a page that forgot to ask cannot do harm.

    role       what it may do
    quan_tri   everything within its provinces, or the whole country when it has none:
               upload every kind, undo/redo any upload of its communes, review, manage
               accounts of its provinces, see the audit log; the settings (one file for
               the whole country) only when country-wide
    can_bo_xa  upload actuals, tasks and spending of its own communes; undo its own uploads
               (while the communes are still its own) and redo what it undid itself, never
               what an administrator undid; see its own history
    lanh_dao   read every page of its provinces (or all); change nothing
    None       read-only browsing when the setting `public_view` is true

A disabled account (active=False) may do nothing at all.
"""
from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from queries import i18n
from queries.i18n import N_, _
from queries.text import province_key

QUAN_TRI, CAN_BO_XA, LANH_DAO = "quan_tri", "can_bo_xa", "lanh_dao"
ROLES = (QUAN_TRI, CAN_BO_XA, LANH_DAO)
# Marked for the catalogue; shown with role_label(code) (or _()), in the interface's language.
ROLE_LABELS = {QUAN_TRI: N_("Quản trị tỉnh"), CAN_BO_XA: N_("Cán bộ xã"), LANH_DAO: N_("Lãnh đạo")}

# What each kind of file is called in a sentence ("không được tải lên chỉ tiêu…"); _() shows it.
KIND_LABELS = {
    "actuals": N_("kết quả hằng tháng"),
    "targets": N_("chỉ tiêu (mục tiêu năm)"),
    "communes": N_("danh sách xã"),
    "tasks": N_("nhiệm vụ"),
    "spending": N_("kinh phí"),
}
UPLOAD_KINDS = {
    QUAN_TRI: frozenset(KIND_LABELS),
    CAN_BO_XA: frozenset({"actuals", "tasks", "spending"}),
    LANH_DAO: frozenset(),
}


@dataclass(frozen=True)
class Account:
    """A person as the rest of the product sees them: never with a password hash.

    provinces: canonical province names; empty for a country-wide quan_tri or lanh_dao.
        For a can_bo_xa, the provinces of its communes.
    communes: commune ids (can_bo_xa only); commune_names: their names, same order, for
        messages and labels.
    """

    username: str
    name: str
    role: str
    provinces: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    email: str | None = None
    active: bool = True
    commune_names: tuple[str, ...] = ()
    # Bumped on every new password, role, scope or e-mail and on disabling: a session keeps the
    # version it signed in with, and ends when the stored one differs.
    credential_version: int = 0
    # The interface's language the person chose ('vi' or 'en'; None: never chosen, Vietnamese).
    language: str | None = None

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def country_wide(self) -> bool:
        return self.role in (QUAN_TRI, LANH_DAO) and not self.provinces


def role_label(role: str | None) -> str:
    """'Quản trị tỉnh' (or 'Provincial administrator'): a role's name in the interface's language."""
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else (role or "")


def kind_label(kind: str | None) -> str:
    """What a kind of file is called mid-sentence, in the interface's language."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else (kind or "")


def _system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container: still an actor worth recording
        return "local"


# The command line run on the server, without signing in: the person at the terminal already
# holds the store's files, so they act as a country-wide administrator under their system name.
# Its name is marked for the catalogue: shown_name() translates it.
LOCAL_ADMIN = Account(username=_system_user(), name=N_("Quản trị trên máy chủ"), role=QUAN_TRI)


def _active(account: Account | None) -> bool:
    return account is not None and account.active


def _same_province(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and province_key(a) == province_key(b)


# ---- reading -------------------------------------------------------------------------------


def may_browse(account: Account | None, public_view: bool) -> bool:
    """Whether the pages may be shown at all (otherwise only the login screen)."""
    return _active(account) or (account is None and bool(public_view))


def readable_provinces(account: Account | None, public_view: bool) -> tuple[str, ...] | None:
    """The provinces whose data this person reads; None for every province. While the setting
    public_view is on, anyone may browse everything without signing in, so nobody signed in is
    narrowed either; off, a visitor (or a disabled account) reads nothing, a country-wide
    account everything, any other account its own provinces only."""
    if not may_browse(account, public_view):
        return ()
    if public_view or account.country_wide:
        return None
    return tuple(account.provinces)


def province_in_scope(account: Account | None, province: str | None) -> bool:
    """The province is one the account reads (or manages). A visitor, when browsing is
    allowed at all, reads every province."""
    if account is None:
        return True
    if not account.active:
        return False
    if account.country_wide:
        return True
    return any(_same_province(p, province) for p in account.provinces)


def visible_provinces(account: Account | None, all_provinces: Iterable[str]) -> list[str]:
    """The provinces of `all_provinces` the account reads, in the given order."""
    return [p for p in all_provinces if province_in_scope(account, p)]


def commune_in_scope(account: Account | None, commune_id: str, province: str | None) -> bool:
    """The commune belongs to the account: for quan_tri, a commune of its provinces (any when
    country-wide); for can_bo_xa, one of its own communes; for lanh_dao, a commune of the
    provinces it reads. A visitor has no commune."""
    if not _active(account):
        return False
    if account.role == CAN_BO_XA:
        return commune_id in account.communes
    if account.role in (QUAN_TRI, LANH_DAO):
        return province_in_scope(account, province)
    return False


# ---- changing data ---------------------------------------------------------------------------


def may_upload(account: Account | None, kind: str) -> bool:
    """The account may upload files of this kind (rows are then checked one by one with
    `commune_in_scope`)."""
    return _active(account) and kind in UPLOAD_KINDS.get(account.role, ())


def may_upload_row(account: Account | None, kind: str, commune_id: str, province: str | None) -> bool:
    return may_upload(account, kind) and commune_in_scope(account, commune_id, province)


def may_move_commune(account: Account | None) -> bool:
    """Only a country-wide administrator moves a commune to another province: a province's
    admin who could would take the commune, its values and the right to undo them from the
    province it belongs to."""
    return _active(account) and account.role == QUAN_TRI and account.country_wide


def commune_row_refusal(account: Account | None, commune_name: str, current_province: str | None,
                        new_province: str | None) -> str | None:
    """Why this account may not store this row of a commune list, or None when it may.
    `current_province` is where the commune is now (None for a new commune): the scope is
    checked there, never only against the province the file writes."""
    if not _active(account):
        return row_refusal(account, commune_name, current_province or new_province)
    if current_province is not None:
        if not province_in_scope(account, current_province):
            return row_refusal(account, commune_name, current_province)
        if new_province is not None and not _same_province(current_province, new_province) \
                and not may_move_commune(account):
            return _("{commune} đang thuộc tỉnh {current}: chỉ Quản trị toàn quốc được chuyển xã sang tỉnh "
                     "{new}").format(commune=_commune_phrase(commune_name, None), current=current_province,
                                     new=new_province)
    if not province_in_scope(account, new_province):
        return row_refusal(account, commune_name, new_province)
    return None


def _all_in_scope(account: Account, communes_of_upload: Mapping[str, str | None]) -> bool:
    return bool(communes_of_upload) and all(
        commune_in_scope(account, commune_id, province) for commune_id, province in communes_of_upload.items())


def may_undo(account: Account | None, upload_entry: Mapping, communes_of_upload: Mapping[str, str | None]) -> bool:
    """Undo an upload (redo: `may_redo`). `communes_of_upload` maps each commune the upload touched to
    its province (queries.accounts.audit.upload_communes gives it for every upload).

    quan_tri: an upload whose communes are all in its provinces (any, when country-wide;
    a country-wide admin may also undo an upload that touched no commune).
    can_bo_xa: its own uploads, as long as their communes are still its own.
    """
    if not _active(account):
        return False
    if account.role == QUAN_TRI:
        if account.country_wide:
            return True
        return _all_in_scope(account, communes_of_upload)
    if account.role == CAN_BO_XA:
        own = (upload_entry.get("user") or "") == account.username
        return own and all(c in account.communes for c in communes_of_upload)
    return False


def may_redo(account: Account | None, upload_entry: Mapping, communes_of_upload: Mapping[str, str | None]) -> bool:
    """Redo an undone upload: as `may_undo`, except that commune staff bring back only what
    they undid themselves. An upload someone else undid (`undone_by`, from the journal; staff
    undo nothing but their own, so that was an administrator) stays undone unless an
    administrator redoes it."""
    if not may_undo(account, upload_entry, communes_of_upload):
        return False
    if account.role == CAN_BO_XA:
        undone_by = upload_entry.get("undone_by")
        return undone_by is None or undone_by == account.username
    return True


def may_see_upload(account: Account | None, upload_entry: Mapping, communes_of_upload: Mapping[str, str | None]) -> bool:
    """An upload shows in the account's upload history: quan_tri and lanh_dao see the uploads
    of their provinces, can_bo_xa its own."""
    if not _active(account):
        return False
    if account.role == CAN_BO_XA:
        return (upload_entry.get("user") or "") == account.username
    if account.country_wide:
        return True
    return _all_in_scope(account, communes_of_upload)


def may_review(account: Account | None, province: str | None) -> bool:
    """Appraise (thẩm định) a commune's month of this province."""
    return _active(account) and account.role == QUAN_TRI and province_in_scope(account, province)


# ---- administration --------------------------------------------------------------------------


def may_manage_accounts(account: Account | None) -> bool:
    return _active(account) and account.role == QUAN_TRI


def may_change_settings(account: Account | None) -> bool:
    """The settings are one file for the whole installation (method, sign-in, upload limits):
    only a country-wide administrator changes them."""
    return _active(account) and account.role == QUAN_TRI and account.country_wide


def may_see_audit(account: Account | None) -> bool:
    return _active(account) and account.role == QUAN_TRI


def may_manage(actor: Account | None, target_provinces: Iterable[str]) -> bool:
    """The actor may create or change an account whose provinces are these (after the
    change): a country-wide admin any; a province admin only accounts tied to some of its
    own provinces, never a country-wide one (no province)."""
    if not may_manage_accounts(actor):
        return False
    if actor.country_wide:
        return True
    targets = list(target_provinces)
    return bool(targets) and all(province_in_scope(actor, p) for p in targets)


# ---- words ---------------------------------------------------------------------------------


def scope_label(account: Account | None) -> str:
    """'Xã Định Tiến', 'Tỉnh Thanh Hóa, Đồng Nai' or 'Toàn quốc' (in English: 'Xã Định Tiến',
    'Province Thanh Hóa, Đồng Nai', 'Whole country': names stay as written)."""
    if account is None:
        return _("Khách (chỉ xem)")
    if account.role == CAN_BO_XA:
        names = ", ".join(account.commune_names or account.communes) or _("Chưa gắn xã")
        if len(account.provinces) > 1:
            return f"{names} ({', '.join(account.provinces)})"
        return names
    if not account.provinces:
        return _("Toàn quốc")
    return _("Tỉnh {provinces}").format(provinces=", ".join(account.provinces))


def shown_name(account: Account) -> str:
    """The person's name as pages show it (the server's command line by its translated label)."""
    if account.name == LOCAL_ADMIN.name:  # also under another name (the importer's --user)
        return _(LOCAL_ADMIN.name)
    return account.name or account.username


def describe(account: Account) -> str:
    """'Nguyễn Văn An — Cán bộ xã, Xã Định Tiến': who is signed in, for the sidebar."""
    return f"{shown_name(account)} — {account.role_label}, {scope_label(account)}"


# Marked for the catalogue; the refusals below return them translated (_(ACCOUNT_DISABLED) elsewhere).
LOGIN_REQUIRED = N_("Hãy đăng nhập để thay đổi số liệu.")
ACCOUNT_DISABLED = N_("Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ Quản trị tỉnh.")


def _commune_phrase(commune_name: str, province: str | None) -> str:
    """'Xã Phú Mỹ' -> 'xã Phú Mỹ' (mid-sentence); a bare 'Phú Mỹ' -> 'xã Phú Mỹ'. In English a
    name keeps its 'Xã' as written (it is the name), a bare one reads 'commune Phú Mỹ'."""
    name = commune_name.strip()
    lowered = name[:1].lower() + name[1:]
    starts = ("xã ", "phường ", "thị trấn ", "đặc khu ")
    if lowered.startswith(starts):
        phrase = lowered if i18n.current() == i18n.DEFAULT else name
    else:
        phrase = _("xã {name}").format(name=name)
    return f"{phrase} ({province})" if province else phrase


def upload_refusal(account: Account | None, kind: str) -> str | None:
    """Why this account may not upload this kind of file, or None when it may."""
    if may_upload(account, kind):
        return None
    if account is None:
        return _(LOGIN_REQUIRED)
    if not account.active:
        return _(ACCOUNT_DISABLED)
    if account.role == LANH_DAO:
        return _("Tài khoản Lãnh đạo chỉ được xem số liệu, không được tải lên.")
    allowed = ", ".join(kind_label(k) for k in KIND_LABELS if k in UPLOAD_KINDS.get(account.role, ()))
    return _("Tài khoản {role} không được tải lên {what} (chỉ được tải lên: {allowed}).").format(
        role=account.role_label, what=kind_label(kind), allowed=allowed)


def row_refusal(account: Account | None, commune_name: str, province: str | None = None) -> str:
    """The message for a row whose commune is outside the account's scope; the importer
    prefixes 'Dòng 5: '. E.g. 'xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn
    (Xã Định Tiến)'."""
    return _("{commune} không thuộc phạm vi tài khoản của bạn ({scope})").format(
        commune=_commune_phrase(commune_name, province), scope=scope_label(account))


def undo_refusal(account: Account | None, upload_entry: Mapping, communes_of_upload: Mapping[str, str | None]) -> str | None:
    """Why this account may not undo/redo the upload, or None when it may."""
    if may_undo(account, upload_entry, communes_of_upload):
        return None
    if account is None:
        return _(LOGIN_REQUIRED)
    if not account.active:
        return _(ACCOUNT_DISABLED)
    if account.role == LANH_DAO:
        return _("Tài khoản Lãnh đạo chỉ được xem số liệu, không được hoàn tác hay khôi phục.")
    if account.role == CAN_BO_XA:
        return _("Cán bộ xã chỉ được hoàn tác hoặc khôi phục lần tải lên của chính mình, cho xã của mình.")
    return _("Lần tải lên này có số liệu của xã ngoài phạm vi tài khoản của bạn ({scope}).").format(
        scope=scope_label(account))


def redo_refusal(account: Account | None, upload_entry: Mapping, communes_of_upload: Mapping[str, str | None]) -> str | None:
    """Why this account may not redo the upload, or None when it may."""
    if may_redo(account, upload_entry, communes_of_upload):
        return None
    if may_undo(account, upload_entry, communes_of_upload):  # staff, and an administrator undid it
        who = upload_entry.get("undone_by")
        if who:
            return _("Lần tải lên này do Quản trị (tài khoản “{who}”) hoàn tác nên chỉ Quản trị tỉnh được khôi "
                     "phục.").format(who=who)
        return _("Lần tải lên này do Quản trị hoàn tác nên chỉ Quản trị tỉnh được khôi phục.")
    return undo_refusal(account, upload_entry, communes_of_upload)


def review_refusal(account: Account | None, province: str | None) -> str | None:
    if may_review(account, province):
        return None
    if account is None:
        return _(LOGIN_REQUIRED)
    if not account.active:
        return _(ACCOUNT_DISABLED)
    if account.role != QUAN_TRI:
        return _("Chỉ Quản trị tỉnh được thẩm định số liệu của xã.")
    return _("Tỉnh {province} không thuộc phạm vi tài khoản của bạn ({scope}).").format(
        province=province, scope=scope_label(account))
