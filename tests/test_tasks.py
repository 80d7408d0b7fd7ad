"""Tasks of Xã Nghĩa Hành's 2025 plan (seed 002, Phụ lục 1): the deadline rule, the shipped
data/tasks.csv against the seed's text, the status rules (queries/sql/tasks_status.sql and
queries/plans/tasks.py, which must agree) and the cells of a task-status upload."""
from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from queries.cells import ParseError
from queries.data import SQL_DIR, sql_text
from queries.plans import tasks as T
from queries.plans.deadlines import METHOD_TEXT_VI, Deadline, parse_deadline
from queries.settings import DATA_DIR

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "002_385c390f8547d1a2.txt"
NGHIA_HANH = "quang-ngai/nghia-hanh"


def shipped_rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_tasks() -> list[dict]:
    return shipped_rows("tasks.csv")


# ---- the deadline rule ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Tháng 9/2025", date(2025, 9, 30)),
    ("tháng 09/2025", date(2025, 9, 30)),
    ("trong tháng 9/2025", date(2025, 9, 30)),
    ("Hoàn thành trong tháng 9/2025", date(2025, 9, 30)),
    ("Tháng 9 năm 2025", date(2025, 9, 30)),
    ("Tháng 2/2024", date(2024, 2, 29)),
    ("Tháng 9", date(2025, 9, 30)),
    ("Quý IV/2025", date(2025, 12, 31)),
    ("Quý I/2025", date(2025, 3, 31)),
    ("Quý II/2025", date(2025, 6, 30)),
    ("Quý III/2025", date(2025, 9, 30)),
    ("Quý 4/2025", date(2025, 12, 31)),
    ("Quý 3 năm 2025", date(2025, 9, 30)),
    ("quy iv/2025", date(2025, 12, 31)),
    ("QUÝ  IV / 2025", date(2025, 12, 31)),
    ("Hoàn thành trước ngày 20/12/2025", date(2025, 12, 19)),
    ("Trước tháng 9/2025", date(2025, 8, 31)),
    ("Trước 30/9/2025", date(2025, 9, 29)),
    ("trước ngày 01/01/2026", date(2025, 12, 31)),
    ("Trước Quý IV/2025", date(2025, 9, 30)),
    ("Ngày 10/10", date(2025, 10, 10)),
    ("Ngày 10/10/2026", date(2026, 10, 10)),
    ("30/9/2025", date(2025, 9, 30)),
    ("Chậm nhất ngày 15/11/2025", date(2025, 11, 15)),
    ("Năm 2025", date(2025, 12, 31)),
    # the same texts decomposed (NFD, as Windows-1258 files arrive) and without accents
    (unicodedata.normalize("NFD", "Hoàn thành trước ngày 20/12/2025"), date(2025, 12, 19)),
    ("hoan thanh truoc ngay 20/12/2025", date(2025, 12, 19)),
    (unicodedata.normalize("NFD", "Quý IV/2025"), date(2025, 12, 31)),
])
def test_deadline_forms(text, expected):
    deadline = parse_deadline(text, 2025)
    assert (deadline.date, deadline.recurring) == (expected, False)
    assert deadline.text == unicodedata.normalize("NFC", " ".join(text.split()))


@pytest.mark.parametrize("text", ["Thường xuyên", "thuong xuyen", "THƯỜNG XUYÊN",
                                  "Thực hiện thường xuyên. Định kỳ 1 lần/tháng Phòng VHXH tổng hợp"])
def test_recurring(text):
    assert parse_deadline(text, 2025) == Deadline(None, True, " ".join(text.split()))


@pytest.mark.parametrize("text", [
    "Theo KH của tỉnh", "", None, "Tháng 13/2025", "31/02/2025", "Quý V/2025",
    # a date quoted inside a sentence is not a deadline
    "Theo Kế hoạch số 41/KH-UBND ngày 10/9/2025",
])
def test_no_deadline_but_the_text_is_kept(text):
    deadline = parse_deadline(text, 2025)
    assert (deadline.date, deadline.recurring) == (None, False)
    assert deadline.text == (text or "")


