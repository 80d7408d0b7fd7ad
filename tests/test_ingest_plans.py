"""Task statuses and spending through the importer: recognised by their columns,
every row's problem named in Vietnamese, stored through the same door, and read back by the
tables the pages use; their templates read back when filled."""
from __future__ import annotations

import io
from datetime import date

import pytest

from queries.accounts import passwords
from queries.accounts.service import get_account
from queries.db import Database
from queries.ingest.pipeline import check_file, store_checked
from queries.ingest.preview import preview_frame
from queries.ingest.template import csv_template, xlsx_template
from tests.cycle_helpers import make_world, write
from tests.upload_data import TODAY, xlsx

DINH_TIEN = "thanh-hoa/dinh-tien"

TASKS = """Tên xã;Năm;Mục;Tên nhiệm vụ;Trạng thái;Ngày hoàn thành;Ghi chú
Định Tiến;;1.1;;Hoàn thành;15/03/2026;
Định Tiến;2025;1.1;Thành lập BCĐ;Hoàn thành;20/09/2025;đúng hạn
Định Tiến;;Mục 1.2;Tập huấn;dang thuc hien;;
Định Tiến;;8.4b;Mua máy tính;Đang thực hiện;;
Định Tiến;;8.4;;Hoàn thành;01/06/2026;
Định Tiến;;9.9;;Chưa bắt đầu;;
Định Tiến;;1.2;;Quá hạn;;
Định Tiến;;1.2;;Hoàn thành;;
Định Tiến;;1.2;;Đang thực hiện;01/11/2026;
Định Tiến;;1.2;;Hoàn thành;23/11/2026;
Đại Phước;;1.1;;Chưa bắt đầu;;
Minh Đức;;1.1;;Hoàn thành;01/10/2026;
Định Tiến;2024;1.1;;Hoàn thành;01/10/2024;
Định Tiến;;1.2;;xong rồi;;
"""
TASK_ERRORS = [
    (6, "muc", "Dòng 6, cột Mục: kế hoạch có 2 nhiệm vụ cùng số mục 8.4: ghi 8.4a (Chuyển đổi số trong chăm sóc "
               "sức khỏe) hoặc 8.4b (Thanh niên với chuyển đổi số)"),
    (7, "muc", "Dòng 7, cột Mục: không có mục 9.9 trong danh sách nhiệm vụ của kế hoạch năm 2026 của Xã Định Tiến"),
    (8, "trang_thai", "Dòng 8, cột Trạng thái: “Quá hạn”: quá hạn được tính tự động từ thời hạn của nhiệm vụ; "
                      "hãy ghi trạng thái thực tế (Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành)"),
    (9, "ngay_hoan_thanh", "Dòng 9, cột Ngày hoàn thành: nhiệm vụ đã hoàn thành cần ghi ngày hoàn thành "
                           "(ví dụ 15/10/2025)"),
    (10, "ngay_hoan_thanh", "Dòng 10, cột Ngày hoàn thành: có ngày hoàn thành 01/11/2026 nhưng trạng thái là "
                            "“Đang thực hiện”; chỉ ghi ngày hoàn thành khi nhiệm vụ đã hoàn thành"),
    (11, "ngay_hoan_thanh", "Dòng 11, cột Ngày hoàn thành: ngày hoàn thành 23/11/2026 ở sau hôm nay (22/11/2026)"),
    (13, "muc", "Dòng 13, cột Mục: Xã Minh Đức (Đồng Nai) chưa có danh sách nhiệm vụ trong hệ thống; "
                "hãy gửi kế hoạch của xã cho Quản trị tỉnh"),
    (14, "nam", "Dòng 14, cột Năm: Xã Định Tiến không có kế hoạch nhiệm vụ năm 2024 (có kế hoạch năm 2025, 2026)"),
    (15, "trang_thai", "Dòng 15, cột Trạng thái: “xong rồi” không phải là trạng thái (ghi Chưa bắt đầu, "
                       "Đang thực hiện hoặc Hoàn thành)"),
]

