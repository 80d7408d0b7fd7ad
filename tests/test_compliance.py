"""The monthly reporting cycle: on time, late by how many days, missing, not yet due,
at the edges of the deadline; when a month closes; what counts as evidence."""
from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from queries.clock import VIETNAM
from queries.cycle import calendar
from queries.cycle.evidence import EvidenceError, check_evidence, download_name, sniff
from queries.db import Database
from queries.settings import load_settings
from queries.store import ROW_SCHEMAS
from tests.upload_data import make_data_dir

DINH_TIEN, DAI_PHUOC = "thanh-hoa/dinh-tien", "dong-nai/dai-phuoc"
OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
SETTINGS = load_settings()  # the defaults: deadline day 20, closing 10 days later


def vn(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VIETNAM)


@pytest.fixture
def db(tmp_path):
    return Database(store=tmp_path / "store", include_demo=False, data_dir=make_data_dir(tmp_path / "data"),
                    snapshots=False)


def report(db, commune: str, period: date, received: datetime, value: float = 80.0, name: str = "") -> str:
    rows = pl.DataFrame([{"row_number": 2, "commune_id": commune, "indicator": "XH05", "period": period,
                          "value": value, "numerator": None, "denominator": None, "note": None}],
                        schema=ROW_SCHEMAS["actuals"], orient="row")
    return db.store.add_upload("actuals", rows, file_name=name or f"{commune}-{received}.csv",
                               content=f"{commune}{period}{received}{value}".encode(), received_at=received).upload_id


def compliance(db, period: date, now: datetime, commune: str = DINH_TIEN) -> tuple:
    row = db.run_query("compliance_by_month", province=None, commune=commune, period_from=period,
                       period_to=period, now=now).row(0, named=True)
    return row["status"], row["days_late"], row["received_at_vn"]


LATER = vn(1, month=12)  # when the questions are asked: after October's deadline, before November's


@pytest.mark.parametrize(("received", "expected"), [
    (vn(19, 23, 59), ("dung_han", 0, "2026-11-19T23:59:00+07:00")),
    (vn(20, 0, 0), ("tre_han", 1, "2026-11-20T00:00:00+07:00")),
    # 17:30 UTC on the 19th is 00:30 on the 20th in Vietnam: late, by one day.
    (datetime(2026, 11, 19, 17, 30, tzinfo=UTC), ("tre_han", 1, "2026-11-20T00:30:00+07:00")),
    (vn(27, 9, 0), ("tre_han", 8, "2026-11-27T09:00:00+07:00")),
    (vn(5, 8, 0), ("dung_han", 0, "2026-11-05T08:00:00+07:00")),
])
def test_on_time_and_late_at_the_edges_of_the_deadline(db, received, expected):
    report(db, DINH_TIEN, OCTOBER, received)
    assert compliance(db, OCTOBER, LATER) == expected
    # The same rule in Python (the importer and the pages use it) agrees with the query.
    assert calendar.report_status(OCTOBER, received, LATER, SETTINGS)[:2] == expected[:2]


def test_a_correction_after_the_deadline_does_not_make_a_commune_late(db):
    report(db, DINH_TIEN, OCTOBER, vn(10), value=80.0)
    report(db, DINH_TIEN, OCTOBER, vn(25), value=85.0)  # corrected after the deadline
    assert compliance(db, OCTOBER, LATER) == ("dung_han", 0, "2026-11-10T00:00:00+07:00")
    assert db.sql("select value from actuals where commune_id = $c and period = $p", c=DINH_TIEN, p=OCTOBER).item() == 85.0


def test_the_earliest_upload_undone_no_longer_counts(db):
    first = report(db, DINH_TIEN, OCTOBER, vn(10), value=80.0)
    report(db, DINH_TIEN, OCTOBER, vn(25), value=85.0)
    db.store.undo(first)
    assert compliance(db, OCTOBER, LATER) == ("tre_han", 6, "2026-11-25T00:00:00+07:00")
    db.store.redo(first)
    assert compliance(db, OCTOBER, LATER)[:2] == ("dung_han", 0)


def test_a_commune_that_reported_only_another_month_is_missing(db):
    report(db, DINH_TIEN, date(2026, 9, 1), vn(15, month=10))
    assert compliance(db, OCTOBER, LATER) == ("chua_nop", None, None)
    assert compliance(db, date(2026, 9, 1), LATER)[:2] == ("dung_han", 0)