def test_the_method_text_states_every_form():
    for fragment in ("Tháng 9/2025", "Quý IV/2025", "Hoàn thành trước ngày 20/12/2025", "19/12/2025",
                     "31/08/2025", "Thường xuyên", "Theo KH của tỉnh", "năm của kế hoạch"):
        assert fragment in METHOD_TEXT_VI


# ---- data/tasks.csv ---------------------------------------------------------------------------


def test_twenty_eight_tasks_in_nine_groups():
    rows = load_tasks()
    assert list(rows[0]) == list(T.TASK_COLUMNS)
    assert len(rows) == 28
    assert [int(r["seq"]) for r in rows] == list(range(1, 29))
    assert sorted({int(r["group_no"]) for r in rows}) == list(range(1, 10))
    per_group = {}
    for r in rows:
        per_group[int(r["group_no"])] = per_group.get(int(r["group_no"]), 0) + 1
    assert per_group == {1: 5, 2: 3, 3: 2, 4: 3, 5: 3, 6: 3, 7: 3, 8: 5, 9: 1}
    assert [r["item"] for r in rows] == [
        "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2", "4.3",
        "5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "8.1", "8.2", "8.3", "8.4a", "8.4b", "9",
    ]
    assert {r["commune_id"] for r in rows} == {NGHIA_HANH} and {r["plan_year"] for r in rows} == {"2025"}
    assert [r["group_name"] for r in rows if r["item"] in ("1.1", "5.1", "8.1")] == [
        "Nhận thức số", "An toàn thông tin mạng", "Xã hội số"]


def test_tasks_point_at_the_shipped_commune_and_document():
    communes = {r["commune_id"]: r for r in shipped_rows("communes.csv")}
    assert communes[NGHIA_HANH]["commune_name"] == "Xã Nghĩa Hành"
    target_docs = {r["source_doc"] for r in shipped_rows("targets.csv") if r["commune_id"] == NGHIA_HANH}
    assert {r["source_doc"] for r in load_tasks()} == target_docs
    # the tasks that carry numeric targets name them, as targets.csv cites those items
    linked = {f"Phụ lục 1 mục {r['item']}": set(r["indicators"].split("; ")) for r in load_tasks() if r["indicators"]}
    cited: dict[str, set[str]] = {}
    for r in shipped_rows("targets.csv"):
        if r["commune_id"] == NGHIA_HANH:
            cited.setdefault(r["source_item"], set()).add(r["indicator"])
    assert linked == cited


def test_deadline_column_is_the_rule_applied_to_the_text():
    for r in load_tasks():
        rule = parse_deadline(r["deadline_text"], int(r["plan_year"]))
        assert r["deadline"] == (rule.date.isoformat() if rule.date else ""), r["item"]
        assert r["recurring"] == ("true" if rule.recurring else "false"), r["item"]
    by_item = {r["item"]: r for r in load_tasks()}
    assert {k: (by_item[k]["deadline_text"], by_item[k]["deadline"]) for k in ("1.1", "1.2", "1.3", "2.1", "2.3", "4.1", "5.2")} == {
        "1.1": ("Tháng 9/2025", "2025-09-30"),
        "1.2": ("Quý IV/2025", "2025-12-31"),
        "1.3": ("Ngày 10/10", "2025-10-10"),
        "2.1": ("Hoàn thành trước ngày 20/12/2025", "2025-12-19"),
        "2.3": ("Hoàn thành trong tháng 9/2025", "2025-09-30"),
        "4.1": ("Trước tháng 9/2025", "2025-08-31"),
        "5.2": ("Tháng 7/2025", "2025-07-31"),
    }
    assert (by_item["4.2"]["deadline_text"], by_item["4.2"]["deadline"], by_item["4.2"]["recurring"]) == (
        "Theo KH của tỉnh", "", "false")
    assert sum(r["recurring"] == "true" for r in load_tasks()) == 18
    assert sum(r["deadline"] != "" for r in load_tasks()) == 9  # and 4.2 has neither


