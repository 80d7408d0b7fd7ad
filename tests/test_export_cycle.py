"""The exports of accounts, the monthly cycle and the plans on a small world whose every number is known: report compliance
per commune, the plans' tasks, spending, the audit log, and the year-end projection in the
progress table; their JSON shapes, and the command line's answers to bad input."""
from __future__ import annotations

import getpass
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from queries.accounts import passwords
from queries.accounts.permissions import LOCAL_ADMIN
from queries.clock import VIETNAM
from queries.db import Database
from queries.ingest.pipeline import check_file, store_checked
from queries.reports import export
from tests.cycle_helpers import NOW, make_world, write
from tests.upload_data import TODAY

HEADING = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\n"
OCTOBER, MARCH = date(2026, 10, 1), date(2026, 3, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Accounts; October reports from Định Tiến (late, 21/11) and Đại Phước (on time, 10/11);
    Định Tiến's smartphones for January–March 2026 (60, 65, 70); task statuses; one spending
    upload; then one upload from the command line by the system user."""
    folder = tmp_path_factory.mktemp("export")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(passwords.TEST_ENV, "1")
        patch.setenv("DTI_NOW", NOW)  # a module's fixture is made before the day each test states
        world = make_world(folder)
        db = Database(store=world.store, include_demo=False, data_dir=world.data, snapshots=False)

        def store(text: str, name: str, received: datetime | None = None, user: str = "tinh"):
            result = check_file(text.encode("utf-8"), name, db=db, today=TODAY)
            assert result.errors == [], result.errors
            store_checked(result, db, user=user, received_at=received)

        store(HEADING + "Định Tiến;Thanh Hóa;10/2026;XH05;81\n", "dt-10.csv", datetime(2026, 11, 21, 8, 0, tzinfo=VIETNAM))
        store(HEADING + "Đại Phước;Đồng Nai;10/2026;XH05;70\n", "dp-10.csv", datetime(2026, 11, 10, 15, 0, tzinfo=VIETNAM))
        store(HEADING + "".join(f"Định Tiến;Thanh Hóa;{m:02d}/2026;XH05;{v}\n" for m, v in ((1, 60), (2, 65), (3, 70))),
              "dt-q1.csv")
        store("Tên xã;Năm;Mục;Trạng thái;Ngày hoàn thành\n"
              "Định Tiến;2026;1.1;Hoàn thành;15/04/2026\n"
              "Định Tiến;2026;1.2;Đang thực hiện;\n", "nhiem-vu.csv", user="an")
        store("Tên xã;Năm;Khoản chi;Dự toán;Đã chi;Nguồn\n"
              "Định Tiến;2025;Chi tập huấn CĐS;12.000.000;11.500.000;Báo cáo 45/BC-UBND\n"
              "Đại Phước;2025;Chi wifi công cộng;30 triệu;;\n", "kinh-phi.csv", user="an")
        # an hour later: each process's clock starts at DTI_NOW, so the same value would put it first
        assert world.ingest(write(folder, "dt-11.csv", HEADING + "Định Tiến;Thanh Hóa;11/2026;XH05;82\n"),
                            now="2026-11-22T11:00:00+07:00").returncode == 0
    return world


@pytest.fixture(scope="module")
def db(world):
    return Database(store=world.store, include_demo=False, data_dir=world.data, snapshots=False)


def test_compliance_one_object_per_commune_in_vietnamese_order(db):
    assert export.compliance(db, OCTOBER, "Thanh Hóa") == [
        # 'Đ' sorts after 'D' and before 'P' (code-point order would put it after 'Z')
        {"commune_name": "Xã Định Tiến", "province": "Thanh Hóa", "status": "tre_han",
         "received_at": "2026-11-21T08:00:00+07:00", "days_late": 2},
        {"commune_name": "Xã Phú Mỹ", "province": "Thanh Hóa", "status": "chua_nop", "received_at": None,
         "days_late": None},
    ]
    assert [(r["commune_name"], r["status"], r["days_late"]) for r in export.compliance(db, OCTOBER, "Đồng Nai")] == [
        ("Xã Đại Phước", "dung_han", 0), ("Xã Minh Đức", "chua_nop", None), ("Xã Phú Mỹ", "chua_nop", None)]
    # November's deadline (20/12) has not come: Định Tiến has sent it, the others are not late yet.
    november = export.compliance(db, date(2026, 11, 1), None)
    assert {(r["commune_name"], r["province"]): r["status"] for r in november if r["status"] != "chua_den_han"} == {
        ("Xã Định Tiến", "Thanh Hóa"): "dung_han"}
    assert len(november) == 5


def test_tasks_as_of_a_day(db):
    rows = export.tasks(db, None, "thanh-hoa/dinh-tien", TODAY)
    assert [(r["plan_year"], r["item"], r["status"], r["completed_on"], r["overdue"]) for r in rows] == [
        (2025, "1.1", "chua_bat_dau", None, True),
        (2026, "1.1", "hoan_thanh", "2026-04-15", False),  # completed late, but completed
        (2026, "1.2", "dang_thuc_hien", None, False),  # due 31/12/2026
        (2026, "8.4a", "chua_bat_dau", None, True),  # due 30/06/2026
        (2026, "8.4b", "chua_bat_dau", None, False),  # recurring
    ]
    assert rows[3] == {
        "commune_name": "Xã Định Tiến", "province": "Thanh Hóa", "plan_year": 2026, "item": "8.4a",
        "group": "Xã hội số", "name": "Chuyển đổi số trong chăm sóc sức khỏe", "deadline": "2026-06-30",
        "deadline_text": "Tháng 6/2026", "recurring": False, "status": "chua_bat_dau", "completed_on": None,
        "overdue": True, "lead_unit": "Trạm Y tế"}
    # The day before the report came, nobody knew 1.1 was completed: overdue since 31/03.
    before = export.tasks(db, None, "thanh-hoa/dinh-tien", date(2026, 11, 21))[1]
    assert (before["item"], before["status"], before["overdue"]) == ("1.1", "chua_bat_dau", True)
    # A plan of a later year is not shown before its year.
    assert {r["plan_year"] for r in export.tasks(db, None, "thanh-hoa/dinh-tien", date(2025, 12, 1))} == {2025}


def test_spending_per_commune_year_and_item(db):
    assert export.spending(db, None, None) == [
        {"commune_name": "Xã Đại Phước", "province": "Đồng Nai", "year": 2025, "item": "Chi wifi công cộng",
         "planned": 30_000_000, "spent": None,
         "source": f"Tải lên {db.sql('select upload_id from spending where year = 2025 and spent is null').item()}"},
        {"commune_name": "Xã Định Tiến", "province": "Thanh Hóa", "year": 2024, "item": "Chi tập huấn CĐS",
         "planned": None, "spent": 12_000_000, "source": "Báo cáo thử 2024"},
        {"commune_name": "Xã Định Tiến", "province": "Thanh Hóa", "year": 2024, "item": "Chi camera an ninh",
         "planned": 400_000_000, "spent": 350_000_000, "source": "Báo cáo thử 2024"},
        {"commune_name": "Xã Định Tiến", "province": "Thanh Hóa", "year": 2025, "item": "Chi tập huấn CĐS",
         "planned": 12_000_000, "spent": 11_500_000, "source": "Báo cáo 45/BC-UBND"},
    ]


def test_audit_names_who_did_what_oldest_first(world):
    events = export.audit(world.store, None)
    assert [(e["user"], e["action"]) for e in events] == [
        *[(LOCAL_ADMIN.username, "account_created")] * 4,
        *[("tinh", "upload")] * 3, ("an", "upload"), ("an", "upload"),
        (getpass.getuser(), "upload"),  # the command line without --as: the system user
    ]
    assert all(set(e) == {"time", "user", "action", "details"} for e in events)
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
    assert events[-1]["details"]["file_name"] == "dt-11.csv"
    assert export.audit(world.store, date(2026, 11, 23)) == []


def test_progress_carries_the_year_end_projection(db):
    frame = export.progress(db, MARCH, "Thanh Hóa")
    rows = frame.filter(frame["commune_name"] == "Xã Định Tiến").select(
        "indicator", "value", "projected_year_end", "projected_status").rows()
    # 60, 65, 70 in January–March: +5 a month reaches 115 in December, clipped to 100 %.
    assert rows == [("XH02", None, None, "Chưa đủ dữ liệu dự báo"), ("XH05", 70.0, 100.0, "Dự kiến đạt")]


def test_the_command_line_prints_the_documented_json(world, db):
    done = world.run("queries.export", "compliance", "--province", "thanh hoa", "--period", "2026-10",
                     "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout) == export.compliance(db, OCTOBER, "Thanh Hóa")
    done = world.run("queries.export", "tasks", "--commune", "Định Tiến", "--format", "json")  # today
    assert done.returncode == 0
    assert json.loads(done.stdout) == export.tasks(db, None, "thanh-hoa/dinh-tien", TODAY)
    done = world.run("queries.export", "audit", "--since", "2026-11-22", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout) == export.audit(world.store, None)
    out = world.store.parent / "kinh-phi.xlsx"
    assert world.run("queries.export", "spending", "--province", "Đồng Nai", "--format", "xlsx",
                     "--out", out).returncode == 0
    sheet = load_workbook(out)["Kinh phí"]
    assert [c.value for c in sheet[3]] == ["Xã", "Tỉnh", "Năm", "Khoản chi", "Dự toán (đồng)", "Đã chi (đồng)", "Nguồn"]
    assert [c.value for c in sheet[4]][:6] == ["Xã Đại Phước", "Đồng Nai", 2025, "Chi wifi công cộng", 30_000_000, None]


@pytest.mark.parametrize(("args", "message"), [
    (["tasks", "--as-of", "01/07/2026"], "Lỗi: Ngày “01/07/2026” (--as-of) không đúng dạng YYYY-MM-DD (ví dụ 2026-11-22)."),
    (["audit", "--since", "hôm qua"], "Lỗi: Ngày “hôm qua” (--since) không đúng dạng YYYY-MM-DD (ví dụ 2026-11-22)."),
    (["compliance", "--period", "10/2026"], "Lỗi: Tháng “10/2026” không đúng dạng YYYY-MM (ví dụ 2026-03)."),
    (["compliance", "--format", "pdf"], "Lỗi: --format: “pdf” không hợp lệ"),
])
def test_bad_input_is_one_vietnamese_sentence_and_exit_2(world, capsys, args, message):
    # Checked before any table is built.
    assert export.main([*args, "--store", str(world.store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err


def test_unknown_places_are_named_on_the_command_line(world):
    done = world.run("queries.export", "spending", "--commune", "Phú Mỹ")
    assert done.returncode == 2
    assert done.stderr.strip() == ("Lỗi: Có nhiều xã tên “Phú Mỹ”: Xã Phú Mỹ (Đồng Nai, mã dong-nai/phu-my); "
                                   "Xã Phú Mỹ (Thanh Hóa, mã thanh-hoa/phu-my). Hãy ghi thêm tỉnh hoặc dùng mã xã.")
    done = world.run("queries.export", "compliance", "--province", "Hà Nội")
    assert (done.returncode, done.stderr.strip()) == (
        2, "Lỗi: Không có tỉnh “Hà Nội”. Các tỉnh có dữ liệu: Đồng Nai, Thanh Hóa.")


def test_templates_of_the_new_kinds_from_the_command_line(tmp_path, capsysbinary):
    # The shipped catalog: Nghĩa Hành's plan (seed 002) is the one with tasks.
    out = tmp_path / "mau.xlsx"
    assert export.main(["template", "--kind", "tasks", "--province", "quang ngai", "--store", str(tmp_path / "s"),
                        "--out", str(out)]) == 0
    workbook = load_workbook(out)
    assert [c.value for c in workbook["Số liệu"][1]] == ["ma_xa", "ten_xa", "tinh", "nam", "muc", "ten_nhiem_vu",
                                                         "trang_thai", "ngay_hoan_thanh", "ghi_chu"]
    lists = workbook["Danh mục"]
    headings = [c.value for c in lists[1]]
    communes = {c.value for c in lists["A"][1:] if c.value}
    items = [c.value for c in lists[chr(ord("A") + headings.index("DS mục"))][1:] if c.value]
    assert communes == {"Xã Nghĩa Hành", "Xã Sơn Tây"} and "8.4a" in items and "8.4b" in items
    assert export.main(["template", "--kind", "spending", "--format", "csv", "--store", str(tmp_path / "s")]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8-sig") == (
        "ma_xa,ten_xa,tinh,nam,khoan_chi,du_toan,da_chi,nguon,ghi_chu\r\n")
