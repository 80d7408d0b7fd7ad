"""The rules of roles and scopes, every role against every action (queries.accounts.permissions)."""
from __future__ import annotations

import pytest

from queries.accounts.permissions import (
    CAN_BO_XA,
    LANH_DAO,
    LOCAL_ADMIN,
    QUAN_TRI,
    Account,
    commune_in_scope,
    describe,
    may_browse,
    may_change_settings,
    may_manage,
    may_manage_accounts,
    may_review,
    may_see_audit,
    may_see_upload,
    may_undo,
    may_upload,
    may_upload_row,
    province_in_scope,
    review_refusal,
    row_refusal,
    scope_label,
    undo_refusal,
    upload_refusal,
    visible_provinces,
)

ACCOUNTS = {
    "admin_all": Account("qt", "Quản trị", QUAN_TRI),
    "admin_th": Account("qt_th", "Quản trị Thanh Hóa", QUAN_TRI, provinces=("Thanh Hóa",)),
    "staff_dt": Account("an", "Nguyễn Văn An", CAN_BO_XA, provinces=("Thanh Hóa",),
                        communes=("thanh-hoa/dinh-tien",), commune_names=("Xã Định Tiến",)),
    "leader_dn": Account("ld", "Lãnh đạo Đồng Nai", LANH_DAO, provinces=("Đồng Nai",)),
    "leader_all": Account("ld_all", "Lãnh đạo", LANH_DAO),
    "disabled_admin": Account("cu", "Đã nghỉ", QUAN_TRI, active=False),
    "visitor": None,
}

DINH_TIEN = {"thanh-hoa/dinh-tien": "Thanh Hóa"}
PHU_MY_TH = {"thanh-hoa/phu-my": "Thanh Hóa"}
BOTH_PROVINCES = {"thanh-hoa/dinh-tien": "Thanh Hóa", "dong-nai/dai-phuoc": "Đồng Nai"}
BY_AN = {"upload_id": "u1", "user": "an"}
BY_OTHER = {"upload_id": "u2", "user": "binh"}

QUESTIONS = {
    "upload actuals": lambda a: may_upload(a, "actuals"),
    "upload tasks": lambda a: may_upload(a, "tasks"),
    "upload spending": lambda a: may_upload(a, "spending"),
    "upload targets": lambda a: may_upload(a, "targets"),
    "upload communes": lambda a: may_upload(a, "communes"),
    "actuals row of own commune": lambda a: may_upload_row(a, "actuals", "thanh-hoa/dinh-tien", "Thanh Hóa"),
    "actuals row of a neighbour": lambda a: may_upload_row(a, "actuals", "thanh-hoa/phu-my", "Thanh Hóa"),
    "actuals row in Đồng Nai": lambda a: may_upload_row(a, "actuals", "dong-nai/phu-my", "Đồng Nai"),
    "commune Định Tiến in scope": lambda a: commune_in_scope(a, "thanh-hoa/dinh-tien", "Thanh Hóa"),
    "commune of Đồng Nai in scope": lambda a: commune_in_scope(a, "dong-nai/dai-phuoc", "Đồng Nai"),
    "read Thanh Hóa": lambda a: province_in_scope(a, "Thanh Hóa"),
    "read Đồng Nai (typed without accents)": lambda a: province_in_scope(a, "tinh dong nai"),
    "undo own upload": lambda a: may_undo(a, BY_AN, DINH_TIEN),
    "undo someone's upload in Thanh Hóa": lambda a: may_undo(a, BY_OTHER, PHU_MY_TH),
    "undo an upload across provinces": lambda a: may_undo(a, BY_OTHER, BOTH_PROVINCES),
    "undo own upload of a commune no longer its own": lambda a: may_undo(a, BY_AN, PHU_MY_TH),
    "see own upload": lambda a: may_see_upload(a, BY_AN, DINH_TIEN),
    "see someone's upload in Thanh Hóa": lambda a: may_see_upload(a, BY_OTHER, PHU_MY_TH),
    "review Thanh Hóa": lambda a: may_review(a, "Thanh Hóa"),
    "review Đồng Nai": lambda a: may_review(a, "Đồng Nai"),
    "manage accounts": may_manage_accounts,
    "manage an account of Thanh Hóa": lambda a: may_manage(a, ["Thanh Hóa"]),
    "manage a country-wide account": lambda a: may_manage(a, []),
    "change settings": may_change_settings,
    "see the audit log": may_see_audit,
    "browse when public_view is off": lambda a: may_browse(a, False),
    "browse when public_view is on": lambda a: may_browse(a, True),
}