def test_texts_verbatim():
    by_item = {r["item"]: r for r in load_tasks()}
    assert by_item["1.1"]["name"] == (
        "Thành lập BCĐ về phát triển khoa học công nghệ, đổi mới sáng tạo, chuyển đổi số và Đề án 06; "
        "xây dựng quy chế hoạt động, phân công nhiệm vụ cho các thành viên Ban chỉ đạo")
    assert by_item["1.1"]["required_result"] == (
        "Quyết định thành lập Ban chỉ đạo; Quy chế hoạt động, phân công nhiệm vụ cho các thành viên BCĐ")
    assert (by_item["1.1"]["lead_unit"], by_item["1.1"]["partner_units"]) == (
        "Phòng VH-XH", "Các cơ quan, đơn vị có liên quan")
    assert by_item["5.2"]["name"] == "Cài đặt phần mềm BKAV endpoint 100% máy tính cán bộ, công chức, viên chức"
    assert by_item["6.1"]["lead_unit"] == "Văn phòng HĐND&UBND; Trung tâm Phục vụ HCC; Phòng Văn hóa - Xã hội"
    assert by_item["8.1"]["lead_unit"] == "Tổ CNSCĐ; Tổ Ứng cứu công nghệ và nghiệp vụ hỗ trợ giải quyết TTHC; Đoàn Thanh niên xã"
    assert (by_item["8.4a"]["lead_unit"], by_item["8.4b"]["lead_unit"]) == ("Trạm Y tế", "Đoàn TNCSHCM xã")
    assert by_item["9"]["lead_unit"] == "Công an xã"
    assert "57-NQ/TW" in by_item["2.1"]["name"] and "02-KH/BCĐTW" in by_item["2.2"]["name"]
    for r in load_tasks():
        for column, value in r.items():
            assert value == unicodedata.normalize("NFC", value) and value == " ".join(value.split()), (r["item"], column)


# Fields the PDF broke across a page (the next page's table heading sits inside them): checked
# in two halves, split after these words.
PAGE_BREAKS = {("2.1", "name"): "đột phá phát triển", ("6.1", "required_result"): "VNPT-Ioffice; Tỷ",
               ("8.1", "lead_unit"): "TTHC; Đoàn"}
TABLE_HEADING = "TT Tên nhiệm vụ Yêu cầu kết quả đạt được Thời gian thực hiện Đơn vị chủ trì thực hiện Đơn vị phối hợp Ghi chú"


def flattened_appendix() -> str:
    text = SEED.read_text(encoding="utf-8")
    text = text[text.index("Phụ lục 1"):]
    text = re.sub(r"(\d-)\s*\n\s*", r"\1", text)  # "57-" / "NQ/TW" is one code
    return " ".join(text.split()).replace(TABLE_HEADING, " ")


def as_pattern(value: str) -> re.Pattern:
    """The field as the seed may print it: where the CSV joins with '; ', the seed has ';', ','
    or just a line break."""
    return re.compile(r"(?:[;,] | )".join(re.escape(part) for part in value.split("; ")))


@pytest.mark.skipif(not SEED.exists(), reason="the seed plans are not next to the repository")
def test_every_text_is_in_the_seed():
    seed = " ".join(flattened_appendix().split())
    for r in load_tasks():
        for column in ("name", "required_result", "deadline_text", "lead_unit", "partner_units"):
            value = r[column]
            if not value:
                continue
            cut = PAGE_BREAKS.get((r["item"], column))
            halves = [value[: value.index(cut) + len(cut)], value[value.index(cut) + len(cut):].strip()] if cut else [value]
            for half in halves:
                assert as_pattern(half).search(seed), (r["item"], column, half)
    # the row the seed numbers 8.4 twice, and the group title printed "Hạ tần số"
    assert seed.count("8.4 ") == 2 and "3 Hạ tần số" in seed


# ---- status rules ---------------------------------------------------------------------------