def test_a_month_not_yet_due(db):
    # On 22/11 November's report is not due before 20/12.
    assert compliance(db, NOVEMBER, vn(22)) == ("chua_den_han", None, None)
    assert calendar.report_status(NOVEMBER, None, vn(22), SETTINGS) == ("chua_den_han", None)
    # October's was due on 20/11: missing.
    assert compliance(db, OCTOBER, vn(22)) == ("chua_nop", None, None)
    # Sent on time but before the deadline passed: on time already.
    report(db, DINH_TIEN, NOVEMBER, vn(22))
    assert compliance(db, NOVEMBER, vn(22))[:2] == ("dung_han", 0)


def test_the_deadline_day_is_a_setting(db, tmp_path):
    (db.store.root).mkdir(parents=True, exist_ok=True)
    (db.store.root / "settings.json").write_text('{"report_deadline_day": 15}', encoding="utf-8")
    report(db, DINH_TIEN, OCTOBER, vn(16))
    assert compliance(db, OCTOBER, LATER)[:2] == ("tre_han", 2)


def test_every_commune_and_month_in_the_grid(db):
    report(db, DINH_TIEN, OCTOBER, vn(19))
    report(db, DAI_PHUOC, date(2026, 9, 1), vn(21, month=10))
    grid = db.run_query("compliance_by_month", province="Đồng Nai", commune=None,
                        period_from=date(2026, 9, 1), period_to=NOVEMBER, now=vn(22))
    statuses = {(r["commune_id"], r["period"]): r["status"] for r in grid.iter_rows(named=True)}
    assert statuses[(DAI_PHUOC, date(2026, 9, 1))] == "tre_han"
    assert statuses[(DAI_PHUOC, OCTOBER)] == "chua_nop"
    assert statuses[(DAI_PHUOC, NOVEMBER)] == "chua_den_han"
    assert {c for c, _ in statuses} == {"dong-nai/dai-phuoc", "dong-nai/minh-duc", "dong-nai/phu-my"}


# ---- closing a month --------------------------------------------------------------------------


def test_october_closes_on_the_thirtieth_of_november():
    assert calendar.deadline_date(OCTOBER, SETTINGS) == date(2026, 11, 20)
    assert calendar.closes_on(OCTOBER, SETTINGS) == date(2026, 11, 30)
    assert not calendar.is_closed(OCTOBER, vn(29, 23, 59), SETTINGS)
    assert calendar.is_closed(OCTOBER, vn(30), SETTINGS)
    # December's report is due in January of the next year.
    assert calendar.deadline_date(date(2026, 12, 1), SETTINGS) == date(2027, 1, 20)
    assert "Tháng 10/2026 đã khóa sổ từ ngày 30/11/2026" in calendar.closed_message(OCTOBER, SETTINGS)


# ---- evidence ---------------------------------------------------------------------------------


def _office_file(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("bien-ban.pdf", PDF, "pdf"), ("anh.PNG", PNG, "png"), ("anh.jpg", JPEG, "jpeg"), ("anh.jpeg", JPEG, "jpeg"),
    ("bao-cao.docx", _office_file("word/document.xml"), "docx"),
    ("so-lieu.xlsx", _office_file("xl/workbook.xml"), "xlsx"),
])
def test_allowed_evidence_is_recognised_by_its_content(name, content, kind):
    assert sniff(content) == kind
    assert check_evidence(name, content, max_mb=20).kind == kind


@pytest.mark.parametrize(("name", "content", "says"), [
    ("bao-cao.pdf", b"MZ\x90\x00 a Windows program", "không phải PDF, PNG, JPEG, DOCX hoặc XLSX"),
    ("anh.png", b"<html><script>alert(1)</script></html>", "không phải PDF, PNG"),
    ("bien-ban.pdf", PNG, "mang đuôi của PDF nhưng nội dung là ảnh PNG"),
    ("so-lieu.xlsx", _office_file("word/document.xml"), "nội dung là văn bản Word"),
    ("nen.docx", b"PK\x03\x04 not really a zip", "không phải PDF"),
    ("rong.pdf", b"", "rỗng"),
    # the name must end with the content's own extension, not merely not contradict it
    ("khong-duoi", PDF, "không có đuôi nhưng nội dung là PDF: tên tệp phải có đuôi .pdf"),
    ("bien-ban.cmd", PDF, "có đuôi “.cmd” nhưng nội dung là PDF: tên tệp phải có đuôi .pdf"),
    ("anh.pdf.exe", JPEG, "có đuôi “.exe” nhưng nội dung là ảnh JPEG: tên tệp phải có đuôi .jpg hoặc .jpeg"),
])
def test_forged_or_unknown_evidence_is_refused_naming_the_file(name, content, says):
    with pytest.raises(EvidenceError) as refused:
        check_evidence(name, content, max_mb=20)
    assert says in str(refused.value) and f"“{name}”" in str(refused.value)