SPENDING = """Tên xã,Tỉnh,Năm,Khoản chi,Dự toán (đồng),Đã chi (đồng),Ghi chú
Định Tiến,Thanh Hóa,2025,Chi tập huấn CĐS,"12.000.000",12 triệu,
Định Tiến,Thanh Hóa,2025,Chi camera an ninh,"1,2 tỷ",,dự toán năm
Định Tiến,Thanh Hóa,2024,Chi tập huấn CĐS,,"15.500.000 đồng",điều chỉnh
Định Tiến,Thanh Hóa,2025,Chi khác,,,
Định Tiến,Thanh Hóa,2025,Chi lẻ,"1.000,5",-5,
Định Tiến,Thanh Hóa,2025,,100,,
Định Tiến,Thanh Hóa,2025,Chi máy chủ,"20.000 tỷ",,
Định Tiến,Thanh Hóa,2025,Chi phần mềm,5.000.000,,
Định Tiến,Thanh Hóa,2025,Chi phần mềm,6.000.000,,
"""
SPENDING_ERRORS = [
    (5, "da_chi", "Dòng 5, cột Đã chi (đồng): thiếu số tiền (ghi Dự toán hoặc Đã chi, bằng đồng)"),
    (6, "du_toan", "Dòng 6, cột Dự toán (đồng): “1.000,5”: số tiền phải là số đồng nguyên (không có phần lẻ)"),
    (6, "da_chi", "Dòng 6, cột Đã chi (đồng): số tiền không được âm (“-5”)"),
    (7, "khoan_chi", "Dòng 7, cột Khoản chi: thiếu tên khoản chi"),
    (8, "du_toan", "Dòng 8, cột Dự toán (đồng): số tiền 20.000.000.000.000 đồng lớn hơn mức hợp lý "
                   "10.000.000.000.000 đồng cho một khoản chi của xã; hãy kiểm tra lại"),
    (9, None, "Dòng 9: xã Xã Định Tiến, khoản chi “Chi phần mềm” năm 2025 có ở các dòng 9, 10 với giá trị khác nhau "
              "(5.000.000 / – ≠ 6.000.000 / –); hãy giữ lại một dòng"),
    (10, None, "Dòng 10: xã Xã Định Tiến, khoản chi “Chi phần mềm” năm 2025 có ở các dòng 9, 10 với giá trị khác nhau "
               "(5.000.000 / – ≠ 6.000.000 / –); hãy giữ lại một dòng"),
]


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv(passwords.TEST_ENV, "1")


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path, accounts=False)


def database(world) -> Database:
    return Database(store=world.store, include_demo=False, data_dir=world.data, snapshots=False)


def check(world, content: bytes, name: str, **kwargs):
    return check_file(content, name, db=world.catalog(), today=TODAY, **kwargs)


def test_a_task_status_file_is_recognised_and_every_problem_named(world):
    result = check(world, TASKS.encode("utf-8-sig"), "tien-do-nhiem-vu.csv")
    assert (result.kind, result.exit_code) == ("tasks", 1)
    assert [(r.row, r.record["commune_id"], r.record["plan_year"], r.record["item"], r.record["status"],
             r.record["completed_on"], r.record["note"]) for r in result.accepted] == [
        (2, DINH_TIEN, 2026, "1.1", "hoan_thanh", date(2026, 3, 15), None),  # the newest plan with that item
        (3, DINH_TIEN, 2025, "1.1", "hoan_thanh", date(2025, 9, 20), "đúng hạn"),
        (4, DINH_TIEN, 2026, "1.2", "dang_thuc_hien", None, None),
        (5, DINH_TIEN, 2026, "8.4b", "dang_thuc_hien", None, None),
        (12, "dong-nai/dai-phuoc", 2026, "1.1", "chua_bat_dau", None, None),
    ]
    assert [(e.row, e.column, e.message) for e in result.errors] == TASK_ERRORS
    # 'Thành lập BCĐ' abbreviates the task's name; 'Mua máy tính' is another task's.
    assert [(w.row, w.message) for w in result.warnings] == [(5, (
        "Dòng 5, cột Tên nhiệm vụ: mục 8.4b năm 2026 là “Thanh niên với chuyển đổi số”, khác tên đã ghi "
        "“Mua máy tính”; đã lưu theo số mục"))]
    preview = preview_frame(result)
    assert preview.columns == ["Dòng", "Trạng thái", "Xã", "Tỉnh", "Năm", "Mục", "Nhiệm vụ", "Tình trạng", "Ghi chú",
                               "Vấn đề"]
    assert preview.row(0)[:8] == (2, "Hợp lệ", "Xã Định Tiến", "Thanh Hóa", "2026", "1.1",
                                  "Kiện toàn Ban chỉ đạo chuyển đổi số", "Hoàn thành ngày 15/03/2026")


def test_stored_task_statuses_reach_the_tasks_table(world):
    db = database(world)
    result = check(world, TASKS.encode("utf-8-sig"), "tien-do.csv")
    store_checked(result, db, user="an")
    rows = db.run_query("tasks_status", as_of=date(2026, 11, 22), province=None, commune=DINH_TIEN)
    assert rows.select("plan_year", "item", "status", "completed_on", "is_overdue").rows() == [
        (2025, "1.1", "hoan_thanh", date(2025, 9, 20), False),
        (2026, "1.1", "hoan_thanh", date(2026, 3, 15), False),
        (2026, "1.2", "dang_thuc_hien", None, False),
        (2026, "8.4a", "chua_bat_dau", None, True),  # due 30/06/2026, nothing reported
        (2026, "8.4b", "dang_thuc_hien", None, False),  # recurring: never overdue
    ]


def test_a_commune_officer_reports_its_own_tasks_only(tmp_path):
    accounts = make_world(tmp_path / "with-accounts")
    officer = get_account(accounts.store, "binh")  # Đại Phước
    result = check_file(TASKS.encode("utf-8-sig"), "t.csv", db=accounts.catalog(), today=TODAY, actor=officer)
    assert [r.row for r in result.accepted] == [12]
    assert result.errors[0].message == (
        "Dòng 2: xã Định Tiến (Thanh Hóa) không thuộc phạm vi tài khoản của bạn (Xã Đại Phước)")