UPDATES = [
    # commune, plan year, item, status, completed on, updated at, upload id, row
    (NGHIA_HANH, 2025, "1.1", "dang_thuc_hien", None, datetime(2025, 9, 15, 9), "u1", 2),
    (NGHIA_HANH, 2025, "1.1", "hoan_thanh", date(2025, 10, 18), datetime(2025, 10, 20, 8), "u3", 2),
    (NGHIA_HANH, 2025, "4.1", "hoan_thanh", date(2025, 8, 20), datetime(2025, 8, 25, 16), "u0", 2),
    # reported done, then reopened later: the newest update wins
    (NGHIA_HANH, 2025, "1.2", "hoan_thanh", date(2025, 9, 1), datetime(2025, 9, 2, 10), "u1", 3),
    (NGHIA_HANH, 2025, "1.2", "dang_thuc_hien", None, datetime(2025, 9, 20, 10), "u2", 3),
    # a completion dated after the day it was reported counts from that date
    (NGHIA_HANH, 2025, "2.3", "hoan_thanh", date(2025, 9, 25), datetime(2025, 9, 10, 10), "u1", 4),
    # a recurring task reported in October
    (NGHIA_HANH, 2025, "1.4", "dang_thuc_hien", None, datetime(2025, 10, 5, 10), "u3", 3),
    # two rows for one task in one file: the later row wins
    (NGHIA_HANH, 2025, "1.3", "chua_bat_dau", None, datetime(2025, 10, 20, 8), "u3", 4),
    (NGHIA_HANH, 2025, "1.3", "hoan_thanh", date(2025, 10, 10), datetime(2025, 10, 20, 8), "u3", 5),
    # an item of a plan year that has no tasks is ignored
    (NGHIA_HANH, 2026, "1.1", "hoan_thanh", date(2025, 10, 1), datetime(2025, 10, 2, 8), "u2", 2),
]


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute(
        f"create table tasks as select {T.TASK_CASTS} from read_csv($path, header=true, all_varchar=true)",
        {"path": str(DATA_DIR / "tasks.csv")},
    )
    con.execute(
        """create table communes as
        select commune_id, commune_name, province, coalesce(is_demo::BOOLEAN, false) as is_demo
        from read_csv($path, header=true, all_varchar=true)""",
        {"path": str(DATA_DIR / "communes.csv")},
    )
    con.execute(
        """create table task_updates (commune_id VARCHAR, plan_year INTEGER, item VARCHAR, status VARCHAR,
        completed_on DATE, updated_at TIMESTAMP, upload_id VARCHAR, row_number INTEGER)"""
    )
    con.executemany("insert into task_updates values (?, ?, ?, ?, ?, ?, ?, ?)", UPDATES)
    con.execute("create table refresh_scope (commune_id VARCHAR)")  # named by scoped_communes
    con.execute((SQL_DIR / "macros" / "00_scoped_communes.sql").read_text(encoding="utf-8"))
    yield con
    con.close()


def task_table(con, as_of: date, province=None, commune=None) -> dict[str, dict]:
    rows = con.sql(sql_text("tasks_status"),
                   params={"as_of": as_of, "province": province, "commune": commune}).pl().to_dicts()
    return {r["item"]: r for r in rows}


def shown(row: dict) -> tuple:
    return row["status_label"], row["is_overdue"], row["completed_late"], row["days_overdue"]


def test_overdue_task_turns_completed(con):
    # 1.1 "Tháng 9/2025" (deadline 30/09): in progress on the deadline, overdue the day after;
    # its completion (18/10, reported 20/10) is known from 20/10 and stays marked late.
    assert shown(task_table(con, date(2025, 9, 30))["1.1"]) == ("Đang thực hiện", False, False, None)
    assert shown(task_table(con, date(2025, 10, 1))["1.1"]) == ("Quá hạn", True, False, 1)
    assert shown(task_table(con, date(2025, 10, 19))["1.1"]) == ("Quá hạn", True, False, 19)
    done = task_table(con, date(2025, 10, 20))["1.1"]
    assert shown(done) == ("Hoàn thành", False, True, None)
    assert (done["status"], done["completed_on"], done["last_upload_id"]) == ("hoan_thanh", date(2025, 10, 18), "u3")


