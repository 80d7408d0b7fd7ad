"""Who may upload what, in the importer and on its command line: a commune officer's
mixed file stores its own rows and names the others, a leader uploads nothing, undo and redo
follow the account, and every change goes through queries/changes.py like the page's."""
from __future__ import annotations

import dataclasses
import getpass
import secrets

import polars as pl
import pytest

from queries import changes
from queries.accounts import passwords
from queries.accounts.permissions import ACCOUNT_DISABLED, LOCAL_ADMIN, QUAN_TRI
from queries.accounts.places import Places
from queries.accounts.service import create_account, disable_account, get_account
from queries.ingest.pipeline import PROGRAM_REASON, check_file, store_checked
from queries.store import Store
from tests.cycle_helpers import make_world, write
from tests.upload_data import TODAY

HEADING = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
MIXED = (HEADING
         + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"
         + "Định Tiến;Thanh Hóa;10/2026;XH02;70,5\n"
         + "Định Tiến;Thanh Hóa;10/2026;XH01;40\n"
         + "Phú Mỹ;Đồng Nai;10/2026;XH05;60\n")
OTHER_COMMUNE = "Dòng 5: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)"
LEADER = "Tài khoản Lãnh đạo chỉ được xem số liệu, không được tải lên."


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def check_as(world, username: str | None, text: str, name: str = "thang10.csv"):
    actor = get_account(world.store, username) if username else None
    return check_file(text.encode("utf-8"), name, db=world.catalog(), today=TODAY, actor=actor)


def stored_rows(world, upload_id: str) -> list[tuple]:
    rows = Store(world.store).upload_rows(upload_id)
    return rows.select("row_number", "commune_id", "indicator", "value").sort("row_number").rows()


def test_a_commune_officer_stores_its_own_rows_and_is_told_about_the_others(world, tmp_path):
    code, output = world.ingest_json(write(tmp_path, "thang10.csv", MIXED), "--as", "an")
    assert code == 1
    assert [a["row"] for a in output["accepted"]] == [2, 3, 4]
    assert output["errors"] == [{"row": 5, "column": "ten_xa", "message": OTHER_COMMUNE}]
    upload_id = output["stored"]["upload_id"]
    assert output["stored"] == {"upload_id": upload_id, "duplicate": False}
    [entry] = world.entries()
    assert (entry["user"], entry["rows_accepted"], entry["rows_rejected"]) == ("an", 3, 1)
    assert stored_rows(world, upload_id) == [(2, "thanh-hoa/dinh-tien", "XH05", 81.0),
                                             (3, "thanh-hoa/dinh-tien", "XH02", 70.5),
                                             (4, "thanh-hoa/dinh-tien", "XH01", 40.0)]

    # The same bytes stored by the province bring the fourth row: a new upload, not a repeat.
    code, output = world.ingest_json(tmp_path / "thang10.csv", "--user", "Văn phòng tỉnh")
    assert (code, output["errors"], output["stored"]["duplicate"]) == (0, [], False)
    assert [(e["user"], e["rows_accepted"]) for e in world.entries()] == [("an", 3), ("Văn phòng tỉnh", 4)]


def test_what_the_checker_refuses_for_each_account(world):
    officer = check_as(world, "an", MIXED)
    assert [(e.row, e.message) for e in officer.errors] == [(5, OTHER_COMMUNE)]
    # A province's admin: the other province's rows only.
    province = check_as(world, "tinh", MIXED)
    assert [e.message for e in province.errors] == [
        "Dòng 5: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Tỉnh Thanh Hóa)"]
    assert [r.row for r in check_as(world, None, MIXED).accepted] == [2, 3, 4, 5]  # the local administrator
    # A row outside the scope says only that: its other problems cannot matter to this account.
    bad = check_as(world, "an", HEADING + "Phú Mỹ;Đồng Nai;10/2026;XH05;400\n")
    assert [e.message for e in bad.errors] == [
        "Dòng 2: xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)"]


