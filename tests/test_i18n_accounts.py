"""Accounts in English (`--lang en`, or the language of the moment): python -m queries.users,
the importer's refusals of an account, sign-in messages, password rules and the audit log's
labels and details. The words a person reads change; the JSON, the stored events and the
Vietnamese output do not. Names (communes, provinces, people) stay as written, so the check for
Vietnamese letters takes them out first (tests/test_i18n_outputs.py)."""
from __future__ import annotations

import io
import json
import secrets
import sys

import pytest

from queries import i18n
from queries.accounts import audit, passwords, permissions
from queries.accounts.audit import audit_events, audit_frame, details_text, shown_user
from queries.accounts.audit_log import action_label
from queries.accounts.cli import main as users_main
from queries.accounts.permissions import CAN_BO_XA, LANH_DAO, LOCAL_ADMIN, QUAN_TRI
from queries.accounts.places import Places
from queries.accounts.service import authenticate, create_account, disable_account, get_account
from tests.cycle_helpers import make_world, write
from tests.test_i18n_outputs import VIETNAMESE, vietnamese_words

HEADING = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
MIXED = (HEADING
         + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"
         + "Định Tiến;Thanh Hóa;10/2026;XH02;70,5\n"
         + "Phú Mỹ;Đồng Nai;10/2026;XH05;60\n")
TARGETS = "Tên xã;Năm;Mã chỉ tiêu;Mục tiêu\nĐịnh Tiến;2027;XH05;≥ 95%\n"
NAMES = {"Xã Định Tiến", "Định Tiến", "Xã Phú Mỹ", "Phú Mỹ", "Thanh Hóa", "Đồng Nai", "Xã Đại Phước",
         "Đại Phước", "Nguyễn Văn An", "Trần Thị Bình"}


def new_password() -> str:
    return secrets.token_urlsafe(12)  # made at test time: no password is written in the tests


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")


@pytest.fixture
def world(tmp_path):
    """The tests' catalog and four accounts, each with its own fresh password."""
    world = make_world(tmp_path, accounts=False)
    places = Places.from_database(world.catalog())
    world.passwords = {}
    for username, role, name, scope in (
        ("an", CAN_BO_XA, "Nguyễn Văn An", {"communes": ["thanh-hoa/dinh-tien"]}),
        ("binh", CAN_BO_XA, "Trần Thị Bình", {"communes": ["dong-nai/dai-phuoc"]}),
        ("tinh", QUAN_TRI, "", {"provinces": ["Thanh Hóa"]}),
        ("lanhdao", LANH_DAO, "", {"provinces": ["Thanh Hóa"]}),
    ):
        world.passwords[username] = new_password()
        create_account(LOCAL_ADMIN, world.store, username=username, role=role, name=name,
                       password=world.passwords[username], places=places, **scope)
    world.places = places
    return world


# ---- the importer refuses in English -----------------------------------------------------------


def test_a_commune_officer_s_rows_of_another_commune_are_refused_in_english(world, tmp_path):
    path = write(tmp_path, "thang10.csv", MIXED)
    vi = world.ingest(path, "--as", "an", "--json", "--dry-run")
    en = world.ingest(path, "--as", "an", "--json", "--dry-run", "--lang", "en")
    assert vi.returncode == en.returncode == 1
    one, other = json.loads(vi.stdout), json.loads(en.stdout)
    assert [e["message"] for e in one["errors"]] == [
        "Dòng 4: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)"]
    assert [e["message"] for e in other["errors"]] == [
        "Row 4: Xã Phú Mỹ (Đồng Nai) is outside your account's scope (Xã Định Tiến)"]
    assert {k: v for k, v in one.items() if k != "errors"} == {k: v for k, v in other.items() if k != "errors"}
    assert [(e["row"], e["column"]) for e in one["errors"]] == [(e["row"], e["column"]) for e in other["errors"]]