def test_status_golden_on_one_day(con):
    table = task_table(con, date(2025, 10, 1))
    assert len(table) == 28
    assert {item: shown(table[item]) for item in ("4.1", "5.2", "1.2", "2.3", "4.2", "1.4", "3.2")} == {
        "4.1": ("Hoàn thành", False, False, None),       # done 20/08, before its 31/08 deadline
        "5.2": ("Quá hạn", True, False, 62),              # "Tháng 7/2025", never reported
        "1.2": ("Đang thực hiện", False, False, None),   # reopened; deadline 31/12 not passed
        "2.3": ("Hoàn thành", False, False, None),       # completion dated 25/09 is now past
        "4.2": ("Chưa bắt đầu", False, False, None),     # "Theo KH của tỉnh": no deadline
        "1.4": ("Chưa bắt đầu", False, False, None),     # recurring, not reported yet
        "3.2": ("Chưa bắt đầu", False, False, None),     # recurring
    }
    assert table["5.2"]["status"] == "chua_bat_dau" and table["5.2"]["deadline"] == date(2025, 7, 31)
    assert table["1.2"]["completed_on"] is None
    assert sum(r["is_overdue"] for r in table.values()) == 2  # 1.1 and 5.2


def test_completion_counts_from_its_date_and_latest_row_wins(con):
    assert task_table(con, date(2025, 9, 20))["2.3"]["status_label"] == "Đang thực hiện"
    assert task_table(con, date(2025, 9, 26))["2.3"]["status_label"] == "Hoàn thành"
    assert task_table(con, date(2025, 9, 19))["1.2"]["status_label"] == "Hoàn thành"
    # 1.3 ("Ngày 10/10"): overdue on 11/10, completed on its deadline once reported (20/10)
    assert shown(task_table(con, date(2025, 10, 11))["1.3"]) == ("Quá hạn", True, False, 1)
    assert shown(task_table(con, date(2025, 10, 20))["1.3"]) == ("Hoàn thành", False, False, None)


def test_recurring_tasks_are_followed_by_month(con):
    october, november = task_table(con, date(2025, 10, 31)), task_table(con, date(2025, 11, 1))
    assert october["1.4"]["reported_in_month"] and october["1.4"]["status_label"] == "Đang thực hiện"
    assert not november["1.4"]["reported_in_month"] and not november["1.4"]["is_overdue"]
    assert not november["3.2"]["reported_in_month"]


def test_scope_and_plan_year(con):
    assert len(task_table(con, date(2025, 10, 1), province="Quảng Ngãi")) == 28
    assert len(task_table(con, date(2025, 10, 1), commune=NGHIA_HANH)) == 28
    assert task_table(con, date(2025, 10, 1), province="Thanh Hóa") == {}
    assert task_table(con, date(2024, 12, 31)) == {}  # the 2025 plan had not begun


@pytest.mark.parametrize("as_of", [date(2025, 9, 19), date(2025, 10, 1), date(2025, 10, 20), date(2026, 11, 22)])
def test_sql_agrees_with_the_python_rules(con, as_of):
    latest: dict[str, tuple] = {}
    for commune, year, item, status, completed_on, updated_at, _upload_id, _row in sorted(UPDATES, key=lambda u: (u[5], u[6], u[7])):
        if commune == NGHIA_HANH and year == 2025 and updated_at.date() <= as_of:
            latest[item] = (status, completed_on)
    for item, row in task_table(con, as_of).items():
        status, completed_on = latest.get(item, (T.NOT_STARTED, None))
        assert row["status_label"] == T.status_label(row["deadline"], status, completed_on, as_of), item
        assert row["is_overdue"] == T.is_overdue(row["deadline"], status, completed_on, as_of), item
        assert row["status"] == T.status_at(status, completed_on, as_of), item
        if row["status"] == T.DONE:
            assert row["completed_late"] == T.completed_late(row["deadline"], status, completed_on), item


# ---- the upload cells ---------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "code"), [
    ("Hoàn thành", T.DONE), ("hoan thanh", T.DONE), ("hoan_thanh", T.DONE), ("Đã hoàn thành", T.DONE),
    (unicodedata.normalize("NFD", "HOÀN THÀNH"), T.DONE), ("Đang thực hiện", T.IN_PROGRESS),
    ("dang_thuc_hien", T.IN_PROGRESS), ("  đang   triển khai ", T.IN_PROGRESS),
    ("Chưa bắt đầu", T.NOT_STARTED), ("chua_bat_dau", T.NOT_STARTED), ("Chưa thực hiện", T.NOT_STARTED),
])
def test_status_cells(cell, code):
    assert T.parse_task_status(cell) == code