@pytest.mark.parametrize(("username", "text", "message"), [
    ("lanhdao", MIXED, LEADER),
    # refused before anything is read, so even a picture gets the same sentence
    ("lanhdao", "\x89PNG\r\n\x1a\n", LEADER),
    ("an", "Tên xã;Năm;Mã chỉ tiêu;Mục tiêu\nĐịnh Tiến;2027;XH05;≥ 95%\n",
     "Tài khoản Cán bộ xã không được tải lên chỉ tiêu (mục tiêu năm) "
     "(chỉ được tải lên: kết quả hằng tháng, nhiệm vụ, kinh phí)."),
    ("an", "ma_xa,ten_xa,tinh,dan_so\n,Xã Tân Mới,Thanh Hóa,1000\n",
     "Tài khoản Cán bộ xã không được tải lên danh sách xã "
     "(chỉ được tải lên: kết quả hằng tháng, nhiệm vụ, kinh phí)."),
])
def test_a_role_that_may_not_upload_the_kind_gets_one_file_error(world, username, text, message):
    result = check_as(world, username, text)
    assert [(e.row, e.column, e.message) for e in result.errors] == [(None, None, message)]
    assert (result.exit_code, result.rows) == (2, [])


def test_a_disabled_account_uploads_nothing(world):
    disable_account(LOCAL_ADMIN, world.store, "an")
    result = check_as(world, "an", MIXED)
    assert [e.message for e in result.errors] == [ACCOUNT_DISABLED]


def test_a_leader_is_refused_on_the_command_line_and_nothing_is_stored(world, tmp_path):
    path = write(tmp_path, "thang10.csv", MIXED)
    code, output = world.ingest_json(path, "--as", "lanhdao")
    assert code == 2
    assert output == {"file": str(path), "kind": None, "rows": 0, "accepted": [],
                      "errors": [{"row": None, "column": None, "message": LEADER}], "warnings": [], "duplicates": []}
    assert world.entries() == []


def test_unknown_or_disabled_accounts_and_mixed_options_are_refused(world, tmp_path):
    path = write(tmp_path, "thang10.csv", MIXED)
    code, output = world.ingest_json(path, "--as", "ai-do")
    assert code == 2
    assert output["errors"][0]["message"] == f"Không có tài khoản “ai-do” trong kho dữ liệu {world.store.resolve()}."
    disable_account(LOCAL_ADMIN, world.store, "binh")
    done = world.ingest(path, "--as", "binh")
    assert done.returncode == 2 and f"Tài khoản “binh”: {ACCOUNT_DISABLED}" in done.stdout
    done = world.ingest(path, "--as", "an", "--user", "Ai đó")
    assert done.returncode == 2
    assert done.stderr.strip() == "Lỗi: --user không dùng cùng với --as. Xem: python -m queries.ingest --help"
    assert world.entries() == []


def test_without_as_the_system_user_is_recorded(world, tmp_path):
    code, output = world.ingest_json(write(tmp_path, "thang10.csv", MIXED))
    assert code == 0
    assert [e["user"] for e in world.entries()] == [getpass.getuser()]


def test_undo_and_redo_follow_the_account(world, tmp_path):
    _, own = world.ingest_json(write(tmp_path, "cua-an.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"),
                               "--as", "an")
    own_id = own["stored"]["upload_id"]
    _, province = world.ingest_json(write(tmp_path, "cua-tinh.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH02;75\n"),
                                    "--as", "tinh")
    province_id = province["stored"]["upload_id"]

    assert world.ingest_json("--undo", own_id, "--as", "an") == (0, {"undone": own_id, "changed": True, "errors": []})
    assert world.ingest_json("--undo", own_id, "--as", "an") == (0, {"undone": own_id, "changed": False, "errors": []})
    done = world.ingest("--redo", own_id, "--as", "an")
    assert (done.returncode, done.stdout.strip()) == (0, f"Đã khôi phục lần tải lên {own_id} (tệp “cua-an.csv”)")

    refused = "Cán bộ xã chỉ được hoàn tác hoặc khôi phục lần tải lên của chính mình, cho xã của mình."
    assert world.ingest_json("--undo", province_id, "--as", "an") == (
        2, {"undone": province_id, "changed": False, "errors": [{"row": None, "column": None, "message": refused}]})
    assert world.ingest_json("--undo", own_id, "--as", "binh")[0] == 2
    code, output = world.ingest_json("--redo", own_id, "--as", "lanhdao")
    assert (code, output["errors"][0]["message"]) == (
        2, "Tài khoản Lãnh đạo chỉ được xem số liệu, không được hoàn tác hay khôi phục.")
    code, output = world.ingest_json("--undo", "khong-co", "--as", "tinh")
    assert (code, output["errors"][0]["message"]) == (2, "Không có lần tải lên mã “khong-co”.")
    # The province's admin undoes an upload of its province's commune, whoever made it.
    assert world.ingest_json("--undo", own_id, "--as", "tinh")[0] == 0

    lines = [line for line in Store(world.store).journal.read(0)[0] if line["action"] in ("undo", "redo")]
    assert [(line["action"], line["upload_id"], line["user"]) for line in lines] == [
        ("undo", own_id, "an"), ("redo", own_id, "an"), ("undo", own_id, "tinh")]
    assert world.ingest("--undo", own_id, tmp_path / "cua-an.csv").returncode == 2