def test_a_refused_upload_through_the_command_line_in_english(world, tmp_path):
    targets = write(tmp_path, "chi_tieu.csv", TARGETS)
    done = world.ingest(targets, "--as", "an", "--json", "--lang", "en")
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"] == [{"row": None, "column": None, "message":
        "A Commune officer account may not upload targets (annual targets) (it may upload only: monthly results, "
        "tasks, spending)."}]
    leader = world.ingest(write(tmp_path, "thang10.csv", MIXED), "--as", "lanhdao", "--lang", "en")
    assert leader.returncode == 2
    assert "A Leader account may only read data, not upload." in leader.stdout
    assert not vietnamese_words(leader.stdout, NAMES | {"thang10.csv"}), leader.stdout
    disable_account(LOCAL_ADMIN, world.store, "binh")
    disabled = world.ingest(targets, "--as", "binh", "--lang", "en")
    assert disabled.returncode == 2
    assert "Account “binh”: This account has been disabled. Please contact the Province administrator." in disabled.stdout
    assert world.entries() == []  # nothing stored, in any language


def test_refusals_of_undo_redo_and_review_in_english():
    officer = permissions.Account("an", "An", CAN_BO_XA, ("Thanh Hóa",), ("thanh-hoa/dinh-tien",),
                                  commune_names=("Xã Định Tiến",))
    province = permissions.Account("tinh", "", QUAN_TRI, ("Thanh Hóa",))
    upload = {"user": "an", "undone_by": "tinh"}
    with i18n.use_language("en"):
        assert permissions.redo_refusal(officer, upload, {"thanh-hoa/dinh-tien": "Thanh Hóa"}) == (
            "This upload was undone by an administrator (account “tinh”), so only a Province administrator may redo it.")
        assert permissions.undo_refusal(officer, {"user": "binh"}, {}) == (
            "A Commune officer may undo or redo only their own uploads, for their own communes.")
        assert permissions.review_refusal(province, "Đồng Nai") == (
            "Province Đồng Nai is outside your account's scope (province Thanh Hóa).")
        assert permissions.review_refusal(None, "Đồng Nai") == "Please sign in to change data."
        assert permissions.commune_row_refusal(province, "Phú Mỹ", "Thanh Hóa", "Đồng Nai") == (
            "commune Phú Mỹ belongs to Thanh Hóa: only a national administrator may move a commune to Đồng Nai")
        assert permissions.describe(LOCAL_ADMIN) == "Administrator on the server — Province administrator, Nationwide"
        assert permissions.scope_label(None) == "Guest (read only)"
    # Vietnamese as before
    assert permissions.review_refusal(province, "Đồng Nai") == (
        "Tỉnh Đồng Nai không thuộc phạm vi tài khoản của bạn (Tỉnh Thanh Hóa).")
    assert permissions.commune_row_refusal(province, "Phú Mỹ", "Thanh Hóa", "Đồng Nai") == (
        "xã Phú Mỹ đang thuộc tỉnh Thanh Hóa: chỉ Quản trị toàn quốc được chuyển xã sang tỉnh Đồng Nai")
    assert permissions.describe(LOCAL_ADMIN) == "Quản trị trên máy chủ — Quản trị tỉnh, Toàn quốc"


# ---- signing in, passwords ---------------------------------------------------------------------


def test_sign_in_messages_and_password_rules_follow_the_language(world):
    wrong = new_password()
    with i18n.use_language("en"):
        assert authenticate(world.store, "an", wrong).message == "Wrong username or password."
        assert passwords.password_problem("ngan", "an") == "The password must have at least 8 characters."
        assert passwords.password_problem(" " + new_password(), "an") == (
            "The password must not begin or end with a space.")
        disable_account(LOCAL_ADMIN, world.store, "binh")
        assert authenticate(world.store, "binh", world.passwords["binh"]).message == (
            "This account has been disabled. Please contact the Province administrator.")
    assert authenticate(world.store, "an", wrong).message == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert authenticate(world.store, "an", world.passwords["an"]).ok
    # What the log stored is the same whatever the language of the attempts.
    failed = [e["details"] for e in audit_events(world.store) if e["action"] == "login_failed"]
    assert [d["reason"] for d in failed] == ["wrong_password", "disabled", "wrong_password"]


