"""`python -m queries.users`: exit codes, Vietnamese messages, JSON listing, and the password
never shown, never on the command line, never in a file but as a hash."""
from __future__ import annotations

import getpass
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from queries.accounts import passwords
from queries.accounts.audit import audit_lines
from queries.accounts.cli import main
from queries.accounts.places import Places
from queries.accounts.service import authenticate, current_account
from queries.db import Database
from tests.upload_data import make_data_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> Places:
    folder = tmp_path_factory.mktemp("catalog")
    return Places.from_database(Database(store=folder / "store", include_demo=False,
                                         data_dir=make_data_dir(folder / "data")))


@pytest.fixture
def store(tmp_path, places, monkeypatch) -> Path:
    monkeypatch.setenv(passwords.TEST_ENV, "1")
    # In this process the Database would read the shipped data; the commands resolve
    # communes against the tests' small catalog instead.
    monkeypatch.setattr(Places, "for_store", classmethod(lambda cls, root: places))
    return tmp_path / "store"


def users(store, monkeypatch, capsys, *args, stdin: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin if stdin is not None else ""))
    code = main([*map(str, args), "--store", str(store)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def new_password() -> str:
    return secrets.token_urlsafe(12)


def test_add_list_disable_enable_set_password(store, monkeypatch, capsys):
    password = new_password()
    code, out, err = users(store, monkeypatch, capsys, "add", "An", "--role", "can_bo_xa", "--commune", "xa dinh tien",
                           "--province", "Thanh Hoa", "--name", "Nguyễn Văn An", "--email", "an@thanhhoa.gov.vn",
                           "--password-stdin", stdin=password + "\n")
    assert (code, out, err) == (0, "Đã tạo tài khoản “an” (Cán bộ xã, Xã Định Tiến).\n", "")
    assert authenticate(store, "an", password).ok  # the line end is not part of the password
    code, out, _ = users(store, monkeypatch, capsys, "add", "tinh", "--role", "quan_tri", "--province", "dong nai",
                         "--password-stdin", stdin=new_password())
    assert (code, out) == (0, "Đã tạo tài khoản “tinh” (Quản trị tỉnh, Tỉnh Đồng Nai).\n")

    code, out, _ = users(store, monkeypatch, capsys, "list", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"username": "an", "name": "Nguyễn Văn An", "role": "can_bo_xa", "provinces": ["Thanh Hóa"],
         "communes": ["thanh-hoa/dinh-tien"], "commune_names": ["Xã Định Tiến"], "email": "an@thanhhoa.gov.vn",
         "active": True},
        {"username": "tinh", "name": "", "role": "quan_tri", "provinces": ["Đồng Nai"], "communes": [],
         "commune_names": [], "email": None, "active": True},
    ]
    assert users(store, monkeypatch, capsys, "disable", "AN")[:2] == (
        0, "Đã vô hiệu hóa tài khoản “an”: không đăng nhập được nữa.\n")
    code, out, _ = users(store, monkeypatch, capsys, "list")
    assert out.splitlines() == [
        "Tên đăng nhập  Họ tên         Vai trò        Phạm vi        Email               Trạng thái",
        "-------------  -------------  -------------  -------------  ------------------  --------------",
        "an             Nguyễn Văn An  Cán bộ xã      Xã Định Tiến   an@thanhhoa.gov.vn  đã vô hiệu hóa",
        "tinh           –              Quản trị tỉnh  Tỉnh Đồng Nai  –                   hoạt động",
    ]
    assert users(store, monkeypatch, capsys, "enable", "an")[:2] == (0, "Đã kích hoạt lại tài khoản “an”.\n")
    second = new_password()
    session = authenticate(store, "an", password).account  # a browser signed in before the reset
    assert current_account(store, session) == session
    assert users(store, monkeypatch, capsys, "set-password", "an", "--password-stdin", stdin=second + "\r\n")[:2] == (
        0, "Đã đặt mật khẩu mới cho tài khoản “an”; các phiên đang đăng nhập của tài khoản này đã kết thúc.\n")
    assert current_account(store, session) is None  # the reset ended it
    assert authenticate(store, "an", second).ok and not authenticate(store, "an", password).ok
    assert users(store, monkeypatch, capsys, "update", "an", "--commune", "Phú Mỹ", "--province", "Thanh Hóa")[:2] == (
        0, "Đã sửa tài khoản “an” (Cán bộ xã, Xã Phú Mỹ).\n")

    # The person at the terminal is recorded under their system name.
    lines = [(line["user"], line["action"], line["details"].get("target")) for line in audit_lines(store)
             if line["action"] not in ("login", "login_failed")]
    me = getpass.getuser()
    assert lines == [(me, "account_created", "an"), (me, "account_created", "tinh"), (me, "account_disabled", "an"),
                     (me, "account_enabled", "an"), (me, "password_set", "an"), (me, "account_changed", "an")]
    assert all(line["details"].get("via") == "command_line" for line in audit_lines(store) if line["user"] == me)
    for path in store.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes() and second.encode() not in path.read_bytes()


ERRORS = [
    (["add", "an", "--role", "tester", "--password-stdin"], "Lỗi: Vai trò “tester” không hợp lệ: chọn quan_tri "
     "(Quản trị tỉnh), can_bo_xa (Cán bộ xã), lanh_dao (Lãnh đạo)."),
    (["add", "an", "--role", "can_bo_xa", "--commune", "Xã Không Có", "--password-stdin"],
     "Lỗi: Không tìm thấy xã “Xã Không Có”."),
    (["add", "an", "--role", "can_bo_xa", "--commune", "Phú Mỹ", "--password-stdin"],
     "Lỗi: Có nhiều xã tên “Phú Mỹ”: Xã Phú Mỹ (Đồng Nai, mã dong-nai/phu-my); Xã Phú Mỹ (Thanh Hóa, mã "
     "thanh-hoa/phu-my). Hãy ghi thêm tỉnh hoặc dùng mã xã."),
    (["add", "an", "--role", "can_bo_xa", "--password-stdin"],
     "Lỗi: Tài khoản Cán bộ xã phải gắn với ít nhất một xã."),
    (["add", "an", "--role", "lanh_dao", "--province", "Hà Giang", "--password-stdin"],
     "Lỗi: Không có tỉnh “Hà Giang” trong danh sách xã."),
    (["add", "an", "--role", "lanh_dao"], "Lỗi: Hãy đưa mật khẩu qua --password-stdin (không bao giờ ghi mật khẩu "
     "trên dòng lệnh), hoặc ghi --email cho tài khoản chỉ đăng nhập bằng SSO."),
    (["add", "an", "--role", "lanh_dao", "--password-stdin", "EMPTY"], "Lỗi: Mật khẩu không được để trống."),
    (["add", "an", "--role", "lanh_dao", "--password-stdin", "SHORT"], "Lỗi: Mật khẩu phải có ít nhất 8 ký tự."),
    (["add", "existing", "--role", "lanh_dao", "--password-stdin"], "Lỗi: Tài khoản “existing” đã có."),
    (["disable", "khong-co"], "Lỗi: Không có tài khoản “khong-co”."),
    (["set-password", "existing"], "Lỗi: Hãy đưa mật khẩu qua --password-stdin (không bao giờ ghi mật khẩu trên "
     "dòng lệnh)."),
    (["update", "existing"], "Lỗi: Không có gì để sửa: hãy ghi --role, --province, --commune, --name hoặc --email."),
    (["add", "an"], "Lỗi: thiếu tham số: --role. Xem: python -m queries.users --help"),
    (["remove", "an"], "Lỗi: LỆNH: “remove” không hợp lệ (chọn một trong: 'add', 'update', 'list', 'disable', "
     "'enable', 'set-password'). Xem: python -m queries.users --help"),
    (["list", "--password", "x"], "Lỗi: không hiểu tham số: --password x. Xem: python -m queries.users --help"),
]


@pytest.mark.parametrize("args,message", ERRORS, ids=[" ".join(a[:3]) for a, _ in ERRORS])
def test_every_error_exits_2_with_one_vietnamese_message(store, monkeypatch, capsys, args, message):
    assert users(store, monkeypatch, capsys, "add", "existing", "--role", "lanh_dao", "--password-stdin",
                 stdin=new_password())[0] == 0
    password = new_password()
    stdin = {"EMPTY": "\n", "SHORT": "abc\n"}.get(args[-1], password + "\n")
    args = [a for a in args if a not in ("EMPTY", "SHORT")]
    code, out, err = users(store, monkeypatch, capsys, *args, stdin=stdin)
    assert (code, out, err) == (2, "", message + "\n")
    assert password not in err


def test_the_command_runs_as_a_module_reads_the_password_from_stdin_and_never_echoes_it(tmp_path):
    env = {**os.environ, "DTI_DATA_DIR": str(make_data_dir(tmp_path / "data")), "DTI_STORE": str(tmp_path / "store"),
           passwords.TEST_ENV: "1"}
    password = new_password()

    def run(*args, stdin=""):
        done = subprocess.run([sys.executable, "-m", "queries.users", *args], cwd=ROOT, env=env, input=stdin,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert "Traceback" not in done.stdout + done.stderr
        assert password not in done.stdout + done.stderr
        return done

    added = run("add", "an", "--role", "can_bo_xa", "--commune", "Định Tiến", "--password-stdin", stdin=password + "\n")
    assert (added.returncode, added.stdout) == (0, "Đã tạo tài khoản “an” (Cán bộ xã, Xã Định Tiến).\n")
    listed = run("list", "--json")
    assert listed.returncode == 0 and [a["communes"] for a in json.loads(listed.stdout)] == [["thanh-hoa/dinh-tien"]]
    refused = run("add", "binh", "--role", "can_bo_xa", "--commune", "Xã Phú Mỹ", "--password-stdin", stdin=password)
    assert refused.returncode == 2 and refused.stderr.startswith("Lỗi: Có nhiều xã tên “Xã Phú Mỹ”")
    assert authenticate(tmp_path / "store", "an", password).ok