def test_a_name_hiding_its_extension_behind_a_bidi_override_is_refused_as_it_really_is():
    # Shown right to left from the override on, "bien-ban-\u202efdp.cmd" reads "bien-ban-dmc.pdf".
    with pytest.raises(EvidenceError) as refused:
        check_evidence("bien-ban-\u202efdp.cmd", PDF, max_mb=20)
    assert str(refused.value).startswith("Tệp minh chứng “bien-ban-fdp.cmd” có đuôi “.cmd” nhưng nội dung là PDF")
    # zero-width and bidi characters are dropped from an accepted name too
    assert check_evidence("bien\u200b-ban\u2066.pdf", PDF, max_mb=20).name == "bien-ban.pdf"


@pytest.mark.parametrize(("stored", "kind", "served"), [
    ("bien-ban-\u202efdp.cmd", "pdf", "bien-ban-fdp.pdf"),  # stored before names were checked
    ("Biên bản họp.PDF", "pdf", "Biên bản họp.pdf"),
    ("anh-chup", "jpeg", "anh-chup.jpg"),
    ("..\\..\\x:y?.docx", "docx", "x_y.docx"),
    ("", "png", "minh-chung.png"),
])
def test_evidence_is_downloaded_under_a_safe_name_with_its_contents_extension(stored, kind, served):
    assert download_name(stored, kind) == served


def test_evidence_over_the_size_setting_is_refused():
    big = PDF + b"0" * (2 * 1024 * 1024)
    with pytest.raises(EvidenceError, match="quá mức cho phép 1 MB"):
        check_evidence("lon.pdf", big, max_mb=1)
    assert check_evidence("lon.pdf", big, max_mb=3).kind == "pdf"


def test_received_at_is_kept_in_the_journal_in_utc(db):
    upload_id = report(db, DINH_TIEN, OCTOBER, vn(19, 23, 59))
    entry = db.store.upload(upload_id)
    assert entry["received_at"] == "2026-11-19T16:59:00+00:00"
    assert datetime.fromisoformat(entry["received_at"]) == vn(19, 23, 59)
    assert timedelta(0) < datetime.fromisoformat(entry["uploaded_at"]) - datetime.fromisoformat(entry["received_at"])


# ---- review (thẩm định) and the score basis ---------------------------------------------------


def review_status(db, commune=DINH_TIEN, period=OCTOBER):
    rows = db.sql("select review_status, comment from month_reviews where commune_id = $c and period = $p",
                  c=commune, p=period).rows()
    return rows[0] if rows else None


def test_a_new_upload_puts_a_reviewed_month_back_to_awaiting_review(db, monkeypatch):
    report(db, DINH_TIEN, OCTOBER, vn(10), value=80.0)
    assert review_status(db) is None
    monkeypatch.setenv("DTI_NOW", "2026-11-23T09:00:00+07:00")
    db.store.add_review(DINH_TIEN, OCTOBER, "yeu_cau_bo_sung", user="tinh", comment="Thiếu biên bản")
    assert review_status(db) == ("yeu_cau_bo_sung", "Thiếu biên bản")
    db.store.add_review(DINH_TIEN, OCTOBER, "da_tham_dinh", user="tinh")
    assert review_status(db) == ("da_tham_dinh", None)
    monkeypatch.setenv("DTI_NOW", "2026-11-24T09:00:00+07:00")
    report(db, DINH_TIEN, OCTOBER, vn(24), value=90.0)
    assert review_status(db)[0] == "cho_tham_dinh"


def points(db, period=OCTOBER):
    return db.run_query("indicator_status", period=period, province=None, commune=DINH_TIEN) \
        .filter(pl.col("indicator") == "XH05").select("value", "points").row(0)


def test_with_score_basis_reviewed_only_reviewed_months_count(db, monkeypatch):
    report(db, DINH_TIEN, date(2026, 9, 1), vn(10, month=10), value=45.0)
    report(db, DINH_TIEN, OCTOBER, vn(10), value=90.0)
    assert points(db) == (90.0, 100.0)  # target ≥ 90: the default basis counts every value
    db.store.root.mkdir(parents=True, exist_ok=True)
    (db.store.root / "settings.json").write_text('{"score_basis": "reviewed"}', encoding="utf-8")
    # Nothing reviewed yet: only the value from the signed plan (81 in 2024-12) counts.
    assert points(db) == (81.0, 90.0)
    monkeypatch.setenv("DTI_NOW", "2026-11-23T09:00:00+07:00")
    db.store.add_review(DINH_TIEN, date(2026, 9, 1), "da_tham_dinh", user="tinh")
    assert points(db) == (45.0, 50.0)  # October's 90 waits for its review
    db.store.add_review(DINH_TIEN, OCTOBER, "da_tham_dinh", user="tinh")
    assert points(db) == (90.0, 100.0)