def test_a_lock_is_announced_in_english(world):
    import re

    with i18n.use_language("en"):
        answers = [authenticate(world.store, "tinh", new_password(), address="203.0.113.9").message for _ in range(6)]
    assert answers[:4] == ["Wrong username or password."] * 4
    assert all(re.fullmatch(r"The account is temporarily locked after 5 failed sign-ins in a row\. Try again after "
                            r"\d\d:\d\d on \d\d/\d\d/\d{4} \(Vietnam time\)\.", a) for a in answers[4:]), answers
    assert authenticate(world.store, "tinh", new_password(), address="203.0.113.9").message.startswith(
        "Tài khoản tạm khóa do đăng nhập sai 5 lần liên tiếp. Hãy thử lại sau ")


# ---- the audit log ---------------------------------------------------------------------------------


EVENTS = [
    ({"action": "login", "details": {"method": "sso", "email": "an@thanhhoa.gov.vn"}},
     "Đăng nhập bằng SSO (an@thanhhoa.gov.vn)", "Signed in with SSO (an@thanhhoa.gov.vn)"),
    ({"action": "login_failed", "details": {"username": "an", "reason": "locked_now"}},
     "Tên đăng nhập “an”: sai quá số lần cho phép, tài khoản bị tạm khóa",
     "Username “an”: too many failures, the account is now temporarily locked"),
    ({"action": "login_failed", "details": {"username": "(không hợp lệ: hơn 100 ký tự, mã 1a2b3c4d)",
                                            "reason": "unknown_user"}},
     "Tên đăng nhập “(không hợp lệ: hơn 100 ký tự, mã 1a2b3c4d)”: không có tài khoản này",
     "Username “(invalid: more than 100 characters, key 1a2b3c4d)”: no such account"),
    ({"action": "upload", "details": {"file_name": "thang10.csv", "kind": "actuals", "rows_accepted": 3,
                                      "rows_rejected": 1, "periods": ["2026-10"], "reason": "gửi bù"}},
     "Tệp “thang10.csv” (kết quả hằng tháng): 3 dòng hợp lệ, 1 dòng lỗi; kỳ Tháng 10/2026; lý do: gửi bù",
     "File “thang10.csv” (monthly results): valid rows 3, rows with errors 1; period October 2026; reason: gửi bù"),
    ({"action": "review", "details": {"commune_id": "thanh-hoa/dinh-tien", "period": "2026-10",
                                      "status": "da_tham_dinh", "comment": "Đạt"}},
     "Xã Định Tiến, Tháng 10/2026: đã thẩm định; ý kiến: Đạt", "Xã Định Tiến, October 2026: reviewed; comment: Đạt"),
    ({"action": "account_created", "details": {"target": "an", "role": "can_bo_xa",
                                               "commune_names": ["Xã Định Tiến"]}},
     "Tài khoản an (Cán bộ xã, Xã Định Tiến)", "Account an (Commune officer, Xã Định Tiến)"),
    ({"action": "account_changed", "details": {"target": "an", "changes": {
        "role": ["can_bo_xa", "quan_tri"], "provinces": [["Thanh Hóa"], ["Đồng Nai"]],
        "commune_names": [["Xã Phú Mỹ"], []]}}},
     "Tài khoản an: vai trò: Cán bộ xã → Quản trị tỉnh; tỉnh: Thanh Hóa → Đồng Nai; xã: Xã Phú Mỹ → –",
     "Account an: role: Commune officer → Province administrator; provinces: Thanh Hóa → Đồng Nai; "
     "communes: Xã Phú Mỹ → –"),
    ({"action": "password_changed", "details": {"target": "an"}}, "Tự đổi mật khẩu của mình",
     "Changed their own password"),
    ({"action": "settings_changed", "details": {"changes": [{"name": "public_view", "old": True, "new": False}]}},
     "public_view: có → không", "public_view: yes → no"),
    ({"action": "framework_loaded", "details": {"framework": "dti-xa-8-nhom@2", "name": "Tám nhóm",
                                               "years": "từ năm 2027 đến năm 2030", "status": "chính thức",
                                               "file_name": "khung.csv", "groups": "NT 50 %, HT 50 %"}},
     "Bộ khung “Tám nhóm” (dti-xa-8-nhom@2), từ năm 2027 đến năm 2030, chính thức; tệp “khung.csv”; "
     "nhóm: NT 50 %, HT 50 %",
     "Framework “Tám nhóm” (dti-xa-8-nhom@2), from 2027 to 2030, official; file “khung.csv”; groups: NT 50 %, HT 50 %"),
]


