"""The reporting calendar at the importer's door: a closed month refuses commune
staff's rows and takes an admin's only with a reason; --received-at for admins; evidence
checked by its content, one refused file refusing the whole upload."""
from __future__ import annotations

from datetime import date

import pytest

from queries import changes, clock
from queries.accounts import passwords
from queries.accounts.audit import audit_events
from queries.accounts.service import get_account
from queries.db import Database
from queries.ingest.pipeline import check_file
from queries.store import Store
from tests.cycle_helpers import make_world, write
from tests.upload_data import TODAY

HEADING = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
SEPTEMBER_AND_OCTOBER = (HEADING
                         + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"
                         + "Định Tiến;Thanh Hóa;09/2026;XH05;79\n")
SEPTEMBER_CLOSED = ("Dòng 3, cột Kỳ báo cáo: Tháng 9/2026 đã khóa sổ từ ngày 30/10/2026; "
                    "chỉ Quản trị tỉnh mở lại được (kèm lý do)")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def test_staff_rows_of_a_closed_month_are_refused_with_the_day_it_closed(world, tmp_path):
    code, output = world.ingest_json(write(tmp_path, "thang.csv", SEPTEMBER_AND_OCTOBER), "--as", "an")
    assert code == 1
    assert output["errors"] == [{"row": 3, "column": "ky_bao_cao", "message": SEPTEMBER_CLOSED}]
    assert [(a["row"], a["period"]) for a in output["accepted"]] == [(2, "2026-10")]
    [entry] = world.entries()
    assert (entry["user"], entry["periods"], entry["reason"]) == ("an", ["2026-10"], None)


def test_an_admin_changes_a_closed_month_only_with_a_reason(world, tmp_path):
    path = write(tmp_path, "thang.csv", SEPTEMBER_AND_OCTOBER)
    code, output = world.ingest_json(path, "--as", "tinh")
    assert code == 2
    assert output["errors"] == [{"row": None, "column": None, "message": changes.REASON_NEEDED}]
    assert [a["row"] for a in output["accepted"]] == [2, 3] and "stored" not in output
    assert world.entries() == []
    done = world.ingest(path, "--as", "tinh")  # the terminal says how to give one
    assert "Ghi lý do bằng --reason “…”." in done.stdout

    code, output = world.ingest_json(path, "--as", "tinh", "--reason", "Xã gửi bù số liệu tháng 9 theo công văn 12")
    assert (code, output["errors"], output["stored"]["duplicate"]) == (0, [], False)
    [entry] = world.entries()
    assert (entry["user"], entry["periods"], entry["reason"]) == (
        "tinh", ["2026-09", "2026-10"], "Xã gửi bù số liệu tháng 9 theo công văn 12")
    [event] = [e for e in audit_events(world.store) if e["action"] == "upload"]
    assert (event["user"], event["details"]["reason"]) == ("tinh", "Xã gửi bù số liệu tháng 9 theo công văn 12")


def test_the_checker_lists_the_closed_months_an_admin_is_changing(world, monkeypatch):
    content = SEPTEMBER_AND_OCTOBER.encode()
    admin = check_file(content, "thang.csv", db=world.catalog(), today=TODAY)
    assert (admin.errors, admin.closed_months) == ([], [date(2026, 9, 1)])
    # October closes at midnight, Vietnam time, on 30 November.
    officer = get_account(world.store, "an")
    monkeypatch.setenv("DTI_NOW", "2026-11-29T23:59:00+07:00")
    before = check_file(content, "thang.csv", db=world.catalog(), today=date(2026, 11, 29), actor=officer)
    assert [e.row for e in before.errors] == [3]
    monkeypatch.setenv("DTI_NOW", "2026-11-30T00:00:00+07:00")
    after = check_file(content, "thang.csv", db=world.catalog(), today=date(2026, 11, 30), actor=officer)
    assert [e.message for e in after.errors] == [
        "Dòng 2, cột Kỳ báo cáo: Tháng 10/2026 đã khóa sổ từ ngày 30/11/2026; chỉ Quản trị tỉnh mở lại được (kèm lý do)",
        SEPTEMBER_CLOSED]