ALL_UPLOADS = {"upload actuals", "upload tasks", "upload spending", "upload targets", "upload communes"}
ADMIN = {"manage accounts", "change settings", "see the audit log", "browse when public_view is off",
         "browse when public_view is on"}
ALLOWED = {
    "admin_all": set(QUESTIONS),  # country-wide: everything, every upload
    # A province admin does not change the settings: they are the whole country's.
    "admin_th": ALL_UPLOADS | (ADMIN - {"change settings"}) | {
        "actuals row of own commune", "actuals row of a neighbour", "commune Định Tiến in scope", "read Thanh Hóa",
        "undo own upload", "undo someone's upload in Thanh Hóa", "undo own upload of a commune no longer its own",
        "see own upload", "see someone's upload in Thanh Hóa", "review Thanh Hóa", "manage an account of Thanh Hóa"},
    "staff_dt": {"upload actuals", "upload tasks", "upload spending", "actuals row of own commune",
                 "commune Định Tiến in scope", "read Thanh Hóa", "undo own upload", "see own upload",
                 "browse when public_view is off", "browse when public_view is on"},
    "leader_dn": {"commune of Đồng Nai in scope", "read Đồng Nai (typed without accents)",
                  "browse when public_view is off", "browse when public_view is on"},
    "leader_all": {"commune Định Tiến in scope", "commune of Đồng Nai in scope", "read Thanh Hóa",
                   "read Đồng Nai (typed without accents)", "see own upload", "see someone's upload in Thanh Hóa",
                   "browse when public_view is off", "browse when public_view is on"},
    "disabled_admin": set(),
    "visitor": {"read Thanh Hóa", "read Đồng Nai (typed without accents)", "browse when public_view is on"},
}


@pytest.mark.parametrize("who", list(ACCOUNTS))
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_every_role_and_action(who, question):
    assert QUESTIONS[question](ACCOUNTS[who]) is (question in ALLOWED[who])


def test_local_admin_is_a_country_wide_administrator_named_after_the_system_user():
    import getpass

    assert LOCAL_ADMIN.role == QUAN_TRI and LOCAL_ADMIN.provinces == () and LOCAL_ADMIN.username == getpass.getuser()
    assert may_manage(LOCAL_ADMIN, []) and may_undo(LOCAL_ADMIN, BY_OTHER, {})


def test_visible_provinces_keep_the_given_order():
    provinces = ["Thanh Hóa", "Đồng Nai", "Quảng Ngãi"]
    assert visible_provinces(ACCOUNTS["leader_dn"], provinces) == ["Đồng Nai"]
    assert visible_provinces(ACCOUNTS["staff_dt"], provinces) == ["Thanh Hóa"]
    assert visible_provinces(ACCOUNTS["admin_all"], provinces) == provinces
    assert visible_provinces(None, provinces) == provinces
    assert visible_provinces(ACCOUNTS["disabled_admin"], provinces) == []