def test_tasks_on_the_command_line_with_the_kind_named(world, tmp_path):
    path = write(tmp_path, "nv.csv", "Xã;Mục;Trạng thái;Ngày hoàn thành\nĐịnh Tiến;1.2;Hoàn thành;01/11/2026\n")
    code, output = world.ingest_json(path, "--kind", "tasks")
    assert code == 0
    assert output["accepted"] == [{
        "row": 2, "commune_id": DINH_TIEN, "commune_name": "Xã Định Tiến", "province": "Thanh Hóa",
        "plan_year": 2026, "item": "1.2", "task_name": "Tổ chức tập huấn kỹ năng số", "status": "hoan_thanh",
        "completed_on": "2026-11-01", "note": None}]
    assert output["stored"]["duplicate"] is False
    code, output = world.ingest_json(path, "--kind", "spending", "--dry-run")
    assert (code, output["errors"][0]["message"]) == (2, (
        "Tệp kinh phí thiếu cột “Khoản chi” (khoan_chi), “Đã chi (đồng)” (da_chi), “Năm” (nam) ở dòng tiêu đề "
        "(dòng 1)"))


def test_a_spending_file_in_dong(world):
    result = check(world, SPENDING.encode("utf-8"), "kinh-phi.csv")
    assert (result.kind, result.exit_code) == ("spending", 1)
    assert [(r.row, r.record["commune_id"], r.record["year"], r.record["item"], r.record["planned"],
             r.record["spent"], r.record["note"]) for r in result.accepted] == [
        (2, DINH_TIEN, 2025, "Chi tập huấn CĐS", 12_000_000, 12_000_000, None),
        (3, DINH_TIEN, 2025, "Chi camera an ninh", 1_200_000_000, None, "dự toán năm"),
        (4, DINH_TIEN, 2024, "Chi tập huấn CĐS", None, 15_500_000, "điều chỉnh"),
    ]
    assert [(e.row, e.column, e.message) for e in result.errors] == SPENDING_ERRORS

    db = database(world)
    store_checked(result, db, user="an")
    rows = db.sql("select year, item, planned, spent, source from spending where commune_id = $c "
                  "order by year, item", c=DINH_TIEN)
    # The upload's 2024 row replaces the shipped one of the same item; the other shipped row stays.
    assert rows.rows() == [
        (2024, "Chi camera an ninh", 400_000_000, 350_000_000, "plan"),
        (2024, "Chi tập huấn CĐS", None, 15_500_000, "upload"),
        (2025, "Chi camera an ninh", 1_200_000_000, None, "upload"),
        (2025, "Chi tập huấn CĐS", 12_000_000, 12_000_000, "upload"),
    ]


@pytest.mark.parametrize(("kind", "row", "expected"), [
    ("tasks", [None, "Xã Định Tiến", "Thanh Hóa", "2026", "1.2", None, "Hoàn thành", "10/11/2026", None],
     ("tasks", DINH_TIEN, "1.2", "hoan_thanh")),
    ("spending", [None, "Xã Định Tiến", "Thanh Hóa", "2026", "Chi tập huấn", "5.000.000", "4.500.000", None, None],
     ("spending", DINH_TIEN, "Chi tập huấn", 4_500_000)),
])
def test_templates_for_tasks_and_spending_read_back_when_filled(world, kind, row, expected):
    from openpyxl import load_workbook

    catalog = world.catalog()
    workbook = load_workbook(io.BytesIO(xlsx_template(catalog, kind, today=TODAY)))
    data = workbook["Số liệu"]
    assert tuple(c.value for c in data[1]) == tuple(csv_template(kind).decode("utf-8-sig").strip().split(","))
    help_text = [c.value for c in workbook["Hướng dẫn"]["B"] if c.value]
    assert any("(bắt buộc)" in text for text in help_text)
    if kind == "tasks":
        lists = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
        assert lists["G2:G2001"] == "'Danh mục'!$D$2:$D$4"  # the three statuses, strictly
        names = [c.value for c in workbook["Danh mục"]["I"]][1:]
        assert "Thanh niên với chuyển đổi số" in names
    data.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(world, buffer.getvalue(), f"mau-{kind}.xlsx")
    assert result.errors == []
    record = result.accepted[0].record
    got = (result.kind, record["commune_id"], record["item"],
           record["status"] if kind == "tasks" else record["spent"])
    assert got == expected
    assert check(world, csv_template(kind), "mau.csv").kind == kind


def test_an_item_excel_stored_as_a_number_is_read_as_the_item(world):
    content = xlsx([["ten_xa", "muc", "trang_thai"], ["Định Tiến", 1.2, "Đang thực hiện"]])
    result = check(world, content, "nv.xlsx")
    assert [(r.record["item"], r.record["status"]) for r in result.accepted] == [("1.2", "dang_thuc_hien")]