def test_store_checked_goes_through_the_door_and_checks_again(world):
    result = check_as(world, None, MIXED)  # checked as the local administrator: every row accepted
    officer = get_account(world.store, "an")
    with pytest.raises(changes.Refused) as refused:
        store_checked(result, world.store, actor=officer)
    assert refused.value.message == OTHER_COMMUNE
    with pytest.raises(changes.Refused, match="Lãnh đạo"):
        store_checked(result, world.store, actor=get_account(world.store, "lanhdao"))
    assert world.entries() == []

    receipt = store_checked(result, Store(world.store), user="Phòng VH-XH")
    [entry] = world.entries()
    assert (entry["upload_id"], entry["user"], entry["reason"]) == (receipt.upload_id, "Phòng VH-XH", None)


def test_store_checked_records_why_a_program_changed_a_closed_month(world):
    result = check_as(world, None, HEADING + "Định Tiến;Thanh Hóa;09/2026;XH05;79\n")
    assert result.closed_months and result.errors == []
    store_checked(result, world.catalog())
    assert [(e["user"], e["reason"]) for e in world.entries()] == [(LOCAL_ADMIN.username, PROGRAM_REASON)]
    # The same file again is a repeat, with or without a reason.
    assert store_checked(result, world.store, actor=dataclasses.replace(LOCAL_ADMIN, username="tinh"),
                         reason=None).duplicate
    corrected = check_as(world, None, HEADING + "Định Tiến;Thanh Hóa;09/2026;XH05;78\n")
    with pytest.raises(changes.Refused) as refused:  # a person's account gives its own reason
        store_checked(corrected, world.store, actor=dataclasses.replace(LOCAL_ADMIN, username="tinh"),
                      reason=None)
    assert refused.value.message == changes.REASON_NEEDED


def test_the_preview_names_the_refused_rows(world):
    from queries.ingest.preview import preview_frame

    frame = preview_frame(check_as(world, "an", MIXED))
    assert frame.filter(pl.col("Dòng") == 5).select("Trạng thái", "Vấn đề").row(0) == (
        "Lỗi", "xã Phú Mỹ (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Xã Định Tiến)")


# ---- a commune list moves nothing out of another province -----------------------------------

MOVE_DAI_PHUOC = "ma_xa,ten_xa,tinh\ndong-nai/dai-phuoc,Xã Đại Phước,Thanh Hóa\n"
NOT_THANH_HOA = "Dòng 2: xã Đại Phước (Đồng Nai) không thuộc phạm vi tài khoản của bạn (Tỉnh Thanh Hóa)"
ONLY_COUNTRY_MOVES = ("Dòng 2: xã Đại Phước đang thuộc tỉnh Đồng Nai: chỉ Quản trị toàn quốc được chuyển xã "
                      "sang tỉnh Thanh Hóa")


def add_province_admin(world, username: str, province: str) -> None:
    create_account(LOCAL_ADMIN, world.store, username=username, role=QUAN_TRI, password=secrets.token_urlsafe(12),
                   places=Places.from_database(world.catalog()), provinces=[province])