def test_received_at_by_an_admin_is_recorded_and_decides_compliance(world, tmp_path):
    on_paper = write(tmp_path, "dinh-tien.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n")
    code, output = world.ingest_json(on_paper, "--received-at", "2026-11-19T23:59:00+07:00")
    assert code == 0
    late = write(tmp_path, "phu-my.csv", HEADING + "Phú Mỹ;Thanh Hóa;10/2026;XH05;60\n")
    assert world.ingest_json(late)[0] == 0
    entries = world.entries()
    assert [e["received_at"] for e in entries] == ["2026-11-19T16:59:00+00:00", None]

    db = Database(store=world.store, include_demo=False, data_dir=world.data, snapshots=False)
    rows = db.run_query("compliance_by_month", province="Thanh Hóa", commune=None, period_from=date(2026, 10, 1),
                        period_to=date(2026, 10, 1), now=clock.now())
    assert rows.select("commune_name", "status", "days_late", "received_at_vn").rows() == [
        ("Xã Định Tiến", "dung_han", 0, "2026-11-19T23:59:00+07:00"),
        ("Xã Phú Mỹ", "tre_han", 3, "2026-11-22T10:00:00+07:00"),
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--as", "an", "--received-at", "2026-11-19T23:59:00+07:00"],
     "Chỉ Quản trị tỉnh được ghi ngày nhận báo cáo (--received-at)."),
    (["--received-at", "2026-11-19T23:59:00"],
     "--received-at “2026-11-19T23:59:00” thiếu múi giờ: ghi như 2026-12-19T23:59:00+07:00 (+07:00 là giờ Việt Nam)."),
    (["--received-at", "2026-11-22T10:30:00+07:00"],
     "--received-at “2026-11-22T10:30:00+07:00” ở tương lai (bây giờ là 22/11/2026 10:00 giờ Việt Nam)."),
    (["--received-at", "19/11/2026"],
     "--received-at “19/11/2026” không phải là thời điểm ISO 8601 (ví dụ 2026-12-19T23:59:00+07:00)."),
])
def test_received_at_is_refused_for_staff_and_when_it_is_not_a_past_moment(world, tmp_path, args, message):
    path = write(tmp_path, "thang10.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n")
    code, output = world.ingest_json(path, *args)
    assert (code, output["errors"]) == (2, [{"row": None, "column": None, "message": message}])
    assert world.entries() == []


def test_evidence_is_linked_and_a_forged_file_refuses_the_whole_upload(world, tmp_path):
    data = write(tmp_path, "thang10.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n")
    minutes = tmp_path / "bien-ban.pdf"
    minutes.write_bytes(PDF)
    forged = tmp_path / "anh-chup.pdf"
    forged.write_bytes(PNG)
    code, output = world.ingest_json(data, "--as", "an", "--evidence", minutes, "--evidence", forged)
    assert code == 2
    assert output["errors"][0] == {"row": None, "column": None, "message": (
        "Tệp minh chứng “anh-chup.pdf” mang đuôi của PDF nhưng nội dung là ảnh PNG; hãy gửi đúng tệp. "
        "Không lưu gì của lần tải lên này.")}
    assert [a["row"] for a in output["accepted"]] == [2] and "stored" not in output
    assert world.entries() == [] and not (world.store / "blobs").exists()

    code, output = world.ingest_json(data, "--as", "an", "--evidence", minutes)
    assert code == 0
    [entry] = world.entries()
    [item] = entry["evidence"]
    assert (item["name"], item["type"], item["size"]) == ("bien-ban.pdf", "pdf", len(PDF))
    assert Store(world.store).blob_path(item["sha256"]).read_bytes() == PDF


def test_evidence_over_the_size_setting_is_refused(world, tmp_path):
    (world.store / "settings.json").write_text('{"evidence_max_mb": 0.0001}', encoding="utf-8")
    big = tmp_path / "bien-ban.pdf"
    big.write_bytes(PDF + b" " * 200)
    code, output = world.ingest_json(write(tmp_path, "t.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n"),
                                     "--evidence", big)
    assert code == 2 and output["errors"][0]["message"].startswith("Tệp minh chứng “bien-ban.pdf” nặng 0.0 MB")
    assert world.entries() == []