def test_scope_labels():
    assert scope_label(ACCOUNTS["staff_dt"]) == "Xã Định Tiến"
    assert scope_label(Account("x", "", QUAN_TRI, provinces=("Thanh Hóa", "Đồng Nai"))) == "Tỉnh Thanh Hóa, Đồng Nai"
    assert scope_label(ACCOUNTS["leader_all"]) == "Toàn quốc"
    two = Account("y", "", CAN_BO_XA, provinces=("Thanh Hóa", "Đồng Nai"),
                  communes=("thanh-hoa/phu-my", "dong-nai/phu-my"), commune_names=("Xã Phú Mỹ", "Xã Phú Mỹ"))
    assert scope_label(two) == "Xã Phú Mỹ, Xã Phú Mỹ (Thanh Hóa, Đồng Nai)"
    assert describe(ACCOUNTS["staff_dt"]) == "Nguyễn Văn An — Cán bộ xã, Xã Định Tiến"


def test_refusal_messages():
    staff, leader = ACCOUNTS["staff_dt"], ACCOUNTS["leader_dn"]
    assert row_refusal(staff, "Xã Phú Mỹ") == "xã Phú Mỹ không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)"
    assert row_refusal(staff, "Phú Mỹ", "Đồng Nai") == \
        "xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)"
    assert row_refusal(ACCOUNTS["admin_th"], "Phường Tam Hiệp", "Đồng Nai") == \
        "phường Tam Hiệp (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Tỉnh Thanh Hóa)"
    assert upload_refusal(leader, "actuals") == "Tài khoản Lãnh đạo chỉ được xem số liệu, không được tải lên."
    assert upload_refusal(staff, "targets") == (
        "Tài khoản Cán bộ xã không được tải lên chỉ tiêu (mục tiêu năm) "
        "(chỉ được tải lên: kết quả hằng tháng, nhiệm vụ, kinh phí).")
    assert upload_refusal(staff, "actuals") is None
    assert upload_refusal(None, "actuals") == "Hãy đăng nhập để thay đổi số liệu."
    assert upload_refusal(ACCOUNTS["disabled_admin"], "actuals").startswith("Tài khoản này đã bị vô hiệu hóa")
    assert undo_refusal(staff, BY_OTHER, DINH_TIEN) == \
        "Cán bộ xã chỉ được hoàn tác hoặc khôi phục lần tải lên của chính mình, cho xã của mình."
    assert undo_refusal(ACCOUNTS["admin_th"], BY_OTHER, BOTH_PROVINCES) == \
        "Lần tải lên này có số liệu của xã ngoài phạm vi tài khoản của bạn (Tỉnh Thanh Hóa)."
    assert undo_refusal(ACCOUNTS["admin_th"], BY_OTHER, PHU_MY_TH) is None
    assert review_refusal(leader, "Đồng Nai") == "Chỉ Quản trị tỉnh được thẩm định số liệu của xã."
    assert review_refusal(ACCOUNTS["admin_th"], "Đồng Nai") == \
        "Tỉnh Đồng Nai không thuộc phạm vi tài khoản của bạn (Tỉnh Thanh Hóa)."


def test_staff_redo_only_what_they_undid_themselves():
    from queries.accounts.permissions import may_redo, redo_refusal

    staff, admin = ACCOUNTS["staff_dt"], ACCOUNTS["admin_th"]
    undone_by_admin = {**BY_AN, "active": False, "undone_by": "qt_th"}
    undone_by_self = {**BY_AN, "active": False, "undone_by": "an"}
    assert may_redo(staff, undone_by_self, DINH_TIEN) and not may_redo(staff, undone_by_admin, DINH_TIEN)
    assert may_redo(admin, undone_by_admin, DINH_TIEN) and may_redo(LOCAL_ADMIN, undone_by_self, DINH_TIEN)
    assert redo_refusal(staff, undone_by_admin, DINH_TIEN) == \
        "Lần tải lên này do Quản trị (tài khoản “qt_th”) hoàn tác nên chỉ Quản trị tỉnh được khôi phục."
    assert redo_refusal(ACCOUNTS["leader_dn"], undone_by_self, DINH_TIEN) == \
        "Tài khoản Lãnh đạo chỉ được xem số liệu, không được hoàn tác hay khôi phục."