def province_of(world, commune_id: str) -> str:
    return world.catalog().sql("select province from communes where commune_id = $c", c=commune_id).item()


def test_a_province_admin_cannot_take_another_provinces_commune_with_a_commune_list(world, tmp_path):
    add_province_admin(world, "dongnai", "Đồng Nai")
    path = write(tmp_path, "xa.csv", MOVE_DAI_PHUOC)
    code, output = world.ingest_json(path, "--as", "tinh")
    assert (code, output["accepted"]) == (1, [])
    assert output["errors"] == [{"row": 2, "column": "ten_xa", "message": NOT_THANH_HOA}]
    # The commune's own province may not hand it over either: only the whole country moves communes.
    code, output = world.ingest_json(path, "--as", "dongnai")
    assert (code, output["errors"]) == (1, [{"row": 2, "column": "tinh", "message": ONLY_COUNTRY_MOVES}])
    assert world.entries() == [] and province_of(world, "dong-nai/dai-phuoc") == "Đồng Nai"

    # Each province still keeps its own list, and the country-wide administrator moves communes.
    code, output = world.ingest_json(write(tmp_path, "dn.csv", "ma_xa,ten_xa,tinh,dan_so\n"
                                                                "dong-nai/dai-phuoc,Xã Đại Phước,Đồng Nai,9000\n"),
                                     "--as", "dongnai")
    assert (code, output["errors"]) == (0, [])
    code, output = world.ingest_json(path)
    assert (code, output["errors"]) == (0, [])
    assert province_of(world, "dong-nai/dai-phuoc") == "Thanh Hóa"


def test_storing_checks_the_communes_province_now_not_the_one_the_rows_write(world):
    officer_of_thanh_hoa = get_account(world.store, "tinh")
    moved = check_as(world, None, MOVE_DAI_PHUOC)  # the local administrator may move it
    with pytest.raises(changes.Refused) as refused:
        store_checked(moved, world.store, actor=officer_of_thanh_hoa)
    assert refused.value.message == NOT_THANH_HOA

    # Values of Đại Phước with its province rewritten as Thanh Hóa (by a program, say) stay Đồng Nai's.
    values = check_as(world, None, HEADING + "Đại Phước;Đồng Nai;10/2026;XH05;60\n")
    values.accepted[0].record["province"] = "Thanh Hóa"
    with pytest.raises(changes.Refused) as refused:
        store_checked(values, world.store, actor=officer_of_thanh_hoa)
    assert refused.value.message == NOT_THANH_HOA
    assert world.entries() == []


def test_what_an_admin_undid_only_an_admin_redoes(world, tmp_path):
    _, own = world.ingest_json(write(tmp_path, "cua-an.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"),
                               "--as", "an")
    own_id = own["stored"]["upload_id"]
    assert world.ingest_json("--undo", own_id, "--as", "tinh")[0] == 0

    refused = "Lần tải lên này do Quản trị (tài khoản “tinh”) hoàn tác nên chỉ Quản trị tỉnh được khôi phục."
    assert world.ingest_json("--redo", own_id, "--as", "an") == (
        2, {"redone": own_id, "changed": False, "errors": [{"row": None, "column": None, "message": refused}]})
    done = world.ingest("--redo", own_id, "--as", "an")
    assert (done.returncode, done.stdout.strip()) == (2, f"Lỗi: {refused}")
    assert not Store(world.store).upload(own_id)["active"]

    # The admin brings it back; what the officer then undoes itself, it may redo again.
    assert world.ingest_json("--redo", own_id, "--as", "tinh")[0] == 0
    assert world.ingest_json("--undo", own_id, "--as", "an")[0] == 0
    assert world.ingest_json("--redo", own_id, "--as", "an") == (0, {"redone": own_id, "changed": True, "errors": []})
    lines = [line for line in Store(world.store).journal.read(0)[0] if line["action"] in ("undo", "redo")]
    assert [(line["action"], line["user"]) for line in lines] == [
        ("undo", "tinh"), ("redo", "tinh"), ("undo", "an"), ("redo", "an")]