@pytest.mark.parametrize(("event", "vietnamese", "english"), EVENTS, ids=[e[0]["action"] for e in EVENTS])
def test_details_read_in_either_language_from_the_same_event(event, vietnamese, english):
    names = {"thanh-hoa/dinh-tien": "Xã Định Tiến"}
    stored = json.dumps(event, sort_keys=True)
    assert details_text(event, names) == vietnamese
    with i18n.use_language("en"):
        assert details_text(event, names) == english
    assert json.dumps(event, sort_keys=True) == stored  # the event itself is not touched


def test_the_admin_s_audit_table_labels_actions_in_the_language(world):
    authenticate(world.store, "an", new_password())
    with i18n.use_language("en"):
        frame = audit_frame(world.store, viewer=LOCAL_ADMIN, places=world.places)
        assert action_label("boundaries_loaded") == "Commune boundaries uploaded"
        assert shown_user("(không hợp lệ: 12 ký tự, mã 0f0f0f0f)") == "(invalid: 12 characters, key 0f0f0f0f)"
    assert frame["action"].to_list()[:2] == ["login_failed", "account_created"]  # codes never change
    assert frame["action_label"].to_list()[:2] == ["Failed sign-in", "Create account"]
    assert frame["details"].to_list()[0] == "Username “an”: wrong password"
    assert all(not VIETNAMESE.search(label) for label in frame["action_label"].to_list())
    vietnamese = audit_frame(world.store, viewer=LOCAL_ADMIN, places=world.places)
    assert vietnamese["action_label"].to_list()[:2] == ["Đăng nhập sai", "Tạo tài khoản"]
    assert set(audit.LOGIN_FAILURE_REASONS) >= {"wrong_password", "locked_now"}