def test_status_cells_refused():
    with pytest.raises(ParseError, match="quá hạn được tính tự động"):
        T.parse_task_status("Quá hạn")
    with pytest.raises(ParseError, match="không phải là trạng thái"):
        T.parse_task_status("gần xong")
    with pytest.raises(ParseError, match="không phải là trạng thái"):
        T.parse_task_status(1)


@pytest.mark.parametrize(("cell", "item"), [
    ("1.1", "1.1"), ("Mục 1.1", "1.1"), ("1,1", "1.1"), (1.1, "1.1"), (9, "9"), (9.0, "9"), ("9", "9"),
    ("8.4b", "8.4b"), ("8.4 B", "8.4b"), (" 01.02 ", "1.2"),
])
def test_item_cells(cell, item):
    assert T.parse_task_item(cell) == item


@pytest.mark.parametrize("cell", ["abc", "1.1.1", True, "", "1/1"])
def test_item_cells_refused(cell):
    with pytest.raises(ParseError, match="không phải là số mục nhiệm vụ"):
        T.parse_task_item(cell)


def test_item_resolved_against_the_plan():
    names = {r["item"]: r["name"] for r in load_tasks()}
    assert T.resolve_task_item("1.1", names) == "1.1"
    assert T.resolve_task_item("8.4b", names) == "8.4b"
    with pytest.raises(ParseError) as error:
        T.resolve_task_item("8.4", names)
    assert str(error.value) == (
        "kế hoạch có 2 nhiệm vụ cùng số mục 8.4: ghi 8.4a (Thực hiện chuyển đổi số trong chăm sóc…) "
        "hoặc 8.4b (Triển khai chương trình thanh niên với…)")
    with pytest.raises(ParseError, match="không có mục 10.1 trong danh sách nhiệm vụ"):
        T.resolve_task_item("10.1", names)


@pytest.mark.parametrize(("cell", "day"), [
    ("15/10/2025", date(2025, 10, 15)), ("5-1-2026", date(2026, 1, 5)), ("15.10.2025", date(2025, 10, 15)),
    ("2025-10-15", date(2025, 10, 15)), (datetime(2025, 10, 15, 0, 0), date(2025, 10, 15)),
    (date(2025, 10, 15), date(2025, 10, 15)), (45945, date(2025, 10, 15)), ("45945", date(2025, 10, 15)),
])
def test_day_cells(cell, day):
    assert T.parse_day(cell) == day


def test_day_cells_refused():
    with pytest.raises(ParseError, match="tháng 15 trong “10/15/2025” không hợp lệ"):
        T.parse_day("10/15/2025")  # month first, as an English Excel writes it
    with pytest.raises(ParseError, match="không phải là ngày có thật"):
        T.parse_day("31/09/2025")
    with pytest.raises(ParseError, match="không phải là ngày"):
        T.parse_day("tháng 10")


def test_status_and_date_checked_together():
    today = date(2026, 11, 22)
    assert T.parse_task_update("Hoàn thành", "15/10/2025", today) == T.TaskUpdate(T.DONE, date(2025, 10, 15))
    assert T.parse_task_update("Đang thực hiện", "", today) == T.TaskUpdate(T.IN_PROGRESS, None)
    assert T.parse_task_update("Chưa bắt đầu", None, today) == T.TaskUpdate(T.NOT_STARTED, None)
    with pytest.raises(ParseError, match="cần ghi ngày hoàn thành"):
        T.parse_task_update("Hoàn thành", " ", today)
    with pytest.raises(ParseError, match="trạng thái là “Đang thực hiện”"):
        T.parse_task_update("dang thuc hien", "15/10/2025", today)
    with pytest.raises(ParseError, match=r"ngày hoàn thành 23/11/2026 ở sau hôm nay \(22/11/2026\)"):
        T.parse_task_update("Hoàn thành", "23/11/2026", today)