def test_staff_cannot_undo_a_month_that_has_closed_since(world, tmp_path):
    path = write(tmp_path, "thang9.csv", HEADING + "Định Tiến;Thanh Hóa;09/2026;XH05;79\n")
    code, output = world.ingest_json(path, "--as", "an", now="2026-10-25T09:00:00+07:00")  # September still open
    assert code == 0
    upload_id = output["stored"]["upload_id"]
    assert world.ingest_json("--undo", upload_id, "--as", "an") == (2, {
        "undone": upload_id, "changed": False, "errors": [{"row": None, "column": None, "message": (
            "Không thay đổi được: Tháng 9/2026 đã khóa sổ từ ngày 30/10/2026; "
            "chỉ Quản trị tỉnh mở lại được (kèm lý do).")}]})
    code, output = world.ingest_json("--undo", upload_id, "--as", "tinh")
    assert (code, output["errors"][0]["message"]) == (2, changes.REASON_NEEDED)
    assert world.ingest_json("--undo", upload_id, "--as", "tinh", "--reason", "Số liệu sai, xã xin rút") == (
        0, {"undone": upload_id, "changed": True, "errors": []})
    [undo] = [line for line in Store(world.store).journal.read(0)[0] if line["action"] == "undo"]
    assert (undo["user"], undo["reason"]) == ("tinh", "Số liệu sai, xã xin rút")


def test_evidence_named_with_a_bidi_override_is_refused_under_its_real_name(world, tmp_path):
    # "bien-ban-\u202efdp.cmd" is shown as "bien-ban-dmc.pdf": a PDF must be named .pdf.
    data = write(tmp_path, "thang10.csv", HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n")
    disguised = tmp_path / "bien-ban-\u202efdp.cmd"
    disguised.write_bytes(PDF)
    code, output = world.ingest_json(data, "--as", "an", "--evidence", disguised)
    assert code == 2
    assert output["errors"][0]["message"] == (
        "Tệp minh chứng “bien-ban-fdp.cmd” có đuôi “.cmd” nhưng nội dung là PDF: tên tệp phải có đuôi .pdf. "
        "Hãy đổi tên rồi gửi lại; không lưu gì của lần tải lên này.")
    assert world.entries() == [] and not (world.store / "blobs").exists()


def test_format_characters_are_removed_from_everything_a_person_types(world, tmp_path):
    """File names, reasons, review comments and account names lose bidi controls and
    zero-width characters on the way in, through the one cleaning function."""
    from queries.accounts.permissions import LOCAL_ADMIN
    from queries.accounts.service import create_account, update_account

    hidden = "\u202e\u200b\u2066\ufeff\u00ad"
    data = write(tmp_path, f"thang{hidden}9.csv", SEPTEMBER_AND_OCTOBER)
    code, output = world.ingest_json(data, "--as", "tinh", "--reason", f"Gửi bù{hidden} theo công văn")
    assert code == 0, output
    [entry] = world.entries()
    assert (entry["file_name"], entry["reason"]) == ("thang9.csv", "Gửi bù theo công văn")

    db = Database(store=world.store, include_demo=False, data_dir=world.data, snapshots=False)
    admin = get_account(world.store, "tinh")
    changes.review_month(db, admin, "thanh-hoa/dinh-tien", date(2026, 9, 1), "yeu_cau_bo_sung",
                         f"Bổ sung{hidden} [biên bản](http://evil.example)")
    assert db.store.reviews()[-1]["comment"] == "Bổ sung [biên bản](http://evil.example)"
    assert changes.undo(db, entry["upload_id"], admin, reason=f"Nhầm{hidden} tệp")
    [undone] = [e for e in db.store.changes(0)[0] if e["action"] == "undo"]
    assert undone["reason"] == "Nhầm tệp"

    person = create_account(LOCAL_ADMIN, world.store, username="cuong", role="lanh_dao", password="x" * 12,
                            name=f"Nguyễn{hidden} Văn\u200d Cường", provinces=["Thanh Hóa"])
    assert person.name == "Nguyễn Văn Cường"
    renamed = update_account(LOCAL_ADMIN, world.store, "cuong", name="\u202eCường\u200f Nguyễn")
    assert renamed.name == "Cường Nguyễn"
    result = check_file(b"x", f"bao{hidden}-cao.csv", db=world.catalog(), today=TODAY)
    assert result.file_name == "bao-cao.csv"