def test_the_audit_export_in_english_keeps_its_json(world, capsys, monkeypatch):
    from queries.reports import export

    authenticate(world.store, "an", new_password())
    monkeypatch.setenv("DTI_STORE", str(world.store))
    assert export.main(["audit", "--format", "json"]) == 0
    json_vi = capsys.readouterr().out
    assert export.main(["audit", "--format", "json", "--lang", "en"]) == 0
    assert capsys.readouterr().out == json_vi
    assert export.main(["audit", "--format", "csv", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0] == "Time (Vietnam time),Done by,Action,Details"
    assert lines[-1].endswith(",an,Failed sign-in,Username “an”: wrong password")
    assert not vietnamese_words("\n".join(lines), NAMES)


# ---- python -m queries.users --lang en ---------------------------------------------------------------


@pytest.fixture
def users(world, monkeypatch, capsys):
    monkeypatch.setattr(Places, "for_store", classmethod(lambda cls, root: world.places))

    def run(*args, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = users_main([*map(str, args), "--store", str(world.store)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


def test_the_users_command_speaks_english(users, world):
    password = new_password()
    code, out, err = users("add", "Chi", "--role", "can_bo_xa", "--commune", "xa dinh tien", "--province", "Thanh Hoa",
                           "--name", "Nguyễn Văn An", "--password-stdin", "--lang", "en", stdin=password + "\n")
    assert (code, out.strip(), err) == (0, "Created account “chi” (Commune officer, Xã Định Tiến).", "")
    assert get_account(world.store, "chi").role == CAN_BO_XA
    code, out, _ = users("list", "--lang", "en")
    assert code == 0
    head, rule, *rows = out.splitlines()
    assert head.split() == ["Username", "Full", "name", "Role", "Scope", "Email", "Status"]
    assert any(r.startswith("tinh ") and "Province administrator" in r and "province Thanh Hóa" in r for r in rows)
    assert any(r.startswith("lanhdao ") and "Leader" in r and r.endswith("active") for r in rows)
    assert not vietnamese_words(out, NAMES), out
    code, out, _ = users("disable", "binh", "--lang", "en")
    assert (code, out.strip()) == (0, "Disabled account “binh”: it can no longer sign in.")
    code, _, err = users("update", "chi", "--lang", "en")
    assert code == 2 and err.strip() == "Error: Nothing to change: give --role, --province, --commune, --name or --email."
    assert i18n.current() == "vi"  # main() leaves the caller's language as it was


@pytest.mark.parametrize(("args", "stdin", "english"), [
    (("add", "x1", "--role", "quan_tri", "--password-stdin"), "ngan\n",
     "Error: The password must have at least 8 characters."),
    (("add", "x2", "--role", "sep"), "",
     "Error: The role “sep” is not valid: choose quan_tri (Province administrator), can_bo_xa (Commune officer), "
     "lanh_dao (Leader)."),
    (("add", "x3", "--role", "can_bo_xa", "--commune", "Không Có", "--password-stdin"), "{password}\n",
     "Error: No commune “Không Có” was found."),
    (("enable", "ai-do"), "", "Error: There is no account “ai-do”."),
    (("bogus",), "", "Error: COMMAND: “bogus” is not valid (choose one of: 'add', 'update', 'list', 'disable', "
                     "'enable', 'set-password'). See: python -m queries.users --help"),
    (("set-password", "an"), "",
     "Error: Give the password through --password-stdin (never write a password on the command line)."),
])
def test_the_users_command_refuses_in_english_with_one_error_prefix(users, args, stdin, english):
    code, out, err = users(*args, "--lang", "en", stdin=stdin.format(password=new_password()))
    assert (code, out, err.strip()) == (2, "", english)
    assert err.count("Error:") == 1 and not VIETNAMESE.search(err.replace("Không Có", ""))
    code, _, err = users(*args, stdin=stdin.format(password=new_password()))  # Vietnamese: one "Lỗi:" too
    assert code == 2 and err.startswith("Lỗi: ") and err.count("Lỗi:") == 1 and "Error" not in err


def test_the_users_command_s_help_is_english(users):
    for args in (("--help",), ("add", "--help"), ("list", "--help")):
        code, out, _ = users(*args, "--lang", "en")
        assert code == 0 and not VIETNAMESE.search(out), out
    _, out, _ = users("add", "--help", "--lang", "en")
    assert "--role ROLE" in out and "--province PROVINCE" in out and "USERNAME" in out
    _, out, _ = users("add", "--help")
    assert "--role VAI_TRÒ" in out and "TÊN_ĐĂNG_NHẬP" in out  # Vietnamese as before


def test_the_users_json_is_the_same_in_both_languages(users):
    _, vietnamese, _ = users("list", "--json")
    _, english, _ = users("list", "--json", "--lang", "en")
    assert vietnamese == english
    assert {row["role"] for row in json.loads(english)} == {CAN_BO_XA, QUAN_TRI, LANH_DAO}


def test_dti_lang_sets_the_users_command_s_language(users, monkeypatch):
    monkeypatch.setenv("DTI_LANG", "en")
    code, _, err = users("enable", "ai-do")
    assert (code, err.strip()) == (2, "Error: There is no account “ai-do”.")


def test_no_password_reaches_the_output_in_any_language(users, world):
    password = new_password()
    code, out, err = users("set-password", "an", "--password-stdin", "--lang", "en", stdin=password + "\n")
    assert code == 0 and password not in out + err
    assert out.strip() == "Set a new password for account “an”; the account's open sessions have ended."
    assert authenticate(world.store, "an", password).ok


def test_commands_write_the_error_prefix_once_in_either_language(tmp_path, capsys):
    from queries.arguments import error_line
    from queries.migrate import main as store_main

    with i18n.use_language("en"):
        assert error_line("Error: already said") == "Error: already said"
        assert error_line("There is no account “x”.") == "Error: There is no account “x”."
    assert error_line("Lỗi: đã có") == "Lỗi: đã có" and error_line("Không có") == "Lỗi: Không có"
    assert store_main(["migrate", "--to", "mysql://may-chu/dti", "--store", str(tmp_path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --to ") and err.count("Error") == 1, err
    assert store_main(["migrate", "--to", "mysql://may-chu/dti", "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: --to ") and err.count("Lỗi") == 1, err
